package store

import (
	"context"
	"errors"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
)

// openGroupProbe opens an SQLite database with a table of names.
func openGroupProbe(t *testing.T) *DB {
	t.Helper()
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "group.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := Exec(context.Background(), db, `CREATE TABLE probe (name TEXT NOT NULL UNIQUE)`); err != nil {
		t.Fatal(err)
	}
	return db
}

func probeNames(t *testing.T, db *DB) []string {
	t.Helper()
	var out []string
	if err := Select(context.Background(), db, &out, `SELECT name FROM probe ORDER BY name`); err != nil {
		t.Fatal(err)
	}
	return out
}

// holdTurn starts a write that keeps the writer's turn until release is
// called, so that the writes started meanwhile queue up and are committed
// together by the next leader.
func holdTurn(t *testing.T, db *DB) (release func()) {
	t.Helper()
	started, hold := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- db.Tx(context.Background(), func(tx *sqlx.Tx) error {
			close(started)
			<-hold
			_, err := Exec(context.Background(), tx, `INSERT INTO probe (name) VALUES ('holder')`)
			return err
		})
	}()
	<-started
	return func() {
		close(hold)
		if err := <-done; err != nil {
			t.Errorf("holder: %v", err)
		}
	}
}

// waitQueued waits until n writes are queued behind the turn.
func waitQueued(t *testing.T, db *DB, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		db.group.mu.Lock()
		queued := len(db.group.queue)
		db.group.mu.Unlock()
		if queued >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d writes queued, want %d", queued, n)
		}
		time.Sleep(time.Millisecond)
	}
}

// Writes that queue while the writer is busy commit in one transaction, and
// each still succeeds or fails alone: a failed write leaves nothing behind,
// its neighbours commit, and a panic reaches its own caller.
func TestGroupCommitsEachWriteAlone(t *testing.T) {
	t.Parallel()
	db := openGroupProbe(t)
	before, _ := db.WriterStats()
	release := holdTurn(t, db)

	boom := errors.New("boom")
	type outcome struct {
		name  string
		err   error
		panic any
	}
	writes := map[string]func(tx *sqlx.Tx) error{
		"ok-1": func(tx *sqlx.Tx) error { return insertProbe(tx, "ok-1") },
		"fails-after-writing": func(tx *sqlx.Tx) error {
			if err := insertProbe(tx, "fails-after-writing"); err != nil {
				return err
			}
			return boom
		},
		"duplicate": func(tx *sqlx.Tx) error {
			if err := insertProbe(tx, "duplicate-first-row"); err != nil {
				return err
			}
			return insertProbe(tx, "ok-1") // a unique violation, after ok-1 in the same group
		},
		"panics": func(tx *sqlx.Tx) error {
			if err := insertProbe(tx, "panics"); err != nil {
				return err
			}
			panic("write panicked")
		},
		"ok-2": func(tx *sqlx.Tx) error { return insertProbe(tx, "ok-2") },
	}
	order := []string{"ok-1", "fails-after-writing", "duplicate", "panics", "ok-2"}
	results := make(chan outcome, len(order))
	var wg sync.WaitGroup
	for i, name := range order {
		wg.Add(1)
		go func() {
			defer wg.Done()
			o := outcome{name: name}
			defer func() {
				o.panic = recover()
				results <- o
			}()
			o.err = db.Tx(context.Background(), writes[name])
		}()
		waitQueued(t, db, i+1) // keep the queue in order
	}
	release()
	wg.Wait()
	close(results)

	got := map[string]outcome{}
	for o := range results {
		got[o.name] = o
	}
	if got["ok-1"].err != nil || got["ok-2"].err != nil {
		t.Errorf("good writes failed: %v, %v", got["ok-1"].err, got["ok-2"].err)
	}
	if !errors.Is(got["fails-after-writing"].err, boom) {
		t.Errorf("failing write: %v", got["fails-after-writing"].err)
	}
	if !IsUniqueViolation(got["duplicate"].err) {
		t.Errorf("duplicate write: %v", got["duplicate"].err)
	}
	if got["panics"].panic != "write panicked" {
		t.Errorf("panicking write: panic %v, err %v", got["panics"].panic, got["panics"].err)
	}
	want := []string{"holder", "ok-1", "ok-2"}
	if names := probeNames(t, db); strings.Join(names, ",") != strings.Join(want, ",") {
		t.Errorf("rows %v, want %v", names, want)
	}
	// The holder alone, then the five queued behind it in one transaction.
	after, ok := db.WriterStats()
	if groups, writes := after.Groups-before.Groups, after.Writes-before.Writes; !ok || groups != 2 || writes != 6 || after.Busy <= before.Busy {
		t.Errorf("writer stats: %d transactions, %d writes, busy %v → %v", groups, writes, before.Busy, after.Busy)
	}
}

// queueWrites queues fns in order behind a held turn, lets the next leader
// commit them together, and returns each write's error.
func queueWrites(t *testing.T, db *DB, fns ...func(tx *sqlx.Tx) error) []error {
	t.Helper()
	release := holdTurn(t, db)
	errs := make([]error, len(fns))
	var wg sync.WaitGroup
	for i, fn := range fns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = db.Tx(context.Background(), fn)
		}()
		waitQueued(t, db, i+1)
	}
	release()
	wg.Wait()
	return errs
}

