// Package wordlists embeds the compact password lists the cracker tries
// on every host: the 10,000 most common passwords, the 1,000 most common
// Chinese passwords, the 20 most common SSH passwords and vendor default
// credentials, all from SecLists (MIT, see LICENSE.SecLists; provenance
// in testdata/sources/weakpass-engine.md). The large lists are stored
// gzip-compressed (~40 KB in the binary) and expanded on first use.
package wordlists

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"io"
	"strings"
	"sync"
)

var (
	//go:embed data/common-10k.txt.gz
	common10kGz []byte
	//go:embed data/chinese-1000.txt.gz
	chineseGz []byte
	//go:embed data/ssh-top-20.txt
	sshTop20 string
	//go:embed data/default-credentials.tsv
	defaultsTSV string
)

// Cred is a vendor default credential.
type Cred struct {
	Service  string // ssh, ftp, mysql, postgres, tomcat
	User     string
	Password string
}

var (
	once     sync.Once
	common   []string
	chinese  []string
	ssh      []string
	defaults []Cred
)

func load() {
	common = lines(gunzip(common10kGz))
	chinese = lines(gunzip(chineseGz))
	ssh = lines([]byte(sshTop20))
	for _, l := range strings.Split(defaultsTSV, "\n") {
		f := strings.SplitN(l, "\t", 3)
		if len(f) == 3 {
			defaults = append(defaults, Cred{Service: f[0], User: f[1], Password: f[2]})
		}
	}
}

// gunzip expands an embedded list; the data is fixed at build time and
// covered by tests, so a failure is a build defect.
func gunzip(b []byte) []byte {
	r, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		panic("wordlists: embedded data: " + err.Error())
	}
	out, err := io.ReadAll(r)
	if err != nil {
		panic("wordlists: embedded data: " + err.Error())
	}
	return out
}

func lines(b []byte) []string {
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		if l := strings.TrimRight(sc.Text(), "\r"); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// Common returns the 10,000 most common passwords, most frequent first.
// The slice is shared: do not modify it.
func Common() []string { once.Do(load); return common }

// Chinese returns the 1,000 most common Chinese passwords.
func Chinese() []string { once.Do(load); return chinese }

// SSH returns the 20 passwords most tried against SSH.
func SSH() []string { once.Do(load); return ssh }

// Defaults returns vendor default credentials (ssh, ftp, mysql,
// postgres, tomcat).
func Defaults() []Cred { once.Do(load); return defaults }
