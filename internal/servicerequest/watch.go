package servicerequest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/calendar"
	"aftersales/internal/coverage"
	"aftersales/internal/sla"
	"aftersales/internal/store"
)

// NextCheck is when the clock job must next look at a request with these
// clocks: the earliest warning (WarnShare of a running clock's time) not
// yet reached, or due time of a clock still running or paused. A paused
// clock's due time moves later while it stays paused; looked at then, it
// is simply stored again. Nil when no clock can raise anything more.
func NextCheck(clocks []sla.Clock) *time.Time {
	var next *time.Time
	for _, c := range clocks {
		var at time.Time
		switch {
		case c.State == sla.StateRunning && c.ElapsedShare < WarnShare:
			if at = c.WarningAt(WarnShare); at.IsZero() || at.After(c.DueAt) {
				at = c.DueAt
			}
		case c.State == sla.StateRunning || c.State == sla.StatePaused:
			at = c.DueAt
		default:
			continue
		}
		if next == nil || at.Before(*next) {
			t := at.UTC()
			next = &t
		}
	}
	return next
}

// WatchPage is how many due requests the clock job reads at a time.
const WatchPage = 500

// watchLease is the lease's name, and how long a run holds it without
// renewing (it renews after every page).
const (
	watchLease    = "clocks.watch"
	watchLeaseTTL = 5 * time.Minute
)

// Watch looks at the open requests whose next warning or due time has come
// (next_check_at, through its index, a page at a time): it recomputes their
// clocks, stores the projection with the next time to look, and tells the
// provider's dispatchers and admins and the assigned technicians when a
// clock nears or passes its deadline. Each alert goes out once. It is the
// periodic clock job; a run that finds another still holding the lease
// (of this instance or another on the same database) does nothing.
func (s *Service) Watch(ctx context.Context, pub Publisher, now time.Time) (alerts int, err error) {
	now = now.UTC()
	lease, ok, err := takeLease(ctx, s.DB, watchLease, watchLeaseTTL)
	if err != nil || !ok {
		return 0, err
	}
	defer func() {
		if rerr := lease.release(context.WithoutCancel(ctx)); err == nil {
			err = rerr
		}
	}()
	run := s.forRun()
	var last struct {
		at time.Time
		id int64
	}
	for page := 0; ; page++ {
		query, args := `SELECT id, next_check_at FROM service_requests WHERE next_check_at <= ?`, []any{now}
		if page > 0 {
			query += ` AND (next_check_at, id) > (?, ?)`
			args = append(args, last.at, last.id)
		}
		var due []struct {
			ID int64     `db:"id"`
			At time.Time `db:"next_check_at"`
		}
		if err := store.Select(ctx, s.DB, &due, query+` ORDER BY next_check_at, id LIMIT ?`, append(args, WatchPage)...); err != nil {
			return alerts, err
		}
		ids := make([]int64, len(due))
		for i, d := range due {
			ids[i] = d.ID
		}
		n, err := s.inBatches(ctx, ids, func(tx *sqlx.Tx, id int64) (int, error) {
			n, err := run.watchIn(ctx, tx, pub, id, now)
			if err != nil {
				return 0, fmt.Errorf("watch request %d: %w", id, err)
			}
			return n, nil
		})
		alerts += n
		if err != nil {
			return alerts, err
		}
		if len(due) < WatchPage {
			break
		}
		last.at, last.id = due[len(due)-1].At, due[len(due)-1].ID
		if err := lease.renew(ctx); err != nil {
			return alerts, err
		}
	}
	err = run.storeBacklog(ctx, pub, now)
	return alerts, err
}

// WatchBacklog is how many requests whose clocks were never stored
// (request_clocks_backlog, those filed before clocks were stored) one run
// of the clock job stores, after the checks due: a large database's
// backlog is worked off over many runs, none of them long.
const WatchBacklog = 1000

// storeBacklog stores the clocks of up to WatchBacklog requests of the
// backlog, each in the same transaction as its removal from the backlog.
// Alerts those clocks call for are published as the usual checks would.
func (s *Service) storeBacklog(ctx context.Context, pub Publisher, now time.Time) error {
	limit := WatchBacklog
	if s.backlog > 0 {
		limit = s.backlog
	}
	var ids []int64
	if err := store.Select(ctx, s.DB, &ids, `SELECT request_id FROM request_clocks_backlog ORDER BY request_id LIMIT ?`, limit); err != nil {
		return err
	}
	_, err := s.inBatches(ctx, ids, func(tx *sqlx.Tx, id int64) (int, error) {
		if _, err := s.watchIn(ctx, tx, pub, id, now); err != nil {
			return 0, fmt.Errorf("store the clocks of request %d: %w", id, err)
		}
		_, err := store.Exec(ctx, tx, `DELETE FROM request_clocks_backlog WHERE request_id = ?`, id)
		return 0, err
	})
	return err
}

