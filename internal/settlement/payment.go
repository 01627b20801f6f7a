package settlement

import (
	"context"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/agreement"
	"aftersales/internal/calendar"
	"aftersales/internal/fees"
	"aftersales/internal/parts"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/store"
)

// Payment is a payment of an approved statement, as the vendor recorded it.
type Payment struct {
	ID          int64     `db:"id" json:"id"`
	StatementID int64     `db:"statement_id" json:"statement_id"`
	AmountFen   int64     `db:"amount_fen" json:"amount_fen"`
	PaidOn      string    `db:"paid_on" json:"paid_on" doc:"The day the money was paid, YYYY-MM-DD."`
	Reference   string    `db:"reference" json:"reference,omitempty" doc:"The bank's reference of the transfer."`
	RecordedBy  string    `db:"recorded_by" json:"recorded_by"`
	RecordedAt  time.Time `db:"recorded_at" json:"recorded_at"`
}

// NewPayment is what the vendor records.
type NewPayment struct {
	StatementID int64
	AmountFen   int64
	PaidOn      string
	Reference   string
}

// OpenFen is what is left to pay of a statement.
func (h StatementHeader) OpenFen() int64 { return max(h.TotalFen-h.PaidFen, 0) }

// OverdueOn tells whether an approved statement is overdue on day: its due
// day has passed and something is left to pay.
func (h StatementHeader) OverdueOn(day string) bool {
	return h.Status == Approved && h.DueOn != "" && h.DueOn < day && h.OpenFen() > 0
}

// Pay records a payment of an approved statement: partial payments are
// allowed, never more than is open.
func (s *Service) Pay(ctx context.Context, actor policy.Actor, in NewPayment) (Payment, error) {
	if len(policy.Granted(actor.Role, policy.SettlementPay)) == 0 && !actor.Operator {
		return Payment{}, problem.New(problem.Forbidden, "role %s does not record payments", problem.Enum("role.", actor.Role))
	}
	now := s.Now().UTC()
	var out Payment
	err := s.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		st, err := loadFor(ctx, tx, actor, in.StatementID, policy.SettlementPay)
		if err != nil {
			return err
		}
		if st.Status != Approved {
			if st.Status == Draft {
				return because("status_transition", problem.New(problem.Conflict, "statement %s is a draft: it is paid only once it is approved", st.Number))
			}
			return because("status_transition", problem.New(problem.Conflict, "statement %s waits for the vendor's approval: it is paid only once it is approved", st.Number))
		}
		var fs problem.Fields
		switch open := st.OpenFen(); {
		case in.AmountFen <= 0:
			fs.Add("amount_fen", "must be more than 0")
		case in.AmountFen > open:
			fs.Add("amount_fen", "is more than the %s still open", parts.FormatYuan(open))
		}
		today := calendar.LocalDate(now)
		if _, ok := agreement.ParseDate(in.PaidOn); !ok {
			fs.Add("paid_on", "must be a date YYYY-MM-DD, not %q", in.PaidOn)
		} else if in.PaidOn > today {
			fs.Add("paid_on", "must not be after today (%s)", today)
		}
		problem.CheckText(&fs, "reference", in.Reference, false, 200)
		if err := fs.Err(); err != nil {
			return err
		}
		out = Payment{StatementID: st.ID, AmountFen: in.AmountFen, PaidOn: in.PaidOn, Reference: strings.TrimSpace(in.Reference),
			RecordedBy: actor.Label(), RecordedAt: now}
		if out.ID, err = store.InsertID(ctx, tx, `INSERT INTO settlement_payments (statement_id, amount_fen, paid_on, reference, recorded_by, recorded_at)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, out.StatementID, out.AmountFen, out.PaidOn, out.Reference, out.RecordedBy, out.RecordedAt); err != nil {
			return err
		}
		if err := auditBoth(ctx, tx, now, actor, st, "settlement.pay", nil,
			map[string]any{"amount_fen": out.AmountFen, "paid_on": out.PaidOn, "open_fen": st.OpenFen() - out.AmountFen,
				"amount_in_words": fees.AmountInWords(out.AmountFen)}); err != nil {
			return err
		}
		// Paying every statement a suspension names ends it.
		return s.endIfPaid(ctx, tx, actor, st.ID)
	})
	return out, err
}

// Payments lists the payments of a statement the actor may read, or with
// statementID 0 every payment of the actor's organization's statements,
// newest first.
func (s *Service) Payments(ctx context.Context, actor policy.Actor, statementID int64) ([]Payment, error) {
	if len(policy.Granted(actor.Role, policy.SettlementRead)) == 0 && !actor.Operator {
		return nil, problem.New(problem.Forbidden, "role %s does not read settlement statements", problem.Enum("role.", actor.Role))
	}
	out := []Payment{}
	const cols = `SELECT p.id, p.statement_id, p.amount_fen, p.paid_on, p.reference, p.recorded_by, p.recorded_at FROM settlement_payments p`
	if statementID != 0 {
		if _, err := loadFor(ctx, s.DB, actor, statementID, policy.SettlementRead); err != nil {
			return nil, err
		}
		err := store.Select(ctx, s.DB, &out, cols+` WHERE p.statement_id = ? ORDER BY p.id`, statementID)
		return out, err
	}
	if actor.Operator {
		err := store.Select(ctx, s.DB, &out, cols+` ORDER BY p.id DESC LIMIT 500`)
		return out, err
	}
	err := store.Select(ctx, s.DB, &out, cols+` JOIN settlement_statements st ON st.id = p.statement_id
		WHERE st.vendor_id = ? OR st.provider_id = ? ORDER BY p.id DESC LIMIT 500`, actor.OrgID, actor.OrgID)
	return out, err
}

// Overdue lists the actor's organization's approved statements whose due
// day has passed with something left to pay: the overdue list both sides see.
func (s *Service) Overdue(ctx context.Context, actor policy.Actor) ([]StatementHeader, error) {
	all, err := s.List(ctx, actor, 0)
	if err != nil {
		return nil, err
	}
	today := calendar.LocalDate(s.Now())
	out := []StatementHeader{}
	for _, h := range all {
		if h.OverdueOn(today) {
			out = append(out, h)
		}
	}
	return out, nil
}
