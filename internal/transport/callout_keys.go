package transport

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nkeys"
)

// Files of the external-mode nkeys, in the server's PKI directory.
const (
	// CalloutIssuerSeedFile holds the account nkey that signs the user
	// JWTs of the auth callout; its public key is the auth_callout issuer.
	CalloutIssuerSeedFile = "nats-callout-issuer.nk"
	// ServerUserSeedFile holds the user nkey the Ward server connects with;
	// its public key is the auth_users entry (no password in the NATS
	// configuration: the cluster only knows public keys).
	ServerUserSeedFile = "nats-server-user.nk"
)

// CalloutKeys are the two nkeys of external mode.
type CalloutKeys struct {
	Issuer     nkeys.KeyPair // account key (A…)
	ServerUser nkeys.KeyPair // user key (U…)
}

// IssuerPublicKey is the auth_callout issuer.
func (k *CalloutKeys) IssuerPublicKey() string { return publicKey(k.Issuer) }

// ServerUserPublicKey is the auth_users entry.
func (k *CalloutKeys) ServerUserPublicKey() string { return publicKey(k.ServerUser) }

func publicKey(kp nkeys.KeyPair) string {
	pub, err := kp.PublicKey()
	if err != nil { // only for a wiped key pair
		return ""
	}
	return pub
}

// LoadOrCreateCalloutKeys loads both nkeys from pkiDir, creating the
// directory (0700) and any missing key (0600) on first use. Like the CA
// key, a seed readable by group or others is refused: with the issuer
// seed anyone can mint agents' NATS users.
func LoadOrCreateCalloutKeys(pkiDir string) (*CalloutKeys, error) {
	if err := privateDir(pkiDir); err != nil {
		return nil, err
	}
	issuer, err := loadOrCreateNkey(filepath.Join(pkiDir, CalloutIssuerSeedFile), nkeys.PrefixByteAccount)
	if err != nil {
		return nil, err
	}
	user, err := loadOrCreateNkey(filepath.Join(pkiDir, ServerUserSeedFile), nkeys.PrefixByteUser)
	if err != nil {
		return nil, err
	}
	return &CalloutKeys{Issuer: issuer, ServerUser: user}, nil
}

func privateDir(dir string) error {
	info, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return fmt.Errorf("nkeys: %w", err)
		}
		return os.Chmod(dir, 0o700) // MkdirAll is subject to the umask
	}
	if err != nil {
		return fmt.Errorf("nkeys: %w", err)
	}
	if !info.IsDir() {
		return fmt.Errorf("nkeys: %s is not a directory", dir)
	}
	if info.Mode().Perm()&0o077 != 0 {
		return fmt.Errorf("nkeys: directory %s has mode %04o, must not be accessible to group or others (chmod 700)", dir, info.Mode().Perm())
	}
	return nil
}

func loadOrCreateNkey(path string, kind nkeys.PrefixByte) (nkeys.KeyPair, error) {
	info, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return createNkey(path, kind)
	}
	if err != nil {
		return nil, fmt.Errorf("nkey %s: %w", path, err)
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("nkey %s is not a regular file", path)
	}
	if info.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("nkey %s has mode %04o, must not be readable by group or others (chmod 600)", path, info.Mode().Perm())
	}
	seed, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("nkey %s: %w", path, err)
	}
	kp, err := nkeys.FromSeed(bytes.TrimSpace(seed))
	if err != nil {
		return nil, fmt.Errorf("nkey %s: %w", path, err)
	}
	if pub, err := kp.PublicKey(); err != nil || nkeys.Prefix(pub) != kind {
		return nil, fmt.Errorf("nkey %s is not a %s key", path, kind)
	}
	return kp, nil
}

// createNkey writes a new seed to a temporary file and links it into
// place: the link fails if the file appeared meanwhile (two starts racing
// on a fresh data directory then share one issuer), and a crash never
// leaves a half-written seed under the real name.
func createNkey(path string, kind nkeys.PrefixByte) (nkeys.KeyPair, error) {
	kp, err := nkeys.CreatePair(kind)
	if err != nil {
		return nil, fmt.Errorf("nkey %s: %w", path, err)
	}
	seed, err := kp.Seed()
	if err != nil {
		return nil, fmt.Errorf("nkey %s: %w", path, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*") // 0600
	if err != nil {
		return nil, fmt.Errorf("nkey %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	_, werr := tmp.Write(append(seed, '\n'))
	serr := tmp.Sync()
	cerr := tmp.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		return nil, fmt.Errorf("nkey %s: %w", path, err)
	}
	if err := os.Link(tmp.Name(), path); errors.Is(err, fs.ErrExist) {
		return loadOrCreateNkey(path, kind)
	} else if err != nil {
		return nil, fmt.Errorf("nkey %s: %w", path, err)
	}
	return kp, nil
}

// ServerUserOption authenticates a connection as the Ward server's auth
// user (nkey challenge signed with the seed; the cluster never sees it).
func (k *CalloutKeys) ServerUserOption() nats.Option {
	return nats.Nkey(k.ServerUserPublicKey(), k.ServerUser.Sign)
}
