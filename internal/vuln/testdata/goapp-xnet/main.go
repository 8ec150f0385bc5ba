// Command htmlcheck exists only to be compiled by the vuln tests: a Go
// binary whose build information records golang.org/x/net v0.7.0 (the
// one package it uses, html/atom, is vendored so the build is offline).
package main

import (
	"fmt"
	"os"

	"golang.org/x/net/html/atom"
)

func main() {
	for _, a := range os.Args[1:] {
		fmt.Println(a, atom.Lookup([]byte(a)) != 0)
	}
}
