// Package transport is the fleet's message bus: the embedded NATS server
// with per-agent permissions bound to client certificates, the JetStream
// stream of results, and the client helpers agents and the server connect
// and publish with. Subjects and permissions are those of docs/fleet.md.
package transport
