package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jmoiron/sqlx"
)

// maxGroup bounds the writes one SQLite transaction commits together, so
// that the first of them does not wait behind an unbounded queue.
const maxGroup = 64

// writeWait is how long a write whose context has no deadline waits for its
// turn, as long as SQLite's busy_timeout. A write whose context has a
// deadline (every request's, see web's deadlines) waits until that deadline:
// a write queued behind a large import succeeds if its request has the time.
const writeWait = 30 * time.Second

// ErrWriterBusy is the answer to a write that found no turn within writeWait.
// It committed nothing and may be tried again.
var ErrWriterBusy = errors.New("database is busy: no turn to write within 30s")

// A group commits SQLite's writes together. SQLite has one writer at a
// time, and a commit writes every page the transaction changed to the log,
// two system calls each: a service request changes about eighteen pages, most
// of them the last page of a table or index that the next request changes
// too. Writes that queue while the writer is busy are therefore committed
// in one transaction by whichever of them gets the next turn (the leader),
// each after the first in a savepoint of its own, so that each still
// succeeds or fails alone: a write that fails is rolled back to its
// savepoint and the others commit. The first needs none: if it fails, the
// transaction, holding nothing else, is rolled back, and the writes after it
// start another. A write that finds the writer free commits alone.
//
// The turn is a channel of capacity one: the goroutines waiting to send on
// it are served in order, so writes are served first come, first served,
// with no polling. Other processes, and the session store, still meet
// SQLite's own busy handler.
type group struct {
	db   *DB
	turn chan struct{}
	// conn is the connection every group is written on, held by whoever has
	// the turn. SQLite drops a connection's page cache whenever another
	// connection has written since its last transaction, so writing on one
	// connection keeps the pages the writes touch (the last pages of each
	// table and index) in its cache; reads use the rest of the pool.
	conn *sqlx.Conn

	mu    sync.Mutex
	queue []*write

	stats groupStats
}

// groupStats count what the writer has done since the process started.
type groupStats struct {
	groups, writes atomic.Int64
	busy           atomic.Int64 // nanoseconds spent committing groups
}

// WriterStats describe SQLite's single writer since the process started:
// how many transactions it committed (Groups), how many writes they held
// (Writes), and how long it was busy. Busy time close to the elapsed time
// means writes wait for their turn: the writer is the bottleneck.
type WriterStats struct {
	Groups, Writes int64
	Busy           time.Duration
}

// A write is one caller's transaction body waiting for, or done by, a group.
type write struct {
	ctx   context.Context
	fn    func(tx *sqlx.Tx) error
	claim *Claim

	taken bool // by a leader; guarded by group.mu
	err   error
	panic any
	done  chan struct{}
}

func newGroup(db *DB) *group {
	return &group{db: db, turn: make(chan struct{}, 1)}
}

// run commits fn in the next group and returns its own outcome.
// If patient is more than zero, the write first waits that long for a
// leader to take it along before it competes for the turn itself.
func (g *group) run(ctx context.Context, fn func(tx *sqlx.Tx) error, patient time.Duration) error {
	w := &write{ctx: ctx, fn: fn, done: make(chan struct{})}
	if c := pendingClaim(ctx); c != nil {
		w.claim = c
		w.fn = c.after(ctx, fn)
	}
	g.mu.Lock()
	g.queue = append(g.queue, w)
	g.mu.Unlock()
	if patient > 0 {
		wait := time.NewTimer(patient)
		defer wait.Stop()
		select {
		case <-w.done:
			return w.outcome()
		case <-ctx.Done():
			return g.giveUp(w, ctx.Err())
		case <-wait.C:
		}
	}
	var noTurn <-chan time.Time // a write with a deadline of its own waits until it
	if _, ok := ctx.Deadline(); !ok {
		timeout := time.NewTimer(writeWait)
		defer timeout.Stop()
		noTurn = timeout.C
	}
	for {
		select {
		case g.turn <- struct{}{}:
			g.lead()
		case <-w.done:
		case <-ctx.Done():
			return g.giveUp(w, ctx.Err())
		case <-noTurn:
			return g.giveUp(w, ErrWriterBusy)
		}
		select {
		case <-w.done:
			return w.outcome()
		default:
			// More than maxGroup were queued ahead of this write: wait again.
		}
	}
}

// giveUp withdraws w and returns err, unless a leader has taken w already:
// then w's own outcome, once known, is the answer.
func (g *group) giveUp(w *write, err error) error {
	if g.withdraw(w) {
		return err
	}
	<-w.done
	return w.outcome()
}

