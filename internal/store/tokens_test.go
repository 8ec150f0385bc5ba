package store

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ward-sec/ward/internal/model"
)

func TestEnrollmentTokenConsumeRace(t *testing.T) {
	each(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := b.open(t)
		secret, tok, err := s.CreateEnrollmentToken(ctx, NewEnrollmentToken{MaxUses: 3, TTL: time.Hour, CreatedBy: "admin", Labels: map[string]string{"env": "prod"}})
		if err != nil {
			t.Fatal(err)
		}
		var ok, invalid atomic.Int32
		var wg sync.WaitGroup
		for range 24 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := s.ConsumeEnrollmentToken(ctx, secret)
				switch {
				case err == nil:
					ok.Add(1)
				case errors.Is(err, ErrTokenInvalid):
					invalid.Add(1)
				default:
					t.Errorf("consume: %v", err)
				}
			}()
		}
		wg.Wait()
		if ok.Load() != 3 || invalid.Load() != 21 {
			t.Fatalf("%d consumers succeeded, %d refused; want 3 and 21", ok.Load(), invalid.Load())
		}
		toks, err := s.EnrollmentTokens(ctx)
		if err != nil || len(toks) != 1 || toks[0].Uses != 3 || toks[0].ID != tok.ID || toks[0].Labels["env"] != "prod" {
			t.Fatalf("token after race: %+v %v", toks, err)
		}
		var stored string
		if err := s.reader().queryRow(ctx, `SELECT token_hash FROM enrollment_tokens`).Scan(&stored); err != nil || stored == secret || stored != hashSecret(secret) {
			t.Fatalf("stored %q for the secret", stored)
		}
	})
}

func TestEnrollmentTokenExpiryAndRevocation(t *testing.T) {
	each(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		clk := newClock()
		s := b.open(t, WithClock(clk.Now))
		exp, _, _ := s.CreateEnrollmentToken(ctx, NewEnrollmentToken{MaxUses: 5, TTL: time.Minute, CreatedBy: "admin"})
		rev, rt, _ := s.CreateEnrollmentToken(ctx, NewEnrollmentToken{MaxUses: 5, TTL: time.Hour, CreatedBy: "admin"})
		if err := s.RevokeEnrollmentToken(ctx, rt.ID); err != nil {
			t.Fatal(err)
		}
		clk.Add(2 * time.Minute)
		for name, secret := range map[string]string{"expired": exp, "revoked": rev, "unknown": enrollTokenPrefix + "nope", "foreign": "xyz"} {
			if _, err := s.ConsumeEnrollmentToken(ctx, secret); !errors.Is(err, ErrTokenInvalid) {
				t.Errorf("%s token: %v", name, err)
			}
		}
		if _, _, err := s.CreateEnrollmentToken(ctx, NewEnrollmentToken{MaxUses: 0, TTL: time.Hour, CreatedBy: "x"}); err == nil {
			t.Error("token with max uses 0 created")
		}
	})
}

