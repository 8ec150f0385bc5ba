package ospkg

import (
	"fmt"

	"github.com/ward-sec/ward/internal/inventory"
)

// MaxWarningsPerFile bounds the warnings one database file may produce: a
// garbage file must not flood the inventory with one warning per line.
const MaxWarningsPerFile = 20

// FileWarner reports problems found in one file, up to MaxWarningsPerFile;
// Flush adds one summary warning for the ones left out.
type FileWarner struct {
	env     *inventory.Env
	path    string
	n       int
	dropped int
}

// NewFileWarner returns a warner for problems in path.
func NewFileWarner(env *inventory.Env, path string) *FileWarner {
	return &FileWarner{env: env, path: path}
}

// Warnf records one problem.
func (w *FileWarner) Warnf(format string, args ...any) {
	if w.n >= MaxWarningsPerFile {
		w.dropped++
		return
	}
	w.n++
	w.env.Warnf(w.path, format, args...)
}

// Flush records how many problems were left out, if any.
func (w *FileWarner) Flush() {
	if w.dropped > 0 {
		w.env.Warn(w.path, fmt.Errorf("%d more problems in this file not reported", w.dropped))
		w.dropped = 0
	}
}
