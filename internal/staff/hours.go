package staff

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/audit"
	"aftersales/internal/calendar"
	"aftersales/internal/calendar/registry"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/store"
)

// Working hours: a weekly template laid over a working calendar, so a
// technician's day follows its holidays and make-up workdays (调休上班日
// take a weekday's hours). A technician's own template wins over their
// service point's; with neither, they work DefaultDay every day.

// DefaultCalendar is the calendar a template is laid over unless it names one.
const DefaultCalendar = "cn"

// DefaultDay is the working day of a technician without a template:
// 08:00 to 20:00, every day, as the recommendations have always assumed.
var DefaultDay = calendar.Hours(8, 20)

// Hours is a weekly template of working hours, of a technician or of a
// service point.
type Hours struct {
	ID             int64  `db:"id" json:"id,omitempty"`
	ProviderID     int64  `db:"provider_id" json:"provider_id"`
	TechnicianID   *int64 `db:"technician_id" json:"technician_id,omitempty"`
	ServicePointID *int64 `db:"service_point_id" json:"service_point_id,omitempty"`
	CalendarID     string `db:"calendar_id" json:"calendar_id" doc:"The working calendar whose holidays and make-up workdays apply."`
	WeekJSON       string `db:"week" json:"-"`
	// Week is the template: per weekday (mon … sun) its slots "HH:MM-HH:MM".
	Week map[string][]string `db:"-" json:"week"`
	// Source says where a technician's effective hours come from.
	Source    string    `db:"-" json:"source,omitempty" enum:"technician,service_point,default"`
	Version   int64     `db:"version" json:"version,omitempty"`
	UpdatedAt time.Time `db:"updated_at" json:"updated_at,omitzero"`
}

const hoursColumns = `id, provider_id, technician_id, service_point_id, calendar_id, week, version, updated_at`

// HoursInput is a template as written by the provider's admin.
type HoursInput struct {
	CalendarID string
	Week       map[string][]string
}

// ParseWeek reads a template, naming every bad slot (week.mon[1]).
func ParseWeek(m map[string][]string) (calendar.Week, error) {
	var w calendar.Week
	var fs problem.Fields
	keys := map[string]time.Weekday{}
	for d := time.Sunday; d <= time.Saturday; d++ {
		keys[calendar.WeekdayKey(d)] = d
	}
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		d, ok := keys[k]
		if !ok {
			fs.Add("week."+k, "is not a weekday; use mon, tue, wed, thu, fri, sat, sun")
			continue
		}
		for i, text := range m[k] {
			sl, err := calendar.ParseSlot(strings.TrimSpace(text))
			if err != nil {
				fs.Add(fmt.Sprintf("week.%s[%d]", k, i), "%v", err)
				continue
			}
			w[d] = append(w[d], sl)
		}
	}
	if err := fs.Err(); err != nil {
		return w, err
	}
	empty := true
	for _, s := range w {
		empty = empty && len(s) == 0
	}
	if empty {
		return w, problem.Field("week", "no working time on any day of the week")
	}
	return w, nil
}

// weekMap is the template as stored and answered.
func weekMap(w calendar.Week) map[string][]string {
	out := map[string][]string{}
	for d := time.Sunday; d <= time.Saturday; d++ {
		for _, s := range w[d] {
			out[calendar.WeekdayKey(d)] = append(out[calendar.WeekdayKey(d)], s.String())
		}
	}
	return out
}

// HoursCalendar lays the template w over base: base's holidays and make-up
// workdays, w's hours. The error names the bad slot (week.mon[1]).
func HoursCalendar(base *calendar.Calendar, w calendar.Week) (*calendar.Calendar, error) {
	spec := base.Spec()
	spec.ID, spec.Week, spec.AlwaysOpen = base.ID()+"+hours", w, false
	weekdays := false
	for d := time.Monday; d <= time.Friday; d++ {
		weekdays = weekdays || len(w[d]) > 0
	}
	if !weekdays {
		// No weekday hours for a make-up workday to take: it keeps the
		// template's hours of its own weekday.
		spec.Exceptions = slices.DeleteFunc(spec.Exceptions, func(e calendar.Exception) bool { return e.Kind == calendar.Workday && e.Slots == nil })
	}
	cal, err := calendar.New(spec)
	return cal, calendar.AsProblem(err)
}

