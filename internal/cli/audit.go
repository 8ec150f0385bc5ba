package cli

import (
	"context"
	"net/url"

	"github.com/ward-sec/ward/internal/api/wire"
)

func runAudit(ctx context.Context, a *app, args []string) error {
	fs := a.flagSet("[--actor USER] [--action ACTION] [--target TARGET] [--since 24h|TIME] [--until TIME]")
	actor := fs.String("actor", "", "only this user's actions")
	action := fs.String("action", "", "only this action, e.g. task.create")
	target := fs.String("target", "", "only this target, e.g. task:7")
	since := fs.String("since", "", "from this RFC 3339 time, or this long ago (24h)")
	until := fs.String("until", "", "before this RFC 3339 time, or this long ago")
	var page pageFlags
	page.add(fs)
	if _, err := a.parse(fs, args, 0, 0); err != nil {
		return err
	}
	q := url.Values{}
	setIf(q, "actor", *actor)
	setIf(q, "action", *action)
	setIf(q, "target", *target)
	setIf(q, "since", *since)
	setIf(q, "until", *until)
	c, err := a.client()
	if err != nil {
		return err
	}
	entries, next, err := list[wire.AuditEntry](ctx, a, c, "/audit", q, page)
	if err != nil || a.jsonOut {
		return err
	}
	tw := table(a.stdout, "ID", "TIME", "ACTOR", "ACTION", "TARGET", "DETAILS")
	for _, e := range entries {
		row(tw, e.ID, e.At, e.Actor, e.Action, e.Target, string(e.Details))
	}
	a.more(next)
	return tw.Flush()
}
