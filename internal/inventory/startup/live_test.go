package startup

import (
	"bufio"
	"os"
	"strings"
	"testing"

	"github.com/ward-sec/ward/internal/rootfs"
)

// TestLiveCrontab checks the host's /etc/crontab, when there is one: every
// job line (found here with a deliberately simple rule) is reported, at its
// line number.
func TestLiveCrontab(t *testing.T) {
	f, err := os.Open("/etc/crontab")
	if err != nil {
		t.Skip("no /etc/crontab on this host")
	}
	defer f.Close()
	want := map[int]bool{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line != "" && strings.IndexByte("0123456789*@", line[0]) >= 0 {
			want[n] = true
		}
	}
	fsys, err := rootfs.Open("/")
	if err != nil {
		t.Fatal(err)
	}
	defer fsys.Close()
	items, _ := collectFS(t, fsys)
	got := map[int]bool{}
	for _, it := range items {
		if it.Path == "/etc/crontab" {
			got[it.Line] = true
			if it.User == "" || it.Command == "" || it.Schedule == "" {
				t.Errorf("incomplete item %+v", it)
			}
		}
	}
	if len(got) != len(want) {
		t.Errorf("reported %d jobs from /etc/crontab, file has %d job lines", len(got), len(want))
	}
	for n := range want {
		if !got[n] {
			t.Errorf("line %d of /etc/crontab not reported", n)
		}
	}
}

// TestLiveHost runs the whole collector on the host: it must not fail, and
// every item must name a path inside the root.
func TestLiveHost(t *testing.T) {
	fsys, err := rootfs.Open("/")
	if err != nil {
		t.Fatal(err)
	}
	defer fsys.Close()
	items, _ := collectFS(t, fsys)
	for _, it := range items {
		if !strings.HasPrefix(it.Path, "/") || it.Kind == "" {
			t.Errorf("bad item %+v", it)
		}
	}
	if _, err := os.Stat("/etc/cron.d/e2scrub_all"); err == nil {
		n := 0
		for _, it := range items {
			if it.Path == "/etc/cron.d/e2scrub_all" {
				n++
			}
		}
		if n == 0 {
			t.Error("/etc/cron.d/e2scrub_all present but no job reported")
		}
	}
}
