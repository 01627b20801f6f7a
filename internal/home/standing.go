package home

import (
	"context"
	"time"

	"aftersales/internal/calendar"
	"aftersales/internal/policy"
	"aftersales/internal/store"
)

// Standing is where an office role's organization stands: its clocks met,
// breached and running this month and the twelve before, per agreement
// and (for the vendor) per provider, and the open requests by age.
type Standing struct {
	// Period is this month (YYYY-MM, China time); Periods are it and the
	// twelve months before, newest first.
	Period  string
	Periods []string
	// Kinds are the clocks counted, in the order of Clocks.ByKind.
	Kinds [3]string
	// Agreements are the party's agreements; Providers, for the vendor, the
	// same counts summed per provider.
	Agreements, Providers []Line
	// Open requests by age since received: under a day, one to three days,
	// three to seven days, over seven days.
	ByAge [4]int
}

// Lines are the providers' lines, then the agreements'.
func (s Standing) Lines() []Line { return append(append([]Line{}, s.Providers...), s.Agreements...) }

// Counts are clocks by where they stand: stopped in time, breached (late
// or still running past their due time), and still running or paused.
type Counts struct {
	Met, Breached, Running int
}

// Clocks are one month's clocks of a line, per kind.
type Clocks struct {
	Period string
	ByKind [3]Counts
}

// Line is an agreement's or a provider's clocks, month by month.
type Line struct {
	// Param and ID are the requests list's filter that lists the line's
	// requests (agreement_id or provider_id).
	Param string
	ID    int64
	// Name is the agreement's number or the provider's name; Provider the
	// agreement's provider.
	Name, Provider string
	// Periods follow Standing.Periods.
	Periods []Clocks
}

// Totals are a month's clocks of every kind together.
func (c Clocks) Totals() Counts {
	var t Counts
	for _, k := range c.ByKind {
		t.Met, t.Breached, t.Running = t.Met+k.Met, t.Breached+k.Breached, t.Running+k.Running
	}
	return t
}

// InTimePermille is the share of the stopped clocks (met or breached)
// that were met in time, in tenths of a percent rounded down; ok is false
// when none has stopped.
func (c Counts) InTimePermille() (permille int, ok bool) {
	if c.Met+c.Breached == 0 {
		return 0, false
	}
	return c.Met * 1000 / (c.Met + c.Breached), true
}

// InTime is InTimePermille for a page: nil when no clock has stopped.
func (c Counts) InTime() *int {
	if pm, ok := c.InTimePermille(); ok {
		return &pm
	}
	return nil
}

// Current is the line's clocks of this month.
func (l Line) Current() Clocks { return l.Periods[0] }

// ClockKinds are the clocks the homes count, as request_clocks names them.
var ClockKinds = [3]string{"response", "onsite", "resolution"}

// Months is how many months the homes show: this one and the twelve before.
const Months = 13

// AgeBuckets are the upper bounds of Standing.ByAge's first three buckets.
var AgeBuckets = [3]time.Duration{24 * time.Hour, 3 * 24 * time.Hour, 7 * 24 * time.Hour}

// side is the column that names the actor's party in service_requests
// and request_clocks.
func side(r policy.Role) string {
	if r == policy.VendorAdmin || r == policy.VendorAuditor {
		return "vendor_id"
	}
	return "provider_id"
}

// periodsBack are the month of now and the n-1 before, newest first.
func periodsBack(now time.Time, n int) []string {
	local := now.In(calendar.Shanghai)
	first := time.Date(local.Year(), local.Month(), 1, 12, 0, 0, 0, calendar.Shanghai)
	out := make([]string, n)
	for i := range out {
		out[i] = first.AddDate(0, -i, 0).Format("2006-01")
	}
	return out
}

