package servicerequest

import (
	"context"
	"fmt"
	"strings"
	"time"

	"aftersales/internal/calendar"
	"aftersales/internal/problem"
	"aftersales/internal/sla"
	"aftersales/internal/store"
)

const requestColumns = `id, number, vendor_id, provider_id, customer_org_id, agreement_id, unit_id, serial_number, model, site_division,
	site_address, site_lat, site_lng, channel, service_item, priority, status, description, contact_name, contact_phone, scope_exception, created_by_id, received_at,
	next_due_at, breached, updated_at, version`

// insertFiled writes a new request with its search terms, the event that
// opens its history (ev.Seq 1) and its clocks' rows with the running totals
// they move (saveClocks), setting the ids and the number. On PostgreSQL all
// of it is one statement: the id taken from the sequence, the number made
// from it as Number makes it (numberSQL), the row, its search terms, its
// event, its clocks and the totals, each a step of one WITH, so that filing
// costs one round trip here instead of eight (a new request has no stored
// clocks to read or lock first). SQLite, which has no round trips, runs
// them one by one and indexes the terms in batches (IndexPending).
func insertFiled(ctx context.Context, q store.Queryer, r *Request, ev *RequestEvent, clocks []sla.Clock) error {
	if !store.DialectOf(q).Postgres() {
		if err := insertRequest(ctx, q, r); err != nil {
			return err
		}
		ev.RequestID = r.ID
		e, err := insertEvent(ctx, q, *ev)
		*ev = e
		if err != nil {
			return err
		}
		return insertClocks(ctx, q, *r, clocks)
	}
	r.Version, r.UpdatedAt = 1, r.ReceivedAt
	shape, clockArgs := filedClockArgs(*r, clocks)
	var ids struct {
		ID      int64  `db:"id"`
		Number  string `db:"number"`
		EventID int64  `db:"event_id"`
	}
	args := make([]any, 0, 36+len(clockArgs))
	args = append(args, numberPrefix(r.ReceivedAt),
		r.VendorID, r.ProviderID, r.CustomerOrgID, r.AgreementID, r.UnitID,
		r.SerialNumber, r.Model, r.SiteDivision, r.SiteAddress, r.SiteLat, r.SiteLng, r.Channel, r.ServiceItem, r.Priority, r.Status, r.Description, r.ContactName,
		r.ContactPhone, r.ScopeException, r.CreatedByID, r.ReceivedAt, r.ReceivedAt, r.NextDueAt, r.Breached, r.NextCheckAt,
		strings.Join(SearchTokens(r.Description), " "),
		ev.Seq, ev.Kind, ev.At, ev.ActorID, ev.Actor, ev.Priority, ev.Reason, ev.Note)
	err := store.Get(ctx, q, &ids, filedStatements.Of(shape, filedStatement), append(args, clockArgs...)...)
	if err != nil {
		return err
	}
	r.ID, r.Number = ids.ID, ids.Number
	ev.ID, ev.RequestID = ids.EventID, ids.ID
	return nil
}

// filedShape is the shape of insertFiled's statement on PostgreSQL: how
// many clock rows it stores and how many running totals they move.
type filedShape struct{ clocks, totals int }

// filedStatements are insertFiled's statements by their shape, built once
// (a request has at most one clock of each kind, so they are few).
var filedStatements store.Statements[filedShape]

// filedStatement is insertFiled's statement on PostgreSQL of shape s.
func filedStatement(s filedShape) string {
	return `WITH n AS (
			SELECT id, ? || '-' || ` + numberDigits("id") + ` AS number FROM (SELECT nextval(pg_get_serial_sequence('service_requests', 'id')) AS id) AS s
		), r AS (
			INSERT INTO service_requests (id, number, vendor_id, provider_id, customer_org_id, agreement_id, unit_id,
				serial_number, model, site_division, site_address, site_lat, site_lng, channel, service_item, priority, status, description,
				contact_name, contact_phone, scope_exception, created_by_id, received_at, updated_at, next_due_at, breached, next_check_at, version)
			SELECT n.id, n.number, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1 FROM n
			RETURNING id, number
		), t AS (
			INSERT INTO request_search (request_id, tokens) SELECT id, to_tsvector('simple', ?) FROM r
		), e AS (
			INSERT INTO request_events (request_id, seq, kind, at, actor_id, actor, priority, reason, note)
			SELECT id, ?, ?, ?, ?, ?, ?, ?, ? FROM r
			RETURNING id
		)` + filedClockSteps(s) + `
		SELECT r.id, r.number, e.id AS event_id FROM r, e`
}

// filedClockArgs are the arguments of the steps of insertFiled's WITH
// that store a new request's clock rows (ClockRows) and add them to the
// running totals (ClockTotals), with the statement's shape.
func filedClockArgs(r Request, clocks []sla.Clock) (filedShape, []any) {
	rows := ClockRows(r, clocks)
	if len(rows) == 0 {
		return filedShape{}, nil
	}
	args := make([]any, 0, 14*len(rows)) // seven a clock row, seven a total at most
	totals := ClockTotals{}
	for _, row := range rows {
		args = append(args, row[1:]...)
		totals.Add(row)
	}
	n, totalArgs := totals.upsertArgs(false)
	return filedShape{clocks: len(rows), totals: n}, append(args, totalArgs...)
}

