package appointment

import (
	"context"
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

// Window is an appointment window offered to the customer.
type Window struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	// Late: the window ends after the request's next deadline.
	Late bool `json:"late,omitempty"`
}

// Offer is what a link's page shows: the visit, the booked window and the
// free windows of its technician to pick from.
type Offer struct {
	Link      Link
	State     string // open, used, expired, replaced
	Reference string
	Model     string
	Address   string
	// Technician is the technician's name.
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
		Booked: window(ap, ap.WorkOrder.WindowStart, ap.WorkOrder.WindowEnd)}
	if o.State == "open" && ap.WorkOrder.Status != workorder.WOAssigned {
		o.State = "used"
	}
	if o.State != "open" {
		return o, nil
	}
	o.Windows, err = s.freeWindows(ctx, q, ap, now)
	return o, err
}

func window(ap workorder.Appointment, start, end time.Time) Window {
	return Window{Start: start.UTC(), End: end.UTC(), Late: ap.DueAt != nil && end.After(*ap.DueAt)}
}

// freeWindows are the windows, as long as the booked one, in which the
// visit's technician works (hours after holidays, no leave) and has no
// other visit, from LeadTime on, over OfferDays local days.
func (s *Service) freeWindows(ctx context.Context, q store.Queryer, ap workorder.Appointment, now time.Time) ([]Window, error) {
	w := ap.WorkOrder
	length := w.WindowEnd.Sub(w.WindowStart)
	step := length.Round(30 * time.Minute)
	if step < 30*time.Minute {
		step = 30 * time.Minute
	}
	earliest := now.Add(LeadTime)
	today := calendar.DateOf(now, calendar.Shanghai)
	horizon := time.Date(today.Year, today.Month, today.Day, 0, 0, 0, 0, calendar.Shanghai).AddDate(0, 0, OfferDays).UTC()
	var busy []staff.Span
	if err := store.Select(ctx, q, &busy, `SELECT window_start AS start, window_end AS "end" FROM work_orders
		WHERE technician_id = ? AND status IN ('assigned', 'on_site') AND id <> ? AND window_end > ? AND window_start < ? ORDER BY window_start`,
		w.TechnicianID, w.ID, earliest, horizon); err != nil {
		return nil, err
	}
	var out []Window
	for d := 0; d < OfferDays && len(out) < MaxWindows; d++ {
		date := today.AddDays(d)
		days, err := s.Staff.Days(ctx, q, ap.ProviderID, date)
		if err != nil {
			return nil, err
		}
		av := days[w.TechnicianID]
		if av == nil {
			continue
		}
		for _, shift := range av.Shift {
			for start := shift.Start; !start.Add(length).After(shift.End) && len(out) < MaxWindows; start = start.Add(step) {
				end := start.Add(length)
				if start.Before(earliest) || overlaps(av.Leave, start, end) || overlaps(busy, start, end) {
					continue
				}
				out = append(out, window(ap, start, end))
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Start.Before(out[j].Start) })
	return out, nil
}

func overlaps(spans []staff.Span, start, end time.Time) bool {
	for _, sp := range spans {
		if sp.Start.Before(end) && sp.End.After(start) {
			return true
		}
	}
	return false
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
			if out.WorkOrder, err = s.Visits.Rebook(ctx, tx, actor, ap.WorkOrder.ID, picked.Start, picked.End, ""); err != nil {
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
