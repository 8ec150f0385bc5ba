// Package source finds the credentials stored on a host: account hashes
// (/etc/shadow), database accounts (MySQL/MariaDB, PostgreSQL), service
// passwords (Redis, Tomcat, OpenLDAP, SNMP, FTP virtual users), SSH
// private keys without a passphrase and plaintext credential files. It
// reads files only through the confined root, read-only; the parsers are
// pure functions over the file's bytes.
//
// A store Ward could not read or a format it cannot test is recorded as
// Unchecked with the reason, never dropped, so no account is ever
// reported "not weak" without having been tested.
package source

import (
	"context"
	"fmt"
	"log/slog"
	"slices"

	"github.com/ward-sec/ward/internal/rootfs"
)

// State says whether a credential is to be tested.
type State string

const (
	// Test: a hash or plaintext secret to test against the candidates.
	Test State = ""
	// Empty: the account has no password at all.
	Empty State = "empty"
	// Locked: the account cannot log in with a password.
	Locked State = "locked"
)

// Credential is one account's stored secret.
type Credential struct {
	// Store names where it lives: "shadow", "mysql", "postgresql",
	// "redis", "tomcat", "openldap", "snmp", "proftpd", "vsftpd",
	// "htpasswd", "config-file".
	Store   string `json:"store"`
	Account string `json:"account"`
	// Path is the file (in the scanned root) or the table it came from.
	Path string `json:"path"`
	Line int    `json:"line,omitempty"`
	// Secret is the hash as stored, or the plaintext when Plain is true.
	// Never serialised.
	Secret string `json:"-"`
	Plain  bool   `json:"plain,omitempty"`
	// Format forces the hash format where the store knows it and the
	// string alone is ambiguous (crack.Target.Format).
	Format string `json:"format,omitempty"`
	State  State  `json:"state,omitempty"`
	// Hints are words for per-account mutations (GECOS name, service).
	Hints []string `json:"-"`
}

// Key identifies the credential in results: store, path, account.
func (c Credential) Key() string {
	return c.Store + ":" + c.Path + ":" + c.Account
}

// Exposure is a secret at risk without any cracking: a plaintext password
// in a file, an SSH private key without a passphrase. The secret itself
// is never kept.
type Exposure struct {
	// Kind is "plaintext-password" or "unencrypted-ssh-key".
	Kind string `json:"kind"`
	Path string `json:"path"`
	Line int    `json:"line,omitempty"`
	// Key names the setting ("password", "DB_PASSWORD", "machine x
	// login y") or the key type ("ssh-ed25519").
	Key string `json:"key"`
	// Account is the user the secret belongs to, where known.
	Account string `json:"account,omitempty"`
	// Mode is the file's permission bits (e.g. "0644").
	Mode string `json:"mode,omitempty"`
}

// Unchecked is a store or credential Ward did not test, and why.
type Unchecked struct {
	Store   string `json:"store"`
	Path    string `json:"path,omitempty"`
	Account string `json:"account,omitempty"`
	Reason  string `json:"reason"`
}

// Result is everything Collect found.
type Result struct {
	Credentials []Credential `json:"credentials"`
	Exposures   []Exposure   `json:"exposures"`
	Unchecked   []Unchecked  `json:"unchecked"`
	// Stores lists the stores that were found and read.
	Stores []string `json:"stores"`
}

// Env is what Collect reads.
type Env struct {
	FS *rootfs.FS
	// Live: the root is the running host, so database sockets are its.
	Live bool
	// Root: the process runs as root (database superuser access).
	Root bool
	// Warn records a problem with one source (a malformed line, an
	// unreadable file); collection goes on.
	Warn func(path, format string, args ...any)
	Log  *slog.Logger
	// MySQLSockets and PostgresHosts override where the databases are
	// looked for (tests); defaults are the distributions' paths.
	MySQLSockets  []string
	PostgresHosts []string
}

func (e *Env) warn(path, format string, args ...any) {
	if e.Warn != nil {
		e.Warn(path, format, args...)
	}
}

// collector reads one kind of store into r.
type collector struct {
	name string
	run  func(ctx context.Context, e *Env, r *Result)
}

var collectors = []collector{
	{"shadow", collectShadow},
	{"mysql", collectMySQL},
	{"postgresql", collectPostgres},
	{"redis", collectRedis},
	{"tomcat", collectTomcat},
	{"openldap", collectSlapd},
	{"snmp", collectSNMP},
	{"proftpd", collectProFTPD},
	{"vsftpd", collectVsftpd},
	{"ssh-keys", collectSSHKeys},
	{"config-files", collectConfigFiles},
}

// Collect runs every source over the root.
func Collect(ctx context.Context, e *Env) *Result {
	r := &Result{Credentials: []Credential{}, Exposures: []Exposure{}, Unchecked: []Unchecked{}, Stores: []string{}}
	for _, c := range collectors {
		if ctx.Err() != nil {
			r.Unchecked = append(r.Unchecked, Unchecked{Store: c.name, Reason: "scan cancelled: " + ctx.Err().Error()})
			continue
		}
		c.run(ctx, e, r)
	}
	slices.Sort(r.Stores)
	r.Stores = slices.Compact(r.Stores)
	return r
}

func (r *Result) found(store string) { r.Stores = append(r.Stores, store) }

func (r *Result) unchecked(store, path, account, format string, args ...any) {
	r.Unchecked = append(r.Unchecked, Unchecked{Store: store, Path: path, Account: account, Reason: fmt.Sprintf(format, args...)})
}

// maxConfigBytes bounds every configuration file read.
const maxConfigBytes = 4 << 20

// readFile reads a file of the root, reporting failures other than "not
// there" as a warning and an unchecked store. ok is false when there is
// nothing to parse.
func readFile(e *Env, r *Result, store, path string) ([]byte, bool) {
	data, err := e.FS.ReadFile(path, maxConfigBytes)
	if err != nil {
		if isNotExist(err) {
			return nil, false
		}
		e.warn(path, "%v", err)
		r.unchecked(store, path, "", "unreadable: %v", err)
		return nil, false
	}
	return data, true
}

func sortStrings(s []string) { slices.Sort(s) }
