// Package dispatch is the provider's dispatch board: a day per technician
// (working hours, on-call turns, leave, booked visits), the requests still
// waiting for a visit with the time left on their clocks, moves that go
// through the normal booking path, and "plan the day": the day handed to
// the route solver, its proposal stored, and accepted in one transaction
// (or refused whole when the board changed meanwhile).
//
// Board, Problem and Proposal are plain functions over values; the
// Service loads and stores them.
package dispatch

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"slices"
	"time"

	"aftersales/internal/agreement"
	"aftersales/internal/calendar"
	"aftersales/internal/org"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/staff"
	"aftersales/internal/store"
	"aftersales/internal/workorder"
)

// Service loads boards and plans, and books them through WorkOrders.
type Service struct {
	DB         *store.DB
	Now        func() time.Time
	Staff      *staff.Service
	WorkOrders *workorder.Service
}

// LatLng is a place on the map (WGS-84).
type LatLng struct {
	Lat float64 `json:"lat"`
	Lng float64 `json:"lng"`
}

// Board is a provider's day.
type Board struct {
	ProviderID int64     `json:"provider_id"`
	Day        string    `json:"day" doc:"The local date, YYYY-MM-DD (Asia/Shanghai)."`
	Now        time.Time `json:"now"`
	Lanes      []Lane    `json:"lanes"`
	// Open are the requests waiting for a visit, the closest deadline first.
	Open []Open `json:"open"`
	// Stamp changes whenever a visit of the day or a waiting request
	// changes; a plan made from another stamp cannot be accepted.
	Stamp string `json:"stamp"`
}

// Lane is one technician's day.
type Lane struct {
	TechnicianID       int64        `json:"technician_id"`
	Name               string       `json:"name"`
	Point              string       `json:"service_point,omitempty"`
	Base               *LatLng      `json:"base,omitempty" doc:"The service point's coordinates: where the day starts and ends."`
	EfficiencyPermille int          `json:"efficiency_permille"`
	Shift              []staff.Span `json:"shift" doc:"Working hours of the day, after the calendar's holidays and make-up workdays."`
	OnCall             []staff.Span `json:"on_call"`
	Leave              []staff.Span `json:"leave"`
	Visits             []BoardVisit `json:"visits"`
	// Van is what the technician's van holds of the parts the day's
	// requests need (part id: quantity).
	Van map[int64]int `json:"van,omitempty" doc:"What the technician's van holds of the parts the day's requests need, by part id."`
}

// BoardVisit is a visit on a lane.
type BoardVisit struct {
	WorkOrderID int64        `db:"work_order_id" json:"work_order_id"`
	RequestID   int64        `db:"request_id" json:"request_id"`
	Number      string       `db:"number" json:"number"`
	Priority    string       `db:"priority" json:"priority"`
	Address     string       `db:"address" json:"address"`
	Status      string       `db:"status" json:"status" enum:"assigned,on_site,completed"`
	Start       time.Time    `db:"start" json:"start"`
	End         time.Time    `db:"end" json:"end"`
	CheckedInAt *time.Time   `db:"checked_in_at" json:"checked_in_at,omitempty"`
	At          *LatLng      `db:"-" json:"at,omitempty"`
	UnitID      int64        `db:"unit_id" json:"-"`
	ServiceItem string       `db:"service_item" json:"-"`
	Version     int64        `db:"version" json:"version"`
	Parts       []NeededPart `db:"-" json:"parts,omitempty" doc:"The parts the request needs."`
	// Travel is the drive to the visit from the technician's previous
	// stop of the day (the service point for the first); nil when either
	// place has no coordinates.
	Travel *Drive `db:"-" json:"travel,omitempty" doc:"The drive from the previous stop of the day (the service point before the first visit): straight line times the road factor at the average speed. Absent when a place has no coordinates."`
}

// Drive is a drive between two stops.
type Drive struct {
	Km      float64 `json:"km"`
	Minutes int     `json:"minutes"`
}

// TravelBetween is the drive from a to b: the straight line times the
// road factor, at the average speed (no road data).
func TravelBetween(a, b LatLng) Drive {
	km := staff.RoadKm(staff.Place(a), staff.Place(b))
	return Drive{Km: math.Round(km*10) / 10, Minutes: int(math.Round(km / staff.SpeedKmh * 60))}
}

