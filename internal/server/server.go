// Package server is `ward server`: it owns the store, the PKI, the
// embedded NATS server, the HTTPS endpoints (enrollment and the API), the
// ingest workers and task dispatch. See docs/fleet.md.
package server

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/ward-sec/ward/internal/enroll"
	"github.com/ward-sec/ward/internal/pki"
	"github.com/ward-sec/ward/internal/store"
	"github.com/ward-sec/ward/internal/transport"
)

// Config of one server process.
type Config struct {
	DataDir string // PKI, SQLite database and JetStream storage
	DB      string // store DSN; default SQLite in DataDir
	// Listen is the HTTPS address (enrollment + API); NATSListen the
	// agents' NATS address. Port 0 picks a free port.
	Listen     string
	NATSListen string
	// Advertise is the host name or address agents use to reach this
	// server (added to the certificate and the NATS URL handed out).
	Advertise string
	SANs      []string
	Logger    *slog.Logger
	// APIHandler, when set, serves /api/v1/ (everything but enrollment).
	APIHandler func(s *Server) (http.Handler, error)
	// OnApplied, when set, is called after each ingest commit with the
	// results that were applied (e.g. to match new inventories against
	// the advisory database). It runs on the ingest loop: hand slow work
	// to a goroutine.
	OnApplied func(ctx context.Context, applied []store.Message)

	// NATSURL, when set, is the operator's NATS cluster (comma-separated
	// URLs) instead of the embedded server. The cluster must carry
	// transport.CalloutConfigSnippet (ward server --print-nats-config):
	// the server connects as its auth user (nkey in DataDir/pki) with its
	// Ward client certificate and answers the auth callout, which gives
	// each agent the same permissions as in embedded mode.
	NATSURL string
	// AgentNATSURL, when set, is the NATS URL handed to enrolling agents
	// (default: NATSURL, or the embedded server's advertised address).
	AgentNATSURL string
	// BaselineHistory is how many baseline runs the history keeps per
	// host and policy (0: store.DefaultBaselineHistory; < 0: all).
	BaselineHistory int
}

// Server is a running ward server.
type Server struct {
	cfg   Config
	log   *slog.Logger
	Store *store.Store
	PKI   *pki.ServerPKI
	nats  *transport.EmbeddedServer // nil in external mode
	nc    *nats.Conn
	js    jetstream.JetStream
	http  *http.Server
	ln    net.Listener

	// callout answers the external cluster's auth callout (nil embedded).
	callout *transport.CalloutService

	agentHosts sync.Map // agent id (credential) → host id, cache for ingest
	sentRuns   sync.Map // run id → time.Time it was last sent to an agent
	// secretParams: task id → json.RawMessage, the params never stored
	// (KeepSecretParams).
	secretParams sync.Map
	// lastHeartbeat: agent id → time.Time of its last heartbeat here.
	lastHeartbeat sync.Map
	cancel        context.CancelFunc
	wg            sync.WaitGroup
}

