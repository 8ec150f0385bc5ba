// Package websites finds the virtual hosts of nginx, Apache httpd and
// Tomcat from their configuration, and the web applications (WordPress,
// ThinkPHP, Spring Boot...) served from their document roots and other
// application directories.
package websites

import "strings"

// Directive is one configuration statement, with its block if it has one
// (nginx "server { ... }", Apache "<VirtualHost>...</VirtualHost>").
type Directive struct {
	Name     string
	Args     []string
	File     string
	Line     int
	HasBlock bool
	Block    []*Directive
}

// is reports whether the directive has the given name, ignoring case
// (Apache directives are case-insensitive; nginx ones are lower case).
func (d *Directive) is(name string) bool { return strings.EqualFold(d.Name, name) }

// arg returns the i-th argument or "".
func (d *Directive) arg(i int) string {
	if i < len(d.Args) {
		return d.Args[i]
	}
	return ""
}

// maxNesting bounds block depth: deeper input is not a real configuration,
// and walking it recursively must not exhaust the stack.
const maxNesting = 64
