package sla

import (
	"fmt"
	"time"

	"aftersales/internal/calendar"
)

// Priority classifies a request (紧急 / 一般).
type Priority string

const (
	Emergency Priority = "emergency"
	General   Priority = "general"
)

// ClockKind names a deadline.
type ClockKind string

const (
	Response   ClockKind = "response"   // 响应时限
	OnSite     ClockKind = "onsite"     // 到场时限
	Resolution ClockKind = "resolution" // 解决时限
)

// clockOrder is the order clocks are reported in.
var clockOrder = []ClockKind{Response, OnSite, Resolution}

// PauseReason is why a clock may be stopped for a while.
type PauseReason string

const (
	WaitingCustomer    PauseReason = "waiting_customer"     // the customer is unreachable or asked to wait
	WaitingVendorParts PauseReason = "waiting_vendor_parts" // parts owed by the vendor have not arrived
	Suspension         PauseReason = "suspension"           // service suspended under the agreement (§2.2.1)
	// ProviderSuspended is the provider's suspension of service for the
	// vendor's non-payment (§2.2.1): set by the product, never by a person,
	// allowed whatever the terms list, and kept apart from the other
	// pauses (it may overlap them; the time is counted once).
	ProviderSuspended PauseReason = "provider_suspended"
)

// DefaultPauseReasons are allowed when Terms lists none.
var DefaultPauseReasons = []PauseReason{WaitingCustomer, WaitingVendorParts, Suspension}

// Target is one deadline of a priority: either Within (working time on the
// calendar, e.g. 4h) or WorkingDays (close of business of the Nth working day
// after the day of receipt), never both.
type Target struct {
	Kind        ClockKind     `json:"kind"`
	Within      time.Duration `json:"within,omitempty"`
	WorkingDays int           `json:"working_days,omitempty"`
	CalendarID  string        `json:"calendar_id"`
}

// Terms are the agreement's deadlines per priority and the reasons for which
// a clock may be paused.
type Terms struct {
	Emergency    []Target      `json:"emergency"`
	General      []Target      `json:"general"`
	PauseReasons []PauseReason `json:"pause_reasons,omitempty"` // empty: DefaultPauseReasons
	// EscalationWithin is the answer time of an escalation, in working
	// time; 0 means DefaultEscalationWithin.
	EscalationWithin time.Duration `json:"escalation_within,omitempty"`
}

// EscalationTime is the answer time of an escalation under t.
func (t Terms) EscalationTime() time.Duration {
	if t.EscalationWithin > 0 {
		return t.EscalationWithin
	}
	return DefaultEscalationWithin
}

// Targets returns the targets of priority p (nil for an unknown priority).
func (t Terms) Targets(p Priority) []Target {
	switch p {
	case Emergency:
		return t.Emergency
	case General:
		return t.General
	}
	return nil
}

// Allows reports whether a pause for reason r is allowed by the terms.
func (t Terms) Allows(r PauseReason) bool {
	if r == ProviderSuspended {
		return true
	}
	reasons := t.PauseReasons
	if len(reasons) == 0 {
		reasons = DefaultPauseReasons
	}
	for _, a := range reasons {
		if a == r {
			return true
		}
	}
	return false
}

// Validate checks the terms and returns a *calendar.ValidationError naming
// every bad field, or nil. Calendar ids are checked only for presence: the
// caller knows which calendars exist.
func (t Terms) Validate() error {
	var errs []calendar.FieldError
	add := func(field, format string, args ...any) {
		errs = append(errs, calendar.FieldError{Field: field, Reason: fmt.Sprintf(format, args...)})
	}
	for _, group := range []struct {
		name    string
		targets []Target
	}{{"emergency", t.Emergency}, {"general", t.General}} {
		seen := map[ClockKind]int{}
		for i, tg := range group.targets {
			f := fmt.Sprintf("%s[%d]", group.name, i)
			switch tg.Kind {
			case Response, OnSite, Resolution:
				if j, dup := seen[tg.Kind]; dup {
					add(f+".kind", "%s is already set at %s[%d]", tg.Kind, group.name, j)
				}
				seen[tg.Kind] = i
			default:
				add(f+".kind", "must be response, onsite or resolution, not %q", tg.Kind)
			}
			switch {
			case tg.Within < 0 || tg.WorkingDays < 0:
				add(f, "a deadline cannot be negative")
			case tg.Within > 0 && tg.WorkingDays > 0:
				add(f, "set either within (working time) or working_days, not both")
			case tg.Within == 0 && tg.WorkingDays == 0:
				add(f, "set within (working time) or working_days")
			case tg.Within > 0 && tg.Within < time.Minute:
				add(f+".within", "must be at least one minute")
			case tg.WorkingDays > 366:
				add(f+".working_days", "must be at most 366")
			}
			if tg.CalendarID == "" {
				add(f+".calendar_id", "is required")
			}
		}
	}
	for i, r := range t.PauseReasons {
		switch r {
		case WaitingCustomer, WaitingVendorParts, Suspension:
		default:
			add(fmt.Sprintf("pause_reasons[%d]", i), "unknown reason %q", r)
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return &calendar.ValidationError{Errors: errs}
}
