package process

import (
	"bytes"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"

	"github.com/ward-sec/ward/internal/model"
)

// Caps on what is read to list a process's code files: maps of a large
// JVM run to a few MB; a server can hold hundreds of thousands of fds,
// of which only the first maxFDs are looked at (and only for JVMs).
const (
	maxMapsSize    = 8 << 20
	maxMapsLine    = 8 << 10
	maxFDs         = 4096
	deletedSuffix  = " (deleted)"
	jvmLibrary     = "libjvm.so"
	maxFilePathLen = 4096
	// maxHostFiles bounds the file entries of all processes together
	// (~70 bytes each in JSON), so the processes class of a host with
	// thousands of processes still fits one agent message.
	maxHostFiles = 40000
)

// processFiles lists the code files of one process: the executable first,
// then mapped shared objects and executable mappings in map order, then
// the archives a JVM holds open. Paths are deduplicated and capped at
// model.MaxProcessFiles. Package stays empty: the inventory run fills it
// in from the package managers' file lists (inventory.AttributeFiles).
func (r *run) processFiles(dir, exe string, exeDeleted bool) []model.ProcessFile {
	if r.filesLeft <= 0 {
		if !r.filesCapped {
			r.filesCapped = true
			r.env.Warnf(r.procRoot, "more than %d mapped files on the host: the remaining processes are recorded without their file lists", maxHostFiles)
		}
		return nil
	}
	l := fileList{seen: map[string]bool{}, max: min(model.MaxProcessFiles, r.filesLeft)}
	defer func() { r.filesLeft -= len(l.files) }()
	if exe != "" {
		l.add(exe, exeDeleted)
	}
	mapsPath := dir + "/maps"
	if err := r.readInto(&r.mapsBuf, mapsPath, maxMapsSize); err != nil {
		r.fail(mapsPath, err)
	} else {
		parseMaps(r.mapsBuf.Bytes(), l.add)
	}
	if l.jvm || isJava(exe) {
		r.openArchives(dir+"/fd", l.add)
	}
	return l.files
}

type fileList struct {
	files []model.ProcessFile
	seen  map[string]bool
	max   int // 0: model.MaxProcessFiles
	jvm   bool
}

func (l *fileList) add(p string, deleted bool) {
	limit := l.max
	if limit <= 0 {
		limit = model.MaxProcessFiles
	}
	if l.seen[p] || len(l.files) >= limit || len(p) > maxFilePathLen {
		return
	}
	if path.Base(p) == jvmLibrary {
		l.jvm = true
	}
	l.seen[p] = true
	l.files = append(l.files, model.ProcessFile{Path: p, Deleted: deleted})
}

// readInto reads at most max bytes of a /proc file into buf, reused
// across processes.
func (r *run) readInto(buf *bytes.Buffer, p string, max int64) error {
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	buf.Reset()
	if _, err := buf.ReadFrom(io.LimitReader(f, max)); err != nil {
		return &fs.PathError{Op: "read", Path: p, Err: err}
	}
	return nil
}

func isJava(exe string) bool { return path.Base(exe) == "java" }

// parseMaps reads /proc/PID/maps ("start-end perms offset dev inode
// path") and reports each file-backed mapping that holds code: mapped
// executable, or a shared object or Java archive by name. A library's
// consecutive mappings are reported once, without allocating per line.
func parseMaps(data []byte, add func(path string, deleted bool)) {
	var last []byte
	for len(data) > 0 {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		if len(line) > maxMapsLine {
			continue
		}
		perms, name, ok := mapsLine(line)
		if !ok || name[0] != '/' || bytes.Equal(name, last) {
			continue
		}
		last = name
		name, deleted := bytes.CutSuffix(name, []byte(deletedSuffix))
		if bytes.HasPrefix(name, []byte("/memfd:")) || bytes.HasPrefix(name, []byte("/dev/")) || bytes.HasPrefix(name, []byte("/SYSV")) {
			continue
		}
		if bytes.IndexByte(perms, 'x') >= 0 || codeFile(string(name)) {
			add(path.Clean(string(name)), deleted)
		}
	}
}

// mapsLine splits one maps line into its permissions and path (which may
// hold spaces; anonymous mappings have none, and ok is false).
func mapsLine(line []byte) (perms, name []byte, ok bool) {
	rest := line
	for i := 0; i < 5; i++ {
		rest = bytes.TrimLeft(rest, " \t")
		j := bytes.IndexAny(rest, " \t")
		if j < 0 {
			return nil, nil, false
		}
		if i == 1 {
			perms = rest[:j]
		}
		rest = rest[j:]
	}
	name = bytes.TrimLeft(rest, " \t")
	return perms, name, len(name) > 0 && len(perms) > 0
}

// codeFile reports whether a file name is a shared object or Java archive.
func codeFile(name string) bool {
	base := path.Base(name)
	return strings.HasSuffix(base, ".so") || strings.Contains(base, ".so.") || archive(base)
}

func archive(base string) bool {
	return strings.HasSuffix(base, ".jar") || strings.HasSuffix(base, ".war") || strings.HasSuffix(base, ".ear")
}

// openArchives adds the Java archives among the process's open files.
func (r *run) openArchives(fdDir string, add func(string, bool)) {
	d, err := os.Open(fdDir)
	if err != nil {
		r.fail(fdDir, err)
		return
	}
	defer d.Close()
	names, err := d.Readdirnames(maxFDs)
	if err != nil && err != io.EOF {
		r.fail(fdDir, err)
	}
	for _, n := range names {
		target, err := os.Readlink(fdDir + "/" + n)
		if err != nil || !strings.HasPrefix(target, "/") {
			continue // closed meanwhile, or a socket/pipe/anon inode
		}
		target, deleted := strings.CutSuffix(target, deletedSuffix)
		if archive(path.Base(target)) {
			add(path.Clean(target), deleted)
		}
	}
}
