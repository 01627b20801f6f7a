package settlement

import (
	"cmp"
	"math"
	"time"

	"aftersales/internal/agreement"
	"aftersales/internal/calendar"
	"aftersales/internal/fees"
	"aftersales/internal/geo"
	"aftersales/internal/record"
)

// Payer is who pays for a record's work.
type Payer string

const (
	// PayerVendor: work under the agreement within the product's warranty
	// (and every consultation): it goes on the settlement statement.
	PayerVendor Payer = "vendor"
	// PayerCustomer: out of warranty, priced from the same schedule and
	// shown to the customer as a receipt (收费明细).
	PayerCustomer Payer = "customer"
)

// PayerOf decides who pays for a visit that checked out on day (Shanghai,
// YYYY-MM-DD) for a unit whose warranty ends on warrantyEnd (its last
// day). A unit with no known warranty end is treated as in warranty: the
// agreement covers it, and the vendor can dispute the line.
func PayerOf(warrantyEnd, day string) Payer {
	if warrantyEnd != "" && warrantyEnd < day {
		return PayerCustomer
	}
	return PayerVendor
}

// Site is where a visit took place, for its travel distance: the
// request's site coordinates, else the technician's check-in position.
type Site struct {
	Lat, Lng *float64
}

// Input is one sealed record with what pricing needs besides its content.
type Input struct {
	Record      record.Record
	Content     record.Content
	RequestNo   string
	WarrantyEnd string // the unit's, YYYY-MM-DD; "" unknown
	Site        Site
}

// Priced is one record as the statement sees it: its lines (empty when
// unpriced, with the reason), who pays, and the terms version that priced it.
type Priced struct {
	RecordID     int64
	RequestNo    string
	Kind         record.Kind
	Payer        Payer
	TermsVersion int
	Day          string // check-out or answer day, Shanghai
	Lines        []fees.Line
	Unpriced     *fees.Unpriced
	Late         []fees.LateClock
}

// Calendars finds a calendar by id (the agreement names them by id).
type Calendars func(id string) *calendar.Calendar

// Price prices one record with the version of the terms in force at its
// check-out (or answer). Corrections carry no price: they change only the
// diagnosis, fault codes, actions and result of the record they correct.
func Price(in Input, versions []agreement.Version, cals Calendars) (Priced, bool) {
	c := in.Content
	p := Priced{RecordID: in.Record.ID, RequestNo: in.RequestNo, Kind: c.Kind, Payer: PayerVendor}
	var job fees.Job
	var at time.Time
	var clocks []record.ClockOutcome
	switch {
	case c.Visit != nil:
		v := c.Visit
		p.RequestNo = cmp.Or(p.RequestNo, v.Request)
		at, clocks = v.CheckedOut, v.Clocks
		job = fees.Job{Kind: fees.JobVisit, ServiceItem: v.ServiceItem, Priority: v.Priority, OnSiteSeconds: v.OnSiteSeconds}
		for _, part := range v.Parts {
			job.Parts = append(job.Parts, fees.JobPart{PartNumber: part.PartNumber, Kind: part.Kind, Quantity: part.Quantity, UnitCostFen: part.UnitPriceFen})
		}
	case c.Consultation != nil:
		at, clocks = c.Consultation.AnsweredAt, c.Consultation.Clocks
		p.RequestNo = cmp.Or(p.RequestNo, c.Consultation.Request)
		job = fees.Job{Kind: fees.JobConsultation, ServiceItem: c.Consultation.ServiceItem}
	default:
		return p, false
	}
	if at.IsZero() {
		at = in.Record.SealedAt
	}
	p.Day = calendar.LocalDate(at)
	job.SaleDay = calendar.MustParseDate(p.Day)
	for _, o := range clocks {
		if o.Breached() && o.StoppedAt != nil {
			p.Late = append(p.Late, fees.LateClock{RecordID: in.Record.ID, Request: p.RequestNo, Clock: string(o.Clock),
				DueAt: o.DueAt, StoppedAt: *o.StoppedAt, LateSeconds: o.LateBySeconds()})
		}
	}
	ver, ok := agreement.TermsOn(versions, at)
	if !ok {
		p.Unpriced = &fees.Unpriced{Reason: NoTermsInForce, Detail: "no version of the terms was in force on " + p.Day}
		return p, true
	}
	p.TermsVersion = ver.Number
	if c.Visit != nil {
		p.Payer = PayerOf(in.WarrantyEnd, p.Day)
	}
	t := ver.Terms
	if t.Fees == nil {
		p.Unpriced = &fees.Unpriced{Reason: NoSchedule, Detail: "the terms in force have no fee schedule"}
		return p, true
	}
	if c.Visit != nil {
		job.Distance = distance(t, in, c.Visit)
		if cal := cals(t.General.CalendarID); cal != nil && !c.Visit.CheckedIn.IsZero() {
			job.Timing = fees.TimingOf(cal, c.Visit.CheckedIn)
		}
	}
	p.Lines, p.Unpriced = t.Fees.Price(&job, nil)
	return p, true
}

// Reasons a record is unpriced besides the schedule's own.
const (
	NoTermsInForce fees.UnpricedReason = "no_terms_in_force"
	NoSchedule     fees.UnpricedReason = "no_fee_schedule"
)

// distance is the kilometres the technician entered at check-out, or else
// the straight line from the nearest service point of the terms to the
// site, which the schedule's road factor lengthens.
func distance(t agreement.Terms, in Input, v *record.Visit) fees.Distance {
	if v.TravelMetres != nil {
		return fees.Distance{Known: true, Entered: true, Metres: *v.TravelMetres}
	}
	lat, lng := in.Site.Lat, in.Site.Lng
	if lat == nil || lng == nil {
		lat, lng = v.Place.Lat, v.Place.Lng
	}
	if lat == nil || lng == nil || len(t.ServicePoints) == 0 {
		return fees.Distance{}
	}
	best := math.Inf(1)
	for _, sp := range t.ServicePoints {
		best = min(best, geo.Distance(geo.Point{Lat: sp.Lat, Lng: sp.Lng}, geo.Point{Lat: *lat, Lng: *lng})*1000)
	}
	return fees.Distance{Known: true, Metres: int64(math.Round(best))}
}
