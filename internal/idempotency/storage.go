package idempotency

import (
	"context"
	"time"

	"aftersales/internal/problem"
	"aftersales/internal/store"
)

// storedKeyRow is a key's row: the request it was first used for, the
// entity its first write created or changed (committed with it), and,
// once that request has finished, its answer (status 0 until then, and
// for ever if the answer holds a secret or the process died first).
type storedKeyRow struct {
	Hash        string    `db:"request_hash"`
	Status      int       `db:"status"`
	ContentType string    `db:"content_type"`
	Body        []byte    `db:"body"`
	Entity      string    `db:"entity"`
	EntityID    string    `db:"entity_id"`
	CreatedAt   time.Time `db:"created_at"`
}

// finished reports whether the key is live at now and its request
// finished: the key holds its answer, or names what its request wrote.
func (row storedKeyRow) finished(now time.Time) bool {
	return !row.CreatedAt.Before(now.Add(-TTL)) && (row.Status != 0 || row.Entity != "")
}

// storedAnswer is what a key is stored with: the answer of a request that
// wrote nothing, or the reservation of one that writes (status 0) naming
// what it wrote.
type storedAnswer struct {
	status      int
	contentType string
	body        []byte
	written     store.Written
}

// errKeyTaken means another request holds the key. It is a problem, not an
// internal error, because a handler whose write took the claim returns it
// (and the middleware then answers with the stored response instead).
var errKeyTaken = problem.New(problem.Conflict, "a request with this Idempotency-Key is still being processed")

func storedKey(ctx context.Context, q store.Queryer, k requestKey) (storedKeyRow, error) {
	var row storedKeyRow
	err := store.Get(ctx, q, &row, `SELECT request_hash, status, content_type, body, entity, entity_id, created_at FROM idempotency_keys
		WHERE user_id = ? AND key = ?`, k.userID, k.key)
	return row, err
}

// putKey stores the key with an answer (status 0: none yet), replacing a
// stored key that is no longer live; errKeyTaken if a live one holds it.
// Keys expire after the TTL. A reservation that names no entity and has no
// answer is given up after a minute: its write audited nothing (a write
// that creates or changes a resource always does), so running it again
// duplicates nothing. One that names its resource lives its whole TTL.
func putKey(ctx context.Context, q store.Queryer, k requestKey, a storedAnswer) error {
	body := a.body
	if body == nil {
		body = []byte{}
	}
	res, err := store.Exec(ctx, q, `INSERT INTO idempotency_keys (user_id, key, method, path, request_hash, status, content_type, body, entity, entity_id, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (user_id, key) DO UPDATE SET method = excluded.method, path = excluded.path, request_hash = excluded.request_hash,
			status = excluded.status, content_type = excluded.content_type, body = excluded.body,
			entity = excluded.entity, entity_id = excluded.entity_id, created_at = excluded.created_at
		WHERE idempotency_keys.created_at < ? OR (idempotency_keys.status = 0 AND idempotency_keys.entity = '' AND idempotency_keys.created_at < ?)`,
		k.userID, k.key, k.method, k.path, k.hash, a.status, a.contentType, body, a.written.Entity, a.written.ID, k.now,
		k.now.Add(-TTL), k.now.Add(-time.Minute))
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return errKeyTaken
	}
	return nil
}

// saveAnswer stores the answer of the request that holds the key's reservation.
//
// On PostgreSQL, run on the pool, the statement is a transaction of its own
// whose commit does not wait for the log to reach the disk
// (synchronous_commit off for it alone, set by the statement itself): the
// answer is a copy of what the client was already sent, and a crash that
// loses it loses nothing the reservation does not hold, as a repeat is
// then answered from the resource the reservation names. The write the
// answer reports committed durably before it, with the reservation. This
// spares each keyed write a second wait for the disk.
func saveAnswer(ctx context.Context, q store.Queryer, k requestKey, status int, contentType string, body []byte) error {
	lazy := ""
	if _, pool := q.(*store.DB); pool && store.DialectOf(q).Postgres() {
		lazy = ` AND set_config('synchronous_commit', 'off', true) = 'off'`
	}
	_, err := store.Exec(ctx, q, `UPDATE idempotency_keys SET status = ?, content_type = ?, body = ? WHERE user_id = ? AND key = ?`+lazy,
		status, contentType, body, k.userID, k.key)
	return err
}

// dropKey gives the key back.
func dropKey(ctx context.Context, q store.Queryer, k requestKey) error {
	_, err := store.Exec(ctx, q, `DELETE FROM idempotency_keys WHERE user_id = ? AND key = ?`, k.userID, k.key)
	return err
}

// Prune deletes the keys older than the TTL; the job queue runs it hourly.
func Prune(ctx context.Context, q store.Queryer, now time.Time) error {
	_, err := store.Exec(ctx, q, `DELETE FROM idempotency_keys WHERE created_at < ?`, now.Add(-TTL))
	return err
}
