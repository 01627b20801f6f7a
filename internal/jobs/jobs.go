// Package jobs is the durable background job runner. A job is a row in the
// jobs table, inserted in the same transaction as the domain change that
// needs it, so a crash loses none and a rollback leaves none. Workers claim
// ready jobs (FOR UPDATE SKIP LOCKED on PostgreSQL, the single writer lock on
// SQLite), run them, and retry failures with exponential backoff.
package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/store"
)

// Job is one unit of background work.
type Job struct {
	ID          int64      `db:"id"`
	Kind        string     `db:"kind"`
	Payload     string     `db:"payload"`
	State       string     `db:"state"`
	Attempts    int        `db:"attempts"`
	MaxAttempts int        `db:"max_attempts"`
	UniqueKey   *string    `db:"unique_key"`
	RunAt       time.Time  `db:"run_at"`
	LockedUntil *time.Time `db:"locked_until"`
	LastError   string     `db:"last_error"`
	CreatedAt   time.Time  `db:"created_at"`
	FinishedAt  *time.Time `db:"finished_at"`
}

// Handler runs a job's payload. A returned error schedules a retry.
type Handler func(ctx context.Context, payload json.RawMessage) error

// Options tune one enqueued job.
type Options struct {
	RunAt       time.Time // zero: now
	MaxAttempts int       // zero: 10
	// UniqueKey makes a second insert with the same key a no-op (periodic
	// jobs use the period as key so that they run once per cluster).
	UniqueKey string
}

// Enqueue inserts a job inside the caller's transaction (or connection).
func Enqueue(ctx context.Context, q store.Queryer, now time.Time, kind string, payload any, opt Options) error {
	b, err := json.Marshal(payload)
	if err != nil {
		return fmt.Errorf("enqueue %s: %w", kind, err)
	}
	if opt.RunAt.IsZero() {
		opt.RunAt = now
	}
	if opt.MaxAttempts <= 0 {
		opt.MaxAttempts = 10
	}
	var key *string
	if opt.UniqueKey != "" {
		key = &opt.UniqueKey
	}
	_, err = store.Exec(ctx, q, `INSERT INTO jobs (kind, payload, state, attempts, max_attempts, unique_key, run_at, created_at)
		VALUES (?, ?, 'queued', 0, ?, ?, ?, ?) ON CONFLICT (unique_key) DO NOTHING`,
		kind, string(b), opt.MaxAttempts, key, opt.RunAt.UTC(), now.UTC())
	if err != nil {
		return fmt.Errorf("enqueue %s: %w", kind, err)
	}
	return nil
}

// Periodic is a job enqueued every Interval (aligned to the interval).
type Periodic struct {
	Kind     string
	Interval time.Duration
}

// Runner claims and runs jobs.
type Runner struct {
	DB       *store.DB
	Now      func() time.Time
	Log      *slog.Logger
	Poll     time.Duration // how often to look for ready jobs
	Lease    time.Duration // how long a claimed job is reserved
	Workers  int
	handlers map[string]Handler
	periodic []Periodic
	wake     chan struct{}
}

// NewRunner returns a runner with sensible defaults.
func NewRunner(db *store.DB, now func() time.Time, log *slog.Logger) *Runner {
	return &Runner{DB: db, Now: now, Log: log, Poll: time.Second, Lease: 5 * time.Minute, Workers: 2,
		handlers: map[string]Handler{}, wake: make(chan struct{}, 1)}
}

// Handle registers the handler of a job kind.
func (r *Runner) Handle(kind string, h Handler) { r.handlers[kind] = h }

// Every registers a periodic job; its handler must be registered too.
func (r *Runner) Every(kind string, interval time.Duration) {
	r.periodic = append(r.periodic, Periodic{kind, interval})
}

// Wake asks the workers to look for jobs now rather than at the next poll.
func (r *Runner) Wake() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// Run works until ctx is cancelled, then waits for running jobs to finish.
func (r *Runner) Run(ctx context.Context) {
	var wg sync.WaitGroup
	for range r.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.work(ctx)
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		r.schedule(ctx)
	}()
	wg.Wait()
}

