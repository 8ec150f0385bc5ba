// Package pki is Ward's private certificate authority: it creates and loads
// the CA and the server certificate, signs agents' certificate requests and
// reads identities back out of certificates.
//
// Identities live in URI SANs ("ward:agent:<id>", "ward:server:<name>")
// and are mirrored in the CommonName; whatever names a request asks for are
// ignored. Only crypto/x509 is used.
package pki
