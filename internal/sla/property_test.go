package sla

import (
	"reflect"
	"testing"
	"time"

	"pgregory.net/rapid"
)

// genLog draws a plausible event log: receipt, then a mix of responses,
// check-ins, pauses (allowed or not), resumes, reclassifications and maybe
// a resolution, within three weeks, some sharing an instant.
func genLog(t *rapid.T) ([]Event, time.Time) {
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, shanghai).Add(time.Duration(rapid.IntRange(0, 360*24*60).Draw(t, "start")) * time.Minute)
	events := []Event{received(start, rapid.SampledFrom([]Priority{Emergency, General}).Draw(t, "priority"))}
	at := start
	for range rapid.IntRange(0, 12).Draw(t, "events") {
		if rapid.IntRange(0, 4).Draw(t, "same") > 0 {
			at = at.Add(time.Duration(rapid.IntRange(1, 36*60).Draw(t, "gap")) * time.Minute)
		}
		e := Event{At: at, Kind: rapid.SampledFrom([]EventKind{Responded, CheckedIn, Paused, Paused, Resumed, Resumed, Resolved, Reclassified}).Draw(t, "kind")}
		switch e.Kind {
		case Paused:
			e.Reason = rapid.SampledFrom([]PauseReason{WaitingCustomer, WaitingVendorParts, Suspension, "coffee"}).Draw(t, "reason")
		case Reclassified:
			e.Priority = rapid.SampledFrom([]Priority{Emergency, General}).Draw(t, "to")
		}
		events = append(events, e)
	}
	for i := range events {
		events[i].Seq = int64(i + 1)
	}
	now := at.Add(time.Duration(rapid.IntRange(0, 10*24*60).Draw(t, "now")) * time.Minute)
	return events, now
}

func TestPropertyOrderIndependent(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		events, now := genLog(t)
		want, err := Compute(terms, events, lookup, now)
		if err != nil {
			t.Fatal(err)
		}
		shuffled := rapid.Permutation(events).Draw(t, "shuffled")
		got, err := Compute(terms, shuffled, lookup, now)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("order changed the result:\n%v\n%v", got.Clocks, want.Clocks)
		}
	})
}

func TestPropertyPauseNeverBringsDueForward(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		events, now := genLog(t)
		before, err := Compute(terms, events, lookup, now)
		if err != nil {
			t.Fatal(err)
		}
		// Add one more pause, with an allowed reason, somewhere after receipt
		// while the clocks are running and before the next event.
		recv := events[0].At
		from := recv.Add(time.Duration(rapid.IntRange(0, 20*24*60).Draw(t, "pauseFrom")) * time.Minute)
		to := from.Add(time.Duration(rapid.IntRange(1, 5*24*60).Draw(t, "pauseFor")) * time.Minute)
		for _, e := range events {
			if e.At.After(from) && !e.At.After(to) {
				to = e.At.Add(-time.Second)
			}
		}
		if !to.After(from) {
			t.Skip("no room for a pause here")
		}
		if st, err := Compute(terms, events, lookup, from); err != nil || st.PausedSince != nil {
			t.Skip("already paused here")
		}
		withPause := append(append([]Event(nil), events...),
			Event{Seq: 1000, Kind: Paused, At: from, Reason: WaitingCustomer},
			Event{Seq: 1001, Kind: Resumed, At: to})
		after, err := Compute(terms, withPause, lookup, now)
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range before.Clocks {
			a, ok := after.Clock(b.Kind)
			if !ok || a.Priority != b.Priority {
				continue // a pause may change which priority's clock was settled: not comparable
			}
			if a.DueAt.Before(b.DueAt) {
				t.Fatalf("%s due moved earlier with a pause: %s -> %s", b.Kind, b.DueAt, a.DueAt)
			}
		}
	})
}

func TestPropertyOutcomesAreFinal(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		events, now := genLog(t)
		later := now.Add(time.Duration(rapid.IntRange(1, 30*24*60).Draw(t, "later")) * time.Minute)
		a, err := Compute(terms, events, lookup, now)
		if err != nil {
			t.Fatal(err)
		}
		b, err := Compute(terms, events, lookup, later)
		if err != nil {
			t.Fatal(err)
		}
		for _, ca := range a.Clocks {
			cb, ok := b.Clock(ca.Kind)
			if !ok {
				t.Fatalf("%s clock disappeared", ca.Kind)
			}
			if (ca.State == StateMet || ca.State == StateBreached) && (cb.State != ca.State || !cb.DueAt.Equal(ca.DueAt)) {
				t.Fatalf("%s was %s due %s, later %s due %s", ca.Kind, ca.State, ca.DueAt, cb.State, cb.DueAt)
			}
			if ca.State == StateBreached && !now.After(ca.DueAt) && ca.MetAt == nil {
				t.Fatalf("breached before due")
			}
		}
	})
}