func TestEnrollAgentLifecycle(t *testing.T) {
	each(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := b.open(t)
		secret, _, _ := s.CreateEnrollmentToken(ctx, NewEnrollmentToken{MaxUses: 2, TTL: time.Hour, CreatedBy: "admin", Labels: map[string]string{"env": "prod", "team": "web"}})
		mh := &model.Host{MachineID: "abc", DMI: &model.DMI{ProductUUID: "EC2-1"}}
		req := EnrollRequest{
			Host:  HostInfo{IdentityKey: HostIdentity(mh), Hostname: "web-1", OSID: "debian", OSVersion: "12", Labels: map[string]string{"team": "api"}},
			Agent: NewAgent{CredentialID: "UAGENTNKEY1", CertFingerprint: "sha256:aa", CertSerial: "01", Version: "0.1.0"},
		}
		h, a, err := s.Enroll(ctx, secret, req)
		if err != nil {
			t.Fatal(err)
		}
		if h.AgentStatus != AgentEnrolled || h.Labels["env"] != "prod" || h.Labels["team"] != "api" || a.HostID != h.ID {
			t.Fatalf("enrolled: %+v %+v", h, a)
		}
		// The same credential again fails and leaves the token's use unspent.
		if _, _, err := s.Enroll(ctx, secret, req); !errors.Is(err, ErrConflict) {
			t.Fatalf("second enrolment with the same credential: %v", err)
		}
		toks, _ := s.EnrollmentTokens(ctx)
		if toks[0].Uses != 1 {
			t.Fatalf("failed enrolment spent the token: %d uses", toks[0].Uses)
		}
		got, err := s.AgentByCredential(ctx, "UAGENTNKEY1")
		if err != nil || got.ID != a.ID {
			t.Fatalf("by credential: %+v %v", got, err)
		}
		if err := s.RecordHeartbeat(ctx, a.ID, Heartbeat{Version: "0.1.1", CPUPercent: 0.4, RSSBytes: 30 << 20}); err != nil {
			t.Fatal(err)
		}
		got, _ = s.Agent(ctx, a.ID)
		if got.Version != "0.1.1" || got.RSSBytes != 30<<20 || got.LastHeartbeat.IsZero() {
			t.Fatalf("after heartbeat: %+v", got)
		}
		if err := s.RevokeAgent(ctx, a.ID); err != nil {
			t.Fatal(err)
		}
		if got, err := s.AgentByCredential(ctx, "UAGENTNKEY1"); !errors.Is(err, ErrRevoked) || got.ID != a.ID {
			t.Fatalf("revoked agent by credential: %v", err)
		}
		if err := s.RecordHeartbeat(ctx, a.ID, Heartbeat{}); !errors.Is(err, ErrRevoked) {
			t.Fatalf("heartbeat of a revoked agent: %v", err)
		}
		if h, _ = s.Host(ctx, h.ID); h.AgentStatus != AgentRevoked {
			t.Fatalf("host status after revocation: %s", h.AgentStatus)
		}
		// Re-enrolment of the same machine finds the same host.
		req.Agent.CredentialID, req.Agent.CertFingerprint = "UAGENTNKEY2", "sha256:bb"
		h2, _, err := s.Enroll(ctx, secret, req)
		if err != nil || h2.ID != h.ID || h2.AgentStatus != AgentEnrolled {
			t.Fatalf("re-enrolment: %+v %v", h2, err)
		}
		if _, err := s.AgentByCredential(ctx, "nope"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("unknown credential: %v", err)
		}
		if agents, _ := s.HostAgents(ctx, h.ID); len(agents) != 2 {
			t.Fatalf("%d agents", len(agents))
		}
	})
}

