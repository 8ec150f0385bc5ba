package transport

import (
	"fmt"
	"strings"

	"github.com/ward-sec/ward/internal/pki"
)

// Subjects and names fixed by docs/fleet.md.
const (
	taskPrefix      = "ward.task."
	heartbeatPrefix = "ward.hb."
	resultPrefix    = "ward.result."
	inboxPrefix     = "_INBOX_"

	// AllHeartbeats is what the server subscribes to for heartbeats.
	AllHeartbeats = heartbeatPrefix + "*"
	// AllResults are the subjects of the results stream.
	AllResults = resultPrefix + ">"
	// ResultsStream is the JetStream stream holding agents' results.
	ResultsStream = "WARD_RESULTS"
	// IngestConsumer is the server's durable pull consumer on it.
	IngestConsumer = "ward-ingest"
)

// TaskSubject is where the server sends agent's task runs.
func TaskSubject(agentID string) string { return taskPrefix + agentID }

// HeartbeatSubject is where agent publishes its heartbeats.
func HeartbeatSubject(agentID string) string { return heartbeatPrefix + agentID }

// ResultSubject is where agent publishes results of kind.
func ResultSubject(agentID, kind string) string { return resultPrefix + agentID + "." + kind }

// InboxPrefix is the reply-subject prefix of agent's connection, the only
// inbox it may subscribe to.
func InboxPrefix(agentID string) string { return inboxPrefix + agentID }

// AgentFromHeartbeatSubject returns the agent id of a heartbeat subject.
// Permissions make the subject trustworthy: an agent can publish only
// under its own id, so the server takes the id from here, not the body.
func AgentFromHeartbeatSubject(subject string) (string, error) {
	id, ok := strings.CutPrefix(subject, heartbeatPrefix)
	if !ok {
		return "", fmt.Errorf("subject %q is not a heartbeat subject", subject)
	}
	if err := pki.ValidAgentID(id); err != nil {
		return "", fmt.Errorf("subject %q: %w", subject, err)
	}
	return id, nil
}

// ParseResultSubject splits ward.result.<agent>.<kind>; like heartbeats,
// the agent id from the subject is the authoritative one.
func ParseResultSubject(subject string) (agentID, kind string, err error) {
	rest, ok := strings.CutPrefix(subject, resultPrefix)
	if !ok {
		return "", "", fmt.Errorf("subject %q is not a result subject", subject)
	}
	agentID, kind, ok = strings.Cut(rest, ".")
	if !ok {
		return "", "", fmt.Errorf("subject %q has no result kind", subject)
	}
	if err := pki.ValidAgentID(agentID); err != nil {
		return "", "", fmt.Errorf("subject %q: %w", subject, err)
	}
	if err := validKind(kind); err != nil {
		return "", "", fmt.Errorf("subject %q: %w", subject, err)
	}
	return agentID, kind, nil
}

// validKind: one subject token of lowercase letters, digits and '-'.
func validKind(kind string) error {
	if kind == "" || len(kind) > 64 {
		return fmt.Errorf("result kind %q: want 1 to 64 characters", kind)
	}
	for _, r := range kind {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return fmt.Errorf("result kind %q: only a-z, 0-9 and '-' are allowed", kind)
		}
	}
	return nil
}
