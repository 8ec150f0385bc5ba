package cli

import (
	"crypto/tls"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ward-sec/ward/internal/store"
)

// tlsServer serves a stub with the given certificate.
func tlsServer(t *testing.T, cert tls.Certificate) string {
	t.Helper()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"user":"impostor","role":"admin","token_id":1}`))
	}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are the point
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestTLSPinning(t *testing.T) {
	f := newFixture(t)
	evil := newTestCA(t, "Ward test CA") // same name, different key
	tok := f.tokens[store.RoleViewer]
	tests := []struct {
		name    string
		server  string
		trust   []string
		wantErr string // "" succeeds
	}{
		{"pinned CA", f.url, []string{"--ca-fingerprint", f.ca.fingerprint}, ""},
		{"wrong fingerprint", f.url, []string{"--ca-fingerprint", evil.fingerprint}, "does not include the CA with fingerprint " + evil.fingerprint},
		{"impostor presenting the real CA certificate", tlsServer(t, evil.serverCert(t, f.ca.cert)),
			[]string{"--ca-fingerprint", f.ca.fingerprint}, "does not verify against the pinned CA"},
		{"impostor with its own CA", tlsServer(t, evil.serverCert(t, evil.cert)),
			[]string{"--ca-fingerprint", f.ca.fingerprint}, "does not include the CA"},
		{"server sending no CA", tlsServer(t, f.ca.serverCert(t)),
			[]string{"--ca-fingerprint", f.ca.fingerprint}, "does not include the CA"},
		{"CA file", f.url, []string{"--ca", f.ca.pemFile(t)}, ""},
		{"CA file and matching fingerprint", f.url, []string{"--ca", f.ca.pemFile(t), "--ca-fingerprint", f.ca.fingerprint}, ""},
		{"CA file and other fingerprint", f.url, []string{"--ca", f.ca.pemFile(t), "--ca-fingerprint", evil.fingerprint}, "does not hold the CA with fingerprint"},
		{"other CA file", f.url, []string{"--ca", evil.pemFile(t)}, "give --ca FILE or --ca-fingerprint HEX"},
		{"missing CA file", f.url, []string{"--ca", "/nonexistent/ca.pem"}, "--ca: open /nonexistent/ca.pem"},
		{"system roots only", f.url, nil, "cannot trust"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"whoami", "--server", tc.server, "--token", tok}, tc.trust...)
			code, out, errOut := runEnv(t, nil, args...)
			if tc.wantErr == "" {
				if code != 0 || !strings.Contains(out, "viewer-user") {
					t.Fatalf("exit %d: %s %s", code, out, errOut)
				}
				return
			}
			if code != 1 || !strings.Contains(errOut, tc.wantErr) || strings.Contains(out, "impostor") {
				t.Fatalf("exit %d, stdout %q, stderr %q; want failure with %q", code, out, errOut, tc.wantErr)
			}
		})
	}
}
