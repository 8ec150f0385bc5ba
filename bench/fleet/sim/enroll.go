package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ward-sec/ward/internal/enroll"
	"github.com/ward-sec/ward/internal/pki"
)

// enrolled is one agent's identity: credentials from the cache or from a
// fresh enrollment.
type enrolled struct {
	host     host
	creds    *pki.AgentCredentials
	natsURLs []string
}

// cacheInfo is DIR/<ca>/<index>/sim.json, next to the agent's key,
// certificate and CA.
type cacheInfo struct {
	AgentID  string   `json:"agent_id"`
	HostID   string   `json:"host_id"`
	NATSURLs []string `json:"nats_urls"`
}

const cacheInfoFile = "sim.json"

// cacheDir is where agent index keeps its credentials: under the CA the
// token pins, so a new server (new CA) gets new agents and a re-run against
// the same server reuses them.
func cacheDir(dir, caFingerprint string, index int) string {
	return filepath.Join(dir, caFingerprint[:16], strconv.Itoa(index))
}

// enrollAll enrolls (or loads) agents first..first+n-1 with a bounded
// pool of workers, in index order in the result.
func enrollAll(ctx context.Context, cfg config, st *stats) ([]*enrolled, error) {
	tok, err := enroll.ParseToken(cfg.token)
	if err != nil {
		return nil, err
	}
	out := make([]*enrolled, cfg.n)
	jobs := make(chan int)
	var (
		mu       sync.Mutex
		firstErr error
		failed   atomic.Int64
	)
	var wg sync.WaitGroup
	for range cfg.enrollWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				e, err := enrollOne(ctx, cfg, tok.CAFingerprint, cfg.first+i, st)
				if err != nil {
					failed.Add(1)
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					continue
				}
				out[i] = e
			}
		}()
	}
feed:
	for i := range cfg.n {
		mu.Lock()
		stop := firstErr != nil && cfg.failFast
		mu.Unlock()
		if stop {
			break
		}
		select {
		case jobs <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if firstErr != nil {
		return nil, fmt.Errorf("enrollment: %d of %d agents failed; first: %w", failed.Load(), cfg.n, firstErr)
	}
	return out, nil
}

func enrollOne(ctx context.Context, cfg config, caFP string, index int, st *stats) (*enrolled, error) {
	h := newHost(index)
	dir := cacheDir(cfg.dir, caFP, index)
	if e, err := loadCached(dir, h); err == nil {
		st.cached.Add(1)
		return e, nil
	}
	key, err := pki.LoadOrCreateAgentKey(dir)
	if err != nil {
		return nil, fmt.Errorf("agent %d: key: %w", index, err)
	}
	csr, err := pki.NewAgentCSR(key)
	if err != nil {
		return nil, fmt.Errorf("agent %d: CSR: %w", index, err)
	}
	facts := enroll.HostFacts{Hostname: h.hostname, MachineID: h.machineID, OS: "debian", Kernel: "6.1.0-21-amd64",
		IdentityKey: enroll.IdentityKey("", "", h.machineID)}
	labels := map[string]string{"bench": "fleet", "rack": "r" + strconv.Itoa(index%40)}
	var res *enroll.Result
	for attempt := 1; ; attempt++ {
		res, err = enroll.Enroll(ctx, cfg.server, cfg.token, csr, facts, labels)
		if err == nil {
			break
		}
		// A refused token will not get better; a busy server may.
		var se *enroll.ServerError
		if errors.As(err, &se) && se.Status < 500 || attempt == 5 || ctx.Err() != nil {
			return nil, fmt.Errorf("agent %d (%s): enroll: %w", index, h.hostname, err)
		}
		st.enrollRetries.Add(1)
		time.Sleep(time.Duration(attempt) * time.Second)
	}
	creds, err := pki.SaveAgentCredentials(dir, []byte(res.CertPEM), []byte(res.CAPEM))
	if err != nil {
		return nil, fmt.Errorf("agent %d: save credentials: %w", index, err)
	}
	info, _ := json.Marshal(cacheInfo{AgentID: res.AgentID, HostID: res.HostID, NATSURLs: res.NATSURLs})
	if err := os.WriteFile(filepath.Join(dir, cacheInfoFile), info, 0o600); err != nil {
		return nil, fmt.Errorf("agent %d: %w", index, err)
	}
	st.enrolled.Add(1)
	return &enrolled{host: h, creds: creds, natsURLs: res.NATSURLs}, nil
}

func loadCached(dir string, h host) (*enrolled, error) {
	data, err := os.ReadFile(filepath.Join(dir, cacheInfoFile))
	if err != nil {
		return nil, err
	}
	var info cacheInfo
	if err := json.Unmarshal(data, &info); err != nil {
		return nil, err
	}
	creds, err := pki.LoadAgentCredentials(dir)
	if err != nil {
		return nil, err
	}
	if creds.AgentID != info.AgentID || len(info.NATSURLs) == 0 {
		return nil, errors.New("cache does not match the certificate")
	}
	return &enrolled{host: h, creds: creds, natsURLs: info.NATSURLs}, nil
}
