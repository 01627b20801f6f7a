package fees

import (
	"fmt"
	"slices"

	"aftersales/internal/problem"
)

// Schedule is the fee schedule (收费标准) of one version of an agreement's
// terms: what the vendor pays the provider for each visit and
// consultation. An item the schedule does not price is not priced at
// zero: the record is listed as unpriced with the reason.
type Schedule struct {
	// VisitFees is the fixed price of a visit per service item and
	// priority. A visit whose item and priority are not listed is unpriced;
	// list 0 to charge only labour.
	VisitFees []VisitFee `json:"visit_fees" doc:"Fixed price of a visit per service item and priority, in fen."`
	Labour    Labour     `json:"labour"`
	Travel    Travel     `json:"travel"`
	// ConsultationFen is the fee of a consultation answered without a
	// visit (remote or by phone); nil leaves consultations unpriced.
	ConsultationFen *int64       `json:"consultation_fen,omitempty" doc:"Fee of a remote or phone consultation, in fen; absent: consultations are unpriced."`
	PartMarkups     []PartMarkup `json:"part_markups" doc:"Markup on the catalog cost per part kind (genuine, approved); a kind not listed leaves visits with such parts unpriced."`
	Surcharges      Surcharges   `json:"surcharges"`
	Caps            Caps         `json:"caps"`
	VAT             VAT          `json:"vat"`
}

// VisitFee prices a visit of one service item and priority.
type VisitFee struct {
	ServiceItem string `json:"service_item" doc:"repair, maintenance, consultation or part_replacement."`
	Priority    string `json:"priority" doc:"emergency or general."`
	Fen         int64  `json:"fen"`
}

// Labour is paid for the time on site (check-in to check-out). The time is
// rounded up to a whole number of increments (per started increment),
// then raised to the minimum, then the free first hour is taken off.
type Labour struct {
	HourlyFen        int64 `json:"hourly_fen" doc:"Price of one hour on site, in fen; 0: no labour is charged."`
	IncrementMinutes int   `json:"increment_minutes" doc:"Time on site is billed per started increment of this many minutes (1-240); 0 means 1."`
	MinimumMinutes   int   `json:"minimum_minutes" doc:"Billed at least this many minutes (0-1440)."`
	FreeFirstHour    bool  `json:"free_first_hour" doc:"The first 60 billed minutes are not charged."`
}

// Travel is paid once per visit by distance band from the nearest service
// point to the site. The distance is the technician's entered kilometres,
// or the straight line times the road factor; it is billed in whole
// kilometres, each started kilometre counting.
type Travel struct {
	// RoadFactorPermille turns a straight line into a road distance: 1300
	// is ×1.3. 0 means 1000.
	RoadFactorPermille int64 `json:"road_factor_permille" doc:"Road distance per straight-line distance, in thousandths: 1300 is ×1.3; 0 means ×1."`
	// Bands, by increasing UpToKM. A distance over the last band is by
	// agreement between the parties, and the visit is unpriced. No bands:
	// travel is not charged.
	Bands []TravelBand `json:"bands" doc:"By increasing up_to_km; over the last band travel is by agreement and the visit is unpriced; none: no travel fee."`
}

// TravelBand prices a distance up to UpToKM: the fixed fee plus the per-km
// fee for every kilometre beyond the previous band's limit.
type TravelBand struct {
	UpToKM   int64 `json:"up_to_km"`
	FixedFen int64 `json:"fixed_fen"`
	PerKMFen int64 `json:"per_km_fen" doc:"Per kilometre beyond the previous band's up_to_km."`
}

// PartMarkup is the markup on a part's catalog cost for one part kind.
type PartMarkup struct {
	Kind     string `json:"kind" doc:"genuine or approved."`
	MarkupBP BP     `json:"markup_bp" doc:"Markup in hundredths of a percent: 1500 is 15 %."`
}

// Surcharges raise the visit fee and the labour of a visit that checked in
// on a statutory holiday of the agreement's calendar (holiday), or else
// outside its working hours (out of hours, weekends included). Never both.
type Surcharges struct {
	OutOfHoursBP BP `json:"out_of_hours_bp" doc:"Percentage on visit fee and labour outside working hours, in hundredths of a percent."`
	HolidayBP    BP `json:"holiday_bp" doc:"Percentage on visit fee and labour on a statutory holiday, in hundredths of a percent."`
}

// Caps limit what a visit and a period cost, before tax, parts excluded
// (parts are paid at cost plus markup whatever the cap). 0: no cap.
type Caps struct {
	PerVisitFen  int64 `json:"per_visit_fen" doc:"Most a visit's fees (visit fee, labour, travel, surcharges) may come to before tax; 0: no cap."`
	PerPeriodFen int64 `json:"per_period_fen" doc:"Most a period's fees (parts excluded) may come to before tax; 0: no cap."`
}

