package pki

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Private files and the directories holding them must not be readable by
// anyone but the owner: a readable CA key lets anyone mint agents.
const (
	privateDirMode  fs.FileMode = 0o700
	privateFileMode fs.FileMode = 0o600
	// groupOrOther are the permission bits a key file must not have.
	groupOrOther fs.FileMode = 0o077
)

// ensurePrivateDir creates dir (0700) or checks that an existing one is not
// open to group or others.
func ensurePrivateDir(dir string) error {
	info, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := os.MkdirAll(dir, privateDirMode); err != nil {
			return fmt.Errorf("create private directory %s: %w", dir, err)
		}
		// MkdirAll is subject to the umask; make the mode exact.
		return os.Chmod(dir, privateDirMode)
	case err != nil:
		return fmt.Errorf("private directory %s: %w", dir, err)
	case !info.IsDir():
		return fmt.Errorf("private directory %s: not a directory", dir)
	case info.Mode().Perm()&groupOrOther != 0:
		return fmt.Errorf("%w: directory %s has mode %04o, must not be accessible to group or others (chmod 700)", ErrInsecureKeyFile, dir, info.Mode().Perm())
	}
	return nil
}

// ErrInsecureKeyFile is returned for a key file or key directory that
// group or others can access.
var ErrInsecureKeyFile = errors.New("insecure key file permissions")

// readPrivateFile reads a key file after checking that only its owner can
// read it; a key others could read is treated as compromised.
func readPrivateFile(path string) ([]byte, error) {
	info, err := os.Lstat(path)
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("key file %s is not a regular file", path)
	}
	if info.Mode().Perm()&groupOrOther != 0 {
		return nil, fmt.Errorf("%w: %s has mode %04o, must not be readable by group or others (chmod 600)", ErrInsecureKeyFile, path, info.Mode().Perm())
	}
	return os.ReadFile(path)
}

// writeFileAtomic writes data to path with mode via a synced temporary file
// and a rename, so a crash leaves either the old file or the new one.
func writeFileAtomic(path string, data []byte, mode fs.FileMode) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmpName := tmp.Name()
	fail := func(err error) error {
		tmp.Close()
		os.Remove(tmpName)
		return fmt.Errorf("write %s: %w", path, err)
	}
	// CreateTemp already uses 0600; Chmod sets the exact mode wanted.
	if err := tmp.Chmod(mode); err != nil {
		return fail(err)
	}
	if _, err := tmp.Write(data); err != nil {
		return fail(err)
	}
	if err := tmp.Sync(); err != nil {
		return fail(err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmpName)
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmpName, path); err != nil {
		os.Remove(tmpName)
		return fmt.Errorf("write %s: %w", path, err)
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// fileExists reports whether path exists (any error other than "not
// exist" counts as existing, so the caller's read reports it).
func fileExists(path string) bool {
	_, err := os.Lstat(path)
	return !errors.Is(err, fs.ErrNotExist)
}