// Start opens everything and begins serving. Close stops it.
func Start(ctx context.Context, cfg Config) (*Server, error) {
	s := &Server{cfg: cfg, log: cfg.Logger}
	if s.log == nil {
		s.log = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	if err := s.start(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func (s *Server) start(ctx context.Context) error {
	cfg := s.cfg
	if cfg.DataDir == "" {
		return errors.New("server: a data directory is required")
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return fmt.Errorf("server: data directory: %w", err)
	}
	dsn := cfg.DB
	if dsn == "" {
		dsn = "sqlite://" + filepath.Join(cfg.DataDir, "ward.db")
	}
	opts := []store.Option{store.WithLogger(s.log)}
	if cfg.BaselineHistory != 0 {
		opts = append(opts, store.WithBaselineHistory(cfg.BaselineHistory))
	}
	st, err := store.Open(ctx, dsn, opts...)
	if err != nil {
		return err
	}
	s.Store = st
	hosts := pki.ServerHosts(append([]string{cfg.Advertise}, cfg.SANs...)...)
	s.PKI, err = pki.LoadOrCreateServer(filepath.Join(cfg.DataDir, "pki"), nonEmpty(hosts))
	if err != nil {
		return err
	}

	if cfg.NATSURL != "" {
		err = s.connectExternalNATS()
	} else {
		err = s.startEmbeddedNATS()
	}
	if err != nil {
		return err
	}
	s.js, err = jetstream.New(s.nc)
	if err != nil {
		return err
	}
	if err := transport.EnsureStreams(ctx, s.js); err != nil {
		return err
	}
	cons, err := transport.EnsureIngestConsumer(ctx, s.js)
	if err != nil {
		return err
	}

	runCtx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	s.wg.Add(1)
	go func() { defer s.wg.Done(); s.ingestLoop(runCtx, cons) }()
	if _, err := s.nc.Subscribe(transport.AllHeartbeats, func(m *nats.Msg) { s.onHeartbeat(runCtx, m) }); err != nil {
		return fmt.Errorf("server: subscribe heartbeats: %w", err)
	}
	s.wg.Add(1)
	go func() { defer s.wg.Done(); s.scheduler().run(runCtx) }()

	return s.startHTTP()
}

// startEmbeddedNATS runs NATS in this process and connects to it.
func (s *Server) startEmbeddedNATS() error {
	natsHost, natsPort, err := splitHostPort(s.cfg.NATSListen, "0.0.0.0", 4443)
	if err != nil {
		return fmt.Errorf("server: --nats-listen: %w", err)
	}
	s.nats, err = transport.NewEmbeddedServer(transport.EmbeddedConfig{
		Host: natsHost, Port: natsPort, StoreDir: filepath.Join(s.cfg.DataDir, "jetstream"),
		ServerCert: s.PKI.ServerCert, ClientCAs: s.PKI.CA.Pool(), Revocations: revocations{s.Store},
		ServerName: "ward", Logger: s.log.With("component", "nats"),
	})
	if err != nil {
		return err
	}
	if err := s.nats.Start(); err != nil {
		return err
	}
	clientCert, err := s.PKI.CA.IssueServerClientCert("ward", pki.ServerClientCertValidity)
	if err != nil {
		return err
	}
	s.nc, err = transport.ConnectServer([]string{s.nats.ClientURL()}, clientCert, s.PKI.CA.Pool())
	return err
}

// externalAgentSession bounds an agent's connection to an external
// cluster: Ward cannot close connections there, so a revocation takes
// effect when the agent next comes through the callout.
const externalAgentSession = time.Hour

// connectExternalNATS connects to the operator's cluster as its auth user
// and starts answering the auth callout; until then the cluster admits
// no agent.
func (s *Server) connectExternalNATS() error {
	keys, err := transport.LoadOrCreateCalloutKeys(filepath.Join(s.cfg.DataDir, "pki"))
	if err != nil {
		return err
	}
	s.callout, err = transport.NewCalloutService(transport.CalloutConfig{
		Issuer: keys.Issuer, CAPool: s.PKI.CA.Pool(), Revocations: revocations{s.Store},
		MaxSession: externalAgentSession, Logger: s.log.With("component", "nats-callout"),
	})
	if err != nil {
		return err
	}
	clientCert, err := s.PKI.CA.IssueServerClientCert("ward", pki.ServerClientCertValidity)
	if err != nil {
		return err
	}
	s.nc, err = transport.ConnectServer(splitURLs(s.cfg.NATSURL), clientCert, s.PKI.CA.Pool(), keys.ServerUserOption())
	if err != nil {
		return fmt.Errorf("server: --nats-url: %w (is the cluster configured with ward server --print-nats-config?)", err)
	}
	return s.callout.Start(s.nc)
}

func (s *Server) startHTTP() error {
	enrollHandler, err := enroll.NewHandler(enroll.HandlerConfig{
		Store: enrollStore{s.Store}, CA: s.PKI.CA, NATSURLs: splitURLs(s.AgentNATSURL()),
		Audit: s.auditEnroll, Logger: s.log.With("component", "enroll"),
	})
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.Handle(enroll.Path, enrollHandler)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("ok\n")) })
	if s.cfg.APIHandler != nil {
		api, err := s.cfg.APIHandler(s)
		if err != nil {
			return err
		}
		mux.Handle("/api/v1/", api)
	}
	listen := s.cfg.Listen
	if listen == "" {
		listen = "0.0.0.0:8443"
	}
	s.ln, err = net.Listen("tcp", listen)
	if err != nil {
		return fmt.Errorf("server: listen %s: %w", listen, err)
	}
	s.http = &http.Server{
		Handler:           mux,
		TLSConfig:         &tls.Config{Certificates: []tls.Certificate{s.PKI.ServerCert}, MinVersion: tls.VersionTLS12},
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		if err := s.http.ServeTLS(s.ln, "", ""); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("https server stopped", "err", err)
		}
	}()
	return nil
}

