package wazuh_test

import (
	"os"
	"strings"
	"testing"

	"github.com/ward-sec/ward/internal/baseline/policy"
	"github.com/ward-sec/ward/internal/baseline/wazuh"
)

func TestConvertRealWazuhPolicy(t *testing.T) {
	data, err := os.ReadFile("testdata/cis_debian12_excerpt.yml")
	if err != nil {
		t.Fatal(err)
	}
	p, err := wazuh.Convert("cis_debian12_excerpt.yml", data)
	if err != nil {
		t.Fatal(err)
	}
	if p.ID != "wazuh-cis_debian12" || len(p.Checks) != 10 || len(p.Applies) != 1 || len(p.Applies[0].SCA.Rules) != 4 {
		t.Fatalf("converted: id %s, %d checks, gates %+v", p.ID, len(p.Checks), p.Applies)
	}
	c := p.Checks[6]
	if c.ID != "33143" || c.Probes[0].SCA != `c:sshd -T -> n:^MaxAuthTries\s(\d+) compare <= 4` || c.References[0].Type != "CIS" || c.References[0].ID != "5.2.6" {
		t.Errorf("check 33143: %+v", c)
	}
	// The Ward-format output loads and validates.
	out, err := wazuh.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	back, err := policy.Parse("imported.yaml", out)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(back.Checks) != len(p.Checks) || back.Checks[9].Condition != "none" {
		t.Errorf("round trip: %d checks", len(back.Checks))
	}
}

func TestConvertErrors(t *testing.T) {
	for _, c := range []struct{ data, want string }{
		{"policy:\n  id: x\nchecks: []\n", "no checks"},
		{"policy:\n  name: x\nchecks:\n  - id: 1\n    rules: ['f:/x']\n", "no policy.id"},
		{"policy:\n  id: x\nchecks:\n  - id: 1\n    title: t\n    rules: ['q:/x']\n", "unknown type"},
		{"policy:\n  id: x\nchecks:\n  - id: 1\n    title: t\n    rules: ['f:/x -> r:(']\n", "regex"},
		{"policy: [\n", "f.yml"},
	} {
		_, err := wazuh.Convert("f.yml", []byte(c.data))
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "f.yml") {
			t.Errorf("%q: %v, want %q", c.data, err, c.want)
		}
	}
}

func FuzzConvert(f *testing.F) {
	data, _ := os.ReadFile("testdata/cis_debian12_excerpt.yml")
	f.Add(data)
	f.Add([]byte("policy:\n  id: x\nchecks:\n  - id: 1\n    rules: ['not d:/etc -> r:\\.conf$ -> !r:^# && n:x(\\d+) compare >= 2']\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if p, err := wazuh.Convert("f.yml", data); err == nil {
			wazuh.Marshal(p)
		}
	})
}
