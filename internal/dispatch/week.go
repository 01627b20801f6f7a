package dispatch

import (
	"context"
	"time"

	"aftersales/internal/calendar"
	"aftersales/internal/policy"
	"aftersales/internal/store"
)

// Week is a provider's week on the board: a row per technician, Monday to
// Sunday, with the visits booked on each day.
type Week struct {
	ProviderID int64     `json:"provider_id"`
	Days       []string  `json:"days" doc:"Monday to Sunday, YYYY-MM-DD (Asia/Shanghai)."`
	Rows       []WeekRow `json:"rows"`
}

// WeekRow is one technician's week.
type WeekRow struct {
	TechnicianID int64     `json:"technician_id"`
	Name         string    `json:"name"`
	Point        string    `json:"service_point,omitempty"`
	Days         []WeekDay `json:"days"`
}

// WeekDay is a technician's day in the week: whether they work, are on
// leave, and the visits booked.
type WeekDay struct {
	Day    string      `json:"day"`
	Works  bool        `json:"works" doc:"Has working hours that day."`
	Leave  bool        `json:"leave" doc:"Has leave that day."`
	Visits []WeekVisit `json:"visits"`
}

// WeekVisit is a visit booked on a day of the week.
type WeekVisit struct {
	WorkOrderID int64     `db:"work_order_id" json:"work_order_id"`
	RequestID   int64     `db:"request_id" json:"request_id"`
	Number      string    `db:"number" json:"number"`
	Status      string    `db:"status" json:"status"`
	Start       time.Time `db:"start" json:"start"`
	End         time.Time `db:"end" json:"end"`
}

// WeekOf loads the week (Monday to Sunday) holding day for the provider's
// dispatchers (providerID 0: the actor's own organization); no day is the
// provider's DefaultDay.
func (s *Service) WeekOf(ctx context.Context, a policy.Actor, providerID int64, day string) (Week, error) {
	providerID, d, err := s.dispatchedDay(ctx, a, providerID, day)
	if err != nil {
		return Week{}, err
	}
	monday := d.AddDays(-((int(d.Weekday()) + 6) % 7))
	w := Week{ProviderID: providerID, Rows: []WeekRow{}}
	index := map[string]int{}
	for i := range 7 {
		w.Days = append(w.Days, monday.AddDays(i).String())
		index[w.Days[i]] = i
	}
	var techs []struct {
		ID    int64   `db:"id"`
		Name  string  `db:"name"`
		Point *string `db:"point"`
	}
	if err := store.Select(ctx, s.DB, &techs, `SELECT u.id, u.name, sp.name AS point
		FROM users u LEFT JOIN technician_profiles p ON p.user_id = u.id LEFT JOIN service_points sp ON sp.id = p.service_point_id
		WHERE u.org_id = ? AND u.role = 'technician' AND u.active ORDER BY u.name, u.id`, providerID); err != nil {
		return w, err
	}
	row := map[int64]int{}
	for _, t := range techs {
		r := WeekRow{TechnicianID: t.ID, Name: t.Name, Days: make([]WeekDay, 7)}
		if t.Point != nil {
			r.Point = *t.Point
		}
		for i := range r.Days {
			r.Days[i] = WeekDay{Day: w.Days[i], Visits: []WeekVisit{}}
		}
		row[t.ID] = len(w.Rows)
		w.Rows = append(w.Rows, r)
	}
	for i := range 7 {
		days, err := s.Staff.Days(ctx, s.DB, providerID, monday.AddDays(i))
		if err != nil {
			return w, err
		}
		for id, av := range days {
			if j, ok := row[id]; ok && av != nil {
				w.Rows[j].Days[i].Works, w.Rows[j].Days[i].Leave = len(av.Shift) > 0, len(av.Leave) > 0
			}
		}
	}
	from, _ := dayBounds(monday)
	_, to := dayBounds(monday.AddDays(6))
	var visits []struct {
		WeekVisit
		TechnicianID int64 `db:"technician_id"`
	}
	if err := store.Select(ctx, s.DB, &visits, `SELECT w.id AS work_order_id, w.request_id, r.number, w.status,
		w.window_start AS start, w.window_end AS "end", w.technician_id
		FROM work_orders w JOIN service_requests r ON r.id = w.request_id
		WHERE r.provider_id = ? AND w.status IN ('assigned', 'on_site', 'completed') AND w.window_start >= ? AND w.window_start < ?
		ORDER BY w.window_start, w.id`, providerID, from, to); err != nil {
		return w, err
	}
	for _, v := range visits {
		j, ok := row[v.TechnicianID]
		if !ok {
			continue
		}
		v.Start, v.End = v.Start.UTC(), v.End.UTC()
		// The day of its start, in the calendar's zone.
		i, ok := index[calendar.DateOf(v.Start, calendar.Shanghai).String()]
		if !ok {
			continue
		}
		w.Rows[j].Days[i].Visits = append(w.Rows[j].Days[i].Visits, v.WeekVisit)
	}
	return w, nil
}
