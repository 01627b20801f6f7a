package sla

import (
	"testing"
	"time"

	"pgregory.net/rapid"
)

func suspend(t time.Time) Event {
	return Event{Kind: Paused, At: t, Reason: ProviderSuspended, Actor: "provider"}
}
func unsuspend(t time.Time) Event {
	return Event{Kind: Resumed, At: t, Reason: ProviderSuspended, Actor: "provider"}
}

// A suspension that overlaps a pause for the customer takes the time off
// once, and the customer's resumption does not restart a suspended clock.
func TestSuspensionOverlapsAPause(t *testing.T) {
	t.Parallel()
	start := at(3, 3, 9, 0) // an emergency, 24/7: on site within 4 hours
	events := log(
		received(start, Emergency),
		pause(start.Add(time.Hour), WaitingCustomer),
		suspend(start.Add(90*time.Minute)),
		ev(Resumed, start.Add(2*time.Hour)), // the customer is back, but the service is suspended
		unsuspend(start.Add(5*time.Hour)),
	)
	during, err := Compute(terms, events, lookup, start.Add(3*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if during.PausedSince == nil || during.PauseReason != ProviderSuspended || !during.PausedSince.Equal(start.Add(time.Hour)) {
		t.Fatalf("during the suspension: paused since %v for %q", during.PausedSince, during.PauseReason)
	}
	onsite, _ := during.Clock(OnSite)
	if onsite.State != StatePaused || onsite.Used != time.Hour {
		t.Fatalf("on-site clock during the suspension: %s used %s", onsite.State, onsite.Used)
	}
	after, err := Compute(terms, events, lookup, start.Add(6*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	onsite, _ = after.Clock(OnSite)
	// Paused from 10:00 to 14:00: four hours later than 13:00.
	if want := start.Add(8 * time.Hour); !onsite.DueAt.Equal(want) || onsite.State != StateRunning || onsite.Used != 2*time.Hour {
		t.Fatalf("on-site clock after: %s due %s used %s, want running due %s used 2h", onsite.State, onsite.DueAt, onsite.Used, want)
	}
	if after.PausedSince != nil {
		t.Fatalf("still paused after the suspension was lifted")
	}
}

// A person's resumption never lifts a suspension, and a suspension needs no
// reason listed in the terms.
func TestSuspensionIsTheProductsOwn(t *testing.T) {
	t.Parallel()
	strict := terms
	strict.PauseReasons = []PauseReason{WaitingCustomer}
	start := at(3, 3, 9, 0)
	events := log(received(start, Emergency), suspend(start.Add(time.Hour)), ev(Resumed, start.Add(2*time.Hour)))
	st, err := Compute(strict, events, lookup, start.Add(3*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if st.PauseReason != ProviderSuspended || len(st.Ignored) != 1 {
		t.Fatalf("want suspended with the resumption ignored, got %q, ignored %v", st.PauseReason, st.Ignored)
	}
}

// Property: a suspension and a pause give the clocks of one pause over
// their union: suspended time is never counted, and never taken off twice.
func TestPropertySuspendedTimeIsNotCounted(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		start := time.Date(2025, 1, 1, 0, 0, 0, 0, shanghai).Add(time.Duration(rapid.IntRange(0, 360*24*60).Draw(t, "start")) * time.Minute)
		prio := rapid.SampledFrom([]Priority{Emergency, General}).Draw(t, "priority")
		minutes := func(label string, lo, hi int) time.Duration {
			return time.Duration(rapid.IntRange(lo, hi).Draw(t, label)) * time.Minute
		}
		p1 := start.Add(minutes("pauseFrom", 0, 5*24*60))
		p2 := p1.Add(minutes("pauseFor", 1, 3*24*60))
		s1 := start.Add(minutes("suspendFrom", 0, 5*24*60))
		s2 := s1.Add(minutes("suspendFor", 1, 3*24*60))
		pauseOpen := rapid.Bool().Draw(t, "pauseOpen")
		suspensionOpen := rapid.Bool().Draw(t, "suspensionOpen")
		now := start.Add(minutes("now", 0, 12*24*60))

		events := []Event{received(start, prio), pause(p1, WaitingCustomer), suspend(s1)}
		if !pauseOpen {
			events = append(events, ev(Resumed, p2))
		}
		if !suspensionOpen {
			events = append(events, unsuspend(s2))
		}
		// The same time as plain pauses over the union.
		type span struct{ from, to time.Time } // zero to: open
		a, b := span{p1, p2}, span{s1, s2}
		if pauseOpen {
			a.to = time.Time{}
		}
		if suspensionOpen {
			b.to = time.Time{}
		}
		if b.from.Before(a.from) {
			a, b = b, a
		}
		var union []span
		if !a.to.IsZero() && a.to.Before(b.from) {
			union = []span{a, b}
		} else {
			u := a
			if a.to.IsZero() || b.to.IsZero() {
				u.to = time.Time{}
			} else if b.to.After(a.to) {
				u.to = b.to
			}
			union = []span{u}
		}
		plain := []Event{received(start, prio)}
		for _, u := range union {
			plain = append(plain, pause(u.from, WaitingCustomer))
			if !u.to.IsZero() {
				plain = append(plain, ev(Resumed, u.to))
			}
		}
		for i := range events {
			events[i].Seq = int64(i + 1)
		}
		for i := range plain {
			plain[i].Seq = int64(i + 1)
		}
		got, err := Compute(terms, events, lookup, now)
		if err != nil {
			t.Fatal(err)
		}
		want, err := Compute(terms, plain, lookup, now)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Clocks) != len(want.Clocks) {
			t.Fatalf("%d clocks, want %d", len(got.Clocks), len(want.Clocks))
		}
		for i, g := range got.Clocks {
			w := want.Clocks[i]
			if g.State != w.State || !g.DueAt.Equal(w.DueAt) || g.Used != w.Used || g.PausedFor != w.PausedFor {
				t.Fatalf("%s: %s due %s used %s paused %s; over the union %s due %s used %s paused %s",
					g.Kind, g.State, g.DueAt, g.Used, g.PausedFor, w.State, w.DueAt, w.Used, w.PausedFor)
			}
		}
		if (got.PausedSince == nil) != (want.PausedSince == nil) {
			t.Fatalf("paused since %v, over the union %v", got.PausedSince, want.PausedSince)
		}
	})
}
