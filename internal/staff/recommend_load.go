package staff

import (
	"context"
	"errors"
	"time"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/agreement"
	"aftersales/internal/calendar"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/store"
)

// RecommendQuery asks for the technicians to book a request's visit with.
type RecommendQuery struct {
	// Policy is deadline_first (the default), least_travel or emergency.
	Policy string
	// Earliest is when the visit may start (zero: now).
	Earliest time.Time
	// Duration is the planned time on site for an average technician (zero:
	// the agreement's for the request's service item, or two hours).
	Duration time.Duration
	// PartIDs are the parts the visit needs, looked for in the vans.
	PartIDs []int64
	// WindowStart and WindowEnd, when set, are the window the visit must
	// keep: a technician with another visit in it is excluded.
	WindowStart, WindowEnd time.Time

	// workOrderID is the visit being reassigned: it is not on its
	// technician's day.
	workOrderID int64
}

// Recommendations are the ranked technicians for a request's visit.
type Recommendations struct {
	RequestID int64 `json:"request_id"`
	// WorkOrderID and CurrentTechnicianID, for a visit to reassign.
	WorkOrderID         int64            `json:"work_order_id,omitempty"`
	CurrentTechnicianID int64            `json:"current_technician_id,omitempty"`
	Policy              Policy           `json:"policy"`
	Earliest            time.Time        `json:"earliest"`
	Deadline            *time.Time       `json:"deadline,omitempty" doc:"The next deadline on the request's clocks."`
	Ranked              []Recommendation `json:"ranked"`
	Excluded            []Excluded       `json:"excluded"`
}

// Working day of the recommendations: 08:00 to 20:00 in the calendar's
// zone, inside which each technician's own hours apply; an emergency may
// be placed in the 24 hours from its earliest start.
const (
	dayStartHour = 8
	dayEndHour   = 20
)

// lookAhead is how many days on a visit too late for its day looks for
// the next day with working hours: past the longest run of days off on
// the calendar (the Spring Festival's).
const lookAhead = 14

// frame sets the job's earliest start and day end for a visit from
// earliest: inside the recommendations' working day of its local date,
// or, for an emergency, the 24 hours from it.
func frame(job *Job, earliest time.Time, emergency bool) {
	local := earliest.In(calendar.Shanghai)
	dayStart := time.Date(local.Year(), local.Month(), local.Day(), dayStartHour, 0, 0, 0, calendar.Shanghai)
	job.Earliest = earliest.UTC()
	job.DayEnd = time.Date(local.Year(), local.Month(), local.Day(), dayEndHour, 0, 0, 0, calendar.Shanghai).UTC()
	if emergency {
		dayStart, job.DayEnd = earliest, earliest.Add(24*time.Hour).UTC()
	}
	if job.Earliest.Before(dayStart) {
		job.Earliest = dayStart.UTC()
	}
}

// nextWorkingDay is the first local date after d on which some technician
// of the provider has working hours (after the calendar's holidays and
// make-up workdays), within lookAhead days.
func (s *Service) nextWorkingDay(ctx context.Context, q store.Queryer, providerID int64, d calendar.Date) (calendar.Date, bool, error) {
	for range lookAhead {
		d = d.AddDays(1)
		days, err := s.Days(ctx, q, providerID, d)
		if err != nil {
			return d, false, err
		}
		for _, av := range days {
			if len(av.Shift) > 0 {
				return d, true, nil
			}
		}
	}
	return d, false, nil
}

