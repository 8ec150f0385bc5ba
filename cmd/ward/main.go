// Command ward is Ward's single binary: host scanning today, the agent and
// the server as they land.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/ward-sec/ward/internal/cli"
)

const usage = `ward - host and workload protection

Usage:
  ward up [flags]          one-command start: server + this host enrolled + first inventory
  ward scan [flags]        scan this host (or --root DIR) and report its inventory and risks
  ward server [flags]      run the fleet server (enrollment, API, embedded NATS, store)
  ward agent enroll|run    enroll this host with a server / run the agent daemon
  ward help                list the admin commands (hosts, tasks, findings, query, tokens...)
  ward version             print the version

Run 'ward scan -h' for the scan flags.
`

// exitError carries a specific exit status out of a subcommand.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "scan":
		err = runScan(ctx, args[1:], stdout, stderr)
	case "server":
		err = runServer(ctx, args[1:], stdout, stderr)
	case "agent":
		err = runAgent(ctx, args[1:], stdout, stderr)
	case "up":
		err = runUp(ctx, args[1:], stdout, stderr)
	case "version", "--version":
		fmt.Fprintln(stdout, "ward", version())
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		if u := capabilityUsage(); u != "" {
			fmt.Fprint(stdout, "\nDetection commands:\n"+u)
		}
		fmt.Fprint(stdout, "\nAdmin commands (against a ward server's API):\n"+cli.Usage())
	default:
		if cmd, ok := capabilityCommand(args[0]); ok {
			err = cmd.Run(ctx, args[1:], stdout, stderr)
			break
		}
		if cli.IsCommand(args[0]) {
			return cli.Run(ctx, args, stdout, stderr)
		}
		fmt.Fprintf(stderr, "ward: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	if err == nil {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.msg != "" {
			fmt.Fprintln(stderr, "ward:", ee.msg)
		}
		return ee.code
	}
	fmt.Fprintln(stderr, "ward:", err)
	return 1
}
