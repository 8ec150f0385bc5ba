package parse

import (
	"bufio"
	"os"
	"strings"
	"testing"

	"github.com/ward-sec/ward/internal/model"
)

// TestHashSchemeVectors runs the crypt hashes of the shared password
// vectors (testdata/hash_vectors.tsv, made with mkpasswd and openssl).
func TestHashSchemeVectors(t *testing.T) {
	f, err := os.Open("testdata/hash_vectors.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want := map[string]string{"bcrypt-a": "bcrypt"}
	sc := bufio.NewScanner(f)
	sc.Scan() // header
	n := 0
	for sc.Scan() {
		fields := strings.Split(sc.Text(), "\t")
		format, hash := fields[0], fields[1]
		scheme := format
		if w, ok := want[format]; ok {
			scheme = w
		}
		state, got := ClassifyPassword(hash)
		if state != model.PasswordSet || got != scheme {
			t.Errorf("%s %.12s...: got %s/%s, want set/%s", format, hash, state, got, scheme)
		}
		n++
	}
	if n < 20 {
		t.Fatalf("read only %d vectors", n)
	}
}

func TestClassifyPassword(t *testing.T) {
	tests := []struct {
		field  string
		state  model.PasswordState
		scheme string
	}{
		{"", model.PasswordEmpty, ""},
		// Never had a password / no password can match.
		{"!", model.PasswordDisabled, ""},
		{"!!", model.PasswordDisabled, ""},
		{"*", model.PasswordDisabled, ""},
		{"!*", model.PasswordDisabled, ""}, // systemd-sysusers
		{"x", model.PasswordDisabled, ""},
		{"NP", model.PasswordDisabled, ""},
		{"*LK*", model.PasswordDisabled, ""},
		{"!locked", model.PasswordDisabled, ""},
		// Locked with the hash kept (passwd -l, usermod -L, RHEL "!!").
		{"!$y$j9T$sJf1fQjlJdSFd73aTURK/.$2yEoL//yO10kDUeO1Cp7AIdv0OncfZuAnm9Z5.j6xo5", model.PasswordLocked, "yescrypt"},
		{"!!$6$oJIBdkJcMimdG5Y0$irAKbz2D40HKIxwVfsJ75kYcZ1ayG0fHNGXiWqoB0hIBFGCLCAAEdcf4h4EdTSrV8.ohecHJydKWKuDG463/m/", model.PasswordLocked, "sha512crypt"},
		{"*$1$QchHQHRO$GSVSLNNdtuyvwCvlawRbL1", model.PasswordLocked, "md5crypt"},
		{"!pwywZf9Dxm.Qk", model.PasswordLocked, "descrypt"},
		// Set, per scheme (mkpasswd -m <method>).
		{"$y$j9T$sJf1fQjlJdSFd73aTURK/.$2yEoL//yO10kDUeO1Cp7AIdv0OncfZuAnm9Z5.j6xo5", model.PasswordSet, "yescrypt"},
		{"$gy$j9T$vsndQdMShWMQxXdcGxerY0$bnDN/KUbN0R6OVtSqxC/54tBirkkDVSF4ELLifHwgrD", model.PasswordSet, "gost-yescrypt"},
		{"$7$CU..../....9LtV.OgORSiDQDvHaf8UH/$GcKmqfFGNK9BPoinhm/kdu3jPMKt7JiAgumJ/wc0ix9", model.PasswordSet, "scrypt"},
		{"$2b$10$QkyK.YVf0dngXm1Hr1urtO4QZog8tqn6J4R3cjKOBAsEurIaDkPhS", model.PasswordSet, "bcrypt"},
		{"$2y$10$QkyK.YVf0dngXm1Hr1urtO4QZog8tqn6J4R3cjKOBAsEurIaDkPhS", model.PasswordSet, "bcrypt"},
		{"$6$rounds=65536$tD/aITyDihPDtVws$08f245Y8aPCSaFTsWWoF/VTsRjzMPFdcij4zliTd3mKDzyyPJLjlQxAVFjqVwLnN/dJb284hOhtvxR9SgLz5z/", model.PasswordSet, "sha512crypt"},
		{"$5$6bKrivKMq.iE48wx$rzSXeCwp2ZdaNGpwLVQllKCaNKBBYtGeQRE7uMr6fH6", model.PasswordSet, "sha256crypt"},
		{"$1$QchHQHRO$GSVSLNNdtuyvwCvlawRbL1", model.PasswordSet, "md5crypt"},
		{"$apr1$C2R3O5JX$plsbTDLczo83TPSUpQzEm0", model.PasswordSet, "apr1"},
		{"$md5,rounds=78517$z.bog23p$$v6ofnBtCzbJAlSeHnCdeV0", model.PasswordSet, "sunmd5"},
		{"$3$$a562bf7118928a2659617c48e86e0685", model.PasswordSet, "nt"},
		{"_J9..pv0RvZwPEva1LPA", model.PasswordSet, "bsdicrypt"},
		{"pwywZf9Dxm.Qk", model.PasswordSet, "descrypt"},
		{"$9$something", model.PasswordSet, "unknown"},
		// Almost DES, but not: 12 or 14 characters, or a bad character.
		{"pwywZf9Dxm.Q", model.PasswordDisabled, ""},
		{"pwywZf9Dxm.Qkk", model.PasswordDisabled, ""},
		{"pwywZf9Dxm:Qk", model.PasswordDisabled, ""},
	}
	for _, tt := range tests {
		state, scheme := ClassifyPassword(tt.field)
		if state != tt.state || scheme != tt.scheme {
			t.Errorf("ClassifyPassword(%.16q) = %s/%q, want %s/%q", tt.field, state, scheme, tt.state, tt.scheme)
		}
	}
}