// SetTravel gives each visit of the lane, in the order of their start,
// the drive from the stop before it: the service point for the first, the
// previous visit's site after. A place without coordinates leaves the
// drive to it and from it unknown.
func SetTravel(l *Lane) {
	from := l.Base
	for i := range l.Visits {
		v := &l.Visits[i]
		v.Travel = nil
		if from != nil && v.At != nil {
			t := TravelBetween(*from, *v.At)
			v.Travel = &t
		}
		from = v.At
	}
}

// Open is a request waiting for a visit.
type Open struct {
	RequestID   int64        `db:"request_id" json:"request_id"`
	Number      string       `db:"number" json:"number"`
	Priority    string       `db:"priority" json:"priority"`
	Address     string       `db:"address" json:"address"`
	Model       string       `db:"model" json:"model"`
	ServiceItem string       `db:"service_item" json:"service_item"`
	DueAt       *time.Time   `db:"due_at" json:"due_at,omitempty" doc:"The next deadline on its clocks."`
	At          *LatLng      `db:"-" json:"at,omitempty"`
	UnitID      int64        `db:"unit_id" json:"-"`
	Parts       []NeededPart `db:"-" json:"parts,omitempty" doc:"The parts the request needs."`
	AgreementID int64        `db:"agreement_id" json:"-"`
	// Minutes is the planned time on site for a technician of average
	// efficiency, from the agreement's terms for the service item.
	Minutes int `db:"-" json:"minutes" doc:"Planned time on site for an average technician, from the agreement's service item; a technician's own is this scaled by 1000/efficiency_permille."`
}

// Left is the time left until the request's next deadline (negative:
// overdue), and whether it has one.
func (o Open) Left(now time.Time) (time.Duration, bool) {
	if o.DueAt == nil {
		return 0, false
	}
	return o.DueAt.Sub(now), true
}

// ParseDay reads a board's day; empty is today in Shanghai.
func ParseDay(s string, now time.Time) (calendar.Date, error) {
	if s == "" {
		return calendar.DateOf(now, calendar.Shanghai), nil
	}
	d, err := calendar.ParseDate(s)
	if err != nil {
		return d, problem.Field("day", "must be a date YYYY-MM-DD")
	}
	return d, nil
}

// dayBounds are the UTC instants of local midnight and the next.
func dayBounds(d calendar.Date) (time.Time, time.Time) {
	from := d.At(0, 0, calendar.Shanghai)
	return from.UTC(), from.AddDate(0, 0, 1).UTC()
}

// mayDispatch: the actor dispatches for providerID (its dispatchers and admin).
func mayDispatch(ctx context.Context, q store.Queryer, a policy.Actor, providerID int64) error {
	sc, err := org.ScopeOf(ctx, q, a, providerID)
	if err != nil {
		return err
	}
	if sc == policy.Unrelated {
		return problem.New(problem.NotFound, "provider %d not found", providerID)
	}
	return policy.Allow(a, policy.RequestAssign, sc)
}

// Board loads a provider's day for its dispatcher (providerID 0: the
// actor's own organization); no day is the provider's DefaultDay.
func (s *Service) Board(ctx context.Context, a policy.Actor, providerID int64, day string) (Board, error) {
	providerID, d, err := s.dispatchedDay(ctx, a, providerID, day)
	if err != nil {
		return Board{}, err
	}
	return s.load(ctx, s.DB, providerID, d)
}

// dispatchedDay resolves the provider (0: the actor's own organization) and
// the day (none: the provider's DefaultDay) its dispatcher asks for.
func (s *Service) dispatchedDay(ctx context.Context, a policy.Actor, providerID int64, day string) (int64, calendar.Date, error) {
	if providerID == 0 {
		providerID = a.OrgID
	}
	if _, err := ParseDay(day, s.Now()); err != nil {
		return 0, calendar.Date{}, err
	}
	if err := mayDispatch(ctx, s.DB, a, providerID); err != nil {
		return 0, calendar.Date{}, err
	}
	d, err := s.dayOf(ctx, s.DB, providerID, day)
	return providerID, d, err
}

