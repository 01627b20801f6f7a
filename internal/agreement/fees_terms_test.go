package agreement

import (
	"encoding/json"
	"testing"

	"aftersales/internal/fees"
)

func TestFeeScheduleIsPartOfTheTerms(t *testing.T) {
	t.Parallel()
	base := sampleTerms()
	hourly := fees.Schedule{VisitFees: []fees.VisitFee{{ServiceItem: "repair", Priority: "general", Fen: 8000}},
		Labour: fees.Labour{HourlyFen: 12000, IncrementMinutes: 30}}
	withFees := base.Clone()
	withFees.Fees = &hourly
	withFees.Breach = &fees.BreachRules{LateOnSite: &fees.LateRule{Per: fees.PerCase, AmountFen: 5000}}
	if errs := check(withFees, true); len(errs) != 0 {
		t.Fatalf("valid fee terms refused: %v", errs)
	}

	bad := withFees.Clone()
	bad.Fees.Labour.HourlyFen = -1
	bad.Fees.Surcharges.HolidayBP = 20000
	bad.Breach.LateOnSite.Per = "minute"
	errs := check(bad, true)
	for _, f := range []string{"terms.fees.labour.hourly_fen", "terms.fees.surcharges.holiday_bp", "terms.breach.late_onsite.per"} {
		if _, ok := errs[f]; !ok {
			t.Errorf("no error on %s: %v", f, errs)
		}
	}
	if withFees.Fees.Labour.HourlyFen != 12000 || withFees.Breach.LateOnSite.Per != fees.PerCase {
		t.Error("editing a clone changed the original")
	}

	changed := withFees.Clone()
	changed.Fees.Labour.HourlyFen = 15000
	var found bool
	for _, c := range Diff(withFees, changed) {
		if c.Field == "fees.labour.hourly_fen" && c.Kind == Changed {
			found = true
		}
	}
	if !found {
		t.Errorf("diff does not show the hourly rate: %+v", Diff(withFees, changed))
	}
	if d := Diff(base, withFees); len(d) == 0 {
		t.Error("adding a fee schedule is no change")
	}

	b, err := json.Marshal(withFees)
	if err != nil {
		t.Fatal(err)
	}
	var back Terms
	if err := json.Unmarshal(b, &back); err != nil || len(Diff(withFees, back)) != 0 {
		t.Errorf("fee terms do not survive JSON: %v %+v", err, Diff(withFees, back))
	}
}
