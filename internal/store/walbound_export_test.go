package store

// SetWALLimit sets the size past which the checkpointer forces the log back.
func (db *DB) SetWALLimit(n int64) { db.checkpoints.limit.Store(n) }
