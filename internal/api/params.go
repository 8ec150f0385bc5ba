package api

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/ward-sec/ward/internal/api/wire"
)

// Page sizes of list endpoints, and result caps of fleet queries.
const (
	defaultPageLimit  = 100
	maxPageLimit      = 1000
	defaultQueryLimit = 1000
	maxQueryLimit     = 10000
)

// pageLimit reads ?limit= of a list endpoint.
func pageLimit(q url.Values) (int, error) {
	return limitParam(q, defaultPageLimit, maxPageLimit)
}

// queryLimit reads ?limit= of a fleet query.
func queryLimit(q url.Values) (int, error) {
	return limitParam(q, defaultQueryLimit, maxQueryLimit)
}

func limitParam(q url.Values, def, most int) (int, error) {
	v := q.Get("limit")
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > most {
		return 0, badRequest("limit", "limit must be a whole number from 1 to %d, got %q", most, v)
	}
	return n, nil
}

// offsetCursor reads ?cursor= of a list the store pages by offset: the
// cursor is the offset of the next page.
func offsetCursor(q url.Values) (int, error) {
	c := q.Get("cursor")
	if c == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(c)
	if err != nil || n < 0 {
		return 0, badRequest("cursor", "invalid cursor %q", c)
	}
	return n, nil
}

// offsetPage reads ?limit= and ?cursor= of a list the store pages by
// offset.
func offsetPage(q url.Values) (lim, off int, err error) {
	if lim, err = pageLimit(q); err != nil {
		return 0, 0, err
	}
	if off, err = offsetCursor(q); err != nil {
		return 0, 0, err
	}
	return lim, off, nil
}

// listPage is the answer of a list endpoint over rows read one past the
// page (limit lim+1): a row past lim means there is a next page, whose
// cursor next makes of the page's last row.
func listPage[T, V any](rows []T, lim int, view func(T) V, next func(last T) string) wire.List[V] {
	out := wire.List[V]{Items: []V{}}
	if len(rows) > lim {
		rows = rows[:lim]
		out.NextCursor = next(rows[lim-1])
	}
	for _, r := range rows {
		out.Items = append(out.Items, view(r))
	}
	return out
}

// offsetNext is the next cursor of a list paged by offset: the offset of
// the next page.
func offsetNext[T any](off, lim int) func(T) string {
	return func(T) string { return strconv.Itoa(off + lim) }
}

// boolParam reads an optional boolean parameter.
func boolParam(q url.Values, name string) (*bool, error) {
	v := q.Get(name)
	if v == "" {
		return nil, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return nil, badRequest(name, "%s must be true or false, got %q", name, v)
	}
	return &b, nil
}

// intParam reads an optional integer parameter.
func intParam(q url.Values, name string) (*int, error) {
	v := q.Get(name)
	if v == "" {
		return nil, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return nil, badRequest(name, "%s must be a whole number, got %q", name, v)
	}
	return &n, nil
}

// pathID reads a numeric id from the path.
func pathID(r *http.Request, name string) (int64, error) {
	v := r.PathValue(name)
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return 0, badRequest(name, "%s must be a positive whole number, got %q", name, v)
	}
	return id, nil
}

// labelParams reads repeated ?label=k=v parameters.
func labelParams(q url.Values) (map[string]string, error) {
	vals := q["label"]
	if len(vals) == 0 {
		return nil, nil
	}
	out := make(map[string]string, len(vals))
	for _, kv := range vals {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, badRequest("label", "label must be key=value, got %q", kv)
		}
		out[k] = v
	}
	return out, nil
}

// checkLabels validates labels given in a body: keys are what a label
// selector (key=value) can name.
func checkLabels(field string, labels map[string]string) error {
	for k, v := range labels {
		switch {
		case k == "" || len(k) > 63:
			return badRequest(field, "label key %q must be 1 to 63 characters", k)
		case strings.ContainsAny(k, "=,\x00") || strings.TrimSpace(k) != k:
			return badRequest(field, "label key %q must not contain '=', ',' or surrounding spaces", k)
		case len(v) > 255 || strings.ContainsRune(v, 0):
			return badRequest(field, "label %q: value must be at most 255 characters", k)
		}
	}
	return nil
}
