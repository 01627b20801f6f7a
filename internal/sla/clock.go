package sla

import (
	"errors"
	"fmt"
	"time"

	"aftersales/internal/calendar"
)

// ErrNotReceived means the log has no received event (at or before now).
var ErrNotReceived = errors.New("sla: the request has no received event")

// ClockState is where a clock stands at `now`.
type ClockState string

const (
	StateRunning  ClockState = "running"
	StatePaused   ClockState = "paused"
	StateMet      ClockState = "met"      // stopped at or before its due time; final
	StateBreached ClockState = "breached" // due time passed before it stopped; final, MetAt set if it stopped late
)

// Clock is one deadline of a request as of `now`.
type Clock struct {
	Kind       ClockKind  `json:"kind"`
	Priority   Priority   `json:"priority"` // the priority whose target this clock measures
	CalendarID string     `json:"calendar_id"`
	StartedAt  time.Time  `json:"started_at"` // the receipt time
	DueAt      time.Time  `json:"due_at"`     // shifted by counted pauses
	State      ClockState `json:"state"`
	MetAt      *time.Time `json:"met_at,omitempty"` // when it stopped, on time or late
	// Allowed is the working time the target gives (for a target in working
	// days: from receipt to the close of business of the last day).
	Allowed      time.Duration `json:"allowed"`
	Used         time.Duration `json:"used"`      // working time used, pauses excluded, up to now or MetAt
	Remaining    time.Duration `json:"remaining"` // Allowed - Used; negative when overdue
	PausedFor    time.Duration `json:"paused_for"`
	ElapsedShare float64       `json:"elapsed_share"` // Used / Allowed

	w clockWork
}

// clockWork keeps what WarningAt needs to replay the clock.
type clockWork struct {
	cal    *calendar.Calendar
	start  time.Time
	pauses []interval
	stop   time.Time // zero while the clock runs
	now    time.Time
}

// WarningAt returns the instant at which the given share of the allowed
// working time is used (0.75 for a warning at three quarters), with the
// pauses known so far. A share of 1 gives DueAt.
func (c Clock) WarningAt(share float64) time.Time {
	if c.w.cal == nil {
		return time.Time{}
	}
	budget := time.Duration(float64(c.Allowed) * max(share, 0))
	due, _ := c.w.shift(c.w.cal.AddWorkingDuration(c.w.start, budget))
	return due
}

// shift moves a due time later by the working time of each pause that began
// while the clock was still running (before the due time and before the
// clock stopped). An open pause counts up to now. The total it returns
// also counts the spans a request stood resolved before a reopening.
func (w *clockWork) shift(due time.Time) (time.Time, time.Duration) {
	var total time.Duration
	for _, p := range w.pauses {
		if !w.stop.IsZero() && !p.from.Before(w.stop) {
			break
		}
		// A pause from the due time on has no effect; the span a request
		// stood resolved is never used, but does not move a due time
		// already passed.
		late := !p.from.Before(due)
		if late && !p.reopened {
			continue
		}
		end := w.now
		if !p.to.IsZero() && p.to.Before(end) {
			end = p.to
		}
		if !w.stop.IsZero() && w.stop.Before(end) {
			end = w.stop
		}
		if !end.After(p.from) {
			continue
		}
		if d := w.cal.WorkingTimeBetween(p.from, end); d > 0 {
			total += d
			if !late {
				due = w.cal.AddWorkingDuration(due, d)
			}
		}
	}
	return due, total
}

func computeClock(tg Target, p Priority, cal *calendar.Calendar, tl *timeline, now time.Time) Clock {
	start := tl.receivedAt
	var due time.Time
	var allowed time.Duration
	if tg.WorkingDays > 0 {
		due = cal.WorkingDaysDeadline(start, tg.WorkingDays)
		allowed = cal.WorkingTimeBetween(start, due)
	} else {
		allowed = tg.Within
		due = cal.AddWorkingDuration(start, allowed)
	}
	w := clockWork{cal: cal, start: start, pauses: tl.pausesFor(tg.Kind), stop: tl.stopFor(tg.Kind), now: now}
	due, pausedFor := w.shift(due)
	c := Clock{Kind: tg.Kind, Priority: p, CalendarID: tg.CalendarID, StartedAt: start, DueAt: due,
		Allowed: allowed, PausedFor: pausedFor, w: w}
	open := tl.openPause()
	c.settle(open != nil && open.from.Before(due))
	return c
}

// settle tells where the clock stands at its now and what it has used of
// its allowed time: met, or breached when it stopped after its due time;
// breached once past due; paused, when a pause that began before the due
// time is open; else running. The time used runs from its start to when
// it stopped, or to now, less the working time its pauses took.
func (c *Clock) settle(paused bool) {
	until := c.w.now
	switch {
	case !c.w.stop.IsZero():
		stopped := c.w.stop
		c.MetAt, until = &stopped, stopped
		c.State = StateMet
		if stopped.After(c.DueAt) {
			c.State = StateBreached
		}
	case c.w.now.After(c.DueAt):
		c.State = StateBreached
	case paused:
		c.State = StatePaused
	default:
		c.State = StateRunning
	}
	c.Used = c.w.cal.WorkingTimeBetween(c.StartedAt, until) - c.PausedFor
	c.Remaining = c.Allowed - c.Used
	if c.Allowed > 0 {
		c.ElapsedShare = float64(c.Used) / float64(c.Allowed)
	}
}

// decidedBy reports whether the clock's outcome was settled at instant t:
// met by then, or its due time already passed.
func decidedBy(c Clock, t time.Time) bool {
	return (c.MetAt != nil && !c.MetAt.After(t)) || c.DueAt.Before(t)
}

func (c Clock) String() string {
	return fmt.Sprintf("%s %s due %s", c.Kind, c.State, c.DueAt.Format(time.RFC3339))
}
