package websites

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strings"
)

// tomcatHost is one <Host> of a Tomcat server.xml with the connectors of
// its <Service>.
type tomcatHost struct {
	Name    string
	AppBase string
	Line    int
	Listen  []string
	TLS     bool
}

// ParseTomcatServerXML reads the connectors and hosts of a server.xml.
// Commented-out connectors are comments to the XML decoder and so are
// (rightly) not reported.
func ParseTomcatServerXML(data []byte) ([]tomcatHost, error) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = false // server.xml files in the wild are not always well-formed
	var (
		out     []tomcatHost
		listen  []string
		tls     bool
		hosts   []int // indexes into out for the current Service
		depth   int
		lastErr error
	)
	// Lines are counted incrementally: offsets only grow.
	lineOff, line := int64(0), 1
	lineAt := func(off int64) int {
		if off > int64(len(data)) {
			off = int64(len(data))
		}
		if off > lineOff {
			line += bytes.Count(data[lineOff:off], []byte("\n"))
			lineOff = off
		}
		return line
	}
	for {
		off := dec.InputOffset()
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			lastErr = err
			break
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if depth > 2*maxNesting {
				return out, errors.New("elements nested too deep")
			}
			switch t.Name.Local {
			case "Service":
				listen, tls, hosts = nil, false, nil
			case "Connector":
				port := attr(t, "port")
				if port == "" {
					continue
				}
				entry := port
				proto := strings.ToLower(attr(t, "protocol"))
				switch {
				case strings.EqualFold(attr(t, "SSLEnabled"), "true") || strings.EqualFold(attr(t, "scheme"), "https"):
					entry += " ssl"
					tls = true
				case strings.Contains(proto, "ajp"):
					entry += " ajp"
				}
				listen = append(listen, entry)
				for _, i := range hosts {
					out[i].Listen, out[i].TLS = append([]string(nil), listen...), tls
				}
			case "Host":
				appBase := attr(t, "appBase")
				if appBase == "" {
					appBase = "webapps"
				}
				out = append(out, tomcatHost{Name: attr(t, "name"), AppBase: appBase, Line: lineAt(off), Listen: append([]string(nil), listen...), TLS: tls})
				hosts = append(hosts, len(out)-1)
			}
		case xml.EndElement:
			depth--
		}
	}
	return out, lastErr
}

func attr(e xml.StartElement, name string) string {
	for _, a := range e.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}
