package model

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
)

// Severity orders findings; the zero value is Info.
type Severity int

const (
	SevInfo Severity = iota
	SevLow
	SevMedium
	SevHigh
	SevCritical
)

var severityNames = []string{"info", "low", "medium", "high", "critical"}

func (s Severity) String() string {
	if s < 0 || int(s) >= len(severityNames) {
		return fmt.Sprintf("severity(%d)", int(s))
	}
	return severityNames[s]
}

// ParseSeverity accepts the names String prints, case-insensitively.
func ParseSeverity(s string) (Severity, error) {
	for i, n := range severityNames {
		if strings.EqualFold(s, n) {
			return Severity(i), nil
		}
	}
	return 0, fmt.Errorf("unknown severity %q (want one of %s)", s, strings.Join(severityNames, ", "))
}

func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// Kind groups findings by the detector family that raised them.
type Kind string

const (
	KindExposure      Kind = "exposure"      // e.g. a service listening on all addresses
	KindAccount       Kind = "account"       // risky account or privilege
	KindPersistence   Kind = "persistence"   // suspicious startup item
	KindVulnerability Kind = "vulnerability" // later: vuln matcher
	KindWeakPassword  Kind = "weak-password" // later: weakpass
	KindBaseline      Kind = "baseline"      // later: compliance checks
	KindMalware       Kind = "malware"       // later: file scanner
	KindRuntime       Kind = "runtime"       // later: runtime detection
)

// AssetRef points at the asset a finding is about.
type AssetRef struct {
	Type string `json:"type"` // user, package, process, socket, file, service, startup_item, container...
	ID   string `json:"id"`   // natural key: user name, pkg name@version, pid, path...
	Path string `json:"path,omitempty"`
}

// Reference links a finding to an outside catalogue.
type Reference struct {
	Type string `json:"type"` // CVE, GHSA, CIS, MLPS, ATTACK, URL
	ID   string `json:"id"`
	URL  string `json:"url,omitempty"`
}

// Finding is the one record every Ward detector emits.
type Finding struct {
	// ID is stable for the same issue on the same asset across scans, so the
	// server can track first-seen/last-seen.
	ID          string      `json:"id"`
	Kind        Kind        `json:"kind"`
	Rule        string      `json:"rule"` // detector rule id, e.g. "inventory/uid0-account"
	Severity    Severity    `json:"severity"`
	Title       string      `json:"title"`
	Description string      `json:"description,omitempty"`
	Asset       AssetRef    `json:"asset"`
	Evidence    []string    `json:"evidence,omitempty"`
	Remediation string      `json:"remediation,omitempty"`
	References  []Reference `json:"references,omitempty"`
}

// FindingID derives the stable id from the rule and the asset it concerns.
func FindingID(rule string, asset AssetRef) string {
	h := sha256.Sum256([]byte(rule + "\x00" + asset.Type + "\x00" + asset.ID + "\x00" + asset.Path))
	return hex.EncodeToString(h[:8])
}
