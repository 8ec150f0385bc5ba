package weakpass

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"unicode/utf8"

	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/rootfs"
	"github.com/ward-sec/ward/internal/weakpass/crack"
	"github.com/ward-sec/ward/internal/weakpass/source"
)

// Limits of a leaked-password query.
const (
	MaxLeakedPasswords = 100
	MaxLeakedLength    = 256
)

// CheckLeakedPasswords validates the passwords of a query (without ever
// quoting one in the error).
func CheckLeakedPasswords(pws []string) error {
	switch {
	case len(pws) == 0:
		return errors.New("no passwords given")
	case len(pws) > MaxLeakedPasswords:
		return fmt.Errorf("%d passwords given, at most %d per query", len(pws), MaxLeakedPasswords)
	}
	for i, pw := range pws {
		switch {
		case pw == "":
			return fmt.Errorf("password %d is empty", i+1)
		case len(pw) > MaxLeakedLength:
			return fmt.Errorf("password %d is longer than %d bytes", i+1, MaxLeakedLength)
		case !utf8.ValidString(pw):
			return fmt.Errorf("password %d is not valid UTF-8", i+1)
		}
	}
	return nil
}

// LeakedOutcome is what a leaked-password query found on one host.
type LeakedOutcome struct {
	Findings []model.Finding
	// Tested is the number of credentials tested; Unchecked those that
	// could not be (their format or store), so "no match" is not
	// mistaken for "not used here".
	Tested    int
	Unchecked []source.Unchecked
}

// Leaked tests the given passwords, and nothing else, against every
// credential of the host. The passwords stay in memory; findings name
// the accounts that use one, never which password matched.
func Leaked(ctx context.Context, fsys *rootfs.FS, live bool, passwords []string, warn func(path, format string, args ...any)) (*LeakedOutcome, error) {
	if err := CheckLeakedPasswords(passwords); err != nil {
		return nil, err
	}
	res := collect(ctx, fsys, live, Options{}, warn)
	tg := targets(res.Credentials, "")
	results, err := crack.Test(ctx, tg, passwords)
	if err != nil {
		return nil, fmt.Errorf("weakpass: leaked-password test: %w", err)
	}
	out := &LeakedOutcome{Findings: []model.Finding{}, Unchecked: res.Unchecked}
	for _, r := range results {
		i, err := strconv.Atoi(r.ID)
		if err != nil || i < 0 || i >= len(res.Credentials) {
			continue
		}
		c := res.Credentials[i]
		if rr, ok := rawFallback(c, r, []rawList{{"leaked password", passwords}}); ok {
			r = rr
		}
		switch r.Status {
		case crack.Cracked:
			out.Tested++
			out.Findings = append(out.Findings, leakedFinding(c, r))
		case crack.NotCracked:
			out.Tested++
		case crack.Unchecked:
			out.Unchecked = append(out.Unchecked, source.Unchecked{Store: c.Store, Path: c.Path, Account: c.Account, Reason: r.Reason})
		}
	}
	return out, nil
}

func leakedFinding(c source.Credential, r crack.Result) model.Finding {
	f := model.Finding{Kind: model.KindWeakPassword, Rule: RuleLeaked, Severity: model.SevCritical,
		Title:       fmt.Sprintf("Leaked password in use: %s account %s", c.Store, c.Account),
		Description: fmt.Sprintf("%s account %s (%s) uses one of the passwords of the leaked-password query.", c.Store, c.Account, where(c)),
		Asset:       accountAsset(c),
		Evidence:    []string{"store: " + c.Store, "stored in: " + where(c), "format: " + formatName(c, r.Format), "reason: leaked password"},
		Remediation: "Change the password now and review the account's recent logins.",
	}
	f.ID = model.FindingID(f.Rule, f.Asset)
	return f
}

// RuleLeakedCoverage marks a host where some credentials could not be
// tested by a leaked-password query (so "not used" is qualified).
const RuleLeakedCoverage = "weakpass/leaked-query-coverage"

// CoverageFinding is the info finding saying which credentials the
// query could not test on this host; ok is false when all were tested.
func (o *LeakedOutcome) CoverageFinding() (model.Finding, bool) {
	return notCheckedFinding(RuleLeakedCoverage, "%d credential stores or accounts not checked by the leaked-password query (%d tested)", o.Unchecked, o.Tested)
}
