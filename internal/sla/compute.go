package sla

import (
	"fmt"
	"slices"
	"time"

	"aftersales/internal/calendar"
)

// CalendarLookup finds a working calendar by id.
type CalendarLookup func(id string) (*calendar.Calendar, error)

// Status is the state of a request's clocks at `now`.
type Status struct {
	Priority    Priority       `json:"priority"` // in force at now
	ReceivedAt  time.Time      `json:"received_at"`
	Clocks      []Clock        `json:"clocks"` // response, onsite, resolution (those the terms set)
	PausedSince *time.Time     `json:"paused_since,omitempty"`
	PauseReason PauseReason    `json:"pause_reason,omitempty"`
	Ignored     []IgnoredEvent `json:"ignored,omitempty"`
}

// Clock returns the clock of kind k, if the terms set one.
func (s Status) Clock(k ClockKind) (Clock, bool) {
	i := slices.IndexFunc(s.Clocks, func(c Clock) bool { return c.Kind == k })
	if i < 0 {
		return Clock{}, false
	}
	return s.Clocks[i], true
}

// Compute derives the clocks of one request from the agreement's terms and
// the request's event log, as they stand at now. Events after now are left
// out, so Compute also answers "what did the clocks show at that time".
// The order of events in the slice does not matter: they are taken in order
// of At, then Seq. The rules are described in docs/SLA.md.
func Compute(terms Terms, events []Event, calendars CalendarLookup, now time.Time) (Status, error) {
	tl, err := buildTimeline(terms, sortedEvents(events, now))
	if err != nil {
		return Status{}, err
	}
	st := Status{
		Priority:   tl.segments[len(tl.segments)-1].priority,
		ReceivedAt: tl.receivedAt,
		Ignored:    tl.ignored,
	}
	if p := tl.openPause(); p != nil {
		since := p.from
		st.PausedSince, st.PauseReason = &since, p.reason
	}
	var cache calendarCache
	// A clock whose outcome was settled before a reclassification keeps it;
	// the others are measured, from receipt, with the targets of the
	// priority in force at now.
	var settled, current [3]Clock
	var isSettled, isCurrent [3]bool
	for k, seg := range tl.segments {
		last := k == len(tl.segments)-1
		for _, tg := range terms.Targets(seg.priority) {
			ki := slices.Index(clockOrder, tg.Kind)
			if ki < 0 || isSettled[ki] {
				continue
			}
			cal, err := cache.get(calendars, tg.CalendarID)
			if err != nil {
				return Status{}, fmt.Errorf("sla: %s %s clock: %w", seg.priority, tg.Kind, err)
			}
			c := computeClock(tg, seg.priority, cal, tl, now)
			switch {
			case last:
				current[ki], isCurrent[ki] = c, true
			case decidedBy(c, tl.segments[k+1].from):
				settled[ki], isSettled[ki] = c, true
			}
		}
	}
	st.Clocks = make([]Clock, 0, len(clockOrder))
	for ki := range clockOrder {
		if isSettled[ki] {
			st.Clocks = append(st.Clocks, settled[ki])
		} else if isCurrent[ki] {
			st.Clocks = append(st.Clocks, current[ki])
		}
	}
	return st, nil
}

// calendarCache remembers the few calendars one computation uses.
type calendarCache struct {
	ids  [4]string
	cals [4]*calendar.Calendar
	n    int
}

func (c *calendarCache) get(lookup CalendarLookup, id string) (*calendar.Calendar, error) {
	for i := range c.n {
		if c.ids[i] == id {
			return c.cals[i], nil
		}
	}
	cal, err := lookup(id)
	if err != nil {
		return nil, fmt.Errorf("calendar %q: %w", id, err)
	}
	if cal == nil {
		return nil, fmt.Errorf("calendar %q not found", id)
	}
	if c.n < len(c.ids) {
		c.ids[c.n], c.cals[c.n] = id, cal
		c.n++
	}
	return cal, nil
}
