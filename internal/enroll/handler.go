package enroll

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"mime"
	"net/http"
	"time"

	"github.com/ward-sec/ward/internal/pki"
)

// HandlerConfig is what the enrollment handler works with.
type HandlerConfig struct {
	Store Store
	CA    Signer
	// NATSURLs are returned to agents: where they connect next.
	NATSURLs []string
	// Audit is called once per attempt, successful or not; may be nil.
	Audit func(context.Context, AuditEvent)
	// CertValidity of agent certificates; default pki.AgentCertValidity.
	CertValidity time.Duration
	// Logger for server-side failures; default slog.Default().
	Logger *slog.Logger
	// Now is the clock for audit events; default time.Now.
	Now func() time.Time
}

type handler struct {
	cfg HandlerConfig
}

// NewHandler returns the http.Handler for POST /api/v1/enroll.
func NewHandler(cfg HandlerConfig) (http.Handler, error) {
	if cfg.Store == nil || cfg.CA == nil {
		return nil, errors.New("enroll handler: store and CA are required")
	}
	if len(cfg.NATSURLs) == 0 {
		return nil, errors.New("enroll handler: no NATS URLs to give agents")
	}
	if cfg.CertValidity <= 0 {
		cfg.CertValidity = pki.AgentCertValidity
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &handler{cfg: cfg}, nil
}

// outcome is how an attempt ended: the HTTP answer and the audit record.
type outcome struct {
	status  int
	message string // to the client
	reason  string // to the audit log
	kind    string
}

func deny(status int, message, reason string) *outcome {
	return &outcome{status: status, message: message, reason: reason, kind: OutcomeDenied}
}

func reject(status int, format string, args ...any) *outcome {
	msg := fmt.Sprintf(format, args...)
	return &outcome{status: status, message: msg, reason: msg, kind: OutcomeRejected}
}

func failure(reason string) *outcome {
	return &outcome{status: http.StatusInternalServerError, message: "enrollment failed on the server", reason: reason, kind: OutcomeError}
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ev := AuditEvent{Time: h.cfg.Now(), RemoteAddr: r.RemoteAddr}
	res, out := h.enroll(w, r, &ev)
	if out != nil {
		ev.Outcome, ev.Status, ev.Reason = out.kind, out.status, out.reason
		if out.kind == OutcomeError {
			h.cfg.Logger.Error("agent enrollment failed", "remote", r.RemoteAddr, "hostname", ev.Hostname, "error", out.reason)
		}
		if out.status == http.StatusMethodNotAllowed {
			w.Header().Set("Allow", http.MethodPost)
		}
		writeJSON(w, out.status, errorBody{Error: out.message})
	} else {
		ev.Outcome, ev.Status = OutcomeEnrolled, http.StatusOK
		writeJSON(w, http.StatusOK, res)
	}
	if h.cfg.Audit != nil {
		h.cfg.Audit(r.Context(), ev)
	}
}

// enroll runs one attempt. Everything that can be checked without the
// store is checked first, so a bad request never uses up a token.
func (h *handler) enroll(w http.ResponseWriter, r *http.Request, ev *AuditEvent) (*Result, *outcome) {
	if r.Method != http.MethodPost {
		return nil, reject(http.StatusMethodNotAllowed, "method %s not allowed, use POST", r.Method)
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return nil, reject(http.StatusUnsupportedMediaType, "Content-Type must be application/json")
	}
	req, out := decodeRequest(w, r)
	if out != nil {
		return nil, out
	}
	ev.Hostname = req.Host.Hostname

	tok, err := ParseToken(req.Token)
	if err != nil {
		return nil, deny(http.StatusUnauthorized, "enrollment token rejected", err.Error())
	}
	if tok.CAFingerprint != h.cfg.CA.Fingerprint() {
		return nil, deny(http.StatusUnauthorized, "enrollment token rejected", "token pins CA "+tok.CAFingerprint+", not this server's")
	}
	if err := validateFacts(req.Host); err != nil {
		return nil, reject(http.StatusBadRequest, "%v", err)
	}
	if err := ValidateLabels(req.Labels); err != nil {
		return nil, reject(http.StatusBadRequest, "labels: %v", err)
	}
	if _, err := pki.ParseCSR([]byte(req.CSRPEM)); err != nil {
		return nil, reject(http.StatusBadRequest, "csr_pem: %v", err)
	}

	ctx := r.Context()
	tokenLabels, err := h.cfg.Store.ConsumeToken(ctx, tok.SecretHash())
	switch {
	case errors.Is(err, ErrTokenExpired), errors.Is(err, ErrTokenUsedUp):
		return nil, deny(http.StatusGone, "enrollment token expired or used up", err.Error())
	case errors.Is(err, ErrTokenUnknown), errors.Is(err, ErrTokenRevoked):
		return nil, deny(http.StatusUnauthorized, "enrollment token rejected", err.Error())
	case err != nil:
		return nil, failure("consume token: " + err.Error())
	}

	// The token's labels are the administrator's: they win over the host's.
	labels := maps.Clone(req.Labels)
	if labels == nil && len(tokenLabels) > 0 {
		labels = map[string]string{}
	}
	maps.Copy(labels, tokenLabels)

	agentID, hostID, err := h.cfg.Store.RegisterAgent(ctx, req.Host, labels)
	if err != nil {
		return nil, failure("register agent: " + err.Error())
	}
	ev.AgentID, ev.HostID = agentID, hostID
	if err := pki.ValidAgentID(agentID); err != nil {
		return nil, failure("store returned an unusable agent id: " + err.Error())
	}
	certPEM, err := h.cfg.CA.SignAgentCSR([]byte(req.CSRPEM), agentID, h.cfg.CertValidity)
	if err != nil {
		return nil, failure("sign agent certificate: " + err.Error())
	}
	if rec, ok := h.cfg.Store.(AgentCertRecorder); ok {
		cert, err := pki.ParseCertPEM(certPEM)
		if err != nil {
			return nil, failure("parse issued certificate: " + err.Error())
		}
		sum := sha256.Sum256(cert.Raw)
		if err := rec.RecordAgentCert(ctx, agentID, hex.EncodeToString(sum[:]), cert.SerialNumber.Text(16)); err != nil {
			return nil, failure("record agent certificate: " + err.Error())
		}
	}
	return &Result{
		AgentID:  agentID,
		HostID:   hostID,
		CertPEM:  string(certPEM),
		CAPEM:    string(h.cfg.CA.CertPEM()),
		NATSURLs: h.cfg.NATSURLs,
	}, nil
}

// decodeRequest reads exactly one JSON object of known fields, at most
// MaxRequestBytes long.
func decodeRequest(w http.ResponseWriter, r *http.Request) (*Request, *outcome) {
	body := http.MaxBytesReader(w, r.Body, MaxRequestBytes)
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	var req Request
	var tooBig *http.MaxBytesError
	err := dec.Decode(&req)
	if err == nil {
		if extra := dec.Decode(&json.RawMessage{}); extra != io.EOF {
			err = errors.New("data after the JSON object")
			if errors.As(extra, &tooBig) {
				err = extra
			}
		}
	}
	switch {
	case errors.As(err, &tooBig):
		return nil, reject(http.StatusRequestEntityTooLarge, "request body larger than %d bytes", MaxRequestBytes)
	case err != nil:
		return nil, reject(http.StatusBadRequest, "malformed JSON request: %v", err)
	}
	if req.Token == "" || req.CSRPEM == "" {
		return nil, reject(http.StatusBadRequest, "token and csr_pem are required")
	}
	return &req, nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
