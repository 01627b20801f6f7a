package store

import (
	"context"
	"sync"
	"time"
)

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
}

func startCheckpointer(db *DB) *checkpointer {
	c := &checkpointer{stop: make(chan struct{})}
	c.done.Add(1)
	go func() {
		defer c.done.Done()
		t := time.NewTicker(checkpointEvery)
		defer t.Stop()
		for {
			select {
			case <-c.stop:
				return
			case <-t.C:
				// An error (the database busy or closing) is retried on the next tick.
				_, _ = db.DB.ExecContext(context.Background(), `PRAGMA wal_checkpoint(PASSIVE)`)
			}
		}
	}()
	return c
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