// Span is a stretch of time [Start, End).
type Span struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// DaySpans are the working hours of cal on the local date d, in UTC; nil
// cal is DefaultDay in Shanghai.
func DaySpans(cal *calendar.Calendar, d calendar.Date) []Span {
	loc, slots := calendar.Shanghai, []calendar.Slot{DefaultDay}
	if cal != nil {
		loc, slots = cal.Location(), cal.WorkingHours(d)
	}
	midnight := d.At(0, 0, loc)
	out := make([]Span, 0, len(slots))
	for _, s := range slots {
		out = append(out, Span{Start: midnight.Add(time.Duration(s.Start) * time.Minute).UTC(), End: midnight.Add(time.Duration(s.End) * time.Minute).UTC()})
	}
	return out
}

// calendarOf finds a working calendar by id.
func (s *Service) calendarOf(ctx context.Context, id string) (*calendar.Calendar, error) {
	if s.Calendars != nil {
		return s.Calendars(ctx, id)
	}
	if c, ok := calendar.Builtin(id); ok {
		return c, nil
	}
	return nil, problem.Field("calendar_id", "no calendar %q", id)
}

// compileHours checks in and returns the template's calendar.
func (s *Service) compileHours(ctx context.Context, in *HoursInput) (*calendar.Calendar, calendar.Week, error) {
	in.CalendarID = strings.TrimSpace(in.CalendarID)
	if in.CalendarID == "" {
		in.CalendarID = DefaultCalendar
	}
	w, err := ParseWeek(in.Week)
	if err != nil {
		return nil, w, err
	}
	base, err := s.calendarOf(ctx, in.CalendarID)
	if problem.Is(err, problem.NotFound) || errors.Is(err, registry.ErrUnknown) || (err == nil && base == nil) {
		return nil, w, problem.Field("calendar_id", "no calendar %q", in.CalendarID)
	}
	if err != nil {
		return nil, w, err
	}
	cal, err := HoursCalendar(base, w)
	return cal, w, err
}

func (h *Hours) decode() error {
	h.Week = map[string][]string{}
	return json.Unmarshal([]byte(h.WeekJSON), &h.Week)
}

// HoursOf answers a technician's effective template: their own, else their
// service point's, else the default.
func (s *Service) HoursOf(ctx context.Context, a policy.Actor, technicianID int64) (Hours, error) {
	t, err := s.readableTechnician(ctx, s.DB, a, technicianID, policy.StaffRead)
	if err != nil {
		return Hours{}, err
	}
	return effectiveHours(ctx, s.DB, t.ID, t.ProviderID)
}

func effectiveHours(ctx context.Context, q store.Queryer, technicianID, providerID int64) (Hours, error) {
	var h Hours
	err := store.Get(ctx, q, &h, `SELECT `+hoursColumns+` FROM working_hours WHERE technician_id = ?`, technicianID)
	if err == nil {
		h.Source = "technician"
		return h, h.decode()
	}
	if !errors.Is(err, store.ErrNotFound) {
		return h, err
	}
	err = store.Get(ctx, q, &h, `SELECT h.id, h.provider_id, h.technician_id, h.service_point_id, h.calendar_id, h.week, h.version, h.updated_at
		FROM working_hours h JOIN technician_profiles p ON p.service_point_id = h.service_point_id WHERE p.user_id = ?`, technicianID)
	if err == nil {
		h.Source = "service_point"
		return h, h.decode()
	}
	if !errors.Is(err, store.ErrNotFound) {
		return h, err
	}
	var w calendar.Week
	for d := range w {
		w[d] = []calendar.Slot{DefaultDay}
	}
	return Hours{ProviderID: providerID, CalendarID: "", Week: weekMap(w), Source: "default"}, nil
}

