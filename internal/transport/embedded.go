package transport

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/ward-sec/ward/internal/pki"
)

// MaxPayload is the largest message the bus carries (docs/fleet.md);
// larger inventories are split by the agent.
const MaxPayload = 8 << 20

// EmbeddedConfig configures the NATS server the Ward server runs inside
// its own process.
type EmbeddedConfig struct {
	// Host and Port to listen on; Port 0 picks a free port (tests).
	Host string
	Port int
	// StoreDir is the JetStream storage directory (under the data dir).
	StoreDir string
	// ServerCert is presented to clients; ClientCAs (the Ward CA) verifies
	// theirs.
	ServerCert tls.Certificate
	ClientCAs  *x509.CertPool
	// Revocations is consulted on every connection; may be nil.
	Revocations RevocationChecker
	// ServerName names this NATS server (logs, JetStream); optional.
	ServerName string
	// Logger receives the NATS server's log; nil discards it.
	Logger *slog.Logger
	// StartTimeout bounds Start; default 10 s.
	StartTimeout time.Duration
}

// EmbeddedServer is an in-process NATS server with JetStream, mutual TLS
// and certificate-bound permissions.
type EmbeddedServer struct {
	cfg  EmbeddedConfig
	auth *certAuth
	log  *natsLogger

	mu sync.Mutex
	ns *server.Server
}

// NewEmbeddedServer checks cfg; Start starts the server.
func NewEmbeddedServer(cfg EmbeddedConfig) (*EmbeddedServer, error) {
	if cfg.StoreDir == "" {
		return nil, errors.New("embedded NATS: no JetStream store directory")
	}
	if len(cfg.ServerCert.Certificate) == 0 || cfg.ServerCert.PrivateKey == nil {
		return nil, errors.New("embedded NATS: no server certificate")
	}
	if cfg.ClientCAs == nil {
		return nil, errors.New("embedded NATS: no client CA pool")
	}
	if cfg.Port < 0 || cfg.Port > 65535 {
		return nil, fmt.Errorf("embedded NATS: port %d out of range", cfg.Port)
	}
	if cfg.StartTimeout <= 0 {
		cfg.StartTimeout = 10 * time.Second
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &EmbeddedServer{
		cfg:  cfg,
		auth: newCertAuth(cfg.Revocations, logger),
		log:  &natsLogger{log: logger},
	}, nil
}

func (e *EmbeddedServer) options() *server.Options {
	port := e.cfg.Port
	if port == 0 {
		port = server.RANDOM_PORT
	}
	return &server.Options{
		ServerName: e.cfg.ServerName,
		Host:       e.cfg.Host,
		Port:       port,
		// Embedded: never install signal handlers or an HTTP monitor.
		NoSigs:     true,
		HTTPPort:   0,
		MaxPayload: MaxPayload,
		JetStream:  true,
		StoreDir:   e.cfg.StoreDir,
		TLS:        true,
		TLSVerify:  true,
		TLSTimeout: 5,
		TLSConfig: &tls.Config{
			MinVersion:   tls.VersionTLS13,
			Certificates: []tls.Certificate{e.cfg.ServerCert},
			ClientAuth:   tls.RequireAndVerifyClientCert,
			ClientCAs:    e.cfg.ClientCAs,
		},
		CustomClientAuthentication: e.auth,
	}
}

// Start starts the server and waits until it accepts connections (or
// StartTimeout passes). A server can be started once.
func (e *EmbeddedServer) Start() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.ns != nil {
		return errors.New("embedded NATS: already started")
	}
	ns, err := server.NewServer(e.options())
	if err != nil {
		return fmt.Errorf("embedded NATS: %w", err)
	}
	ns.SetLoggerV2(e.log, false, false, false)
	ns.Start()
	if err := e.waitReady(ns); err != nil {
		ns.Shutdown()
		return err
	}
	if !ns.JetStreamEnabled() {
		ns.Shutdown()
		return fmt.Errorf("embedded NATS: JetStream did not start: %s", e.log.fatalMessage())
	}
	e.ns = ns
	return nil
}

