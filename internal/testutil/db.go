// Package testutil holds helpers shared by tests: fresh databases on both
// engines, and a running server. Nothing here is used by the product itself.
package testutil

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/peterldowns/pgtestdb"

	"aftersales/internal/store"
)

// Engines runs fn once per engine, each with a fresh, migrated database:
// an SQLite file in a temp folder, and a PostgreSQL database copied from a
// migrated template. PostgreSQL is skipped when unreachable unless
// AFTERSALES_TEST_PG=require (the test script sets it), which fails instead.
func Engines(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	for _, e := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(e), func(t *testing.T) {
			fn(t, NewDB(t, e))
		})
	}
}

// NewDB returns a fresh migrated database on engine, closed when t ends.
func NewDB(t testing.TB, engine store.Engine) *store.DB {
	t.Helper()
	dsn := NewDSN(t, engine)
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatalf("open %s: %v", engine, err)
	}
	t.Cleanup(func() { db.Close() })
	if engine == store.SQLite {
		if err := db.Migrate(context.Background()); err != nil {
			t.Fatalf("migrate: %v", err)
		}
	}
	return db
}

// NewDSN returns the address of a fresh migrated database (SQLite: not yet
// migrated file path; callers that open it through store.Open migrate it).
func NewDSN(t testing.TB, engine store.Engine) string {
	t.Helper()
	if engine == store.SQLite {
		return filepath.Join(t.TempDir(), "test.db")
	}
	requirePostgres(t)
	conf := pgtestdb.Custom(t, pgConfig(), migrator{})
	return conf.URL()
}

var (
	pgOnce sync.Once
	pgErr  error
)

func requirePostgres(t testing.TB) {
	t.Helper()
	pgOnce.Do(func() {
		db, err := sql.Open("pgx", pgConfig().URL())
		if err == nil {
			err = db.Ping()
			db.Close()
		}
		pgErr = err
	})
	if pgErr == nil {
		return
	}
	if os.Getenv("AFTERSALES_TEST_PG") == "require" {
		t.Fatalf("PostgreSQL on 127.0.0.1:5432 is required but unreachable: %v", pgErr)
	}
	t.Skipf("PostgreSQL on 127.0.0.1:5432 unreachable (%v); run scripts/test to start it", pgErr)
}

func pgConfig() pgtestdb.Config {
	host := os.Getenv("AFTERSALES_TEST_PGHOST")
	if host == "" {
		host = "127.0.0.1"
	}
	return pgtestdb.Config{
		DriverName:                "pgx",
		Host:                      host,
		Port:                      "5432",
		User:                      "postgres",
		Database:                  "postgres",
		Options:                   "sslmode=disable",
		ForceTerminateConnections: true,
	}
}

// migrator builds pgtestdb's template database with the product's migrations.
type migrator struct{}

func (migrator) Hash() (string, error) { return store.MigrationsHash(store.Postgres) }

func (migrator) Migrate(ctx context.Context, _ *sql.DB, conf pgtestdb.Config) error {
	db, err := store.Open(ctx, conf.URL())
	if err != nil {
		return err
	}
	defer db.Close()
	return db.Migrate(ctx)
}
