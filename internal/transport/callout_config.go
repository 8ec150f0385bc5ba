package transport

import (
	"fmt"
	"strconv"
)

// CalloutAccount is the NATS account of external mode: the Ward server
// (auth user), the results stream and every agent the callout admits
// live in it.
const CalloutAccount = "WARD"

// CalloutConfigSnippet is what an operator adds to the configuration of
// each server of an external NATS cluster so that it asks Ward (through
// the auth callout) who a client is and what it may do. issuerPub is the
// public account nkey signing the answers, authUser the public user nkey
// the Ward server connects with (it bypasses the callout).
//
// Not part of the snippet, since the operator's files and paths decide:
// TLS with verify against the Ward CA and a server certificate agents
// trust (see the comments), and the server-level jetstream block.
func CalloutConfigSnippet(issuerPub, authUser string) string {
	return fmt.Sprintf(`# Ward: per-agent permissions through auth callout (ward server --print-nats-config).
#
# Required beside this block (paths are yours):
#   tls {
#     cert_file: "/etc/nats/ward-nats.crt"  # issued by the Ward CA (agents trust only it), server-auth EKU
#     key_file:  "/etc/nats/ward-nats.key"
#     ca_file:   "/etc/nats/ward-ca.crt"    # DATA_DIR/pki/ca.crt of ward server
#     verify:    true                       # agents authenticate with their client certificates
#   }
#   jetstream { store_dir: "/var/lib/nats/jetstream" }
max_payload: %s

accounts {
  %s {
    jetstream: enabled
    users: [
      # the Ward server itself (nkey seed in DATA_DIR/pki/%s)
      { nkey: %q }
    ]
  }
}

authorization {
  auth_callout {
    # Ward signs the answers with this account key (seed in DATA_DIR/pki/%s)
    issuer: %q
    account: %s
    auth_users: [ %q ]
  }
}
`, strconv.Itoa(MaxPayload), CalloutAccount, ServerUserSeedFile, authUser, CalloutIssuerSeedFile, issuerPub, CalloutAccount, authUser)
}
