package source

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"path"
	"strings"
)

// RedisUser is one account of a Redis configuration or ACL file.
type RedisUser struct {
	Line int
	Name string
	On   bool
	// NoPass: the user accepts any password.
	NoPass bool
	// Plain are ">password" rules; Hashes "#<sha256 hex>" rules.
	Plain  []string
	Hashes []string
}

// RedisConf is what matters in redis.conf for passwords.
type RedisConf struct {
	// RequirePass is the default user's password ("" none), at line
	// RequirePassLine.
	RequirePass     string
	RequirePassLine int
	Users           []RedisUser
	ACLFile         string
}

// redisArgs splits a Redis configuration line into arguments, honouring
// "double" and 'single' quotes as Redis does (sdssplitargs, simplified:
// \xHH and \n escapes inside double quotes).
func redisArgs(line string) ([]string, error) {
	var out []string
	i := 0
	for {
		for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
			i++
		}
		if i >= len(line) {
			return out, nil
		}
		var b strings.Builder
		switch line[i] {
		case '"':
			i++
			for {
				if i >= len(line) {
					return nil, fmt.Errorf("unbalanced quotes")
				}
				c := line[i]
				if c == '\\' && i+1 < len(line) {
					n := line[i+1]
					switch {
					case n == 'x' && i+3 < len(line):
						if v, err := hex.DecodeString(line[i+2 : i+4]); err == nil {
							b.Write(v)
							i += 4
							continue
						}
						b.WriteByte(n)
					case n == 'n':
						b.WriteByte('\n')
					case n == 't':
						b.WriteByte('\t')
					default:
						b.WriteByte(n)
					}
					i += 2
					continue
				}
				if c == '"' {
					i++
					break
				}
				b.WriteByte(c)
				i++
			}
		case '\'':
			i++
			for {
				if i >= len(line) {
					return nil, fmt.Errorf("unbalanced quotes")
				}
				if line[i] == '\\' && i+1 < len(line) && line[i+1] == '\'' {
					b.WriteByte('\'')
					i += 2
					continue
				}
				if line[i] == '\'' {
					i++
					break
				}
				b.WriteByte(line[i])
				i++
			}
		default:
			for i < len(line) && line[i] != ' ' && line[i] != '\t' {
				b.WriteByte(line[i])
				i++
			}
		}
		out = append(out, b.String())
	}
}

// ParseRedisConf parses redis.conf (requirepass, user, aclfile).
func ParseRedisConf(data []byte) (RedisConf, []Problem) {
	var c RedisConf
	probs := redisDirectives(data, func(n int, args []string) error {
		switch strings.ToLower(args[0]) {
		case "requirepass":
			if len(args) != 2 {
				return errors.New("requirepass takes one argument")
			}
			c.RequirePass, c.RequirePassLine = args[1], n
		case "aclfile":
			if len(args) == 2 {
				c.ACLFile = args[1]
			}
		case "user":
			u, err := redisUser(n, args)
			if err != nil {
				return err
			}
			c.Users = append(c.Users, u)
		}
		return nil
	})
	return c, probs
}

// redisDirectives tokenises each directive line of a redis.conf or ACL
// file (blank lines and comments skipped) and hands it to fn; a line that
// cannot be tokenised, or that fn refuses, becomes a Problem.
func redisDirectives(data []byte, fn func(n int, args []string) error) []Problem {
	var probs []Problem
	for i, line := range splitLines(data) {
		n := i + 1
		if t := strings.TrimSpace(line); t == "" || t[0] == '#' {
			continue
		}
		args, err := redisArgs(line)
		if err != nil {
			probs = append(probs, Problem{n, err.Error()})
			continue
		}
		if len(args) == 0 || strings.HasPrefix(args[0], "#") {
			continue
		}
		if err := fn(n, args); err != nil {
			probs = append(probs, Problem{n, err.Error()})
		}
	}
	return probs
}

// ParseRedisACL parses an ACL file: one "user <name> <rules...>" a line.
func ParseRedisACL(data []byte) ([]RedisUser, []Problem) {
	var out []RedisUser
	probs := redisDirectives(data, func(n int, args []string) error {
		if args[0] != "user" {
			return fmt.Errorf("expected \"user\", found %q", trunc(args[0]))
		}
		u, err := redisUser(n, args)
		if err != nil {
			return err
		}
		out = append(out, u)
		return nil
	})
	return out, probs
}

