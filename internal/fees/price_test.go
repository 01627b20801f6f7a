package fees

import (
	"testing"
	"time"

	"aftersales/internal/calendar"
	"aftersales/internal/problem"
)

func fen(v int64) *int64 { return &v }

// sample is a schedule as a provider in a city might sign it.
func sample() Schedule {
	return Schedule{
		VisitFees: []VisitFee{
			{"repair", "emergency", 15000}, {"repair", "general", 8000},
			{"maintenance", "general", 6000}, {"part_replacement", "general", 5000},
		},
		Labour:          Labour{HourlyFen: 12000, IncrementMinutes: 30, MinimumMinutes: 60},
		Travel:          Travel{RoadFactorPermille: 1300, Bands: []TravelBand{{25, 5000, 0}, {100, 5000, 200}}},
		ConsultationFen: fen(3000),
		PartMarkups:     []PartMarkup{{"genuine", 1500}, {"approved", 1000}},
		Surcharges:      Surcharges{OutOfHoursBP: 3000, HolidayBP: 10000},
		VAT:             VAT{},
	}
}

var day = calendar.NewDate(2026, 11, 20)

func TestPriceVisit(t *testing.T) {
	t.Parallel()
	s := sample()
	j := Job{ServiceItem: "repair", Priority: "emergency", OnSiteSeconds: 95 * 60, Distance: Distance{Known: true, Metres: 30_500},
		Timing: OutOfHours, SaleDay: day, Parts: []JobPart{{PartNumber: "P-1", Kind: "genuine", Quantity: 2, UnitCostFen: fen(3333)}}}
	lines, u := s.Price(&j, nil)
	if u != nil {
		t.Fatal(u)
	}
	want := []Line{
		{Kind: LineVisitFee, Category: CategoryLabour, Ref: "repair/emergency", Quantity: 1, UnitFen: 15000, NetFen: 15000, TaxRateBP: 1300, TaxFen: 1950, GrossFen: 16950},
		// 95 minutes → 4 started half hours = 120 minutes at 120 yuan/h
		{Kind: LineLabour, Category: CategoryLabour, Quantity: 120, UnitFen: 12000, NetFen: 24000, TaxRateBP: 1300, TaxFen: 3120, GrossFen: 27120},
		// 30.5 km × 1.3 = 39.65 km → 40 km: 50 yuan + 15 km × 2 yuan
		{Kind: LineTravel, Category: CategoryLabour, Ref: "band 2", Quantity: 40, UnitFen: 200, NetFen: 8000, TaxRateBP: 1300, TaxFen: 1040, GrossFen: 9040},
		// 30 % of visit fee and labour (390 yuan)
		{Kind: LineSurcharge, Category: CategoryLabour, Ref: "out_of_hours", Quantity: 1, UnitFen: 39000, RateBP: 3000, NetFen: 11700, TaxRateBP: 1300, TaxFen: 1521, GrossFen: 13221},
		// 2 × 33.33 = 66.66, + 15 % = 9.999 → 10.00; tax 13 % of 76.66 = 9.9658 → 9.97
		{Kind: LinePart, Category: CategoryParts, Ref: "P-1", Quantity: 2, UnitFen: 3333, RateBP: 1500, NetFen: 7666, TaxRateBP: 1300, TaxFen: 997, GrossFen: 8663},
	}
	if len(lines) != len(want) {
		t.Fatalf("got %d lines %+v", len(lines), lines)
	}
	for i := range want {
		if lines[i] != want[i] {
			t.Errorf("line %d:\n got %+v\nwant %+v", i, lines[i], want[i])
		}
	}
	tot := Sum(lines)
	if tot.GrossFen != 16950+27120+9040+13221+8663 || tot.TaxFen != 1950+3120+1040+1521+997 || len(tot.ByRate) != 1 {
		t.Errorf("totals %+v", tot)
	}
}

func TestBilledMinutes(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		l    Labour
		secs int64
		want int64
	}{
		{"per started half hour, one second over", Labour{IncrementMinutes: 30}, 30*60 + 1, 60},
		{"exact increment", Labour{IncrementMinutes: 30}, 30 * 60, 30},
		{"minimum one hour", Labour{IncrementMinutes: 30, MinimumMinutes: 60}, 10 * 60, 60},
		{"per started minute", Labour{}, 61, 2},
		{"free first hour", Labour{IncrementMinutes: 15, FreeFirstHour: true}, 100 * 60, 45},
		{"free first hour covers a short visit", Labour{IncrementMinutes: 30, MinimumMinutes: 60, FreeFirstHour: true}, 20 * 60, 0},
		{"no time on site", Labour{IncrementMinutes: 30}, 0, 0},
	}
	for _, c := range cases {
		if got := c.l.BilledMinutes(c.secs); got != c.want {
			t.Errorf("%s: %d, want %d", c.name, got, c.want)
		}
	}
}

