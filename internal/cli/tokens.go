package cli

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/ward-sec/ward/internal/api/wire"
)

// Created secrets go alone to stdout, so `T=$(ward token create ...)`
// works; what they are goes to stderr.

func runTokenCreate(ctx context.Context, a *app, args []string) error {
	fs := a.flagSet("--name NAME --role admin|operator|viewer [--user USER] [--ttl 720h]")
	name := fs.String("name", "", "what the token is for (required)")
	role := fs.String("role", "", "admin, operator or viewer (required; at most the user's role)")
	user := fs.String("user", "", "user owning the token (default: you)")
	ttl := fs.String("ttl", "", "lifetime, e.g. 720h (default: no expiry)")
	if _, err := a.parse(fs, args, 0, 0); err != nil {
		return err
	}
	if *name == "" || *role == "" {
		return usageErr("--name and --role are required")
	}
	c, err := a.client()
	if err != nil {
		return err
	}
	var t wire.APIToken
	if done, err := a.send(ctx, c, "POST", "/api-tokens", nil, wire.CreateAPIToken{Name: *name, Role: *role, User: *user, TTL: *ttl}, &t); done {
		return err
	}
	fmt.Fprintf(a.stderr, "API token %d %q for user %s, role %s, expires %s. Shown once; store it now:\n",
		t.ID, t.Name, t.User, t.Role, orNever(t.ExpiresAt))
	fmt.Fprintln(a.stdout, t.Token)
	return nil
}

func runTokenList(ctx context.Context, a *app, args []string) error {
	fs := a.flagSet("[--user USER]")
	user := fs.String("user", "", "only this user's tokens")
	if _, err := a.parse(fs, args, 0, 0); err != nil {
		return err
	}
	q := url.Values{}
	setIf(q, "user", *user)
	tokens, err := getList[wire.APIToken](ctx, a, "/api-tokens", q)
	if err != nil || a.jsonOut {
		return err
	}
	tw := table(a.stdout, "ID", "NAME", "USER", "ROLE", "CREATED", "EXPIRES", "LAST USED", "REVOKED")
	for _, t := range tokens {
		row(tw, t.ID, t.Name, t.User, t.Role, t.CreatedAt, orNever(t.ExpiresAt), t.LastUsedAt, t.RevokedAt)
	}
	return tw.Flush()
}

func runTokenRevoke(ctx context.Context, a *app, args []string) error {
	return a.deleteByID(ctx, args, "/api-tokens/", "API token")
}

func runEnrollCreate(ctx context.Context, a *app, args []string) error {
	fs := a.flagSet("[--ttl 24h] [--max-uses N] [--label k=v]... [--description TEXT]")
	ttl := fs.String("ttl", "24h", "how long the token can be used")
	maxUses := fs.Int("max-uses", 1, "how many hosts can enrol with it")
	labels := labelFlag{}
	fs.Var(labels, "label", "label given to hosts enrolled with it, key=value (repeatable)")
	desc := fs.String("description", "", "what the token is for")
	if _, err := a.parse(fs, args, 0, 0); err != nil {
		return err
	}
	c, err := a.client()
	if err != nil {
		return err
	}
	req := wire.CreateEnrollmentToken{TTL: *ttl, MaxUses: *maxUses, Description: *desc}
	if len(labels) > 0 {
		req.Labels = labels
	}
	var t wire.EnrollmentToken
	if done, err := a.send(ctx, c, "POST", "/enrollment-tokens", nil, req, &t); done {
		return err
	}
	fmt.Fprintf(a.stderr, "Enrollment token %d: %d use(s), expires %s. Shown once; enrol with: ward agent enroll --server URL --token TOKEN\n",
		t.ID, t.MaxUses, fmtTime(t.ExpiresAt))
	fmt.Fprintln(a.stdout, t.Token)
	return nil
}

func runEnrollList(ctx context.Context, a *app, args []string) error {
	fs := a.flagSet("")
	if _, err := a.parse(fs, args, 0, 0); err != nil {
		return err
	}
	tokens, err := getList[wire.EnrollmentToken](ctx, a, "/enrollment-tokens", nil)
	if err != nil || a.jsonOut {
		return err
	}
	tw := table(a.stdout, "ID", "STATUS", "USES", "EXPIRES", "LABELS", "CREATED BY", "DESCRIPTION")
	for _, t := range tokens {
		row(tw, t.ID, t.Status, fmt.Sprintf("%d/%d", t.Uses, t.MaxUses), t.ExpiresAt, t.Labels, t.CreatedBy, t.Description)
	}
	return tw.Flush()
}

func runEnrollRevoke(ctx context.Context, a *app, args []string) error {
	return a.deleteByID(ctx, args, "/enrollment-tokens/", "enrollment token")
}

func runUserCreate(ctx context.Context, a *app, args []string) error {
	fs := a.flagSet("NAME --role admin|operator|viewer")
	role := fs.String("role", "", "admin, operator or viewer (required)")
	pos, err := a.parse(fs, args, 1, 1)
	if err != nil {
		return err
	}
	if *role == "" {
		return usageErr("--role is required")
	}
	c, err := a.client()
	if err != nil {
		return err
	}
	var u wire.User
	if done, err := a.send(ctx, c, "POST", "/users", nil, wire.CreateUser{Name: pos[0], Role: *role}, &u); done {
		return err
	}
	fmt.Fprintf(a.stdout, "user %d %s (%s) created; give it a token with: ward token create --user %s --name NAME --role %s\n",
		u.ID, u.Name, u.Role, u.Name, u.Role)
	return nil
}

func runUserList(ctx context.Context, a *app, args []string) error {
	fs := a.flagSet("")
	if _, err := a.parse(fs, args, 0, 0); err != nil {
		return err
	}
	users, err := getList[wire.User](ctx, a, "/users", nil)
	if err != nil || a.jsonOut {
		return err
	}
	tw := table(a.stdout, "ID", "NAME", "ROLE", "CREATED", "DISABLED")
	for _, u := range users {
		row(tw, u.ID, u.Name, u.Role, u.CreatedAt, u.DisabledAt)
	}
	return tw.Flush()
}

func runUserDisable(ctx context.Context, a *app, args []string) error {
	id, c, err := a.idAndClient(args, "user")
	if err != nil {
		return err
	}
	if _, err := c.do(ctx, "POST", fmt.Sprintf("/users/%d/disable", id), nil, nil, nil); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "user %d disabled, with all their API tokens\n", id)
	return nil
}

// deleteByID revokes the object prefix+ID.
func (a *app) deleteByID(ctx context.Context, args []string, prefix, what string) error {
	id, c, err := a.idAndClient(args, what)
	if err != nil {
		return err
	}
	if _, err := c.do(ctx, "DELETE", prefix+strconv.FormatInt(id, 10), nil, nil, nil); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "%s %d revoked\n", what, id)
	return nil
}

func orNever(t *time.Time) string {
	if t == nil {
		return "never"
	}
	return fmtTime(t)
}
