package settlement

import (
	"reflect"
	"testing"
	"time"

	"pgregory.net/rapid"

	"aftersales/internal/agreement"
	"aftersales/internal/calendar"
	"aftersales/internal/fees"
	"aftersales/internal/record"
	"aftersales/internal/sla"
)

func propFen(v int64) *int64 { return &v }

func propVersions(t *rapid.T) []agreement.Version {
	amount := rapid.Int64Range(0, 500_000)
	s := &fees.Schedule{
		Labour:          fees.Labour{HourlyFen: amount.Draw(t, "hourly"), IncrementMinutes: rapid.IntRange(0, 60).Draw(t, "inc")},
		ConsultationFen: propFen(amount.Draw(t, "consult")),
		PartMarkups:     []fees.PartMarkup{{Kind: "genuine", MarkupBP: rapid.Int64Range(0, 10000).Draw(t, "markup")}},
		Surcharges:      fees.Surcharges{OutOfHoursBP: rapid.Int64Range(0, 10000).Draw(t, "ooh")},
		Caps:            fees.Caps{PerPeriodFen: rapid.Int64Range(0, 5_000_000).Draw(t, "pcap")},
		VAT:             fees.VAT{SmallScale: rapid.Bool().Draw(t, "small")},
	}
	for _, item := range []string{"repair", "maintenance"} {
		s.VisitFees = append(s.VisitFees, fees.VisitFee{ServiceItem: item, Priority: "general", Fen: amount.Draw(t, "fee")})
	}
	b := &fees.BreachRules{LateOnSite: &fees.LateRule{Per: fees.PerStartedHour, AmountFen: amount.Draw(t, "late"),
		PeriodCapFen: rapid.Int64Range(0, 1_000_000).Draw(t, "cap")}}
	return []agreement.Version{{Number: 1, EffectiveFrom: "2026-01-01", Terms: agreement.Terms{Fees: s, Breach: b, General: agreement.GeneralTerms{CalendarID: "cn"}}}}
}

func propInputs(t *rapid.T) []Input {
	n := rapid.IntRange(0, 30).Draw(t, "records")
	out := make([]Input, 0, n)
	base := time.Date(2026, 10, 31, 16, 0, 0, 0, time.UTC)
	for i := range n {
		in := base.Add(time.Duration(rapid.IntRange(0, 29*24).Draw(t, "hour")) * time.Hour)
		mins := rapid.IntRange(1, 600).Draw(t, "minutes")
		late := rapid.IntRange(-120, 600).Draw(t, "late")
		due := in.Add(-time.Duration(late) * time.Minute)
		state := sla.StateMet
		if late > 0 {
			state = sla.StateBreached
		}
		v := &record.Visit{Request: "SR", ServiceItem: rapid.SampledFrom([]string{"repair", "maintenance", "part_replacement"}).Draw(t, "item"),
			Priority: "general", CheckedIn: in, CheckedOut: in.Add(time.Duration(mins) * time.Minute), OnSiteSeconds: int64(mins) * 60,
			Clocks: []record.ClockOutcome{{Clock: sla.OnSite, State: state, DueAt: due, StoppedAt: &in, MarginSeconds: int64(due.Sub(in) / time.Second)}}}
		if rapid.Bool().Draw(t, "part") {
			v.Parts = []record.FittedPart{{PartNumber: "P", Kind: "genuine", Quantity: rapid.Int64Range(1, 5).Draw(t, "qty"), UnitPriceFen: propFen(rapid.Int64Range(0, 1_000_000).Draw(t, "cost"))}}
		}
		c := record.Content{Kind: record.KindVisit, Visit: v}
		if rapid.IntRange(0, 5).Draw(t, "consultation") == 0 {
			c = record.Content{Kind: record.KindConsultation, Consultation: &record.Consultation{Request: "SR", AnsweredAt: in}}
		}
		out = append(out, Input{Record: record.Record{ID: int64(i + 1), SealedAt: in}, Content: c,
			WarrantyEnd: rapid.SampledFrom([]string{"", "2026-10-15", "2027-12-31"}).Draw(t, "warranty")})
	}
	return out
}

// A statement's totals are the sums of its lines to the fen, and the same
// records, terms and facts give the same statement.
func TestStatementProperties(t *testing.T) {
	t.Parallel()
	cn := calendar.CN()
	cals := func(string) *calendar.Calendar { return cn }
	p, _ := ParsePeriod("period", "2026-11")
	rapid.Check(t, func(t *rapid.T) {
		versions := propVersions(t)
		inputs := propInputs(t)
		v := versions[0]
		lines, _, err := assemble(p, inputs, versions, cals, v.Terms.Fees, 1, *v.Terms.Breach, fees.Facts{TermsVersion: 1})
		if err != nil {
			t.Fatal(err)
		}
		again, _, _ := assemble(p, inputs, versions, cals, v.Terms.Fees, 1, *v.Terms.Breach, fees.Facts{TermsVersion: 1})
		if !reflect.DeepEqual(lines, again) {
			t.Fatal("re-pricing the same records gives another statement")
		}
		tot := Sum(lines)
		var fee, tax, ded int64
		for _, l := range lines {
			switch {
			case l.Kind == LineUnpriced:
				if l.GrossFen != 0 {
					t.Fatalf("an unpriced line carries %d", l.GrossFen)
				}
			case l.Kind == LineDeduction:
				ded -= l.GrossFen
			default:
				fee += l.GrossFen
				tax += l.TaxFen
			}
		}
		if tot.Fees.GrossFen != fee || tot.Fees.TaxFen != tax || tot.DeductionsFen != ded || tot.TotalFen != fee-ded {
			t.Fatalf("totals %+v, lines: fees %d tax %d deductions %d", tot, fee, tax, ded)
		}
		var byRate int64
		for _, r := range tot.Fees.ByRate {
			byRate += r.TaxFen
		}
		if byRate != tax {
			t.Fatalf("tax per rate sums to %d, lines to %d", byRate, tax)
		}
		if c := v.Terms.Breach.LateOnSite.PeriodCapFen; c > 0 && ded > c {
			t.Fatalf("deductions %d over the cap %d", ded, c)
		}
		if w, err := fees.ParseAmountInWords(tot.TotalInWords); err != nil || w != tot.TotalFen {
			t.Fatalf("total in words %s: %d %v", tot.TotalInWords, w, err)
		}
	})
}
