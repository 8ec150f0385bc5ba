package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ward-sec/ward/internal/agent"
	"github.com/ward-sec/ward/internal/api"
	"github.com/ward-sec/ward/internal/api/wire"
	"github.com/ward-sec/ward/internal/cli"
	"github.com/ward-sec/ward/internal/rootfs"
	"github.com/ward-sec/ward/internal/scan"
	"github.com/ward-sec/ward/internal/weakpass"
	"github.com/ward-sec/ward/internal/weakpass/crack"
	"github.com/ward-sec/ward/internal/weakpass/source"
)

// weakpassParams are the params of a "weakpass" task.
type weakpassParams struct {
	// Words are extra candidates tested on every account (e.g. the
	// company's name and products).
	Words []string `json:"words,omitempty"`
}

const (
	maxTaskWords   = 10000
	maxWordLen     = 256
	maxWordlistLen = 64 << 20
)

func init() {
	register(capability{
		Name:      "weakpass",
		ScanUsage: "find weak and empty passwords in local credential stores (shadow, MySQL, PostgreSQL, Redis, Tomcat, LDAP, SNMP, FTP), weak hash schemes, plaintext credential files and SSH keys without a passphrase",
		ScanFlags: weakpassScanFlags,
		Commands: map[string]command{
			"weakpass": {Usage: "crack --shadow FILE [--wordlist FILE] | leaked (--hosts A,B|--all) [PASSWORD...]: weak-password tools", Run: runWeakpass},
		},
		TaskTypes: []api.TaskType{{
			Name:        "weakpass",
			Description: `test the host's stored credentials for weak, empty and default passwords; params {"words": [...]} add candidates`,
			CheckParams: func(params json.RawMessage) error {
				var p weakpassParams
				if err := decodeStrict(params, &p); err != nil {
					return err
				}
				return checkWords(p.Words)
			},
		}, {
			Name:         "weakpass-leaked",
			Description:  `test the host's credentials against leaked passwords, params {"passwords": [...]}; kept in server memory only (use POST /api/v1/weakpass/leaked or 'ward weakpass leaked')`,
			SecretParams: true,
			CheckParams: func(params json.RawMessage) error {
				var p wire.WeakpassLeakedParams
				if err := decodeStrict(params, &p); err != nil {
					return err
				}
				return weakpass.CheckLeakedPasswords(p.Passwords)
			},
		}},
		Runners: map[string]agent.TaskRunner{
			"weakpass":        runWeakpassTask,
			"weakpass-leaked": runLeakedTask,
		},
	})
}

// decodeStrict decodes task params rejecting unknown fields; errors never
// quote values (the params may be passwords).
func decodeStrict(params json.RawMessage, dst any) error {
	if len(bytes.TrimSpace(params)) == 0 || string(bytes.TrimSpace(params)) == "null" {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(params))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		var ute *json.UnmarshalTypeError
		if errors.As(err, &ute) {
			return fmt.Errorf("parameter %q: want %s", ute.Field, ute.Type)
		}
		if msg := err.Error(); strings.HasPrefix(msg, "json: unknown field ") {
			return errors.New("unknown parameter " + strings.TrimPrefix(msg, "json: unknown field "))
		}
		return errors.New("params are not a valid JSON object")
	}
	return nil
}

func checkWords(words []string) error {
	if len(words) > maxTaskWords {
		return fmt.Errorf("%d words, at most %d", len(words), maxTaskWords)
	}
	for i, w := range words {
		if w == "" || len(w) > maxWordLen {
			return fmt.Errorf("word %d: empty or longer than %d bytes", i+1, maxWordLen)
		}
	}
	return nil
}

