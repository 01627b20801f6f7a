package home

import (
	"context"
	"time"

	"aftersales/internal/calendar"
	"aftersales/internal/policy"
	"aftersales/internal/store"
)

// Standing is where an office role's organization stands: this month's
// requests by how their clocks went, and the open requests by age.
type Standing struct {
	// Period is this month (YYYY-MM, China time).
	Period string
	// Of the requests received this month: resolved with every clock met,
	// with a clock breached, and still open with none breached.
	Met, Breached, Running int
	// Open requests by age since received: under a day, one to three days,
	// three to seven days, over seven days.
	ByAge [4]int
}

// AgeBuckets are the upper bounds of Standing.ByAge's first three buckets.
var AgeBuckets = [3]time.Duration{24 * time.Hour, 3 * 24 * time.Hour, 7 * 24 * time.Hour}

// side is the column of service_requests that names the actor's party.
func side(r policy.Role) string {
	if r == policy.VendorAdmin || r == policy.VendorAuditor {
		return "vendor_id"
	}
	return "provider_id"
}

func (s *Service) standing(ctx context.Context, a policy.Actor, now time.Time) (*Standing, error) {
	local := now.In(calendar.Shanghai)
	start := time.Date(local.Year(), local.Month(), 1, 0, 0, 0, 0, calendar.Shanghai)
	st := &Standing{Period: start.Format("2006-01")}
	col := side(a.Role)
	var clocks struct {
		Met      int `db:"met"`
		Breached int `db:"breached"`
		Running  int `db:"running"`
	}
	if err := store.Get(ctx, s.DB, &clocks, `SELECT
		COALESCE(SUM(CASE WHEN r.breached THEN 1 ELSE 0 END), 0) AS breached,
		COALESCE(SUM(CASE WHEN NOT r.breached AND r.status = 'resolved' THEN 1 ELSE 0 END), 0) AS met,
		COALESCE(SUM(CASE WHEN NOT r.breached AND `+openRequest+` THEN 1 ELSE 0 END), 0) AS running
		FROM service_requests r WHERE r.`+col+` = ? AND r.received_at >= ? AND r.received_at < ?`,
		a.OrgID, start.UTC(), start.AddDate(0, 1, 0).UTC()); err != nil {
		return nil, err
	}
	st.Met, st.Breached, st.Running = clocks.Met, clocks.Breached, clocks.Running
	var age struct {
		A0 int `db:"a0"`
		A1 int `db:"a1"`
		A2 int `db:"a2"`
		A3 int `db:"a3"`
	}
	t1, t3, t7 := now.Add(-AgeBuckets[0]).UTC(), now.Add(-AgeBuckets[1]).UTC(), now.Add(-AgeBuckets[2]).UTC()
	if err := store.Get(ctx, s.DB, &age, `SELECT
		COALESCE(SUM(CASE WHEN r.received_at > ? THEN 1 ELSE 0 END), 0) AS a0,
		COALESCE(SUM(CASE WHEN r.received_at <= ? AND r.received_at > ? THEN 1 ELSE 0 END), 0) AS a1,
		COALESCE(SUM(CASE WHEN r.received_at <= ? AND r.received_at > ? THEN 1 ELSE 0 END), 0) AS a2,
		COALESCE(SUM(CASE WHEN r.received_at <= ? THEN 1 ELSE 0 END), 0) AS a3
		FROM service_requests r WHERE r.`+col+` = ? AND `+openRequest,
		t1, t1, t3, t3, t7, t7, a.OrgID); err != nil {
		return nil, err
	}
	st.ByAge = [4]int{age.A0, age.A1, age.A2, age.A3}
	return st, nil
}

// providerToday lists the provider's visits booked for today (China time),
// in the order of their windows.
func (s *Service) providerToday(ctx context.Context, a policy.Actor, now time.Time, w *Work) error {
	local := now.In(calendar.Shanghai)
	day := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, calendar.Shanghai)
	return store.Select(ctx, s.DB, &w.TodayVisits, `SELECT w.id, w.request_id, r.number, r.model, r.serial_number, r.site_address, r.priority,
		w.window_start, w.window_end, w.status, w.checked_out_at, w.result
		FROM work_orders w JOIN service_requests r ON r.id = w.request_id
		WHERE r.provider_id = ? AND w.window_start >= ? AND w.window_start < ? AND w.status <> 'cancelled'
		ORDER BY w.window_start, w.id LIMIT 50`, a.OrgID, day.UTC(), day.AddDate(0, 0, 1).UTC())
}
