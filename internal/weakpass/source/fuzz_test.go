package source

import (
	"os"
	"path/filepath"
	"testing"
)

// seed adds the fixture file and a few hand-made damaged inputs.
func seed(f *testing.F, file string, extra ...string) {
	if data, err := os.ReadFile(filepath.Join(fixture, file)); err == nil {
		f.Add(data)
	}
	for _, s := range extra {
		f.Add([]byte(s))
	}
}

func FuzzParseShadow(f *testing.F) {
	seed(f, "etc/shadow", "root::\n", ":x:\n", "a:$6$rounds=:\n", "b:$2b$xx$\n", "+::::::::\n", "u:$y$\n")
	f.Fuzz(func(t *testing.T, data []byte) {
		entries, _ := ParseShadow(data)
		for _, e := range entries {
			if e.User == "" {
				t.Fatalf("entry without a user: %+v", e)
			}
		}
	})
}

func FuzzParseHtpasswd(f *testing.F) {
	seed(f, "etc/nginx/.htpasswd", "a:{SHA}\n", "b:{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=:x\n")
	f.Fuzz(func(t *testing.T, data []byte) {
		entries, _ := ParseHtpasswd(data)
		for _, e := range entries {
			if e.Invalid == "" && e.State == Test && e.Scheme == "" {
				t.Fatalf("testable entry without a scheme: %+v", e)
			}
		}
	})
}

func FuzzParseRedis(f *testing.F) {
	seed(f, "etc/redis/redis.conf", `requirepass "a\x41b"`, "user x on >a #zz nopass", `requirepass 'it\'s'`, `"unbalanced`)
	seed(f, "etc/redis/users.acl")
	f.Fuzz(func(t *testing.T, data []byte) {
		ParseRedisConf(data)
		ParseRedisACL(data)
	})
}

func FuzzParseTomcatUsers(f *testing.F) {
	seed(f, "etc/tomcat9/tomcat-users.xml", `<tomcat-users><user username="a" password="b"/>`, `<?xml version="1.0" encoding="ISO-8859-1"?><user name="x" password="y"/>`)
	f.Fuzz(func(t *testing.T, data []byte) {
		ParseTomcatUsers(data)
		TomcatDigest(data)
	})
}

func FuzzParseSlapd(f *testing.F) {
	seed(f, "etc/ldap/slapd.conf", "rootpw\n", "database x\nrootdn \"cn=a\"\nrootpw {CRYPT}$6$x\n")
	seed(f, "etc/ldap/slapd.d/cn=config/olcDatabase={1}mdb.ldif", "olcRootPW:: !!!\n", "olcRootPW: x\n y\n")
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, pw := range append(first(ParseSlapdConf(data)), first(ParseSlapdLDIF(data))...) {
			ldapCredential("/x", pw)
		}
	})
}

func first(pws []LDAPRootPW, _ []Problem) []LDAPRootPW { return pws }

func FuzzParseSnmpd(f *testing.F) {
	seed(f, "etc/snmp/snmpd.conf", "com2sec -Cn\n", "rocommunity\n", "createUser -e\n")
	f.Fuzz(func(t *testing.T, data []byte) { ParseSnmpdConf(data) })
}

func FuzzParseFTP(f *testing.F) {
	seed(f, "etc/proftpd/proftpd.conf", "AuthUserFile\n")
	seed(f, "etc/pam.d/vsftpd", "auth required pam_pwdfile.so pwdfile\n", "auth required pam_userdb.so db=/etc/vsftpd/login\n")
	f.Fuzz(func(t *testing.T, data []byte) {
		ParseProFTPDConf(data)
		ParsePAMPwdfile(data)
	})
}

func FuzzParseCredentialFiles(f *testing.F) {
	seed(f, "home/alice/.my.cnf", "[client]\npassword\n")
	seed(f, "home/alice/.pgpass", "a\\:b:c\\\\:d:e:f\\")
	seed(f, "home/alice/.netrc", "macdef x\nbody\n\nmachine m password")
	seed(f, "srv/app/.env", "export A_PASSWORD='x' # c\n")
	seed(f, "var/www/html/wp-config.php", "define('DB_PASSWORD', 'a\\'b');")
	f.Fuzz(func(t *testing.T, data []byte) {
		ParseMyCnf(data)
		ParsePgpass(data)
		ParseNetrc(data)
		ParseAppConfig(data)
	})
}

func FuzzCheckPrivateKey(f *testing.F) {
	seed(f, "root/.ssh/id_ed25519", "-----BEGIN PRIVATE KEY-----\n-----END")
	seed(f, "home/alice/.ssh/deploy_rsa")
	f.Fuzz(func(t *testing.T, data []byte) { CheckPrivateKey(data) })
}
