package fees

import (
	"fmt"
	"time"

	"aftersales/internal/calendar"
)

// JobKind tells a visit from a consultation answered without one.
type JobKind uint8

const (
	JobVisit JobKind = iota
	JobConsultation
)

// Timing is when a visit checked in, on the agreement's calendar.
type Timing uint8

const (
	InHours    Timing = iota
	OutOfHours        // outside working hours, weekends included
	Holiday           // on a statutory holiday
)

// Distance is how far the site is from the nearest service point.
type Distance struct {
	Known bool
	// Metres is the technician's entered distance (Entered), which is
	// already a road distance, or the straight line, which the road factor
	// lengthens.
	Metres  int64
	Entered bool
}

// Job is what pricing needs to know of one sealed record: the settlement
// package fills it from a visit or a consultation.
type Job struct {
	Kind          JobKind
	ServiceItem   string
	Priority      string
	OnSiteSeconds int64
	Distance      Distance
	Timing        Timing
	Parts         []JobPart
	// SaleDay is the day of the sale in Shanghai (the check-out, or the
	// answer): it decides the VAT rate where the rate depends on the date.
	SaleDay calendar.Date
}

// JobPart is a part fitted, with its catalog cost when it was fitted.
type JobPart struct {
	PartNumber  string
	Kind        string
	Quantity    int64
	UnitCostFen *int64
}

// LineKind names what a line charges for.
type LineKind string

const (
	LineVisitFee     LineKind = "visit_fee"
	LineLabour       LineKind = "labour"
	LineTravel       LineKind = "travel"
	LineSurcharge    LineKind = "surcharge"
	LineConsultation LineKind = "consultation"
	LinePart         LineKind = "part"
	LineVisitCap     LineKind = "visit_cap"
	LinePeriodCap    LineKind = "period_cap"
)

// Line is one amount of a priced record, with what produced it: Quantity
// and UnitFen are billed minutes and the hourly rate (labour), kilometres
// and the band's per-km fee (travel), pieces and the unit cost (part); Ref
// names the part, the surcharge (holiday, out_of_hours) or the travel band.
type Line struct {
	Kind      LineKind `db:"kind" json:"kind"`
	Category  Category `db:"category" json:"category"`
	Ref       string   `db:"ref" json:"ref,omitempty"`
	Quantity  int64    `db:"quantity" json:"quantity"`
	UnitFen   int64    `db:"unit_fen" json:"unit_fen"`
	RateBP    BP       `db:"rate_bp" json:"rate_bp,omitempty"`
	NetFen    int64    `db:"net_fen" json:"net_fen"`
	TaxRateBP BP       `db:"tax_rate_bp" json:"tax_rate_bp"`
	TaxFen    int64    `db:"tax_fen" json:"tax_fen"`
	GrossFen  int64    `db:"gross_fen" json:"gross_fen"`
}

// UnpricedReason says why a record could not be priced.
type UnpricedReason string

const (
	NoVisitFee        UnpricedReason = "no_visit_fee"
	NoConsultationFee UnpricedReason = "no_consultation_fee"
	PartWithoutCost   UnpricedReason = "part_without_cost"
	NoPartMarkup      UnpricedReason = "no_part_markup"
	DistanceUnknown   UnpricedReason = "distance_unknown"
	TravelOverLimit   UnpricedReason = "travel_over_limit"
	ImplausibleInput  UnpricedReason = "implausible_input"
)

// Unpriced is a record the schedule does not price, and why.
type Unpriced struct {
	Reason UnpricedReason `json:"reason"`
	Detail string         `json:"detail"`
}

func (u *Unpriced) Error() string { return string(u.Reason) + ": " + u.Detail }

// Limits beyond which an input is not a visit but a mistake.
const (
	maxOnSiteSeconds = 7 * 24 * 3600
	maxQuantity      = 10000
)

