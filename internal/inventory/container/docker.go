package container

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/ward-sec/ward/internal/inventory"
	"github.com/ward-sec/ward/internal/model"
)

// preferredAPI is the Engine API version Ward asks for. Daemons serve
// older versions too, within their [MinAPIVersion, ApiVersion] window;
// Docker 29 raised its minimum to 1.44, so the version is negotiated.
const preferredAPI = "1.41"

// Response caps: a list of thousands of containers is a few MB.
const (
	maxVersionBody = 64 << 10
	maxListBody    = 16 << 20
	maxInspectBody = 4 << 20
	maxContainers  = 5000
)

var errNotFound = errors.New("not found")

// dockerClient talks HTTP to the Engine API over its unix socket. It never
// uses a proxy from the environment and never follows redirects.
type dockerClient struct {
	http    *http.Client
	version string // negotiated API version, e.g. "1.41"
}

func newDockerClient(socket string, timeout time.Duration) *dockerClient {
	dialer := &net.Dialer{Timeout: timeout}
	tr := &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return dialer.DialContext(ctx, "unix", socket)
		},
		Proxy:                  nil,
		MaxIdleConns:           2,
		IdleConnTimeout:        10 * time.Second,
		ResponseHeaderTimeout:  timeout,
		MaxResponseHeaderBytes: 64 << 10,
		DisableCompression:     true,
	}
	return &dockerClient{http: &http.Client{
		Transport:     tr,
		Timeout:       timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

func (d *dockerClient) close() { d.http.CloseIdleConnections() }

// get fetches path (already escaped) and returns at most max bytes of body.
func (d *dockerClient) get(ctx context.Context, path string, max int64) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://docker"+path, nil)
	if err != nil {
		return nil, err
	}
	resp, err := d.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, max+1))
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", path, err)
	}
	if int64(len(body)) > max {
		return nil, fmt.Errorf("GET %s: response larger than %d bytes", path, max)
	}
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return nil, errNotFound
	case resp.StatusCode != http.StatusOK:
		return nil, fmt.Errorf("GET %s: %s: %s", path, resp.Status, daemonMessage(body))
	}
	return body, nil
}

// daemonMessage extracts {"message": "..."} from an error body.
func daemonMessage(body []byte) string {
	var m struct {
		Message string `json:"message"`
	}
	if json.Unmarshal(body, &m) == nil && m.Message != "" {
		return truncate(m.Message, 200)
	}
	return truncate(strings.TrimSpace(string(body)), 200)
}

// negotiate picks the API version from GET /version (unversioned path).
func (d *dockerClient) negotiate(ctx context.Context) error {
	body, err := d.get(ctx, "/version", maxVersionBody)
	if err != nil {
		return err
	}
	v, err := parseDockerVersion(body)
	if err != nil {
		return fmt.Errorf("GET /version: %w", err)
	}
	d.version = chooseAPIVersion(v.APIVersion, v.MinAPIVersion)
	return nil
}

// chooseAPIVersion returns preferredAPI when the daemon serves it, else the
// closest version it does serve. The result is rebuilt from numbers, so
// nothing the daemon sent reaches a request path verbatim.
func chooseAPIVersion(maxV, minV string) string {
	want := parseVersion(preferredAPI)
	if lo, ok := parseVersionOK(minV); ok && compareVersions(lo, want) > 0 {
		want = lo
	} else if hi, ok := parseVersionOK(maxV); ok && compareVersions(hi, want) < 0 {
		want = hi
	}
	return strconv.Itoa(want[0]) + "." + strconv.Itoa(want[1])
}

func compareVersions(a, b [2]int) int {
	if c := cmp.Compare(a[0], b[0]); c != 0 {
		return c
	}
	return cmp.Compare(a[1], b[1])
}

func parseVersion(s string) [2]int {
	v, _ := parseVersionOK(s)
	return v
}

// parseVersionOK parses "major.minor" with small non-negative numbers.
func parseVersionOK(s string) ([2]int, bool) {
	maj, min, _ := strings.Cut(s, ".")
	a, err1 := strconv.Atoi(maj)
	b, err2 := strconv.Atoi(min)
	if err1 != nil || err2 != nil || a < 0 || b < 0 || a > 99 || b > 999 {
		return [2]int{}, false
	}
	return [2]int{a, b}, true
}

// dockerContainers lists every container the daemon knows (running or
// not). A missing socket means no Docker; a daemon that does not answer is
// a warning.
func (c *Collector) dockerContainers(ctx context.Context, env *inventory.Env) []model.Container {
	sock := c.DockerSocket
	fi, err := os.Stat(sock)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		env.Warn(sock, err)
		return nil
	}
	if fi.Mode()&fs.ModeSocket == 0 {
		env.Warnf(sock, "not a unix socket (%s)", fi.Mode().Type())
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, c.dockerDeadline)
	defer cancel()
	d := newDockerClient(sock, c.requestTimeout)
	defer d.close()
	if err := d.negotiate(ctx); err != nil {
		env.Warnf(sock, "docker daemon not answering: %v", err)
		return nil
	}
	prefix := "/v" + d.version
	body, err := d.get(ctx, prefix+"/containers/json?all=1", c.listLimit)
	if err != nil {
		env.Warnf(sock, "list containers: %v", err)
		return nil
	}
	list, err := parseDockerList(body)
	body = nil
	if err != nil {
		env.Warnf(sock, "list containers: %v", err)
		return nil
	}
	if len(list) > maxContainers {
		env.Warnf(sock, "%d containers; only the first %d are recorded", len(list), maxContainers)
		list = list[:maxContainers]
	}
	out := make([]model.Container, 0, len(list))
	for _, s := range list {
		if !validID(s.ID) {
			env.Warnf(sock, "skipping container with malformed id %q", truncate(s.ID, 80))
			continue
		}
		if ctx.Err() != nil { // deadline: keep what the list said
			out = append(out, fromSummary(s))
			continue
		}
		body, err := d.get(ctx, prefix+"/containers/"+s.ID+"/json", maxInspectBody)
		if errors.Is(err, errNotFound) {
			continue // removed since the list call
		}
		if err != nil {
			env.Warnf(sock, "inspect %s: %v", shortID(s.ID), err)
			out = append(out, fromSummary(s))
			continue
		}
		ct, err := parseDockerInspect(body)
		if err != nil {
			env.Warnf(sock, "inspect %s: %v", shortID(s.ID), err)
			out = append(out, fromSummary(s))
			continue
		}
		if ct.ID != s.ID { // the daemon answered about something else
			env.Warnf(sock, "inspect %s returned container %s", shortID(s.ID), shortID(ct.ID))
			out = append(out, fromSummary(s))
			continue
		}
		if ct.Image == "" {
			ct.Image = s.Image
		}
		out = append(out, ct)
	}
	if ctx.Err() != nil && len(list) > 0 {
		env.Warnf(sock, "docker inspection stopped after %s; some containers carry only list data", c.dockerDeadline)
	}
	return out
}

func shortID(id string) string { return truncate(id, 12) }
