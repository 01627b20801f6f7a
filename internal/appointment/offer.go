package appointment

import (
	"context"
	"slices"
	"sort"
	"time"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/audit"
	"aftersales/internal/calendar"
	"aftersales/internal/notify"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/staff"
	"aftersales/internal/store"
	"aftersales/internal/workorder"
)

// Window is an appointment window offered to the customer, with the
// technician who would come.
type Window struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	// Late: the window ends after the request's next deadline.
	Late         bool   `json:"late,omitempty"`
	TechnicianID int64  `json:"technician_id"`
	Technician   string `json:"technician"`
}

// Offer is what a link's page shows: the visit, the booked window and the
// free windows of the technicians who may do it to pick from.
type Offer struct {
	Link      Link
	State     string // open, used, expired, replaced
	Reference string
	Model     string
	Address   string
	// Technician is the booked technician's name.
	Technician string
	Booked     Window
	Windows    []Window
}

// OfferDays is how many days ahead windows are offered; MaxWindows how many.
const (
	OfferDays  = 7
	MaxWindows = 20
)

// customerActor is who answers a link: the visit's customer, by the link.
func customerActor(customerOrgID int64) policy.Actor {
	return policy.Actor{OrgID: customerOrgID, OrgKind: "customer", Role: policy.Customer, Email: "customer (appointment link)"}
}

// Open reads the link of token with its visit and, while it is open, the
// windows to pick from.
func (s *Service) Open(ctx context.Context, token string) (Offer, error) {
	return s.offer(ctx, s.DB, token, s.Now().UTC())
}

func (s *Service) offer(ctx context.Context, q store.Queryer, token string, now time.Time) (Offer, error) {
	l, err := linkByToken(ctx, q, token)
	if err != nil {
		return Offer{}, err
	}
	ap, err := workorder.AppointmentOf(ctx, q, l.WorkOrderID)
	if err != nil {
		return Offer{}, err
	}
	o := Offer{Link: l, State: l.State(now), Reference: ap.Reference, Model: ap.Model, Address: ap.Address, Technician: ap.TechnicianName,
		Booked: window(ap, ap.WorkOrder.WindowStart, ap.WorkOrder.WindowEnd, ap.WorkOrder.TechnicianID, ap.TechnicianName)}
	if o.State == "open" && ap.WorkOrder.Status != workorder.WOAssigned {
		o.State = "used"
	}
	if o.State != "open" {
		return o, nil
	}
	o.Windows, err = s.freeWindows(ctx, q, ap, now)
	return o, err
}

func window(ap workorder.Appointment, start, end time.Time, technicianID int64, name string) Window {
	return Window{Start: start.UTC(), End: end.UTC(), Late: ap.DueAt != nil && end.After(*ap.DueAt), TechnicianID: technicianID, Technician: name}
}

// offerTech is a technician whose windows may be offered.
type offerTech struct {
	ID   int64    `db:"id"`
	Name string   `db:"name"`
	Lat  *float64 `db:"lat"`
	Lng  *float64 `db:"lng"`
}

func (t offerTech) base() *staff.Place {
	if t.Lat == nil || t.Lng == nil {
		return nil
	}
	return &staff.Place{Lat: *t.Lat, Lng: *t.Lng}
}

