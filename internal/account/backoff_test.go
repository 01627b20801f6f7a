package account

import (
	"testing"
	"time"

	"pgregory.net/rapid"
)

// After the free failures each attempt waits twice as long as the one
// before, up to the cap; a success or a quiet day forgets it all.
func TestBackoffDelayIncreases(t *testing.T) {
	t.Parallel()
	b := NewBackoff(3, time.Second, time.Minute, 24*time.Hour)
	t0 := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	now := t0
	for i := range 3 {
		if w := b.Wait("a@x.example", now); w != 0 {
			t.Fatalf("free failure %d waits %v", i+1, w)
		}
		b.Fail("a@x.example", now)
	}
	var waits []time.Duration
	for range 9 {
		w := b.Wait("a@x.example", now)
		waits = append(waits, w)
		// Trying early is refused and not counted; it stays the same wait.
		if again := b.Wait("a@x.example", now.Add(w/2)); again != w-w/2 {
			t.Fatalf("halfway through %v: %v left", w, again)
		}
		now = now.Add(w)
		if b.Wait("a@x.example", now) != 0 {
			t.Fatalf("still waiting after %v", w)
		}
		b.Fail("a@x.example", now)
	}
	want := []time.Duration{1, 2, 4, 8, 16, 32, 60, 60, 60}
	for i := range want {
		if waits[i] != want[i]*time.Second {
			t.Fatalf("waits %v, want %v seconds", waits, want)
		}
	}
	if w := b.Wait("b@x.example", now); w != 0 {
		t.Fatalf("another account waits %v", w)
	}
	b.Reset("a@x.example")
	if w := b.Wait("a@x.example", now); w != 0 {
		t.Fatalf("after a success: %v", w)
	}
	b.Fail("a@x.example", now)
	b.Fail("a@x.example", now)
	b.Fail("a@x.example", now)
	if b.Wait("a@x.example", now) == 0 {
		t.Fatal("no wait after the free failures")
	}
	if w := b.Wait("a@x.example", now.Add(24*time.Hour)); w != 0 {
		t.Fatalf("a day later: %v", w)
	}
}

// Property: however failures come, the wait is never more than the cap,
// zero within the free failures, and never shorter after one more failure.
func TestBackoffProperty(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		free := rapid.IntRange(0, 6).Draw(t, "free")
		b := NewBackoff(free, time.Second, 15*time.Minute, time.Hour)
		now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		prev := time.Duration(0)
		n := rapid.IntRange(1, 40).Draw(t, "failures")
		for i := 1; i <= n; i++ {
			b.Fail("k", now)
			d := b.delay(i)
			switch {
			case d > 15*time.Minute:
				t.Fatalf("delay %v after %d failures exceeds the cap", d, i)
			case i < free && d != 0:
				t.Fatalf("delay %v within the %d free failures", d, free)
			case d < prev:
				t.Fatalf("delay fell from %v to %v", prev, d)
			}
			if w := b.Wait("k", now); w != d {
				t.Fatalf("wait %v, delay %v", w, d)
			}
			prev = d
			now = now.Add(d)
		}
	})
}
