// Package audit is the append-only trail of every change of state: who, when,
// what, before and after. The tables refuse UPDATE and DELETE by trigger.
package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"aftersales/internal/policy"
	"aftersales/internal/store"
)

// Event is one recorded change.
type Event struct {
	ID        int64   `db:"id" json:"id"`
	OrgID     *int64  `db:"org_id" json:"org_id,omitempty"`
	ActorID   *int64  `db:"actor_id" json:"actor_id,omitempty"`
	Actor     string  `db:"actor" json:"actor"`
	Action    string  `db:"action" json:"action"`
	Entity    string  `db:"entity" json:"entity"`
	EntityID  string  `db:"entity_id" json:"entity_id"`
	Before    *string `db:"before_json" json:"before,omitempty"`
	After     *string `db:"after_json" json:"after,omitempty"`
	RequestID string  `db:"request_id" json:"request_id,omitempty"`
	// ClientAddress is the IP address the change came from (through the
	// trusted proxies); empty for the command line and background jobs.
	ClientAddress *string   `db:"client_address" json:"client_address,omitempty"`
	At            time.Time `db:"at" json:"at"`
}

type ctxKey struct{}

type clientKey struct{}

// WithClientAddress returns ctx carrying the client's address that audit
// rows record.
func WithClientAddress(ctx context.Context, addr string) context.Context {
	return context.WithValue(ctx, clientKey{}, addr)
}

func clientAddress(ctx context.Context) *string {
	if s, _ := ctx.Value(clientKey{}).(string); s != "" {
		return &s
	}
	return nil
}

// WithRequestID returns ctx carrying the request id that audit rows record.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, ctxKey{}, id)
}

// RequestID is the request id carried by ctx, or "".
func RequestID(ctx context.Context) string {
	s, _ := ctx.Value(ctxKey{}).(string)
	return s
}

// Record appends one event inside the caller's transaction. orgID is the
// organization whose admins and auditors may read it; before and after are
// marshalled to JSON (nil for none). entityID is the entity's key (a number
// or a string such as a calendar id).
func Record(ctx context.Context, q store.Queryer, at time.Time, actor policy.Actor, orgID int64, action, entity string, entityID, before, after any) error {
	b, err := marshal(before)
	if err != nil {
		return err
	}
	a, err := marshal(after)
	if err != nil {
		return err
	}
	var actorID *int64
	if actor.UserID != 0 {
		actorID = &actor.UserID
	}
	var org *int64
	if orgID != 0 {
		org = &orgID
	}
	id := fmt.Sprint(entityID)
	// Nothing reads the row again in the transaction: on PostgreSQL it is
	// sent with the transaction's last statement (store.InsertLater).
	err = store.InsertLater(ctx, q, "audit_events", "org_id, actor_id, actor, action, entity, entity_id, before_json, after_json, request_id, client_address, at",
		org, actorID, actor.Label(), action, entity, id, b, a, RequestID(ctx), clientAddress(ctx), at.UTC())
	if err != nil {
		return fmt.Errorf("audit %s %s: %w", action, entity, err)
	}
	// An Idempotency-Key reserved by this transaction remembers what it
	// wrote, so that a repeat finds it even if the answer is lost.
	store.NoteWritten(ctx, entity, id)
	return nil
}

func marshal(v any) (*string, error) {
	if v == nil {
		return nil, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("audit marshal: %w", err)
	}
	s := string(b)
	return &s, nil
}

// Filter narrows a listing of the trail.
type Filter struct {
	OrgID    int64
	Entity   string
	EntityID string
	// BeforeID pages backwards: only events with id < BeforeID (0: newest).
	BeforeID int64
	Limit    int
}

// List returns an organization's events, newest first.
func List(ctx context.Context, q store.Queryer, f Filter) ([]Event, error) {
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 100
	}
	query := `SELECT id, org_id, actor_id, actor, action, entity, entity_id, before_json, after_json, request_id, client_address, at
		FROM audit_events WHERE org_id = ?`
	args := []any{f.OrgID}
	if f.Entity != "" {
		query += ` AND entity = ?`
		args = append(args, f.Entity)
	}
	if f.EntityID != "" {
		query += ` AND entity_id = ?`
		args = append(args, f.EntityID)
	}
	if f.BeforeID > 0 {
		query += ` AND id < ?`
		args = append(args, f.BeforeID)
	}
	query += ` ORDER BY id DESC LIMIT ?`
	args = append(args, f.Limit)
	var out []Event
	err := store.Select(ctx, q, &out, query, args...)
	return out, err
}