// waitReady waits for the server to accept connections, giving up early
// when it reported a fatal start-up error (it then never becomes ready).
func (e *EmbeddedServer) waitReady(ns *server.Server) error {
	deadline := time.Now().Add(e.cfg.StartTimeout)
	for !ns.ReadyForConnections(50 * time.Millisecond) {
		if reason := e.log.fatalMessage(); reason != "" {
			return fmt.Errorf("embedded NATS: start: %s", reason)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("embedded NATS: not ready within %s", e.cfg.StartTimeout)
		}
	}
	return nil
}

// ReadyForConnections waits up to d for the server to accept connections.
func (e *EmbeddedServer) ReadyForConnections(d time.Duration) bool {
	ns := e.server()
	return ns != nil && ns.ReadyForConnections(d)
}

// ClientURL is the tls:// URL clients connect to (the listen address, with
// 127.0.0.1 for an unspecified host).
func (e *EmbeddedServer) ClientURL() string {
	ns := e.server()
	if ns == nil {
		return ""
	}
	addr, ok := ns.Addr().(*net.TCPAddr)
	if !ok {
		return ""
	}
	host := addr.IP.String()
	if addr.IP.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "tls://" + net.JoinHostPort(host, strconv.Itoa(addr.Port))
}

// Revoke refuses agentID from now on and closes its live connections,
// returning how many were closed. Call it after recording the revocation
// in the store (so the RevocationChecker agrees after a restart).
func (e *EmbeddedServer) Revoke(agentID string) (int, error) {
	if err := pki.ValidAgentID(agentID); err != nil {
		return 0, err
	}
	// Mark first, then sweep: a connection authenticating concurrently
	// either sees the mark or is already listed (see certAuth.Check).
	e.auth.markRevoked(agentID)
	ns := e.server()
	if ns == nil {
		return 0, nil
	}
	conns, err := e.agentConnections(ns, agentID)
	if err != nil {
		return 0, err
	}
	closed := 0
	var errs []error
	for _, cid := range conns {
		if err := ns.DisconnectClientByID(cid); err != nil {
			// Already gone: nothing to close.
			if !strings.Contains(err.Error(), "no such client") {
				errs = append(errs, fmt.Errorf("disconnect client %d of agent %s: %w", cid, agentID, err))
			}
			continue
		}
		closed++
	}
	return closed, errors.Join(errs...)
}

// agentConnections finds the live connections presenting agentID's
// certificate. It matches the certificate subject, which a client cannot
// choose, rather than the user name reported in CONNECT. One unpaged
// listing: pages could shift while connections come and go.
func (e *EmbeddedServer) agentConnections(ns *server.Server, agentID string) ([]uint64, error) {
	conns, err := ns.Connz(&server.ConnzOptions{Username: true, State: server.ConnOpen, Limit: math.MaxInt32})
	if err != nil {
		return nil, fmt.Errorf("list connections: %w", err)
	}
	var cids []uint64
	for _, ci := range conns.Conns {
		if len(ci.TLSPeerCerts) > 0 && subjectHasCN(ci.TLSPeerCerts[0].Subject, agentID) {
			cids = append(cids, ci.Cid)
		}
	}
	return cids, nil
}

// subjectHasCN reports whether a certificate subject in pkix.Name.String
// form ("CN=x,O=y") has CommonName cn. Agent ids need no escaping.
func subjectHasCN(subject, cn string) bool {
	for part := range strings.SplitSeq(subject, ",") {
		if part == "CN="+cn {
			return true
		}
	}
	return false
}

// Shutdown stops the server and waits for it; safe to call more than once.
func (e *EmbeddedServer) Shutdown() {
	e.mu.Lock()
	ns := e.ns
	e.mu.Unlock()
	if ns == nil {
		return
	}
	ns.Shutdown()
	ns.WaitForShutdown()
}

// NumClients is the number of client connections (diagnostics, tests).
func (e *EmbeddedServer) NumClients() int {
	ns := e.server()
	if ns == nil {
		return 0
	}
	return ns.NumClients()
}

func (e *EmbeddedServer) server() *server.Server {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.ns
}