// WatchBatch is how many requests the clock job looks at in one
// transaction. A commit per request made a catch-up of tens of thousands
// of alerts (after a bulk load, or when the job has not run for a while)
// wait for the disk once per request; a batch bounds how long the job
// holds SQLite's writer and the rows it locks.
const WatchBatch = 50

// inBatches runs fn on each id, WatchBatch ids a transaction, and adds up
// what fn counts in the transactions that committed. The first error ends
// it: the batch it came from is rolled back, the batches before it stay.
func (s *Service) inBatches(ctx context.Context, ids []int64, fn func(tx *sqlx.Tx, id int64) (int, error)) (int, error) {
	total := 0
	for len(ids) > 0 {
		batch := ids[:min(WatchBatch, len(ids))]
		ids = ids[len(batch):]
		var n int
		err := s.DB.Tx(ctx, func(tx *sqlx.Tx) error {
			n = 0
			for _, id := range batch {
				k, err := fn(tx, id)
				if err != nil {
					return err
				}
				n += k
			}
			return nil
		})
		if err != nil {
			return total, err
		}
		total += n
	}
	return total, nil
}

// forRun is the service for one run of the clock job: the agreement terms
// and calendars it reads are decoded once per run, not once per request.
func (s *Service) forRun() *Service {
	run := *s
	run.Resolve = &termsCache{Resolver: s.Resolve, terms: map[termsKey]coverage.AgreementTerms{}}
	calendars, lookup := map[string]*calendar.Calendar{}, s.Calendars
	run.Calendars = func(ctx context.Context, id string) (*calendar.Calendar, error) {
		if c, ok := calendars[id]; ok {
			return c, nil
		}
		c, err := lookup(ctx, id)
		if err == nil {
			calendars[id] = c
		}
		return c, err
	}
	return &run
}

// termsCache remembers the terms in force per agreement and civil date
// (the version in force is chosen by the date in Shanghai).
type termsCache struct {
	Resolver
	terms map[termsKey]coverage.AgreementTerms
}

type termsKey struct {
	agreementID int64
	date        string
}

func (c *termsCache) Agreement(ctx context.Context, q store.Queryer, agreementID int64, at time.Time) (coverage.AgreementTerms, error) {
	k := termsKey{agreementID, calendar.LocalDate(at)}
	if t, ok := c.terms[k]; ok {
		return t, nil
	}
	t, err := c.Resolver.Agreement(ctx, q, agreementID, at)
	if err == nil {
		c.terms[k] = t
	}
	return t, err
}

// A lease is one run's hold on a periodic job, in the run_leases table, so
// that it holds across instances on one database; it expires on its own if
// the process dies.
type lease struct {
	db           *store.DB
	name, holder string
	ttl          time.Duration
}

// errLeaseLost stops a run whose lease another run took over.
var errLeaseLost = errors.New("the run's lease expired and another run took it over")

// takeLease takes the lease called name unless another run holds it.
func takeLease(ctx context.Context, db *store.DB, name string, ttl time.Duration) (*lease, bool, error) {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		return nil, false, err
	}
	l := &lease{db: db, name: name, holder: hex.EncodeToString(b), ttl: ttl}
	now := time.Now().UTC()
	taken := false
	err := db.Tx(ctx, func(tx *sqlx.Tx) error {
		if _, err := store.Exec(ctx, tx, `INSERT INTO run_leases (name, holder, expires_at) VALUES (?, '', ?) ON CONFLICT (name) DO NOTHING`,
			name, now.Add(-time.Second)); err != nil {
			return err
		}
		res, err := store.Exec(ctx, tx, `UPDATE run_leases SET holder = ?, expires_at = ? WHERE name = ? AND expires_at < ?`,
			l.holder, now.Add(ttl), name, now)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		taken = n == 1
		return err
	})
	return l, taken, err
}

func (l *lease) renew(ctx context.Context) error {
	res, err := store.Exec(ctx, l.db, `UPDATE run_leases SET expires_at = ? WHERE name = ? AND holder = ?`, time.Now().UTC().Add(l.ttl), l.name, l.holder)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return errors.Join(errLeaseLost, err)
	}
	return nil
}

func (l *lease) release(ctx context.Context) error {
	_, err := store.Exec(ctx, l.db, `UPDATE run_leases SET expires_at = ? WHERE name = ? AND holder = ?`, time.Now().UTC().Add(-time.Second), l.name, l.holder)
	return err
}
