package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"

	"github.com/ward-sec/ward/internal/pki"
	"github.com/ward-sec/ward/internal/server"
	"github.com/ward-sec/ward/internal/store"
	"github.com/ward-sec/ward/internal/transport"
)

func runServer(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("server", flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", "/var/lib/ward-server", "data directory (PKI, SQLite database, JetStream storage)")
	db := fs.String("db", "", "store DSN: empty for SQLite in the data directory, or postgres://user@host/db")
	listen := fs.String("listen", "0.0.0.0:8443", "HTTPS address for enrollment and the API")
	natsListen := fs.String("nats-listen", "0.0.0.0:4443", "address of the embedded NATS server agents connect to")
	natsURL := fs.String("nats-url", "", "use this external NATS cluster (tls://host:port[,...]) instead of the embedded server; configure it with --print-nats-config")
	agentNATSURL := fs.String("agent-nats-url", "", "NATS URL handed to enrolling agents (default: --nats-url, or the embedded server at --advertise)")
	printNATSConfig := fs.Bool("print-nats-config", false, "print the configuration an external NATS cluster needs for Ward (auth callout), creating the keys in the data directory, and exit")
	advertise := fs.String("advertise", "", "host name or address agents reach this server at (default 127.0.0.1)")
	baselineHistory := fs.Int("baseline-history", store.DefaultBaselineHistory, "baseline runs kept in the history per host and policy (older ones are pruned; -1 keeps all)")
	var sans listFlag
	fs.Var(&sans, "san", "extra name or address for the server certificate; repeatable")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return &exitError{code: 2}
	}
	if *printNATSConfig {
		return printNATSConfigSnippet(stdout, *data, append([]string{*advertise}, sans...))
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	parts := newServerParts(ctx, *data)
	defer parts.close()
	s, err := server.Start(ctx, server.Config{
		DataDir: *data, DB: *db, Listen: *listen, NATSListen: *natsListen, NATSURL: *natsURL, AgentNATSURL: *agentNATSURL, Advertise: *advertise, SANs: sans, Logger: log,
		APIHandler: parts.apiHandler, OnApplied: parts.onApplied, BaselineHistory: *baselineHistory,
	})
	if err != nil {
		return err
	}
	defer s.Close()
	token, err := s.BootstrapAdmin(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "ward server listening: API %s/api/v1, agents %s\n", s.URL(), s.AgentNATSURL())
	fmt.Fprintf(stdout, "CA fingerprint: %s\n", s.CAFingerprint())
	if token != "" {
		fmt.Fprintf(stdout, "admin API token (shown once; also in %s): %s\n", filepath.Join(*data, server.AdminTokenFile), token)
	}
	<-ctx.Done()
	fmt.Fprintln(stdout, "ward server stopping")
	return nil
}

// printNATSConfigSnippet prints the auth callout block for an external
// NATS cluster. It creates what the block names if missing — the Ward CA
// (the cluster's TLS ca_file), the issuer and server-user nkeys — exactly
// as the first server start would, so the cluster can be configured
// before Ward runs against it.
func printNATSConfigSnippet(stdout io.Writer, dataDir string, hosts []string) error {
	pkiDir := filepath.Join(dataDir, "pki")
	var names []string
	for _, h := range hosts {
		if h != "" {
			names = append(names, h)
		}
	}
	if _, err := pki.LoadOrCreateServer(pkiDir, pki.ServerHosts(names...)); err != nil {
		return err
	}
	keys, err := transport.LoadOrCreateCalloutKeys(pkiDir)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "# Ward CA for the cluster's tls ca_file: %s\n", filepath.Join(pkiDir, pki.CACertFile))
	fmt.Fprint(stdout, transport.CalloutConfigSnippet(keys.IssuerPublicKey(), keys.ServerUserPublicKey()))
	return nil
}
