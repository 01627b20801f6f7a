package store

import (
	"context"
	"fmt"
	"regexp"
)

// Dialect is the SQL of one engine where the two engines differ. Domain
// packages ask the dialect of the connection or transaction they hold
// (DialectOf), never pass an engine around: the same hand-written SQL runs
// on both, and the few places that differ (full-text search, table locks,
// bulk loading) branch on the dialect inside their storage file.
type Dialect struct {
	engine Engine
}

// DialectOf is the dialect of the engine behind q (a DB, a transaction or
// a connection).
func DialectOf(q interface{ DriverName() string }) Dialect {
	if q.DriverName() == "pgx" {
		return Dialect{Postgres}
	}
	return Dialect{SQLite}
}

// Dialect is the dialect of db's engine.
func (db *DB) Dialect() Dialect { return Dialect{db.Engine} }

// Engine names the dialect's engine.
func (d Dialect) Engine() Engine { return d.engine }

// Postgres reports whether the dialect is PostgreSQL's.
func (d Dialect) Postgres() bool { return d.engine == Postgres }

// Pick returns the statement of the dialect's engine: sqlite on SQLite,
// postgres on PostgreSQL.
func (d Dialect) Pick(sqlite, postgres string) string {
	if d.Postgres() {
		return postgres
	}
	return sqlite
}

var tableName = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)

// NextID takes the id the next row of table will have, for a row whose
// other columns quote it (a request's number): PostgreSQL takes it from
// the table's id sequence; SQLite has one writer at a time, so inside a
// write it is the largest id plus one, as SQLite itself would choose.
func (d Dialect) NextID(ctx context.Context, q Queryer, table string) (int64, error) {
	if !tableName.MatchString(table) {
		return 0, fmt.Errorf("store: %q is not a table name", table)
	}
	var id int64
	err := Get(ctx, q, &id, d.Pick(`SELECT COALESCE(MAX(id), 0) + 1 FROM `+table,
		`SELECT nextval(pg_get_serial_sequence('`+table+`', 'id'))`))
	return id, err
}

// LockTable keeps other writers off table until tx ends, readers still
// reading: PostgreSQL takes the table's EXCLUSIVE lock; on SQLite a write
// transaction already excludes every other writer.
func (d Dialect) LockTable(ctx context.Context, tx Queryer, table string) error {
	if !tableName.MatchString(table) {
		return fmt.Errorf("store: %q is not a table name", table)
	}
	if !d.Postgres() {
		return nil
	}
	_, err := tx.ExecContext(ctx, `LOCK TABLE `+table+` IN EXCLUSIVE MODE`)
	return err
}

// SkipLocked is the clause that ends a SELECT taking the rows it reads for
// its transaction and passing over rows another transaction holds
// (PostgreSQL's FOR UPDATE SKIP LOCKED, with a leading space), so that
// workers sharing a queue each take a different row. It is empty on SQLite,
// where a write transaction already excludes every other writer.
func (d Dialect) SkipLocked() string {
	return d.Pick("", " FOR UPDATE SKIP LOCKED")
}

// SyncIDs moves the id sequences of tables past the highest id each holds,
// after rows were written with ids of their own (a bulk load): PostgreSQL's
// next id would otherwise collide with them. SQLite's next rowid is always
// past the highest, and needs nothing.
func (d Dialect) SyncIDs(ctx context.Context, q Queryer, tables ...string) error {
	for _, table := range tables {
		if !tableName.MatchString(table) {
			return fmt.Errorf("store: %q is not a table name", table)
		}
	}
	if !d.Postgres() {
		return nil
	}
	for _, table := range tables {
		_, err := Exec(ctx, q, `SELECT setval(pg_get_serial_sequence('`+table+`', 'id'), (SELECT MAX(id) FROM `+table+`))`)
		if err != nil {
			return fmt.Errorf("sequence of %s: %w", table, err)
		}
	}
	return nil
}
