package notify

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/store"
)

// Service is the notification machinery as the API and pages use it.
type Service struct {
	DB  *store.DB
	Now func() time.Time
	// EmailEnabled: an SMTP server is configured; Publish queues emails.
	EmailEnabled bool
	// Secrets seals the signing keys of new webhooks; nil: webhooks cannot
	// be created.
	Secrets *SecretBox
}

// Notification is one in-app notification of a user.
type Notification struct {
	ID         int64      `db:"id" json:"id"`
	Kind       string     `db:"kind" json:"kind"`
	Title      string     `db:"title" json:"title"`
	Body       string     `db:"body" json:"body"`
	Link       string     `db:"link" json:"link,omitempty"`
	CreatedAt  time.Time  `db:"created_at" json:"created_at"`
	ReadAt     *time.Time `db:"read_at" json:"read_at,omitempty"`
	EmailState string     `db:"email_state" json:"email_state,omitempty" doc:"pending, sent, failed or skipped; empty when no email was due."`
}

// Unread reports whether n has not been read.
func (n Notification) Unread() bool { return n.ReadAt == nil }

// ListInput selects a page of one's notifications.
type ListInput struct {
	// Cursor continues after the last page (Page.Next); empty starts.
	Cursor     string
	Limit      int
	UnreadOnly bool
}

// Page is a page of notifications, unread first, newest first within each.
type Page struct {
	Items  []Notification `json:"items"`
	Next   string         `json:"next,omitempty" doc:"Pass as cursor for the next page."`
	Unread int            `json:"unread" doc:"How many of your notifications are unread."`
}

const notificationColumns = `id, kind, title, body, link, created_at, read_at, email_state`

// List returns a page of the actor's notifications. The cursor is the group
// (u: unread, r: read) and id of the last item, so pages stay stable while
// new notifications arrive.
func (s *Service) List(ctx context.Context, act policy.Actor, in ListInput) (Page, error) {
	var out Page
	if err := policy.Allow(act, policy.NotificationRead, policy.Self); err != nil {
		return out, err
	}
	if in.Limit <= 0 || in.Limit > 200 {
		in.Limit = 50
	}
	unreadGroup, afterID, err := parseCursor(in.Cursor)
	if err != nil {
		return out, err
	}
	where := `user_id = ?`
	args := []any{act.UserID}
	switch {
	case in.UnreadOnly && in.Cursor != "":
		where += ` AND read_at IS NULL AND id < ?`
		args = append(args, afterID)
	case in.UnreadOnly:
		where += ` AND read_at IS NULL`
	case in.Cursor != "" && unreadGroup:
		where += ` AND ((read_at IS NULL AND id < ?) OR read_at IS NOT NULL)`
		args = append(args, afterID)
	case in.Cursor != "":
		where += ` AND read_at IS NOT NULL AND id < ?`
		args = append(args, afterID)
	}
	q := `SELECT ` + notificationColumns + ` FROM notifications WHERE ` + where +
		` ORDER BY CASE WHEN read_at IS NULL THEN 0 ELSE 1 END, id DESC LIMIT ?`
	args = append(args, in.Limit+1)
	if err := store.Select(ctx, s.DB, &out.Items, q, args...); err != nil {
		return out, fmt.Errorf("list notifications: %w", err)
	}
	if len(out.Items) > in.Limit {
		out.Items = out.Items[:in.Limit]
		last := out.Items[in.Limit-1]
		g := "r"
		if last.Unread() {
			g = "u"
		}
		out.Next = g + strconv.FormatInt(last.ID, 10)
	}
	if out.Items == nil {
		out.Items = []Notification{}
	}
	out.Unread, err = UnreadCount(ctx, s.DB, act.UserID)
	return out, err
}

func parseCursor(c string) (unread bool, id int64, err error) {
	if c == "" {
		return false, 0, nil
	}
	id, perr := strconv.ParseInt(c[1:], 10, 64)
	if (c[0] != 'u' && c[0] != 'r') || perr != nil || id <= 0 {
		return false, 0, problem.Field("query.cursor", "is not a cursor from a previous page")
	}
	return c[0] == 'u', id, nil
}

// UnreadCount is how many notifications of user are unread.
func UnreadCount(ctx context.Context, q store.Queryer, userID int64) (int, error) {
	var n int
	err := store.Get(ctx, q, &n, `SELECT COUNT(*) FROM notifications WHERE user_id = ? AND read_at IS NULL`, userID)
	return n, err
}

// MarkRead marks one of the actor's notifications read (again: a no-op).
func (s *Service) MarkRead(ctx context.Context, act policy.Actor, id int64) (Notification, error) {
	var n Notification
	if err := policy.Allow(act, policy.NotificationRead, policy.Self); err != nil {
		return n, err
	}
	if _, err := store.Exec(ctx, s.DB, `UPDATE notifications SET read_at = ? WHERE id = ? AND user_id = ? AND read_at IS NULL`,
		s.Now().UTC(), id, act.UserID); err != nil {
		return n, err
	}
	err := store.Get(ctx, s.DB, &n, `SELECT `+notificationColumns+` FROM notifications WHERE id = ? AND user_id = ?`, id, act.UserID)
	if errors.Is(err, store.ErrNotFound) {
		return n, problem.New(problem.NotFound, "no notification %d", id)
	}
	return n, err
}

// MarkAllRead marks every unread notification of the actor read and says how many.
func (s *Service) MarkAllRead(ctx context.Context, act policy.Actor) (int, error) {
	if err := policy.Allow(act, policy.NotificationRead, policy.Self); err != nil {
		return 0, err
	}
	res, err := store.Exec(ctx, s.DB, `UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at IS NULL`, s.Now().UTC(), act.UserID)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// EmailPreference reports whether user gets notifications by email.
func EmailPreference(ctx context.Context, q store.Queryer, userID int64) (bool, error) {
	var on bool
	err := store.Get(ctx, q, &on, `SELECT email_notifications FROM users WHERE id = ?`, userID)
	return on, err
}

// SetEmailPreference turns the actor's email notifications on or off.
func (s *Service) SetEmailPreference(ctx context.Context, act policy.Actor, on bool) error {
	if err := policy.Allow(act, policy.ProfileWrite, policy.Self); err != nil {
		return err
	}
	_, err := store.Exec(ctx, s.DB, `UPDATE users SET email_notifications = ?, updated_at = ? WHERE id = ?`, on, s.Now().UTC(), act.UserID)
	return err
}
