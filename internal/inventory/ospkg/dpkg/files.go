package dpkg

import (
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/ward-sec/ward/internal/rootfs"
)

// readText reads a whole file of at most max bytes into one string,
// allocated once at the file's size (ReadFile plus a string conversion
// would copy twice and over-allocate while growing). buf is scratch space.
func readText(fsys *rootfs.FS, name string, max int64, buf []byte) (string, error) {
	f, err := fsys.OpenFile(name)
	if err != nil {
		return "", err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return "", err
	}
	if st.Size() > max {
		return "", fmt.Errorf("%w (%d bytes)", rootfs.ErrTooLarge, max)
	}
	var sb strings.Builder
	sb.Grow(int(st.Size()))
	for {
		n, err := f.Read(buf)
		if int64(sb.Len()+n) > max {
			return "", fmt.Errorf("%w (%d bytes)", rootfs.ErrTooLarge, max)
		}
		sb.Write(buf[:n])
		if errors.Is(err, io.EOF) {
			return sb.String(), nil
		}
		if err != nil {
			return "", err
		}
	}
}

// parseFileList reads an info/<pkg>.list file: one absolute path per line
// (directories included). The paths share one string, so a package's list
// costs one allocation plus the slice.
func parseFileList(s string) []string {
	files := make([]string, 0, strings.Count(s, "\n")+1)
	for line := range strings.Lines(s) {
		line = strings.TrimRight(line, "\r\n")
		// "/." is the package's view of the root directory; it owns nothing.
		if line == "" || line == "/." || line[0] != '/' {
			continue
		}
		files = append(files, line)
	}
	return files
}

// parseMD5Sums reads the "<md5>  <relative path>" lines of an md5sums file
// (distroless images keep them in status.d/<pkg>.md5sums) as absolute paths.
func parseMD5Sums(s string) []string {
	var files []string
	for line := range strings.Lines(s) {
		line = strings.TrimRight(line, "\r\n")
		sum, name, ok := strings.Cut(line, " ")
		if !ok || len(sum) != 32 {
			continue
		}
		// md5sum(1) separates with "  " (text) or " *" (binary).
		name = strings.TrimPrefix(name, " ")
		name = strings.TrimPrefix(name, "*")
		if name == "" {
			continue
		}
		files = append(files, path.Clean("/"+name))
	}
	return files
}
