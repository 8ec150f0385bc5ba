package crack

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/ward-sec/ward/internal/weakpass/wordlists"
)

// Reason classes reported on cracked results.
const (
	ReasonEmpty       = "empty password"
	ReasonUserName    = "equals user name"
	ReasonUserVariant = "user name variant"
	ReasonHostVariant = "host name variant"
	ReasonHintVariant = "account name variant"
	ReasonTop100      = "in top-100 list"
	ReasonCommon      = "in common list"
	ReasonDefault     = "default credential"
	ReasonKeyboard    = "keyboard walk"
	ReasonYear        = "year pattern"
	ReasonWordVariant = "common word variant"
	ReasonSupplied    = "in supplied wordlist"
	ReasonLeaked      = "leaked list"
)

// cand is one candidate password and why it is tried.
type cand struct {
	pw     string
	reason string
}

// candSet builds an ordered list without duplicates.
type candSet struct {
	seen map[string]struct{}
	list []cand
}

func newCandSet() *candSet { return &candSet{seen: map[string]struct{}{}} }

func (s *candSet) add(pw, reason string) {
	if _, ok := s.seen[pw]; ok {
		return
	}
	s.seen[pw] = struct{}{}
	s.list = append(s.list, cand{pw, reason})
}

func (s *candSet) addAll(pws []string, reason string) {
	for _, p := range pws {
		s.add(p, reason)
	}
}

// keyboardWalks are runs of adjacent keys on a US keyboard.
var keyboardWalks = []string{
	"qwerty", "qwertyuiop", "qwerty123", "qwe123", "qweasd", "qweasdzxc", "qwer1234", "qwert",
	"asdf", "asdfgh", "asdfghjkl", "asdf1234", "asd123", "zxcvbn", "zxcvbnm", "zxc123",
	"1qaz2wsx", "1qaz2wsx3edc", "1qazxsw2", "qazwsx", "qazwsxedc", "zaq12wsx", "zaq1xsw2",
	"1q2w3e", "1q2w3e4r", "1q2w3e4r5t", "q1w2e3r4", "q1w2e3r4t5", "!QAZ2wsx", "1qaz@WSX",
	"1234qwer", "123qwe", "123qweasd", "123qweasdzxc", "qwerasdf", "poiuytrewq", "mnbvcxz",
	"!qaz2wsx", "Qwerty123", "Qwerty123!", "Qwer1234", "Qwer!234", "Asdf1234", "1qaz!QAZ",
	"qwertyui", "asdfghjk", "zxcvbnm,", "1234567890", "0987654321", "147258369", "159357",
	"741852963", "123698745", "!@#$%^&*", "!@#$%^", "1qa2ws3ed", "2wsx3edc", "3edc4rfv",
}

// yearBases are the words most often combined with a year.
var yearBases = []string{
	"", "password", "Password", "admin", "Admin", "root", "Root", "qwerty", "Qwerty",
	"welcome", "Welcome", "pass", "Pass", "test", "Test", "letmein", "abc", "iloveyou",
	"woaini", "P@ssw0rd", "P@ssword", "Passw0rd", "Summer", "Winter", "Spring", "Autumn",
	"changeme", "Changeme", "system", "server", "secret", "love", "a", "qq",
}

var suffixes = []string{"1", "12", "123", "1234", "12345", "123456", "!", "!@#", "@123", "#123", "123!", "_123", "01", "007", "888", "666", "520", "1314", "@1", "."}

var yearSeps = []string{"", "@", "#", "_", ".", "!"}

func title(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

func reverse(s string) string {
	b := []byte(s)
	for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
		b[i], b[j] = b[j], b[i]
	}
	return string(b)
}

var leet = strings.NewReplacer("a", "@", "o", "0", "e", "3", "i", "1", "s", "$")

// wordVariantsA are the few most likely transformations of a word
// (account or host name); wordVariantsB the rest.
func wordVariantsA(w string, year int) []string {
	t := title(w)
	y, py := strconv.Itoa(year), strconv.Itoa(year-1)
	return []string{
		t, strings.ToUpper(w), w + "123", t + "123", w + "@123", t + "@123", w + "1", t + "1",
		w + "12", w + "1234", w + "123456", w + "!", t + "!", t + "123!", w + w, reverse(w),
		w + y, t + y, w + "@" + y, t + "@" + y, w + py, t + "@" + py, leet.Replace(w), title(leet.Replace(w)),
	}
}

