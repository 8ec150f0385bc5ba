package startup

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
)

// MaxLine caps one line of the files read here; cron itself refuses far
// shorter lines.
const MaxLine = 256 << 10

// eachLine calls fn with every line (1-based number, no trailing "\r\n").
// A line longer than MaxLine stops the scan with an error naming it.
func eachLine(r io.Reader, fn func(n int, line string)) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), MaxLine)
	n := 0
	for sc.Scan() {
		n++
		fn(n, strings.TrimSuffix(sc.Text(), "\r"))
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return fmt.Errorf("line %d: longer than %d bytes", n+1, MaxLine)
		}
		return err
	}
	return nil
}
