package transport

import (
	"testing"
	"time"
)

const idA = "agt_abcdefghijklmnopqrstuvwxyz"

func TestSubjects(t *testing.T) {
	if got := ResultSubject(idA, "inventory"); got != "ward.result."+idA+".inventory" {
		t.Errorf("ResultSubject = %q", got)
	}
	if TaskSubject(idA) != "ward.task."+idA || HeartbeatSubject(idA) != "ward.hb."+idA || InboxPrefix(idA) != "_INBOX_"+idA {
		t.Error("subject builders disagree with docs/fleet.md")
	}
	tests := []struct {
		subject, agent, kind string
		ok                   bool
	}{
		{"ward.result." + idA + ".inventory", idA, "inventory", true},
		{"ward.result." + idA + ".task-status", idA, "task-status", true},
		{"ward.result." + idA, "", "", false},
		{"ward.result." + idA + ".a.b", "", "", false},
		{"ward.result.agt_x.inventory", "", "", false},
		{"ward.hb." + idA, "", "", false},
	}
	for _, tt := range tests {
		agent, kind, err := ParseResultSubject(tt.subject)
		if (err == nil) != tt.ok || agent != tt.agent || kind != tt.kind {
			t.Errorf("ParseResultSubject(%q) = %q, %q, %v", tt.subject, agent, kind, err)
		}
	}
	if id, err := AgentFromHeartbeatSubject("ward.hb." + idA); err != nil || id != idA {
		t.Errorf("AgentFromHeartbeatSubject = %q, %v", id, err)
	}
	for _, bad := range []string{"ward.hb.*", "ward.task." + idA, "ward.hb." + idA + ".x"} {
		if _, err := AgentFromHeartbeatSubject(bad); err == nil {
			t.Errorf("AgentFromHeartbeatSubject(%q) accepted", bad)
		}
	}
}

func TestAgentPermissionsMatchTheContract(t *testing.T) {
	p := AgentPermissions(idA)
	wantPub := []string{"ward.hb." + idA, "ward.result." + idA + ".>"}
	wantSub := []string{"ward.task." + idA, "_INBOX_" + idA + ".>"}
	if !equal(p.Publish.Allow, wantPub) || !equal(p.Subscribe.Allow, wantSub) || p.Publish.Deny != nil || p.Subscribe.Deny != nil || p.Response != nil {
		t.Errorf("permissions %+v %+v", p.Publish, p.Subscribe)
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestReconnectDelay(t *testing.T) {
	tests := []struct {
		attempts int
		lo, hi   time.Duration
	}{
		{0, 500 * time.Millisecond, time.Second},
		{1, 500 * time.Millisecond, time.Second},
		{2, time.Second, 2 * time.Second},
		{5, 8 * time.Second, 16 * time.Second},
		{8, time.Minute, 2 * time.Minute},
		{1000, time.Minute, 2 * time.Minute},
	}
	for _, tt := range tests {
		for range 50 {
			if d := ReconnectDelay(tt.attempts); d < tt.lo || d > tt.hi {
				t.Fatalf("ReconnectDelay(%d) = %s, want in [%s, %s]", tt.attempts, d, tt.lo, tt.hi)
			}
		}
	}
}