// Price appends the lines of one job to dst. A job the schedule does not
// price returns dst unchanged and the reason; it is never priced at zero.
func (s *Schedule) Price(j *Job, dst []Line) ([]Line, *Unpriced) {
	start := len(dst)
	rates := s.ratesOn(j.SaleDay)
	if j.Kind == JobConsultation {
		if s.ConsultationFen == nil {
			return dst, &Unpriced{NoConsultationFee, "the fee schedule prices no consultation"}
		}
		dst = append(dst, taxed(Line{Kind: LineConsultation, Category: CategoryConsultation, Quantity: 1, UnitFen: *s.ConsultationFen, NetFen: *s.ConsultationFen}, rates))
		return dst, nil
	}
	cat := CategoryLabour
	if j.ServiceItem == "consultation" {
		cat = CategoryConsultation
	}
	fee, ok := s.visitFee(j.ServiceItem, j.Priority)
	if !ok {
		return dst, &Unpriced{NoVisitFee, fmt.Sprintf("the fee schedule has no price for a %s visit of priority %s", j.ServiceItem, j.Priority)}
	}
	if j.OnSiteSeconds < 0 || j.OnSiteSeconds > maxOnSiteSeconds {
		return dst, &Unpriced{ImplausibleInput, fmt.Sprintf("time on site of %d seconds", j.OnSiteSeconds)}
	}
	dst = append(dst, Line{Kind: LineVisitFee, Category: cat, Ref: j.ServiceItem + "/" + j.Priority, Quantity: 1, UnitFen: fee, NetFen: fee})
	service := fee
	work := fee
	if s.Labour.HourlyFen > 0 {
		minutes := s.Labour.BilledMinutes(j.OnSiteSeconds)
		net := divRound(s.Labour.HourlyFen*minutes, 60)
		dst = append(dst, Line{Kind: LineLabour, Category: cat, Quantity: minutes, UnitFen: s.Labour.HourlyFen, NetFen: net})
		service += net
		work += net
	}
	if len(s.Travel.Bands) > 0 {
		l, u := s.Travel.price(j.Distance)
		if u != nil {
			return dst[:start], u
		}
		l.Category = cat
		dst = append(dst, l)
		service += l.NetFen
	}
	if rate, ref := s.Surcharges.of(j.Timing); rate > 0 {
		net := ofRate(work, rate)
		dst = append(dst, Line{Kind: LineSurcharge, Category: cat, Ref: ref, Quantity: 1, UnitFen: work, RateBP: rate, NetFen: net})
		service += net
	}
	if c := s.Caps.PerVisitFen; c > 0 && service > c {
		dst = append(dst, Line{Kind: LineVisitCap, Category: cat, Quantity: 1, UnitFen: c, NetFen: c - service})
	}
	for i := range j.Parts {
		p := &j.Parts[i]
		if p.UnitCostFen == nil {
			return dst[:start], &Unpriced{PartWithoutCost, fmt.Sprintf("part %s has no cost at fitting", p.PartNumber)}
		}
		markup, ok := s.markup(p.Kind)
		if !ok {
			return dst[:start], &Unpriced{NoPartMarkup, fmt.Sprintf("the fee schedule has no markup for %s parts (part %s)", p.Kind, p.PartNumber)}
		}
		if p.Quantity < 1 || p.Quantity > maxQuantity || *p.UnitCostFen < 0 || *p.UnitCostFen > MaxFen {
			return dst[:start], &Unpriced{ImplausibleInput, fmt.Sprintf("part %s: %d at %d fen", p.PartNumber, p.Quantity, *p.UnitCostFen)}
		}
		cost := *p.UnitCostFen * p.Quantity
		dst = append(dst, Line{Kind: LinePart, Category: CategoryParts, Ref: p.PartNumber, Quantity: p.Quantity, UnitFen: *p.UnitCostFen, RateBP: markup, NetFen: cost + ofRate(cost, markup)})
	}
	for i := start; i < len(dst); i++ {
		dst[i] = taxed(dst[i], rates)
	}
	return dst, nil
}