func weakpassScanFlags(fs *flag.FlagSet) func() (scan.Detector, error) {
	var wordlists listFlag
	fs.Var(&wordlists, "wordlist", "weakpass: extra candidate passwords, one a line (repeatable); tested in full on every account")
	show := fs.Bool("show-passwords", false, "weakpass: print cracked passwords in clear (default: masked, p*****d)")
	budget := fs.Duration("weakpass-budget", 0, "weakpass: CPU time per distinct hash for the built-in candidates (default "+crack.DefaultBudget.String()+")")
	cache := fs.String("weakpass-cache", "", "weakpass: keep crack outcomes per hash in DIR (never passwords) so unchanged hashes are not cracked again")
	return func() (scan.Detector, error) {
		lists, err := readWordlists(wordlists)
		if err != nil {
			return nil, err
		}
		if *cache != "" {
			if err := os.MkdirAll(*cache, 0o700); err != nil {
				return nil, fmt.Errorf("--weakpass-cache: %w", err)
			}
		}
		return weakpass.New(weakpass.Options{Wordlists: lists, ShowPasswords: *show, Budget: *budget, CacheDir: *cache}), nil
	}
}

func readWordlists(files []string) ([][]string, error) {
	var out [][]string
	for _, f := range files {
		fi, err := os.Stat(f)
		if err != nil {
			return nil, fmt.Errorf("--wordlist: %w", err)
		}
		if fi.Size() > maxWordlistLen {
			return nil, fmt.Errorf("--wordlist %s: larger than %d MiB", f, maxWordlistLen>>20)
		}
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("--wordlist: %w", err)
		}
		out = append(out, crack.ReadWordlist(string(data)))
	}
	return out, nil
}

func runWeakpass(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, "Usage:\n"+
			"  ward weakpass crack --shadow FILE [--wordlist FILE] [--show-passwords] [--budget 30s]\n"+
			"      test the accounts of a shadow(5) or passwd-format file (e.g. a copy taken from an image)\n"+
			"  ward weakpass leaked (--hosts A,B | --label k=v | --all) [--wait 10m] [PASSWORD...]\n"+
			"      ask the fleet which hosts and accounts use a leaked password; with no PASSWORD\n"+
			"      arguments they are read from standard input (one a line), out of the shell history\n"+
			"For this host's stores: ward scan --weakpass\n")
		return nil
	}
	switch args[0] {
	case "crack":
		return runWeakpassCrack(ctx, args[1:], stdout, stderr)
	case "leaked":
		if code := cli.Run(ctx, append([]string{"weakpass"}, args...), stdout, stderr); code != 0 {
			return &exitError{code: code}
		}
		return nil
	}
	return &exitError{code: 2, msg: fmt.Sprintf("weakpass: unknown subcommand %q (want crack or leaked)", args[0])}
}

