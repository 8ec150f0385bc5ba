package posture

import (
	"testing"

	"github.com/ward-sec/ward/internal/model"
)

func TestEvaluate(t *testing.T) {
	tests := []struct {
		name     string
		inv      model.Inventory
		wantRule string // "" means no finding expected
		wantSev  model.Severity
	}{
		{"second uid 0", model.Inventory{Users: []model.User{{Name: "toor", UID: 0, Shell: "/bin/bash", CanLogin: true, Password: model.PasswordSet}}}, "posture/uid0-account", model.SevHigh},
		{"root itself is fine", model.Inventory{Users: []model.User{{Name: "root", UID: 0, Password: model.PasswordSet}}}, "", 0},
		{"empty password with shell", model.Inventory{Users: []model.User{{Name: "guest", UID: 1001, CanLogin: true, Password: model.PasswordEmpty}}}, "posture/empty-password", model.SevCritical},
		{"empty password, nologin", model.Inventory{Users: []model.User{{Name: "svc", UID: 999, CanLogin: false, Password: model.PasswordEmpty}}}, "", 0},
		{"md5crypt hash", model.Inventory{Users: []model.User{{Name: "old", UID: 1002, Password: model.PasswordSet, HashScheme: "md5crypt"}}}, "posture/weak-hash-scheme", model.SevMedium},
		{"nopasswd ALL", model.Inventory{Sudoers: []model.SudoRule{{Principal: "%wheel", Commands: []string{"ALL"}, NoPasswd: true, File: "/etc/sudoers", Line: 3}}}, "posture/sudo-nopasswd", model.SevHigh},
		{"nopasswd one command", model.Inventory{Sudoers: []model.SudoRule{{Principal: "deploy", Commands: []string{"/usr/bin/systemctl restart app"}, NoPasswd: true}}}, "posture/sudo-nopasswd", model.SevMedium},
		{"sudo with password", model.Inventory{Sudoers: []model.SudoRule{{Principal: "admin", Commands: []string{"ALL"}}}}, "", 0},
		{"redis on all addresses", model.Inventory{Sockets: []model.Socket{{Protocol: "tcp", State: "LISTEN", LocalAddr: "0.0.0.0", LocalPort: 6379, ProcessName: "redis-server"}}}, "posture/listen-all-addresses", model.SevHigh},
		{"redis on loopback", model.Inventory{Sockets: []model.Socket{{Protocol: "tcp", State: "LISTEN", LocalAddr: "127.0.0.1", LocalPort: 6379}}}, "", 0},
		{"sshd on :: is informational", model.Inventory{Sockets: []model.Socket{{Protocol: "tcp6", State: "LISTEN", LocalAddr: "::", LocalPort: 22, ProcessName: "sshd"}}}, "posture/listen-all-addresses", model.SevInfo},
		{"established is not exposure", model.Inventory{Sockets: []model.Socket{{Protocol: "tcp", State: "ESTABLISHED", LocalAddr: "0.0.0.0", LocalPort: 6379}}}, "", 0},
		{"ld.so.preload", model.Inventory{StartupItems: []model.StartupItem{{Kind: "ld.so.preload", Path: "/etc/ld.so.preload", Line: 1, Command: "/usr/lib/libprocesshider.so"}}}, "posture/ld-so-preload", model.SevHigh},
		{"cron is not flagged here", model.Inventory{StartupItems: []model.StartupItem{{Kind: "cron", Command: "run-parts /etc/cron.daily"}}}, "", 0},
		{"deleted exe", model.Inventory{Processes: []model.Process{{PID: 4242, Name: "kdevtmpfsi", Exe: "/tmp/kdevtmpfsi", ExeDeleted: true}}}, "posture/deleted-executable", model.SevMedium},
		{"privileged container", model.Inventory{Containers: []model.Container{{ID: "abc", Privileged: true, Runtime: "docker"}}}, "posture/privileged-container", model.SevHigh},
		{"1024-bit rsa key", model.Inventory{AuthorizedKeys: []model.AuthorizedKey{{User: "root", Type: "ssh-rsa", Bits: 1024, Fingerprint: "SHA256:x"}}}, "posture/weak-ssh-key", model.SevMedium},
		{"ed25519 key", model.Inventory{AuthorizedKeys: []model.AuthorizedKey{{User: "root", Type: "ssh-ed25519", Bits: 256}}}, "", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Evaluate(&tc.inv)
			if tc.wantRule == "" {
				if len(got) != 0 {
					t.Fatalf("want no finding, got %+v", got)
				}
				return
			}
			if len(got) != 1 {
				t.Fatalf("want 1 finding, got %d: %+v", len(got), got)
			}
			f := got[0]
			if f.Rule != tc.wantRule || f.Severity != tc.wantSev {
				t.Fatalf("got %s/%s, want %s/%s", f.Rule, f.Severity, tc.wantRule, tc.wantSev)
			}
			if f.ID == "" || f.Title == "" || f.Asset.ID == "" {
				t.Fatalf("finding lacks id/title/asset: %+v", f)
			}
			if f.Severity >= model.SevMedium && f.Remediation == "" {
				t.Fatalf("medium+ finding without remediation: %+v", f)
			}
		})
	}
}

func TestWildcardV4AndV6AreOneExposure(t *testing.T) {
	inv := &model.Inventory{Sockets: []model.Socket{
		{Protocol: "tcp", State: "LISTEN", LocalAddr: "0.0.0.0", LocalPort: 5432},
		{Protocol: "tcp6", State: "LISTEN", LocalAddr: "::", LocalPort: 5432},
	}}
	if got := Evaluate(inv); len(got) != 1 {
		t.Fatalf("want one finding for tcp/5432, got %d", len(got))
	}
}

func TestFindingIDStable(t *testing.T) {
	inv := &model.Inventory{Users: []model.User{{Name: "toor", UID: 0}}}
	a, b := Evaluate(inv), Evaluate(inv)
	if a[0].ID != b[0].ID {
		t.Fatal("finding id changes between evaluations")
	}
}
