package settlement

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/agreement"
	"aftersales/internal/fees"
	"aftersales/internal/notify"
	"aftersales/internal/store"
)

// ReminderJob reminds the vendor of statements approaching or past their
// due day.
const ReminderJob = "settlement.reminders"

// ReminderDaysBefore is how many days before the due day the first
// reminder goes out.
const ReminderDaysBefore = 3

// Reminder stages: each is sent once per statement.
const (
	RemindBefore  = "before"  // the due day is within ReminderDaysBefore days
	RemindDue     = "due"     // due today
	RemindOverdue = "overdue" // the due day has passed
)

// ReminderStage is the stage of an approved statement with something left
// to pay on day, or "" when no reminder is due.
func ReminderStage(h StatementHeader, day string) string {
	if h.Status != Approved || h.DueOn == "" || h.OpenFen() <= 0 {
		return ""
	}
	switch {
	case h.DueOn < day:
		return RemindOverdue
	case h.DueOn == day:
		return RemindDue
	case h.DueOn <= agreement.AddDays(day, ReminderDaysBefore):
		return RemindBefore
	}
	return ""
}

// RemindPayments tells the vendor's admins (and, for their records, the
// provider's) of every approved statement with something left to pay whose
// due day is near, today or past, once per stage: a reminder already sent
// for a stage is not sent again, however often the job runs. It returns
// how many reminders went out.
func (s *Service) RemindPayments(ctx context.Context) (int, error) {
	if s.Notify == nil {
		return 0, nil
	}
	today := s.today()
	var list []StatementHeader
	if err := store.Select(ctx, s.DB, &list, `SELECT `+statementColumns+` FROM settlement_statements
		WHERE status = ? AND due_on <> '' AND due_on <= ? ORDER BY due_on, id`, Approved, agreement.AddDays(today, ReminderDaysBefore)); err != nil {
		return 0, err
	}
	sent := 0
	for _, h := range list {
		stage := ReminderStage(h, today)
		if stage == "" {
			continue
		}
		var users []int64
		if err := store.Select(ctx, s.DB, &users, `SELECT id FROM users WHERE active AND
			((org_id = ? AND role = 'vendor_admin') OR (org_id = ? AND role = 'provider_admin')) ORDER BY id`, h.VendorID, h.ProviderID); err != nil {
			return sent, err
		}
		open := h.OpenFen()
		var p notify.Published
		err := s.DB.Tx(ctx, func(tx *sqlx.Tx) error {
			var err error
			p, err = s.Notify.Publish(ctx, tx, s.Now().UTC(), notify.Event{Kind: "settlement.payment_" + stage,
				OrgIDs: []int64{h.VendorID, h.ProviderID}, UserIDs: users, Link: fmt.Sprintf("/settlements/%d", h.ID),
				Subject: notify.Msg("notify.payment_"+stage+".subject", "Statement", h.Number, "Date", h.DueOn),
				Body: notify.Msg("notify.payment_"+stage+".body", "Statement", h.Number, "Date", h.DueOn,
					"Open", fmt.Sprintf("%d.%02d", open/100, open%100), "Words", fees.AmountInWords(open)),
				Data:      map[string]any{"statement_id": h.ID, "due_on": h.DueOn, "open_fen": open, "stage": stage},
				DedupeKey: fmt.Sprintf("settlement.payment_%s:%d", stage, h.ID)})
			return err
		})
		if err != nil {
			return sent, err
		}
		if !p.Duplicate {
			sent++
		}
	}
	return sent, nil
}