// SetTechnicianHours replaces a technician's own template.
func (s *Service) SetTechnicianHours(ctx context.Context, a policy.Actor, technicianID int64, in HoursInput) (Hours, error) {
	return s.setHours(ctx, a, "technician_id", in, func(tx *sqlx.Tx) (providerID, ownerID int64, err error) {
		t, err := s.readableTechnician(ctx, tx, a, technicianID, policy.StaffManage)
		return t.ProviderID, t.ID, err
	})
}

// SetPointHours replaces a service point's template, which its technicians
// without one of their own follow.
func (s *Service) SetPointHours(ctx context.Context, a policy.Actor, pointID int64, in HoursInput) (Hours, error) {
	return s.setHours(ctx, a, "service_point_id", in, func(tx *sqlx.Tx) (providerID, ownerID int64, err error) {
		p, err := s.readablePoint(ctx, tx, a, pointID, policy.StaffManage)
		return p.ProviderID, p.ID, err
	})
}

// setHours replaces the template of the owner that manageable reads (the
// actor may manage it) in column.
func (s *Service) setHours(ctx context.Context, a policy.Actor, column string, in HoursInput, manageable func(tx *sqlx.Tx) (providerID, ownerID int64, err error)) (Hours, error) {
	var out Hours
	err := s.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		providerID, ownerID, err := manageable(tx)
		if err != nil {
			return err
		}
		out, err = s.putHours(ctx, tx, a, providerID, column, ownerID, in)
		return err
	})
	return out, err
}

// PointHours answers a service point's template (found false: it has none).
func (s *Service) PointHours(ctx context.Context, a policy.Actor, pointID int64) (Hours, bool, error) {
	p, err := s.readablePoint(ctx, s.DB, a, pointID, policy.StaffRead)
	if err != nil {
		return Hours{}, false, err
	}
	var h Hours
	err = store.Get(ctx, s.DB, &h, `SELECT `+hoursColumns+` FROM working_hours WHERE service_point_id = ?`, p.ID)
	if errors.Is(err, store.ErrNotFound) {
		return Hours{ProviderID: p.ProviderID, ServicePointID: &p.ID}, false, nil
	}
	if err != nil {
		return h, false, err
	}
	h.Source = "service_point"
	return h, true, h.decode()
}

