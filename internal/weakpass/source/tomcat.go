package source

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"regexp"
	"strings"
)

// TomcatUser is one <user> of tomcat-users.xml.
type TomcatUser struct {
	Line     int
	Name     string
	Password string
	Roles    string
}

// ParseTomcatUsers parses tomcat-users.xml. A document that is not
// well-formed XML is an error naming the line.
func ParseTomcatUsers(data []byte) ([]TomcatUser, error) {
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = true
	// Tomcat files are UTF-8 or ISO-8859-1: pass other charsets through.
	d.CharsetReader = func(_ string, in io.Reader) (io.Reader, error) { return in, nil }
	var out []TomcatUser
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			line, _ := d.InputPos()
			return out, fmt.Errorf("line %d: %v", line, err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok || se.Name.Local != "user" {
			continue
		}
		line, _ := d.InputPos()
		u := TomcatUser{Line: line}
		hasPw := false
		for _, a := range se.Attr {
			switch a.Name.Local {
			case "username", "name":
				u.Name = a.Value
			case "password":
				u.Password, hasPw = a.Value, true
			case "roles":
				u.Roles = a.Value
			}
		}
		if u.Name == "" || !hasPw {
			continue
		}
		out = append(out, u)
	}
}

var tomcatAlgo = regexp.MustCompile(`(?s)<CredentialHandler\b[^>]*className="([^"]+)"[^>]*>|<CredentialHandler\b[^>]*>`)
var attrAlgo = regexp.MustCompile(`\balgorithm="([^"]+)"`)
var attrClass = regexp.MustCompile(`\bclassName="([^"]+)"`)

// TomcatDigest reads the CredentialHandler of server.xml: "" when the
// passwords are plaintext, the digest algorithm ("SHA-256") for a
// MessageDigestCredentialHandler, or "unsupported:<class>".
func TomcatDigest(serverXML []byte) string {
	var digest string
	for _, m := range tomcatAlgo.FindAll(serverXML, -1) {
		class := ""
		if c := attrClass.FindSubmatch(m); c != nil {
			class = string(c[1])
		}
		algo := ""
		if a := attrAlgo.FindSubmatch(m); a != nil {
			algo = string(a[1])
		}
		switch {
		case strings.HasSuffix(class, "NestedCredentialHandler"):
			continue
		case strings.HasSuffix(class, "MessageDigestCredentialHandler"):
			if algo != "" {
				digest = algo
			}
		case class != "":
			return "unsupported:" + path.Ext(class)[1:]
		}
	}
	return digest
}

// tomcatFormats maps digest algorithms to the cracker's raw formats.
var tomcatFormats = map[string]string{"MD5": "raw-md5", "SHA": "raw-sha1", "SHA-1": "raw-sha1", "SHA1": "raw-sha1",
	"SHA-256": "raw-sha256", "SHA-512": "raw-sha512"}

var tomcatGlobs = []string{"/etc/tomcat*/tomcat-users.xml", "/opt/tomcat*/conf/tomcat-users.xml",
	"/usr/share/tomcat*/conf/tomcat-users.xml", "/var/lib/tomcat*/conf/tomcat-users.xml",
	"/opt/*/tomcat*/conf/tomcat-users.xml", "/usr/local/tomcat*/conf/tomcat-users.xml"}

func collectTomcat(_ context.Context, e *Env, r *Result) {
	seen := map[string]bool{}
	for _, g := range tomcatGlobs {
		files, _ := e.FS.Glob(g)
		for _, p := range files {
			if seen[p] {
				continue
			}
			seen[p] = true
			data, ok := readFile(e, r, "tomcat", p)
			if !ok {
				continue
			}
			r.found("tomcat")
			users, err := ParseTomcatUsers(data)
			if err != nil {
				e.warn(p, "%v", err)
				r.unchecked("tomcat", p, "", "not well-formed XML (%v); users after the error were not read", err)
			}
			digest := ""
			if sx, err := e.FS.ReadFile(path.Join(path.Dir(p), "server.xml"), maxConfigBytes); err == nil {
				digest = TomcatDigest(sx)
			}
			for _, u := range users {
				c := Credential{Store: "tomcat", Account: u.Name, Path: p, Line: u.Line, Hints: []string{"tomcat", "s3cret"}}
				switch {
				case u.Password == "":
					c.State = Empty
				case digest == "":
					c.Secret, c.Plain = u.Password, true
				case strings.HasPrefix(digest, "unsupported:"):
					r.unchecked("tomcat", p, u.Name, "Tomcat credential handler %s", strings.TrimPrefix(digest, "unsupported:"))
					continue
				default:
					f, known := tomcatFormats[strings.ToUpper(digest)]
					if !known || strings.Contains(u.Password, "$") || !isHex(u.Password) {
						r.unchecked("tomcat", p, u.Name, "Tomcat %s digest with salt or iterations", digest)
						continue
					}
					c.Secret, c.Format = strings.ToLower(u.Password), f
				}
				r.Credentials = append(r.Credentials, c)
			}
		}
	}
}