func TestAPITokens(t *testing.T) {
	each(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		clk := newClock()
		s := b.open(t, WithClock(clk.Now))
		op, err := s.CreateUser(ctx, "olga", RoleOperator)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateUser(ctx, "olga", RoleViewer); !errors.Is(err, ErrConflict) {
			t.Fatalf("duplicate user: %v", err)
		}
		if _, _, err := s.CreateAPIToken(ctx, op.ID, "too much", RoleAdmin, 0); err == nil {
			t.Fatal("operator got an admin token")
		}
		secret, tok, err := s.CreateAPIToken(ctx, op.ID, "ci", RoleViewer, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		p, err := s.VerifyAPIToken(ctx, secret)
		if err != nil || p.UserName != "olga" || p.Role != RoleViewer || p.TokenID != tok.ID {
			t.Fatalf("verify: %+v %v", p, err)
		}
		if !p.Role.Allows(RoleViewer) || p.Role.Allows(RoleOperator) {
			t.Fatal("role ordering")
		}
		toks, _ := s.APITokens(ctx, op.ID)
		if len(toks) != 1 || toks[0].LastUsedAt.IsZero() {
			t.Fatalf("last use not recorded: %+v", toks)
		}
		if _, err := s.VerifyAPIToken(ctx, secret+"x"); !errors.Is(err, ErrTokenInvalid) {
			t.Fatalf("wrong token: %v", err)
		}
		clk.Add(2 * time.Hour)
		if _, err := s.VerifyAPIToken(ctx, secret); !errors.Is(err, ErrTokenInvalid) {
			t.Fatalf("expired token: %v", err)
		}
		forever, tok2, _ := s.CreateAPIToken(ctx, op.ID, "forever", RoleOperator, 0)
		if _, err := s.VerifyAPIToken(ctx, forever); err != nil {
			t.Fatal(err)
		}
		if err := s.RevokeAPIToken(ctx, tok2.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.VerifyAPIToken(ctx, forever); !errors.Is(err, ErrTokenInvalid) {
			t.Fatalf("revoked token: %v", err)
		}
		third, _, _ := s.CreateAPIToken(ctx, op.ID, "third", RoleOperator, 0)
		if err := s.DisableUser(ctx, op.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.VerifyAPIToken(ctx, third); !errors.Is(err, ErrTokenInvalid) {
			t.Fatalf("token of a disabled user: %v", err)
		}
		var hash string
		_ = s.reader().queryRow(ctx, `SELECT token_hash FROM api_tokens WHERE id = ?`, tok.ID).Scan(&hash)
		if hash != hashSecret(secret) {
			t.Fatal("token not stored as its hash")
		}
	})
}

func TestAudit(t *testing.T) {
	each(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		clk := newClock()
		s := b.open(t, WithClock(clk.Now))
		for i, a := range []string{"token.create", "host.delete", "token.create"} {
			clk.Add(time.Minute)
			if _, err := s.AppendAudit(ctx, AuditEntry{Actor: []string{"olga", "ivan", "olga"}[i], Action: a, Target: "x", Details: []byte(`{"n":1}`)}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.AppendAudit(ctx, AuditEntry{Actor: "a", Action: "b", Details: []byte(`{`)}); err == nil {
			t.Fatal("invalid details accepted")
		}
		all, err := s.Audit(ctx, AuditFilter{})
		if err != nil || len(all) != 3 || all[0].Action != "token.create" || all[0].At.Before(all[2].At) || string(all[0].Details) == "" {
			t.Fatalf("list: %+v %v", all, err)
		}
		olga, _ := s.Audit(ctx, AuditFilter{Actor: "olga"})
		since, _ := s.Audit(ctx, AuditFilter{Since: all[1].At})
		page, _ := s.Audit(ctx, AuditFilter{BeforeID: all[0].ID, Limit: 1})
		if len(olga) != 2 || len(since) != 2 || len(page) != 1 || page[0].ID != all[1].ID {
			t.Fatalf("filters: %d %d %+v", len(olga), len(since), page)
		}
	})
}

func TestEnrollmentTokenByHashAndReasons(t *testing.T) {
	each(t, func(t *testing.T, b backend) {
		s := b.open(t)
		ctx := context.Background()
		hash := hashSecret("caller-made-secret")
		tok, err := s.CreateEnrollmentTokenHash(ctx, hash, NewEnrollmentToken{MaxUses: 1, TTL: time.Hour, CreatedBy: "test"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.ConsumeEnrollmentTokenHash(ctx, hash); err != nil {
			t.Fatalf("first use: %v", err)
		}
		if _, err := s.ConsumeEnrollmentTokenHash(ctx, hash); !errors.Is(err, ErrTokenUsedUp) || !errors.Is(err, ErrTokenInvalid) {
			t.Fatalf("second use: %v, want ErrTokenUsedUp", err)
		}
		if _, err := s.ConsumeEnrollmentTokenHash(ctx, hashSecret("other")); !errors.Is(err, ErrTokenUnknown) {
			t.Fatalf("unknown: %v", err)
		}
		hash2 := hashSecret("second")
		tok2, err := s.CreateEnrollmentTokenHash(ctx, hash2, NewEnrollmentToken{MaxUses: 5, TTL: time.Hour, CreatedBy: "test"})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.RevokeEnrollmentToken(ctx, tok2.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ConsumeEnrollmentTokenHash(ctx, hash2); !errors.Is(err, ErrTokenRevoked) {
			t.Fatalf("revoked: %v", err)
		}
		_ = tok
	})
}
