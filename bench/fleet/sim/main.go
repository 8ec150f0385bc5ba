// Command sim simulates a fleet of Ward agents for bench/fleet/run.sh:
// it enrolls N agents over HTTPS (each its own key, CSR and certificate;
// credentials cached in -dir so a re-run against the same server skips
// enrollment), opens one NATS connection per agent with its certificate,
// sends heartbeats every 30 s (jittered) and answers inventory tasks with
// task-status running, a full synthetic inventory, posture findings and
// task-status done, all through JetStream like the real agent.
//
//	sim -server https://127.0.0.1:8443 -token ward1.… -n 5000 -dir /tmp/sim [-first 0]
//
// It prints "READY <n>" on stdout once every agent is connected and a
// counters line every -stats-every (and on SIGUSR1) on stderr; it runs
// until SIGINT/SIGTERM.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"
)

type config struct {
	server, token, dir string
	n, first           int
	enrollWorkers      int
	connectWorkers     int
	taskWorkers        int
	heartbeat          time.Duration
	scanDelay          time.Duration
	ackTimeout         time.Duration
	statsEvery         time.Duration
	failFast           bool
}

func main() {
	var cfg config
	flag.StringVar(&cfg.server, "server", "", "Ward server URL, e.g. https://127.0.0.1:8443 (required)")
	flag.StringVar(&cfg.token, "token", os.Getenv("WARD_ENROLL_TOKEN"), "enrollment token ward1.… (or WARD_ENROLL_TOKEN)")
	flag.IntVar(&cfg.n, "n", 100, "number of agents this process simulates")
	flag.IntVar(&cfg.first, "first", 0, "index of the first agent (several processes take disjoint ranges)")
	flag.StringVar(&cfg.dir, "dir", "", "credential cache directory (required)")
	flag.IntVar(&cfg.enrollWorkers, "enroll-workers", 8, "concurrent enrollments")
	flag.IntVar(&cfg.connectWorkers, "connect-workers", 32, "concurrent NATS connects")
	flag.IntVar(&cfg.taskWorkers, "task-workers", 128, "concurrent task answers (each holds one inventory)")
	flag.DurationVar(&cfg.heartbeat, "heartbeat", 30*time.Second, "heartbeat interval (each wait jittered ±10%)")
	flag.DurationVar(&cfg.scanDelay, "scan-delay", 0, "simulated scan time before answering a task: uniform in [0, d)")
	flag.DurationVar(&cfg.ackTimeout, "ack-timeout", 60*time.Second, "how long to wait for a JetStream PubAck")
	flag.DurationVar(&cfg.statsEvery, "stats-every", 10*time.Second, "print counters this often on stderr")
	flag.BoolVar(&cfg.failFast, "fail-fast", true, "stop enrolling at the first failed enrollment")
	flag.Parse()
	lg := log.New(os.Stderr, fmt.Sprintf("sim[%d+%d] ", cfg.first, cfg.n), log.LstdFlags)
	if cfg.server == "" || cfg.token == "" || cfg.dir == "" || cfg.n < 1 || cfg.first < 0 {
		lg.Print("usage: sim -server URL -token TOKEN -n N -dir DIR [-first K]")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, cfg, lg); err != nil && !errors.Is(err, context.Canceled) {
		lg.Printf("failed: %v", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, cfg config, lg *log.Logger) error {
	if err := os.MkdirAll(cfg.dir, 0o700); err != nil {
		return fmt.Errorf("credential cache: %w", err)
	}
	st := &stats{logf: lg.Printf}
	s := &sim{cfg: cfg, pool: newPool(1), st: st, tasks: make(chan taskJob, 2*cfg.n+16)}
	lg.Printf("package pool: %d names, %d name/version pairs", len(s.pool.names), s.pool.pairs)

	t0 := time.Now()
	progress := ticker(ctx, cfg.statsEvery, func() {
		lg.Printf("enrolling: %d new, %d cached of %d", st.enrolled.Load(), st.cached.Load(), cfg.n)
	})
	ents, err := enrollAll(ctx, cfg, st)
	progress()
	if err != nil {
		return err
	}
	lg.Printf("enrolled %d agents (%d new, %d from cache, %d retries) in %s", cfg.n, st.enrolled.Load(), st.cached.Load(),
		st.enrollRetries.Load(), time.Since(t0).Round(time.Millisecond))

	for range cfg.taskWorkers {
		go s.taskWorker(ctx)
	}
	t1 := time.Now()
	progress = ticker(ctx, cfg.statsEvery, func() { lg.Printf("connecting: %d of %d", st.connected.Load(), cfg.n) })
	agents, err := s.connectAll(ctx, ents)
	progress()
	defer func() {
		for _, a := range agents {
			if a != nil {
				a.nc.Close()
			}
		}
	}()
	if err != nil {
		return err
	}
	lg.Printf("connected %d agents in %s", len(agents), time.Since(t1).Round(time.Millisecond))
	fmt.Printf("READY %d\n", len(agents))

	var wg sync.WaitGroup
	for _, a := range agents {
		wg.Add(1)
		go func() { defer wg.Done(); a.heartbeatLoop(ctx, cfg.heartbeat) }()
	}
	stopStats := ticker(ctx, cfg.statsEvery, func() { lg.Print(st.line()) })
	usr1 := make(chan os.Signal, 1)
	signal.Notify(usr1, syscall.SIGUSR1) // counters now (run.sh at the end)
	defer signal.Stop(usr1)
	for ctx.Err() == nil {
		select {
		case <-usr1:
			lg.Print(st.line())
		case <-ctx.Done():
		}
	}
	stopStats()
	wg.Wait()
	lg.Printf("stopping: %s", st.line())
	return nil
}

// connectAll connects every agent with a bounded number of concurrent
// handshakes; it fails when any agent cannot connect.
func (s *sim) connectAll(ctx context.Context, ents []*enrolled) ([]*agent, error) {
	agents := make([]*agent, len(ents))
	jobs := make(chan int)
	var (
		mu       sync.Mutex
		firstErr error
		failed   int
	)
	var wg sync.WaitGroup
	for range s.cfg.connectWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				a, err := s.connect(ctx, ents[i])
				if err != nil {
					mu.Lock()
					failed++
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					continue
				}
				agents[i] = a
			}
		}()
	}
	for i := range ents {
		if ctx.Err() != nil {
			break
		}
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return agents, err
	}
	if firstErr != nil {
		return agents, fmt.Errorf("connect: %d of %d agents failed; first: %w", failed, len(ents), firstErr)
	}
	return agents, nil
}

// ticker calls f every d until the returned stop is called or ctx ends.
func ticker(ctx context.Context, d time.Duration, f func()) (stop func()) {
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(d)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-done:
				return
			case <-t.C:
				f()
			}
		}
	}()
	var once sync.Once
	return func() { once.Do(func() { close(done) }) }
}
