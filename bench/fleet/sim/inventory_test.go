package main

import (
	"encoding/json"
	"testing"

	"github.com/ward-sec/ward/internal/baseline"
	"time"
)

// TestInventoryShape: the synthetic host has the advertised shape, stays
// under the bus limit, and hosts share most packages.
func TestInventoryShape(t *testing.T) {
	p := newPool(1)
	if p.pairs < 2500 || p.pairs > 3500 {
		t.Fatalf("pool has %d name/version pairs, want ~3000", p.pairs)
	}
	now := time.Now()
	a := p.inventory(newHost(1), 1, now)
	b := p.inventory(newHost(2), 1, now)
	if len(a.Packages) != hostPackages || len(a.Processes) != hostProcesses || len(a.Sockets) != hostSockets || len(a.Users) != hostUsers {
		t.Fatalf("shape: %d packages, %d processes, %d sockets, %d users", len(a.Packages), len(a.Processes), len(a.Sockets), len(a.Users))
	}
	if a.Host.Hostname == b.Host.Hostname || a.Host.MachineID == b.Host.MachineID {
		t.Fatal("two hosts share a hostname or machine id")
	}
	seen := map[string]bool{}
	for _, pk := range a.Packages {
		k := pk.Name + "@" + pk.Version
		if seen[pk.Name] {
			t.Fatalf("package %s twice", pk.Name)
		}
		seen[pk.Name], seen[k] = true, true
	}
	common := 0
	for _, pk := range b.Packages {
		if seen[pk.Name+"@"+pk.Version] {
			common++
		}
	}
	if common < hostPackages/2 {
		t.Fatalf("hosts share only %d of %d packages", common, hostPackages)
	}
	again := p.inventory(newHost(1), 2, now.Add(time.Hour))
	for i := range a.Packages {
		if a.Packages[i].Name != again.Packages[i].Name || a.Packages[i].Version != again.Packages[i].Version {
			t.Fatalf("host 1's packages changed between scans at %d", i)
		}
	}
	fs := findings(a, newHost(1), 1)
	if len(fs) != hostFindings {
		t.Fatalf("%d findings, want %d", len(fs), hostFindings)
	}
	data, _ := json.Marshal(a)
	if len(data) > 4<<20 {
		t.Fatalf("inventory is %d bytes", len(data))
	}
	fd, _ := json.Marshal(fs)
	t.Logf("inventory %d bytes (%d KiB), findings %d bytes, %d packages in common", len(data), len(data)>>10, len(fd), common)
}

// A baseline run has the synthetic policy's checks, a realistic mix, and
// fits a message with room to spare.
func TestBaselineReport(t *testing.T) {
	msgs, fs, err := baselineReport(newHost(7), 1)
	if err != nil || len(msgs) != 1 {
		t.Fatal(len(msgs), err)
	}
	data := msgs[0]
	var rep baseline.Report
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	p := rep.Policies[0]
	if len(p.Checks) != simPolicyChecks || p.Counts[baseline.Fail]+p.Counts[baseline.Error] != len(fs) || len(fs) < 30 || len(fs) > 90 {
		t.Fatalf("%d checks, counts %v, %d findings", len(p.Checks), p.Counts, len(fs))
	}
	if len(data) > 200<<10 {
		t.Fatalf("report %d bytes", len(data))
	}
	t.Logf("report %d bytes, counts %v, score %.1f", len(data), p.Counts, p.Score)
}
