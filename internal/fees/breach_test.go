package fees

import (
	"testing"
	"time"

	"aftersales/internal/calendar"
	"aftersales/internal/problem"
)

func TestBreachRules(t *testing.T) {
	t.Parallel()
	due := time.Date(2026, 11, 3, 2, 0, 0, 0, time.UTC)
	late := func(id int64, clock string, secs int64) LateClock {
		return LateClock{RecordID: id, Request: "SR-1", Clock: clock, DueAt: due.Add(time.Duration(id) * time.Hour), StoppedAt: due.Add(time.Duration(secs) * time.Second), LateSeconds: secs}
	}
	r := BreachRules{
		LateResponse:    &LateRule{Per: PerCase, AmountFen: 5000},
		LateOnSite:      &LateRule{Per: PerStartedHour, AmountFen: 10000, PeriodCapFen: 35000},
		Satisfaction:    &SatisfactionRule{DeductionBP: 200},
		UnreturnedParts: true,
	}
	f := Facts{
		TermsVersion: 3,
		Late: []LateClock{
			late(1, "onsite", 3601), // 2 started hours
			late(2, "onsite", 60),   // 1
			late(3, "response", 7200),
			late(4, "onsite", 3*3600), // 3, capped to what is left: 0
		},
		UnreturnedParts:   []UnreturnedPart{{Request: "SR-2", WorkOrder: 9, PartNumber: "P-1", Quantity: 2, UnitCostFen: 4500, DueOn: calendar.NewDate(2026, 11, 18)}},
		Satisfaction:      &SatisfactionFigure{Permille: 880, Responses: 25},
		ThresholdPermille: 900,
		PeriodFeesFen:     1_000_050,
	}
	ds := Evaluate(r, f)
	type got struct {
		rule        string
		qty, amount int64
		capped      int64
	}
	want := []got{
		{"late_response", 1, 5000, 0},
		{"late_onsite", 2, 20000, 0},
		{"late_onsite", 1, 10000, 0},
		{"late_onsite", 3, 5000, 25000},
		{"unreturned_part", 2, 9000, 0},
		{"satisfaction", 1, 20001, 0}, // 2 % of 10000.50 yuan = 200.01
	}
	if len(ds) != len(want) {
		t.Fatalf("got %d deductions: %+v", len(ds), ds)
	}
	for i, w := range want {
		d := ds[i]
		if (got{d.Rule, d.Quantity, d.AmountFen, d.CappedFen}) != w {
			t.Errorf("deduction %d: %+v, want %+v", i, d, w)
		}
		if d.Evidence.TermsVersion != 3 {
			t.Errorf("deduction %d names terms version %d", i, d.Evidence.TermsVersion)
		}
	}
	if e := ds[1].Evidence; e.RecordID != 1 || e.Clock != "onsite" || e.DueAt == nil || e.ActualAt == nil || e.LateSeconds != 3601 {
		t.Errorf("evidence of a late arrival: %+v", e)
	}

	f.Satisfaction.Permille = 900
	for _, d := range Evaluate(r, f) {
		if d.Rule == "satisfaction" {
			t.Errorf("satisfaction at the threshold deducts %d", d.AmountFen)
		}
	}
	f.Satisfaction = nil
	if n := len(Evaluate(BreachRules{}, f)); n != 0 {
		t.Errorf("no rules, %d deductions", n)
	}
}

func TestBreachRulesCheck(t *testing.T) {
	t.Parallel()
	r := BreachRules{LateOnSite: &LateRule{Per: "minute", AmountFen: -1}, Satisfaction: &SatisfactionRule{DeductionBP: 10001}}
	var fs problem.Fields
	r.Check(&fs, "terms.breach")
	got := map[string]bool{}
	for _, f := range fs {
		got[f.Field] = true
	}
	for _, w := range []string{"terms.breach.late_onsite.per", "terms.breach.late_onsite.amount_fen", "terms.breach.satisfaction.deduction_bp"} {
		if !got[w] {
			t.Errorf("no error on %s: %v", w, fs)
		}
	}
}
