package api_test

import (
	"database/sql"
	"maps"
	"testing"

	"aftersales/internal/store"
)

// digests takes snapshots of one database for the authorization walk, and
// reads the tables again only when something may have been written since
// the last snapshot. The walk digests every table before and after each
// refused write; most refused writes write nothing, and many follow another
// refused write with nothing written in between, so most of these
// snapshots would read the same rows again.
//
// Whether anything may have been written is told by a mark that moves with
// every write, read before the tables: a write that lands while they are
// read moves it past the snapshot's, and the next snapshot reads the
// tables again.
//   - SQLite: PRAGMA data_version of a connection kept for the purpose,
//     which changes whenever another connection commits (the app's
//     connections; this one only reads).
//   - PostgreSQL: a sequence of its own schema, advanced by a trigger after
//     every statement that writes to a table the snapshot reads (a
//     sequence takes no lock and is not undone by a rollback, so the mark
//     moves for every write, committed or not). A write is seen by the
//     mark before its commit: while another session of the database has a
//     transaction that wrote (pg_stat_activity's backend_xid), the
//     snapshot is not kept.
type digests struct {
	db   *store.DB
	conn *sql.Conn // SQLite: the connection whose data_version is the mark

	mark  int64
	last  map[string]string
	valid bool
}

// markSchema holds the PostgreSQL mark: the sequence and its trigger function.
const markSchema = "walk_mark"

func newDigests(t *testing.T, db *store.DB) *digests {
	t.Helper()
	d := &digests{db: db}
	ctx := t.Context()
	if db.Engine == store.SQLite {
		conn, err := db.Conn(ctx)
		if err != nil {
			t.Fatalf("a connection for the snapshots' mark: %v", err)
		}
		t.Cleanup(func() { conn.Close() })
		d.conn = conn
		return d
	}
	var tables []string
	if err := store.Select(ctx, db, &tables, `SELECT table_name FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`); err != nil {
		t.Fatalf("list tables: %v", err)
	}
	stmts := []string{
		`CREATE SCHEMA ` + markSchema,
		`CREATE SEQUENCE ` + markSchema + `.writes`,
		`SELECT nextval('` + markSchema + `.writes')`, // from here on, last_value moves with every nextval
		`CREATE FUNCTION ` + markSchema + `.bump() RETURNS trigger LANGUAGE plpgsql AS
			$$BEGIN PERFORM nextval('` + markSchema + `.writes'); RETURN NULL; END$$`,
	}
	for _, table := range tables {
		if volatileTables[table] == "skip" {
			continue // not in the snapshot: its writes need not move the mark
		}
		stmts = append(stmts, `CREATE TRIGGER walk_mark AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON `+quoteIdent(table)+
			` FOR EACH STATEMENT EXECUTE FUNCTION `+markSchema+`.bump()`)
	}
	for _, q := range stmts {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("the snapshots' mark: %s: %v", q, err)
		}
	}
	return d
}

// snapshot is the package's snapshot of d's database, read again only when
// the mark has moved since the last one.
func (d *digests) snapshot(t *testing.T) map[string]string {
	t.Helper()
	mark, settled := d.readMark(t)
	if !d.valid || mark != d.mark {
		d.last, d.mark = snapshot(t, d.db), mark
	}
	d.valid = settled
	return maps.Clone(d.last)
}

// readMark reads the mark, and whether no write the mark has counted can
// still be committed after it.
func (d *digests) readMark(t *testing.T) (mark int64, settled bool) {
	t.Helper()
	if d.conn != nil {
		if err := d.conn.QueryRowContext(t.Context(), `PRAGMA data_version`).Scan(&mark); err != nil {
			t.Fatalf("read the database's data_version: %v", err)
		}
		return mark, true
	}
	var busy bool
	if err := d.db.QueryRowContext(t.Context(), `SELECT (SELECT last_value FROM `+markSchema+`.writes),
		EXISTS (SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL)`).
		Scan(&mark, &busy); err != nil {
		t.Fatalf("read the snapshots' mark: %v", err)
	}
	return mark, !busy
}