// Recommend ranks the provider's technicians for a visit of the request,
// for the provider's dispatchers and admins.
func (s *Service) Recommend(ctx context.Context, a policy.Actor, requestID int64, q RecommendQuery) (Recommendations, error) {
	if q.Policy == "" {
		q.Policy = "deadline_first"
	}
	p, ok := Policies[q.Policy]
	if !ok {
		return Recommendations{}, problem.Field("policy", "must be deadline_first, least_travel or emergency")
	}
	if q.Earliest.IsZero() {
		q.Earliest = s.Now()
	}
	var out Recommendations
	// One read transaction: the candidates and their days as of one moment.
	err := s.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		if _, err := loadRequest(ctx, tx, a, requestID, policy.RequestAssign); err != nil {
			return err
		}
		var r struct {
			ProviderID  int64      `db:"provider_id"`
			AgreementID int64      `db:"agreement_id"`
			UnitID      int64      `db:"unit_id"`
			ServiceItem string     `db:"service_item"`
			Priority    string     `db:"priority"`
			Lat         *float64   `db:"site_lat"`
			Lng         *float64   `db:"site_lng"`
			NextDueAt   *time.Time `db:"next_due_at"`
		}
		if err := store.Get(ctx, tx, &r, `SELECT provider_id, agreement_id, unit_id, service_item, priority, site_lat, site_lng, next_due_at FROM service_requests WHERE id = ?`, requestID); err != nil {
			return err
		}
		if q.Duration <= 0 {
			v, err := agreement.TermsAt(ctx, tx, r.AgreementID, q.Earliest)
			if err != nil && !problem.Is(err, problem.NotFound) {
				return err
			}
			q.Duration = v.Terms.PlannedVisit(agreement.ServiceItem(r.ServiceItem))
		}
		job := Job{Earliest: q.Earliest.UTC(), Duration: q.Duration, PartsNeeded: len(q.PartIDs)}
		if r.Lat != nil && r.Lng != nil {
			job.At = &Place{*r.Lat, *r.Lng}
		}
		if r.NextDueAt != nil {
			job.Deadline = r.NextDueAt.UTC()
		}
		frame(&job, q.Earliest, q.Policy == "emergency")
		if !q.WindowStart.IsZero() {
			job.WindowStart, job.WindowEnd = q.WindowStart.UTC(), q.WindowEnd.UTC()
		}
		cands, err := s.candidates(ctx, tx, r.ProviderID, r.UnitID, r.ServiceItem, job, q.PartIDs, q.workOrderID)
		if err != nil {
			return err
		}
		if q.Policy != "emergency" && TooLate(job, cands, p) {
			// Too late for the day: the next day with working hours, from its morning.
			next, ok, err := s.nextWorkingDay(ctx, tx, r.ProviderID, calendar.DateOf(job.Earliest, calendar.Shanghai))
			if err != nil {
				return err
			}
			if ok {
				frame(&job, time.Date(next.Year, next.Month, next.Day, dayStartHour, 0, 0, 0, calendar.Shanghai), false)
				if cands, err = s.candidates(ctx, tx, r.ProviderID, r.UnitID, r.ServiceItem, job, q.PartIDs, q.workOrderID); err != nil {
					return err
				}
			}
		}
		out = Recommendations{RequestID: requestID, Policy: p, Earliest: job.Earliest}
		if !job.Deadline.IsZero() {
			out.Deadline = &job.Deadline
		}
		out.Ranked, out.Excluded = Recommend(job, cands, p)
		if out.Excluded == nil {
			out.Excluded = []Excluded{}
		}
		return nil
	})
	return out, err
}

// candidates loads the provider's active technicians as the recommendation
// sees them, for a visit of the unit.
func (s *Service) candidates(ctx context.Context, q store.Queryer, providerID, unitID int64, serviceItem string, job Job, partIDs []int64, skipVisit int64) ([]Candidate, error) {
	var techs []struct {
		ID         int64    `db:"id"`
		Name       string   `db:"name"`
		Efficiency int      `db:"efficiency_permille"`
		Lat        *float64 `db:"lat"`
		Lng        *float64 `db:"lng"`
		RadiusKm   *int     `db:"radius_km"`
	}
	if err := store.Select(ctx, q, &techs, `SELECT u.id, u.name, COALESCE(p.efficiency_permille, 1000) AS efficiency_permille, sp.lat, sp.lng, sp.radius_km
		FROM users u LEFT JOIN technician_profiles p ON p.user_id = u.id LEFT JOIN service_points sp ON sp.id = p.service_point_id
		WHERE u.org_id = ? AND u.role = 'technician' AND u.active ORDER BY u.name, u.id`, providerID); err != nil {
		return nil, err
	}
	u, err := unitLineOf(ctx, q, unitID)
	if err != nil {
		return nil, err
	}
	rules, err := rulesOf(ctx, q, u.VendorID)
	if err != nil {
		return nil, err
	}
	byTech, err := providerCerts(ctx, q, providerID)
	if err != nil {
		return nil, err
	}
	var stops []struct {
		TechnicianID int64     `db:"technician_id"`
		ID           int64     `db:"id"`
		Start        time.Time `db:"window_start"`
		End          time.Time `db:"window_end"`
		Lat          *float64  `db:"site_lat"`
		Lng          *float64  `db:"site_lng"`
	}
	local := job.Earliest.In(calendar.Shanghai)
	from := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, calendar.Shanghai).UTC()
	if err := store.Select(ctx, q, &stops, `SELECT w.technician_id, w.id, w.window_start, w.window_end, r.site_lat, r.site_lng
		FROM work_orders w JOIN service_requests r ON r.id = w.request_id JOIN users u ON u.id = w.technician_id
		WHERE u.org_id = ? AND w.status IN ('assigned', 'on_site') AND w.window_end > ? AND w.window_start < ? ORDER BY w.window_start, w.id`,
		providerID, from, job.DayEnd); err != nil {
		return nil, err
	}
	day := map[int64][]Stop{}
	for _, st := range stops {
		if st.ID == skipVisit {
			continue
		}
		s := Stop{WorkOrderID: st.ID, Start: st.Start, End: st.End}
		if st.Lat != nil && st.Lng != nil {
			s.At = &Place{*st.Lat, *st.Lng}
		}
		day[st.TechnicianID] = append(day[st.TechnicianID], s)
	}
	// Leave blocks the day like a visit with no place.
	var leave []Leave
	if err := store.Select(ctx, q, &leave, `SELECT l.id, l.technician_id, l.starts_at, l.ends_at, l.reason, l.created_at FROM technician_leave l
		JOIN users u ON u.id = l.technician_id WHERE u.org_id = ? AND l.ends_at > ? AND l.starts_at < ?`, providerID, from, job.DayEnd); err != nil {
		return nil, err
	}
	for _, l := range leave {
		day[l.TechnicianID] = append(day[l.TechnicianID], Stop{Start: l.StartsAt, End: l.EndsAt})
	}
	inVan := map[int64]int{}
	if len(partIDs) > 0 {
		var rows []struct {
			TechnicianID int64 `db:"technician_id"`
			N            int   `db:"n"`
		}
		if err := store.SelectIn(ctx, q, &rows, `SELECT l.technician_id, COUNT(DISTINCT h.part_id) AS n FROM stock_on_hand h JOIN stock_locations l ON l.id = h.location_id
			WHERE l.kind = 'van' AND l.org_id = ? AND l.technician_id IS NOT NULL AND h.qty > 0 AND h.part_id IN (?) GROUP BY l.technician_id`, providerID, partIDs); err != nil {
			return nil, err
		}
		for _, r := range rows {
			inVan[r.TechnicianID] = r.N
		}
	}
	var last int64
	if err := store.Get(ctx, q, &last, `SELECT COALESCE(MAX(w.technician_id), 0) FROM work_orders w WHERE w.id = (SELECT MAX(w2.id) FROM work_orders w2
		JOIN service_requests r ON r.id = w2.request_id WHERE r.unit_id = ? AND w2.status = 'completed')`, unitID); err != nil {
		return nil, err
	}
	visit := visitOf(u, serviceItem, job.Earliest, job.Earliest.Add(job.Duration))
	// Working hours of the day (and the next, which an emergency's 24 hours
	// may reach); an emergency may also go to whoever is on call.
	emergency := job.DayEnd.Sub(job.Earliest) > 20*time.Hour
	hours := map[int64][]Span{}
	for d := calendar.DateOf(job.Earliest, calendar.Shanghai); !d.After(calendar.DateOf(job.DayEnd, calendar.Shanghai)); d = d.AddDays(1) {
		days, err := s.Days(ctx, q, providerID, d)
		if err != nil {
			return nil, err
		}
		for id, av := range days {
			hours[id] = append(hours[id], av.Shift...)
			if emergency {
				hours[id] = append(hours[id], av.OnCall...)
			}
		}
	}
	out := make([]Candidate, 0, len(techs))
	for _, t := range techs {
		c := Candidate{TechnicianID: t.ID, Name: t.Name, EfficiencyPermille: t.Efficiency, Day: day[t.ID], PartsInVan: inVan[t.ID], LastOnUnit: last == t.ID,
			Hours: hours[t.ID]}
		if c.Hours == nil {
			c.Hours = []Span{}
		}
		if t.Lat != nil && t.Lng != nil {
			c.Base, c.RadiusKm = &Place{*t.Lat, *t.Lng}, *t.RadiusKm
		}
		if len(rules) > 0 {
			c.Refusal = Qualify(rules, byTech[t.ID], visit)
		}
		out = append(out, c)
	}
	return out, nil
}