// freeWindows are the windows, as long as the booked one, from LeadTime
// on over OfferDays local days, in which a technician who may do the visit
// works (hours after holidays, no leave), has no other visit, and can
// drive there and on as the day planner has them drive (DayWindows): the
// booked technician's first, and where he has none, another technician
// of the provider whom the vendor's rules qualify for the unit and service
// item that day (staff.Qualified; exceptions are one-off decisions and are
// not offered).
func (s *Service) freeWindows(ctx context.Context, q store.Queryer, ap workorder.Appointment, now time.Time) ([]Window, error) {
	w := ap.WorkOrder
	length := w.WindowEnd.Sub(w.WindowStart)
	today := calendar.DateOf(now, calendar.Shanghai)
	horizon := time.Date(today.Year, today.Month, today.Day, 0, 0, 0, 0, calendar.Shanghai).AddDate(0, 0, OfferDays).UTC()
	var techs []offerTech
	if err := store.Select(ctx, q, &techs, `SELECT u.id, u.name, sp.lat, sp.lng FROM users u
		LEFT JOIN technician_profiles p ON p.user_id = u.id LEFT JOIN service_points sp ON sp.id = p.service_point_id
		WHERE u.org_id = ? AND u.role = 'technician' AND u.active ORDER BY u.name, u.id`, ap.ProviderID); err != nil {
		return nil, err
	}
	// The booked technician first: at a time he is free, the window is his.
	slices.SortStableFunc(techs, func(a, b offerTech) int {
		return cmpBool(b.ID == w.TechnicianID, a.ID == w.TechnicianID)
	})
	var req struct {
		ServiceItem string   `db:"service_item"`
		Lat         *float64 `db:"site_lat"`
		Lng         *float64 `db:"site_lng"`
	}
	if w.RequestID != 0 {
		if err := store.Get(ctx, q, &req, `SELECT service_item, site_lat, site_lng FROM service_requests WHERE id = ?`, w.RequestID); err != nil {
			return nil, err
		}
	} else {
		// A visit without a request: its technician only.
		techs = slices.DeleteFunc(techs, func(t offerTech) bool { return t.ID != w.TechnicianID })
	}
	var site *staff.Place
	if req.Lat != nil && req.Lng != nil {
		site = &staff.Place{Lat: *req.Lat, Lng: *req.Lng}
	}
	qualified := make([]map[int64]bool, OfferDays)
	if w.RequestID != 0 {
		ids := make([]int64, len(techs))
		for i, t := range techs {
			ids[i] = t.ID
		}
		jobs := make([]staff.QualJob, OfferDays)
		for d := range jobs {
			jobs[d] = staff.QualJob{UnitID: ap.UnitID, ServiceItem: req.ServiceItem, Day: today.AddDays(d).String()}
		}
		var err error
		if qualified, err = s.Staff.Qualified(ctx, q, ap.ProviderID, ids, jobs); err != nil {
			return nil, err
		}
	}
	var rows []struct {
		TechnicianID int64 `db:"technician_id"`
		ID           int64 `db:"id"`
		staff.Span
		Lat *float64 `db:"site_lat"`
		Lng *float64 `db:"site_lng"`
	}
	if err := store.Select(ctx, q, &rows, `SELECT w.technician_id, w.id, w.window_start AS start, w.window_end AS "end", r.site_lat, r.site_lng FROM work_orders w
		JOIN users u ON u.id = w.technician_id LEFT JOIN service_requests r ON r.id = w.request_id
		WHERE u.org_id = ? AND w.status IN ('assigned', 'on_site') AND w.id <> ? AND w.window_end > ? AND w.window_start < ? ORDER BY w.window_start`,
		ap.ProviderID, w.ID, now, horizon); err != nil {
		return nil, err
	}
	// The visits booked, with their sites: a window must leave the drives
	// to and from them.
	busy := map[int64][]staff.Stop{}
	for _, r := range rows {
		st := staff.Stop{WorkOrderID: r.ID, Start: r.Start, End: r.End}
		if r.Lat != nil && r.Lng != nil {
			st.At = &staff.Place{Lat: *r.Lat, Lng: *r.Lng}
		}
		busy[r.TechnicianID] = append(busy[r.TechnicianID], st)
	}
	var out []Window
	for d := 0; d < OfferDays && len(out) < MaxWindows; d++ {
		days, err := s.Staff.Days(ctx, q, ap.ProviderID, today.AddDays(d))
		if err != nil {
			return nil, err
		}
		var day []staff.Candidate
		for _, t := range techs {
			av := days[t.ID]
			if av == nil || len(av.Shift) == 0 || (w.RequestID != 0 && t.ID != w.TechnicianID && !qualified[d][t.ID]) {
				continue
			}
			c := staff.Candidate{TechnicianID: t.ID, Name: t.Name, Base: t.base(), Hours: av.Shift, Day: slices.Clone(busy[t.ID])}
			for _, l := range av.Leave {
				c.Day = append(c.Day, staff.Stop{Start: l.Start, End: l.End})
			}
			day = append(day, c)
		}
		for _, win := range DayWindows(day, site, length, now) {
			out = append(out, window(ap, win.Start, win.End, win.TechnicianID, win.Technician))
		}
	}
	if len(out) > MaxWindows {
		out = out[:MaxWindows]
	}
	return out, nil
}

// DayWindows are the windows of one day, each length long, offered for a
// visit at site from LeadTime after now: techs are the technicians who may
// do it that day, the booked one first, each with the day's working hours
// (Hours), service point (Base), and visits and leave (Day). A window is
// one the day planner accepts booked on its technician's day (staff.Fits:
// the drive from the service point or the visit before, never through
// lunch or leave, on to the next visit, back by the end of the hours).
// Each technician's windows follow one another from the start of the
// hours, the next a window's length (to the half hour) later, or half an
// hour later where one does not fit; the first technician's come first,
// and another's only where they overlap none already offered. The windows
// come in order of start.
func DayWindows(techs []staff.Candidate, site *staff.Place, length time.Duration, now time.Time) []Window {
	step := length.Round(slip)
	if step < slip {
		step = slip
	}
	earliest := now.Add(LeadTime)
	var day []Window
	for _, c := range techs {
		for _, shift := range c.Hours {
			for start := shift.Start; !start.Add(length).After(shift.End); {
				end := start.Add(length)
				if start.Before(earliest) || offered(day, start, end) || !staff.Fits(c, site, start, end, now) {
					start = start.Add(slip)
					continue
				}
				day = append(day, Window{Start: start, End: end, TechnicianID: c.TechnicianID, Technician: c.Name})
				start = start.Add(step)
			}
		}
	}
	sort.Slice(day, func(i, j int) bool { return day[i].Start.Before(day[j].Start) })
	return day
}

