package sla

import (
	"time"

	"aftersales/internal/calendar"
)

// Escalation is the clock of an escalated fault: the senior technician or
// the vendor's second line must answer within the agreement's answer time
// (Terms.EscalationTime) of working time on its calendar, from the escalation on.
const Escalation ClockKind = "escalation" // 升级处理时限

// DefaultEscalationWithin is the answer time of an escalation when the
// agreement sets none (docs/SLA.md).
const DefaultEscalationWithin = 4 * time.Hour

// EscalationClock computes the clock of one escalation raised at raised
// and answered at answered (nil while open). Pauses of the request do not
// stop it: the second line's answer does not wait for the customer.
func EscalationClock(cal *calendar.Calendar, calendarID string, p Priority, raised time.Time, answered *time.Time, allowed time.Duration, now time.Time) Clock {
	w := clockWork{cal: cal, start: raised, now: now}
	if answered != nil {
		w.stop = *answered
	}
	due := cal.AddWorkingDuration(raised, allowed)
	c := Clock{Kind: Escalation, Priority: p, CalendarID: calendarID, StartedAt: raised, DueAt: due, Allowed: allowed, w: w}
	c.settle(false)
	return c
}
