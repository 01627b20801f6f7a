// Package notify delivers events (deadline warnings and breaches, assignments)
// to people and systems: in-app notifications, email and signed webhooks.
//
// Publish runs inside the caller's transaction: the notifications, the
// webhook deliveries and the jobs that send them commit or roll back with the
// domain change, so a crash loses none. Email and webhook jobs retry with
// backoff through internal/jobs; delivery is at least once. The package knows
// nothing of what the events mean: callers name a message of the catalogs
// and its values (a Message), and each recipient's copy is rendered in their
// language when it is published.
package notify

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"aftersales/internal/i18n"
	"aftersales/internal/jobs"
	"aftersales/internal/policy"
	"aftersales/internal/store"
)

// Job kinds of the deliveries.
const (
	EmailJob   = "notify.email"
	WebhookJob = "notify.webhook"
)

// Attempts before a delivery is marked failed. With jobs.Backoff, webhook
// retries span about an hour, email retries about half an hour.
const (
	EmailAttempts   = 10
	WebhookAttempts = 12
	// jobSlack lets a job outlive a worker that died mid-attempt (the
	// attempt is then not recorded) without the delivery being left pending.
	jobSlack = 2
)

// Event is something that happened that people must hear about.
type Event struct {
	// Kind names what happened, e.g. "clock.warning", "clock.breached",
	// "request.assigned". Webhook subscriptions filter on it.
	Kind string
	// OrgIDs are the organizations that may see the event: their webhook
	// subscriptions receive it, and every recipient must belong to one.
	OrgIDs []int64
	// UserIDs receive it in the app, and by email if they have it on.
	UserIDs []int64
	// Staff, when its organization is set, adds the active users of that
	// organization with one of its roles to the recipients (read with the
	// recipients, in the same statement).
	Staff Staff
	// Subject and Body are rendered in each recipient's language; Body may
	// be nil.
	Subject, Body Text
	// Link is a path in the app, e.g. /requests/12.
	Link string
	// Data is the event's JSON for webhook receivers.
	Data map[string]any
	// DedupeKey makes publishing the same event twice a no-op, e.g.
	// "clock.warning:75:request:12:response". Empty: never deduplicated.
	DedupeKey string
}

// Staff names the active users of an organization with one of some roles,
// e.g. a provider's dispatchers.
type Staff struct {
	OrgID int64
	Roles []policy.Role
}

// Published reports what Publish created.
type Published struct {
	EventID int64
	// Duplicate: an event with the same DedupeKey was published before;
	// nothing was created.
	Duplicate     bool
	Notifications int
	Emails        int
	Webhooks      int
}

