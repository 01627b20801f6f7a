package account

import (
	"sync"
	"time"
)

// Throttle limits attempts per key in a sliding window (the QR fault page
// counts reports per label and per client address with it; sign-ins use
// Backoff, per account). It keeps state in memory: each instance throttles
// what it sees, which bounds attempts to instances x limit per window.
type Throttle struct {
	Limit  int
	Window time.Duration

	mu       sync.Mutex
	failures map[string][]time.Time
}

// NewThrottle allows limit failures per key within window.
func NewThrottle(limit int, window time.Duration) *Throttle {
	return &Throttle{Limit: limit, Window: window, failures: map[string][]time.Time{}}
}

// Blocked reports whether key is locked out at now, and until when.
func (t *Throttle) Blocked(key string, now time.Time) (bool, time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	fs := t.prune(key, now)
	if len(fs) < t.Limit {
		return false, time.Time{}
	}
	return true, fs[len(fs)-t.Limit].Add(t.Window)
}

// Fail records a failed attempt for key at now.
func (t *Throttle) Fail(key string, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.failures[key] = append(t.prune(key, now), now)
	if len(t.failures) > 100_000 {
		t.sweep(now)
	}
}

// Reset forgets key's failures (after a successful sign-in).
func (t *Throttle) Reset(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.failures, key)
}

func (t *Throttle) prune(key string, now time.Time) []time.Time {
	fs := t.failures[key]
	i := 0
	for i < len(fs) && now.Sub(fs[i]) >= t.Window {
		i++
	}
	fs = fs[i:]
	if len(fs) == 0 {
		delete(t.failures, key)
	} else {
		t.failures[key] = fs
	}
	return fs
}

func (t *Throttle) sweep(now time.Time) {
	for k := range t.failures {
		t.prune(k, now)
	}
}
