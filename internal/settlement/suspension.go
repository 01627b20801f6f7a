package settlement

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/agreement"
	"aftersales/internal/audit"
	"aftersales/internal/calendar"
	"aftersales/internal/jobs"
	"aftersales/internal/notify"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/store"
)

// SystemActor names the product in the history of what it does by itself.
const SystemActor = "system"

// SuspensionJob carries out the suspensions whose day has come.
const SuspensionJob = "settlement.suspensions"

// Where a suspension for non-payment stands.
const (
	SuspensionNoticed  = "noticed"   // announced, not yet in effect
	SuspensionInEffect = "in_effect" // the agreement is suspended, its clocks paused
	SuspensionEnded    = "ended"
)

// Why a suspension ended.
const (
	EndPaid           = "paid"            // every statement it names was paid
	EndLifted         = "lifted"          // the provider lifted it
	EndAgreementEnded = "agreement_ended" // the agreement ended (terminated or expired) before it took effect or while it was
)

// Suspension is the provider's suspension of service under an agreement for
// the vendor's non-payment (§2.2.1): a notice naming the overdue
// statements, then, from its effective day, the agreement suspended (new
// requests refused) and the running clocks of its requests paused with the
// reason provider_suspended, until the statements are paid or the provider
// lifts it.
type Suspension struct {
	ID              int64      `db:"id" json:"id"`
	AgreementID     int64      `db:"agreement_id" json:"agreement_id"`
	AgreementNumber string     `db:"agreement_number" json:"agreement_number"`
	VendorID        int64      `db:"vendor_id" json:"vendor_id"`
	ProviderID      int64      `db:"provider_id" json:"provider_id"`
	Reason          string     `db:"reason" json:"reason"`
	NoticedOn       string     `db:"noticed_on" json:"noticed_on" doc:"The day the notice was given, YYYY-MM-DD."`
	EffectiveOn     string     `db:"effective_on" json:"effective_on" doc:"The day the suspension takes effect, YYYY-MM-DD."`
	NoticedBy       string     `db:"noticed_by" json:"noticed_by"`
	NoticedAt       time.Time  `db:"noticed_at" json:"noticed_at"`
	StartedAt       *time.Time `db:"started_at" json:"started_at,omitempty" doc:"When it took effect: the agreement suspended, the clocks paused."`
	EndedAt         *time.Time `db:"ended_at" json:"ended_at,omitempty"`
	EndedBy         string     `db:"ended_by" json:"ended_by,omitempty"`
	EndReason       string     `db:"end_reason" json:"end_reason,omitempty" enum:"paid,lifted,agreement_ended," doc:"paid, lifted (by the provider) or agreement_ended."`
	State           string     `db:"-" json:"state" enum:"noticed,in_effect,ended"`
	StatementIDs    []int64    `db:"-" json:"statement_ids" doc:"The overdue statements the notice names."`
	// Statements are the numbers of those statements, in the same order.
	Statements []string `db:"-" json:"statements"`
}

func (s *Suspension) setState() {
	switch {
	case s.EndedAt != nil:
		s.State = SuspensionEnded
	case s.StartedAt != nil:
		s.State = SuspensionInEffect
	default:
		s.State = SuspensionNoticed
	}
}

// NewSuspension is the provider's notice.
type NewSuspension struct {
	AgreementID  int64
	StatementIDs []int64
	// EffectiveOn is the day it takes effect; empty: the first day the
	// notice period allows.
	EffectiveOn string
	Reason      string
}

const suspensionColumns = `s.id, s.agreement_id, a.number AS agreement_number, s.vendor_id, s.provider_id, s.reason, s.noticed_on,
	s.effective_on, s.noticed_by, s.noticed_at, s.started_at, s.ended_at, s.ended_by, s.end_reason`

func suspensionNotFound(id int64) error {
	return problem.New(problem.NotFound, "suspension %d not found", id)
}

func getSuspension(ctx context.Context, q store.Queryer, id int64) (Suspension, error) {
	out, err := store.ByID[Suspension](ctx, q, `SELECT `+suspensionColumns+` FROM payment_suspensions s
		JOIN agreements a ON a.id = s.agreement_id WHERE s.id = ?`, id, suspensionNotFound)
	if err != nil {
		return out, err
	}
	return out, fillSuspensions(ctx, q, []*Suspension{&out})
}