// putHours writes the template of one owner (column is technician_id or
// service_point_id) in tx.
func (s *Service) putHours(ctx context.Context, tx *sqlx.Tx, a policy.Actor, providerID int64, column string, ownerID int64, in HoursInput) (Hours, error) {
	_, w, err := s.compileHours(ctx, &in)
	if err != nil {
		return Hours{}, err
	}
	week, err := json.Marshal(weekMap(w))
	if err != nil {
		return Hours{}, err
	}
	now := s.Now().UTC()
	var id int64
	err = store.Get(ctx, tx, &id, `SELECT id FROM working_hours WHERE `+column+` = ?`, ownerID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		id, err = store.InsertID(ctx, tx, `INSERT INTO working_hours (provider_id, `+column+`, calendar_id, week, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
			providerID, ownerID, in.CalendarID, string(week), now, now)
	case err == nil:
		_, err = store.Exec(ctx, tx, `UPDATE working_hours SET calendar_id = ?, week = ?, version = version + 1, updated_at = ? WHERE id = ?`, in.CalendarID, string(week), now, id)
	}
	if err != nil {
		return Hours{}, err
	}
	var h Hours
	if err := store.Get(ctx, tx, &h, `SELECT `+hoursColumns+` FROM working_hours WHERE id = ?`, id); err != nil {
		return h, err
	}
	if err := h.decode(); err != nil {
		return h, err
	}
	h.Source = strings.TrimSuffix(column, "_id")
	return h, audit.Record(ctx, tx, now, a, providerID, "staff.hours.set", "working_hours", id, nil, h)
}

// Availability is a technician's availability on one local date: the working hours
// (after the calendar's holidays and make-up workdays), the on-call rota
// and leave, each in UTC.
type Availability struct {
	Shift  []Span
	OnCall []Span
	Leave  []Span
}

// Days answers the availability of the provider's active technicians on
// the local date d (in Shanghai), in one read of q.
func (s *Service) Days(ctx context.Context, q store.Queryer, providerID int64, d calendar.Date) (map[int64]*Availability, error) {
	var rows []struct {
		ID       int64   `db:"id"`
		TechWeek *string `db:"tech_week"`
		TechCal  *string `db:"tech_cal"`
		TechHID  *int64  `db:"tech_hid"`
		PtWeek   *string `db:"pt_week"`
		PtCal    *string `db:"pt_cal"`
		PtHID    *int64  `db:"pt_hid"`
	}
	if err := store.Select(ctx, q, &rows, `SELECT u.id, th.week AS tech_week, th.calendar_id AS tech_cal, th.id AS tech_hid,
		ph.week AS pt_week, ph.calendar_id AS pt_cal, ph.id AS pt_hid
		FROM users u LEFT JOIN technician_profiles p ON p.user_id = u.id
		LEFT JOIN working_hours th ON th.technician_id = u.id
		LEFT JOIN working_hours ph ON ph.service_point_id = p.service_point_id
		WHERE u.org_id = ? AND u.role = 'technician' AND u.active`, providerID); err != nil {
		return nil, err
	}
	from := d.At(0, 0, calendar.Shanghai)
	to := from.AddDate(0, 0, 1)
	cals := map[int64]*calendar.Calendar{}
	out := make(map[int64]*Availability, len(rows))
	for _, r := range rows {
		week, calID, hid := r.TechWeek, r.TechCal, r.TechHID
		if week == nil {
			week, calID, hid = r.PtWeek, r.PtCal, r.PtHID
		}
		var cal *calendar.Calendar
		if week != nil {
			if cal = cals[*hid]; cal == nil {
				var m map[string][]string
				if err := json.Unmarshal([]byte(*week), &m); err != nil {
					return nil, err
				}
				w, err := ParseWeek(m)
				if err != nil {
					return nil, err
				}
				base, err := s.calendarOf(ctx, *calID)
				if err != nil {
					return nil, err
				}
				if cal, err = HoursCalendar(base, w); err != nil {
					return nil, err
				}
				cals[*hid] = cal
			}
		}
		out[r.ID] = &Availability{Shift: DaySpans(cal, d)}
	}
	var spans []struct {
		TechnicianID int64     `db:"technician_id"`
		Start        time.Time `db:"starts_at"`
		End          time.Time `db:"ends_at"`
		Kind         string    `db:"kind"`
	}
	if err := store.Select(ctx, q, &spans, `SELECT technician_id, starts_at, ends_at, 'on_call' AS kind FROM on_call WHERE provider_id = ? AND ends_at > ? AND starts_at < ?
		UNION ALL SELECT l.technician_id, l.starts_at, l.ends_at, 'leave' AS kind FROM technician_leave l JOIN users u ON u.id = l.technician_id
		WHERE u.org_id = ? AND l.ends_at > ? AND l.starts_at < ? ORDER BY 2`, providerID, from.UTC(), to.UTC(), providerID, from.UTC(), to.UTC()); err != nil {
		return nil, err
	}
	for _, sp := range spans {
		day := out[sp.TechnicianID]
		if day == nil {
			continue
		}
		span := Span{Start: sp.Start.UTC(), End: sp.End.UTC()}
		if sp.Kind == "leave" {
			day.Leave = append(day.Leave, span)
		} else {
			day.OnCall = append(day.OnCall, span)
		}
	}
	return out, nil
}