// URL is the HTTPS base URL agents and the CLI use.
func (s *Server) URL() string {
	_, port, _ := net.SplitHostPort(s.ln.Addr().String())
	return "https://" + net.JoinHostPort(s.advertise(), port)
}

// AgentNATSURL is the NATS URL handed to enrolling agents (possibly
// several, comma-separated).
func (s *Server) AgentNATSURL() string {
	switch {
	case s.cfg.AgentNATSURL != "":
		return s.cfg.AgentNATSURL
	case s.nats == nil:
		return s.cfg.NATSURL
	}
	u := s.nats.ClientURL() // tls://host:port as bound
	_, port, err := net.SplitHostPort(trimScheme(u))
	if err != nil {
		return u
	}
	return "tls://" + net.JoinHostPort(s.advertise(), port)
}

func (s *Server) advertise() string {
	if s.cfg.Advertise != "" {
		return s.cfg.Advertise
	}
	return "127.0.0.1"
}

// Logger is the server's logger.
func (s *Server) Logger() *slog.Logger { return s.log }

// CAFingerprint pins this server in enrollment tokens and the CLI.
func (s *Server) CAFingerprint() string { return s.PKI.CA.Fingerprint() }

// CutOff closes a revoked agent's live NATS connections (the store already
// says it is revoked, so it cannot reconnect).
func (s *Server) CutOff(credentialID string) {
	if err := s.revokeOnBus(credentialID); err != nil {
		s.log.Warn("disconnect revoked agent", "agent", credentialID, "err", err)
	}
	s.agentHosts.Delete(credentialID)
}

// RevokeAgent marks the agent revoked and cuts its live connections.
func (s *Server) RevokeAgent(ctx context.Context, credentialID string) error {
	a, err := s.Store.AgentByCredential(ctx, credentialID)
	if err != nil && !errors.Is(err, store.ErrRevoked) {
		return err
	}
	if err := s.Store.RevokeAgent(ctx, a.ID); err != nil {
		return err
	}
	return s.revokeOnBus(credentialID)
}

// revokeOnBus refuses the agent on NATS at once. Embedded, its live
// connections are closed too; on an external cluster they end with their
// session (externalAgentSession).
func (s *Server) revokeOnBus(credentialID string) error {
	if s.callout != nil {
		return s.callout.Revoke(credentialID)
	}
	_, err := s.nats.Revoke(credentialID)
	return err
}

// Close stops serving and releases everything (safe on a partly started server).
func (s *Server) Close() {
	if s.http != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		s.http.Shutdown(ctx)
		cancel()
	}
	if s.cancel != nil {
		s.cancel()
	}
	s.wg.Wait()
	if s.callout != nil {
		s.callout.Stop()
	}
	if s.nc != nil {
		s.nc.Drain()
		s.nc.Close()
	}
	if s.nats != nil {
		s.nats.Shutdown()
	}
	if s.Store != nil {
		s.Store.Close()
	}
}

func (s *Server) auditEnroll(ctx context.Context, ev enroll.AuditEvent) {
	details, _ := json.Marshal(map[string]any{"remote": ev.RemoteAddr, "hostname": ev.Hostname, "host_id": ev.HostID, "status": ev.Status, "reason": ev.Reason})
	if _, err := s.Store.AppendAudit(ctx, store.AuditEntry{Actor: "enroll", Action: "agent.enroll." + ev.Outcome, Target: ev.AgentID, Details: details}); err != nil {
		s.log.Warn("audit enroll", "err", err)
	}
}

func splitHostPort(addr, defHost string, defPort int) (string, int, error) {
	if addr == "" {
		return defHost, defPort, nil
	}
	h, p, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, err
	}
	port, err := strconv.Atoi(p)
	if err != nil {
		return "", 0, fmt.Errorf("port %q: %w", p, err)
	}
	if h == "" {
		h = defHost
	}
	return h, port, nil
}

// splitURLs splits a comma-separated URL list, dropping blanks.
func splitURLs(list string) []string {
	var out []string
	for u := range strings.SplitSeq(list, ",") {
		if u = strings.TrimSpace(u); u != "" {
			out = append(out, u)
		}
	}
	return out
}

func trimScheme(u string) string {
	for _, p := range []string{"tls://", "nats://"} {
		if len(u) > len(p) && u[:len(p)] == p {
			return u[len(p):]
		}
	}
	return u
}

func nonEmpty(in []string) []string {
	var out []string
	for _, s := range in {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}
