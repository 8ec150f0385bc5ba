// Package process lists the running processes of the live host from /proc:
// identity, owner, executable (with its SHA-256), command line, start time,
// memory and the container a process runs in.
package process

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/ward-sec/ward/internal/inventory"
	"github.com/ward-sec/ward/internal/inventory/procfs"
	"github.com/ward-sec/ward/internal/model"
)

const (
	// hashCacheSize bounds the digest cache: distinct binaries on a host are
	// a few hundred; 4096 entries cost well under 1 MB.
	hashCacheSize = 4096
	// maxProcesses bounds the records of one run (each up to ~5 KB).
	maxProcesses = 20000
)

// Collector reads /proc. Keep one value for the agent's lifetime: it caches
// executable digests between runs. Safe for concurrent use.
type Collector struct {
	hashes *hashCache
	hashed atomic.Int64 // files actually read and hashed (tests, metrics)
}

// New returns the live process collector.
func New() inventory.Collector { return newCollector() }

func newCollector() *Collector { return &Collector{hashes: newHashCache(hashCacheSize)} }

func (*Collector) Name() string    { return "live/processes" }
func (*Collector) Phase() int      { return 0 }
func (*Collector) NeedsLive() bool { return true }

// run holds what one Collect call shares across processes.
type run struct {
	env      *inventory.Env
	procRoot string
	users    map[int]string
	btime    int64
	pageSize uint64
	hashMax  int64
	perms    *procfs.PermWarnings
	// mounts caches mountinfo per mount namespace; unhashable records the
	// executables already reported as on a FUSE or network filesystem.
	mounts     map[string][]mountEntry
	unhashable map[string]bool
	// filesLeft counts down the host-wide budget of process file entries.
	filesLeft   int
	filesCapped bool
	mapsBuf     bytes.Buffer
}

// Collect reads every process under env.ProcRoot. Processes that exit
// while being read are left out without a warning.
func (c *Collector) Collect(ctx context.Context, env *inventory.Env) (*model.Inventory, error) {
	procRoot := env.ProcRoot
	if procRoot == "" {
		procRoot = "/proc"
	}
	pids, err := procfs.ListPIDs(procRoot)
	if err != nil && len(pids) == 0 {
		return nil, fmt.Errorf("list processes: %w", err)
	}
	if err != nil {
		env.Warn(procRoot, err)
	}
	r := &run{
		env:        env,
		procRoot:   procRoot,
		users:      loadUserNames(env),
		btime:      loadBootTime(env, procRoot),
		pageSize:   uint64(os.Getpagesize()),
		hashMax:    maxExeHash,
		perms:      procfs.NewPermWarnings(env, procRoot, "permission denied on %d more entries (not root, hidepid, or an LSM policy)"),
		mounts:     map[string][]mountEntry{},
		unhashable: map[string]bool{},
		filesLeft:  maxHostFiles,
	}
	if l := env.Limits.MaxFileSize; l > 0 && l < r.hashMax {
		r.hashMax = l
	}
	procs := make([]model.Process, 0, len(pids))
	for _, pid := range pids {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if len(procs) == maxProcesses {
			env.Warnf(procRoot, "more than %d processes; the rest are not recorded", maxProcesses)
			break
		}
		if p, ok := c.readProcess(r, pid); ok {
			procs = append(procs, p)
		}
	}
	r.perms.Flush()
	// pids are sorted, so procs are too.
	return &model.Inventory{Processes: procs}, nil
}

