package weakpass

import (
	"fmt"
	"strings"

	"github.com/ward-sec/ward/internal/model"
	"github.com/ward-sec/ward/internal/weakpass/crack"
	"github.com/ward-sec/ward/internal/weakpass/source"
)

// Finding rules.
const (
	RuleWeak      = "weakpass/weak-password"
	RuleEmpty     = "weakpass/empty-password"
	RuleScheme    = "weakpass/weak-hash-scheme"
	RulePlaintext = "weakpass/plaintext-password"
	RuleSSHKey    = "weakpass/unencrypted-ssh-key"
	RuleLeaked    = "weakpass/leaked-password"
	// RuleNotChecked lists what could not be tested, so the server knows
	// a host's silence is not "no weak password".
	RuleNotChecked = "weakpass/not-checked"
)

// notCheckedFinding is the info finding listing the stores and accounts
// that could not be tested; ok is false when everything was.
func notCheckedFinding(rule, title string, unchecked []source.Unchecked, tested int) (model.Finding, bool) {
	if len(unchecked) == 0 {
		return model.Finding{}, false
	}
	var ev []string
	for i, u := range unchecked {
		if i == 30 {
			ev = append(ev, fmt.Sprintf("... and %d more", len(unchecked)-30))
			break
		}
		what := u.Store
		if u.Account != "" {
			what += " " + u.Account
		}
		if u.Path != "" {
			what += " (" + u.Path + ")"
		}
		ev = append(ev, "not checked: "+what+": "+strings.TrimPrefix(u.Reason, "not checked: "))
	}
	asset := model.AssetRef{Type: "host", ID: "credentials"}
	f := model.Finding{Kind: model.KindWeakPassword, Rule: rule, Severity: model.SevInfo,
		Title:       fmt.Sprintf(title, len(unchecked), tested),
		Description: "These credential stores or accounts could not be tested; a weak or reused password may still be there.",
		Asset:       asset, Evidence: ev,
		Remediation: "Run the scan as root on the live host for the databases; formats Ward cannot verify need another tool.",
	}
	f.ID = model.FindingID(f.Rule, asset)
	return f, true
}

func accountAsset(c source.Credential) model.AssetRef {
	return model.AssetRef{Type: "account", ID: c.Store + "/" + c.Account, Path: c.Path}
}

func where(c source.Credential) string {
	if c.Line > 0 {
		return fmt.Sprintf("%s line %d", c.Path, c.Line)
	}
	return c.Path
}

// severity of a weak or missing password: system and database
// superusers are critical.
func severity(c source.Credential) model.Severity {
	switch {
	case c.Store == "shadow" && c.Account == "root",
		c.Store == "mysql" && (c.Account == "root@localhost" || c.Account == "root@127.0.0.1" || c.Account == "root@%"),
		c.Store == "postgresql" && c.Account == "postgres":
		return model.SevCritical
	case c.Store == "config-file":
		return model.SevMedium
	}
	return model.SevHigh
}

func weakFinding(c source.Credential, r crack.Result, show bool) model.Finding {
	pw := Mask(r.Password)
	if show {
		pw = r.Password
	}
	f := model.Finding{Kind: model.KindWeakPassword, Rule: RuleWeak, Severity: severity(c),
		Title:       fmt.Sprintf("Weak password for %s account %s", c.Store, c.Account),
		Description: fmt.Sprintf("The password of %s account %s (%s) was found by testing candidates against its stored %s: %s.", c.Store, c.Account, where(c), formatName(c, r.Format), r.Reason),
		Asset:       accountAsset(c),
		Evidence:    []string{"store: " + c.Store, "stored in: " + where(c), "format: " + formatName(c, r.Format), "reason: " + r.Reason, "password: " + pw},
		Remediation: "Change the password to a long random one (a password manager or passphrase generator), and check the logs for logins with it.",
	}
	f.ID = model.FindingID(f.Rule, f.Asset)
	return f
}

func formatName(c source.Credential, format string) string {
	switch {
	case c.Plain:
		return "plaintext"
	case format != "":
		return format
	case c.Format != "":
		return c.Format
	}
	return "hash"
}

func emptyFinding(c source.Credential) model.Finding {
	desc := fmt.Sprintf("%s account %s (%s) has no password: anyone who can reach the service logs in without one.", c.Store, c.Account, where(c))
	rem := "Set a strong password or lock the account."
	switch c.Store {
	case "shadow", "passwd":
		desc = fmt.Sprintf("Account %s has an empty password field in %s: it logs in without a password wherever PAM allows nullok.", c.Account, where(c))
		rem = "Lock the account (passwd -l " + c.Account + ") or set a strong password."
	case "redis":
		rem = "Set requirepass or an ACL password for the user (and keep protected-mode on and Redis bound to trusted addresses)."
	}
	f := model.Finding{Kind: model.KindWeakPassword, Rule: RuleEmpty, Severity: severity(c),
		Title:       fmt.Sprintf("Empty password for %s account %s", c.Store, c.Account),
		Description: desc, Asset: accountAsset(c),
		Evidence:    []string{"store: " + c.Store, "stored in: " + where(c)},
		Remediation: rem,
	}
	f.ID = model.FindingID(f.Rule, f.Asset)
	return f
}

