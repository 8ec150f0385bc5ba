package config

import (
	"path"
	"strings"
)

// SSHDFile is one file of an sshd configuration.
type SSHDFile struct {
	Name string
	Data []byte
}

// SSHDLoader returns the files an Include pattern names (absolute, or
// relative to /etc/ssh), sorted as glob(3) does.
type SSHDLoader func(pattern string) ([]SSHDFile, error)

// SSHDConfig is the configuration that applies outside any Match block
// (what `sshd -T` prints without -C): lower-case keyword → values.
type SSHDConfig struct {
	Values map[string][]string
	// Where each keyword was set (file:line), for evidence.
	Where map[string]string
	// Matches counts Match blocks (whose settings apply only to some
	// connections and are not part of the default context).
	Matches int
}

// multi are keywords whose lines accumulate instead of the first winning.
var multi = map[string]bool{
	"allowusers": true, "denyusers": true, "allowgroups": true, "denygroups": true,
	"acceptenv": true, "hostkey": true, "listenaddress": true, "port": true,
	"subsystem": true, "setenv": true, "include": true,
}

const maxIncludeDepth = 16

// ParseSSHD reads sshd_config the way sshd does: keywords are
// case-insensitive, the first value obtained wins (except for list
// keywords), "Include" is expanded in place, and a "Match" line starts a
// conditional block lasting to the next Match or end of that file.
func ParseSSHD(name string, data []byte, load SSHDLoader) (*SSHDConfig, error) {
	c := &SSHDConfig{Values: map[string][]string{}, Where: map[string]string{}}
	err := c.parse(name, data, load, 0, false)
	return c, err
}

func (c *SSHDConfig) parse(name string, data []byte, load SSHDLoader, depth int, inMatch bool) error {
	var firstErr error
	lines(data, func(n int, l string) {
		if isComment(l) {
			return
		}
		kw, rest := splitKeyword(l)
		if kw == "" {
			return
		}
		switch kw {
		case "match":
			c.Matches++
			inMatch = !(strings.EqualFold(strings.TrimSpace(rest), "all"))
			return
		case "include":
			if depth >= maxIncludeDepth || load == nil {
				return
			}
			for _, pat := range strings.Fields(rest) {
				if !path.IsAbs(pat) {
					pat = path.Join("/etc/ssh", pat)
				}
				files, err := load(pat)
				if err != nil && firstErr == nil {
					firstErr = err
				}
				for _, f := range files {
					if err := c.parse(f.Name, f.Data, load, depth+1, inMatch); err != nil && firstErr == nil {
						firstErr = err
					}
				}
			}
			return
		}
		if inMatch {
			return
		}
		v := strings.TrimSpace(rest)
		if multi[kw] {
			c.Values[kw] = append(c.Values[kw], v)
			if _, ok := c.Where[kw]; !ok {
				c.Where[kw] = name + ":" + itoa(n)
			}
			return
		}
		if _, set := c.Values[kw]; set {
			return
		}
		c.Values[kw] = []string{v}
		c.Where[kw] = name + ":" + itoa(n)
	})
	return firstErr
}

// splitKeyword splits "Keyword value" or "Keyword=value".
func splitKeyword(l string) (string, string) {
	t := strings.TrimSpace(l)
	i := strings.IndexAny(t, " \t=")
	if i < 0 {
		return strings.ToLower(t), ""
	}
	rest := strings.TrimLeft(t[i:], " \t")
	rest = strings.TrimPrefix(rest, "=")
	return strings.ToLower(t[:i]), strings.TrimSpace(unquote(strings.TrimSpace(rest)))
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}

// SSHDDefaults are OpenSSH 9.x's compiled-in values (as `sshd -T` prints
// them) for keywords baselines check, used when the file does not set them.
var SSHDDefaults = map[string]string{
	"permitrootlogin":              "prohibit-password",
	"passwordauthentication":       "yes",
	"permitemptypasswords":         "no",
	"pubkeyauthentication":         "yes",
	"hostbasedauthentication":      "no",
	"ignorerhosts":                 "yes",
	"maxauthtries":                 "6",
	"maxsessions":                  "10",
	"maxstartups":                  "10:30:100",
	"logingracetime":               "120",
	"clientaliveinterval":          "0",
	"clientalivecountmax":          "3",
	"loglevel":                     "INFO",
	"x11forwarding":                "no",
	"allowtcpforwarding":           "yes",
	"allowagentforwarding":         "yes",
	"permituserenvironment":        "no",
	"permittunnel":                 "no",
	"gssapiauthentication":         "no",
	"kerberosauthentication":       "no",
	"usepam":                       "no",
	"banner":                       "none",
	"disableforwarding":            "no",
	"usedns":                       "no",
	"strictmodes":                  "yes",
	"printlastlog":                 "yes",
	"compression":                  "yes",
	"kbdinteractiveauthentication": "yes",
	"ciphers":                      "chacha20-poly1305@openssh.com,aes128-ctr,aes192-ctr,aes256-ctr,aes128-gcm@openssh.com,aes256-gcm@openssh.com",
	"macs":                         "umac-64-etm@openssh.com,umac-128-etm@openssh.com,hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com,hmac-sha1-etm@openssh.com,umac-64@openssh.com,umac-128@openssh.com,hmac-sha2-256,hmac-sha2-512,hmac-sha1",
	"kexalgorithms":                "sntrup761x25519-sha512@openssh.com,curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,ecdh-sha2-nistp384,ecdh-sha2-nistp521,diffie-hellman-group-exchange-sha256,diffie-hellman-group16-sha512,diffie-hellman-group18-sha512,diffie-hellman-group14-sha256",
}

// ParseSSHDT reads `sshd -T` output: "keyword value" per line.
func ParseSSHDT(data []byte) map[string][]string {
	out := map[string][]string{}
	lines(data, func(_ int, l string) {
		k, v, _ := strings.Cut(strings.TrimSpace(l), " ")
		if k != "" {
			out[strings.ToLower(k)] = append(out[strings.ToLower(k)], strings.TrimSpace(v))
		}
	})
	return out
}
