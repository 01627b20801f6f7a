// Package complaint handles complaints and suggestions (投诉与建议, DOMAIN
// 3.2.2): filed by customers (portal, survey, QR page), by a dispatcher for
// a phone call, or by the vendor; linked to a request, visit and technician
// where known. A complaint has two clocks on its agreement's general
// calendar from the agreement's terms (the first answer and the close),
// warned at 75 % and breached like a request's clocks, and is escalated to
// the vendor when it is not closed in time. A suggestion is answered and
// closed without clocks.
//
// The rules (clocks, transitions) are plain Go in this file; service.go
// holds the use cases and their SQL. It must not import web or api.
package complaint

import (
	"slices"
	"strings"
	"time"

	"aftersales/internal/calendar"
)

// Kinds of what a customer tells.
const (
	KindComplaint  = "complaint"
	KindSuggestion = "suggestion"
)

// Categories of complaints and suggestions.
var Categories = []string{"attitude", "slow_response", "repair_quality", "parts", "fees", "other"}

// Channels through which one is filed.
var Channels = []string{"portal", "survey", "qr", "phone", "vendor"}

// States of a complaint.
const (
	Open     = "open"
	Answered = "answered"
	Closed   = "closed"
)

// How a complaint was closed.
const (
	ClosedAccepted   = "accepted"   // the customer accepted the reply
	ClosedUnanswered = "unanswered" // the customer did not answer in time
	ClosedReplied    = "replied"    // a suggestion, closed with its reply
)

// Complaint is one complaint or suggestion.
type Complaint struct {
	ID                int64      `db:"id" json:"id"`
	Kind              string     `db:"kind" json:"kind"`
	Category          string     `db:"category" json:"category"`
	Channel           string     `db:"channel" json:"channel"`
	Status            string     `db:"status" json:"status"`
	AgreementID       int64      `db:"agreement_id" json:"agreement_id"`
	VendorID          int64      `db:"vendor_id" json:"vendor_id"`
	ProviderID        int64      `db:"provider_id" json:"provider_id"`
	CustomerOrgID     int64      `db:"customer_org_id" json:"customer_org_id"`
	RequestID         *int64     `db:"request_id" json:"request_id,omitempty"`
	WorkOrderID       *int64     `db:"work_order_id" json:"work_order_id,omitempty"`
	TechnicianID      *int64     `db:"technician_id" json:"technician_id,omitempty"`
	SurveyID          *int64     `db:"survey_id" json:"survey_id,omitempty"`
	Description       string     `db:"description" json:"description"`
	ContactName       string     `db:"contact_name" json:"contact_name,omitempty"`
	ContactPhone      string     `db:"contact_phone" json:"contact_phone,omitempty"`
	FiledByID         *int64     `db:"filed_by_id" json:"-"`
	FiledBy           string     `db:"filed_by" json:"filed_by"`
	FiledAt           time.Time  `db:"filed_at" json:"filed_at"`
	Period            string     `db:"period" json:"period"`
	CalendarID        string     `db:"calendar_id" json:"calendar_id,omitempty"`
	FirstAnswerDue    *time.Time `db:"first_answer_due" json:"-"`
	FirstAnswerWarnAt *time.Time `db:"first_answer_warn_at" json:"-"`
	CloseDue          *time.Time `db:"close_due" json:"-"`
	CloseWarnAt       *time.Time `db:"close_warn_at" json:"-"`
	UnansweredDays    int        `db:"unanswered_days" json:"-"`
	FirstAnsweredAt   *time.Time `db:"first_answered_at" json:"first_answered_at,omitempty"`
	Reply             string     `db:"reply" json:"reply,omitempty"`
	RepliedAt         *time.Time `db:"replied_at" json:"replied_at,omitempty"`
	ClosedAt          *time.Time `db:"closed_at" json:"closed_at,omitempty"`
	CloseKind         string     `db:"close_kind" json:"close_kind,omitempty" doc:"accepted, unanswered or replied (a suggestion)."`
	Reopened          int        `db:"reopened" json:"reopened"`
	EscalatedAt       *time.Time `db:"escalated_at" json:"escalated_at,omitempty"`
	Alerts            string     `db:"alerts" json:"-"`
	UpdatedAt         time.Time  `db:"updated_at" json:"updated_at"`
	Version           int64      `db:"version" json:"version"`
}

