package rpm

import (
	"errors"
	"io"
	"io/fs"
	"path"
	"sort"
	"time"

	"github.com/ward-sec/ward/internal/inventory/ospkg/rpm/rpmdb"
	"github.com/ward-sec/ward/internal/rootfs"
)

// dbDirs are rpm's database directories: /usr/lib/sysimage/rpm since rpm
// 4.16 on Fedora and SUSE (/var/lib/rpm then links to it), /var/lib/rpm
// elsewhere. dbFiles are the database files of each backend, newest first.
var (
	dbDirs  = []string{"/usr/lib/sysimage/rpm", "/var/lib/rpm"}
	dbFiles = []string{"rpmdb.sqlite", "Packages.db", "Packages"}
)

type dbFile struct {
	path    string
	format  rpmdb.Format
	modTime time.Time
}

// locate lists the rpm databases in the root, each once (the two
// directories are often one), in preference order: the most recently
// written first (the one rpm uses), then by directory and backend as
// listed above. A file's format is read from its magic, not trusted from
// its name. Files that cannot be examined go to warn.
func locate(fsys *rootfs.FS, warn func(string, error)) []dbFile {
	var out []dbFile
	seen := map[[2]uint64]bool{}
	for _, dir := range dbDirs {
		for _, name := range dbFiles {
			p := path.Join(dir, name)
			st, err := fsys.Stat(p)
			if err != nil {
				if !errors.Is(err, fs.ErrNotExist) {
					warn(p, err)
				}
				continue
			}
			if !st.Mode().IsRegular() {
				continue
			}
			if dev, ino, ok := rootfs.Inode(st); ok {
				if seen[[2]uint64{dev, ino}] {
					continue
				}
				seen[[2]uint64{dev, ino}] = true
			}
			f, err := sniff(fsys, p)
			if err != nil {
				warn(p, err)
				continue
			}
			out = append(out, dbFile{path: p, format: f, modTime: st.ModTime()})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].modTime.After(out[j].modTime) })
	return out
}

// sniff reads a file's magic.
func sniff(fsys *rootfs.FS, p string) (rpmdb.Format, error) {
	f, err := fsys.OpenFile(p)
	if err != nil {
		return rpmdb.FormatUnknown, err
	}
	defer f.Close()
	head := make([]byte, 16)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return rpmdb.FormatUnknown, err
	}
	return rpmdb.DetectFormat(head[:n]), nil
}
