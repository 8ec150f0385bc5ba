package db

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Public feeds `ward vulndb update` downloads by default.
const (
	DefaultOSVBase    = "https://osv-vulnerabilities.storage.googleapis.com"
	DefaultTrackerURL = "https://security-tracker.debian.org/tracker/data/json"
)

// DefaultEcosystems are the osv.dev ecosystems Ward has inventories for.
var DefaultEcosystems = []string{"Debian", "Ubuntu", "Alpine", "Red Hat", "Rocky Linux", "AlmaLinux", "Maven", "PyPI", "npm", "Go", "crates.io"}

// maxDownload caps one feed file (npm's all.zip is the largest, a few
// hundred MB).
const maxDownload = 4 << 30

// UpdateOptions select what Update downloads.
type UpdateOptions struct {
	// OSVBase is the base URL of the per-ecosystem archives
	// (BASE/<Ecosystem>/all.zip); DefaultOSVBase if empty.
	OSVBase string
	// Ecosystems to download; DefaultEcosystems if nil.
	Ecosystems []string
	// TrackerURL is the Debian tracker JSON dump; DefaultTrackerURL if
	// empty, "-" to skip it.
	TrackerURL string
	// Client does the downloads (a 30-minute timeout client if nil).
	Client *http.Client
	// TempDir holds the downloads until they are imported.
	TempDir string
	// Progress, if set, is told about each download.
	Progress func(msg string)
}

// Update downloads the feeds and imports them in one transaction: if any
// download fails nothing is applied.
func (d *DB) Update(ctx context.Context, o UpdateOptions) (*ImportResult, error) {
	base := strings.TrimRight(o.OSVBase, "/")
	if base == "" {
		base = DefaultOSVBase
	}
	ecos := o.Ecosystems
	if ecos == nil {
		ecos = DefaultEcosystems
	}
	client := o.Client
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Minute}
	}
	tmp, err := os.MkdirTemp(o.TempDir, "ward-vulndb-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	var urls, files []string
	for i, eco := range ecos {
		urls = append(urls, base+"/"+url.PathEscape(eco)+"/all.zip")
		files = append(files, filepath.Join(tmp, fmt.Sprintf("%02d-%s.zip", i, strings.ReplaceAll(eco, " ", "_"))))
	}
	tracker := o.TrackerURL
	if tracker == "" {
		tracker = DefaultTrackerURL
	}
	if tracker != "-" {
		urls = append(urls, tracker)
		files = append(files, filepath.Join(tmp, "debian-tracker.json"))
	}
	for i, u := range urls {
		if o.Progress != nil {
			o.Progress("downloading " + u)
		}
		if err := download(ctx, client, u, files[i]); err != nil {
			return nil, fmt.Errorf("update: %w (nothing imported)", err)
		}
	}
	if o.Progress != nil {
		o.Progress(fmt.Sprintf("importing %d feeds", len(files)))
	}
	return d.ImportAs(ctx, urls, files...)
}

func download(ctx context.Context, c *http.Client, u, dst string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	req.Header.Set("User-Agent", "ward-vulndb")
	resp, err := c.Do(req)
	if err != nil {
		return fmt.Errorf("%s: %w", u, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: HTTP %s", u, resp.Status)
	}
	f, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	n, err := io.Copy(f, io.LimitReader(resp.Body, maxDownload+1))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("%s: %w", u, err)
	}
	if n > maxDownload {
		return fmt.Errorf("%s: larger than %d GB", u, maxDownload>>30)
	}
	if resp.ContentLength > 0 && n != resp.ContentLength {
		return fmt.Errorf("%s: truncated (%d of %d bytes)", u, n, resp.ContentLength)
	}
	return nil
}
