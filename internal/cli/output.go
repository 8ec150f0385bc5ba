package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ward-sec/ward/internal/api/wire"
)

// printJSON writes the server's JSON answer, indented.
func (a *app) printJSON(raw []byte) error {
	var b bytes.Buffer
	if err := json.Indent(&b, raw, "", "  "); err != nil {
		b.Reset()
		b.Write(raw)
	}
	if !bytes.HasSuffix(b.Bytes(), []byte("\n")) {
		b.WriteByte('\n')
	}
	_, err := a.stdout.Write(b.Bytes())
	return err
}

// table starts a table with the given column headers.
func table(w io.Writer, headers ...string) *tabwriter.Writer {
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(headers, "\t"))
	return tw
}

// row writes one table row.
func row(tw *tabwriter.Writer, cells ...any) {
	s := make([]string, len(cells))
	for i, c := range cells {
		s[i] = cell(c)
	}
	fmt.Fprintln(tw, strings.Join(s, "\t"))
}

// cell formats a value for a table: tabs and newlines would break it.
func cell(v any) string {
	var s string
	switch x := v.(type) {
	case *time.Time:
		s = fmtTime(x)
	case map[string]string:
		s = fmtLabels(x)
	case bool:
		s = map[bool]string{true: "yes", false: "no"}[x]
	case string:
		s = x
	default:
		s = fmt.Sprint(v)
	}
	if s == "" {
		return "-"
	}
	return strings.NewReplacer("\t", " ", "\n", " ", "\r", " ").Replace(s)
}

func fmtTime(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04:05Z")
}

func fmtLabels(m map[string]string) string {
	var out []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, k+"="+m[k])
	}
	return strings.Join(out, ",")
}

// pageFlags are the paging flags of list commands.
type pageFlags struct {
	limit  int
	cursor string
	all    bool
}

func (p *pageFlags) add(fs interface {
	IntVar(*int, string, int, string)
	StringVar(*string, string, string, string)
	BoolVar(*bool, string, bool, string)
}) {
	fs.IntVar(&p.limit, "limit", 100, "items per page (at most 1000)")
	fs.StringVar(&p.cursor, "cursor", "", "continue from this cursor (printed after a page)")
	fs.BoolVar(&p.all, "all", false, "fetch every page")
}

// list fetches a list endpoint, page by page if --all, and returns the
// items and the next cursor. With --json each page is printed as it comes.
func list[T any](ctx context.Context, a *app, c *client, path string, q url.Values, p pageFlags) ([]T, string, error) {
	if q == nil {
		q = url.Values{}
	}
	q.Set("limit", strconv.Itoa(p.limit))
	cursor := p.cursor
	var items []T
	for {
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		var page struct {
			Items      []T    `json:"items"`
			NextCursor string `json:"next_cursor"`
		}
		raw, err := c.do(ctx, "GET", path, q, nil, &page)
		if err != nil {
			return nil, "", err
		}
		if a.jsonOut {
			if err := a.printJSON(raw); err != nil {
				return nil, "", err
			}
		}
		items = append(items, page.Items...)
		cursor = page.NextCursor
		if !p.all || cursor == "" {
			return items, cursor, nil
		}
	}
}

// getList fetches an unpaged list endpoint and returns its items; with
// --json it prints the answer instead.
func getList[T any](ctx context.Context, a *app, path string, q url.Values) ([]T, error) {
	c, err := a.client()
	if err != nil {
		return nil, err
	}
	var l wire.List[T]
	if done, err := a.send(ctx, c, "GET", path, q, nil, &l); done {
		return nil, err
	}
	return l.Items, nil
}

// send sends a request, decoding the answer into out. With --json it
// prints the answer: done says the command has nothing more to print
// (that, or it failed).
func (a *app) send(ctx context.Context, c *client, method, path string, q url.Values, body, out any) (done bool, err error) {
	raw, err := c.do(ctx, method, path, q, body, out)
	if err != nil {
		return true, err
	}
	if a.jsonOut {
		return true, a.printJSON(raw)
	}
	return false, nil
}

// more tells the user how to get the next page.
func (a *app) more(cursor string) {
	if cursor != "" && !a.jsonOut {
		fmt.Fprintf(a.stderr, "(more: add --cursor %s, or --all)\n", cursor)
	}
}
