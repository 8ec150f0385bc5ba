// Package python reads installed Python distributions' core metadata
// (*.dist-info/METADATA, *.egg-info/PKG-INFO and *.egg-info files).
package python

import (
	"bufio"
	"errors"
	"io"
	"strings"

	"github.com/ward-sec/ward/internal/model"
)

// MaxMetadataRead caps what the collector hands ParseMetadata. The headers
// come first and are small; the long description after them is never read.
const MaxMetadataRead = 1 << 20

const maxHeaderLine = 64 << 10

// Metadata is the part of the core metadata Ward reports.
type Metadata struct {
	Name    string
	Version string
	License string
}

// ParseMetadata reads RFC 822 style headers (Name, Version, License,
// License-Expression, Classifier) up to the first blank line, where the
// description body starts. Folded (indented) lines continue a header.
func ParseMetadata(r io.Reader) (Metadata, error) {
	var md Metadata
	var license, expression, classifierLicense string
	var key string
	var val strings.Builder
	flush := func() {
		v := strings.TrimSpace(val.String())
		switch key {
		case "name":
			if md.Name == "" {
				md.Name = v
			}
		case "version":
			if md.Version == "" {
				md.Version = v
			}
		case "license":
			if license == "" {
				license = v
			}
		case "license-expression":
			expression = v
		case "classifier":
			// "License :: OSI Approved :: MIT License" -> "MIT License"
			if rest, ok := strings.CutPrefix(v, "License :: "); ok && classifierLicense == "" {
				if i := strings.LastIndex(rest, "::"); i >= 0 {
					rest = rest[i+2:]
				}
				classifierLicense = strings.TrimSpace(rest)
			}
		}
		key = ""
		val.Reset()
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), maxHeaderLine)
	for sc.Scan() {
		line := strings.TrimSuffix(sc.Text(), "\r")
		if line == "" {
			// The body (long description) starts here. A line of blanks
			// is not this separator: it continues a folded header.
			break
		}
		if line[0] == ' ' || line[0] == '\t' {
			if key != "" && val.Len() < maxHeaderLine {
				val.WriteByte('\n')
				val.WriteString(strings.TrimSpace(line))
			}
			continue
		}
		flush()
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		key = strings.ToLower(strings.TrimSpace(k))
		val.WriteString(v)
	}
	flush()
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return md, errors.New("metadata header line longer than 64 KiB")
		}
		return md, err
	}
	md.License = pickLicense(expression, license, classifierLicense)
	if md.Name == "" || md.Version == "" {
		return md, errors.New("metadata has no Name or Version header")
	}
	return md, nil
}

// pickLicense prefers the SPDX License-Expression (metadata 2.4), then a
// short License header (some projects paste the whole licence text there),
// then the licence classifier.
func pickLicense(expression, license, classifier string) string {
	if expression != "" {
		return expression
	}
	if license != "" && license != "UNKNOWN" && len(license) <= 100 && !strings.Contains(license, "\n") {
		return license
	}
	return classifier
}

// Normalize applies PEP 503 name normalisation ("Foo.Bar_baz" -> "foo-bar-baz"),
// the form package indexes and purls use.
func Normalize(name string) string {
	var b strings.Builder
	sep := false
	for _, r := range strings.ToLower(name) {
		if r == '-' || r == '_' || r == '.' {
			sep = true
			continue
		}
		if sep && b.Len() > 0 {
			b.WriteByte('-')
		}
		sep = false
		b.WriteRune(r)
	}
	return b.String()
}

// FoundBy names the metadata file kind for model.Package.FoundBy.
func FoundBy(location string) string {
	switch {
	case strings.HasSuffix(location, ".dist-info/METADATA"):
		return "dist-info"
	default:
		return "egg-info"
	}
}

// Package builds the inventory record; Location is the metadata file.
func Package(md Metadata, location string) model.Package {
	return model.Package{
		Type: model.PkgPyPI, Name: md.Name, Version: md.Version, License: md.License,
		Location: location, FoundBy: FoundBy(location),
	}
}

// IsMetadataPath reports whether an in-root path is a metadata file this
// package reads: */X.dist-info/METADATA, */X.egg-info/PKG-INFO, or a
// */X.egg-info file (the caller checks it is a regular file).
func IsMetadataPath(p string) bool {
	dir, base := splitPath(p)
	switch base {
	case "METADATA":
		return strings.HasSuffix(dir, ".dist-info")
	case "PKG-INFO":
		return strings.HasSuffix(dir, ".egg-info")
	}
	return strings.HasSuffix(base, ".egg-info")
}

// OwnerPaths are the paths an OS package would list for this metadata:
// the file itself and, for dist-info/egg-info directories, the directory.
func OwnerPaths(location string) []string {
	dir, base := splitPath(location)
	if base == "METADATA" || base == "PKG-INFO" {
		return []string{location, dir}
	}
	return []string{location}
}

func splitPath(p string) (dir, base string) {
	i := strings.LastIndexByte(p, '/')
	if i < 0 {
		return "", p
	}
	return p[:i], p[i+1:]
}
