package notify

import (
	"context"
	"errors"
	"time"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/audit"
	"aftersales/internal/jobs"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/store"
)

// Delivery states.
const (
	Pending   = "pending"
	Delivered = "delivered"
	Failed    = "failed"
)

// Delivery is one event sent (or being sent) to one webhook subscription.
// Its id is the X-Aftersales-Delivery header: a re-sent delivery keeps it,
// so receivers can recognize what they already processed.
type Delivery struct {
	ID          int64      `db:"id" json:"id"`
	WebhookID   int64      `db:"webhook_id" json:"webhook_id"`
	EventID     int64      `db:"event_id" json:"event_id"`
	EventKind   string     `db:"kind" json:"event_kind"`
	State       string     `db:"state" json:"state" enum:"pending,delivered,failed"`
	Attempts    int        `db:"attempts" json:"attempts"`
	MaxAttempts int        `db:"max_attempts" json:"max_attempts" doc:"The delivery fails once attempts reach this."`
	LastStatus  int        `db:"last_status" json:"last_status,omitempty" doc:"HTTP status of the last attempt; 0 when it got no answer."`
	LastError   string     `db:"last_error" json:"last_error,omitempty"`
	CreatedAt   time.Time  `db:"created_at" json:"created_at"`
	UpdatedAt   time.Time  `db:"updated_at" json:"updated_at"`
	DeliveredAt *time.Time `db:"delivered_at" json:"delivered_at,omitempty"`
	History     []Attempt  `db:"-" json:"history,omitempty"`
}

// Attempt is one try at a delivery.
type Attempt struct {
	Attempt    int       `db:"attempt" json:"attempt"`
	At         time.Time `db:"at" json:"at"`
	DurationMS int64     `db:"duration_ms" json:"duration_ms"`
	StatusCode int       `db:"status_code" json:"status_code,omitempty"`
	Error      string    `db:"error" json:"error,omitempty"`
}

const deliveryColumns = `d.id, d.webhook_id, d.event_id, e.kind, d.state, d.attempts, d.max_attempts, d.last_status, d.last_error,
	d.created_at, d.updated_at, d.delivered_at`

const deliveryFrom = ` FROM webhook_deliveries d JOIN notify_events e ON e.id = d.event_id`

// Deliveries lists a subscription's deliveries, newest first; beforeID pages
// backwards (0: from the newest).
func (s *Service) Deliveries(ctx context.Context, act policy.Actor, webhookID, beforeID int64, limit int) ([]Delivery, error) {
	if _, err := s.Webhook(ctx, act, webhookID); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	q := `SELECT ` + deliveryColumns + deliveryFrom + ` WHERE d.webhook_id = ?`
	args := []any{webhookID}
	if beforeID > 0 {
		q += ` AND d.id < ?`
		args = append(args, beforeID)
	}
	out := []Delivery{}
	err := store.Select(ctx, s.DB, &out, q+` ORDER BY d.id DESC LIMIT ?`, append(args, limit)...)
	return out, err
}

// Delivery returns one delivery with every attempt.
func (s *Service) Delivery(ctx context.Context, act policy.Actor, id int64) (Delivery, error) {
	return s.deliveryIn(ctx, s.DB, act, id)
}

func (s *Service) deliveryIn(ctx context.Context, q store.Queryer, act policy.Actor, id int64) (Delivery, error) {
	d, err := getDelivery(ctx, q, id)
	if errors.Is(err, store.ErrNotFound) {
		return d, problem.New(problem.NotFound, "no delivery %d", id)
	}
	if err != nil {
		return d, err
	}
	if _, err := s.webhookIn(ctx, q, act, d.WebhookID); err != nil {
		if problem.Is(err, problem.NotFound) {
			return Delivery{}, problem.New(problem.NotFound, "no delivery %d", id)
		}
		return Delivery{}, err
	}
	d.History = []Attempt{}
	err = store.Select(ctx, q, &d.History, `SELECT attempt, at, duration_ms, status_code, error FROM webhook_attempts
		WHERE delivery_id = ? ORDER BY id`, id)
	return d, err
}

func getDelivery(ctx context.Context, q store.Queryer, id int64) (Delivery, error) {
	var d Delivery
	err := store.Get(ctx, q, &d, `SELECT `+deliveryColumns+deliveryFrom+` WHERE d.id = ?`, id)
	return d, err
}

// Redeliver sends a finished delivery again (same id, same body, a fresh
// signature) with a new round of attempts. A pending delivery, or one of a
// disabled subscription, is a conflict.
func (s *Service) Redeliver(ctx context.Context, act policy.Actor, id int64) (Delivery, error) {
	var d Delivery
	err := s.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		before, err := s.deliveryIn(ctx, tx, act, id)
		if err != nil {
			return err
		}
		if before.State == Pending {
			return problem.New(problem.Conflict, "delivery %d is still being attempted", id)
		}
		w, err := getWebhook(ctx, tx, before.WebhookID)
		if err != nil {
			return err
		}
		if !w.Active() {
			return problem.New(problem.Conflict, "webhook %d is disabled", w.ID)
		}
		now := s.Now().UTC()
		if _, err := store.Exec(ctx, tx, `UPDATE webhook_deliveries SET state = 'pending', max_attempts = attempts + ?, updated_at = ?
			WHERE id = ?`, WebhookAttempts, now, id); err != nil {
			return err
		}
		if err := jobs.Enqueue(ctx, tx, now, WebhookJob, webhookJob{DeliveryID: id}, jobs.Options{MaxAttempts: WebhookAttempts + jobSlack}); err != nil {
			return err
		}
		if d, err = s.deliveryIn(ctx, tx, act, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, act, w.OrgID, "webhook.redeliver", "webhook_delivery", id,
			map[string]any{"state": before.State, "attempts": before.Attempts}, map[string]any{"state": d.State})
	})
	return d, err
}