// The first write of a group's transaction runs in no savepoint: SQLite
// would copy every page it changes to the savepoint's journal, and rolling
// back the transaction undoes it as well. The writes after it have one each.
func TestGroupFirstWriteInNoSavepoint(t *testing.T) {
	t.Parallel()
	db := openGroupProbe(t)
	var first, second error
	errs := queueWrites(t, db,
		func(tx *sqlx.Tx) error {
			if err := insertProbe(tx, "first"); err != nil {
				return err
			}
			// With a savepoint, this would undo the row above.
			_, first = tx.Exec(`ROLLBACK TO grp`)
			return nil
		},
		func(tx *sqlx.Tx) error {
			_, second = tx.Exec(`ROLLBACK TO grp`)
			return insertProbe(tx, "second")
		})
	if errs[0] != nil || errs[1] != nil {
		t.Fatalf("writes failed: %v", errs)
	}
	if first == nil || !strings.Contains(first.Error(), "no such savepoint") {
		t.Errorf("first write's ROLLBACK TO grp: %v, want no such savepoint", first)
	}
	if second != nil {
		t.Errorf("second write's ROLLBACK TO grp: %v, want its savepoint", second)
	}
	if names, want := probeNames(t, db), "first,holder,second"; strings.Join(names, ",") != want {
		t.Errorf("rows %v, want %s", names, want)
	}
}

// A first write that fails takes the transaction with it, and nothing else:
// the writes after it commit in a transaction of their own, each again
// alone in its outcome.
func TestGroupFirstWriteFailing(t *testing.T) {
	t.Parallel()
	db := openGroupProbe(t)
	boom := errors.New("boom")
	failing := func(name string) func(tx *sqlx.Tx) error {
		return func(tx *sqlx.Tx) error {
			if err := insertProbe(tx, name); err != nil {
				return err
			}
			return boom
		}
	}
	ok := func(name string) func(tx *sqlx.Tx) error {
		return func(tx *sqlx.Tx) error { return insertProbe(tx, name) }
	}
	errs := queueWrites(t, db, failing("fails-first"), failing("fails-next"), ok("ok-1"), failing("fails-later"), ok("ok-2"))
	for i, want := range []error{boom, boom, nil, boom, nil} {
		if !errors.Is(errs[i], want) {
			t.Errorf("write %d: %v, want %v", i, errs[i], want)
		}
	}
	if names, want := probeNames(t, db), "holder,ok-1,ok-2"; strings.Join(names, ",") != want {
		t.Errorf("rows %v, want %s", names, want)
	}
}

// A write whose caller gives up while it waits is withdrawn and never runs;
// a caller that leaves while its write runs rolls back only its own write.
func TestGroupCallerLeaving(t *testing.T) {
	t.Parallel()
	db := openGroupProbe(t)
	release := holdTurn(t, db)

	waiting, giveUp := context.WithCancel(context.Background())
	gaveUp := make(chan error, 1)
	go func() {
		gaveUp <- db.Tx(waiting, func(tx *sqlx.Tx) error { return insertProbe(tx, "withdrawn") })
	}()
	waitQueued(t, db, 1)
	giveUp()
	if err := <-gaveUp; !errors.Is(err, context.Canceled) {
		t.Fatalf("withdrawn write: %v", err)
	}

	leaving, leave := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	errs := make([]error, 3)
	bodies := []func(tx *sqlx.Tx) error{
		func(tx *sqlx.Tx) error { return insertProbe(tx, "before") },
		func(tx *sqlx.Tx) error {
			// The caller's request ends while a long statement runs. SQLite
			// would roll back the whole transaction, the neighbours' writes
			// too, if the statement were interrupted; it runs to its end,
			// and the caller's next statement fails instead.
			time.AfterFunc(20*time.Millisecond, leave)
			if _, err := Exec(leaving, tx, `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 300000)
				INSERT INTO probe (name) SELECT 'leaver-' || MAX(x) FROM c`); err != nil {
				return err
			}
			_, err := Exec(leaving, tx, `INSERT INTO probe (name) VALUES ('leaver-2')`)
			return err
		},
		func(tx *sqlx.Tx) error { return insertProbe(tx, "after") },
	}
	for i, body := range bodies {
		ctx := context.Background()
		if i == 1 {
			ctx = leaving
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = db.Tx(ctx, body)
		}()
		waitQueued(t, db, i+1)
	}
	release()
	wg.Wait()
	if errs[0] != nil || errs[2] != nil || !errors.Is(errs[1], context.Canceled) {
		t.Fatalf("errors %v", errs)
	}
	names := probeNames(t, db)
	sort.Strings(names)
	if want := "after,before,holder"; strings.Join(names, ",") != want {
		t.Errorf("rows %v, want %s", names, want)
	}
}

func insertProbe(tx *sqlx.Tx, name string) error {
	_, err := Exec(context.Background(), tx, `INSERT INTO probe (name) VALUES (?)`, name)
	return err
}

// A write nobody waits for commits with the next group, or alone when no
// other write comes.
func TestTxSoon(t *testing.T) {
	t.Parallel()
	db := openGroupProbe(t)
	if err := db.TxSoon(context.Background(), func(tx *sqlx.Tx) error { return insertProbe(tx, "alone") }); err != nil {
		t.Fatal(err)
	}
	release := holdTurn(t, db)
	soon := make(chan error, 1)
	go func() {
		soon <- db.TxSoon(context.Background(), func(tx *sqlx.Tx) error { return insertProbe(tx, "along") })
	}()
	waitQueued(t, db, 1)
	leader := make(chan error, 1)
	go func() {
		leader <- db.Tx(context.Background(), func(tx *sqlx.Tx) error { return insertProbe(tx, "leader") })
	}()
	waitQueued(t, db, 2)
	release()
	if err := <-leader; err != nil {
		t.Fatal(err)
	}
	if err := <-soon; err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(probeNames(t, db), ","); got != "alone,along,holder,leader" {
		t.Errorf("rows %s", got)
	}
}
