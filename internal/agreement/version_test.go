package agreement

import (
	"encoding/json"
	"testing"
	"time"

	"aftersales/internal/problem"
)

func fieldOf(err error) string {
	p, ok := problem.As(err)
	if !ok || len(p.Fields) == 0 {
		return ""
	}
	return p.Fields[0].Field + ": " + p.Fields[0].Message
}

func TestInForcePicksTheVersionOfTheDay(t *testing.T) {
	t.Parallel()
	vs := []Version{
		{Number: 1, EffectiveFrom: "2026-01-01"},
		{Number: 2, EffectiveFrom: "2026-06-01"},
		{Number: 3, EffectiveFrom: "2026-06-01"}, // a correction of 2 before it took effect
		{Number: 4, EffectiveFrom: "2026-12-01"},
	}
	for _, c := range []struct {
		date string
		want int // 0: none
	}{
		{"2025-12-31", 0}, {"2026-01-01", 1}, {"2026-05-31", 1}, {"2026-06-01", 3},
		{"2026-11-30", 3}, {"2026-12-01", 4}, {"2030-01-01", 4},
	} {
		v, ok := InForce(vs, c.date)
		if got := map[bool]int{true: v.Number}[ok]; got != c.want {
			t.Errorf("InForce(%s) = version %d, want %d", c.date, got, c.want)
		}
	}
}

func TestTermsOnReadsTheDateInShanghai(t *testing.T) {
	t.Parallel()
	vs := []Version{{Number: 1, EffectiveFrom: "2026-01-01"}, {Number: 2, EffectiveFrom: "2026-12-01"}}
	for _, c := range []struct {
		at   string
		want int
	}{
		{"2026-11-30T15:59:59Z", 1}, // 23:59:59 in Beijing
		{"2026-11-30T16:00:00Z", 2}, // midnight in Beijing: version 2 starts
		{"2026-12-01T00:00:00+08:00", 2},
		{"2026-11-30T23:59:59+08:00", 1},
	} {
		at, _ := time.Parse(time.RFC3339, c.at)
		if v, _ := TermsOn(vs, at); v.Number != c.want {
			t.Errorf("TermsOn(%s) = version %d, want %d", c.at, v.Number, c.want)
		}
	}
}

func TestEffectiveDateRules(t *testing.T) {
	t.Parallel()
	latest := &Version{Number: 2, EffectiveFrom: "2026-12-01"}
	cases := []struct {
		name   string
		date   string
		latest *Version
		draft  bool
		ok     bool
	}{
		{"first version of a draft may start in the past", "2025-01-01", nil, true, true},
		{"today is fine", "2026-11-05", &Version{Number: 1, EffectiveFrom: "2026-01-01"}, false, true},
		{"yesterday is the past", "2026-11-04", &Version{Number: 1, EffectiveFrom: "2026-01-01"}, false, false},
		{"a later draft version may not reach into the past either", "2026-11-04", &Version{Number: 1, EffectiveFrom: "2026-01-01"}, true, false},
		{"not before a scheduled version", "2026-11-20", latest, false, false},
		{"same day as a scheduled version corrects it", "2026-12-01", latest, false, true},
		{"malformed", "2026-13-01", nil, true, false},
	}
	for _, c := range cases {
		err := CheckEffectiveFrom("effective_from", c.date, "2026-11-05", c.latest, c.draft)
		if (err == nil) != c.ok {
			t.Errorf("%s: err=%v", c.name, err)
		}
	}
}

func TestAdjustmentDates(t *testing.T) {
	t.Parallel()
	if err := CheckDesiredDate("effective_from", "2026-12-04", "2026-11-05", 30); err == nil {
		t.Error("a desired date inside the lead time was accepted")
	} else if got := fieldOf(err); got != "effective_from: the agreement's adjustment lead time is 30 days: the earliest effective date is 2026-12-05" {
		t.Errorf("message: %s", got)
	}
	if err := CheckDesiredDate("effective_from", "2026-12-05", "2026-11-05", 30); err != nil {
		t.Errorf("the first day after the lead time was refused: %v", err)
	}
	latest := Version{Number: 3, EffectiveFrom: "2026-01-01"}
	for _, c := range []struct{ desired, accepted, want string }{
		{"2026-12-05", "2026-11-05", "2026-12-05"}, // accepted at once: as desired
		{"2026-12-05", "2026-11-20", "2026-12-20"}, // accepted late: the lead time runs from acceptance
		{"2027-03-01", "2026-11-20", "2027-03-01"},
	} {
		if got := AdjustmentEffectiveFrom(c.desired, c.accepted, 30, latest); got != c.want {
			t.Errorf("desired %s accepted %s: %s, want %s", c.desired, c.accepted, got, c.want)
		}
	}
	scheduled := Version{Number: 4, EffectiveFrom: "2027-06-01"}
	if got := AdjustmentEffectiveFrom("2027-01-01", "2026-11-20", 30, scheduled); got != "2027-06-01" {
		t.Errorf("before a scheduled version: %s", got)
	}
}

