package api

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/ward-sec/ward/internal/api/wire"
	"github.com/ward-sec/ward/internal/store"
)

// Error is an answer to a request the client got wrong (4xx); its message
// is shown to the client as is. Anything else a handler returns is a 500
// whose detail only goes to the log.
type Error struct {
	Status int
	Msg    string
	Field  string
}

func (e *Error) Error() string { return e.Msg }

func badRequest(field, format string, args ...any) *Error {
	return &Error{Status: http.StatusBadRequest, Msg: fmt.Sprintf(format, args...), Field: field}
}

func notFound(format string, args ...any) *Error {
	return &Error{Status: http.StatusNotFound, Msg: fmt.Sprintf(format, args...)}
}

// writeJSON sends v with status. It marshals before writing anything, so a
// returned error leaves the response untouched; a failed write means the
// client has gone and is not reported.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode response: %w", err)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
	return nil
}

func writeError(w http.ResponseWriter, e *Error) {
	_ = writeJSON(w, e.Status, wire.Error{Error: e.Msg, Field: e.Field})
}

// noContent answers a successful call with nothing to say.
func noContent(w http.ResponseWriter) error {
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// wrap puts authentication, the role check and error answers around a
// handler.
func (s *server) wrap(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reqID := newRequestID()
		w.Header().Set("X-Request-Id", reqID)
		start := time.Now()
		var actor string
		var err error
		if rt.Role != "" {
			var p store.Principal
			p, err = s.authenticate(r)
			if err == nil {
				actor = p.UserName
				err = authorize(p, rt.Role)
			}
			if err == nil {
				r = r.WithContext(withPrincipal(r.Context(), p))
			}
		}
		if err == nil {
			r.Body = http.MaxBytesReader(w, r.Body, MaxBodyBytes)
			err = rt.Handler(w, r)
		}
		if err != nil {
			s.fail(w, r, reqID, err)
		}
		s.log.Debug("api: request", "id", reqID, "method", r.Method, "path", r.URL.Path, "actor", actor,
			"took", time.Since(start), "err", err)
	})
}

// fail answers a handler's error.
func (s *server) fail(w http.ResponseWriter, r *http.Request, reqID string, err error) {
	var e *Error
	switch {
	case errors.As(err, &e):
		if e.Status == http.StatusUnauthorized {
			w.Header().Set("WWW-Authenticate", `Bearer realm="ward"`)
		}
		writeError(w, e)
	case errors.Is(err, store.ErrNotFound):
		writeError(w, notFound("not found"))
	case errors.Is(err, context.Canceled) && r.Context().Err() != nil:
		// The client went away; there is nobody to answer.
	default:
		s.log.Error("api: internal error", "request_id", reqID, "method", r.Method, "path", r.URL.Path, "err", err)
		_ = writeJSON(w, http.StatusInternalServerError, wire.Error{
			Error: "internal error (request id " + reqID + ")", RequestID: reqID})
	}
}

func newRequestID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// decodeJSON reads the request body into dst strictly: one JSON value, no
// unknown fields, at most MaxBodyBytes. An empty body is accepted when
// optional is set (dst is left as it is).
func decodeJSON(r *http.Request, dst any, optional bool) error {
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(r.Body); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return &Error{Status: http.StatusRequestEntityTooLarge, Msg: fmt.Sprintf("request body is larger than %d bytes", MaxBodyBytes)}
		}
		return badRequest("", "reading request body: %v", err)
	}
	if len(bytes.TrimSpace(buf.Bytes())) == 0 {
		if optional {
			return nil
		}
		return badRequest("", "request body is empty; send a JSON object")
	}
	dec := json.NewDecoder(&buf)
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return jsonError(err)
	}
	if dec.More() {
		return badRequest("", "request body has data after the JSON value")
	}
	return nil
}

// jsonError turns a decoding error into a 400 naming the field at fault.
func jsonError(err error) *Error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return badRequest("", "malformed JSON at byte %d: %v", syntax.Offset, err)
	case errors.As(err, &typ):
		if typ.Field == "" {
			return badRequest("", "request body must be %s, not %s", typeName(typ.Type.Kind().String()), typ.Value)
		}
		return badRequest(typ.Field, "field %q must be %s, not %s", typ.Field, typeName(typ.Type.Kind().String()), typ.Value)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return badRequest("", "malformed JSON: unexpected end of body")
	}
	if field, ok := unknownField(err.Error()); ok {
		return badRequest(field, "unknown field %q", field)
	}
	// Errors from UnmarshalText/UnmarshalJSON of the body's types.
	return badRequest("", "invalid request body: %v", err)
}

func typeName(kind string) string {
	switch kind {
	case "struct", "map":
		return "an object"
	case "slice", "array":
		return "an array"
	case "int", "int64", "int32", "uint", "uint64", "float64":
		return "a number"
	case "bool":
		return "a boolean"
	case "string":
		return "a string"
	}
	return kind
}

// unknownField extracts the name from encoding/json's
// `json: unknown field "name"`, which has no error type of its own.
func unknownField(msg string) (string, bool) {
	_, rest, ok := strings.Cut(msg, "unknown field ")
	if !ok {
		return "", false
	}
	name, err := strconv.Unquote(rest)
	if err != nil {
		return strings.Trim(rest, `"`), true
	}
	return name, true
}
