package report

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/ward-sec/ward/internal/model"
)

// Progress prints one updating status line (for a terminal on stderr):
// how many collectors are done and which are still running.
type Progress struct {
	mu      sync.Mutex
	w       io.Writer
	total   int
	done    int
	running []string
	start   time.Time
}

// NewProgress reports progress of total collectors to w.
func NewProgress(w io.Writer, total int) *Progress {
	return &Progress{w: w, total: total, start: time.Now()}
}

func (p *Progress) Start(name string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.running = append(p.running, name)
	p.draw()
}

func (p *Progress) Done(name string, run model.CollectorRun) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done++
	for i, n := range p.running {
		if n == name {
			p.running = append(p.running[:i], p.running[i+1:]...)
			break
		}
	}
	p.draw()
}

// Finish clears the status line.
func (p *Progress) Finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.w, "\r\033[K")
}

func (p *Progress) draw() {
	line := fmt.Sprintf("scanning [%d/%d] %4.1fs %s", p.done, p.total, time.Since(p.start).Seconds(), strings.Join(p.running, " "))
	if len(line) > 100 {
		line = line[:97] + "..."
	}
	fmt.Fprintf(p.w, "\r\033[K%s", line)
}
