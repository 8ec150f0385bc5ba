package agent

import (
	"math/rand/v2"
	"time"
)

// backoff yields exponentially growing pauses with jitter, so that agents
// cut off together do not all come back in the same instant.
type backoff struct {
	min, max, next time.Duration
}

func newBackoff(min, max time.Duration) *backoff { return &backoff{min: min, max: max, next: min} }

// pause returns the next pause: a random duration in [d/2, d) where d
// doubles each call up to max.
func (b *backoff) pause() time.Duration {
	d := b.next
	b.next = min(2*b.next, b.max)
	half := d / 2
	if half <= 0 {
		return d
	}
	return half + rand.N(half)
}

func (b *backoff) reset() { b.next = b.min }
