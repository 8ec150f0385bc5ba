package source

import (
	"bytes"
	"context"
	"crypto/dsa" //nolint:staticcheck // naming old DSA keys only
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"golang.org/x/crypto/ssh"
)

// KeyProtection says whether a private key needs a passphrase.
type KeyProtection int

const (
	NotAKey KeyProtection = iota
	Unencrypted
	Encrypted
	Unparsable
)

// CheckPrivateKey tells an unencrypted private key from an encrypted one
// (PEM "Proc-Type: 4,ENCRYPTED", PKCS#8 "ENCRYPTED PRIVATE KEY", OpenSSH
// format with a cipher) without a passphrase. keyType names it.
func CheckPrivateKey(data []byte) (prot KeyProtection, keyType string, err error) {
	i := bytes.Index(data, []byte("-----BEGIN "))
	if i < 0 {
		return NotAKey, "", nil
	}
	hdr := data[i+len("-----BEGIN "):]
	end := bytes.Index(hdr, []byte("-----"))
	if end < 0 || !bytes.HasSuffix(hdr[:end], []byte("PRIVATE KEY")) {
		return NotAKey, "", nil
	}
	label := string(hdr[:end])
	if label == "ENCRYPTED PRIVATE KEY" {
		return Encrypted, "pkcs8", nil
	}
	key, perr := ssh.ParseRawPrivateKey(data[i:])
	var missing *ssh.PassphraseMissingError
	switch {
	case perr == nil:
		return Unencrypted, parsedKeyType(key, label), nil
	case errors.As(perr, &missing):
		return Encrypted, keyTypeOf(label), nil
	case bytes.Contains(data[i:], []byte("ENCRYPTED")):
		return Encrypted, keyTypeOf(label), nil
	}
	return Unparsable, keyTypeOf(label), perr
}

func parsedKeyType(key any, label string) string {
	switch key.(type) {
	case *rsa.PrivateKey:
		return "rsa"
	case *ecdsa.PrivateKey:
		return "ecdsa"
	case ed25519.PrivateKey, *ed25519.PrivateKey:
		return "ed25519"
	case *dsa.PrivateKey:
		return "dsa"
	}
	return keyTypeOf(label)
}

func keyTypeOf(label string) string {
	t := strings.TrimSuffix(strings.TrimSuffix(label, "PRIVATE KEY"), " ")
	if t == "" {
		return "pkcs8"
	}
	return strings.ToLower(t)
}

// homeDirs are the home directories of /etc/passwd plus /root and /home/*.
func homeDirs(e *Env) []string {
	set := map[string]bool{"/root": true}
	if data, err := e.FS.ReadFile("/etc/passwd", maxConfigBytes); err == nil {
		for _, line := range splitLines(data) {
			f := strings.Split(line, ":")
			if len(f) >= 6 && path.IsAbs(f[5]) && f[5] != "/" && !strings.HasPrefix(f[5], "/proc") {
				set[path.Clean(f[5])] = true
			}
		}
	}
	if ents, err := e.FS.ReadDir("/home"); err == nil {
		for _, d := range ents {
			if d.IsDir() {
				set[path.Join("/home", d.Name())] = true
			}
		}
	}
	var out []string
	for h := range set {
		out = append(out, h)
	}
	sortStrings(out)
	return out
}

// maxKeyBytes bounds a private key file read.
const maxKeyBytes = 64 << 10

func collectSSHKeys(_ context.Context, e *Env, r *Result) {
	dirs := []string{"/etc/ssh"}
	for _, h := range homeDirs(e) {
		dirs = append(dirs, path.Join(h, ".ssh"))
	}
	for _, dir := range dirs {
		ents, err := e.FS.ReadDir(dir)
		if err != nil {
			if !isNotExist(err) && !errors.Is(err, fs.ErrInvalid) {
				e.warn(dir, "%v", err)
				r.unchecked("ssh-keys", dir, "", "not readable: %v", err)
			}
			continue
		}
		for _, d := range ents {
			name := d.Name()
			// sshd's own host keys are unencrypted by design.
			if dir == "/etc/ssh" && strings.HasPrefix(name, "ssh_host_") {
				continue
			}
			if !d.Type().IsRegular() || strings.HasSuffix(name, ".pub") || name == "known_hosts" ||
				name == "authorized_keys" || name == "config" || strings.HasPrefix(name, "known_hosts") {
				continue
			}
			p := path.Join(dir, name)
			info, err := d.Info()
			if err != nil || info.Size() > maxKeyBytes {
				continue
			}
			data, err := e.FS.ReadFile(p, maxKeyBytes)
			if err != nil {
				e.warn(p, "%v", err)
				continue
			}
			prot, kt, err := CheckPrivateKey(data)
			switch prot {
			case Unencrypted:
				r.found("ssh-keys")
				r.Exposures = append(r.Exposures, Exposure{Kind: "unencrypted-ssh-key", Path: p, Key: kt,
					Account: ownerName(dir), Mode: fmt.Sprintf("%04o", info.Mode().Perm())})
			case Encrypted:
				r.found("ssh-keys")
			case Unparsable:
				e.warn(p, "private key not parsed: %v", err)
				r.unchecked("ssh-keys", p, "", "private key format not recognised: %v", err)
			}
		}
	}
}

// ownerName guesses the account of a ~/.ssh directory.
func ownerName(sshDir string) string {
	home := path.Dir(sshDir)
	if home == "/root" {
		return "root"
	}
	if home == "/etc" {
		return ""
	}
	return path.Base(home)
}
