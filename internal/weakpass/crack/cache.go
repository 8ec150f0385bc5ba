package crack

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"time"
)

// The result cache maps a fingerprint of (hash, candidate plan) to the
// outcome, so an unchanged hash is not cracked again while the lists
// are the same. It never holds a password or a hash: keys are SHA-256
// fingerprints, values the status, reason class and count. A cracked
// entry therefore returns no Password.

const (
	cacheFile       = "crack-cache.json"
	cacheMaxEntries = 20000
)

type cacheEntry struct {
	Status Status    `json:"status"`
	Reason string    `json:"reason,omitempty"`
	Tried  int       `json:"tried"`
	At     time.Time `json:"at"`
}

type resultCache struct {
	path    string
	entries map[string]cacheEntry
	dirty   bool
}

func openCache(dir string) *resultCache {
	c := &resultCache{path: filepath.Join(dir, cacheFile), entries: map[string]cacheEntry{}}
	if b, err := os.ReadFile(c.path); err == nil {
		// A damaged cache is ignored and rewritten: it only saves time.
		if json.Unmarshal(b, &c.entries) != nil {
			c.entries = map[string]cacheEntry{}
		}
	}
	return c
}

func (c *resultCache) get(key string) *cacheEntry {
	e, ok := c.entries[key]
	if !ok || (e.Status != Cracked && e.Status != NotCracked) {
		return nil
	}
	return &e
}

func (c *resultCache) put(key string, e cacheEntry) {
	e.At = time.Now().UTC()
	c.entries[key] = e
	c.dirty = true
}

func (c *resultCache) save() error {
	if !c.dirty {
		return nil
	}
	if len(c.entries) > cacheMaxEntries {
		keys := make([]string, 0, len(c.entries))
		for k := range c.entries {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(a, b int) bool { return c.entries[keys[a]].At.Before(c.entries[keys[b]].At) })
		for _, k := range keys[:len(keys)-cacheMaxEntries] {
			delete(c.entries, k)
		}
	}
	b, err := json.Marshal(c.entries)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(c.path), 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(c.path), ".crack-cache-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), c.path)
}
