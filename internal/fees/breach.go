package fees

import (
	"cmp"
	"context"
	"slices"
	"time"

	"aftersales/internal/calendar"
	"aftersales/internal/problem"
)

// BreachRules are the agreement's terms for reducing the provider's fees
// when it breaches (违约扣款, §2.1.1). Each rule left out does not apply.
type BreachRules struct {
	LateResponse *LateRule `json:"late_response,omitempty" doc:"Deduction for a response clock that was breached."`
	LateOnSite   *LateRule `json:"late_onsite,omitempty" doc:"Deduction for an on-site clock that was breached."`
	// Satisfaction below the agreement's threshold costs a percentage of
	// the period's fees.
	Satisfaction *SatisfactionRule `json:"satisfaction,omitempty"`
	// UnreturnedParts: a defective part not shipped back within the
	// agreement's part_return_days costs the part's value at fitting.
	UnreturnedParts bool `json:"unreturned_parts" doc:"A defective part not shipped back in time costs its value at fitting."`
}

// Per says how a late clock is counted.
type Per string

const (
	PerStartedHour Per = "started_hour"
	PerCase        Per = "case"
)

// LateRule is a deduction per started hour late or per case, capped per
// period (0: no cap).
type LateRule struct {
	Per          Per   `json:"per" doc:"started_hour or case."`
	AmountFen    int64 `json:"amount_fen" doc:"Per started hour late, or per case."`
	PeriodCapFen int64 `json:"period_cap_fen" doc:"Most this rule deducts in one period; 0: no cap."`
}

// SatisfactionRule deducts a percentage of the period's fees.
type SatisfactionRule struct {
	DeductionBP BP `json:"deduction_bp" doc:"Share of the period's fees deducted, in hundredths of a percent."`
}

// Check adds every problem of the rules to fs under prefix.
func (r *BreachRules) Check(fs *problem.Fields, prefix string) {
	for _, lr := range []struct {
		name string
		rule *LateRule
	}{{"late_response", r.LateResponse}, {"late_onsite", r.LateOnSite}} {
		if lr.rule == nil {
			continue
		}
		at := prefix + "." + lr.name
		if lr.rule.Per != PerStartedHour && lr.rule.Per != PerCase {
			fs.Add(at+".per", "must be started_hour or case, not %q", lr.rule.Per)
		}
		checkFen(fs, at+".amount_fen", lr.rule.AmountFen)
		checkFen(fs, at+".period_cap_fen", lr.rule.PeriodCapFen)
	}
	if r.Satisfaction != nil {
		checkRate(fs, prefix+".satisfaction.deduction_bp", r.Satisfaction.DeductionBP)
	}
}

// Clone returns a copy of r that shares no pointer with it.
func (r BreachRules) Clone() BreachRules {
	if r.LateResponse != nil {
		v := *r.LateResponse
		r.LateResponse = &v
	}
	if r.LateOnSite != nil {
		v := *r.LateOnSite
		r.LateOnSite = &v
	}
	if r.Satisfaction != nil {
		v := *r.Satisfaction
		r.Satisfaction = &v
	}
	return r
}

// LateClock is a clock of a sealed record of the period that was
// breached, as the record holds it.
type LateClock struct {
	RecordID    int64
	Request     string
	Clock       string // response or onsite
	DueAt       time.Time
	StoppedAt   time.Time
	LateSeconds int64
}

// UnreturnedPart is a defective part owed back to the vendor and not
// shipped by its due day.
type UnreturnedPart struct {
	Request     string
	WorkOrder   int64
	PartNumber  string
	Quantity    int64
	UnitCostFen int64
	DueOn       calendar.Date
}

// SatisfactionFigure is the period's satisfaction: the share of satisfied
// answers in tenths of a percent, and how many answers it is made of.
type SatisfactionFigure struct {
	Permille  int
	Responses int
}

// SatisfactionSource gives an agreement's satisfaction over a period (the
// survey answers); ok is false when there is no figure for the period.
type SatisfactionSource interface {
	PeriodSatisfaction(ctx context.Context, agreementID string, from, to calendar.Date) (fig SatisfactionFigure, ok bool, err error)
}

// Facts are what the breach rules read of one agreement's period.
type Facts struct {
	TermsVersion      int
	Late              []LateClock
	UnreturnedParts   []UnreturnedPart
	Satisfaction      *SatisfactionFigure
	ThresholdPermille int
	// PeriodFeesFen is what the vendor owes for the period before any
	// deduction, tax included: the base of a percentage deduction.
	PeriodFeesFen int64
}

// Evidence names what a deduction is for, so that both parties can look
// it up: the request and record, the clock with its due and actual times,
// the part, or the satisfaction figure; and the version of the terms.
type Evidence struct {
	RecordID             int64      `json:"record_id,omitempty"`
	Request              string     `json:"request,omitempty"`
	Clock                string     `json:"clock,omitempty"`
	DueAt                *time.Time `json:"due_at,omitempty"`
	ActualAt             *time.Time `json:"actual_at,omitempty"`
	LateSeconds          int64      `json:"late_seconds,omitempty"`
	WorkOrder            int64      `json:"work_order,omitempty"`
	PartNumber           string     `json:"part_number,omitempty"`
	DueOn                string     `json:"due_on,omitempty"`
	SatisfactionPermille int        `json:"satisfaction_permille,omitempty"`
	ThresholdPermille    int        `json:"threshold_permille,omitempty"`
	Responses            int        `json:"responses,omitempty"`
	TermsVersion         int        `json:"terms_version"`
}

