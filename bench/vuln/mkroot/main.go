// Command mkroot writes the vulnerability fixture root (internal/vuln/
// vulntest) into a directory, for bench/vuln.sh.
package main

import (
	"fmt"
	"os"

	"github.com/ward-sec/ward/internal/vuln/vulntest"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: mkroot DIR")
		os.Exit(2)
	}
	if err := os.MkdirAll(os.Args[1], 0o755); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := vulntest.Build(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
