// Package coverage answers, for a product unit, which agreement covers it
// and what that agreement says at a moment: the scope a service request is
// checked against (CheckScope) and the terms its clocks run on. It joins
// the installed base to the agreements; servicerequest asks it through its
// Resolver port, and coverage imports no package of requests or visits.
package coverage

import (
	"context"
	"time"

	"aftersales/internal/agreement"
	"aftersales/internal/calendar"
	"aftersales/internal/sla"
	"aftersales/internal/store"
)

// UnitFinder resolves a serial number to a unit of the installed base. The
// finder reads also in the same statement: it selects also's columns
// after its own, joins also's joins after its own with the unit's table
// named u, puts also's arguments before its own, and scans also's columns
// into its destinations. A finder that reads no database may ignore also.
type UnitFinder func(ctx context.Context, q store.Queryer, serial string, also Also) (Unit, error)

// Also is what a unit finder reads in its statement beside the unit: the
// agreement in force, for UnitBySerial, so that filing a request reads
// the unit and its agreement in one statement, not two.
type Also struct {
	Columns, Joins string
	Args           []any
	Dest           []any
}

// Target is a unit with the agreement that covers it, as in force at a
// given moment: its provider, its scope and its clock terms.
type Target struct {
	Unit
	ProviderID int64
	Coverage   Coverage
	Terms      sla.Terms
}

// AgreementTerms are what an agreement version in force says about clocks
// and records.
type AgreementTerms struct {
	Number          string
	Terms           sla.Terms
	RetentionMonths int
}

// Resolver finds units and the agreement terms in force.
type Resolver struct {
	Units UnitFinder
}

// unitAgreementJoin joins a unit's agreement and its version in force.
var unitAgreementJoin = agreement.InForceJoin("u.agreement_id")

// UnitBySerial resolves a unit and the scope of its agreement at at. The
// unit and its agreement in force are read in one statement.
func (r Resolver) UnitBySerial(ctx context.Context, q store.Queryer, serial string, at time.Time) (Target, error) {
	var in agreement.InForceRow
	u, err := r.Units(ctx, q, serial, Also{Columns: agreement.InForceColumns, Joins: unitAgreementJoin,
		Args: []any{calendar.LocalDate(at)}, Dest: in.Dest()})
	if err != nil {
		return Target{}, err
	}
	t := Target{Unit: u}
	if u.AgreementID == 0 {
		t.Coverage = Coverage{Status: "none", AgreementNumber: "-"}
		return t, nil
	}
	var a agreement.Agreement
	var v agreement.Version
	if in.Read() {
		a, v, err = in.Result(ctx, q, u.AgreementID, at)
	} else {
		// The finder read no agreement beside the unit (it reads no database).
		a, v, err = agreement.GetInForce(ctx, q, u.AgreementID, at)
	}
	return target(t, a, v, err, at)
}

// target completes t with its agreement a and the version v in force at
// at, as read with the error err (agreement.GetInForce's answers).
func target(t Target, a agreement.Agreement, v agreement.Version, err error, at time.Time) (Target, error) {
	if a.ID == 0 {
		return t, err
	}
	t.ProviderID = a.ProviderID
	if err != nil {
		t.Coverage = Coverage{Status: "none", AgreementNumber: a.Number}
		return t, nil
	}
	terms := v.Terms
	t.Coverage = Coverage{AgreementNumber: a.Number, Status: string(a.StatusOn(calendar.LocalDate(at), &terms.Term)),
		Models: terms.CoveredModels, Areas: terms.ServiceArea}
	for _, p := range terms.ServicePoints {
		t.Coverage.Points = append(t.Coverage.Points, Point{Lat: p.Lat, Lng: p.Lng, RadiusKM: float64(p.RadiusKM)})
	}
	for _, it := range terms.ServiceItems {
		t.Coverage.ServiceItems = append(t.Coverage.ServiceItems, string(it))
	}
	t.Terms = SLATerms(terms)
	return t, nil
}

// Agreement returns the clock and record terms of the version in force at.
func (r Resolver) Agreement(ctx context.Context, q store.Queryer, agreementID int64, at time.Time) (AgreementTerms, error) {
	a, v, err := agreement.GetInForce(ctx, q, agreementID, at)
	if err != nil {
		return AgreementTerms{}, err
	}
	return AgreementTerms{Number: a.Number, Terms: SLATerms(v.Terms), RetentionMonths: v.Terms.RetentionMonths}, nil
}

// SLATerms turns the agreement's response terms into clock targets: an
// emergency has a response and an on-site clock in hours (§3.3.1), a
// general request a response clock in working days (§3.3.2), and either may
// have a resolution target.
func SLATerms(t agreement.Terms) sla.Terms {
	e, g := t.Emergency, t.General
	out := sla.Terms{PauseReasons: sla.DefaultPauseReasons, EscalationWithin: t.EscalationAnswerTime()}
	if e.ResponseHours > 0 {
		out.Emergency = append(out.Emergency, sla.Target{Kind: sla.Response, Within: time.Duration(e.ResponseHours) * time.Hour, CalendarID: e.CalendarID})
	}
	if e.OnSiteHours > 0 {
		out.Emergency = append(out.Emergency, sla.Target{Kind: sla.OnSite, Within: time.Duration(e.OnSiteHours) * time.Hour, CalendarID: e.CalendarID})
	}
	if g.ResponseWorkingDays > 0 {
		out.General = append(out.General, sla.Target{Kind: sla.Response, WorkingDays: g.ResponseWorkingDays, CalendarID: g.CalendarID})
	}
	if res := t.Resolution; res != nil {
		if res.EmergencyHours > 0 {
			out.Emergency = append(out.Emergency, sla.Target{Kind: sla.Resolution, Within: time.Duration(res.EmergencyHours) * time.Hour, CalendarID: e.CalendarID})
		}
		if res.GeneralWorkingDays > 0 {
			out.General = append(out.General, sla.Target{Kind: sla.Resolution, WorkingDays: res.GeneralWorkingDays, CalendarID: g.CalendarID})
		}
	}
	return out
}
