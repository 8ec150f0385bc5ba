package transport

import "github.com/nats-io/nats-server/v2/server"

// AgentPermissions are all an agent may do on the bus: publish its own
// heartbeats and results, receive its own tasks and the replies to its own
// requests (JetStream PubAcks). Anything else is a permissions violation.
func AgentPermissions(agentID string) *server.Permissions {
	return &server.Permissions{
		Publish: &server.SubjectPermission{
			Allow: []string{HeartbeatSubject(agentID), resultPrefix + agentID + ".>"},
		},
		Subscribe: &server.SubjectPermission{
			Allow: []string{TaskSubject(agentID), InboxPrefix(agentID) + ".>"},
		},
	}
}
