package dispatch

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/audit"
	"aftersales/internal/calendar"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/route"
	"aftersales/internal/staff"
	"aftersales/internal/store"
	"aftersales/internal/workorder"
)

// Plan is a stored proposal for a provider's day.
type Plan struct {
	ID         int64      `db:"id" json:"id"`
	ProviderID int64      `db:"provider_id" json:"provider_id"`
	Day        string     `db:"day" json:"day"`
	Status     string     `db:"status" json:"status" enum:"proposed,accepted,discarded"`
	Stamp      string     `db:"stamp" json:"stamp" doc:"The board's stamp when it was made."`
	Raw        string     `db:"proposal" json:"-"`
	Proposal   Proposal   `db:"-" json:"proposal"`
	CreatedAt  time.Time  `db:"created_at" json:"created_at"`
	DecidedAt  *time.Time `db:"decided_at" json:"decided_at,omitempty"`
}

const planColumns = `id, provider_id, day, status, stamp, proposal, created_at, decided_at`

// Plan statuses.
const (
	Proposed  = "proposed"
	Accepted  = "accepted"
	Discarded = "discarded"
)

// PlanInput asks for a plan of a day.
type PlanInput struct {
	ProviderID int64
	Day        string
	// TimeLimit is the solver's budget: 1 to 30 seconds (0: DefaultTimeLimit).
	TimeLimit time.Duration
	Locks     []Lock
	// Seed makes the search repeatable for a given budget.
	Seed uint64
}

// DefaultTimeLimit is the planner's budget unless the dispatcher picks one.
const DefaultTimeLimit = 5 * time.Second

// MaxTimeLimit bounds the planner's budget.
const MaxTimeLimit = 30 * time.Second

