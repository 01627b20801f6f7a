package fees

import (
	"slices"
	"testing"
	"time"

	"pgregory.net/rapid"

	"aftersales/internal/calendar"
)

func drawSchedule(t *rapid.T) Schedule {
	amount := rapid.Int64Range(0, 1_000_000)
	rate := rapid.Int64Range(0, WholeBP)
	s := Schedule{
		Labour: Labour{HourlyFen: amount.Draw(t, "hourly"), IncrementMinutes: rapid.IntRange(0, 240).Draw(t, "inc"),
			MinimumMinutes: rapid.IntRange(0, 240).Draw(t, "min"), FreeFirstHour: rapid.Bool().Draw(t, "free")},
		ConsultationFen: fen(amount.Draw(t, "consult")),
		PartMarkups:     []PartMarkup{{"genuine", rate.Draw(t, "mg")}, {"approved", rate.Draw(t, "ma")}},
		Surcharges:      Surcharges{OutOfHoursBP: rate.Draw(t, "ooh"), HolidayBP: rate.Draw(t, "hol")},
		Caps:            Caps{PerVisitFen: rapid.Int64Range(0, 2_000_000).Draw(t, "vcap"), PerPeriodFen: rapid.Int64Range(0, 20_000_000).Draw(t, "pcap")},
		VAT:             VAT{SmallScale: rapid.Bool().Draw(t, "small")},
	}
	for _, it := range serviceItems {
		for _, p := range priorities {
			s.VisitFees = append(s.VisitFees, VisitFee{it, p, amount.Draw(t, "fee")})
		}
	}
	if rapid.Bool().Draw(t, "travel") {
		s.Travel = Travel{RoadFactorPermille: rapid.Int64Range(1000, 3000).Draw(t, "road"),
			Bands: []TravelBand{{25, amount.Draw(t, "b1"), 0}, {200, amount.Draw(t, "b2"), rapid.Int64Range(0, 1000).Draw(t, "perkm")}}}
	}
	return s
}

func drawJob(t *rapid.T) Job {
	j := Job{
		ServiceItem:   rapid.SampledFrom(serviceItems).Draw(t, "item"),
		Priority:      rapid.SampledFrom(priorities).Draw(t, "prio"),
		OnSiteSeconds: rapid.Int64Range(0, 12*3600).Draw(t, "onsite"),
		Distance:      Distance{Known: true, Metres: rapid.Int64Range(0, 150_000).Draw(t, "metres"), Entered: rapid.Bool().Draw(t, "entered")},
		Timing:        Timing(rapid.IntRange(0, 2).Draw(t, "timing")),
		SaleDay:       calendar.NewDate(rapid.IntRange(2026, 2029).Draw(t, "year"), 6, 30),
	}
	if rapid.IntRange(0, 9).Draw(t, "consultation") == 0 {
		j.Kind = JobConsultation
	}
	for i := range rapid.IntRange(0, 3).Draw(t, "parts") {
		_ = i
		j.Parts = append(j.Parts, JobPart{PartNumber: "P", Kind: rapid.SampledFrom(partKinds).Draw(t, "kind"),
			Quantity: rapid.Int64Range(1, 20).Draw(t, "qty"), UnitCostFen: fen(rapid.Int64Range(0, 5_000_000).Draw(t, "cost"))})
	}
	return j
}

