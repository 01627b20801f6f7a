package sla

import (
	"fmt"
	"slices"
	"time"
)

// timeline is what the event log says, reduced to the facts clocks need.
type timeline struct {
	receivedAt time.Time
	segments   []segment  // the priority in force from each instant on
	pauses     []interval // in order, not overlapping; the last may be open
	// suspended holds the spans of the provider's suspensions for
	// non-payment, which may overlap the other pauses; once the log is
	// read they are merged into pauses.
	suspended []interval
	responded time.Time // first response (a check-in on site counts); zero if none
	onSite    time.Time // first check-in on site; zero if none
	resolved  time.Time // the last resolution; zero while unresolved or reopened since
	// firstResolved is the first resolution: it stops the response and
	// on-site clocks for good, whatever reopens the request after it.
	firstResolved time.Time
	// reopened holds each span from a resolution to the reopening after
	// it; the resolution clock does not count them, as if paused.
	reopened []interval
	ignored  []IgnoredEvent
}

type segment struct {
	priority Priority
	from     time.Time
}

type interval struct {
	from   time.Time
	to     time.Time // zero while the pause is still open
	reason PauseReason
	// reopened marks the span from a resolution to a reopening.
	reopened bool
}

func (tl *timeline) openPause() *interval { return openSpan(tl.pauses) }

// openSpan is the last of spans if it is still open.
func openSpan(spans []interval) *interval {
	if n := len(spans); n > 0 && spans[n-1].to.IsZero() {
		return &spans[n-1]
	}
	return nil
}

// mergeSpans joins two lists of spans, each in order and not overlapping
// within itself, into one such list: where a pause and a suspension
// overlap, the time is one span, so it is never taken off twice. A merged
// span still open that holds a suspension carries its reason.
func mergeSpans(a, b []interval) []interval {
	all := make([]interval, 0, len(a)+len(b))
	all = append(append(all, a...), b...)
	slices.SortStableFunc(all, func(x, y interval) int { return x.from.Compare(y.from) })
	out := make([]interval, 0, len(all))
	for _, s := range all {
		n := len(out)
		if n == 0 {
			out = append(out, s)
			continue
		}
		last := &out[n-1]
		if !last.to.IsZero() && last.to.Before(s.from) {
			out = append(out, s)
			continue
		}
		// s starts within last (or where it ends): extend last.
		switch {
		case last.to.IsZero():
		case s.to.IsZero():
			last.to = time.Time{}
			last.reason = s.reason
		case s.to.After(last.to):
			last.to = s.to
		}
		if last.to.IsZero() && s.to.IsZero() && s.reason == ProviderSuspended {
			last.reason = ProviderSuspended
		}
	}
	return out
}

// stopFor returns the instant the clock of kind k stopped: its own event or
// the resolution, whichever came first; zero while it runs.
func (tl *timeline) stopFor(k ClockKind) time.Time {
	var own time.Time
	switch k {
	case Response:
		own = tl.responded
	case OnSite:
		own = tl.onSite
	default:
		return tl.resolved
	}
	first := tl.firstResolved
	if own.IsZero() || (!first.IsZero() && first.Before(own)) {
		return first
	}
	return own
}

// pausesFor returns the spans the clock of kind k does not count: the
// pauses, and for the resolution clock the spans a resolved request spent
// before it was reopened, in order.
func (tl *timeline) pausesFor(k ClockKind) []interval {
	if k != Resolution || len(tl.reopened) == 0 {
		return tl.pauses
	}
	out := make([]interval, 0, len(tl.pauses)+len(tl.reopened))
	out = append(append(out, tl.pauses...), tl.reopened...)
	slices.SortStableFunc(out, func(a, b interval) int { return a.from.Compare(b.from) })
	return out
}

func validPriority(p Priority) bool { return p == Emergency || p == General }

// buildTimeline reads events already sorted by At and Seq.
func buildTimeline(terms Terms, events []Event) (*timeline, error) {
	tl := &timeline{segments: make([]segment, 0, 2)}
	received := false
	ignore := func(e Event, format string, args ...any) {
		tl.ignored = append(tl.ignored, IgnoredEvent{Seq: e.Seq, Kind: e.Kind, At: e.At, Reason: fmt.Sprintf(format, args...)})
	}
	for _, e := range events {
		at := e.At
		if !received {
			if e.Kind != Received {
				ignore(e, "before the request was received")
				continue
			}
			if !validPriority(e.Priority) {
				return nil, fmt.Errorf("sla: received event %d: unknown priority %q", e.Seq, e.Priority)
			}
			received = true
			tl.receivedAt = at
			tl.segments = append(tl.segments, segment{e.Priority, at})
			continue
		}
		if !tl.resolved.IsZero() {
			if e.Kind == Reopened {
				tl.reopened = append(tl.reopened, interval{from: tl.resolved, to: at, reopened: true})
				tl.resolved = time.Time{}
				continue
			}
			ignore(e, "after the request was resolved")
			continue
		}
		switch e.Kind {
		case Received:
			ignore(e, "the request was already received")
		case Responded:
			if !tl.responded.IsZero() {
				ignore(e, "only the first response counts")
				continue
			}
			tl.responded = at
		case CheckedIn:
			if !tl.onSite.IsZero() {
				ignore(e, "only the first check-in counts")
				continue
			}
			tl.onSite = at
			if tl.responded.IsZero() {
				tl.responded = at
			}
		case Paused:
			switch {
			case e.Reason == ProviderSuspended && openSpan(tl.suspended) != nil:
				ignore(e, "the service is already suspended")
			case e.Reason == ProviderSuspended:
				tl.suspended = append(tl.suspended, interval{from: at, reason: e.Reason})
			case !terms.Allows(e.Reason):
				ignore(e, "pause reason %q is not allowed by the agreement", e.Reason)
			case tl.openPause() != nil:
				ignore(e, "the clocks are already paused")
			default:
				tl.pauses = append(tl.pauses, interval{from: at, reason: e.Reason})
			}
		case Resumed:
			if e.Reason == ProviderSuspended {
				if p := openSpan(tl.suspended); p != nil {
					p.to = at
				} else {
					ignore(e, "the service was not suspended")
				}
				continue
			}
			p := tl.openPause()
			if p == nil {
				ignore(e, "the clocks were not paused")
				continue
			}
			p.to = at
		case Resolved:
			tl.resolved = at
			if tl.firstResolved.IsZero() {
				tl.firstResolved = at
			}
			if p := tl.openPause(); p != nil {
				p.to = at
			}
			if p := openSpan(tl.suspended); p != nil {
				p.to = at
			}
		case Reclassified:
			current := tl.segments[len(tl.segments)-1].priority
			switch {
			case !validPriority(e.Priority):
				ignore(e, "unknown priority %q", e.Priority)
			case e.Priority == current:
				ignore(e, "the priority is already %s", current)
			default:
				tl.segments = append(tl.segments, segment{e.Priority, at})
			}
		case Reopened:
			ignore(e, "the request was not resolved")
		default:
			ignore(e, "unknown event kind %q", e.Kind)
		}
	}
	if !received {
		return nil, ErrNotReceived
	}
	if len(tl.suspended) > 0 {
		tl.pauses = mergeSpans(tl.pauses, tl.suspended)
	}
	return tl, nil
}
