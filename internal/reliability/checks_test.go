package reliability

import (
	"context"
	"fmt"
	"hash/fnv"
	"net/url"
	"sort"
	"strings"
	"testing"

	"aftersales/internal/store"
)

// tables lists the product's tables (not the migration tool's).
func tables(t *testing.T, db *store.DB) []string {
	t.Helper()
	q := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'goose_%'
		AND name NOT LIKE '%_fts%' AND sql NOT LIKE 'CREATE VIRTUAL%'`
	if db.Engine == store.Postgres {
		q = `SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename NOT LIKE 'goose_%'`
	}
	var names []string
	if err := store.Select(context.Background(), db, &names, q); err != nil {
		t.Fatalf("list tables: %v", err)
	}
	sort.Strings(names)
	return names
}

// volatileColumns change when a request is only read or refused: a
// token's last use is noted (at most once a minute) on any request it
// authenticates.
var volatileColumns = map[string]bool{"api_tokens.last_used_at": true}

// tableSums reads every row of every table and returns, per table, its
// row count and an order-independent checksum of its contents.
func tableSums(t *testing.T, db *store.DB) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, name := range tables(t, db) {
		rows, err := db.QueryxContext(context.Background(), `SELECT * FROM `+name)
		if err != nil {
			t.Fatalf("read %s: %v", name, err)
		}
		cols, err := rows.Columns()
		if err != nil {
			rows.Close()
			t.Fatalf("read %s: %v", name, err)
		}
		var n int
		var sum uint64
		for rows.Next() {
			vals, err := rows.SliceScan()
			if err != nil {
				rows.Close()
				t.Fatalf("read %s: %v", name, err)
			}
			h := fnv.New64a()
			for i, v := range vals {
				if volatileColumns[name+"."+cols[i]] {
					continue
				}
				if b, ok := v.([]byte); ok {
					v = string(b)
				}
				fmt.Fprintf(h, "%v\x00", v)
			}
			sum += h.Sum64()
			n++
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			t.Fatalf("read %s: %v", name, err)
		}
		out[name] = fmt.Sprintf("%d rows, sum %016x", n, sum)
	}
	return out
}

// diffSums names the tables whose contents differ.
func diffSums(before, after map[string]string, ignore ...string) []string {
	skip := map[string]bool{}
	for _, s := range ignore {
		skip[s] = true
	}
	var out []string
	for name, b := range before {
		if !skip[name] && after[name] != b {
			out = append(out, fmt.Sprintf("%s: %s -> %s", name, b, after[name]))
		}
	}
	for name, a := range after {
		if _, ok := before[name]; !ok && !skip[name] {
			out = append(out, fmt.Sprintf("%s: new, %s", name, a))
		}
	}
	sort.Strings(out)
	return out
}

// integrity runs the engine's own check of the database files and reads
// every row of every table; it returns what it checked.
func integrity(t *testing.T, in *install, db *store.DB) string {
	t.Helper()
	ctx := context.Background()
	var did []string
	if db.Engine == store.SQLite {
		var res []string
		if err := store.Select(ctx, db, &res, `PRAGMA integrity_check`); err != nil {
			t.Fatalf("integrity_check: %v", err)
		}
		if len(res) != 1 || res[0] != "ok" {
			t.Errorf("PRAGMA integrity_check: %s", strings.Join(res, "; "))
		}
		var fk []struct {
			Table  string `db:"table"`
			RowID  *int64 `db:"rowid"`
			Parent string `db:"parent"`
			FKID   int64  `db:"fkid"`
		}
		if err := store.Select(ctx, db, &fk, `PRAGMA foreign_key_check`); err != nil {
			t.Fatalf("foreign_key_check: %v", err)
		}
		if len(fk) > 0 {
			t.Errorf("PRAGMA foreign_key_check: %d rows break a foreign key, first in %s", len(fk), fk[0].Table)
		}
		did = append(did, "PRAGMA integrity_check", "PRAGMA foreign_key_check")
	} else {
		// amcheck needs a superuser: the local server's postgres role, on
		// the same database.
		su := superuser(t, in.dsn)
		if _, err := su.ExecContext(ctx, `CREATE EXTENSION IF NOT EXISTS amcheck`); err != nil {
			t.Logf("amcheck unavailable (%v): only the full read checks the tables", err)
		} else {
			var broken []string
			err := store.Select(ctx, su, &broken, `SELECT c.relname || ': ' || v.msg FROM pg_class c
				JOIN pg_namespace n ON n.oid = c.relnamespace
				CROSS JOIN LATERAL (SELECT blkno::text || ' ' || msg AS msg FROM verify_heapam(c.oid, check_toast => true)) v
				WHERE n.nspname = 'public' AND c.relkind = 'r'`)
			if err != nil {
				t.Fatalf("verify_heapam: %v", err)
			}
			for _, b := range broken {
				t.Errorf("amcheck verify_heapam: %s", b)
			}
			var indexes int
			err = store.Get(ctx, su, &indexes, `SELECT COUNT(bt_index_check(c.oid, true)) FROM pg_index i
				JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
				JOIN pg_am am ON am.oid = c.relam WHERE n.nspname = 'public' AND am.amname = 'btree' AND i.indisvalid`)
			if err != nil {
				t.Errorf("amcheck bt_index_check: %v", err)
			}
			did = append(did, "amcheck verify_heapam on every table", fmt.Sprintf("bt_index_check(heapallindexed) on %d indexes", indexes))
		}
	}
	sums := tableSums(t, db)
	did = append(did, fmt.Sprintf("a full read of %d tables", len(sums)))
	return strings.Join(did, ", ")
}

// superuser connects to the database of dsn as the postgres role.
func superuser(t *testing.T, dsn string) *store.DB {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.User("postgres")
	db, err := store.Open(context.Background(), u.String())
	if err != nil {
		t.Fatalf("connect as postgres: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