// slip is how far a window that does not fit moves on.
const slip = 30 * time.Minute

// offered: a window of day overlaps start–end.
func offered(day []Window, start, end time.Time) bool {
	for _, w := range day {
		if w.Start.Before(end) && w.End.After(start) {
			return true
		}
	}
	return false
}

func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// Answer is the customer's answer on a link: a window's start (the booked
// one confirms it), or CallMe.
type Answer struct {
	Start  time.Time
	CallMe bool
}

// Answered is the link after the answer, with the visit as it now stands.
type Answered struct {
	Offer
	WorkOrder workorder.WorkOrder
}

// Answer records the customer's answer on the link of token, once: a
// window picked moves the visit there (the board shows it at once); the
// booked window is confirmed; CallMe asks the provider's dispatchers to
// call. A used, replaced or expired link, or a window no longer free, is
// refused and nothing changes.
func (s *Service) Answer(ctx context.Context, token string, a Answer) (Answered, error) {
	now := s.Now().UTC()
	var out Answered
	err := s.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		o, err := s.offer(ctx, tx, token, now)
		if err != nil {
			return err
		}
		switch o.State {
		case "used":
			return problem.New(problem.Conflict, "this appointment link was used already")
		case "replaced":
			return problem.New(problem.Conflict, "a newer appointment link was sent; use that one")
		case "expired":
			return problem.New(problem.Conflict, "this appointment link has expired")
		}
		ap, err := workorder.AppointmentOf(ctx, tx, o.Link.WorkOrderID)
		if err != nil {
			return err
		}
		actor := customerActor(ap.CustomerOrgID)
		outcome, picked := "call_me", (*Window)(nil)
		switch {
		case a.CallMe:
		case a.Start.Equal(o.Booked.Start):
			outcome, picked = "confirmed", &o.Booked
		default:
			for i := range o.Windows {
				if o.Windows[i].Start.Equal(a.Start) {
					picked = &o.Windows[i]
				}
			}
			if picked == nil {
				return problem.Field("start", "this window is no longer free; pick another")
			}
			outcome = "picked"
		}
		var start, end *time.Time
		if picked != nil {
			start, end = &picked.Start, &picked.End
		}
		res, err := store.Exec(ctx, tx, `UPDATE appointment_links SET used_at = ?, outcome = ?, picked_start = ?, picked_end = ? WHERE id = ? AND used_at IS NULL`,
			now, outcome, start, end, o.Link.ID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return problem.New(problem.Conflict, "this appointment link was used already")
		}
		out.WorkOrder = ap.WorkOrder
		if outcome == "picked" {
			if out.WorkOrder, err = s.Visits.Rebook(ctx, tx, actor, ap.WorkOrder.ID, picked.TechnicianID, picked.Start, picked.End, ""); err != nil {
				return err
			}
		}
		if err := s.tellDispatchers(ctx, tx, ap, outcome, picked, now); err != nil {
			return err
		}
		if out.Offer, err = s.offer(ctx, tx, token, now); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, actor, ap.ProviderID, "appointment."+outcome, "work_order", ap.WorkOrder.ID, nil, out.Offer.Link)
	})
	return out, err
}

var answerSubjects = map[string]string{
	"picked":    "notify.appointment.picked.subject",
	"confirmed": "notify.appointment.confirmed.subject",
	"call_me":   "notify.appointment.call_me.subject",
}

// tellDispatchers tells the provider's dispatchers and admins what the
// customer answered.
func (s *Service) tellDispatchers(ctx context.Context, tx *sqlx.Tx, ap workorder.Appointment, outcome string, picked *Window, now time.Time) error {
	if s.Notify == nil {
		return nil
	}
	var ids []int64
	if err := store.Select(ctx, tx, &ids, `SELECT id FROM users WHERE org_id = ? AND role IN ('dispatcher', 'provider_admin') AND active ORDER BY id`, ap.ProviderID); err != nil {
		return err
	}
	if len(ids) == 0 {
		return nil
	}
	when := ""
	if picked != nil {
		when = picked.Start.In(calendar.Shanghai).Format("01-02 15:04") + "–" + picked.End.In(calendar.Shanghai).Format("15:04")
	}
	_, err := s.Notify.Publish(ctx, tx, now, notify.Event{Kind: "appointment." + outcome, OrgIDs: []int64{ap.ProviderID}, UserIDs: ids,
		Link: "/work-orders/" + itoa(ap.WorkOrder.ID), DedupeKey: "appointment." + outcome + ":" + itoa(ap.WorkOrder.ID) + ":" + itoa(now.UnixNano()),
		Subject: notify.Msg(answerSubjects[outcome], "Reference", ap.Reference, "When", when),
		Data:    map[string]any{"work_order_id": ap.WorkOrder.ID, "outcome": outcome}})
	return err
}
