package main

import (
	"context"
	"errors"
	"net/http"
	"sync"

	"github.com/ward-sec/ward/internal/api"
	"github.com/ward-sec/ward/internal/server"
	"github.com/ward-sec/ward/internal/store"
)

// serverPart is what a capability adds to a running `ward server`.
type serverPart struct {
	// OnApplied is told of each ingest commit's applied results (on the
	// ingest loop: hand slow work to a goroutine).
	OnApplied func(ctx context.Context, applied []store.Message)
	// API sets the capability's API options.
	API func(o *api.Options)
	// Close stops it when the server stops.
	Close func()
}

// maxEarly bounds the results buffered before the capabilities start.
const maxEarly = 10000

// serverParts starts every capability's server part when the server
// mounts its API (the store is open then) and forwards ingest results to
// them; results applied before that are held and handed over at start.
type serverParts struct {
	ctx     context.Context
	dataDir string

	mu      sync.Mutex
	started bool
	parts   []*serverPart
	early   []store.Message
}

func newServerParts(ctx context.Context, dataDir string) *serverParts {
	return &serverParts{ctx: ctx, dataDir: dataDir}
}

// apiHandler is the server's APIHandler: it starts the parts, then mounts
// the API with their options.
func (p *serverParts) apiHandler(s *server.Server) (http.Handler, error) {
	var parts []*serverPart
	for _, c := range capabilities {
		if c.Server == nil {
			continue
		}
		part, err := c.Server(p.ctx, s, p.dataDir)
		if err != nil {
			for _, q := range parts {
				if q.Close != nil {
					q.Close()
				}
			}
			return nil, errors.Join(errors.New(c.Name+": server part"), err)
		}
		parts = append(parts, part)
	}
	p.mu.Lock()
	p.parts, p.started = parts, true
	early := p.early
	p.early = nil
	p.mu.Unlock()
	if len(early) > 0 {
		p.onApplied(p.ctx, early)
	}
	var opts []func(*api.Options)
	for _, q := range parts {
		if q.API != nil {
			opts = append(opts, q.API)
		}
	}
	return apiHandlerWith(s, opts...)
}

// onApplied is the server's OnApplied hook.
func (p *serverParts) onApplied(ctx context.Context, applied []store.Message) {
	p.mu.Lock()
	if !p.started {
		for _, m := range applied {
			if len(p.early) < maxEarly {
				p.early = append(p.early, m)
			}
		}
		p.mu.Unlock()
		return
	}
	parts := p.parts
	p.mu.Unlock()
	for _, q := range parts {
		if q.OnApplied != nil {
			q.OnApplied(ctx, applied)
		}
	}
}

func (p *serverParts) close() {
	p.mu.Lock()
	parts := p.parts
	p.parts = nil
	p.mu.Unlock()
	for _, q := range parts {
		if q.Close != nil {
			q.Close()
		}
	}
}