func (s *Service) load(ctx context.Context, q store.Queryer, providerID int64, d calendar.Date) (Board, error) {
	from, to := dayBounds(d)
	b := Board{ProviderID: providerID, Day: d.String(), Now: s.Now().UTC(), Lanes: []Lane{}, Open: []Open{}}
	var techs []struct {
		ID         int64    `db:"id"`
		Name       string   `db:"name"`
		Point      *string  `db:"point"`
		Lat        *float64 `db:"lat"`
		Lng        *float64 `db:"lng"`
		Efficiency int      `db:"efficiency_permille"`
	}
	if err := store.Select(ctx, q, &techs, `SELECT u.id, u.name, sp.name AS point, sp.lat, sp.lng, COALESCE(p.efficiency_permille, 1000) AS efficiency_permille
		FROM users u LEFT JOIN technician_profiles p ON p.user_id = u.id LEFT JOIN service_points sp ON sp.id = p.service_point_id
		WHERE u.org_id = ? AND u.role = 'technician' AND u.active ORDER BY u.name, u.id`, providerID); err != nil {
		return b, err
	}
	days, err := s.Staff.Days(ctx, q, providerID, d)
	if err != nil {
		return b, err
	}
	lane := map[int64]int{}
	for _, t := range techs {
		l := Lane{TechnicianID: t.ID, Name: t.Name, EfficiencyPermille: t.Efficiency, Shift: []staff.Span{}, OnCall: []staff.Span{}, Leave: []staff.Span{}, Visits: []BoardVisit{}}
		if t.Point != nil {
			l.Point = *t.Point
		}
		if t.Lat != nil && t.Lng != nil {
			l.Base = &LatLng{Lat: *t.Lat, Lng: *t.Lng}
		}
		if av := days[t.ID]; av != nil {
			l.Shift, l.OnCall, l.Leave = nonNil(av.Shift), nonNil(av.OnCall), nonNil(av.Leave)
		}
		lane[t.ID] = len(b.Lanes)
		b.Lanes = append(b.Lanes, l)
	}
	var visits []struct {
		BoardVisit
		TechnicianID int64    `db:"technician_id"`
		Lat          *float64 `db:"site_lat"`
		Lng          *float64 `db:"site_lng"`
	}
	if err := store.Select(ctx, q, &visits, `SELECT w.id AS work_order_id, w.request_id, r.number, r.priority, r.site_address AS address, w.status,
		w.window_start AS start, w.window_end AS "end", w.checked_in_at, r.unit_id, r.service_item, w.version, w.technician_id, r.site_lat, r.site_lng
		FROM work_orders w JOIN service_requests r ON r.id = w.request_id
		WHERE r.provider_id = ? AND w.status IN ('assigned', 'on_site', 'completed') AND w.window_end > ? AND w.window_start < ?
		ORDER BY w.window_start, w.id`, providerID, from, to); err != nil {
		return b, err
	}
	h := sha256.New()
	for _, v := range visits {
		i, ok := lane[v.TechnicianID]
		if !ok {
			continue
		}
		if v.Lat != nil && v.Lng != nil {
			v.At = &LatLng{Lat: *v.Lat, Lng: *v.Lng}
		}
		v.Start, v.End = v.Start.UTC(), v.End.UTC()
		b.Lanes[i].Visits = append(b.Lanes[i].Visits, v.BoardVisit)
		fmt.Fprintf(h, "w%d:%d:%d:%d:%s:%d;", v.WorkOrderID, v.TechnicianID, v.Start.Unix(), v.End.Unix(), v.Status, v.Version)
	}
	for i := range b.Lanes {
		SetTravel(&b.Lanes[i])
	}
	var open []struct {
		Open
		Lat *float64 `db:"site_lat"`
		Lng *float64 `db:"site_lng"`
	}
	if err := store.Select(ctx, q, &open, `SELECT r.id AS request_id, r.number, r.priority, r.site_address AS address, r.model, r.service_item, r.next_due_at AS due_at,
		r.unit_id, r.agreement_id, r.site_lat, r.site_lng
		FROM service_requests r WHERE r.provider_id = ? AND r.status IN ('received', 'responded')
		AND NOT EXISTS (SELECT 1 FROM work_orders w WHERE w.request_id = r.id AND w.status IN ('assigned', 'on_site'))
		ORDER BY r.id`, providerID); err != nil {
		return b, err
	}
	planned := map[int64]agreement.Terms{}
	inForce := TermsDay(d, b.Now)
	for _, o := range open {
		t, ok := planned[o.AgreementID]
		if !ok {
			v, err := agreement.TermsAt(ctx, q, o.AgreementID, inForce)
			if err != nil && !problem.Is(err, problem.NotFound) {
				return b, err
			}
			t = v.Terms
			planned[o.AgreementID] = t
		}
		o.Minutes = int(t.PlannedVisit(agreement.ServiceItem(o.ServiceItem)).Minutes())
		if o.Lat != nil && o.Lng != nil {
			o.At = &LatLng{Lat: *o.Lat, Lng: *o.Lng}
		}
		if o.DueAt != nil {
			t := o.DueAt.UTC()
			o.DueAt = &t
		}
		b.Open = append(b.Open, o.Open)
		fmt.Fprintf(h, "r%d;", o.RequestID)
	}
	SortOpen(b.Open)
	if err := loadParts(ctx, q, &b); err != nil {
		return b, err
	}
	b.Stamp = hex.EncodeToString(h.Sum(nil))[:16]
	return b, nil
}

