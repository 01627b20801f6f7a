package notify

import (
	"context"
	"slices"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/policy"
	"aftersales/internal/store"
)

// EmailKinds are the kinds of event a person may choose to get by email or
// not, in the order the profile lists them. Every kind still reaches them
// in the app.
var EmailKinds = []string{
	"request.received", "request.filed", "visit.booked", "visit.done",
	"request.assigned", "request.unassigned", "clock.warning", "clock.breached",
	"request.escalated", "request.escalation_answered", "signoff.code", "stock.below_safety",
}

// EmailChoices is, for each of EmailKinds, whether the actor gets it by
// email (when email is on at all).
func (s *Service) EmailChoices(ctx context.Context, act policy.Actor) (map[string]bool, error) {
	if err := policy.Allow(act, policy.ProfileWrite, policy.Self); err != nil {
		return nil, err
	}
	var off []string
	if err := store.Select(ctx, s.DB, &off, `SELECT kind FROM notification_email_optouts WHERE user_id = ?`, act.UserID); err != nil {
		return nil, err
	}
	out := make(map[string]bool, len(EmailKinds))
	for _, k := range EmailKinds {
		out[k] = !slices.Contains(off, k)
	}
	return out, nil
}

// SetEmailChoices records, for each of EmailKinds, whether the actor gets
// it by email: the kinds in on, and none of the others.
func (s *Service) SetEmailChoices(ctx context.Context, act policy.Actor, on []string) error {
	if err := policy.Allow(act, policy.ProfileWrite, policy.Self); err != nil {
		return err
	}
	return s.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		if _, err := store.Exec(ctx, tx, `DELETE FROM notification_email_optouts WHERE user_id = ?`, act.UserID); err != nil {
			return err
		}
		for _, k := range EmailKinds {
			if slices.Contains(on, k) {
				continue
			}
			if _, err := store.Exec(ctx, tx, `INSERT INTO notification_email_optouts (user_id, kind) VALUES (?, ?)`, act.UserID, k); err != nil {
				return err
			}
		}
		return nil
	})
}