// lead commits what is queued, holding the turn.
func (g *group) lead() {
	defer func() { <-g.turn }()
	if batch := g.take(); len(batch) > 0 {
		start := time.Now()
		g.commit(batch)
		g.stats.busy.Add(int64(time.Since(start)))
		g.stats.groups.Add(1)
		g.stats.writes.Add(int64(len(batch)))
	}
}

// take removes up to maxGroup writes from the head of the queue.
func (g *group) take() []*write {
	g.mu.Lock()
	defer g.mu.Unlock()
	n := min(len(g.queue), maxGroup)
	batch := make([]*write, n)
	copy(batch, g.queue)
	for _, w := range batch {
		w.taken = true
	}
	g.queue = append(g.queue[:0], g.queue[n:]...)
	return batch
}

// withdraw removes w from the queue unless a leader has taken it.
func (g *group) withdraw(w *write) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if w.taken {
		return false
	}
	for i, q := range g.queue {
		if q == w {
			g.queue = append(g.queue[:i], g.queue[i+1:]...)
			break
		}
	}
	return true
}

// commit runs batch in one transaction and tells each write its outcome.
// The transaction is not bound to any caller's context: one caller leaving
// must not roll back the others' writes (statements inside a transaction
// are not interrupted either; see cachingConn).
func (g *group) commit(batch []*write) {
	defer func() {
		for _, w := range batch {
			if w.claim != nil {
				w.claim.settle(w.err == nil)
			}
			close(w.done)
		}
	}()
	failAll := func(err error) {
		for _, w := range batch {
			if w.err == nil {
				w.err = err
			}
		}
	}
	ctx := context.Background()
	var tx *sqlx.Tx // nil until a write needs it, and again after a first write failed
	committing := 0
	for _, w := range batch {
		if err := w.ctx.Err(); err != nil {
			w.err = err
			continue
		}
		if tx == nil {
			var err error
			if tx, err = g.begin(ctx); err != nil {
				failAll(fmt.Errorf("begin: %w", err))
				return
			}
		}
		if committing == 0 {
			// The transaction holds no other write yet, so rolling all of it
			// back undoes this write alone: it needs no savepoint, and SQLite
			// copies none of the pages it changes to a savepoint's journal
			// (a service request changes about thirty-five). If it fails, the
			// writes after it start a transaction of their own.
			if w.err = w.call(tx); w.err != nil {
				_ = tx.Rollback()
				tx = nil
				continue
			}
			committing++
			continue
		}
		if _, err := tx.ExecContext(ctx, `SAVEPOINT grp`); err != nil {
			_ = tx.Rollback()
			failAll(fmt.Errorf("savepoint: %w", err))
			return
		}
		w.err = w.call(tx)
		if w.err != nil {
			// A failure that ended the whole transaction (an I/O error, a full
			// disk) leaves no savepoint to return to: every write fails.
			if _, err := tx.ExecContext(ctx, `ROLLBACK TO grp`); err != nil {
				_ = tx.Rollback()
				failAll(fmt.Errorf("rollback to savepoint after %v: %w", w.err, err))
				return
			}
		} else {
			committing++
		}
		if _, err := tx.ExecContext(ctx, `RELEASE grp`); err != nil {
			_ = tx.Rollback()
			failAll(fmt.Errorf("release savepoint: %w", err))
			return
		}
	}
	if tx == nil {
		return // every write failed or left (a transaction holds a write once begun)
	}
	if err := tx.Commit(); err != nil {
		failAll(fmt.Errorf("commit: %w", err))
	}
}

// begin starts a transaction on the writer's connection, taking a new one
// from the pool if it has none or its connection broke. It is called with
// the turn held.
func (g *group) begin(ctx context.Context) (*sqlx.Tx, error) {
	for attempt := 0; ; attempt++ {
		if g.conn == nil {
			c, err := g.db.Connx(ctx)
			if err != nil {
				return nil, err
			}
			g.conn = c
		}
		tx, err := g.conn.BeginTxx(ctx, nil)
		if err == nil || attempt > 0 {
			return tx, err
		}
		// A broken connection: give it back (database/sql discards it) and retry once.
		_ = g.conn.Close()
		g.conn = nil
	}
}

// close gives the writer's connection back to the pool.
func (g *group) close() {
	g.turn <- struct{}{}
	defer func() { <-g.turn }()
	if g.conn != nil {
		_ = g.conn.Close()
		g.conn = nil
	}
}

// call runs the write's body; a panic becomes its error here and is raised
// again in the caller's goroutine.
func (w *write) call(tx *sqlx.Tx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			w.panic = p
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return w.fn(tx)
}

func (w *write) outcome() error {
	if w.panic != nil {
		panic(w.panic)
	}
	return w.err
}
