package sla

import (
	"testing"
	"time"

	"pgregory.net/rapid"
)

// A redo reopens a resolved request: the resolution clock resumes where the
// resolution stopped it, its due time later by the span the request stood
// resolved; the response and on-site clocks keep their outcome.
func TestReopenResumesTheResolutionClock(t *testing.T) {
	t.Parallel()
	start := at(3, 12, 10, 0) // emergency, 24/7: respond 2 h, on site 4 h, resolve 24 h
	events := log(received(start, Emergency), ev(Responded, start.Add(time.Hour)), ev(CheckedIn, start.Add(3*time.Hour)),
		ev(Resolved, start.Add(5*time.Hour)), ev(Reopened, start.Add(30*time.Hour)))
	st, err := Compute(terms, events, lookup, start.Add(31*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	res, _ := st.Clock(Resolution)
	if res.State != StateRunning || !res.DueAt.Equal(start.Add(49*time.Hour)) || res.Used != 6*time.Hour {
		t.Fatalf("the reopened resolution clock: %s, used %s", res, res.Used)
	}
	for _, k := range []ClockKind{Response, OnSite} {
		c, _ := st.Clock(k)
		if c.State != StateMet || c.MetAt == nil || c.MetAt.After(start.Add(3*time.Hour)) {
			t.Fatalf("the %s clock after the reopening: %s", k, c)
		}
	}
	// Resolved again within what was left: met, when it stopped the second time.
	again := append(events, Event{Seq: 6, Kind: Resolved, At: start.Add(40 * time.Hour)})
	st, err = Compute(terms, again, lookup, start.Add(50*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	res, _ = st.Clock(Resolution)
	if res.State != StateMet || !res.MetAt.Equal(start.Add(40*time.Hour)) || res.Used != 15*time.Hour {
		t.Fatalf("resolved again: %s, used %s", res, res.Used)
	}
	// Past what was left, breached.
	late := append(events, Event{Seq: 6, Kind: Resolved, At: start.Add(50 * time.Hour)})
	st, _ = Compute(terms, late, lookup, start.Add(60*time.Hour))
	if res, _ = st.Clock(Resolution); res.State != StateBreached {
		t.Fatalf("resolved again too late: %s", res)
	}
	// A request resolved late stays breached when reopened.
	lateFirst := log(received(start, Emergency), ev(Resolved, start.Add(30*time.Hour)), ev(Reopened, start.Add(31*time.Hour)))
	st, _ = Compute(terms, lateFirst, lookup, start.Add(32*time.Hour))
	if res, _ = st.Clock(Resolution); res.State != StateBreached || !res.DueAt.Equal(start.Add(24*time.Hour)) {
		t.Fatalf("reopening a breached clock: %s", res)
	}
	// Reopening an open request changes nothing and says why.
	open := log(received(start, Emergency), ev(Reopened, start.Add(time.Hour)))
	st, _ = Compute(terms, open, lookup, start.Add(2*time.Hour))
	if len(st.Ignored) != 1 || st.Ignored[0].Kind != Reopened {
		t.Fatalf("a reopening of an open request: %+v", st.Ignored)
	}
}

// For any log resolved once (after its other events), reopening and resolving again: the response
// and on-site clocks are unchanged, and the resolution clock has used what
// it used at the first resolution plus the working time from the reopening
// to the second resolution.
func TestPropertyReopenAddsOnlyTheTimeReopened(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		drawn, _ := genLog(t)
		var events []Event
		for _, e := range drawn {
			if e.Kind != Resolved {
				events = append(events, e)
			}
		}
		last := events[len(events)-1].At
		resolvedAt := last.Add(time.Duration(rapid.IntRange(1, 48*60).Draw(t, "resolve")) * time.Minute)
		events = append(events, Event{Seq: int64(len(events) + 1), Kind: Resolved, At: resolvedAt})
		first, err := Compute(terms, events, lookup, resolvedAt)
		if err != nil {
			t.Fatal(err)
		}
		reopenAt := resolvedAt.Add(time.Duration(rapid.IntRange(0, 10*24*60).Draw(t, "reopen")) * time.Minute)
		againAt := reopenAt.Add(time.Duration(rapid.IntRange(0, 10*24*60).Draw(t, "again")) * time.Minute)
		more := append(append([]Event{}, events...), Event{Seq: int64(len(events) + 1), Kind: Reopened, At: reopenAt},
			Event{Seq: int64(len(events) + 2), Kind: Resolved, At: againAt})
		second, err := Compute(terms, more, lookup, againAt)
		if err != nil {
			t.Fatal(err)
		}
		if len(first.Clocks) != len(second.Clocks) {
			t.Fatalf("clocks %v, then %v", first.Clocks, second.Clocks)
		}
		for i, a := range first.Clocks {
			b := second.Clocks[i]
			if a.Kind != Resolution {
				if a.Kind != b.Kind || a.State != b.State || !a.DueAt.Equal(b.DueAt) {
					t.Fatalf("%s changed: %s, then %s", a.Kind, a, b)
				}
				continue
			}
			cal, err := lookup(b.CalendarID)
			if err != nil {
				t.Fatal(err)
			}
			if want := a.Used + cal.WorkingTimeBetween(reopenAt, againAt); b.Used != want {
				t.Fatalf("resolution used %s, then %s; want %s", a.Used, b.Used, want)
			}
			if a.DueAt.After(b.DueAt) {
				t.Fatalf("reopening brought the due time forward: %s, then %s", a.DueAt, b.DueAt)
			}
		}
	})
}