func runWeakpassCrack(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("weakpass crack", flag.ContinueOnError)
	fs.SetOutput(stderr)
	shadow := fs.String("shadow", "", "shadow(5) or passwd-format FILE to test (required)")
	var wordlists listFlag
	fs.Var(&wordlists, "wordlist", "extra candidate passwords, one a line (repeatable)")
	show := fs.Bool("show-passwords", false, "print cracked passwords in clear")
	budget := fs.Duration("budget", 0, "CPU time per distinct hash for the built-in candidates (default "+crack.DefaultBudget.String()+")")
	noBuiltin := fs.Bool("no-builtin", false, "test only the --wordlist candidates")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return &exitError{code: 2}
	}
	if *shadow == "" || fs.NArg() > 0 {
		return &exitError{code: 2, msg: "weakpass crack: give --shadow FILE (and no other arguments)"}
	}
	if *noBuiltin && len(wordlists) == 0 {
		return &exitError{code: 2, msg: "weakpass crack: --no-builtin needs a --wordlist"}
	}
	lists, err := readWordlists(wordlists)
	if err != nil {
		return &exitError{code: 2, msg: "weakpass crack: " + err.Error()}
	}
	data, err := readCapped(*shadow, 64<<20)
	if err != nil {
		return err
	}
	entries, probs := source.ParseShadow(data)
	for _, p := range probs {
		fmt.Fprintf(stderr, "ward: %s line %d: %s\n", *shadow, p.Line, p.Msg)
	}
	var targets []crack.Target
	for i, e := range entries {
		if e.State != source.Test || e.Invalid != "" {
			continue
		}
		targets = append(targets, crack.Target{ID: strconv.Itoa(i), Hash: e.Hash, User: e.User})
	}
	start := time.Now()
	results, err := crack.Run(ctx, targets, crack.Options{Wordlists: lists, Budget: *budget, NoBuiltin: *noBuiltin})
	if err != nil {
		return err
	}
	byID := map[string]crack.Result{}
	for _, r := range results {
		byID[r.ID] = r
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ACCOUNT\tFORMAT\tSTATUS\tREASON\tPASSWORD\tTRIED")
	cracked := 0
	for i, e := range entries {
		status, format, reason, pw, tried := "", "", "", "", ""
		switch {
		case e.Invalid != "":
			status, reason = "not checked", e.Invalid
		case e.State == source.Empty:
			status, reason = "EMPTY", "no password"
		case e.State == source.Locked:
			status = "locked"
		default:
			r := byID[strconv.Itoa(i)]
			status, format, reason, tried = string(r.Status), r.Format, r.Reason, strconv.Itoa(r.Tried)
			if r.Status == crack.Cracked {
				cracked++
				status = "WEAK"
				pw = weakpass.Mask(r.Password)
				if *show {
					pw = r.Password
				}
			}
			if why, weak := source.WeakSchemes[e.Scheme]; weak {
				reason = strings.TrimSpace(reason + "; weak scheme: " + why)
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", e.User, format, status, reason, pw, tried)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d accounts, %d weak, in %s\n", len(entries), cracked, time.Since(start).Round(time.Millisecond))
	return nil
}

func readCapped(path string, max int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("%s: larger than %d MiB", path, max>>20)
	}
	return data, nil
}

// openTaskRoot opens the agent's scan root.
func openTaskRoot(tc *agent.TaskContext) (*rootfs.FS, error) {
	root := tc.Scan.Root
	if root == "" {
		root = "/"
	}
	return rootfs.Open(root)
}

// taskWarn logs the sources' warnings (never a secret: they name files,
// lines and accounts).
func taskWarn(tc *agent.TaskContext) func(path, format string, args ...any) {
	return func(path, format string, args ...any) {
		tc.Log.Debug("weakpass: "+fmt.Sprintf(format, args...), "path", path)
	}
}

func runWeakpassTask(ctx context.Context, tc *agent.TaskContext) error {
	var p weakpassParams
	if err := decodeStrict(tc.Task.Params, &p); err != nil {
		return err
	}
	if err := checkWords(p.Words); err != nil {
		return err
	}
	fsys, err := openTaskRoot(tc)
	if err != nil {
		return err
	}
	defer fsys.Close()
	opts := weakpass.Options{}
	if len(p.Words) > 0 {
		opts.Wordlists = [][]string{p.Words}
	}
	// The crack cache keeps outcomes per hash (no passwords): an
	// unchanged hash is not cracked again on the next run.
	if dir, err := tc.StateDir("weakpass"); err == nil {
		opts.CacheDir = dir
	} else {
		tc.Log.Warn("weakpass: no crack cache", "err", err)
	}
	rep, err := weakpass.Check(ctx, fsys, fsys.IsLive(), opts, taskWarn(tc))
	if err != nil {
		return err
	}
	return tc.ReportFindings("weakpass", rep.Findings)
}

func runLeakedTask(ctx context.Context, tc *agent.TaskContext) error {
	if tc.Task.TaskID == "" {
		return errors.New("weakpass-leaked: task without an id")
	}
	var p wire.WeakpassLeakedParams
	if err := decodeStrict(tc.Task.Params, &p); err != nil {
		return err
	}
	fsys, err := openTaskRoot(tc)
	if err != nil {
		return err
	}
	defer fsys.Close()
	out, err := weakpass.Leaked(ctx, fsys, fsys.IsLive(), p.Passwords, taskWarn(tc))
	if err != nil {
		return err
	}
	findings := out.Findings
	if f, ok := out.CoverageFinding(); ok {
		findings = append(findings, f)
	}
	return tc.ReportFindings(api.LeakedScope+tc.Task.TaskID, findings)
}
