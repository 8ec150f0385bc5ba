package report

import (
	"encoding/json"
	"io"
	"sort"
	"strings"

	"github.com/ward-sec/ward/internal/model"
)

// SARIF 2.1.0, the subset code-scanning dashboards read.
type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool    sarifTool     `json:"tool"`
	Results []sarifResult `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	InformationURI string      `json:"informationUri,omitempty"`
	Rules          []sarifRule `json:"rules"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifRule struct {
	ID                   string            `json:"id"`
	Name                 string            `json:"name,omitempty"`
	ShortDescription     sarifText         `json:"shortDescription"`
	FullDescription      *sarifText        `json:"fullDescription,omitempty"`
	HelpURI              string            `json:"helpUri,omitempty"`
	Help                 *sarifText        `json:"help,omitempty"`
	DefaultConfiguration map[string]string `json:"defaultConfiguration"`
	Properties           map[string]any    `json:"properties"`
}

type sarifResult struct {
	RuleID              string            `json:"ruleId"`
	Level               string            `json:"level"`
	Message             sarifText         `json:"message"`
	Locations           []sarifLocation   `json:"locations,omitempty"`
	PartialFingerprints map[string]string `json:"partialFingerprints"`
	Properties          map[string]any    `json:"properties,omitempty"`
}

type sarifLocation struct {
	PhysicalLocation *sarifPhysical `json:"physicalLocation,omitempty"`
	LogicalLocations []sarifLogical `json:"logicalLocations,omitempty"`
}

type sarifPhysical struct {
	ArtifactLocation struct {
		URI string `json:"uri"`
	} `json:"artifactLocation"`
}

type sarifLogical struct {
	Name               string `json:"name"`
	FullyQualifiedName string `json:"fullyQualifiedName,omitempty"`
	Kind               string `json:"kind"`
}

func sarifLevel(s model.Severity) string {
	switch s {
	case model.SevCritical, model.SevHigh:
		return "error"
	case model.SevMedium:
		return "warning"
	}
	return "note"
}

// securitySeverity is the numeric score GitHub code scanning ranks by.
func securitySeverity(s model.Severity) string {
	return [...]string{"0.0", "3.0", "5.5", "8.0", "9.5"}[s]
}

// writeSARIF writes the findings as one SARIF run: a rule per finding
// rule (an advisory, a posture check), a result per finding located at the
// file it concerns (the outer archive for nested jars).
func writeSARIF(w io.Writer, res *model.ScanResult) error {
	rules := map[string]*sarifRule{}
	results := []sarifResult{}
	for _, f := range res.Findings {
		r := rules[f.Rule]
		if r == nil {
			r = &sarifRule{ID: f.Rule, Name: string(f.Kind), ShortDescription: sarifText{f.Title},
				DefaultConfiguration: map[string]string{"level": sarifLevel(f.Severity)},
				Properties:           map[string]any{"security-severity": securitySeverity(f.Severity), "tags": []string{"security", string(f.Kind)}}}
			if f.Description != "" {
				r.FullDescription = &sarifText{f.Description}
			}
			if len(f.References) > 0 {
				r.HelpURI = f.References[0].URL
			}
			if f.Remediation != "" {
				r.Help = &sarifText{f.Remediation}
			}
			rules[f.Rule] = r
		} else if securitySeverity(f.Severity) > r.Properties["security-severity"].(string) {
			r.Properties["security-severity"] = securitySeverity(f.Severity)
			r.DefaultConfiguration["level"] = sarifLevel(f.Severity)
		}
		msg := f.Title
		if f.Remediation != "" {
			msg += ". Remediation: " + f.Remediation
		}
		out := sarifResult{RuleID: f.Rule, Level: sarifLevel(f.Severity), Message: sarifText{msg},
			PartialFingerprints: map[string]string{"wardFindingId/v1": f.ID}}
		loc := sarifLocation{LogicalLocations: []sarifLogical{{Name: f.Asset.ID, Kind: f.Asset.Type}}}
		if f.Asset.Path != "" {
			outer, _, _ := strings.Cut(f.Asset.Path, "!")
			p := &sarifPhysical{}
			p.ArtifactLocation.URI = "file://" + outer
			loc.PhysicalLocation = p
			loc.LogicalLocations[0].FullyQualifiedName = f.Asset.Path
		}
		out.Locations = []sarifLocation{loc}
		var ids []string
		for _, ref := range f.References {
			ids = append(ids, ref.ID)
		}
		if len(ids) > 0 {
			out.Properties = map[string]any{"ids": ids, "evidence": f.Evidence}
		} else if len(f.Evidence) > 0 {
			out.Properties = map[string]any{"evidence": f.Evidence}
		}
		results = append(results, out)
	}
	ruleList := make([]sarifRule, 0, len(rules))
	for _, r := range rules {
		ruleList = append(ruleList, *r)
	}
	sort.Slice(ruleList, func(i, j int) bool { return ruleList[i].ID < ruleList[j].ID })
	log := sarifLog{
		Schema:  "https://json.schemastore.org/sarif-2.1.0.json",
		Version: "2.1.0",
		Runs: []sarifRun{{
			Tool:    sarifTool{Driver: sarifDriver{Name: res.Tool.Name, Version: res.Tool.Version, InformationURI: "https://github.com/ward-sec/ward", Rules: ruleList}},
			Results: results,
		}},
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(log)
}
