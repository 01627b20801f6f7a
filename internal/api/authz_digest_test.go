package api_test

import (
	"database/sql"
	"fmt"
	"maps"
	"strings"
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
//   - SQLite: one mark for the database, PRAGMA data_version of a
//     connection kept for the purpose, which changes whenever another
//     connection commits (the app's connections; this one only reads).
//   - PostgreSQL: a mark per table, a sequence of the table's name in a
//     schema of its own, advanced by a trigger after every statement that
//     writes to the table (a sequence takes no lock and is not undone by a
//     rollback, so the mark moves for every write, committed or not); only
//     the tables whose mark moved are digested again. A write is seen by
//     the mark before its commit: while another session of the database has
//     a transaction that wrote (pg_stat_activity's backend_xid), the
//     snapshot is not kept.
type digests struct {
	db     *store.DB
	conn   *sql.Conn // SQLite: the connection whose data_version is the mark
	tables []string  // PostgreSQL: the tables the snapshot reads, each with its mark

	marks map[string]int64 // by table; SQLite's one mark under ""
	last  map[string]string
	valid bool
}

// markSchema holds the PostgreSQL marks: the sequences and their trigger function.
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
		`CREATE FUNCTION ` + markSchema + `.bump() RETURNS trigger LANGUAGE plpgsql AS
			$$BEGIN PERFORM nextval(format('%I.%I', '` + markSchema + `', TG_TABLE_NAME)); RETURN NULL; END$$`,
	}
	for _, table := range tables {
		if volatileTables[table] == "skip" {
			continue // not in the snapshot: its writes need not move a mark
		}
		d.tables = append(d.tables, table)
		seq := markSchema + `.` + quoteIdent(table)
		stmts = append(stmts, `CREATE SEQUENCE `+seq,
			`SELECT nextval(`+quoteLiteral(seq)+`)`, // from here on, last_value moves with every nextval
			`CREATE TRIGGER walk_mark AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON `+quoteIdent(table)+
				` FOR EACH STATEMENT EXECUTE FUNCTION `+markSchema+`.bump()`)
	}
	for _, q := range stmts {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("the snapshots' marks: %s: %v", q, err)
		}
	}
	return d
}

// snapshot is the package's snapshot of d's database, whose tables are read
// again only when their mark has moved since the last one.
func (d *digests) snapshot(t *testing.T) map[string]string {
	t.Helper()
	marks, settled := d.readMarks(t)
	if d.conn != nil {
		if !d.valid || marks[""] != d.marks[""] {
			d.last = snapshot(t, d.db)
		}
	} else {
		var stale []string
		for _, table := range d.tables {
			if !d.valid || marks[table] != d.marks[table] {
				stale = append(stale, table)
			}
		}
		if d.last == nil {
			d.last = map[string]string{}
		}
		if len(stale) > 0 {
			maps.Copy(d.last, snapshotPostgres(t, d.db, stale))
		}
	}
	d.marks, d.valid = marks, settled
	return maps.Clone(d.last)
}

// readMarks reads the marks, and whether no write they have counted can
// still be committed after them.
func (d *digests) readMarks(t *testing.T) (marks map[string]int64, settled bool) {
	t.Helper()
	ctx := t.Context()
	if d.conn != nil {
		var mark int64
		if err := d.conn.QueryRowContext(ctx, `PRAGMA data_version`).Scan(&mark); err != nil {
			t.Fatalf("read the database's data_version: %v", err)
		}
		return map[string]int64{"": mark}, true
	}
	parts := make([]string, len(d.tables))
	for i, table := range d.tables {
		parts[i] = fmt.Sprintf(`SELECT %s AS table_name, last_value FROM %s.%s`, quoteLiteral(table), markSchema, quoteIdent(table))
	}
	var rows []struct {
		Table string `db:"table_name"`
		Value int64  `db:"last_value"`
	}
	if err := store.Select(ctx, d.db, &rows, strings.Join(parts, "\nUNION ALL ")); err != nil {
		t.Fatalf("read the snapshots' marks: %v", err)
	}
	var busy bool
	if err := store.Get(ctx, d.db, &busy, `SELECT EXISTS (SELECT 1 FROM pg_stat_activity
		WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL)`); err != nil {
		t.Fatalf("read the database's writers: %v", err)
	}
	marks = make(map[string]int64, len(rows))
	for _, r := range rows {
		marks[r.Table] = r.Value
	}
	return marks, !busy
}
