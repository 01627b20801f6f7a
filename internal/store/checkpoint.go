package store

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// WALLimit is the size the write-ahead log may reach before a checkpoint
// that keeps failing to reach its end is forced. A PASSIVE checkpoint
// cannot copy the frames a reader's snapshot still needs, nor can the log
// start over while a reader is on it, so under continuous reads the log
// only grew (4 GB after 95,000 creates). Once it is past the limit for
// walStuckTicks ticks in a row, a TRUNCATE checkpoint waits for the readers
// of old snapshots (at most walForceWait, holding off writers meanwhile),
// copies the whole log and truncates the file to nothing.
// journal_size_limit trims the file to the same size whenever the log
// starts over by itself.
const (
	WALLimit      = 64 << 20
	walStuckTicks = 2
	walForceWait  = time.Second
)

// CheckpointStats counts the checkpoints forced because the log stayed
// past its limit, and those of them that did not complete in time.
type CheckpointStats struct {
	Forced, Failed uint64
}

// checkpointEvery is how often the WAL is copied back into the database file.
const checkpointEvery = 200 * time.Millisecond

// checkpointer copies SQLite's write-ahead log into the database file from a
// goroutine of its own. SQLite would otherwise do it inside the commit that
// takes the log past 1,000 pages, and that commit, with the writer's turn
// held, waits for the copy and its fsync: a stall of tens of milliseconds
// every few hundred writes, which was most of the p99 of filing a request.
// A PASSIVE checkpoint waits for no reader or writer; what it cannot copy
// yet is copied on a later tick.
type checkpointer struct {
	stop chan struct{}
	done sync.WaitGroup
	// limit is WALLimit in bytes; a test may set it lower.
	limit          atomic.Int64
	forced, failed atomic.Uint64
}

func startCheckpointer(db *DB) *checkpointer {
	c := &checkpointer{stop: make(chan struct{})}
	c.limit.Store(WALLimit)
	c.done.Add(1)
	go func() {
		defer c.done.Done()
		t := time.NewTicker(checkpointEvery)
		defer t.Stop()
		pageSize, stuck := int64(0), 0
		for {
			select {
			case <-c.stop:
				return
			case <-t.C:
			}
			ctx := context.Background()
			if pageSize == 0 {
				// An error (the database busy or closing) is retried on the next tick.
				if err := db.DB.QueryRowContext(ctx, `PRAGMA page_size`).Scan(&pageSize); err != nil {
					continue
				}
			}
			// busy is 1 when the checkpoint could not start; frames is the
			// log's length, copied how much of it was copied.
			var busy, frames, copied int64
			if err := db.DB.QueryRowContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &frames, &copied); err != nil {
				continue
			}
			if frames*pageSize <= c.limit.Load() {
				stuck = 0
				continue
			}
			if stuck++; stuck < walStuckTicks {
				continue
			}
			stuck = 0
			c.forced.Add(1)
			if !c.force(ctx, db) {
				c.failed.Add(1)
			}
		}
	}()
	return c
}

// force runs a TRUNCATE checkpoint on a connection that waits at most
// walForceWait for the readers and the writer; it reports whether the log
// was copied whole and truncated.
func (c *checkpointer) force(ctx context.Context, db *DB) bool {
	conn, err := db.DB.Conn(ctx)
	if err != nil {
		return false
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `PRAGMA busy_timeout = `+itoa(walForceWait.Milliseconds())); err != nil {
		return false
	}
	// The connection goes back to the pool with the usual patience.
	defer conn.ExecContext(ctx, `PRAGMA busy_timeout = 30000`) //nolint:errcheck
	var busy, frames, copied int64
	if err := conn.QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &frames, &copied); err != nil {
		return false
	}
	return busy == 0
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// CheckpointStats tells how often the log had to be forced back to its
// limit (zero on PostgreSQL).
func (db *DB) CheckpointStats() CheckpointStats {
	if db.checkpoints == nil {
		return CheckpointStats{}
	}
	return CheckpointStats{Forced: db.checkpoints.forced.Load(), Failed: db.checkpoints.failed.Load()}
}

func (c *checkpointer) close() {
	close(c.stop)
	c.done.Wait()
}

// Close stops the checkpointer, if any, and closes the pool; SQLite
// checkpoints the log when its last connection closes.
func (db *DB) Close() error {
	if db.checkpoints != nil {
		db.checkpoints.close()
		db.checkpoints = nil
	}
	if db.group != nil {
		db.group.close()
	}
	return db.DB.Close()
}

// TruncateLog copies SQLite's whole write-ahead log into the database file
// and empties it, waiting for readers as long as the pool's busy timeout
// allows. A bulk writer calls it between its transactions, when no write
// of its own is open: the background checkpointer cannot keep up with
// transactions that hold the write lock for seconds one after another, and
// the log would grow by the size of everything written. Nothing to do on
// PostgreSQL.
func (db *DB) TruncateLog(ctx context.Context) error {
	if db.Engine != SQLite {
		return nil
	}
	var busy, frames, copied int64
	if err := db.DB.QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &frames, &copied); err != nil {
		return err
	}
	if busy != 0 {
		return errors.New("the write-ahead log could not be emptied: a reader or writer held it past the busy timeout")
	}
	return nil
}