// Lines sum to their totals to the fen, each line's tax is its net at its
// rate rounded half up, and re-pricing gives the same lines.
func TestPricingProperties(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		s := drawSchedule(t)
		if fs := checked(s); len(fs) > 0 {
			t.Fatalf("drawn schedule refused: %v", fs)
		}
		var lines []Line
		for range rapid.IntRange(1, 20).Draw(t, "jobs") {
			j := drawJob(t)
			before := len(lines)
			var u *Unpriced
			lines, u = s.Price(&j, lines)
			if u != nil {
				if len(lines) != before {
					t.Fatalf("unpriced job left lines")
				}
				continue
			}
			again, u2 := s.Price(&j, nil)
			if u2 != nil || !slices.Equal(again, lines[before:]) {
				t.Fatalf("re-pricing differs: %+v vs %+v", again, lines[before:])
			}
			var service int64
			for _, l := range lines[before:] {
				if l.Kind != LinePart {
					service += l.NetFen
				}
			}
			if c := s.Caps.PerVisitFen; j.Kind == JobVisit && c > 0 && service > c {
				t.Fatalf("visit fees %d over the cap %d", service, c)
			}
		}
		lines = append(lines, s.PeriodCap(lines, calendar.NewDate(2026, 6, 30))...)
		var net, tax, gross, service int64
		for _, l := range lines {
			if l.TaxFen != ofRate(l.NetFen, l.TaxRateBP) || l.GrossFen != l.NetFen+l.TaxFen {
				t.Fatalf("line %+v: tax not its rate of its net", l)
			}
			net, tax, gross = net+l.NetFen, tax+l.TaxFen, gross+l.GrossFen
			if l.Category != CategoryParts {
				service += l.NetFen
			}
		}
		tot := Sum(lines)
		if tot.NetFen != net || tot.TaxFen != tax || tot.GrossFen != gross || tot.GrossFen != tot.NetFen+tot.TaxFen {
			t.Fatalf("totals %+v, lines sum to %d/%d/%d", tot, net, tax, gross)
		}
		var rn, rt int64
		for _, r := range tot.ByRate {
			rn, rt = rn+r.NetFen, rt+r.TaxFen
		}
		if rn != net || rt != tax {
			t.Fatalf("per-rate totals %d/%d, lines %d/%d", rn, rt, net, tax)
		}
		if c := s.Caps.PerPeriodFen; c > 0 && service > c {
			t.Fatalf("period fees %d over the cap %d", service, c)
		}
	})
}

// Deductions never exceed their rule's period cap, and evaluating the
// same facts twice gives the same deductions.
func TestDeductionsNeverExceedCaps(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		rule := func(name string) *LateRule {
			return &LateRule{Per: rapid.SampledFrom([]Per{PerCase, PerStartedHour}).Draw(t, name+"per"),
				AmountFen: rapid.Int64Range(0, 100_000).Draw(t, name+"amount"), PeriodCapFen: rapid.Int64Range(0, 1_000_000).Draw(t, name+"cap")}
		}
		r := BreachRules{LateResponse: rule("r"), LateOnSite: rule("o")}
		base := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
		var f Facts
		for i := range rapid.IntRange(0, 60).Draw(t, "late") {
			late := rapid.Int64Range(1, 48*3600).Draw(t, "secs")
			due := base.Add(time.Duration(rapid.IntRange(0, 720).Draw(t, "h")) * time.Hour)
			f.Late = append(f.Late, LateClock{RecordID: int64(i), Request: "R", Clock: rapid.SampledFrom([]string{"response", "onsite"}).Draw(t, "clock"),
				DueAt: due, StoppedAt: due.Add(time.Duration(late) * time.Second), LateSeconds: late})
		}
		ds := Evaluate(r, f)
		sums := map[string]int64{}
		for _, d := range ds {
			if d.AmountFen < 0 || d.CappedFen < 0 || d.AmountFen+d.CappedFen != d.Quantity*d.UnitFen {
				t.Fatalf("deduction %+v", d)
			}
			sums[d.Rule] += d.AmountFen
		}
		if c := r.LateResponse.PeriodCapFen; c > 0 && sums["late_response"] > c {
			t.Fatalf("late_response %d over cap %d", sums["late_response"], c)
		}
		if c := r.LateOnSite.PeriodCapFen; c > 0 && sums["late_onsite"] > c {
			t.Fatalf("late_onsite %d over cap %d", sums["late_onsite"], c)
		}
		slices.Reverse(f.Late)
		again := Evaluate(r, f)
		if len(again) != len(ds) {
			t.Fatalf("re-evaluation differs")
		}
		for i := range ds {
			if ds[i].AmountFen != again[i].AmountFen || ds[i].Evidence.RecordID != again[i].Evidence.RecordID {
				t.Fatalf("re-evaluation in another order differs at %d", i)
			}
		}
	})
}