// BilledMinutes is the time on site as labour bills it: rounded up to the
// increment, raised to the minimum, less the free first hour.
func (l Labour) BilledMinutes(onSiteSeconds int64) int64 {
	inc := int64(max(l.IncrementMinutes, 1))
	minutes := (onSiteSeconds + inc*60 - 1) / (inc * 60) * inc
	minutes = max(minutes, int64(l.MinimumMinutes))
	if l.FreeFirstHour {
		minutes = max(minutes-60, 0)
	}
	return minutes
}

// RoadMetres is the distance travel is billed on.
func (t Travel) RoadMetres(d Distance) int64 {
	if d.Entered {
		return d.Metres
	}
	f := t.RoadFactorPermille
	if f == 0 {
		f = 1000
	}
	return divRound(d.Metres*f, 1000)
}

func (t Travel) price(d Distance) (Line, *Unpriced) {
	if !d.Known || d.Metres < 0 || d.Metres > 100_000_000 {
		return Line{}, &Unpriced{DistanceUnknown, "no distance from a service point to the site is known, and none was entered"}
	}
	km := (t.RoadMetres(d) + 999) / 1000
	var prev int64
	for i, b := range t.Bands {
		if km <= b.UpToKM {
			net := b.FixedFen + b.PerKMFen*max(km-prev, 0)
			return Line{Kind: LineTravel, Ref: fmt.Sprintf("band %d", i+1), Quantity: km, UnitFen: b.PerKMFen, NetFen: net}, nil
		}
		prev = b.UpToKM
	}
	return Line{}, &Unpriced{TravelOverLimit, fmt.Sprintf("%d km is over the schedule's last band (%d km): travel is by agreement", km, prev)}
}

func (s Surcharges) of(t Timing) (BP, string) {
	switch t {
	case Holiday:
		return s.HolidayBP, "holiday"
	case OutOfHours:
		return s.OutOfHoursBP, "out_of_hours"
	}
	return 0, ""
}

func (s *Schedule) visitFee(item, priority string) (int64, bool) {
	for _, v := range s.VisitFees {
		if v.ServiceItem == item && v.Priority == priority {
			return v.Fen, true
		}
	}
	return 0, false
}

func (s *Schedule) markup(kind string) (BP, bool) {
	for _, m := range s.PartMarkups {
		if m.Kind == kind {
			return m.MarkupBP, true
		}
	}
	return 0, false
}

// taxRates are a day's rates of the three categories.
type taxRates struct{ labour, parts, consultation BP }

func (s *Schedule) ratesOn(day calendar.Date) taxRates {
	return taxRates{s.VAT.RateOn(CategoryLabour, day), s.VAT.RateOn(CategoryParts, day), s.VAT.RateOn(CategoryConsultation, day)}
}

func taxed(l Line, r taxRates) Line {
	switch l.Category {
	case CategoryParts:
		l.TaxRateBP = r.parts
	case CategoryConsultation:
		l.TaxRateBP = r.consultation
	default:
		l.TaxRateBP = r.labour
	}
	l.TaxFen = ofRate(l.NetFen, l.TaxRateBP)
	l.GrossFen = l.NetFen + l.TaxFen
	return l
}

// TimingOf classifies a check-in on the agreement's calendar: on a
// statutory holiday (a holiday exception of the calendar), else outside
// its working hours (weekends included), else in hours.
func TimingOf(cal *calendar.Calendar, checkIn time.Time) Timing {
	local := checkIn.In(cal.Location())
	day := calendar.DateOf(checkIn, cal.Location())
	if e, ok := cal.Exception(day); ok && e.Kind == calendar.Holiday {
		return Holiday
	}
	minute := local.Hour()*60 + local.Minute()
	for _, s := range cal.WorkingHours(day) {
		if minute >= s.Start && minute < s.End {
			return InHours
		}
	}
	return OutOfHours
}