// Deduction is one amount the vendor takes off for a breach. AmountFen is
// positive; CappedFen is what the rule's period cap took off it.
type Deduction struct {
	Rule      string   `json:"rule"`
	Quantity  int64    `json:"quantity"`
	UnitFen   int64    `json:"unit_fen"`
	AmountFen int64    `json:"amount_fen"`
	CappedFen int64    `json:"capped_fen,omitempty"`
	Evidence  Evidence `json:"evidence"`
}

// Rule is one breach rule: a pure function of the terms and the facts.
// The set is open: maintenance done late will be one more.
type Rule struct {
	Name string
	Eval func(BreachRules, *Facts) []Deduction
}

// Rules are the breach rules in the order their deductions are listed.
var Rules = []Rule{
	{"late_response", func(r BreachRules, f *Facts) []Deduction {
		return lateRule("late_response", "response", r.LateResponse, f)
	}},
	{"late_onsite", func(r BreachRules, f *Facts) []Deduction { return lateRule("late_onsite", "onsite", r.LateOnSite, f) }},
	{"unreturned_part", unreturnedParts},
	{"satisfaction", satisfaction},
}

// Evaluate applies every rule to the facts. The same terms and facts give
// the same deductions in the same order.
func Evaluate(r BreachRules, f Facts) []Deduction {
	var out []Deduction
	for _, rule := range Rules {
		out = append(out, rule.Eval(r, &f)...)
	}
	return out
}

func lateRule(name, clock string, r *LateRule, f *Facts) []Deduction {
	if r == nil || r.AmountFen == 0 {
		return nil
	}
	late := make([]LateClock, 0, len(f.Late))
	for _, c := range f.Late {
		if c.Clock == clock && c.LateSeconds > 0 {
			late = append(late, c)
		}
	}
	slices.SortFunc(late, func(a, b LateClock) int {
		return cmp.Or(a.DueAt.Compare(b.DueAt), cmp.Compare(a.Request, b.Request), cmp.Compare(a.RecordID, b.RecordID))
	})
	out := make([]Deduction, 0, len(late))
	var total int64
	for _, c := range late {
		qty := int64(1)
		if r.Per == PerStartedHour {
			qty = (c.LateSeconds + 3599) / 3600
		}
		amount := qty * r.AmountFen
		d := Deduction{Rule: name, Quantity: qty, UnitFen: r.AmountFen, AmountFen: amount, Evidence: Evidence{
			RecordID: c.RecordID, Request: c.Request, Clock: c.Clock, DueAt: ptr(c.DueAt.UTC()), ActualAt: ptr(c.StoppedAt.UTC()),
			LateSeconds: c.LateSeconds, TermsVersion: f.TermsVersion}}
		if r.PeriodCapFen > 0 && total+amount > r.PeriodCapFen {
			d.AmountFen = max(r.PeriodCapFen-total, 0)
			d.CappedFen = amount - d.AmountFen
		}
		total += d.AmountFen
		out = append(out, d)
	}
	return out
}

func unreturnedParts(r BreachRules, f *Facts) []Deduction {
	if !r.UnreturnedParts {
		return nil
	}
	parts := slices.Clone(f.UnreturnedParts)
	slices.SortFunc(parts, func(a, b UnreturnedPart) int {
		return cmp.Or(a.DueOn.Compare(b.DueOn), cmp.Compare(a.WorkOrder, b.WorkOrder), cmp.Compare(a.PartNumber, b.PartNumber))
	})
	out := make([]Deduction, 0, len(parts))
	for _, p := range parts {
		out = append(out, Deduction{Rule: "unreturned_part", Quantity: p.Quantity, UnitFen: p.UnitCostFen, AmountFen: p.Quantity * p.UnitCostFen,
			Evidence: Evidence{Request: p.Request, WorkOrder: p.WorkOrder, PartNumber: p.PartNumber, DueOn: p.DueOn.String(), TermsVersion: f.TermsVersion}})
	}
	return out
}

func satisfaction(r BreachRules, f *Facts) []Deduction {
	s := f.Satisfaction
	if r.Satisfaction == nil || s == nil || s.Responses == 0 || s.Permille >= f.ThresholdPermille || f.PeriodFeesFen <= 0 {
		return nil
	}
	return []Deduction{{Rule: "satisfaction", Quantity: 1, UnitFen: f.PeriodFeesFen, AmountFen: ofRate(f.PeriodFeesFen, r.Satisfaction.DeductionBP),
		Evidence: Evidence{SatisfactionPermille: s.Permille, ThresholdPermille: f.ThresholdPermille, Responses: s.Responses, TermsVersion: f.TermsVersion}}}
}

func ptr[T any](v T) *T { return &v }