// RecommendForVisit ranks the provider's technicians to take over a booked
// visit, for the provider's dispatchers and admins. Unless q says
// otherwise, the visit keeps its window when it is still ahead: who has
// another visit in it is excluded, and the visit itself is not counted on
// its technician's day. Only a visit not started can be reassigned.
func (s *Service) RecommendForVisit(ctx context.Context, a policy.Actor, workOrderID int64, q RecommendQuery) (Recommendations, error) {
	var w struct {
		RequestID    *int64    `db:"request_id"`
		TechnicianID int64     `db:"technician_id"`
		Start        time.Time `db:"window_start"`
		End          time.Time `db:"window_end"`
		Status       string    `db:"status"`
	}
	notFound := problem.New(problem.NotFound, "work order %d not found", workOrderID)
	err := store.Get(ctx, s.DB, &w, `SELECT request_id, technician_id, window_start, window_end, status FROM work_orders WHERE id = ?`, workOrderID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return Recommendations{}, notFound
	case err != nil:
		return Recommendations{}, err
	case w.RequestID == nil:
		return Recommendations{}, problem.New(problem.Conflict, "work order %d is a maintenance visit: technicians are ranked for the visits of service requests", workOrderID)
	}
	if _, err := loadRequest(ctx, s.DB, a, *w.RequestID, policy.RequestAssign); err != nil {
		if problem.Is(err, problem.NotFound) {
			return Recommendations{}, notFound
		}
		return Recommendations{}, err
	}
	if w.Status != "assigned" {
		return Recommendations{}, problem.New(problem.Conflict, "work order %d is %s; only a visit not started can be reassigned", workOrderID, problem.Enum("wo.", w.Status))
	}
	if q.Earliest.IsZero() && q.WindowStart.IsZero() && w.Start.After(s.Now()) {
		q.Earliest, q.WindowStart, q.WindowEnd = w.Start, w.Start, w.End
	}
	q.workOrderID = workOrderID
	out, err := s.Recommend(ctx, a, *w.RequestID, q)
	out.WorkOrderID, out.CurrentTechnicianID = workOrderID, w.TechnicianID
	return out, err
}