func TestStatusOn(t *testing.T) {
	t.Parallel()
	term := &Term{Start: "2026-01-01", End: "2026-12-31"}
	renewing := &Term{Start: "2026-01-31", End: "2026-02-28", AutoRenew: true, RenewalMonths: 1}
	on := "2026-12-01"
	for _, c := range []struct {
		name string
		a    Agreement
		date string
		term *Term
		want Status
	}{
		{"draft stays draft", Agreement{Stored: Draft}, "2030-01-01", term, Draft},
		{"active within the term", Agreement{Stored: Active}, "2026-12-31", term, Active},
		{"expired the day after the end", Agreement{Stored: Active}, "2027-01-01", term, Expired},
		{"suspended agreements expire too", Agreement{Stored: Suspended}, "2027-01-01", term, Expired},
		{"auto-renewal keeps it running", Agreement{Stored: Active}, "2027-05-15", renewing, Active},
		{"termination announced ahead", Agreement{Stored: Active, TerminatesOn: &on}, "2026-11-30", term, Active},
		{"termination takes effect on its date", Agreement{Stored: Suspended, TerminatesOn: &on}, "2026-12-01", term, Terminated},
	} {
		if got := c.a.StatusOn(c.date, c.term); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
	if got := renewing.PeriodEnd("2026-03-29"); got != "2026-03-31" {
		t.Errorf("renewal from a month end: %s, want 2026-03-31", got)
	}
}

func TestTransitions(t *testing.T) {
	t.Parallel()
	vendor, provider := int64(1), int64(2)
	base := Agreement{VendorID: vendor, ProviderID: provider}
	suspendedByProvider := base
	suspendedByProvider.SuspendedBy = &provider
	for _, c := range []struct {
		name    string
		a       Agreement
		current Status
		party   Party
		tr      Transition
		kind    problem.Kind // "" for allowed
	}{
		{"vendor activates a draft", base, Draft, VendorParty, Transition{To: Active}, ""},
		{"provider may not activate", base, Draft, ProviderParty, Transition{To: Active}, problem.Forbidden},
		{"provider suspends when the vendor defaults", base, Active, ProviderParty, Transition{To: Suspended, Reason: "invoice 2026-09 unpaid"}, ""},
		{"a suspension needs a reason", base, Active, VendorParty, Transition{To: Suspended}, problem.Invalid},
		{"only the suspending party resumes", suspendedByProvider, Suspended, VendorParty, Transition{To: Active, Reason: "paid"}, problem.Forbidden},
		{"the suspending party resumes", suspendedByProvider, Suspended, ProviderParty, Transition{To: Active, Reason: "paid"}, ""},
		{"terminate with a date ahead", base, Active, ProviderParty, Transition{To: Terminated, Reason: "notice", On: "2026-12-31"}, ""},
		{"termination in the past", base, Active, VendorParty, Transition{To: Terminated, Reason: "x", On: "2026-01-01"}, problem.Invalid},
		{"a draft cannot be suspended", base, Draft, VendorParty, Transition{To: Suspended, Reason: "x"}, problem.Conflict},
		{"terminated is final", base, Terminated, VendorParty, Transition{To: Active, Reason: "x"}, problem.Conflict},
		{"expired cannot be resumed", base, Expired, VendorParty, Transition{To: Active, Reason: "x"}, problem.Conflict},
	} {
		err := CheckTransition(c.a, c.current, c.party, c.tr, "2026-11-05")
		switch {
		case c.kind == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.kind != "" && !problem.Is(err, c.kind):
			t.Errorf("%s: got %v, want %s", c.name, err, c.kind)
		}
	}
}

func TestApplyChanges(t *testing.T) {
	t.Parallel()
	base := sampleTerms()
	got, err := ApplyChanges(base, json.RawMessage(`{"emergency": {"onsite_hours": 6}, "service_area": ["32", "33", "31"], "resolution": {"emergency_hours": 24}}`), "changes")
	if err != nil {
		t.Fatal(err)
	}
	if got.Emergency.OnSiteHours != 6 || got.Emergency.ResponseHours != 2 || got.Emergency.CalendarID != "24x7" {
		t.Errorf("emergency merged wrong: %+v", got.Emergency)
	}
	if len(got.ServiceArea) != 3 || got.Resolution == nil || got.Resolution.EmergencyHours != 24 {
		t.Errorf("lists replace and objects appear: %+v %+v", got.ServiceArea, got.Resolution)
	}
	if base.Emergency.OnSiteHours != 8 {
		t.Error("the base was changed")
	}
	cleared, err := ApplyChanges(got, json.RawMessage(`{"resolution": null}`), "changes")
	if err != nil || cleared.Resolution != nil {
		t.Errorf("null clears: %+v %v", cleared.Resolution, err)
	}
	for patch, field := range map[string]string{
		`{"emergency": {"onsite": 6}}`:           "changes.onsite",
		`{"fees": 1}`:                            "changes.fees",
		`{"emergency": {"onsite_hours": "six"}}`: "changes.emergency.onsite_hours",
		`[1]`:                                    "changes",
	} {
		_, err := ApplyChanges(base, json.RawMessage(patch), "changes")
		if p, ok := problem.As(err); !ok || p.Fields[0].Field != field {
			t.Errorf("patch %s: %v, want field %s", patch, err, field)
		}
	}
}

func TestDecisions(t *testing.T) {
	t.Parallel()
	pending := Adjustment{ID: 7, State: Pending}
	for _, c := range []struct {
		name     string
		a        Adjustment
		proposer bool
		to       AdjustmentState
		comment  string
		kind     problem.Kind
	}{
		{"the other party accepts", pending, false, Accepted, "", ""},
		{"the proposer cannot accept its own", pending, true, Accepted, "", problem.Forbidden},
		{"a rejection needs a comment", pending, false, Rejected, " ", problem.Invalid},
		{"the other party rejects", pending, false, Rejected, "too short a notice", ""},
		{"the proposer withdraws", pending, true, Withdrawn, "", ""},
		{"the other party cannot withdraw", pending, false, Withdrawn, "", problem.Forbidden},
		{"decided once", Adjustment{ID: 7, State: Rejected}, false, Accepted, "", problem.Conflict},
	} {
		err := CheckDecision(c.a, c.proposer, c.to, c.comment)
		if c.kind == "" && err != nil || c.kind != "" && !problem.Is(err, c.kind) {
			t.Errorf("%s: %v", c.name, err)
		}
	}
}