// TermsDay is the instant whose agreement terms a board of day d reads:
// now on today's board, the start of the day on another day's (a later
// version of the terms in force from that day plans its visits).
func TermsDay(d calendar.Date, now time.Time) time.Time {
	from, to := dayBounds(d)
	if !now.Before(from) && now.Before(to) {
		return now
	}
	return from
}

// PlannedVisit is the planned time on site of a visit of the request by
// the technician starting at start: the minutes of the agreement's terms
// in force then for its service item, scaled by the technician's
// efficiency. For the request's dispatchers.
func (s *Service) PlannedVisit(ctx context.Context, a policy.Actor, requestID, technicianID int64, start time.Time) (time.Duration, error) {
	var r struct {
		ProviderID  int64  `db:"provider_id"`
		AgreementID int64  `db:"agreement_id"`
		ServiceItem string `db:"service_item"`
	}
	err := store.Get(ctx, s.DB, &r, `SELECT provider_id, agreement_id, service_item FROM service_requests WHERE id = ?`, requestID)
	if err == store.ErrNotFound {
		return 0, problem.New(problem.NotFound, "service request %d not found", requestID)
	}
	if err != nil {
		return 0, err
	}
	if err := mayDispatch(ctx, s.DB, a, r.ProviderID); err != nil {
		return 0, err
	}
	v, err := agreement.TermsAt(ctx, s.DB, r.AgreementID, start)
	if err != nil && !problem.Is(err, problem.NotFound) {
		return 0, err
	}
	var eff int
	err = store.Get(ctx, s.DB, &eff, `SELECT COALESCE(MAX(p.efficiency_permille), 1000) FROM users u
		LEFT JOIN technician_profiles p ON p.user_id = u.id WHERE u.id = ? AND u.org_id = ?`, technicianID, r.ProviderID)
	if err != nil {
		return 0, err
	}
	average := int(v.Terms.PlannedVisit(agreement.ServiceItem(r.ServiceItem)).Minutes())
	return time.Duration(OnSiteMinutes(average, eff)) * time.Minute, nil
}

// SortOpen orders waiting requests by their next deadline, the closest
// first; those without one last, oldest first.
func SortOpen(open []Open) {
	slices.SortStableFunc(open, func(a, b Open) int {
		switch {
		case a.DueAt != nil && b.DueAt != nil:
			if c := a.DueAt.Compare(*b.DueAt); c != 0 {
				return c
			}
		case a.DueAt != nil:
			return -1
		case b.DueAt != nil:
			return 1
		}
		return cmp.Compare(a.RequestID, b.RequestID)
	})
}

func nonNil(s []staff.Span) []staff.Span {
	if s == nil {
		return []staff.Span{}
	}
	return s
}
