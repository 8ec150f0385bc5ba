// Package enroll turns a host into an agent: the enrollment token format,
// the server's POST /api/v1/enroll handler and the agent's client for it.
//
// Trust is bootstrapped by the token: it carries the fingerprint of the
// server's CA, so the agent trusts nothing but a server certificate issued
// by that CA, and the server learns from the token's secret that the host
// was invited. See docs/fleet.md.
package enroll
