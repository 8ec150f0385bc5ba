package source

import (
	"context"
	"fmt"
	"testing"

	"github.com/ward-sec/ward/internal/testutil"
)

func TestTomcatDigest(t *testing.T) {
	for xml, want := range map[string]string{
		`<Realm className="x"><CredentialHandler className="org.apache.catalina.realm.MessageDigestCredentialHandler" algorithm="SHA-256"/></Realm>`: "SHA-256",
		`<CredentialHandler className="org.apache.catalina.realm.SecretKeyCredentialHandler" algorithm="PBKDF2WithHmacSHA512"/>`:                     "unsupported:SecretKeyCredentialHandler",
		`<Server><Realm className="org.apache.catalina.realm.UserDatabaseRealm"/></Server>`:                                                          "",
	} {
		if got := TomcatDigest([]byte(xml)); got != want {
			t.Errorf("%s: %q, want %q", xml, got, want)
		}
	}
	root := testutil.TempRoot(t, map[string]string{
		"etc/tomcat10/server.xml": `<CredentialHandler className="org.apache.catalina.realm.MessageDigestCredentialHandler" algorithm="SHA-256"/>`,
		"etc/tomcat10/tomcat-users.xml": `<tomcat-users><user username="a" password="5E884898DA28047151D0E56F8DC6292773603D0D6AABBDD62A11EF721D1542D8" roles="x"/>` +
			`<user username="b" password="aa$1000$bb" roles="x"/></tomcat-users>`,
	})
	r := Collect(context.Background(), &Env{FS: root})
	if len(r.Credentials) != 1 || r.Credentials[0].Format != "raw-sha256" || r.Credentials[0].Secret != "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8" {
		t.Errorf("credentials %+v", r.Credentials)
	}
	if len(r.Unchecked) != 1 || r.Unchecked[0].Account != "b" {
		t.Errorf("unchecked %+v", r.Unchecked)
	}
}

func TestParseRedisConfQuoting(t *testing.T) {
	c, probs := ParseRedisConf([]byte("requirepass \"a b\\x41\"\nuser u on 'it\\'s' \">p w\" #" + fmt.Sprintf("%064x", 1) + "\nuser v off nopass\nuser w on >x resetpass\n"))
	if len(probs) != 0 || c.RequirePass != "a bA" || c.RequirePassLine != 1 {
		t.Fatalf("%+v %v", c, probs)
	}
	if len(c.Users) != 3 || c.Users[0].Plain[0] != "p w" || len(c.Users[0].Hashes) != 1 || !c.Users[0].On || c.Users[1].On || !c.Users[1].NoPass ||
		len(c.Users[2].Plain) != 0 {
		t.Errorf("users %+v", c.Users)
	}
}

func TestParseSnmpdAndNetrc(t *testing.T) {
	s, probs := ParseSnmpdConf([]byte("com2sec6 local ::1 \"my secret\"\nrocommunity\n"))
	if len(s) != 1 || s[0].Secret != "my secret" || len(probs) != 1 || probs[0].Line != 2 {
		t.Errorf("%+v %v", s, probs)
	}
	n := ParseNetrc([]byte("macdef init\ncd /pub\n\nmachine a login u1 password p1 machine b password p2 login u2\n"))
	if len(n) != 2 || n[0].Account != "u1" || n[0].Value != "p1" || n[1].Account != "u2" || n[1].Key != "machine b" {
		t.Errorf("%+v", n)
	}
}

func TestParseAppConfigCompose(t *testing.T) {
	got := ParseAppConfig([]byte("services:\n  db:\n    environment:\n      - MYSQL_ROOT_PASSWORD=rootpw1\n      MYSQL_PASSWORD: \"apppw2\"\n      - MYSQL_ALLOW_EMPTY=no\n      POSTGRES_PASSWORD_FILE: /run/secrets/pg\n"))
	var keys []string
	for _, s := range got {
		keys = append(keys, s.Key+"="+s.Value)
	}
	if fmt.Sprint(keys) != "[MYSQL_ROOT_PASSWORD=rootpw1 MYSQL_PASSWORD=apppw2]" {
		t.Errorf("%v", keys)
	}
	if !appConfigName("docker-compose.yml") || !appConfigName("compose.yaml") || !appConfigName("grafana.ini") || appConfigName("compose.go") {
		t.Error("appConfigName")
	}
}

func TestGshadow(t *testing.T) {
	root := testutil.TempRoot(t, map[string]string{"etc/gshadow": "sudo:*::alice\nstaff:::\nops:$1$.rx/Wm6I$G1S8UQoHdZjd6TiPm7hNZ/::\n"})
	r := Collect(context.Background(), &Env{FS: root})
	var got []string
	for _, c := range r.Credentials {
		got = append(got, c.Store+"/"+c.Account+":"+string(c.State))
	}
	if fmt.Sprint(got) != "[gshadow/sudo:locked gshadow/staff:locked gshadow/ops:]" {
		t.Errorf("%v", got)
	}
}