var kindPattern = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$`)

func (ev Event) validate() error {
	var errs []string
	if len(ev.Kind) > 100 || !kindPattern.MatchString(ev.Kind) {
		errs = append(errs, fmt.Sprintf("kind %q is not a dotted lowercase name", ev.Kind))
	}
	if len(ev.OrgIDs) == 0 {
		errs = append(errs, "no organization may see it")
	}
	// A Message is never empty (a missing or empty one renders as its id,
	// and check refuses it): only other texts are rendered to see.
	if _, ok := ev.Subject.(Message); !ok && render(i18n.Default(), ev.Subject, "en") == "" {
		errs = append(errs, "no subject")
	} else if err := ev.Subject.check(i18n.Default()); err != nil {
		errs = append(errs, "subject: "+err.Error())
	}
	if ev.Body != nil {
		if err := ev.Body.check(i18n.Default()); err != nil {
			errs = append(errs, "body: "+err.Error())
		}
	}
	if ev.Link != "" && (!strings.HasPrefix(ev.Link, "/") || strings.HasPrefix(ev.Link, "//")) {
		errs = append(errs, "link is not a path in the app")
	}
	if len(ev.DedupeKey) > 300 {
		errs = append(errs, "dedupe key longer than 300 bytes")
	}
	if len(errs) > 0 {
		return fmt.Errorf("publish %s: %s", ev.Kind, strings.Join(errs, "; "))
	}
	return nil
}

// Publish records ev inside the caller's transaction: one in-app notification
// per recipient, an email job per recipient who has email on (when email is
// configured), and a webhook delivery job per matching subscription of the
// event's organizations. A recipient outside the event's organizations is
// an error (it would leak data across organizations); inactive users are
// skipped.
func (s *Service) Publish(ctx context.Context, tx store.Queryer, now time.Time, ev Event) (Published, error) {
	var out Published
	if err := ev.validate(); err != nil {
		return out, err
	}
	data := ev.Data
	if data == nil {
		data = map[string]any{}
	}
	dataJSON, err := json.Marshal(data)
	if err != nil {
		return out, fmt.Errorf("publish %s: data: %w", ev.Kind, err)
	}
	var key *string
	if ev.DedupeKey != "" {
		key = &ev.DedupeKey
	}
	if store.DialectOf(tx).Postgres() {
		return out, s.publishFolded(ctx, tx, now, ev, key, string(dataJSON), &out)
	}
	out.EventID, err = store.InsertID(ctx, tx, `INSERT INTO notify_events (kind, dedupe_key, link, data_json, created_at)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT (dedupe_key) DO NOTHING RETURNING id`, ev.Kind, key, ev.Link, string(dataJSON), now.UTC())
	if errors.Is(err, sql.ErrNoRows) {
		out.Duplicate = true
		return out, nil
	}
	if err != nil {
		return out, fmt.Errorf("publish %s: %w", ev.Kind, err)
	}
	if err := s.notifyUsers(ctx, tx, now, ev, &out); err != nil {
		return out, fmt.Errorf("publish %s: %w", ev.Kind, err)
	}
	if err := queueWebhooks(ctx, tx, now, ev, &out); err != nil {
		return out, fmt.Errorf("publish %s: %w", ev.Kind, err)
	}
	return out, nil
}

type recipient struct {
	ID     int64  `db:"id"`
	OrgID  int64  `db:"org_id"`
	Email  string `db:"email"`
	Locale string `db:"locale"`
	Active bool   `db:"active"`
	ByMail bool   `db:"email_notifications"`
	// OptedOut is whether they chose no email for the event's kind.
	OptedOut bool `db:"opted_out"`
}

// notifyUsers notifies the users the event names and the staff it
// addresses, read in one statement with whether each chose no email for
// the event's kind.
func (s *Service) notifyUsers(ctx context.Context, tx store.Queryer, now time.Time, ev Event, out *Published) error {
	ids, who, whoArgs := recipientsOf(ev)
	if who == "false" {
		return nil
	}
	var users []recipient
	if err := store.Select(ctx, tx, &users, `SELECT id, org_id, email, locale, active, email_notifications,
		EXISTS (SELECT 1 FROM notification_email_optouts o WHERE o.kind = ? AND o.user_id = users.id) AS opted_out
		FROM users WHERE `+who+` ORDER BY id`, append([]any{ev.Kind}, whoArgs...)...); err != nil {
		return err
	}
	if missing := missingRecipients(ids, users); missing > 0 {
		return fmt.Errorf("%d of %d recipients do not exist", missing, len(ids))
	}
	return s.notifyRecipients(ctx, tx, now, ev, users, out)
}

// notifyRecipients writes each active recipient's notification, and the
// email job of those who get email. A notification without email is read
// by nothing else in the transaction, so it is inserted later
// (store.InsertLater); one with email is inserted at once, as its job
// names it.
func (s *Service) notifyRecipients(ctx context.Context, tx store.Queryer, now time.Time, ev Event, users []recipient, out *Published) error {
	// The texts in each language, rendered once for all who read it.
	type texts struct{ locale, title, body string }
	var rendered []texts
	for _, u := range users {
		if !slices.Contains(ev.OrgIDs, u.OrgID) {
			return fmt.Errorf("recipient %d is not in the event's organizations", u.ID)
		}
		if !u.Active {
			continue
		}
		locale := i18n.Match(u.Locale)
		state := ""
		if s.EmailEnabled && u.ByMail && u.Email != "" && !u.OptedOut {
			state = "pending"
		}
		i := slices.IndexFunc(rendered, func(t texts) bool { return t.locale == locale })
		if i < 0 {
			rendered = append(rendered, texts{locale, render(i18n.Default(), ev.Subject, locale), render(i18n.Default(), ev.Body, locale)})
			i = len(rendered) - 1
		}
		title, body := rendered[i].title, rendered[i].body
		if state == "" {
			if err := store.InsertLater(ctx, tx, "notifications", "event_id, user_id, kind, title, body, link, created_at, email_state",
				out.EventID, u.ID, ev.Kind, title, body, ev.Link, now.UTC(), state); err != nil {
				return err
			}
			out.Notifications++
			continue
		}
		id, err := store.InsertID(ctx, tx, `INSERT INTO notifications (event_id, user_id, kind, title, body, link, created_at, email_state)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			out.EventID, u.ID, ev.Kind, title, body, ev.Link, now.UTC(), state)
		if err != nil {
			return err
		}
		out.Notifications++
		if err := jobs.Enqueue(ctx, tx, now, EmailJob, emailJob{NotificationID: id}, jobs.Options{MaxAttempts: EmailAttempts + jobSlack}); err != nil {
			return err
		}
		out.Emails++
	}
	return nil
}

// subscription is a webhook's id and the kinds it takes.
type subscription struct {
	ID    int64  `db:"id"`
	Kinds string `db:"kinds"`
}

func queueWebhooks(ctx context.Context, tx store.Queryer, now time.Time, ev Event, out *Published) error {
	var subs []subscription
	if err := store.SelectIn(ctx, tx, &subs, `SELECT id, kinds FROM webhooks WHERE org_id IN (?) AND disabled_at IS NULL ORDER BY id`, ev.OrgIDs); err != nil {
		return err
	}
	return queueDeliveries(ctx, tx, now, ev, subs, out)
}

// queueDeliveries queues a delivery of the event to each subscription that
// takes its kind.
func queueDeliveries(ctx context.Context, tx store.Queryer, now time.Time, ev Event, subs []subscription, out *Published) error {
	for _, sub := range subs {
		if !kindsMatch(splitKinds(sub.Kinds), ev.Kind) {
			continue
		}
		id, err := store.InsertID(ctx, tx, `INSERT INTO webhook_deliveries (webhook_id, event_id, state, attempts, max_attempts, created_at, updated_at)
			VALUES (?, ?, 'pending', 0, ?, ?, ?) RETURNING id`, sub.ID, out.EventID, WebhookAttempts, now.UTC(), now.UTC())
		if err != nil {
			return err
		}
		if err := jobs.Enqueue(ctx, tx, now, WebhookJob, webhookJob{DeliveryID: id}, jobs.Options{MaxAttempts: WebhookAttempts + jobSlack}); err != nil {
			return err
		}
		out.Webhooks++
	}
	return nil
}

// kindsMatch reports whether a subscription's filter takes kind: an empty
// filter takes everything, "clock.*" every kind under clock.
func kindsMatch(filter []string, kind string) bool {
	if len(filter) == 0 {
		return true
	}
	for _, f := range filter {
		if f == "*" || f == kind || strings.HasSuffix(f, ".*") && strings.HasPrefix(kind, strings.TrimSuffix(f, "*")) {
			return true
		}
	}
	return false
}

func splitKinds(s string) []string { return strings.Fields(s) }