func wordVariantsB(w string) []string {
	var out []string
	for _, base := range []string{w, title(w), strings.ToUpper(w)} {
		for _, s := range suffixes {
			out = append(out, base+s)
		}
		for y := 2000; y <= 2030; y++ {
			for _, sep := range yearSeps {
				out = append(out, base+sep+strconv.Itoa(y))
			}
			out = append(out, base+strconv.Itoa(y%100))
		}
	}
	out = append(out, "123"+w, "1"+w, w+"pass", w+"pwd", w+"@"+w, w+"_"+w, w+"admin", "admin"+w)
	return out
}

// baseLists is the account-independent candidate sequence, in the order
// the budget cuts it: top-100, defaults, then (after the operator's
// lists) the rest of the common lists and the generic mutations.
type baseLists struct {
	head []cand // top-100, SSH top-20, default credentials
	tail []cand // rest of common lists, keyboard walks, years, word variants
}

func buildBase(year int) baseLists {
	s := newCandSet()
	common := wordlists.Common()
	s.addAll(common[:100], ReasonTop100)
	s.addAll(wordlists.Chinese()[:100], ReasonTop100)
	s.addAll(wordlists.SSH(), ReasonCommon)
	for _, c := range wordlists.Defaults() {
		s.add(c.Password, ReasonDefault)
	}
	head := len(s.list)
	s.addAll(keyboardWalks[:20], ReasonKeyboard)
	s.addAll(common[100:], ReasonCommon)
	s.addAll(wordlists.Chinese(), ReasonCommon)
	s.addAll(keyboardWalks, ReasonKeyboard)
	for _, b := range yearBases {
		for y := year; y >= 2000; y-- {
			for _, sep := range yearSeps {
				if b == "" && sep != "" {
					continue
				}
				s.add(b+sep+strconv.Itoa(y), ReasonYear)
			}
		}
		for y := year + 1; y <= 2030; y++ {
			s.add(b+strconv.Itoa(y), ReasonYear)
		}
	}
	for _, w := range common[:300] {
		t := title(w)
		for _, v := range []string{t + "1", t + "123", t + "!", t + "@123", w + "!", w + "@123", t + "123!", title(leet.Replace(w)), leet.Replace(w)} {
			s.add(v, ReasonWordVariant)
		}
	}
	return baseLists{head: s.list[:head], tail: s.list[head:]}
}

// accountCands returns the per-account candidates most likely first
// (before the base lists) and the rest (after the operator lists).
func accountCands(user, host string, hints []string, year int) (first, later []cand) {
	f, l := newCandSet(), newCandSet()
	f.add("", ReasonEmpty)
	words := []struct{ w, exact, variant string }{}
	if user != "" {
		words = append(words, struct{ w, exact, variant string }{user, ReasonUserName, ReasonUserVariant})
		if lu := strings.ToLower(user); lu != user {
			words = append(words, struct{ w, exact, variant string }{lu, ReasonUserVariant, ReasonUserVariant})
		}
	}
	if host != "" {
		h, _, _ := strings.Cut(host, ".")
		words = append(words, struct{ w, exact, variant string }{h, ReasonHostVariant, ReasonHostVariant})
	}
	for _, h := range hints {
		for _, w := range strings.FieldsFunc(h, func(r rune) bool { return r == ' ' || r == ',' }) {
			if len(w) >= 3 && len(w) <= 32 {
				words = append(words, struct{ w, exact, variant string }{w, ReasonHintVariant, ReasonHintVariant})
			}
		}
		if len(words) > 8 {
			break
		}
	}
	for _, w := range words {
		f.add(w.w, w.exact)
	}
	if user != "" {
		for _, c := range wordlists.Defaults() {
			if strings.EqualFold(c.User, user) {
				f.add(c.Password, ReasonDefault)
			}
		}
	}
	for _, w := range words {
		for _, v := range wordVariantsA(w.w, year) {
			f.add(v, w.variant)
		}
	}
	for _, w := range words {
		for _, v := range wordVariantsB(w.w) {
			if _, ok := f.seen[v]; !ok {
				l.add(v, w.variant)
			}
		}
	}
	return f.list, l.list
}
