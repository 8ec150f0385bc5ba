package host

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/ward-sec/ward/internal/inventory"
	"github.com/ward-sec/ward/internal/inventory/limitio"
	"github.com/ward-sec/ward/internal/rootfs"
)

// Size caps. Release and identity files are a few bytes; anything near
// these limits is not the file we expect.
const (
	maxSmallFile    = 64 << 10 // os-release, hostname, machine-id, fstab...
	maxProcFile     = 16 << 20 // cpuinfo on a many-core host, mountinfo on a busy k8s node
	maxSysAttr      = 4 << 10  // one sysfs attribute
	maxInstanceData = 4 << 20  // cloud-init instance-data.json
	maxTZif         = 512 << 10
)

// openHost opens a file of the running host's /proc or /sys. These are
// kernel interfaces reached through ProcRoot/SysRoot, not files of the
// scanned root.
func openHost(path string, max int64) (io.ReadCloser, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	return struct {
		io.Reader
		io.Closer
	}{limitio.NewReader(f, max), f}, nil
}

// readHost reads a whole (small) host file.
func readHost(path string, max int64) ([]byte, error) {
	rc, err := openHost(path, max)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		return nil, &fs.PathError{Op: "read", Path: path, Err: err}
	}
	return data, nil
}

// openRoot opens a file of the scanned root for streaming with a cap.
func openRoot(env *inventory.Env, name string, max int64) (io.ReadCloser, error) {
	f, err := env.FS.OpenFile(name)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err == nil && st.IsDir() {
		f.Close()
		return nil, &fs.PathError{Op: "open", Path: rootfs.Clean(name), Err: fmt.Errorf("is a directory")}
	}
	return struct {
		io.Reader
		io.Closer
	}{limitio.NewReader(f, max), f}, nil
}

// readRootFile reads a small file of the scanned root. A missing file is
// (nil, nil): most files looked for here are optional. Any other problem is
// a warning naming the file.
func readRootFile(env *inventory.Env, name string, max int64) []byte {
	data, err := env.FS.ReadFile(name, max)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			env.Warn(name, err)
		}
		return nil
	}
	return data
}