// readProcess reads one /proc/<pid>; ok is false when the process is gone
// or its stat is unreadable.
func (c *Collector) readProcess(r *run, pid int) (model.Process, bool) {
	dir := path.Join(r.procRoot, strconv.Itoa(pid))
	p := model.Process{PID: pid, UID: -1}

	statPath := dir + "/stat"
	data, err := readCapped(statPath, maxStatSize)
	if err != nil {
		r.fail(statPath, err)
		return p, false
	}
	st, err := parseStat(data)
	if err != nil {
		r.env.Warn(statPath, err)
		return p, false
	}
	p.PPID = st.PPID
	p.Name = st.Comm
	p.StartTime = startTime(r.btime, st.StartTicks)
	p.RSSBytes = st.RSSPages * r.pageSize
	if st.kernelThread() {
		// Kernel threads have no exe, cmdline or cgroup worth reading and
		// always run as root; skipping the reads saves hundreds of syscalls.
		p.KernelThread = true
		p.UID, p.User = 0, r.users[0]
		return p, true
	}

	statusPath := dir + "/status"
	if data, err = readCapped(statusPath, maxStatusSize); err != nil {
		if procfs.Gone(err) {
			return p, false
		}
		r.fail(statusPath, err)
	} else if p.UID, err = parseStatusUID(data); err != nil {
		r.env.Warn(statusPath, err)
	}
	if p.UID >= 0 {
		p.User = r.users[p.UID]
	}

	if data, err = readCapped(dir+"/cmdline", maxCmdline); err != nil {
		if procfs.Gone(err) {
			return p, false
		}
		r.fail(dir+"/cmdline", err)
	} else {
		p.Cmdline = parseCmdline(data)
	}

	p.Exe = r.link(dir + "/exe")
	if exe, ok := strings.CutSuffix(p.Exe, " (deleted)"); ok {
		p.Exe, p.ExeDeleted = exe, true
	}
	p.Cwd = r.link(dir + "/cwd")

	if data, err = readCapped(dir+"/cgroup", maxCgroupSize); err != nil {
		if !procfs.Gone(err) {
			r.fail(dir+"/cgroup", err)
		}
	} else {
		p.Cgroup, p.ContainerID = parseCgroup(data)
	}

	if p.Exe != "" {
		p.ExeSHA256 = c.exeDigest(r, dir, p.Exe, p.ExeDeleted)
	}
	// Inside a container, paths name the container's files, which the
	// host's packages do not own: its image is scanned on its own.
	if p.ContainerID == "" {
		p.Files = r.processFiles(dir, p.Exe, p.ExeDeleted)
	}
	return p, true
}

// link reads a /proc symlink. A missing link (zombie, exited process) is
// simply empty.
func (r *run) link(p string) string {
	target, err := os.Readlink(p)
	if err != nil {
		if !procfs.Gone(err) {
			r.fail(p, err)
		}
		return ""
	}
	return target
}

// fail records a read error: silently for a vanished process, grouped for
// permission problems, one warning otherwise.
func (r *run) fail(p string, err error) {
	switch {
	case procfs.Gone(err):
	case errors.Is(err, fs.ErrPermission):
		r.perms.Add(p, err)
	default:
		r.env.Warn(p, err)
	}
}

func (c *Collector) exeDigest(r *run, dir, exe string, deleted bool) string {
	if r.env.Live {
		if fstype := r.exeFSType(dir, exe); unhashableFS(fstype) {
			if !r.unhashable[exe] {
				r.unhashable[exe] = true
				r.env.Warnf(dir+"/exe", "not hashed: %s is on a %s filesystem, where a read could hang", exe, fstype)
			}
			return ""
		}
	}
	f, err := openExe(r.env, dir, exe, deleted)
	if err != nil {
		if !r.env.Live && procfs.Gone(err) {
			return "" // not in the scanned root: nothing to hash
		}
		r.fail(dir+"/exe", err)
		return ""
	}
	if f == nil {
		return ""
	}
	defer f.Close()
	sum, err := c.hashFile(f, r.hashMax)
	if err != nil {
		r.fail(dir+"/exe", err)
	}
	return sum
}

// loadUserNames parses the root's /etc/passwd once per run.
func loadUserNames(env *inventory.Env) map[int]string {
	f, err := env.FS.OpenFile("/etc/passwd")
	if err != nil {
		env.Warn("/etc/passwd", err)
		return nil
	}
	defer f.Close()
	names, err := parseUserNames(io.LimitReader(f, maxPasswdSize))
	if err != nil {
		env.Warn("/etc/passwd", err)
	}
	return names
}

// loadBootTime reads btime from ProcRoot/stat; without it start times stay zero.
func loadBootTime(env *inventory.Env, procRoot string) int64 {
	p := procRoot + "/stat"
	f, err := os.Open(p)
	if err != nil {
		env.Warn(p, err)
		return 0
	}
	defer f.Close()
	bt, err := parseBootTime(io.LimitReader(f, maxProcStatSize))
	if err != nil {
		env.Warn(p, err)
	}
	return bt
}
