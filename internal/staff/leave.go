package staff

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/calendar"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/store"
)

// OnLeave is the reason a booking onto a technician's leave is refused.
const OnLeave = "on_leave"

// Leave is a technician's absence, whole days or hours: [StartsAt, EndsAt).
type Leave struct {
	ID           int64     `db:"id" json:"id"`
	TechnicianID int64     `db:"technician_id" json:"technician_id"`
	StartsAt     time.Time `db:"starts_at" json:"starts_at"`
	EndsAt       time.Time `db:"ends_at" json:"ends_at"`
	Reason       string    `db:"reason" json:"reason"`
	CreatedAt    time.Time `db:"created_at" json:"created_at"`
}

const leaveColumns = `id, technician_id, starts_at, ends_at, reason, created_at`

// MaxLeave bounds one leave.
const MaxLeave = 366 * 24 * time.Hour

// LeaveOf lists a technician's leave, the latest first.
func (s *Service) LeaveOf(ctx context.Context, a policy.Actor, technicianID int64) ([]Leave, error) {
	return entriesOf[Leave](ctx, s, a, technicianID, `SELECT `+leaveColumns+` FROM technician_leave WHERE technician_id = ? ORDER BY starts_at DESC, id DESC`)
}

// AddLeave records a technician's leave. Leave that overlaps leave already
// recorded is refused naming it.
func (s *Service) AddLeave(ctx context.Context, a policy.Actor, technicianID int64, in Leave) (Leave, error) {
	check := func(fs *problem.Fields, _ time.Time) {
		checkNotedSpan(fs, "reason", &in.Reason, in.StartsAt, in.EndsAt, MaxLeave, problem.Msg("one leave is at most a year; record longer absences in parts"))
	}
	insert := func(tx *sqlx.Tx, t TechnicianProfile, now time.Time) (int64, error) {
		clash, found, err := leaveDuring(ctx, tx, t.ID, in.StartsAt, in.EndsAt)
		if err != nil {
			return 0, err
		}
		if found {
			return 0, problem.Field("starts_at", "overlaps leave %d (%s to %s)", clash.ID, calendar.LocalMinute(clash.StartsAt), calendar.LocalMinute(clash.EndsAt))
		}
		in.TechnicianID, in.CreatedAt, in.StartsAt, in.EndsAt = t.ID, now, in.StartsAt.UTC(), in.EndsAt.UTC()
		in.ID, err = store.InsertID(ctx, tx, `INSERT INTO technician_leave (technician_id, starts_at, ends_at, reason, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
			t.ID, in.StartsAt, in.EndsAt, in.Reason, now)
		return in.ID, err
	}
	err := s.addToFile(ctx, a, technicianID, "staff.leave.create", "technician_leave", &in, check, insert)
	return in, err
}

// leaveRefusal refuses a visit [start, end) that overlaps the technician's
// leave, naming it; nil when it does not.
func leaveRefusal(ctx context.Context, q store.Queryer, technicianID int64, start, end time.Time) error {
	l, found, err := leaveDuring(ctx, q, technicianID, start, end)
	if err != nil || !found {
		return err
	}
	p := problem.Field("technician_id", "is on leave from %s to %s", calendar.LocalMinute(l.StartsAt), calendar.LocalMinute(l.EndsAt))
	p.Reason = OnLeave
	return p
}

// leaveDuring is the technician's earliest leave overlapping [start, end), if any.
func leaveDuring(ctx context.Context, q store.Queryer, technicianID int64, start, end time.Time) (Leave, bool, error) {
	var l Leave
	err := store.Get(ctx, q, &l, `SELECT `+leaveColumns+` FROM technician_leave WHERE technician_id = ? AND starts_at < ? AND ends_at > ?
		ORDER BY starts_at LIMIT 1`, technicianID, end.UTC(), start.UTC())
	if errors.Is(err, store.ErrNotFound) {
		return l, false, nil
	}
	return l, err == nil, err
}

// checkNotedSpan checks a span of time (see checkSpan) and its note of at
// most 500 characters in field, trimmed.
func checkNotedSpan(fs *problem.Fields, field string, note *string, starts, ends time.Time, longest time.Duration, tooLong problem.FieldError) {
	*note = strings.TrimSpace(*note)
	problem.CheckText(fs, field, *note, false, 500)
	checkSpan(fs, starts, ends, longest, tooLong)
}

// checkSpan checks a span of time given as starts_at and ends_at: both
// given, in order, and at most longest, else tooLong.
func checkSpan(fs *problem.Fields, starts, ends time.Time, longest time.Duration, tooLong problem.FieldError) {
	switch {
	case starts.IsZero():
		fs.Add("starts_at", "is required")
	case ends.IsZero() || !ends.After(starts):
		fs.Add("ends_at", "must be after starts_at")
	case ends.Sub(starts) > longest:
		fs.Put("ends_at", tooLong)
	}
}
