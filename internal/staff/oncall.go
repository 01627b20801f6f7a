package staff

import (
	"context"
	"errors"
	"time"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/audit"
	"aftersales/internal/calendar"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/store"
)

// OnCall is a turn on the on-call rota: the technician answers emergencies
// in [StartsAt, EndsAt), outside working hours and on holidays too.
type OnCall struct {
	ID           int64     `db:"id" json:"id"`
	ProviderID   int64     `db:"provider_id" json:"provider_id"`
	TechnicianID int64     `db:"technician_id" json:"technician_id"`
	Technician   string    `db:"technician" json:"technician"`
	StartsAt     time.Time `db:"starts_at" json:"starts_at"`
	EndsAt       time.Time `db:"ends_at" json:"ends_at"`
	Note         string    `db:"note" json:"note"`
	CreatedAt    time.Time `db:"created_at" json:"created_at"`
}

const onCallSelect = `SELECT o.id, o.provider_id, o.technician_id, u.name AS technician, o.starts_at, o.ends_at, o.note, o.created_at
	FROM on_call o JOIN users u ON u.id = o.technician_id`

// MaxOnCall bounds one turn on the rota.
const MaxOnCall = 14 * 24 * time.Hour

// OnCallOf lists the provider's rota overlapping [from, to), earliest first.
func (s *Service) OnCallOf(ctx context.Context, a policy.Actor, providerID int64, from, to time.Time) ([]OnCall, error) {
	if err := s.mayRead(ctx, s.DB, a, providerID); err != nil {
		return nil, err
	}
	if !to.After(from) {
		return nil, problem.Field("to", "must be after from")
	}
	out := []OnCall{}
	q, args := onCallSelect+` WHERE o.provider_id = ? AND o.ends_at > ? AND o.starts_at < ?`, []any{providerID, from.UTC(), to.UTC()}
	if a.Role == policy.Technician && !a.Operator {
		q, args = q+` AND o.technician_id = ?`, append(args, a.UserID)
	}
	return out, store.Select(ctx, s.DB, &out, q+` ORDER BY o.starts_at, o.id`, args...)
}

// AddOnCall puts a technician on the rota. A turn overlapping another of
// the same technician is refused naming it.
func (s *Service) AddOnCall(ctx context.Context, a policy.Actor, technicianID int64, in OnCall) (OnCall, error) {
	check := func(fs *problem.Fields, _ time.Time) {
		checkNotedSpan(fs, "note", &in.Note, in.StartsAt, in.EndsAt, MaxOnCall, problem.Msg("one turn on call is at most 14 days"))
	}
	insert := func(tx *sqlx.Tx, t TechnicianProfile, now time.Time) (int64, error) {
		var clash OnCall
		err := store.Get(ctx, tx, &clash, onCallSelect+` WHERE o.technician_id = ? AND o.starts_at < ? AND o.ends_at > ? ORDER BY o.starts_at LIMIT 1`,
			t.ID, in.EndsAt.UTC(), in.StartsAt.UTC())
		switch {
		case err == nil:
			return 0, problem.Field("starts_at", "overlaps their turn on call from %s to %s", calendar.LocalMinute(clash.StartsAt), calendar.LocalMinute(clash.EndsAt))
		case !errors.Is(err, store.ErrNotFound):
			return 0, err
		}
		in.ProviderID, in.TechnicianID, in.Technician, in.CreatedAt, in.StartsAt, in.EndsAt = t.ProviderID, t.ID, t.Name, now, in.StartsAt.UTC(), in.EndsAt.UTC()
		in.ID, err = store.InsertID(ctx, tx, `INSERT INTO on_call (provider_id, technician_id, starts_at, ends_at, note, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
			t.ProviderID, t.ID, in.StartsAt, in.EndsAt, in.Note, now)
		return in.ID, err
	}
	err := s.addToFile(ctx, a, technicianID, "staff.on_call.create", "on_call", &in, check, insert)
	return in, err
}

// GetOnCall answers one turn on the rota.
func (s *Service) GetOnCall(ctx context.Context, a policy.Actor, id int64) (OnCall, error) {
	return s.turn(ctx, s.DB, a, id, policy.StaffRead)
}

// turn loads a turn on the rota of a technician the actor may read and do
// action on; to others it is not found.
func (s *Service) turn(ctx context.Context, q store.Queryer, a policy.Actor, id int64, action policy.Action) (OnCall, error) {
	o, err := store.ByID[OnCall](ctx, q, onCallSelect+` WHERE o.id = ?`, id, turnNotFound)
	if err != nil {
		return o, err
	}
	if _, err := s.readableTechnician(ctx, q, a, o.TechnicianID, action); err != nil {
		if problem.Is(err, problem.NotFound) {
			return OnCall{}, turnNotFound(id)
		}
		return OnCall{}, err
	}
	return o, nil
}

func turnNotFound(id int64) error {
	return problem.New(problem.NotFound, "on-call turn %d not found", id)
}

// DeleteOnCall takes a turn off the rota.
func (s *Service) DeleteOnCall(ctx context.Context, a policy.Actor, id int64) error {
	now := s.Now().UTC()
	return s.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		o, err := s.turn(ctx, tx, a, id, policy.StaffManage)
		if err != nil {
			return err
		}
		if _, err := store.Exec(ctx, tx, `DELETE FROM on_call WHERE id = ?`, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, a, o.ProviderID, "staff.on_call.delete", "on_call", id, o, nil)
	})
}