func (r *Runner) schedule(ctx context.Context) {
	for {
		now := r.Now().UTC()
		for _, p := range r.periodic {
			slot := now.Truncate(p.Interval)
			key := fmt.Sprintf("periodic:%s:%d", p.Kind, slot.Unix())
			if err := Enqueue(ctx, r.DB, now, p.Kind, struct{}{}, Options{RunAt: slot, UniqueKey: key, MaxAttempts: 3}); err != nil && ctx.Err() == nil {
				r.Log.Error("schedule periodic job", "kind", p.Kind, "err", err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Minute):
		}
	}
}

func (r *Runner) work(ctx context.Context) {
	for ctx.Err() == nil {
		ran, err := r.RunOne(ctx)
		if err != nil && ctx.Err() == nil {
			r.Log.Error("job runner", "err", err)
		}
		if ran {
			continue
		}
		select {
		case <-ctx.Done():
		case <-r.wake:
		case <-time.After(r.Poll):
		}
	}
}

// RunOne claims one ready job and runs it; it reports whether there was one.
func (r *Runner) RunOne(ctx context.Context) (bool, error) {
	if ctx.Err() != nil {
		return false, nil
	}
	// The claim is not cut short by a stop: cancelled between its UPDATE
	// and the answer to its COMMIT, it could commit without the runner
	// knowing, and the job would wait out its lease as if its worker had
	// died. A job claimed as the runner stops is handed back at once.
	job, ok, err := r.claim(context.WithoutCancel(ctx))
	if err != nil || !ok {
		return false, err
	}
	if ctx.Err() != nil {
		return true, r.release(context.WithoutCancel(ctx), job)
	}
	h := r.handlers[job.Kind]
	var runErr error
	if h == nil {
		runErr = fmt.Errorf("no handler for job kind %q", job.Kind)
	} else {
		runErr = safeRun(ctx, h, json.RawMessage(job.Payload))
	}
	return true, r.finish(context.WithoutCancel(ctx), job, runErr)
}

func safeRun(ctx context.Context, h Handler, payload json.RawMessage) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return h(ctx, payload)
}

func (r *Runner) claim(ctx context.Context) (Job, bool, error) {
	now := r.Now().UTC()
	var job Job
	err := r.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		// A running job whose lease ran out belongs to a worker that died: take it over.
		err := store.Get(ctx, tx, &job, `SELECT id, kind, payload, state, attempts, max_attempts, unique_key, run_at, locked_until,
			last_error, created_at, finished_at FROM jobs
			WHERE (state = 'queued' AND run_at <= ?) OR (state = 'running' AND locked_until < ?)
			ORDER BY run_at, id LIMIT 1`+store.DialectOf(tx).SkipLocked(), now, now)
		if err != nil {
			return err
		}
		job.Attempts++
		_, err = store.Exec(ctx, tx, `UPDATE jobs SET state = 'running', attempts = ?, locked_until = ? WHERE id = ?`,
			job.Attempts, now.Add(r.Lease), job.ID)
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return job, false, nil
	}
	return job, err == nil, err
}

// release gives back a job claimed but not run.
func (r *Runner) release(ctx context.Context, job Job) error {
	_, err := store.Exec(ctx, r.DB, `UPDATE jobs SET state = 'queued', attempts = ?, locked_until = NULL WHERE id = ? AND state = 'running'`,
		job.Attempts-1, job.ID)
	return err
}

func (r *Runner) finish(ctx context.Context, job Job, runErr error) error {
	now := r.Now().UTC()
	if runErr == nil {
		_, err := store.Exec(ctx, r.DB, `UPDATE jobs SET state = 'done', locked_until = NULL, finished_at = ?, last_error = '' WHERE id = ?`, now, job.ID)
		return err
	}
	r.Log.Warn("job failed", "kind", job.Kind, "id", job.ID, "attempt", job.Attempts, "err", runErr)
	if job.Attempts >= job.MaxAttempts {
		_, err := store.Exec(ctx, r.DB, `UPDATE jobs SET state = 'failed', locked_until = NULL, finished_at = ?, last_error = ? WHERE id = ?`,
			now, runErr.Error(), job.ID)
		return err
	}
	_, err := store.Exec(ctx, r.DB, `UPDATE jobs SET state = 'queued', locked_until = NULL, run_at = ?, last_error = ? WHERE id = ?`,
		now.Add(Backoff(job.Attempts)), runErr.Error(), job.ID)
	return err
}

// Backoff is the wait before retry n (1-based): 2^n seconds, capped at one
// hour, with up to 20% jitter so that retries of a burst spread out.
func Backoff(attempt int) time.Duration {
	d := time.Second << min(attempt, 12)
	d = min(d, time.Hour)
	return d + time.Duration(rand.Int64N(int64(d)/5+1))
}

// Counts returns the number of jobs per state.
func Counts(ctx context.Context, q store.Queryer) (map[string]int, error) {
	var rows []struct {
		State string `db:"state"`
		N     int    `db:"n"`
	}
	if err := store.Select(ctx, q, &rows, `SELECT state, COUNT(*) AS n FROM jobs GROUP BY state`); err != nil {
		return nil, err
	}
	out := map[string]int{}
	for _, r := range rows {
		out[r.State] = r.N
	}
	return out, nil
}
