package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"

	"github.com/ward-sec/ward/internal/server"
)

func runServer(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("server", flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", "/var/lib/ward-server", "data directory (PKI, SQLite database, JetStream storage)")
	db := fs.String("db", "", "store DSN: empty for SQLite in the data directory, or postgres://user@host/db")
	listen := fs.String("listen", "0.0.0.0:8443", "HTTPS address for enrollment and the API")
	natsListen := fs.String("nats-listen", "0.0.0.0:4443", "address of the embedded NATS server agents connect to")
	advertise := fs.String("advertise", "", "host name or address agents reach this server at (default 127.0.0.1)")
	var sans listFlag
	fs.Var(&sans, "san", "extra name or address for the server certificate; repeatable")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return &exitError{code: 2}
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	s, err := server.Start(ctx, server.Config{
		DataDir: *data, DB: *db, Listen: *listen, NATSListen: *natsListen, Advertise: *advertise, SANs: sans, Logger: log,
		APIHandler: apiHandler,
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