// MakePlan plans the day with the solver and stores the proposal; no day
// is the provider's DefaultDay, the day its board opens on.
func (s *Service) MakePlan(ctx context.Context, a policy.Actor, in PlanInput) (Plan, error) {
	if in.ProviderID == 0 {
		in.ProviderID = a.OrgID
	}
	switch {
	case in.TimeLimit == 0:
		in.TimeLimit = DefaultTimeLimit
	case in.TimeLimit < time.Second || in.TimeLimit > MaxTimeLimit:
		return Plan{}, problem.Field("time_limit_seconds", "must be 1 to 30 seconds")
	}
	if _, err := ParseDay(in.Day, s.Now()); err != nil {
		return Plan{}, err
	}
	if err := mayDispatch(ctx, s.DB, a, in.ProviderID); err != nil {
		return Plan{}, err
	}
	d, err := s.dayOf(ctx, s.DB, in.ProviderID, in.Day)
	if err != nil {
		return Plan{}, err
	}
	var b Board
	var qual map[int64]map[int64]bool
	// The board and who may work on what, as of one moment.
	err = s.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		var err error
		if b, err = s.load(ctx, tx, in.ProviderID, d); err != nil {
			return err
		}
		qual, err = s.qualified(ctx, tx, b)
		return err
	})
	if err != nil {
		return Plan{}, err
	}
	booked := map[int64]bool{}
	for _, l := range b.Lanes {
		for _, v := range l.Visits {
			if v.Status == "assigned" {
				booked[v.WorkOrderID] = true
			}
		}
	}
	for i, lk := range in.Locks {
		if !slices.Contains(LockKinds, lk.Kind) {
			return Plan{}, problem.Field("locks["+itoa(i)+"].kind", "must be technician, time, both or range")
		}
		if !booked[lk.WorkOrderID] {
			return Plan{}, problem.Field("locks["+itoa(i)+"].work_order_id", "is not a booked visit of the day that has not started")
		}
	}
	prop, err := Solve(ctx, b, in.Locks, qual, route.Options{TimeLimit: in.TimeLimit, Seed: in.Seed + 1})
	if err != nil {
		return Plan{}, err
	}
	raw, err := json.Marshal(prop)
	if err != nil {
		return Plan{}, err
	}
	now := s.Now().UTC()
	out := Plan{ProviderID: in.ProviderID, Day: b.Day, Status: Proposed, Stamp: b.Stamp, Proposal: prop, CreatedAt: now}
	err = s.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		var err error
		out.ID, err = store.InsertID(ctx, tx, `INSERT INTO dispatch_plans (provider_id, day, status, stamp, proposal, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			out.ProviderID, out.Day, out.Status, out.Stamp, string(raw), store.NullID(a.UserID), now)
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, a, out.ProviderID, "dispatch.plan.create", "dispatch_plan", out.ID, nil,
			map[string]any{"day": out.Day, "bookings": prop.Bookings, "moves": prop.Moves, "unplaced": len(prop.Unplaced), "km": prop.Km})
	})
	return out, err
}

// Solve plans a loaded board: the pure part of MakePlan.
func Solve(ctx context.Context, b Board, locks []Lock, qualified map[int64]map[int64]bool, opt route.Options) (Proposal, error) {
	p, err := ProblemOf(b, locks, qualified)
	if err != nil {
		return Proposal{}, err
	}
	if len(p.Route.Technicians) == 0 {
		return Proposal{}, problem.Field("day", "no technician works that day: set working hours, or pick another day")
	}
	opt.Objective = route.Distance
	plan, err := route.Solve(ctx, &p.Route, opt)
	var ie *route.InvalidError
	if errors.As(err, &ie) {
		return Proposal{}, problem.Field(ie.Field, "%s", ie.Message)
	}
	if err != nil {
		return Proposal{}, err
	}
	return ProposalOf(p, plan), nil
}

// qualified is who may work on each waiting request and booked visit.
func (s *Service) qualified(ctx context.Context, q store.Queryer, b Board) (map[int64]map[int64]bool, error) {
	techs := make([]int64, 0, len(b.Lanes))
	for _, l := range b.Lanes {
		techs = append(techs, l.TechnicianID)
	}
	var ids, holders []int64
	var jobs []staff.QualJob
	for _, l := range b.Lanes {
		for _, v := range l.Visits {
			if v.Status == "assigned" {
				ids, jobs = append(ids, v.RequestID), append(jobs, staff.QualJob{UnitID: v.UnitID, ServiceItem: v.ServiceItem, Day: b.Day})
				holders = append(holders, l.TechnicianID)
			}
		}
	}
	for _, o := range b.Open {
		ids, jobs = append(ids, o.RequestID), append(jobs, staff.QualJob{UnitID: o.UnitID, ServiceItem: o.ServiceItem, Day: b.Day})
	}
	sets, err := s.Staff.Qualified(ctx, q, b.ProviderID, techs, jobs)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]map[int64]bool, len(ids))
	for i, id := range ids {
		// A booked visit may always stay with the technician it was booked
		// with: a rule made since applies to new bookings only.
		if i < len(holders) {
			sets[i][holders[i]] = true
		}
		out[id] = sets[i]
	}
	return out, nil
}

func (s *Service) readPlan(ctx context.Context, q store.Queryer, a policy.Actor, id int64) (Plan, error) {
	p, err := store.ByID[Plan](ctx, q, `SELECT `+planColumns+` FROM dispatch_plans WHERE id = ?`, id, planNotFound)
	if err != nil {
		return p, err
	}
	if err := mayDispatch(ctx, q, a, p.ProviderID); err != nil {
		if problem.Is(err, problem.Forbidden) || problem.Is(err, problem.NotFound) {
			// Only those who dispatch for the provider see its plans.
			return Plan{}, planNotFound(id)
		}
		return Plan{}, err
	}
	return p, json.Unmarshal([]byte(p.Raw), &p.Proposal)
}

func planNotFound(id int64) error { return problem.New(problem.NotFound, "plan %d not found", id) }

// GetPlan answers a stored plan.
func (s *Service) GetPlan(ctx context.Context, a policy.Actor, id int64) (Plan, error) {
	return s.readPlan(ctx, s.DB, a, id)
}

// Moves are the bookings and reassignments that carry out a proposal.
func Moves(p Proposal) []workorder.Move {
	var out []workorder.Move
	for _, r := range p.Routes {
		for _, st := range r.Stops {
			a := workorder.Assignment{TechnicianID: r.TechnicianID, WindowStart: st.Start, WindowEnd: st.End}
			switch st.Change {
			case "book":
				out = append(out, workorder.Move{Origin: workorder.ForRequest(st.RequestID), Assignment: a})
			case "reassign":
				out = append(out, workorder.Move{Origin: workorder.ForRequest(st.RequestID), WorkOrderID: st.WorkOrderID, Assignment: a})
			}
		}
	}
	return out
}

// AcceptPlan books the proposal in one transaction: every booking and
// reassignment through the normal booking path, or none. Accepting an
// accepted plan answers it again; a plan whose board has changed since is
// refused (plan again).
func (s *Service) AcceptPlan(ctx context.Context, a policy.Actor, id int64) (Plan, error) {
	p, err := s.readPlan(ctx, s.DB, a, id)
	if err != nil {
		return p, err
	}
	switch p.Status {
	case Accepted:
		return p, nil
	case Discarded:
		return p, problem.New(problem.Conflict, "plan %d was discarded", id)
	}
	d, err := calendar.ParseDate(p.Day)
	if err != nil {
		return p, err
	}
	now := s.Now().UTC()
	moves := Moves(p.Proposal)
	_, err = s.WorkOrders.BookAll(ctx, a, moves, func(tx *sqlx.Tx) error {
		var status string
		if err := store.Get(ctx, tx, &status, `SELECT status FROM dispatch_plans WHERE id = ?`, id); err != nil {
			return err
		}
		if status != Proposed {
			return errAlready
		}
		b, err := s.load(ctx, tx, p.ProviderID, d)
		if err != nil {
			return err
		}
		if b.Stamp != p.Stamp {
			return problem.New(problem.Conflict, "the board changed since the plan was made: plan the day again")
		}
		if _, err := store.Exec(ctx, tx, `UPDATE dispatch_plans SET status = ?, decided_by = ?, decided_at = ? WHERE id = ?`, Accepted, store.NullID(a.UserID), now, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, a, p.ProviderID, "dispatch.plan.accept", "dispatch_plan", id, nil, map[string]any{"moves": len(moves)})
	})
	if errors.Is(err, errAlready) {
		return s.readPlan(ctx, s.DB, a, id)
	}
	var me *workorder.MoveError
	if errors.As(err, &me) {
		if pe, ok := problem.As(me.Err); ok {
			st := moves[me.Index]
			return p, &MoveRefused{Problem: pe, RequestID: st.Origin.RequestID, TechnicianID: st.Assignment.TechnicianID}
		}
		return p, me.Err
	}
	if err != nil {
		return p, err
	}
	return s.readPlan(ctx, s.DB, a, id)
}

var errAlready = errors.New("plan already decided")

// MoveRefused is a booking of a plan the booking path refused: nothing of
// the plan was booked.
type MoveRefused struct {
	Problem      *problem.Error
	RequestID    int64
	TechnicianID int64
}

func (e *MoveRefused) Error() string { return e.Problem.Error() }
func (e *MoveRefused) Unwrap() error { return e.Problem }

// DiscardPlan discards a proposal.
func (s *Service) DiscardPlan(ctx context.Context, a policy.Actor, id int64) (Plan, error) {
	now := s.Now().UTC()
	err := s.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		p, err := s.readPlan(ctx, tx, a, id)
		if err != nil {
			return err
		}
		switch p.Status {
		case Discarded:
			return nil
		case Accepted:
			return problem.New(problem.Conflict, "plan %d was accepted; move its visits on the board", id)
		}
		if _, err := store.Exec(ctx, tx, `UPDATE dispatch_plans SET status = ?, decided_by = ?, decided_at = ? WHERE id = ?`, Discarded, store.NullID(a.UserID), now, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, a, p.ProviderID, "dispatch.plan.discard", "dispatch_plan", id, nil, nil)
	})
	if err != nil {
		return Plan{}, err
	}
	return s.readPlan(ctx, s.DB, a, id)
}

func itoa(i int) string { return strconv.Itoa(i) }

// ListPlans lists the provider's latest plans (at most 50), newest first.
func (s *Service) ListPlans(ctx context.Context, a policy.Actor, providerID int64) ([]Plan, error) {
	if providerID == 0 {
		providerID = a.OrgID
	}
	if err := mayDispatch(ctx, s.DB, a, providerID); err != nil {
		return nil, err
	}
	out := []Plan{}
	if err := store.Select(ctx, s.DB, &out, `SELECT `+planColumns+` FROM dispatch_plans WHERE provider_id = ? ORDER BY id DESC LIMIT 50`, providerID); err != nil {
		return nil, err
	}
	for i := range out {
		if err := json.Unmarshal([]byte(out[i].Raw), &out[i].Proposal); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// PendingPlan is the plan of the board's day waiting for the dispatcher's
// decision: the latest one proposed from the board as it still is (the
// same stamp), so it can be accepted; false when there is none.
func (s *Service) PendingPlan(ctx context.Context, a policy.Actor, b Board) (Plan, bool, error) {
	if err := mayDispatch(ctx, s.DB, a, b.ProviderID); err != nil {
		return Plan{}, false, err
	}
	var p Plan
	err := store.Get(ctx, s.DB, &p, `SELECT `+planColumns+` FROM dispatch_plans WHERE provider_id = ? AND day = ? AND status = ? AND stamp = ?
		ORDER BY id DESC LIMIT 1`, b.ProviderID, b.Day, Proposed, b.Stamp)
	if errors.Is(err, store.ErrNotFound) {
		return Plan{}, false, nil
	}
	if err != nil {
		return Plan{}, false, err
	}
	if err := json.Unmarshal([]byte(p.Raw), &p.Proposal); err != nil {
		return Plan{}, false, err
	}
	return p, true, nil
}
