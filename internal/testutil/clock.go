package testutil

import (
	"sync"
	"time"
)

// Clock is the time of an app under test: the real time until Set, then
// the time set, which stays until Set or Advance moves it. Its Now is the
// app's clock, so that a test can put the whole product at a moment.
type Clock struct {
	mu  sync.Mutex
	set time.Time
}

// Now is the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.set.IsZero() {
		return time.Now()
	}
	return c.set
}

// Set stops the clock at t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.set = t
}

// Advance moves the clock on by d, from the time it shows now.
func (c *Clock) Advance(d time.Duration) {
	now := c.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.set = now.Add(d)
}