// weakFormats are the cracker's formats that are weak in themselves,
// with the severity of storing a password that way.
var weakFormats = map[string]struct {
	why string
	sev model.Severity
}{
	"ldap-md5":       {"unsalted MD5 (LDAP {MD5})", model.SevMedium},
	"ldap-sha":       {"unsalted SHA-1 (LDAP {SHA})", model.SevMedium},
	"ldap-smd5":      {"salted MD5 (LDAP {SMD5}, fast to brute-force)", model.SevMedium},
	"ldap-ssha":      {"salted SHA-1 (LDAP {SSHA}, fast to brute-force)", model.SevLow},
	"mysql-native":   {"mysql_native_password (unsalted double SHA-1, deprecated since MySQL 8.0)", model.SevLow},
	"postgresql-md5": {"PostgreSQL md5 (MD5 salted with the role name, deprecated; use SCRAM-SHA-256)", model.SevLow},
}

// schemeFinding flags a hash scheme that is weak whatever the password:
// crypt schemes from the hash string, application formats from the
// cracker's format.
func schemeFinding(c source.Credential, format string) (model.Finding, bool) {
	if c.Plain || c.Secret == "" {
		return model.Finding{}, false
	}
	scheme, sev := "", model.SevMedium
	why, weak := "", false
	if strings.HasPrefix(c.Secret, "$") || !strings.HasPrefix(c.Secret, "{") && c.Format == "" {
		scheme, _ = source.CryptScheme(c.Secret)
		why, weak = source.WeakSchemes[scheme]
	}
	if !weak {
		if w, ok := weakFormats[format]; ok {
			scheme, why, sev, weak = format, w.why, w.sev, true
		}
	}
	if !weak {
		return model.Finding{}, false
	}
	rem := "Set the password again so it is hashed with the system default (yescrypt or sha512crypt: ENCRYPT_METHOD in /etc/login.defs, pam_unix options)."
	switch c.Store {
	case "mysql":
		rem = "Move the account to caching_sha2_password (MySQL) or ed25519 (MariaDB): ALTER USER ... IDENTIFIED WITH ..."
	case "postgresql":
		rem = "Set password_encryption = 'scram-sha-256' and set the role's password again."
	case "htpasswd":
		rem = "Set the password again with bcrypt: htpasswd -B FILE USER."
	case "openldap":
		rem = "Hash the root password with a slow scheme ({CRYPT} yescrypt/sha512crypt or {PBKDF2-SHA512} with the pw-pbkdf2 module)."
	}
	f := model.Finding{Kind: model.KindWeakPassword, Rule: RuleScheme, Severity: sev,
		Title:       fmt.Sprintf("Weak password hash scheme for %s account %s: %s", c.Store, c.Account, scheme),
		Description: fmt.Sprintf("The password of %s account %s (%s) is stored with %s: it can be brute-forced quickly if the store leaks, whatever the password.", c.Store, c.Account, where(c), why),
		Asset:       accountAsset(c),
		Evidence:    []string{"store: " + c.Store, "stored in: " + where(c), "scheme: " + scheme},
		Remediation: rem,
	}
	f.ID = model.FindingID(f.Rule, f.Asset)
	return f, true
}

func exposureFinding(ex source.Exposure) model.Finding {
	asset := model.AssetRef{Type: "file", ID: ex.Path + "#" + ex.Key, Path: ex.Path}
	var f model.Finding
	switch ex.Kind {
	case "unencrypted-ssh-key":
		sev := model.SevMedium
		if ex.Account == "root" {
			sev = model.SevHigh
		}
		f = model.Finding{Kind: model.KindWeakPassword, Rule: RuleSSHKey, Severity: sev,
			Title:       "SSH private key without a passphrase: " + ex.Path,
			Description: fmt.Sprintf("The %s private key %s is not encrypted: whoever reads the file can use it.", ex.Key, ex.Path),
			Asset:       asset,
			Evidence:    []string{"key type: " + ex.Key, "file mode: " + ex.Mode},
			Remediation: "Add a passphrase (ssh-keygen -p -f " + ex.Path + ") or move the key to an agent or hardware token; for automation, restrict the key in authorized_keys (from=, command=).",
		}
	default:
		sev := model.SevMedium
		if len(ex.Mode) == 4 && (ex.Mode[3]-'0')&4 != 0 {
			sev = model.SevHigh // readable by every user
		}
		where := ex.Path
		if ex.Line > 0 {
			where = fmt.Sprintf("%s line %d", ex.Path, ex.Line)
		}
		f = model.Finding{Kind: model.KindWeakPassword, Rule: RulePlaintext, Severity: sev,
			Title:       fmt.Sprintf("Plaintext password in %s (%s)", ex.Path, ex.Key),
			Description: fmt.Sprintf("%s holds a password in clear (%s); the value is not shown.", where, ex.Key),
			Asset:       asset,
			Evidence:    []string{"setting: " + ex.Key, "stored in: " + where, "file mode: " + ex.Mode},
			Remediation: "Keep the file readable by its owner only (chmod 600), or move the secret to a secret store or a root-only environment file.",
		}
		if ex.Account != "" {
			f.Evidence = append(f.Evidence, "account: "+ex.Account)
		}
	}
	f.ID = model.FindingID(f.Rule, f.Asset)
	return f
}