func fillSuspensions(ctx context.Context, q store.Queryer, list []*Suspension) error {
	for _, s := range list {
		s.setState()
		var rows []struct {
			ID     int64  `db:"id"`
			Number string `db:"number"`
		}
		if err := store.Select(ctx, q, &rows, `SELECT st.id, st.number FROM payment_suspension_statements ps
			JOIN settlement_statements st ON st.id = ps.statement_id WHERE ps.suspension_id = ? ORDER BY st.period`, s.ID); err != nil {
			return err
		}
		s.StatementIDs, s.Statements = make([]int64, len(rows)), make([]string, len(rows))
		for i, r := range rows {
			s.StatementIDs[i], s.Statements[i] = r.ID, r.Number
		}
	}
	return nil
}

// InEffect tells whether a suspension for non-payment holds the service
// under the agreement now (the agreement's guard against a plain resume).
func InEffect(ctx context.Context, q store.Queryer, agreementID int64) (bool, error) {
	var n int
	err := store.Get(ctx, q, &n, `SELECT COUNT(*) FROM payment_suspensions
		WHERE agreement_id = ? AND started_at IS NOT NULL AND ended_at IS NULL`, agreementID)
	return n > 0, err
}

// Suspend gives the vendor notice that the provider suspends service under
// the agreement for the overdue statements it names, from a day no earlier
// than the notice period of the terms in force today.
func (s *Service) Suspend(ctx context.Context, actor policy.Actor, in NewSuspension) (Suspension, error) {
	if len(policy.Granted(actor.Role, policy.SuspensionGive)) == 0 && !actor.Operator {
		return Suspension{}, problem.New(problem.Forbidden, "role %s does not suspend service", problem.Enum("role.", actor.Role))
	}
	now := s.Now().UTC()
	today := s.today()
	var out Suspension
	err := s.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		a, err := agreementFor(ctx, tx, actor, in.AgreementID, policy.SuspensionRead, policy.SuspensionGive)
		if err != nil {
			return err
		}
		if !actor.Operator && actor.OrgID != a.ProviderID {
			return problem.New(problem.Forbidden, "only the provider suspends service for non-payment")
		}
		versions, err := agreement.Versions(ctx, tx, a.ID)
		if err != nil {
			return err
		}
		v, ok := agreement.InForce(versions, today)
		if !ok {
			return because("agreement_inactive", problem.New(problem.Conflict, "agreement %s has no terms in force today", a.Number))
		}
		if status := a.StatusOn(today, &v.Terms.Term); status != agreement.Active {
			return because("agreement_inactive", problem.New(problem.Conflict, "agreement %s is %s: only an active agreement's service is suspended", a.Number, problem.Enum("agreement_status.", status)))
		}
		var open int
		if err := store.Get(ctx, tx, &open, `SELECT COUNT(*) FROM payment_suspensions WHERE agreement_id = ? AND ended_at IS NULL`, a.ID); err != nil {
			return err
		}
		if open > 0 {
			return because("suspension_open", problem.New(problem.Conflict, "a suspension of agreement %s was already announced and has not ended", a.Number))
		}
		var fs problem.Fields
		in.Reason = strings.TrimSpace(in.Reason)
		problem.CheckText(&fs, "reason", in.Reason, true, 2000)
		earliest := agreement.AddDays(today, v.Terms.Payment.SuspensionNotice())
		if in.EffectiveOn == "" {
			in.EffectiveOn = earliest
		} else if _, ok := agreement.ParseDate(in.EffectiveOn); !ok {
			fs.Add("effective_on", "must be a date YYYY-MM-DD, not %q", in.EffectiveOn)
		} else if in.EffectiveOn < earliest {
			fs.Add("effective_on", "must be on or after %s: the terms give the vendor %d days of notice", earliest, v.Terms.Payment.SuspensionNotice())
		}
		if len(in.StatementIDs) == 0 {
			fs.Add("statement_ids", "name at least one overdue statement")
		}
		if len(in.StatementIDs) > 100 {
			fs.Add("statement_ids", "name at most 100 statements")
		}
		var numbers []string
		for i, id := range in.StatementIDs {
			field := fmt.Sprintf("statement_ids[%d]", i)
			if slices.Index(in.StatementIDs, id) < i {
				fs.Add(field, "statement %d is named twice", id)
				continue
			}
			st, err := GetStatement(ctx, tx, id)
			if err != nil || st.AgreementID != a.ID {
				fs.Add(field, "statement %d is not a statement of agreement %s", id, a.Number)
				continue
			}
			if !st.OverdueOn(today) {
				fs.Add(field, "statement %s is not overdue", st.Number)
				continue
			}
			numbers = append(numbers, st.Number)
		}
		if err := fs.Err(); err != nil {
			return err
		}
		out = Suspension{AgreementID: a.ID, AgreementNumber: a.Number, VendorID: a.VendorID, ProviderID: a.ProviderID,
			Reason: in.Reason, NoticedOn: today, EffectiveOn: in.EffectiveOn, NoticedBy: actor.Label(), NoticedAt: now,
			StatementIDs: in.StatementIDs, Statements: numbers}
		out.setState()
		if out.ID, err = store.InsertID(ctx, tx, `INSERT INTO payment_suspensions (agreement_id, vendor_id, provider_id, reason,
			noticed_on, effective_on, noticed_by, noticed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			out.AgreementID, out.VendorID, out.ProviderID, out.Reason, out.NoticedOn, out.EffectiveOn, out.NoticedBy, out.NoticedAt); err != nil {
			return err
		}
		for _, id := range in.StatementIDs {
			if _, err := store.Exec(ctx, tx, `INSERT INTO payment_suspension_statements (suspension_id, statement_id) VALUES (?, ?)`, out.ID, id); err != nil {
				return err
			}
		}
		if err := auditSuspension(ctx, tx, now, actor, out, "suspension.notice"); err != nil {
			return err
		}
		return s.announce(ctx, tx, now, out, "notice")
	})
	return out, err
}

func auditSuspension(ctx context.Context, tx store.Queryer, now time.Time, actor policy.Actor, sp Suspension, action string) error {
	for _, org := range []int64{sp.VendorID, sp.ProviderID} {
		if err := audit.Record(ctx, tx, now, actor, org, action, "agreement", sp.AgreementID, nil, sp); err != nil {
			return err
		}
	}
	return nil
}

// announce tells the offices of both parties (admins, the vendor's
// auditors, the provider's dispatchers) what happened to a suspension.
func (s *Service) announce(ctx context.Context, tx store.Queryer, now time.Time, sp Suspension, what string) error {
	if s.Notify == nil {
		return nil
	}
	var users []int64
	if err := store.Select(ctx, tx, &users, `SELECT id FROM users WHERE active AND
		((org_id = ? AND role IN ('vendor_admin', 'vendor_auditor')) OR (org_id = ? AND role IN ('provider_admin', 'dispatcher'))) ORDER BY id`,
		sp.VendorID, sp.ProviderID); err != nil {
		return err
	}
	statements := strings.Join(sp.Statements, ", ")
	_, err := s.Notify.Publish(ctx, tx, now, notify.Event{Kind: "agreement.suspension_" + what, OrgIDs: []int64{sp.VendorID, sp.ProviderID},
		UserIDs: users, Link: fmt.Sprintf("/agreements/%d", sp.AgreementID),
		Subject: notify.Msg("notify.suspension_"+what+".subject", "Agreement", sp.AgreementNumber, "Date", sp.EffectiveOn),
		Body:    notify.Msg("notify.suspension_"+what+".body", "Agreement", sp.AgreementNumber, "Date", sp.EffectiveOn, "Statements", statements, "Reason", sp.Reason),
		Data: map[string]any{"suspension_id": sp.ID, "agreement_id": sp.AgreementID, "effective_on": sp.EffectiveOn,
			"statement_ids": sp.StatementIDs, "state": sp.State, "end_reason": sp.EndReason},
		DedupeKey: fmt.Sprintf("agreement.suspension_%s:%d", what, sp.ID)})
	return err
}

// ApplySuspensions carries out every announced suspension whose day has
// come: the agreement is suspended and the running clocks of its requests
// pause from the start of that day. A suspension whose agreement ended
// meanwhile ends with it. It returns how many took effect.
func (s *Service) ApplySuspensions(ctx context.Context) (int, error) {
	today := s.today()
	var ids []int64
	if err := store.Select(ctx, s.DB, &ids, `SELECT id FROM payment_suspensions
		WHERE started_at IS NULL AND ended_at IS NULL AND effective_on <= ? ORDER BY id`, today); err != nil {
		return 0, err
	}
	n := 0
	for _, id := range ids {
		started, err := s.applySuspension(ctx, id, today)
		if err != nil {
			return n, fmt.Errorf("suspension %d: %w", id, err)
		}
		if started {
			n++
		}
	}
	// A suspension in effect ends with its agreement (a termination
	// dated ahead, or the end of the term): the clocks it holds run on.
	var live []int64
	if err := store.Select(ctx, s.DB, &live, `SELECT id FROM payment_suspensions
		WHERE started_at IS NOT NULL AND ended_at IS NULL ORDER BY id`); err != nil {
		return n, err
	}
	for _, id := range live {
		if err := s.endIfAgreementEnded(ctx, id, today); err != nil {
			return n, fmt.Errorf("suspension %d: %w", id, err)
		}
	}
	return n, nil
}

// agreementOn reads agreement id and its status on date.
func agreementOn(ctx context.Context, q store.Queryer, id int64, date string) (agreement.Agreement, agreement.Status, error) {
	a, err := agreement.Get(ctx, q, id)
	if err != nil {
		return a, "", err
	}
	status, _, err := agreement.ReadStatusOn(ctx, q, a, date)
	return a, status, err
}

func (s *Service) endIfAgreementEnded(ctx context.Context, id int64, today string) error {
	return s.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		sp, err := getSuspension(ctx, tx, id)
		if err != nil || sp.State != SuspensionInEffect {
			return err
		}
		_, status, err := agreementOn(ctx, tx, sp.AgreementID, today)
		if err != nil || status == agreement.Active || status == agreement.Suspended {
			return err
		}
		_, err = s.end(ctx, tx, policy.Actor{Email: SystemActor}, sp, EndAgreementEnded, "")
		return err
	})
}

func (s *Service) applySuspension(ctx context.Context, id int64, today string) (bool, error) {
	now := s.Now().UTC()
	started := false
	err := s.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		sp, err := getSuspension(ctx, tx, id)
		if err != nil || sp.State != SuspensionNoticed || sp.EffectiveOn > today {
			return err // taken effect or ended meanwhile
		}
		a, status, err := agreementOn(ctx, tx, sp.AgreementID, today)
		if err != nil {
			return err
		}
		system := policy.Actor{Email: SystemActor}
		switch status {
		case agreement.Active, agreement.Suspended:
		default:
			sp.EndReason, sp.EndedBy = EndAgreementEnded, SystemActor
			sp.EndedAt = &now
			sp.setState()
			if _, err := store.Exec(ctx, tx, `UPDATE payment_suspensions SET ended_at = ?, ended_by = ?, end_reason = ? WHERE id = ?`,
				now, sp.EndedBy, sp.EndReason, sp.ID); err != nil {
				return err
			}
			return auditSuspension(ctx, tx, now, system, sp, "suspension.end")
		}
		// The day starts at midnight in China; a late run pauses from then.
		day, _ := time.ParseInLocation(time.DateOnly, sp.EffectiveOn, calendar.Shanghai)
		from := day.UTC()
		if _, err := agreement.SetSuspended(ctx, tx, a, true, a.ProviderID, SystemActor, sp.Reason, now); err != nil {
			return err
		}
		if s.Clocks != nil {
			if _, err := s.Clocks.SuspendClocks(ctx, tx, a.ID, from, SystemActor, sp.Reason); err != nil {
				return err
			}
		}
		sp.StartedAt = &now
		sp.setState()
		if _, err := store.Exec(ctx, tx, `UPDATE payment_suspensions SET started_at = ? WHERE id = ?`, now, sp.ID); err != nil {
			return err
		}
		started = true
		if err := auditSuspension(ctx, tx, now, system, sp, "suspension.start"); err != nil {
			return err
		}
		return s.announce(ctx, tx, now, sp, "start")
	})
	return started, err
}

// Lift ends a suspension the provider announced, whether it is in effect
// or not yet: the agreement is active again and the clocks run on.
func (s *Service) Lift(ctx context.Context, actor policy.Actor, id int64, reason string) (Suspension, error) {
	var out Suspension
	err := s.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		sp, err := suspensionFor(ctx, tx, actor, id, policy.SuspensionGive)
		if err != nil {
			return err
		}
		if !actor.Operator && actor.OrgID != sp.ProviderID {
			return problem.New(problem.Forbidden, "only the provider lifts its suspension")
		}
		if sp.State == SuspensionEnded {
			return because("suspension_ended", problem.New(problem.Conflict, "suspension %d has already ended", id))
		}
		var fs problem.Fields
		problem.CheckText(&fs, "reason", reason, false, 2000)
		if err := fs.Err(); err != nil {
			return err
		}
		out, err = s.end(ctx, tx, actor, sp, EndLifted, strings.TrimSpace(reason))
		return err
	})
	return out, err
}

// end closes a suspension: when it was in effect the agreement becomes
// active again (if the suspension is still what holds it) and the clocks
// of its requests resume now.
func (s *Service) end(ctx context.Context, tx store.Queryer, actor policy.Actor, sp Suspension, why, note string) (Suspension, error) {
	now := s.Now().UTC()
	wasInEffect := sp.State == SuspensionInEffect
	sp.EndedAt, sp.EndedBy, sp.EndReason = &now, actor.Label(), why
	sp.setState()
	if _, err := store.Exec(ctx, tx, `UPDATE payment_suspensions SET ended_at = ?, ended_by = ?, end_reason = ? WHERE id = ?`,
		now, sp.EndedBy, sp.EndReason, sp.ID); err != nil {
		return sp, err
	}
	if wasInEffect {
		a, err := agreement.Get(ctx, tx, sp.AgreementID)
		if err != nil {
			return sp, err
		}
		text := note
		if text == "" {
			text = why
		}
		resumed, err := agreement.SetSuspended(ctx, tx, a, false, sp.ProviderID, actor.Label(), text, now)
		if err != nil {
			return sp, err
		}
		// Suspended by the vendor's hand meanwhile: its clocks stay paused
		// until that suspension is lifted too. An agreement that ended
		// holds no clock paused.
		if s.Clocks != nil && (resumed || why == EndAgreementEnded) {
			if _, err := s.Clocks.ResumeClocks(ctx, tx, sp.AgreementID, now, actor.Label(), text); err != nil {
				return sp, err
			}
		}
	}
	if err := auditSuspension(ctx, tx, now, actor, sp, "suspension.end"); err != nil {
		return sp, err
	}
	return sp, s.announce(ctx, tx, now, sp, "end")
}

// endIfPaid ends the open suspension that names statement st once every
// statement it names is paid in full, in the payment's transaction.
func (s *Service) endIfPaid(ctx context.Context, tx store.Queryer, actor policy.Actor, statementID int64) error {
	var ids []int64
	if err := store.Select(ctx, tx, &ids, `SELECT s.id FROM payment_suspensions s
		JOIN payment_suspension_statements ps ON ps.suspension_id = s.id
		WHERE ps.statement_id = ? AND s.ended_at IS NULL`, statementID); err != nil || len(ids) == 0 {
		return err
	}
	sp, err := getSuspension(ctx, tx, ids[0])
	if err != nil {
		return err
	}
	for _, id := range sp.StatementIDs {
		st, err := GetStatement(ctx, tx, id)
		if err != nil {
			return err
		}
		if st.OpenFen() > 0 {
			return nil
		}
	}
	_, err = s.end(ctx, tx, actor, sp, EndPaid, "")
	return err
}

// Suspensions lists the suspensions the actor's organization sees, newest
// first: of one agreement when agreementID is not 0, and only those not
// ended when current is true (what the banners show).
func (s *Service) Suspensions(ctx context.Context, actor policy.Actor, agreementID int64, current bool) ([]Suspension, error) {
	if len(policy.Granted(actor.Role, policy.SuspensionRead)) == 0 && !actor.Operator {
		return nil, problem.New(problem.Forbidden, "role %s does not read suspensions", problem.Enum("role.", actor.Role))
	}
	q := `SELECT ` + suspensionColumns + ` FROM payment_suspensions s JOIN agreements a ON a.id = s.agreement_id WHERE 1 = 1`
	var args []any
	if !actor.Operator {
		q += ` AND (s.vendor_id = ? OR s.provider_id = ?)`
		args = append(args, actor.OrgID, actor.OrgID)
	}
	if agreementID != 0 {
		q += ` AND s.agreement_id = ?`
		args = append(args, agreementID)
	}
	if current {
		q += ` AND s.ended_at IS NULL`
	}
	q += ` ORDER BY s.id DESC LIMIT 200`
	var rows []Suspension
	if err := store.Select(ctx, s.DB, &rows, q, args...); err != nil {
		return nil, err
	}
	out := make([]Suspension, len(rows))
	ptrs := make([]*Suspension, len(rows))
	for i := range rows {
		ptrs[i] = &rows[i]
	}
	if err := fillSuspensions(ctx, s.DB, ptrs); err != nil {
		return nil, err
	}
	copy(out, rows)
	return out, nil
}

// GetSuspension returns a suspension the actor may read.
func (s *Service) GetSuspension(ctx context.Context, actor policy.Actor, id int64) (Suspension, error) {
	return suspensionFor(ctx, s.DB, actor, id, policy.SuspensionRead)
}

// suspensionFor loads a suspension a party of its agreement may read and do
// action on; to anyone else it is not found.
func suspensionFor(ctx context.Context, q store.Queryer, actor policy.Actor, id int64, action policy.Action) (Suspension, error) {
	return policy.Load(actor, policy.SuspensionRead, action, suspensionNotFound(id),
		func() (Suspension, error) { return getSuspension(ctx, q, id) },
		policy.ByParties[Suspension](actor))
}

// Parties are the vendor and the provider of the suspension's agreement.
func (sp Suspension) Parties() []int64 { return []int64{sp.VendorID, sp.ProviderID} }

// Register wires the settlement's background work: suspensions whose day
// has come take effect within five minutes of midnight; payment reminders
// go out hourly (once per statement and stage).
func (s *Service) Register(r *jobs.Runner) {
	r.Handle(SuspensionJob, func(ctx context.Context, _ json.RawMessage) error {
		_, err := s.ApplySuspensions(ctx)
		return err
	})
	r.Every(SuspensionJob, 5*time.Minute)
	r.Handle(ReminderJob, func(ctx context.Context, _ json.RawMessage) error {
		_, err := s.RemindPayments(ctx)
		return err
	})
	r.Every(ReminderJob, time.Hour)
}

// AgreementStatusChanged keeps the clocks and the suspensions for
// non-payment in step with a change of an agreement's status by hand
// (agreement.Service.StatusChanged). A suspension by either party pauses
// the clocks of the agreement's open requests from now, with the reason
// provider_suspended, like a suspension for non-payment: the provider is
// not held to a clock while it may not serve. The vendor lifting it
// resumes them. A termination taking effect today ends the suspension for
// non-payment announced or in effect (agreement_ended) and resumes the
// clocks a suspension held; one taking effect later leaves that to the
// day's job.
func (s *Service) AgreementStatusChanged(ctx context.Context, q store.Queryer, c agreement.StatusChange) error {
	a := c.Agreement
	switch {
	case c.To == agreement.Suspended:
		if s.Clocks != nil {
			_, err := s.Clocks.SuspendClocks(ctx, q, a.ID, c.At, c.Actor.Label(), c.Reason)
			return err
		}
	case c.To == agreement.Active && c.From == agreement.Suspended:
		if s.Clocks != nil {
			_, err := s.Clocks.ResumeClocks(ctx, q, a.ID, c.At, c.Actor.Label(), c.Reason)
			return err
		}
	case c.To == agreement.Terminated && a.Stored == agreement.Terminated:
		if err := s.endWithAgreement(ctx, q, a.ID, c.Actor, c.Reason); err != nil {
			return err
		}
		if c.From == agreement.Suspended && s.Clocks != nil {
			_, err := s.Clocks.ResumeClocks(ctx, q, a.ID, c.At, c.Actor.Label(), c.Reason)
			return err
		}
	}
	return nil
}

// endWithAgreement ends the agreement's suspension for non-payment that
// has not ended, because the agreement ended.
func (s *Service) endWithAgreement(ctx context.Context, q store.Queryer, agreementID int64, actor policy.Actor, note string) error {
	var ids []int64
	if err := store.Select(ctx, q, &ids, `SELECT id FROM payment_suspensions WHERE agreement_id = ? AND ended_at IS NULL ORDER BY id`,
		agreementID); err != nil {
		return err
	}
	for _, id := range ids {
		sp, err := getSuspension(ctx, q, id)
		if err != nil {
			return err
		}
		if _, err := s.end(ctx, q, actor, sp, EndAgreementEnded, note); err != nil {
			return err
		}
	}
	return nil
}