// filedClockSteps are the steps of insertFiled's WITH of shape s that
// store the clock rows and move the running totals in the slot of the id
// the WITH takes (ClockSlot); "" without clocks.
func filedClockSteps(s filedShape) string {
	if s.clocks == 0 {
		return ""
	}
	values := make([]string, s.clocks)
	for i := range values {
		values[i] = "(?, ?, ?, ?, ?, ?, ?)"
		if i == 0 {
			values[i] = "(?::text, ?::bigint, ?::bigint, ?::bigint, ?::text, ?::text, ?::timestamptz)"
		}
	}
	return `, c AS (
			INSERT INTO request_clocks (` + ClockColumns + `)
			SELECT r.id, v.* FROM r, (VALUES ` + strings.Join(values, ", ") + `) AS v
		), ct AS (
			` + totalsUpsert(totalsShape{totals: s.totals, slotSQL: fmt.Sprintf("(SELECT id FROM r) %% %d", ClockSlots)}) + `
		)`
}

func insertRequest(ctx context.Context, q store.Queryer, r *Request) error {
	// The id is taken first so that the number, which quotes it, is written
	// with the row.
	id, err := store.DialectOf(q).NextID(ctx, q, "service_requests")
	if err != nil {
		return err
	}
	r.ID, r.Number, r.Version, r.UpdatedAt = id, Number(r.ReceivedAt, id), 1, r.ReceivedAt
	_, err = store.Exec(ctx, q, `INSERT INTO service_requests (id, number, vendor_id, provider_id, customer_org_id, agreement_id, unit_id,
		serial_number, model, site_division, site_address, site_lat, site_lng, channel, service_item, priority, status, description,
		contact_name, contact_phone, scope_exception, created_by_id, received_at, updated_at, next_due_at, breached, next_check_at, version)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)`,
		r.ID, r.Number, r.VendorID, r.ProviderID, r.CustomerOrgID, r.AgreementID, r.UnitID,
		r.SerialNumber, r.Model, r.SiteDivision, r.SiteAddress, r.SiteLat, r.SiteLng, r.Channel, r.ServiceItem, r.Priority, r.Status, r.Description, r.ContactName,
		r.ContactPhone, r.ScopeException, r.CreatedByID, r.ReceivedAt, r.ReceivedAt, r.NextDueAt, r.Breached, r.NextCheckAt)
	return err
}

// Number is the request number people quote on the phone: SR, the year and
// month received (Shanghai time), and the id.
func Number(received time.Time, id int64) string {
	return fmt.Sprintf("%s-%05d", numberPrefix(received), id)
}

// numberPrefix is the part of a request's number before its id.
func numberPrefix(received time.Time) string {
	return "SR" + received.In(calendar.Shanghai).Format("0601")
}

// numberDigits is PostgreSQL's expression of the id column's digits in a
// number, as Number writes them (%05d): at least five, zero-padded.
func numberDigits(col string) string {
	return `CASE WHEN ` + col + ` < 10000 THEN lpad(` + col + `::text, 5, '0') ELSE ` + col + `::text END`
}

// GetRequest loads one request.
func GetRequest(ctx context.Context, q store.Queryer, id int64) (Request, error) {
	return store.ByID[Request](ctx, q, `SELECT `+requestColumns+` FROM service_requests WHERE id = ?`, id, requestNotFound)
}

func requestNotFound(id int64) error {
	return problem.New(problem.NotFound, "service request %d not found", id)
}

// appendEvent adds the next event to a request's history.
func appendEvent(ctx context.Context, q store.Queryer, e RequestEvent) (RequestEvent, error) {
	if err := store.Get(ctx, q, &e.Seq, `SELECT COALESCE(MAX(seq), 0) + 1 FROM request_events WHERE request_id = ?`, e.RequestID); err != nil {
		return e, err
	}
	return insertEvent(ctx, q, e)
}

// insertEvent stores an event whose sequence number is known: 1 for the
// event that opens a request.
func insertEvent(ctx context.Context, q store.Queryer, e RequestEvent) (RequestEvent, error) {
	id, err := store.InsertID(ctx, q, `INSERT INTO request_events (request_id, seq, kind, at, actor_id, actor, priority, reason, note)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, e.RequestID, e.Seq, e.Kind, e.At, e.ActorID, e.Actor, e.Priority, e.Reason, e.Note)
	e.ID = id
	return e, err
}

// Events loads a request's history in order.
func Events(ctx context.Context, q store.Queryer, requestID int64) ([]RequestEvent, error) {
	var out []RequestEvent
	err := store.Select(ctx, q, &out, `SELECT id, request_id, seq, kind, at, actor_id, actor, priority, reason, note
		FROM request_events WHERE request_id = ? ORDER BY seq`, requestID)
	return out, err
}

// updateStatus moves a request to status if its version still matches.
func updateStatus(ctx context.Context, q store.Queryer, r Request, status Status, priority string, now time.Time) (Request, error) {
	res, err := store.Exec(ctx, q, `UPDATE service_requests SET status = ?, priority = ?, updated_at = ?, version = version + 1
		WHERE id = ? AND version = ?`, status, priority, now, r.ID, r.Version)
	if err != nil {
		return r, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return r, problem.New(problem.PreconditionFailed, "service request %s was changed by someone else", r.Number)
	}
	r.Status, r.Priority, r.UpdatedAt, r.Version = status, priority, now, r.Version+1
	return r, nil
}
