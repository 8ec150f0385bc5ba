package weakpass

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/hex"
	"strings"

	"github.com/ward-sec/ward/internal/weakpass/crack"
	"github.com/ward-sec/ward/internal/weakpass/source"
	"github.com/ward-sec/ward/internal/weakpass/wordlists"
)

// rawDigests are unsalted hex digests of the password, as Redis ACL
// files (#<sha256>) and Tomcat's MessageDigestCredentialHandler store
// them. The cracker reports them unchecked; they cost nothing to test,
// so rawFallback does it here.
var rawDigests = map[string]func([]byte) []byte{
	"raw-md5":    func(b []byte) []byte { s := md5.Sum(b); return s[:] },
	"raw-sha1":   func(b []byte) []byte { s := sha1.Sum(b); return s[:] },
	"raw-sha256": func(b []byte) []byte { s := sha256.Sum256(b); return s[:] },
	"raw-sha512": func(b []byte) []byte { s := sha512.Sum512(b); return s[:] },
}

// rawList is a candidate list and the reason a match gives.
type rawList struct {
	reason string
	words  []string
}

// rawCandidates are the lists tried on raw digests, most telling first.
func rawCandidates(c source.Credential, opts Options, hostname string) []rawList {
	var lists []rawList
	for _, wl := range opts.Wordlists {
		lists = append(lists, rawList{"in supplied wordlist", wl})
	}
	if !opts.NoBuiltin {
		var defaults []string
		for _, d := range wordlists.Defaults() {
			defaults = append(defaults, d.Password)
		}
		lists = append(lists, rawList{"default credential", defaults},
			rawList{"in common-password list", wordlists.Common()},
			rawList{"in Chinese common-password list", wordlists.Chinese()},
			rawList{"in SSH brute-force list", wordlists.SSH()})
	}
	if !opts.NoMutations {
		var seeds []string
		for _, s := range append(append([]string{userOf(c)}, c.Hints...), hostname) {
			if s != "" {
				seeds = append(seeds, s, strings.ToLower(s), strings.ToUpper(s[:1])+s[1:], s+"123", s+"1", s+"!")
			}
		}
		lists = append(lists, rawList{"derived from the account or service name", seeds})
	}
	return lists
}

// rawFallback tests a raw digest the cracker left unchecked; ok is false
// when c is not one.
func rawFallback(c source.Credential, r crack.Result, lists []rawList) (crack.Result, bool) {
	digest, known := rawDigests[c.Format]
	want, err := hex.DecodeString(strings.ToLower(c.Secret))
	if r.Status != crack.Unchecked || !known || err != nil || len(want) != len(digest(nil)) {
		return r, false
	}
	out := crack.Result{ID: r.ID, Status: crack.NotCracked, Format: c.Format}
	for _, l := range lists {
		for _, w := range l.words {
			out.Tried++
			if subtle.ConstantTimeCompare(digest([]byte(w)), want) == 1 {
				out.Status, out.Password, out.Reason = crack.Cracked, w, l.reason
				return out, true
			}
		}
	}
	return out, true
}
