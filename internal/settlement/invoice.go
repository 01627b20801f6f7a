package settlement

import (
	"context"
	"regexp"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/agreement"
	"aftersales/internal/calendar"
	"aftersales/internal/parts"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/store"
)

// Invoice is the invoice (发票) the provider issued for an approved
// statement: a fully digital invoice (全电发票) has a 20-digit number and no
// code; a legacy invoice a 10- or 12-digit code and an 8-digit number. Its
// amount is the statement's fees with tax: deductions are not a price
// reduction and are not invoiced.
type Invoice struct {
	ID          int64     `db:"id" json:"id"`
	StatementID int64     `db:"statement_id" json:"statement_id"`
	Code        string    `db:"code" json:"code,omitempty" doc:"A legacy invoice's code (10 or 12 digits); empty for a fully digital invoice."`
	Number      string    `db:"number" json:"number" doc:"20 digits (fully digital), or 8 digits with a code (legacy)."`
	IssuedOn    string    `db:"issued_on" json:"issued_on"`
	AmountFen   int64     `db:"amount_fen" json:"amount_fen" doc:"Must equal the statement's fees with tax (totals.fees.gross_fen)."`
	RecordedBy  string    `db:"recorded_by" json:"recorded_by"`
	RecordedAt  time.Time `db:"recorded_at" json:"recorded_at"`
}

var (
	digitalNumber = regexp.MustCompile(`^\d{20}$`)
	legacyCode    = regexp.MustCompile(`^(\d{10}|\d{12})$`)
	legacyNumber  = regexp.MustCompile(`^\d{8}$`)
)

// CheckInvoice validates an invoice against its statement.
func CheckInvoice(in Invoice, st Statement, today string) error {
	var fs problem.Fields
	in.Code, in.Number = strings.TrimSpace(in.Code), strings.TrimSpace(in.Number)
	switch {
	case in.Code == "" && !digitalNumber.MatchString(in.Number):
		fs.Add("number", "a fully digital invoice's number is 20 digits; a legacy invoice needs its code too")
	case in.Code != "" && !legacyCode.MatchString(in.Code):
		fs.Add("code", "a legacy invoice's code is 10 or 12 digits")
	case in.Code != "" && !legacyNumber.MatchString(in.Number):
		fs.Add("number", "a legacy invoice's number is 8 digits")
	}
	if _, ok := agreement.ParseDate(in.IssuedOn); !ok {
		fs.Add("issued_on", "must be a date YYYY-MM-DD, not %q", in.IssuedOn)
	} else if in.IssuedOn > today {
		fs.Add("issued_on", "must not be after today (%s)", today)
	}
	if want := st.Totals.Fees.GrossFen; in.AmountFen != want {
		fs.Add("amount_fen", "must equal the statement's fees with tax, %s", parts.FormatYuan(want))
	}
	return fs.Err()
}

// RecordInvoice records the provider's invoice of an approved statement,
// once.
func (s *Service) RecordInvoice(ctx context.Context, actor policy.Actor, statementID int64, in Invoice) (Invoice, error) {
	now := s.Now().UTC()
	err := s.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		st, err := loadFor(ctx, tx, actor, statementID, policy.SettlementPrepare)
		if err != nil {
			return err
		}
		if st.Status != Approved {
			if st.Status == Draft {
				return because("status_transition", problem.New(problem.Conflict, "statement %s is a draft: an invoice is issued for it only once it is approved", st.Number))
			}
			return because("status_transition", problem.New(problem.Conflict, "statement %s waits for the vendor's approval: an invoice is issued for it only once it is approved", st.Number))
		}
		if err := CheckInvoice(in, st, calendar.LocalDate(now)); err != nil {
			return err
		}
		var n int
		if err := store.Get(ctx, tx, &n, `SELECT COUNT(*) FROM settlement_invoices WHERE statement_id = ?`, st.ID); err != nil {
			return err
		}
		if n > 0 {
			return problem.New(problem.Conflict, "statement %s already has its invoice", st.Number)
		}
		in.StatementID, in.Code, in.Number, in.RecordedBy, in.RecordedAt = st.ID, strings.TrimSpace(in.Code), strings.TrimSpace(in.Number), actor.Label(), now
		if in.ID, err = store.InsertID(ctx, tx, `INSERT INTO settlement_invoices (statement_id, code, number, issued_on, amount_fen, recorded_by, recorded_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, in.StatementID, in.Code, in.Number, in.IssuedOn, in.AmountFen, in.RecordedBy, in.RecordedAt); err != nil {
			return err
		}
		return auditBoth(ctx, tx, now, actor, st, "settlement.invoice", nil, in)
	})
	return in, err
}

// InvoiceOf returns the invoice recorded for a statement the actor may
// read, or nil when none is.
func (s *Service) InvoiceOf(ctx context.Context, actor policy.Actor, statementID int64) (*Invoice, error) {
	if _, err := loadFor(ctx, s.DB, actor, statementID, policy.SettlementRead); err != nil {
		return nil, err
	}
	var in Invoice
	err := store.Get(ctx, s.DB, &in, `SELECT id, statement_id, code, number, issued_on, amount_fen, recorded_by, recorded_at
		FROM settlement_invoices WHERE statement_id = ?`, statementID)
	if err == store.ErrNotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &in, nil
}
