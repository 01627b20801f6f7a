package store_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// column is a column as an engine's catalog describes it.
type column struct {
	Table string `db:"table_name"`
	Name  string `db:"column_name"`
	Type  string `db:"data_type"`
}

// searchOnly are the full-text search tables, which differ by design: on
// SQLite an FTS5 virtual table (with shadow tables of its own), on
// PostgreSQL a table with a tsvector column (STACK.md, "Search").
var searchOnly = map[store.Engine][]string{
	store.SQLite:   {"document_search", "request_fts"},
	store.Postgres: {"document_search", "request_search"},
}

// sameByDesign are columns whose kinds differ between the engines on purpose.
var sameByDesign = map[string]bool{
	// The session stores of alexedwards/scs keep the expiry as a Julian day
	// number on SQLite (sqlite3store) and as a timestamp on PostgreSQL.
	"sessions.expiry": true,
}

// typeClass maps each engine's declared column types onto the few kinds of
// value the product stores, so that the two schemas can be compared.
func typeClass(engine store.Engine, declared string) string {
	t := strings.ToLower(declared)
	switch {
	case t == "integer" || t == "bigint" || t == "smallint":
		return "integer"
	case t == "boolean":
		return "boolean"
	case t == "text" || strings.HasPrefix(t, "character"):
		return "text"
	case t == "real" || t == "double precision":
		return "float"
	case t == "blob" || t == "bytea":
		return "bytes"
	case strings.HasPrefix(t, "timestamp"):
		return "time"
	}
	return string(engine) + ":" + t
}

func schemaOf(t *testing.T, db *store.DB) map[string]string {
	t.Helper()
	ctx := context.Background()
	var cols []column
	var err error
	if db.Engine == store.SQLite {
		err = store.Select(ctx, db, &cols, `SELECT m.name AS table_name, p.name AS column_name, p.type AS data_type
			FROM sqlite_master m JOIN pragma_table_info(m.name) p
			WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.sql NOT LIKE 'CREATE VIRTUAL TABLE%'
			  AND m.name NOT LIKE '%search_%' AND m.name NOT LIKE '%fts_%'`)
	} else {
		err = store.Select(ctx, db, &cols, `SELECT c.table_name, c.column_name, c.data_type
			FROM information_schema.columns c JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
			WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'`)
	}
	if err != nil {
		t.Fatalf("read the schema: %v", err)
	}
	out := map[string]string{}
	for _, c := range cols {
		if c.Table == "goose_db_version" || slices.Contains(searchOnly[db.Engine], c.Table) {
			continue
		}
		out[c.Table+"."+c.Name] = typeClass(db.Engine, c.Type)
	}
	return out
}

// The migrations of the two engines make the same tables, with the same
// columns holding the same kinds of value.
func TestEnginesHaveTheSameSchema(t *testing.T) {
	t.Parallel()
	lite := schemaOf(t, testutil.NewDB(t, store.SQLite))
	pg := schemaOf(t, testutil.NewDB(t, store.Postgres))
	var diffs []string
	for col, kind := range lite {
		switch other, ok := pg[col]; {
		case !ok:
			diffs = append(diffs, fmt.Sprintf("%s only on SQLite", col))
		case other != kind && !sameByDesign[col]:
			diffs = append(diffs, fmt.Sprintf("%s is %s on SQLite, %s on PostgreSQL", col, kind, other))
		}
	}
	for col := range pg {
		if _, ok := lite[col]; !ok {
			diffs = append(diffs, fmt.Sprintf("%s only on PostgreSQL", col))
		}
	}
	slices.Sort(diffs)
	for _, d := range diffs {
		t.Error(d)
	}
	if len(lite) < 100 {
		t.Fatalf("only %d columns read from SQLite", len(lite))
	}
}
