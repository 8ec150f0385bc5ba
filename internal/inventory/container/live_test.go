package container

import (
	"context"
	"os"
	"testing"

	"github.com/ward-sec/ward/internal/inventory"
	"github.com/ward-sec/ward/internal/rootfs"
)

// TestLiveDocker runs only where a Docker daemon is up on the default
// socket; it never installs or starts one.
func TestLiveDocker(t *testing.T) {
	fi, err := os.Stat("/var/run/docker.sock")
	if err != nil || fi.Mode()&os.ModeSocket == 0 {
		t.Skip("no Docker daemon socket on this machine")
	}
	fsys, err := rootfs.Open("/")
	if err != nil {
		t.Fatal(err)
	}
	defer fsys.Close()
	env, warns := inventory.TestEnv(fsys, "live/containers")
	inv, err := New().Collect(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range *warns {
		if w.Path == "/var/run/docker.sock" {
			t.Errorf("daemon present but: %s", w.Message)
		}
	}
	for _, c := range inv.Containers {
		if c.Runtime == "docker" && (!validID(c.ID) || c.State == "") {
			t.Errorf("incomplete docker record %+v", c)
		}
	}
	t.Logf("%d containers", len(inv.Containers))
}
