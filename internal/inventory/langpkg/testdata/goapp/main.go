// Command shopagent exists only to be compiled by tests.
package main

import (
	"fmt"
	"os"

	"example.com/greet"
	"github.com/google/go-cmp/cmp"
	"golang.org/x/term"
)

func main() {
	fmt.Println(greet.Hello(), term.IsTerminal(int(os.Stdout.Fd())), cmp.Equal(1, 1))
}
