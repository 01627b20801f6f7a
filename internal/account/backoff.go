package account

import (
	"sync"
	"time"
)

// Backoff slows password guessing against one account. The first Free
// failures cost nothing; after that each attempt must wait twice as long as
// the one before (Base, 2·Base, 4·Base, ...) up to Max, counted from the
// latest failure. A success resets the account; failures are forgotten
// Forget after the latest one.
//
// It is keyed by account, never by address: a client behind the same proxy
// or office network as everyone else cannot make anyone else wait, and one
// that changes its address gains nothing. Like Throttle it keeps its state
// in memory, per instance.
type Backoff struct {
	Free   int
	Base   time.Duration
	Max    time.Duration
	Forget time.Duration

	mu   sync.Mutex
	keys map[string]failures
}

type failures struct {
	n    int
	last time.Time
}

// maxBackoffKeys bounds the memory of a Backoff; past it, accounts that
// have nothing to wait for are dropped first.
const maxBackoffKeys = 100_000

// NewBackoff lets free failures pass, then waits base, doubling to max.
func NewBackoff(free int, base, max, forget time.Duration) *Backoff {
	return &Backoff{Free: free, Base: base, Max: max, Forget: forget, keys: map[string]failures{}}
}

// Wait is how long key must still wait at now before its next attempt;
// zero when it may try.
func (b *Backoff) Wait(key string, now time.Time) time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	f, ok := b.current(key, now)
	if !ok {
		return 0
	}
	return max(0, f.last.Add(b.delay(f.n)).Sub(now))
}

// Fail records a failed attempt for key at now.
func (b *Backoff) Fail(key string, now time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	f, _ := b.current(key, now)
	b.keys[key] = failures{n: f.n + 1, last: now}
	if len(b.keys) > maxBackoffKeys {
		b.sweep(now)
	}
}

// Reset forgets key's failures (after a successful sign-in).
func (b *Backoff) Reset(key string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.keys, key)
}

// delay is the wait after n failures.
func (b *Backoff) delay(n int) time.Duration {
	if n < b.Free {
		return 0
	}
	d := b.Base
	for i := b.Free; i < n && d < b.Max; i++ {
		d *= 2
	}
	return min(d, b.Max)
}

func (b *Backoff) current(key string, now time.Time) (failures, bool) {
	f, ok := b.keys[key]
	if ok && now.Sub(f.last) >= b.Forget {
		delete(b.keys, key)
		return failures{}, false
	}
	return f, ok
}

// sweep drops forgotten keys and, if that is not enough, the keys that
// have no wait ahead of them.
func (b *Backoff) sweep(now time.Time) {
	for k, f := range b.keys {
		if now.Sub(f.last) >= b.Forget {
			delete(b.keys, k)
		}
	}
	for k, f := range b.keys {
		if len(b.keys) <= maxBackoffKeys/2 {
			return
		}
		if !f.last.Add(b.delay(f.n)).After(now) {
			delete(b.keys, k)
		}
	}
}
