// Package startup inventories what runs code on a schedule, at boot or at
// login besides services: cron and anacron jobs, cron.{daily,...} scripts,
// at jobs, systemd timers, rc.local, /etc/profile.d, /etc/ld.so.preload and
// XDG autostart entries. Files are read through the rootfs only and never
// executed.
package startup

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"sort"

	"github.com/ward-sec/ward/internal/inventory"
	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/rootfs"
)

// MaxFile caps every file parsed here; crontabs and friends are tiny, so a
// larger one is refused with a warning rather than read.
const MaxFile = 1 << 20

// Collector is the "system/startup" collector.
type Collector struct{}

// New returns the startup-items collector.
func New() *Collector { return &Collector{} }

var _ inventory.Collector = (*Collector)(nil)

func (*Collector) Name() string    { return "system/startup" }
func (*Collector) Phase() int      { return 0 }
func (*Collector) NeedsLive() bool { return false }

// scan carries one collection run.
type scan struct {
	ctx   context.Context
	env   *inventory.Env
	items []model.StartupItem
}

// Collect gathers all startup items, sorted by kind, path and line.
func (c *Collector) Collect(ctx context.Context, env *inventory.Env) (*model.Inventory, error) {
	s := &scan{ctx: ctx, env: env}
	for _, step := range []func(){
		s.systemCrontabs, s.userCrontabs, s.cronScripts, s.anacrontab, s.atJobs,
		s.timers, s.rcLocal, s.profileD, s.preload, s.xdgAutostart,
	} {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		step()
	}
	sort.SliceStable(s.items, func(i, j int) bool {
		a, b := s.items[i], s.items[j]
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		return a.Line < b.Line
	})
	return &model.Inventory{StartupItems: s.items}, nil
}

func (s *scan) add(it model.StartupItem) { s.items = append(s.items, it) }

// read returns a file's content (at most MaxFile bytes); a missing file is
// not worth a warning, anything else is.
func (s *scan) read(p string) (*bytes.Reader, bool) {
	data, err := s.env.FS.ReadFile(p, MaxFile)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			s.env.Warn(p, err)
		}
		return nil, false
	}
	return bytes.NewReader(data), true
}

// readDir lists a directory; a missing one is silent.
func (s *scan) readDir(dir string) []fs.DirEntry {
	entries, err := s.env.FS.ReadDir(dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		s.env.Warn(dir, err)
	}
	return entries
}

// regular stats p (following links inside the root) and reports whether it
// is a regular file; problems other than absence are warned about.
func (s *scan) regular(p string) (fs.FileInfo, bool) {
	st, err := s.env.FS.Stat(p)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			s.env.Warn(p, err)
		}
		return nil, false
	}
	return st, st.Mode().IsRegular()
}

// fileID identifies a file so the same one reached by two paths (Alpine's
// /var/spool/cron/crontabs -> /etc/crontabs, RHEL's /etc/rc.local ->
// rc.d/rc.local) is reported once.
type fileID struct{ dev, ino uint64 }

func idOf(st fs.FileInfo) (fileID, bool) {
	dev, ino, ok := rootfs.Inode(st)
	return fileID{dev, ino}, ok
}

func boolPtr(b bool) *bool { return &b }
