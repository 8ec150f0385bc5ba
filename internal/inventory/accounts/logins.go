package accounts

import (
	"encoding/binary"
	"io"
	"sort"
	"time"

	"github.com/ward-sec/ward/internal/inventory"
	"github.com/ward-sec/ward/internal/inventory/accounts/parse"
	"github.com/ward-sec/ward/internal/model"
)

const (
	wtmpFile    = "/var/log/wtmp"
	lastlogFile = "/var/log/lastlog"
)

// lastSeen is a user's newest login from any source.
type lastSeen struct {
	t    time.Time
	from string
}

// collectLogins reads the tail of wtmp and the lastlog records of known
// UIDs, and fills each user's LastLogin.
func collectLogins(env *inventory.Env, db *accountDB) []model.Login {
	latest := map[string]lastSeen{}
	note := func(user string, t time.Time, from string) {
		if cur, ok := latest[user]; !ok || t.After(cur.t) {
			latest[user] = lastSeen{t, from}
		}
	}
	logins := readWtmp(env)
	for _, l := range logins {
		note(l.User, l.Time, l.From)
	}
	ll := readLastlog(env, db.users)
	for _, l := range ll {
		note(l.User, l.Time, l.From)
	}
	logins = append(logins, ll...)
	sort.SliceStable(logins, func(i, j int) bool {
		a, b := logins[i], logins[j]
		if !a.Time.Equal(b.Time) {
			return a.Time.Before(b.Time)
		}
		if a.Source != b.Source {
			return a.Source < b.Source
		}
		if a.User != b.User {
			return a.User < b.User
		}
		return a.TTY < b.TTY
	})
	for i := range db.users {
		if s, ok := latest[db.users[i].Name]; ok {
			t := s.t
			db.users[i].LastLogin = &t
			db.users[i].LastLoginFrom = s.from
		}
	}
	return logins
}

// readWtmp returns the newest user logins from the last maxWtmpTail bytes
// of wtmp (whole records only), at most maxLoginsKept.
func readWtmp(env *inventory.Env) []model.Login {
	f, err := env.FS.OpenFile(wtmpFile)
	if err != nil {
		if !isMissing(err) {
			env.Warn(wtmpFile, err)
		}
		return nil
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		if err != nil {
			env.Warn(wtmpFile, err)
		}
		return nil
	}
	size := fi.Size()
	if size%parse.UtmpRecordSize != 0 {
		env.Warnf(wtmpFile, "size %d is not a multiple of %d bytes (truncated record, or not a 64-bit glibc wtmp); trailing bytes ignored", size, parse.UtmpRecordSize)
	}
	records := size / parse.UtmpRecordSize
	first := records - maxWtmpTail/parse.UtmpRecordSize
	if first < 0 {
		first = 0
	}
	buf := make([]byte, (records-first)*parse.UtmpRecordSize)
	if _, err := f.ReadAt(buf, first*parse.UtmpRecordSize); err != nil && err != io.EOF {
		env.Warn(wtmpFile, err)
		return nil
	}
	var order binary.ByteOrder = binary.LittleEndian
	if len(buf) >= parse.UtmpRecordSize {
		order = parse.UtmpByteOrder(buf)
	}
	var out []model.Login
	bad := 0
	for off := 0; off+parse.UtmpRecordSize <= len(buf); off += parse.UtmpRecordSize {
		r, err := parse.ParseUtmpRecord(buf[off:off+parse.UtmpRecordSize], order)
		if err != nil || r.Type < parse.UtEmpty || r.Type > parse.UtAccounting {
			bad++
			continue
		}
		if r.Type != parse.UtUserProcess || r.User == "" {
			continue
		}
		out = append(out, model.Login{User: r.User, TTY: r.Line, From: r.Host, Time: r.Time, Source: wtmpFile})
	}
	if bad > 0 {
		env.Warnf(wtmpFile, "%d records with an unknown type skipped (corrupt file?)", bad)
	}
	if len(out) > maxLoginsKept {
		out = out[len(out)-maxLoginsKept:]
	}
	return out
}

// readLastlog reads the record of each known UID from the sparse lastlog
// file, at uid*292, without reading the holes between them. lastlog is
// indexed by UID, so names sharing a UID (root and toor) share the record,
// as the lastlog command shows it.
func readLastlog(env *inventory.Env, users []model.User) []model.Login {
	f, err := env.FS.OpenFile(lastlogFile)
	if err != nil {
		if !isMissing(err) {
			env.Warn(lastlogFile, err)
		}
		return nil
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		if err != nil {
			env.Warn(lastlogFile, err)
		}
		return nil
	}
	size := fi.Size()
	var out []model.Login
	rec := make([]byte, parse.LastlogRecordSize)
	for _, u := range users {
		off := int64(u.UID) * parse.LastlogRecordSize
		if off+parse.LastlogRecordSize > size {
			continue
		}
		if _, err := f.ReadAt(rec, off); err != nil {
			env.Warn(lastlogFile, err)
			return out
		}
		r, ok, _ := parse.ParseLastlogRecord(rec)
		if !ok {
			continue
		}
		out = append(out, model.Login{User: u.Name, TTY: r.Line, From: r.Host, Time: r.Time, Source: lastlogFile})
	}
	return out
}