func redisUser(n int, args []string) (RedisUser, error) {
	if len(args) < 2 || args[1] == "" {
		return RedisUser{}, fmt.Errorf("user without a name")
	}
	u := RedisUser{Line: n, Name: args[1]}
	for _, rule := range args[2:] {
		switch {
		case rule == "on":
			u.On = true
		case rule == "off":
			u.On = false
		case rule == "nopass":
			u.NoPass, u.Plain, u.Hashes = true, nil, nil
		case rule == "resetpass":
			u.NoPass, u.Plain, u.Hashes = false, nil, nil
		case rule == "reset":
			u = RedisUser{Line: n, Name: u.Name}
		case strings.HasPrefix(rule, ">"):
			u.Plain, u.NoPass = append(u.Plain, rule[1:]), false
		case strings.HasPrefix(rule, "#"):
			h := strings.ToLower(rule[1:])
			if len(h) != 64 || !isHex(h) {
				return u, fmt.Errorf("user %s: malformed password hash rule (want # and 64 hex digits)", u.Name)
			}
			u.Hashes, u.NoPass = append(u.Hashes, h), false
		}
	}
	return u, nil
}

func isHex(s string) bool {
	_, err := hex.DecodeString(s)
	return err == nil && len(s)%2 == 0
}

// splitLines splits a file into its lines (line i+1 at index i),
// without the line endings.
func splitLines(data []byte) []string {
	out := strings.Split(string(data), "\n")
	for i, l := range out {
		out[i] = strings.TrimRight(l, "\r")
	}
	return out
}

func trunc(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// redisConfs are the usual places of redis.conf.
var redisConfs = []string{"/etc/redis/redis.conf", "/etc/redis.conf", "/usr/local/etc/redis/redis.conf", "/etc/redis/redis-server.conf"}

func collectRedis(_ context.Context, e *Env, r *Result) {
	for _, p := range redisConfs {
		data, ok := readFile(e, r, "redis", p)
		if !ok {
			continue
		}
		r.found("redis")
		conf, probs := ParseRedisConf(data)
		for _, pr := range probs {
			e.warn(p, "line %d: %s", pr.Line, pr.Msg)
		}
		users := conf.Users
		usersPath := p
		if conf.ACLFile != "" {
			acl := conf.ACLFile
			if !path.IsAbs(acl) {
				acl = path.Join(path.Dir(p), acl)
			}
			if data, ok := readFile(e, r, "redis", acl); ok {
				aclUsers, probs := ParseRedisACL(data)
				for _, pr := range probs {
					e.warn(acl, "line %d: %s", pr.Line, pr.Msg)
				}
				// Users in the ACL file replace those of redis.conf (Redis
				// refuses both; the ACL file wins here as it is what ACL LOAD reads).
				users, usersPath = aclUsers, acl
			} else if !e.FS.Exists(acl) {
				r.unchecked("redis", acl, "", "ACL file named in %s not found", p)
			}
		}
		defaultSeen := false
		for _, u := range users {
			if u.Name == "default" {
				defaultSeen = true
			}
			if !u.On {
				continue
			}
			c := Credential{Store: "redis", Account: u.Name, Path: usersPath, Line: u.Line, Hints: redisHints}
			if u.NoPass {
				c.State = Empty
				r.Credentials = append(r.Credentials, c)
				continue
			}
			for _, pw := range u.Plain {
				c.Secret, c.Plain = pw, true
				r.Credentials = append(r.Credentials, c)
			}
			for _, h := range u.Hashes {
				c.Secret, c.Plain, c.Format = h, false, "raw-sha256"
				r.Credentials = append(r.Credentials, c)
			}
		}
		if !defaultSeen {
			// Without a "user default" rule the default user is on and
			// takes requirepass, or no password at all.
			c := Credential{Store: "redis", Account: "default", Path: p, Line: conf.RequirePassLine, Hints: redisHints}
			if conf.RequirePass == "" {
				c.State = Empty
			} else {
				c.Secret, c.Plain = conf.RequirePass, true
			}
			r.Credentials = append(r.Credentials, c)
		}
	}
}

// redisHints seed the cracker's mutations: the service name and the
// example password of the stock redis.conf.
var redisHints = []string{"redis", "foobared"}
