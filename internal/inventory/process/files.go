package process

import (
	"bufio"
	"bytes"
	"io"
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
	data, err := readCapped(mapsPath, maxMapsSize)
	if err != nil {
		r.fail(mapsPath, err)
	} else {
		parseMaps(data, l.add)
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

func isJava(exe string) bool { return path.Base(exe) == "java" }

// parseMaps reads /proc/PID/maps ("start-end perms offset dev inode
// path") and reports each file-backed mapping that holds code: mapped
// executable, or a shared object or Java archive by name.
func parseMaps(data []byte, add func(path string, deleted bool)) {
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), maxMapsLine)
	for sc.Scan() {
		perms, name, ok := mapsLine(sc.Text())
		if !ok || !strings.HasPrefix(name, "/") {
			continue
		}
		name, deleted := strings.CutSuffix(name, deletedSuffix)
		if strings.HasPrefix(name, "/memfd:") || strings.HasPrefix(name, "/dev/") || strings.HasPrefix(name, "/SYSV") {
			continue
		}
		if strings.Contains(perms, "x") || codeFile(name) {
			add(path.Clean(name), deleted)
		}
	}
}

// mapsLine splits one maps line into its permissions and path (which may
// hold spaces; anonymous mappings have none, and ok is false).
func mapsLine(line string) (perms, name string, ok bool) {
	rest := line
	for i := 0; i < 5; i++ {
		rest = strings.TrimLeft(rest, " \t")
		j := strings.IndexAny(rest, " \t")
		if j < 0 {
			return "", "", false
		}
		if i == 1 {
			perms = rest[:j]
		}
		rest = rest[j:]
	}
	name = strings.TrimLeft(rest, " \t")
	return perms, name, name != ""
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