// Clock is one of a complaint's clocks, shaped like a request's.
type ComplaintClock struct {
	Kind  string     `json:"kind" doc:"first_answer or close."`
	DueAt time.Time  `json:"due_at"`
	State string     `json:"state" doc:"running, met or breached."`
	MetAt *time.Time `json:"met_at,omitempty"`
	// Warning is set once 75 % of the clock's working time has passed while
	// it runs.
	Warning bool `json:"warning"`
}

// Clock kinds.
const (
	FirstAnswer = "first_answer"
	CloseClock  = "close"
)

// Deadlines are a complaint's clocks as fixed when it is filed.
type Deadlines struct {
	FirstAnswerDue, FirstAnswerWarnAt, CloseDue, CloseWarnAt time.Time
}

// WarnShare is the share of a clock's working time after which it warns.
const WarnShare = 0.75

// ComputeDeadlines fixes the clocks of a complaint filed at on cal: each
// ends at the close of business of the Nth working day after the day filed,
// and warns when 75 % of the working time up to then has passed.
func ComputeDeadlines(cal *calendar.Calendar, filed time.Time, firstDays, closeDays int) Deadlines {
	warn := func(due time.Time) time.Time {
		allowed := cal.WorkingTimeBetween(filed, due)
		return cal.AddWorkingDuration(filed, time.Duration(float64(allowed)*WarnShare))
	}
	d := Deadlines{FirstAnswerDue: cal.WorkingDaysDeadline(filed, firstDays), CloseDue: cal.WorkingDaysDeadline(filed, closeDays)}
	d.FirstAnswerWarnAt, d.CloseWarnAt = warn(d.FirstAnswerDue), warn(d.CloseDue)
	return d
}

// Clocks are the complaint's clocks at now; a suggestion has none.
func (c Complaint) Clocks(now time.Time) []ComplaintClock {
	if c.Kind != KindComplaint || c.FirstAnswerDue == nil || c.CloseDue == nil {
		return []ComplaintClock{}
	}
	return []ComplaintClock{
		clockAt(FirstAnswer, *c.FirstAnswerDue, c.FirstAnswerWarnAt, c.FirstAnsweredAt, now),
		clockAt(CloseClock, *c.CloseDue, c.CloseWarnAt, c.ClosedAt, now),
	}
}

func clockAt(kind string, due time.Time, warnAt, stopped *time.Time, now time.Time) ComplaintClock {
	c := ComplaintClock{Kind: kind, DueAt: due, State: "running", MetAt: stopped}
	switch {
	case stopped != nil && !stopped.After(due):
		c.State = "met"
	case stopped != nil, now.After(due):
		c.State = "breached"
	case warnAt != nil && !now.Before(*warnAt):
		c.Warning = true
	}
	return c
}

// Late reports whether any clock of the complaint is breached at now.
func (c Complaint) Late(now time.Time) bool {
	for _, k := range c.Clocks(now) {
		if k.State == "breached" {
			return true
		}
	}
	return false
}

// ClosedOnTime reports whether a closed complaint was closed by its due time.
func (c Complaint) ClosedOnTime() bool {
	return c.Kind == KindComplaint && c.ClosedAt != nil && c.CloseDue != nil && !c.ClosedAt.After(*c.CloseDue)
}

// hasAlert and withAlert keep the alerts already sent, as words in a string.
func (c Complaint) hasAlert(a string) bool { return slices.Contains(strings.Fields(c.Alerts), a) }

func withAlert(alerts, a string) string { return strings.TrimSpace(alerts + " " + a) }
