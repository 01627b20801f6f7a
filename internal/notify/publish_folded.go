package notify

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"aftersales/internal/store"
)

// publishFolded is Publish on PostgreSQL: the event, its recipients (those
// named and the staff addressed) and the subscriptions of its
// organizations in one statement, then the notifications, held back to be
// sent with the transaction's last statement when no email job names them
// (store.InsertLater). A published event thus costs one round trip where
// it cost four (the staff, the event, the recipients, the subscriptions)
// and one a recipient.
func (s *Service) publishFolded(ctx context.Context, tx store.Queryer, now time.Time, ev Event, key *string, dataJSON string, out *Published) error {
	ids, who, whoArgs := recipientsOf(ev)
	args := []any{ev.Kind, key, ev.Link, dataJSON, now.UTC()}
	args = append(args, anys(ev.OrgIDs)...)
	args = append(args, ev.Kind)
	args = append(args, whoArgs...)
	var rows []struct {
		EventID  int64          `db:"event_id"`
		ID       sql.NullInt64  `db:"id"`
		OrgID    sql.NullInt64  `db:"org_id"`
		Email    sql.NullString `db:"email"`
		Locale   sql.NullString `db:"locale"`
		Active   sql.NullBool   `db:"active"`
		ByMail   sql.NullBool   `db:"email_notifications"`
		OptedOut sql.NullBool   `db:"opted_out"`
		Hooks    string         `db:"hooks"`
	}
	err := store.Select(ctx, tx, &rows, `WITH e AS (
			INSERT INTO notify_events (kind, dedupe_key, link, data_json, created_at)
			VALUES (?, ?, ?, ?, ?) ON CONFLICT (dedupe_key) DO NOTHING RETURNING id
		)
		SELECT e.id AS event_id, u.id, u.org_id, u.email, u.locale, u.active, u.email_notifications, u.opted_out,
			(SELECT COALESCE(string_agg(h.id::text || ' ' || h.kinds, E'\n' ORDER BY h.id), '') FROM webhooks h
				WHERE h.org_id IN `+marks(len(ev.OrgIDs))+` AND h.disabled_at IS NULL) AS hooks
		FROM e LEFT JOIN LATERAL (
			SELECT id, org_id, email, locale, active, email_notifications,
				EXISTS (SELECT 1 FROM notification_email_optouts o WHERE o.kind = ? AND o.user_id = users.id) AS opted_out
			FROM users WHERE `+who+`
		) u ON true
		ORDER BY u.id`, args...)
	if err != nil {
		return fmt.Errorf("publish %s: %w", ev.Kind, err)
	}
	if len(rows) == 0 {
		out.Duplicate = true
		return nil
	}
	out.EventID = rows[0].EventID
	var users []recipient
	for _, r := range rows {
		if r.ID.Valid {
			users = append(users, recipient{ID: r.ID.Int64, OrgID: r.OrgID.Int64, Email: r.Email.String, Locale: r.Locale.String,
				Active: r.Active.Bool, ByMail: r.ByMail.Bool, OptedOut: r.OptedOut.Bool})
		}
	}
	if missing := missingRecipients(ids, users); missing > 0 {
		return fmt.Errorf("publish %s: %d of %d recipients do not exist", ev.Kind, missing, len(ids))
	}
	if err := s.notifyRecipients(ctx, tx, now, ev, users, out); err != nil {
		return fmt.Errorf("publish %s: %w", ev.Kind, err)
	}
	var subs []subscription
	for _, line := range strings.Split(rows[0].Hooks, "\n") {
		id, kinds, _ := strings.Cut(line, " ")
		n, err := strconv.ParseInt(id, 10, 64)
		if err != nil {
			continue
		}
		subs = append(subs, subscription{ID: n, Kinds: kinds})
	}
	if err := queueDeliveries(ctx, tx, now, ev, subs, out); err != nil {
		return fmt.Errorf("publish %s: %w", ev.Kind, err)
	}
	return nil
}

// recipientsOf is the condition on users selecting the users ev names
// (ids, sorted, each once) and the active staff it addresses, with its
// arguments; "false" if it addresses no one.
func recipientsOf(ev Event) (ids []int64, who string, args []any) {
	ids = slices.Compact(slices.Sorted(slices.Values(ev.UserIDs)))
	var or []string
	if len(ids) > 0 {
		or = append(or, "id IN "+marks(len(ids)))
		args = append(args, anys(ids)...)
	}
	if ev.Staff.OrgID != 0 && len(ev.Staff.Roles) > 0 {
		or = append(or, "(org_id = ? AND active = ? AND role IN "+marks(len(ev.Staff.Roles))+")")
		args = append(args, ev.Staff.OrgID, true)
		for _, r := range ev.Staff.Roles {
			args = append(args, string(r))
		}
	}
	if len(or) == 0 {
		return ids, "false", nil
	}
	return ids, strings.Join(or, " OR "), args
}

// missingRecipients counts the users named by id that were not found.
func missingRecipients(ids []int64, found []recipient) int {
	missing := 0
	for _, id := range ids {
		if !slices.ContainsFunc(found, func(u recipient) bool { return u.ID == id }) {
			missing++
		}
	}
	return missing
}

func marks(n int) string { return "(" + strings.Repeat("?, ", n-1) + "?)" }

func anys(ids []int64) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}