func (s *Service) standing(ctx context.Context, a policy.Actor, now time.Time) (*Standing, error) {
	periods := periodsBack(now, Months)
	st := &Standing{Period: periods[0], Periods: periods, Kinds: ClockKinds}
	col := side(a.Role)
	vendor := col == "vendor_id"
	var ags []struct {
		ID         int64  `db:"id"`
		Number     string `db:"number"`
		ProviderID int64  `db:"provider_id"`
		Provider   string `db:"provider"`
	}
	if err := store.Select(ctx, s.DB, &ags, `SELECT a.id, a.number, a.provider_id, o.name AS provider
		FROM agreements a JOIN organizations o ON o.id = a.provider_id WHERE a.`+col+` = ? ORDER BY o.name, a.number, a.id`, a.OrgID); err != nil {
		return nil, err
	}
	// One read of the running totals of the stored clocks
	// (request_clock_totals, kept with request_clocks): a few rows per
	// agreement, month, kind and state, whatever the number of requests.
	var rows []struct {
		AgreementID int64  `db:"agreement_id"`
		Period      string `db:"period"`
		Kind        string `db:"kind"`
		Met         int    `db:"met"`
		Breached    int    `db:"breached"`
		Running     int    `db:"running"`
	}
	if err := store.Select(ctx, s.DB, &rows, `SELECT agreement_id, period, kind,
		COALESCE(SUM(CASE WHEN state = 'met' THEN n ELSE 0 END), 0) AS met,
		COALESCE(SUM(CASE WHEN state = 'breached' THEN n ELSE 0 END), 0) AS breached,
		COALESCE(SUM(CASE WHEN state IN ('running', 'paused') THEN n ELSE 0 END), 0) AS running
		FROM request_clock_totals WHERE `+col+` = ? AND period >= ? AND period <= ? AND kind IN (?, ?, ?)
		GROUP BY agreement_id, period, kind`,
		a.OrgID, periods[len(periods)-1], periods[0], ClockKinds[0], ClockKinds[1], ClockKinds[2]); err != nil {
		return nil, err
	}
	pos := map[string]int{}
	for i, p := range periods {
		pos[p] = i
	}
	kind := map[string]int{}
	for i, k := range ClockKinds {
		kind[k] = i
	}
	newLine := func(param string, id int64, name, provider string) Line {
		l := Line{Param: param, ID: id, Name: name, Provider: provider, Periods: make([]Clocks, len(periods))}
		for i, p := range periods {
			l.Periods[i].Period = p
		}
		return l
	}
	agIndex, provIndex := map[int64]int{}, map[int64]int{}
	for _, ag := range ags {
		agIndex[ag.ID] = len(st.Agreements)
		st.Agreements = append(st.Agreements, newLine("agreement_id", ag.ID, ag.Number, ag.Provider))
		if _, ok := provIndex[ag.ProviderID]; vendor && !ok {
			provIndex[ag.ProviderID] = len(st.Providers)
			st.Providers = append(st.Providers, newLine("provider_id", ag.ProviderID, ag.Provider, ag.Provider))
		}
	}
	add := func(c *Counts, met, breached, running int) {
		c.Met += met
		c.Breached += breached
		c.Running += running
	}
	for _, r := range rows {
		i, ok := agIndex[r.AgreementID]
		if !ok {
			continue
		}
		p, k := pos[r.Period], kind[r.Kind]
		add(&st.Agreements[i].Periods[p].ByKind[k], r.Met, r.Breached, r.Running)
		if vendor {
			j := provIndex[ags[i].ProviderID]
			add(&st.Providers[j].Periods[p].ByKind[k], r.Met, r.Breached, r.Running)
		}
	}
	var age struct {
		A0 int `db:"a0"`
		A1 int `db:"a1"`
		A2 int `db:"a2"`
		A3 int `db:"a3"`
	}
	// The open statuses named, so that the party's index (party, status, id)
	// is read by ranges rather than through every request of the party.
	t1, t3, t7 := now.Add(-AgeBuckets[0]).UTC(), now.Add(-AgeBuckets[1]).UTC(), now.Add(-AgeBuckets[2]).UTC()
	if err := store.Get(ctx, s.DB, &age, `SELECT
		COALESCE(SUM(CASE WHEN r.received_at >= ? THEN 1 ELSE 0 END), 0) AS a0,
		COALESCE(SUM(CASE WHEN r.received_at < ? AND r.received_at >= ? THEN 1 ELSE 0 END), 0) AS a1,
		COALESCE(SUM(CASE WHEN r.received_at < ? AND r.received_at >= ? THEN 1 ELSE 0 END), 0) AS a2,
		COALESCE(SUM(CASE WHEN r.received_at < ? THEN 1 ELSE 0 END), 0) AS a3
		FROM service_requests r WHERE r.`+col+` = ? AND r.status IN ('received', 'responded', 'scheduled', 'on_site')`,
		t1, t1, t3, t3, t7, t7, a.OrgID); err != nil {
		return nil, err
	}
	st.ByAge = [4]int{age.A0, age.A1, age.A2, age.A3}
	return st, nil
}

// AgeRange is the span of receipt times of the open requests in bucket i
// of Standing.ByAge at now: received in [from, to), a zero time being no
// bound on that side.
func AgeRange(now time.Time, i int) (from, to time.Time) {
	switch i {
	case 0:
		return now.Add(-AgeBuckets[0]), time.Time{}
	case 3:
		return time.Time{}, now.Add(-AgeBuckets[2])
	}
	return now.Add(-AgeBuckets[i]), now.Add(-AgeBuckets[i-1])
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
