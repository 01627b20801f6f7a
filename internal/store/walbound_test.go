package store_test

import (
	"crypto/rand"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/store"
)

// Under continuous writes with readers always holding a snapshot, a
// PASSIVE checkpoint never reaches the end of the log and the log never
// starts over: it grows with every write. Past its limit for a second, the
// checkpointer forces it back, and it stays within a few times the limit.
// The first phase shows the growth with the limit out of reach; the
// second, with a 1 MiB limit, the bound.
func TestWALStaysBoundedUnderContinuousReads(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db, path := fillerDB(t, "BLOB")
	walSize := func() int64 {
		st, err := os.Stat(path + "-wal")
		if err != nil {
			return 0
		}
		return st.Size()
	}
	// load writes 16 KiB rows, four a transaction with pause after each,
	// and keeps two overlapping read transactions open until written bytes
	// have gone into the log; it returns the largest the log file was.
	load := func(bytes int64, pause time.Duration) int64 {
		var stop atomic.Bool
		var wg sync.WaitGroup
		for r := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				time.Sleep(time.Duration(r) * 40 * time.Millisecond)
				// A plain BEGIN: the pool's own transactions take the write lock at once.
				conn, err := db.DB.DB.Conn(ctx)
				if err != nil {
					t.Error(err)
					return
				}
				defer conn.Close()
				for !stop.Load() {
					if _, err := conn.ExecContext(ctx, `BEGIN`); err != nil {
						t.Error(err)
						return
					}
					var n int
					_ = conn.QueryRowContext(ctx, `SELECT COUNT(*) FROM filler`).Scan(&n)
					time.Sleep(80 * time.Millisecond)
					if _, err := conn.ExecContext(ctx, `ROLLBACK`); err != nil {
						t.Error(err)
						return
					}
				}
			}()
		}
		largest := int64(0)
		body := make([]byte, 16<<10)
		for written := int64(0); written < bytes; written += int64(len(body)) * 4 {
			rand.Read(body)
			if err := db.Tx(ctx, func(tx *sqlx.Tx) error {
				for range 4 {
					if _, err := store.Exec(ctx, tx, `INSERT INTO filler (body) VALUES (?)`, body); err != nil {
						return err
					}
				}
				_, err := store.Exec(ctx, tx, `DELETE FROM filler WHERE rowid < (SELECT MAX(rowid) FROM filler) - 64`)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			largest = max(largest, walSize())
			time.Sleep(pause)
		}
		stop.Store(true)
		wg.Wait()
		return largest
	}

	db.SetWALLimit(1 << 40)
	grown := load(12<<20, 0)
	t.Logf("without forcing: the log reached %d bytes", grown)
	if grown < 8<<20 {
		t.Fatalf("without forcing, the log reached only %d bytes: the load does not hold the checkpoint back", grown)
	}
	before := db.CheckpointStats()
	const limit = 1 << 20
	db.SetWALLimit(limit)
	// What the first phase left is forced back first.
	deadline := time.Now().Add(10 * time.Second)
	for walSize() > 4*limit && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	// About 2.5 MB a second: a busy server's rate of writes.
	largest := load(10<<20, 25*time.Millisecond)
	t.Logf("with a %d byte limit: the log reached at most %d bytes, %+v", limit, largest, db.CheckpointStats())
	if largest > 6*limit {
		t.Fatalf("with a %d byte limit the log reached %d bytes", limit, largest)
	}
	if st := db.CheckpointStats(); st.Forced <= before.Forced {
		t.Fatalf("no checkpoint was forced: %+v", st)
	}
}