func TestUnpricedIsNeverZero(t *testing.T) {
	t.Parallel()
	s := sample()
	cases := []struct {
		name string
		j    Job
		want UnpricedReason
	}{
		{"item not priced", Job{ServiceItem: "maintenance", Priority: "emergency", Distance: Distance{Known: true}}, NoVisitFee},
		{"part without cost", Job{ServiceItem: "repair", Priority: "general", Distance: Distance{Known: true}, Parts: []JobPart{{PartNumber: "X", Kind: "genuine", Quantity: 1}}}, PartWithoutCost},
		{"part kind without markup", Job{ServiceItem: "repair", Priority: "general", Distance: Distance{Known: true}, Parts: []JobPart{{PartNumber: "X", Kind: "used", Quantity: 1, UnitCostFen: fen(1)}}}, NoPartMarkup},
		{"no distance", Job{ServiceItem: "repair", Priority: "general"}, DistanceUnknown},
		{"over the last band", Job{ServiceItem: "repair", Priority: "general", Distance: Distance{Known: true, Entered: true, Metres: 100_001}}, TravelOverLimit},
		{"consultation not priced", Job{Kind: JobConsultation}, NoConsultationFee},
	}
	s2 := s.Clone()
	s2.ConsultationFen = nil
	for _, c := range cases {
		sch := &s
		if c.want == NoConsultationFee {
			sch = &s2
		}
		lines, u := sch.Price(&c.j, []Line{{Kind: "kept"}})
		if u == nil || u.Reason != c.want {
			t.Errorf("%s: unpriced %v, want %s", c.name, u, c.want)
		}
		if len(lines) != 1 || lines[0].Kind != "kept" {
			t.Errorf("%s: lines appended to an unpriced job: %+v", c.name, lines)
		}
	}
}

func TestCapsAndSmallScale(t *testing.T) {
	t.Parallel()
	s := sample()
	s.Caps.PerVisitFen = 20000
	s.VAT.SmallScale = true
	j := Job{ServiceItem: "repair", Priority: "general", OnSiteSeconds: 3 * 3600, Distance: Distance{Known: true, Entered: true, Metres: 10_000}, SaleDay: day}
	lines, u := s.Price(&j, nil)
	if u != nil {
		t.Fatal(u)
	}
	tot := Sum(lines)
	// 80 + 360 + 50 = 490 yuan, capped at 200; 1 % until 2027-12-31.
	if tot.NetFen != 20000 || tot.TaxFen != 200 || lines[len(lines)-1].Kind != LineVisitCap {
		t.Errorf("capped visit: %+v %+v", tot, lines)
	}
	j.SaleDay = calendar.NewDate(2028, 1, 1)
	lines, _ = s.Price(&j, nil)
	if tot := Sum(lines); tot.TaxFen != 600 {
		t.Errorf("small scale from 2028: tax %d, want 3 %% of 200 yuan", tot.TaxFen)
	}
	s.Caps.PerPeriodFen = 30000
	period := append(lines, lines...)
	caps := s.PeriodCap(period, j.SaleDay)
	if got := Sum(append(period, caps...)).NetFen; got != 30000 || len(caps) != 1 {
		t.Errorf("period cap: net %d, caps %+v", got, caps)
	}
}

func TestTimingOf(t *testing.T) {
	t.Parallel()
	cn := calendar.CN()
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, calendar.Shanghai)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	cases := []struct {
		at   string
		want Timing
	}{
		{"2026-11-20 10:00", InHours},    // a Friday
		{"2026-11-20 20:00", OutOfHours}, // the evening
		{"2026-11-21 10:00", OutOfHours}, // Saturday
		{"2026-10-01 10:00", Holiday},    // National Day
	}
	for _, c := range cases {
		if got := TimingOf(cn, at(c.at)); got != c.want {
			t.Errorf("%s: %d, want %d", c.at, got, c.want)
		}
	}
}

func TestScheduleCheckNamesEveryBadField(t *testing.T) {
	t.Parallel()
	s := Schedule{
		VisitFees:   []VisitFee{{"repair", "general", -1}, {"repair", "general", 1}, {"polish", "general", 1}},
		Labour:      Labour{HourlyFen: MaxFen + 1, IncrementMinutes: 500},
		Travel:      Travel{RoadFactorPermille: 500, Bands: []TravelBand{{25, 0, 0}, {20, 0, 0}}},
		PartMarkups: []PartMarkup{{"genuine", 10001}, {"genuine", 0}},
		Surcharges:  Surcharges{HolidayBP: -1},
		VAT:         VAT{LabourBP: fen(20000)},
	}
	var fs problem.Fields
	s.Check(&fs, "terms.fees")
	got := map[string]bool{}
	for _, f := range fs {
		got[f.Field] = true
	}
	for _, want := range []string{
		"terms.fees.visit_fees[0].fen", "terms.fees.visit_fees[1]", "terms.fees.visit_fees[2].service_item",
		"terms.fees.labour.hourly_fen", "terms.fees.labour.increment_minutes", "terms.fees.travel.road_factor_permille",
		"terms.fees.travel.bands[1].up_to_km", "terms.fees.part_markups[0].markup_bp", "terms.fees.part_markups[1].kind",
		"terms.fees.surcharges.holiday_bp", "terms.fees.vat.labour_bp",
	} {
		if !got[want] {
			t.Errorf("no error on %s; got %v", want, fs)
		}
	}
	var ok problem.Fields
	good := sample()
	good.Check(&ok, "terms.fees")
	if len(ok) != 0 {
		t.Errorf("the sample schedule is refused: %v", ok)
	}
}

func checked(s Schedule) problem.Fields {
	var fs problem.Fields
	s.Check(&fs, "fees")
	return fs
}
