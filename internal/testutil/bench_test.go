package testutil

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"

	"aftersales/internal/store"
)

// GeneratedCopy gives a benchmark that writes a copy of the generated
// database: what it writes is in the copy, and the original is as it was.
func TestGeneratedCopyLeavesTheOriginalAlone(t *testing.T) {
	for _, engine := range EngineList {
		t.Run(string(engine), func(t *testing.T) {
			ctx := context.Background()
			src := emptyDSN(t, engine)
			orig, err := store.Open(ctx, src)
			if err != nil {
				t.Fatal(err)
			}
			if err := orig.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			if _, err := orig.ExecContext(ctx, `CREATE TABLE bench_marks (n INTEGER)`); err != nil {
				t.Fatal(err)
			}
			if _, err := orig.ExecContext(ctx, `INSERT INTO bench_marks (n) VALUES (1)`); err != nil {
				t.Fatal(err)
			}
			// PostgreSQL copies a database only while no one is connected to it.
			orig.Close()

			t.Setenv("AFTERSALES_BENCH_DB", src)
			cp := GeneratedCopy(t)
			if cp.Engine != engine {
				t.Fatalf("the copy is on %s, want %s", cp.Engine, engine)
			}
			if _, err := cp.ExecContext(ctx, `INSERT INTO bench_marks (n) VALUES (2), (3)`); err != nil {
				t.Fatal(err)
			}
			if n := Count(t, cp, `SELECT COUNT(*) FROM bench_marks`); n != 3 {
				t.Errorf("the copy holds %d rows, want the original's 1 and the 2 written", n)
			}

			orig, err = store.Open(ctx, src)
			if err != nil {
				t.Fatal(err)
			}
			defer orig.Close()
			if n := Count(t, orig, `SELECT COUNT(*) FROM bench_marks`); n != 1 {
				t.Errorf("the original holds %d rows after the copy was written, want 1", n)
			}
		})
	}
}

// emptyDSN is the address of a new empty database, created by the
// server's administrator on PostgreSQL (the tests' role may not copy it),
// and removed when t ends.
func emptyDSN(t *testing.T, engine store.Engine) string {
	if engine == store.SQLite {
		return NewDSN(t, engine)
	}
	requirePostgres(t)
	admin, err := sql.Open("pgx", pgConf.URL())
	if err != nil {
		t.Fatal(err)
	}
	plain := fmt.Sprintf("testutil_copy_source_%d", os.Getpid())
	name := pgx.Identifier{plain}.Sanitize()
	if _, err := admin.Exec(`CREATE DATABASE ` + name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`); err != nil {
			t.Errorf("drop %s: %v", name, err)
		}
		admin.Close()
	})
	u, err := url.Parse(pgConf.URL())
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + plain
	return u.String()
}
