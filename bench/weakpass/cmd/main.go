// Command weakpass-bench drives Ward's cracker for bench/weakpass.sh
// (bench code, not shipped): crack a shadow file with a word list, or
// measure one hash setting's rate on one core in CPU time.
//
//	go run ./bench/weakpass/cmd crack -shadow FILE -wordlist FILE [-builtin]
//	go run ./bench/weakpass/cmd rate -hash HASH -seconds 5
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/ward-sec/ward/internal/weakpass/crack"
	"github.com/ward-sec/ward/internal/weakpass/hashfmt"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: weakpass-bench crack|rate ...")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "crack":
		err = crackCmd(os.Args[2:])
	case "rate":
		err = rateCmd(os.Args[2:])
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "weakpass-bench:", err)
		os.Exit(1)
	}
}

func crackCmd(args []string) error {
	fs := flag.NewFlagSet("crack", flag.ExitOnError)
	shadow := fs.String("shadow", "", "shadow file")
	wordlist := fs.String("wordlist", "", "word list (tested in full)")
	builtin := fs.Bool("builtin", false, "also the built-in lists and mutations (default: the word list only, as john)")
	fs.Parse(args)
	data, err := os.ReadFile(*shadow)
	if err != nil {
		return err
	}
	var targets []crack.Target
	for n, line := range strings.Split(string(data), "\n") {
		if line == "" {
			continue
		}
		f := strings.Split(line, ":")
		if len(f) < 2 {
			return fmt.Errorf("%s:%d: not a shadow line", *shadow, n+1)
		}
		targets = append(targets, crack.Target{ID: f[0], User: f[0], Hash: f[1]})
	}
	opts := crack.Options{NoBuiltin: !*builtin, NoMutations: !*builtin}
	if *wordlist != "" {
		wl, err := os.ReadFile(*wordlist)
		if err != nil {
			return err
		}
		opts.Wordlists = [][]string{crack.ReadWordlist(string(wl))}
	}
	start := time.Now()
	res, err := crack.Run(context.Background(), targets, opts)
	if err != nil {
		return err
	}
	wall := time.Since(start)
	var cracked []string
	tried := 0
	for _, r := range res {
		tried += r.Tried
		if r.Status == crack.Cracked {
			cracked = append(cracked, r.ID+":"+r.Password)
		}
	}
	sort.Strings(cracked)
	for _, c := range cracked {
		fmt.Println(c)
	}
	fmt.Fprintf(os.Stderr, "ward: %d targets, %d cracked, %d candidates tested, wall %.2fs\n", len(targets), len(cracked), tried, wall.Seconds())
	return nil
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func rateCmd(args []string) error {
	fs := flag.NewFlagSet("rate", flag.ExitOnError)
	hash := fs.String("hash", "", "hash to verify against")
	seconds := fs.Float64("seconds", 5, "CPU seconds to run")
	fs.Parse(args)
	h, err := hashfmt.Parse(*hash, "", "")
	if err != nil {
		return err
	}
	var s hashfmt.Scratch
	limit := time.Duration(*seconds * float64(time.Second))
	h.Verify([]byte("warmup"), &s)
	t0 := cpuTime()
	n := 0
	var t time.Duration
	for t < limit {
		h.Verify(fmt.Appendf(nil, "candidate%d", n), &s)
		n++
		t = cpuTime() - t0
	}
	fmt.Printf("%d %.3f %.1f\n", n, t.Seconds(), float64(n)/t.Seconds())
	return nil
}
