package host

import (
	"errors"
	"io/fs"
	"path"
	"strings"

	"github.com/ward-sec/ward/internal/inventory"
)

// moduleDirs hold one directory per installed kernel. On merged-/usr
// systems /lib is a link to usr/lib and both list the same kernels.
var moduleDirs = []string{"/lib/modules", "/usr/lib/modules"}

// inferKernel guesses the kernel of an image that is not running: the
// newest installed module tree. Trees holding modules.dep (or a vmlinuz,
// as Fedora/RHEL ship it there) are preferred over leftovers of removed
// kernels, which often keep only a stray directory.
func inferKernel(env *inventory.Env) string {
	var complete, any []string
	seen := map[string]bool{}
	for _, dir := range moduleDirs {
		entries, err := env.FS.ReadDir(dir)
		if err != nil {
			if !errors.Is(err, fs.ErrNotExist) {
				env.Warn(dir, err)
			}
			continue
		}
		for _, e := range entries {
			v := e.Name()
			if seen[v] || !e.IsDir() || !looksLikeKernelRelease(v) {
				continue
			}
			seen[v] = true
			any = append(any, v)
			p := path.Join(dir, v)
			if env.FS.Exists(p+"/modules.dep") || env.FS.Exists(p+"/vmlinuz") {
				complete = append(complete, v)
			}
		}
	}
	if len(complete) > 0 {
		return newestVersion(complete)
	}
	return newestVersion(any)
}

// looksLikeKernelRelease accepts uname -r shaped names ("6.1.0-28-amd64",
// "5.14.0-362.8.1.el9_3.x86_64") and not "extramodules" or "build".
func looksLikeKernelRelease(s string) bool {
	if len(s) < 3 || len(s) > 128 || s[0] < '0' || s[0] > '9' || !strings.Contains(s, ".") {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || strings.IndexByte(".-_+~", c) >= 0) {
			return false
		}
	}
	return true
}

func newestVersion(vs []string) string {
	best := ""
	for _, v := range vs {
		if best == "" || CompareDebianVersion(v, best) > 0 {
			best = v
		}
	}
	return best
}

// CompareDebianVersion orders versions as dpkg does ([epoch:]upstream
// [-revision], digits compared as numbers, '~' before anything). It also
// orders kernel release names correctly, unlike a string sort
// ("6.1.0-9" < "6.1.0-28").
func CompareDebianVersion(a, b string) int {
	ea, ua, ra := splitDebianVersion(a)
	eb, ub, rb := splitDebianVersion(b)
	if c := compareDigits(ea, eb); c != 0 {
		return c
	}
	if c := verrevcmp(ua, ub); c != 0 {
		return c
	}
	return verrevcmp(ra, rb)
}

func splitDebianVersion(v string) (epoch, upstream, revision string) {
	if i := strings.IndexByte(v, ':'); i >= 0 && isDigits(v[:i]) {
		epoch, v = v[:i], v[i+1:]
	}
	if i := strings.LastIndexByte(v, '-'); i >= 0 {
		return epoch, v[:i], v[i+1:]
	}
	return epoch, v, ""
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// order is dpkg's weight of a non-digit character.
func order(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return 0
	case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
		return int(c)
	case c == '~':
		return -1
	default:
		return int(c) + 256
	}
}

// verrevcmp is dpkg's comparison of one version part.
func verrevcmp(a, b string) int {
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		firstDiff := 0
		for i < len(a) && !isDigit(a[i]) || j < len(b) && !isDigit(b[j]) {
			ac, bc := 0, 0
			if i < len(a) {
				ac = order(a[i])
			}
			if j < len(b) {
				bc = order(b[j])
			}
			if ac != bc {
				return sign(ac - bc)
			}
			i++
			j++
		}
		si := i
		for i < len(a) && isDigit(a[i]) {
			i++
		}
		sj := j
		for j < len(b) && isDigit(b[j]) {
			j++
		}
		firstDiff = compareDigits(a[si:i], b[sj:j])
		if firstDiff != 0 {
			return firstDiff
		}
	}
	return 0
}

// compareDigits compares two digit strings as numbers of any length.
func compareDigits(a, b string) int {
	a = strings.TrimLeft(a, "0")
	b = strings.TrimLeft(b, "0")
	if len(a) != len(b) {
		return sign(len(a) - len(b))
	}
	return strings.Compare(a, b)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func sign(n int) int {
	switch {
	case n < 0:
		return -1
	case n > 0:
		return 1
	}
	return 0
}