// Service items and priorities, by the names the agreement uses.
var (
	serviceItems = []string{"repair", "maintenance", "consultation", "part_replacement"}
	priorities   = []string{"emergency", "general"}
	partKinds    = []string{"genuine", "approved"}
)

// Check adds every problem of the schedule to fs, each field named under
// prefix (e.g. "terms.fees").
func (s *Schedule) Check(fs *problem.Fields, prefix string) {
	at := func(f string, args ...any) string { return prefix + "." + fmt.Sprintf(f, args...) }
	seen := map[[2]string]int{}
	for i, v := range s.VisitFees {
		switch {
		case !slices.Contains(serviceItems, v.ServiceItem):
			fs.Add(at("visit_fees[%d].service_item", i), "must be one of repair, maintenance, consultation, part_replacement, not %q", v.ServiceItem)
		case !slices.Contains(priorities, v.Priority):
			fs.Add(at("visit_fees[%d].priority", i), "must be emergency or general, not %q", v.Priority)
		default:
			k := [2]string{v.ServiceItem, v.Priority}
			if j, dup := seen[k]; dup {
				fs.Add(at("visit_fees[%d]", i), "%s %s is already priced at position %d", v.ServiceItem, v.Priority, j)
			}
			seen[k] = i
		}
		checkFen(fs, at("visit_fees[%d].fen", i), v.Fen)
	}
	checkFen(fs, at("labour.hourly_fen"), s.Labour.HourlyFen)
	checkInt(fs, at("labour.increment_minutes"), s.Labour.IncrementMinutes, 0, 240)
	checkInt(fs, at("labour.minimum_minutes"), s.Labour.MinimumMinutes, 0, 1440)

	if f := s.Travel.RoadFactorPermille; f != 0 && (f < 1000 || f > 3000) {
		fs.Add(at("travel.road_factor_permille"), "must be between 1000 (×1) and 3000 (×3), not %d", f)
	}
	var prev int64
	for i, b := range s.Travel.Bands {
		if b.UpToKM <= prev || b.UpToKM > 10000 {
			fs.Add(at("travel.bands[%d].up_to_km", i), "must be more than the band before (%d km) and at most 10000 km", prev)
		}
		prev = max(prev, b.UpToKM)
		checkFen(fs, at("travel.bands[%d].fixed_fen", i), b.FixedFen)
		checkFen(fs, at("travel.bands[%d].per_km_fen", i), b.PerKMFen)
	}
	if s.ConsultationFen != nil {
		checkFen(fs, at("consultation_fen"), *s.ConsultationFen)
	}
	seenKind := map[string]bool{}
	for i, m := range s.PartMarkups {
		switch {
		case !slices.Contains(partKinds, m.Kind):
			fs.Add(at("part_markups[%d].kind", i), "must be genuine or approved, not %q", m.Kind)
		case seenKind[m.Kind]:
			fs.Add(at("part_markups[%d].kind", i), "%s is listed twice", m.Kind)
		}
		seenKind[m.Kind] = true
		checkRate(fs, at("part_markups[%d].markup_bp", i), m.MarkupBP)
	}
	checkRate(fs, at("surcharges.out_of_hours_bp"), s.Surcharges.OutOfHoursBP)
	checkRate(fs, at("surcharges.holiday_bp"), s.Surcharges.HolidayBP)
	checkFen(fs, at("caps.per_visit_fen"), s.Caps.PerVisitFen)
	checkFen(fs, at("caps.per_period_fen"), s.Caps.PerPeriodFen)
	s.VAT.check(fs, prefix+".vat")
}

// Clone returns a copy of s that shares no slice or pointer with it.
func (s Schedule) Clone() Schedule {
	s.VisitFees = slices.Clone(s.VisitFees)
	s.Travel.Bands = slices.Clone(s.Travel.Bands)
	s.PartMarkups = slices.Clone(s.PartMarkups)
	if s.ConsultationFen != nil {
		v := *s.ConsultationFen
		s.ConsultationFen = &v
	}
	s.VAT = s.VAT.clone()
	return s
}

func checkFen(fs *problem.Fields, field string, fen int64) {
	switch {
	case fen < 0:
		fs.Add(field, "must not be negative")
	case fen > MaxFen:
		fs.Add(field, "must be at most %d fen (one hundred million yuan)", MaxFen)
	}
}

func checkRate(fs *problem.Fields, field string, bp BP) {
	if bp < 0 || bp > WholeBP {
		fs.Add(field, "must be a rate between 0 and 10000 (0-100 %%), not %d", bp)
	}
}

func checkInt(fs *problem.Fields, field string, n, lo, hi int) {
	if n < lo || n > hi {
		fs.Add(field, "must be between %d and %d, not %d", lo, hi, n)
	}
}
