package sla

import (
	"cmp"
	"slices"
	"time"
)

// EventKind names what happened to a request.
type EventKind string

const (
	Received     EventKind = "received"     // the request was filed; carries its priority
	Responded    EventKind = "responded"    // first contact by the provider acknowledging and planning
	CheckedIn    EventKind = "onsite"       // a technician checked in on site
	Paused       EventKind = "paused"       // clocks stopped; carries a reason
	Resumed      EventKind = "resumed"      // clocks running again
	Resolved     EventKind = "resolved"     // the fault is fixed; stops every clock
	Reclassified EventKind = "reclassified" // the priority changed; carries the new one
	// Reopened sends a resolved request back to work (a redo of the visit,
	// the provider's fault): the resolution clock resumes where the
	// resolution stopped it, the time in between not counted; the response
	// and on-site clocks keep their outcome.
	Reopened EventKind = "reopened"
)

// Event is one entry of a request's log.
type Event struct {
	// Seq orders events that share an instant (e.g. the log's row id).
	Seq      int64       `json:"seq"`
	Kind     EventKind   `json:"kind"`
	At       time.Time   `json:"at"`
	Actor    string      `json:"actor,omitempty"`
	Priority Priority    `json:"priority,omitempty"` // received, reclassified
	Reason   PauseReason `json:"reason,omitempty"`   // paused
	Note     string      `json:"note,omitempty"`
}

// IgnoredEvent is an event that had no effect on the clocks, and why; shown
// to auditors so that nothing changes a clock silently.
type IgnoredEvent struct {
	Seq    int64     `json:"seq"`
	Kind   EventKind `json:"kind"`
	At     time.Time `json:"at"`
	Reason string    `json:"reason"`
}

// sortedEvents returns the events at or before now, ordered by At then Seq.
// The input is not modified; when it is already in order and has nothing
// after now (the usual case for a stored log) it is returned as is.
func sortedEvents(events []Event, now time.Time) []Event {
	inOrder := true
	for i, e := range events {
		if e.At.After(now) || (i > 0 && compareEvents(events[i-1], e) > 0) {
			inOrder = false
			break
		}
	}
	if inOrder {
		return events
	}
	out := make([]Event, 0, len(events))
	for _, e := range events {
		if !e.At.After(now) {
			out = append(out, e)
		}
	}
	slices.SortStableFunc(out, compareEvents)
	return out
}

func compareEvents(a, b Event) int {
	if c := a.At.Compare(b.At); c != 0 {
		return c
	}
	return cmp.Compare(a.Seq, b.Seq)
}
