// Package wazuh reads Wazuh SCA (Security Configuration Assessment)
// policies and turns them into Ward policies whose checks are SCA-rule
// probes, so the public Wazuh policies run unchanged.
package wazuh

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/ward-sec/ward/internal/baseline/policy"
	"github.com/ward-sec/ward/internal/baseline/probe"
	"github.com/ward-sec/ward/internal/model"
)

// File is the SCA policy format.
type File struct {
	Policy struct {
		ID          string   `yaml:"id"`
		File        string   `yaml:"file"`
		Name        string   `yaml:"name"`
		Description string   `yaml:"description"`
		References  []string `yaml:"references"`
		Regex       string   `yaml:"regex_type"`
	} `yaml:"policy"`
	Requirements *struct {
		Title       string   `yaml:"title"`
		Description string   `yaml:"description"`
		Condition   string   `yaml:"condition"`
		Rules       []string `yaml:"rules"`
	} `yaml:"requirements"`
	Variables map[string]string `yaml:"variables"`
	Checks    []Check           `yaml:"checks"`
}

// Check is one SCA check.
type Check struct {
	ID          int                   `yaml:"id"`
	Title       string                `yaml:"title"`
	Description string                `yaml:"description"`
	Rationale   string                `yaml:"rationale"`
	Impact      string                `yaml:"impact"`
	Remediation string                `yaml:"remediation"`
	References  []string              `yaml:"references"`
	Compliance  []map[string][]string `yaml:"compliance"`
	Condition   string                `yaml:"condition"`
	Rules       []string              `yaml:"rules"`
	RegexType   string                `yaml:"regex_type"`

	line int
}

var idRE = regexp.MustCompile(`[^a-z0-9._-]+`)

// Convert parses an SCA policy and converts it. Errors name the file and,
// where known, the line.
func Convert(file string, data []byte) (*policy.Policy, error) {
	var f File
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&f); err != nil {
		if err == io.EOF {
			return nil, &policy.Error{File: file, Reason: "empty SCA policy"}
		}
		return nil, scaErr(file, err)
	}
	var doc yaml.Node
	if yaml.Unmarshal(data, &doc) == nil && len(doc.Content) > 0 {
		top := doc.Content[0]
		for i := 0; i+1 < len(top.Content); i += 2 {
			if top.Content[i].Value == "checks" {
				for j, n := range top.Content[i+1].Content {
					if j < len(f.Checks) {
						f.Checks[j].line = n.Line
					}
				}
			}
		}
	}
	if f.Policy.ID == "" {
		return nil, &policy.Error{File: file, Line: 1, Reason: "SCA policy has no policy.id"}
	}
	if len(f.Checks) == 0 {
		return nil, &policy.Error{File: file, Line: 1, Reason: "SCA policy has no checks"}
	}
	expand := func(s string) string {
		if !strings.Contains(s, "$") {
			return s
		}
		// Longest names first: $sshd_file before $sshd.
		names := make([]string, 0, len(f.Variables))
		for k := range f.Variables {
			names = append(names, k)
		}
		sort.Slice(names, func(i, j int) bool { return len(names[i]) > len(names[j]) })
		for _, k := range names {
			s = strings.ReplaceAll(s, k, f.Variables[k])
		}
		return s
	}
	name := orDefault(f.Policy.Name, f.Policy.ID)
	p := &policy.Policy{
		ID:          "wazuh-" + strings.Trim(idRE.ReplaceAllString(strings.ToLower(f.Policy.ID), "-"), "-"),
		Title:       policy.Text{EN: name, ZH: name},
		Description: policy.Text{EN: orDefault(f.Policy.Description, name), ZH: orDefault(f.Policy.Description, name)},
		Version:     "wazuh-sca",
		Framework:   "wazuh",
		File:        file,
	}
	if r := f.Requirements; r != nil && len(r.Rules) > 0 {
		g := &policy.SCAGate{Title: r.Title, Condition: orDefault(r.Condition, "all")}
		for _, rule := range r.Rules {
			if _, err := probe.ParseSCARule(expand(rule)); err != nil {
				return nil, &policy.Error{File: file, Reason: "requirements: " + err.Error()}
			}
			g.Rules = append(g.Rules, expand(rule))
		}
		p.Applies = append(p.Applies, policy.Gate{SCA: g})
	}
	seen := map[string]int{}
	for _, c := range f.Checks {
		id := fmt.Sprint(c.ID)
		if prev, dup := seen[id]; dup {
			return nil, &policy.Error{File: file, Line: c.line, Reason: fmt.Sprintf("check id %s repeats the check at line %d", id, prev)}
		}
		seen[id] = c.line
		pc := policy.Check{
			ID:          id,
			Title:       policy.Text{EN: c.Title, ZH: c.Title},
			Description: policy.Text{EN: orDefault(c.Description, c.Title), ZH: orDefault(c.Description, c.Title)},
			Rationale:   policy.Text{EN: c.Rationale, ZH: c.Rationale},
			Severity:    policy.Severity(model.SevMedium),
			Remediation: orDefault(c.Remediation, "See the policy's references."),
			Condition:   orDefault(c.Condition, "all"),
			Line:        c.line,
			Tags:        []string{"wazuh-sca"},
		}
		for _, comp := range c.Compliance {
			for k, ids := range comp {
				t := k
				if k == "cis" {
					t = "CIS"
				}
				for _, x := range ids {
					pc.References = append(pc.References, model.Reference{Type: t, ID: x})
				}
			}
		}
		for _, u := range c.References {
			pc.References = append(pc.References, model.Reference{Type: "URL", ID: u, URL: u})
		}
		if len(c.Rules) == 0 {
			return nil, &policy.Error{File: file, Line: c.line, Reason: fmt.Sprintf("check %s has no rules", id)}
		}
		for _, rule := range c.Rules {
			rule = expand(rule)
			if _, err := probe.ParseSCARule(rule); err != nil {
				return nil, &policy.Error{File: file, Line: c.line, Reason: fmt.Sprintf("check %s: %v", id, err)}
			}
			pc.Probes = append(pc.Probes, policy.Probe{SCA: rule})
		}
		if pc.Condition != "all" && pc.Condition != "any" && pc.Condition != "none" {
			return nil, &policy.Error{File: file, Line: c.line, Reason: fmt.Sprintf("check %s: condition %q", id, c.Condition)}
		}
		p.Checks = append(p.Checks, pc)
	}
	return p, nil
}

func scaErr(file string, err error) error {
	var te *yaml.TypeError
	msg := err.Error()
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	var line int
	if _, e := fmt.Sscanf(strings.TrimPrefix(msg, "yaml: "), "line %d:", &line); e == nil {
		return &policy.Error{File: file, Line: line, Reason: msg}
	}
	return &policy.Error{File: file, Reason: msg}
}

func orDefault(s, d string) string {
	if strings.TrimSpace(s) == "" {
		return d
	}
	return strings.TrimSpace(s)
}

// Marshal writes a converted policy in Ward's format.
func Marshal(p *policy.Policy) ([]byte, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# Converted from the Wazuh SCA policy %s by `ward baseline import-wazuh`.\n# Checks keep Wazuh's ids and rules (probe type sca); see FORMAT.md.\n", p.File)
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(p); err != nil {
		return nil, err
	}
	return b.Bytes(), enc.Close()
}
