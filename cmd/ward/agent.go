package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ward-sec/ward/internal/agent"
	"github.com/ward-sec/ward/internal/agent/limits"
	"github.com/ward-sec/ward/internal/agent/natslink"
	"github.com/ward-sec/ward/internal/enroll"
	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/pki"
	"github.com/ward-sec/ward/internal/store"
	"github.com/ward-sec/ward/internal/transport"
)

const defaultAgentDir = "/var/lib/ward-agent"

// serverInfoFile records where the enrolled agent connects (NATS URLs).
const serverInfoFile = "server.json"

type serverInfo struct {
	Server   string   `json:"server"`
	AgentID  string   `json:"agent_id"`
	HostID   string   `json:"host_id"`
	NATSURLs []string `json:"nats_urls"`
}

func runAgent(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return &exitError{code: 2, msg: "agent: want 'enroll' or 'run'"}
	}
	switch args[0] {
	case "enroll":
		return agentEnroll(ctx, args[1:], stdout, stderr)
	case "run":
		return agentRun(ctx, args[1:], stderr)
	}
	return &exitError{code: 2, msg: fmt.Sprintf("agent: unknown command %q (want enroll or run)", args[0])}
}

func agentEnroll(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("agent enroll", flag.ContinueOnError)
	fs.SetOutput(stderr)
	serverURL := fs.String("server", "", "server URL, e.g. https://ward.example:8443")
	token := fs.String("token", "", "enrollment token (ward1.…); or WARD_ENROLL_TOKEN")
	dir := fs.String("dir", defaultAgentDir, "agent state directory")
	root := fs.String("root", "/", "root filesystem the host facts are read from")
	var labels listFlag
	fs.Var(&labels, "label", "host label key=value; repeatable")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return &exitError{code: 2}
	}
	if *token == "" {
		*token = os.Getenv("WARD_ENROLL_TOKEN")
	}
	if *serverURL == "" || *token == "" {
		return &exitError{code: 2, msg: "agent enroll: --server and --token are required"}
	}
	lbls := map[string]string{}
	for _, l := range labels {
		k, v, ok := strings.Cut(l, "=")
		if !ok || k == "" {
			return &exitError{code: 2, msg: fmt.Sprintf("agent enroll: --label %q is not key=value", l)}
		}
		lbls[k] = v
	}
	res, err := enrollHost(ctx, *serverURL, *token, *dir, *root, lbls)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "enrolled as agent %s (host %s); start it with: ward agent run --dir %s\n", res.AgentID, res.HostID, *dir)
	return nil
}

// enrollHost enrolls this host (facts read from root) and saves the agent's
// credentials and server address in dir.
func enrollHost(ctx context.Context, serverURL, token, dir, root string, lbls map[string]string) (*enroll.Result, error) {
	id, err := agent.ScanIdentity(ctx, root)
	if err != nil {
		return nil, err
	}
	key, err := pki.LoadOrCreateAgentKey(dir)
	if err != nil {
		return nil, err
	}
	csr, err := pki.NewAgentCSR(key)
	if err != nil {
		return nil, err
	}
	identity, err := id.Key()
	if err != nil {
		return nil, fmt.Errorf("agent enroll: %w", err)
	}
	facts := enroll.HostFacts{Hostname: id.Hostname, MachineID: id.MachineID, OS: id.OS.ID, Kernel: id.Kernel, IdentityKey: identity}
	res, err := enroll.Enroll(ctx, serverURL, token, csr, facts, lbls)
	if err != nil {
		return nil, err
	}
	if _, err := pki.SaveAgentCredentials(dir, []byte(res.CertPEM), []byte(res.CAPEM)); err != nil {
		return nil, err
	}
	info, _ := json.MarshalIndent(serverInfo{Server: serverURL, AgentID: res.AgentID, HostID: res.HostID, NATSURLs: res.NATSURLs}, "", "  ")
	if err := os.WriteFile(filepath.Join(dir, serverInfoFile), info, 0o600); err != nil {
		return nil, fmt.Errorf("agent enroll: %w", err)
	}
	return res, nil
}

func agentRun(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("agent run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("dir", defaultAgentDir, "agent state directory (from 'ward agent enroll')")
	interval := fs.Duration("inventory-interval", 0, "also run an inventory this often on the agent's own initiative (e.g. 6h; 0: only on tasks)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return &exitError{code: 2}
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	return runAgentDaemon(ctx, *dir, *interval, log)
}

// runAgentDaemon runs the enrolled agent in dir until ctx ends.
func runAgentDaemon(ctx context.Context, dir string, interval time.Duration, log *slog.Logger) error {
	data, err := os.ReadFile(filepath.Join(dir, serverInfoFile))
	if err != nil {
		return fmt.Errorf("agent run: not enrolled? %w", err)
	}
	var info serverInfo
	if err := json.Unmarshal(data, &info); err != nil {
		return fmt.Errorf("agent run: %s: %w", serverInfoFile, err)
	}
	creds, err := pki.LoadAgentCredentials(dir)
	if err != nil {
		return err
	}
	log = log.With("agent", creds.AgentID)
	var reconnects natslink.Reconnects
	nc, err := transport.ConnectAgent(info.NATSURLs, creds.Certificate, creds.CAPool, creds.AgentID, reconnects.Option())
	if err != nil {
		return err
	}
	defer nc.Close()
	link, err := natslink.New(nc, creds.AgentID, log)
	if err != nil {
		return err
	}
	a, err := agent.New(agent.Options{
		Dir: dir, AgentID: creds.AgentID, Publisher: link, Tasks: link,
		Differ: agent.DifferFunc(func(base, next *model.Inventory) (json.RawMessage, error) {
			return json.Marshal(store.Diff(base, next))
		}),
		Limits: limits.Defaults(), InventoryInterval: interval, Logger: log,
		Runners: agentRunners(),
	})
	if err != nil {
		return err
	}
	defer a.Close()
	reconnects.Notify(a.Reconnected)
	log.Info("agent running", "nats", info.NATSURLs)
	if err := a.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}
