package cli

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/ward-sec/ward/internal/api/wire"
)

// apiPrefix is where the server's API lives.
const apiPrefix = "/api/v1"

// client talks to one server's API.
type client struct {
	base  string // scheme://host[:port][/prefix], no trailing slash
	token string
	http  *http.Client
}

// apiError is an error answer of the server.
type apiError struct {
	Method, Path string
	Status       int
	Msg, Field   string
}

func (e *apiError) Error() string {
	s := fmt.Sprintf("%s %s: %d %s", e.Method, e.Path, e.Status, http.StatusText(e.Status))
	if e.Msg != "" {
		s += ": " + e.Msg
	}
	if e.Field != "" {
		s += " (field " + e.Field + ")"
	}
	return s
}

// client connects to the server the flags and environment name.
func (a *app) client() (*client, error) {
	server := a.server
	if server == "" {
		server = a.getenv("WARD_SERVER")
	}
	if server == "" {
		return nil, usageErr("no server: give --server https://HOST:8443 or set WARD_SERVER")
	}
	token := a.token
	if token == "" {
		token = a.getenv("WARD_TOKEN")
	}
	if token == "" {
		return nil, usageErr("no API token: give --token or set WARD_TOKEN")
	}
	u, err := serverURL(server)
	if err != nil {
		return nil, usageErr("--server: %v", err)
	}
	timeout, err := time.ParseDuration(a.timeout)
	if err != nil || timeout <= 0 {
		return nil, usageErr("--timeout: want a positive duration like 30s, got %q", a.timeout)
	}
	tr, err := a.trustSettings()
	if err != nil {
		return nil, err
	}
	cfg, err := tr.tlsConfig(u.Hostname())
	if err != nil {
		return nil, err
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.TLSClientConfig = cfg
	transport.Proxy = http.ProxyFromEnvironment
	return &client{base: strings.TrimSuffix(u.String(), "/"), token: token,
		http: &http.Client{Transport: transport, Timeout: timeout}}, nil
}

// serverURL parses --server: https by default; plain http only to a
// loopback address, since the token travels in every request.
func serverURL(s string) (*url.URL, error) {
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil {
		return nil, err
	}
	switch {
	case u.Host == "":
		return nil, fmt.Errorf("%q has no host", s)
	case u.Scheme == "http" && !loopback(u.Hostname()):
		return nil, fmt.Errorf("refusing to send the API token over plain http to %s; use https", u.Host)
	case u.Scheme != "https" && u.Scheme != "http":
		return nil, fmt.Errorf("%q: want an https:// URL", s)
	}
	u.Path = strings.TrimSuffix(strings.TrimSuffix(u.Path, "/"), apiPrefix)
	u.RawQuery, u.Fragment, u.User = "", "", nil
	return u, nil
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// do sends a request to the API path (after /api/v1) and decodes a 2xx
// answer into out (when not nil). It returns the answer's body.
func (c *client) do(ctx context.Context, method, path string, query url.Values, body, out any) ([]byte, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		rd = bytes.NewReader(b)
	}
	target := c.base + apiPrefix + path
	if len(query) > 0 {
		target += "?" + query.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, method, target, rd)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, transportError(c.base, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 256<<20))
	if err != nil {
		return nil, fmt.Errorf("%s %s: reading the answer: %w", method, apiPrefix+path, err)
	}
	if resp.StatusCode >= 300 {
		e := &apiError{Method: method, Path: apiPrefix + path, Status: resp.StatusCode}
		var body wire.Error
		if json.Unmarshal(raw, &body) == nil && body.Error != "" {
			e.Msg, e.Field = body.Error, body.Field
		} else {
			e.Msg = strings.TrimSpace(string(raw))
			if len(e.Msg) > 200 {
				e.Msg = e.Msg[:200] + "…"
			}
		}
		return nil, e
	}
	if out != nil && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			return nil, fmt.Errorf("%s %s: unexpected answer: %w", method, apiPrefix+path, err)
		}
	}
	return raw, nil
}

// transportError explains a failure to talk to the server at all.
func transportError(server string, err error) error {
	var unknownCA x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	switch {
	case errors.Is(err, errPin):
		return fmt.Errorf("cannot trust %s: %w", server, unwrapURL(err))
	case errors.As(err, &unknownCA), errors.As(err, &hostErr):
		return fmt.Errorf("cannot trust %s: %v; give --ca FILE or --ca-fingerprint HEX (printed by `ward server` at first start)", server, unwrapURL(err))
	}
	return fmt.Errorf("cannot reach %s: %w", server, unwrapURL(err))
}

// unwrapURL drops net/http's `Get "https://…": ` wrapper, which repeats
// what the message already says.
func unwrapURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
