package services

import (
	"bufio"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Active state comes from the cgroup tree systemd keeps per unit rather than
// from systemctl: Ward must not depend on D-Bus or on PID 1 being systemd.
const (
	maxProcsBytes  = 4 << 20 // one cgroup.procs read
	maxCgroupDirs  = 256     // sub-cgroups looked at per unit
	maxCgroupDepth = 4
)

// cgroupTree is a systemd cgroup hierarchy on the host.
type cgroupTree struct {
	base string // host path holding system.slice
}

// findCgroupTree looks for systemd's hierarchy under root: the unified (v2)
// tree, the v2 tree of a hybrid setup, or the v1 name=systemd tree. It
// returns false when none exists (PID 1 is not systemd, or /sys is not the
// host's), so the caller leaves Active unknown instead of guessing.
func findCgroupTree(root string) (cgroupTree, bool) {
	if root == "" {
		return cgroupTree{}, false
	}
	for _, sub := range []string{"", "unified", "systemd"} {
		base := filepath.Join(root, sub)
		if st, err := os.Stat(filepath.Join(base, "system.slice")); err == nil && st.IsDir() {
			return cgroupTree{base: base}, true
		}
	}
	return cgroupTree{}, false
}

// slicePath expands "a-b.slice" into its cgroup path "a.slice/a-b.slice".
func slicePath(slice string) string {
	stem := strings.TrimSuffix(slice, ".slice")
	if stem == "" || stem == "-" || stem == slice {
		return ""
	}
	var parts []string
	for i := 0; i < len(stem); i++ {
		if stem[i] == '-' && i > 0 {
			parts = append(parts, stem[:i]+".slice")
		}
	}
	return filepath.Join(append(parts, slice)...)
}

// unitCgroup is the cgroup path of a service relative to the tree's base:
// Slice= if set, else system.slice, with template instances grouped under
// "system-<template>.slice" as systemd does.
func unitCgroup(name, slice string) string {
	if !strings.HasSuffix(slice, ".slice") || !isUnitName(slice) || strings.ContainsAny(slice, "/\x00") {
		slice = "" // Slice= comes from the unit file: never let it steer the path
	}
	if slice == "" {
		slice = "system.slice"
		if prefix, inst, ok := SplitInstance(name); ok && inst != "" {
			slice = "system-" + strings.ReplaceAll(prefix, "-", `\x2d`) + ".slice"
		}
	}
	return filepath.Join(slicePath(slice), name)
}

// pids returns the number of processes in the unit's cgroup (sub-cgroups
// included) and the lowest pid.
func (t cgroupTree) pids(rel string) (count, lowest int) {
	dirs := 0
	var walk func(dir string, depth int)
	walk = func(dir string, depth int) {
		if dirs >= maxCgroupDirs {
			return
		}
		dirs++
		c, low := readProcs(filepath.Join(dir, "cgroup.procs"))
		count += c
		if c > 0 && (lowest == 0 || low < lowest) {
			lowest = low
		}
		if depth >= maxCgroupDepth {
			return
		}
		entries, err := os.ReadDir(dir)
		if err != nil {
			return
		}
		for _, e := range entries {
			if e.IsDir() {
				walk(filepath.Join(dir, e.Name()), depth+1)
			}
		}
	}
	dir := filepath.Join(t.base, rel)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return 0, 0
	}
	walk(dir, 0)
	return count, lowest
}

// readProcs counts the pids listed in a cgroup.procs file.
func readProcs(p string) (count, lowest int) {
	f, err := os.Open(p)
	if err != nil {
		return 0, 0
	}
	defer f.Close()
	c, low := ParseCgroupProcs(io.LimitReader(f, maxProcsBytes))
	return c, low
}

// ParseCgroupProcs counts the pids in cgroup.procs content and returns the
// lowest; malformed lines are ignored.
func ParseCgroupProcs(r io.Reader) (count, lowest int) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		pid, err := strconv.Atoi(strings.TrimSpace(sc.Text()))
		if err != nil || pid <= 0 {
			continue
		}
		count++
		if lowest == 0 || pid < lowest {
			lowest = pid
		}
	}
	return count, lowest
}
