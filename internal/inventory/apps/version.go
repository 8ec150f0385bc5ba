package apps

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/ward-sec/ward/internal/inventory"
	"github.com/ward-sec/ward/internal/inventory/apps/bounded"
	"github.com/ward-sec/ward/internal/rootfs"
)

// versionFromSources tries the fingerprint's version sources in order and
// returns the first version found and where it came from.
func (c *collector) versionFromSources(env *inventory.Env, r *record) (version, source string) {
	for _, vs := range r.fp.versions {
		var v, src string
		switch {
		case vs.File != "":
			v, src = c.versionFromFile(env, r, vs)
		case vs.Glob != "":
			v, src = c.versionFromGlob(env, r, vs)
		case vs.Zip != "":
			v, src = c.versionFromZip(env, r, vs)
		case vs.Binary:
			v, src = c.versionFromBinary(env, r, vs)
		case vs.Exe:
			if r.binary != "" {
				v, src = joinGroups(vs.re.FindStringSubmatch(r.binary)), r.binary
			}
		}
		if v != "" {
			return v, src
		}
	}
	return "", ""
}

// joinGroups makes a version from a match: its non-empty groups joined
// with "." (Joomla keeps major, minor and patch in separate constants).
func joinGroups(m []string) string {
	if m == nil {
		return ""
	}
	var parts []string
	for _, g := range m[1:] {
		if g = strings.TrimSpace(g); g != "" {
			parts = append(parts, g)
		}
	}
	return strings.Join(parts, ".")
}

func joinByteGroups(m [][]byte) string {
	if m == nil {
		return ""
	}
	s := make([]string, len(m))
	for i, b := range m {
		s[i] = string(b)
	}
	return joinGroups(s)
}

// underHome resolves a fingerprint path against the install directory;
// "" when it is relative and the home is unknown, or the install lives in
// a container whose files are not in this root.
func underHome(r *record, p string) string {
	if r.container != "" {
		return ""
	}
	if strings.HasPrefix(p, "/") {
		return rootfs.Clean(p)
	}
	if r.home == "" {
		return ""
	}
	return path.Join(r.home, p)
}

func (c *collector) versionFromFile(env *inventory.Env, r *record, vs compiledVersion) (string, string) {
	p := underHome(r, vs.File)
	if p == "" {
		return "", ""
	}
	f, err := env.FS.OpenFile(p)
	if err != nil {
		c.warnUnlessMissing(env, p, err)
		return "", ""
	}
	defer f.Close()
	data, err := bounded.ReadPrefix(f, maxOr(vs.MaxBytes, defaultFileMax))
	if err != nil {
		env.Warn(p, err)
		return "", ""
	}
	return joinByteGroups(vs.re.FindSubmatch(data)), p
}

func (c *collector) versionFromGlob(env *inventory.Env, r *record, vs compiledVersion) (string, string) {
	p := underHome(r, vs.Glob)
	if p == "" {
		return "", ""
	}
	for _, m := range c.glob(env, p) {
		if v := joinGroups(vs.re.FindStringSubmatch(path.Base(m))); v != "" {
			return v, m
		}
	}
	return "", ""
}

func (c *collector) versionFromZip(env *inventory.Env, r *record, vs compiledVersion) (string, string) {
	p := underHome(r, vs.Zip)
	if p == "" {
		return "", ""
	}
	for _, archive := range c.glob(env, p) {
		data, err := c.zipEntry(env, archive, vs.Entry, maxOr(vs.MaxBytes, defaultFileMax))
		if err != nil {
			if !errors.Is(err, bounded.ErrEntryNotFound) {
				env.Warn(archive, err)
			}
			continue
		}
		if v := joinByteGroups(vs.re.FindSubmatch(data)); v != "" {
			return v, archive + "!/" + vs.Entry
		}
	}
	return "", ""
}

// zipEntry reads one entry of an archive in the root, within the limits.
func (c *collector) zipEntry(env *inventory.Env, archive, entry string, max int64) ([]byte, error) {
	f, err := env.FS.OpenFile(archive)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if env.Limits.MaxFileSize > 0 && st.Size() > env.Limits.MaxFileSize {
		return nil, fmt.Errorf("archive larger than %d bytes", env.Limits.MaxFileSize)
	}
	return bounded.ZipRead(f, st.Size(), entry, bounded.ZipLimits{MaxEntries: env.Limits.MaxArchiveEntries, MaxBytes: max})
}

func (c *collector) versionFromBinary(env *inventory.Env, r *record, vs compiledVersion) (string, string) {
	rc, name := c.openBinary(env, r)
	if rc == nil {
		return "", ""
	}
	defer rc.Close()
	max := maxOr(vs.MaxBytes, defaultBinaryMax)
	if env.Limits.MaxFileSize > 0 && max > env.Limits.MaxFileSize {
		max = env.Limits.MaxFileSize
	}
	m, err := bounded.FindSubmatch(rc, vs.re, max)
	if err != nil {
		env.Warn(name, err)
		return "", ""
	}
	return joinByteGroups(m), name
}

// openBinary opens the record's executable. A process in a container, or
// one whose file was deleted, is read through /proc/PID/exe on the live
// host: that is the very file the process runs, wherever it lives.
func (c *collector) openBinary(env *inventory.Env, r *record) (io.ReadCloser, string) {
	for _, p := range r.procs {
		if p.ContainerID == "" && !p.ExeDeleted {
			continue
		}
		if !env.Live || env.ProcRoot == "" {
			return nil, ""
		}
		name := filepath.Join(env.ProcRoot, strconv.Itoa(p.PID), "exe")
		f, err := os.Open(name)
		if err != nil {
			c.warnUnlessMissing(env, name, err)
			return nil, ""
		}
		if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
			f.Close()
			return nil, ""
		}
		return f, r.binary
	}
	if r.binary == "" || r.container != "" {
		return nil, ""
	}
	f, err := env.FS.OpenFile(r.binary)
	if err != nil {
		c.warnUnlessMissing(env, r.binary, err)
		return nil, ""
	}
	return f, r.binary
}

func (c *collector) warnUnlessMissing(env *inventory.Env, p string, err error) {
	if errors.Is(err, fs.ErrNotExist) {
		return
	}
	env.Warn(p, err)
}

func maxOr(v, def int64) int64 {
	if v > 0 {
		return v
	}
	return def
}
