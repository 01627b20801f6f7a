// Package testutil holds helpers shared by tests: fresh databases on both
// engines, and a running server. Nothing here is used by the product itself.
package testutil

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"aftersales/internal/store"
)

// EngineList is every engine the product runs on, in the order tests run them.
var EngineList = []store.Engine{store.SQLite, store.Postgres}

// Engines runs fn once per engine, each with a fresh, migrated database:
// an SQLite file in a temp folder, and a PostgreSQL database copied from a
// migrated template. The two subtests run in parallel with each other (and
// with every other parallel test): nothing is shared between them but the
// PostgreSQL server, where each has a database of its own. So fn must not
// write variables outside itself, and the caller must not rely on fn having
// run when Engines returns (Engines is the last thing a test does).
//
// PostgreSQL is skipped when unreachable unless AFTERSALES_TEST_PG=require
// (the test script sets it), which fails instead; AFTERSALES_TEST_PG=skip
// skips it on purpose, saying so.
func Engines(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	for _, e := range EngineList {
		t.Run(string(e), func(t *testing.T) {
			t.Parallel()
			fn(t, NewDB(t, e))
		})
	}
}

// NewDB returns a fresh migrated database on engine, closed when t ends:
// on SQLite a copy of a file migrated once per test process, on PostgreSQL
// a copy of a migrated template (pgCopy).
func NewDB(t testing.TB, engine store.Engine) *store.DB {
	t.Helper()
	if engine == store.SQLite {
		image, err := migratedImage()
		if err != nil {
			t.Fatalf("migrate: %v", err)
		}
		return openImage(t, image)
	}
	dsn := NewDSN(t, engine)
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatalf("open %s: %v", engine, err)
	}
	t.Cleanup(func() { db.Close() })
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
	return pgCopy(t, migrator{}).URL()
}

var (
	pgOnce sync.Once
	pgErr  error
	pgConf pgServer
)

// PostgresURLEnv names the variable holding the address of the PostgreSQL
// server the tests create their databases on, as a URL whose user may
// create databases (postgres://postgres@127.0.0.1:5432/postgres when unset).
// The test script sets it when it starts a server of its own.
const PostgresURLEnv = "AFTERSALES_TEST_PGURL"

func requirePostgres(t testing.TB) {
	t.Helper()
	mode := os.Getenv("AFTERSALES_TEST_PG")
	if mode == "skip" {
		t.Skip("PostgreSQL skipped on request (AFTERSALES_TEST_PG=skip)")
	}
	pgOnce.Do(func() {
		pgConf, pgErr = pgConfig()
		if pgErr != nil {
			return
		}
		db, err := sql.Open("pgx", pgConf.URL())
		if err == nil {
			err = db.Ping()
			db.Close()
		}
		pgErr = err
	})
	if pgErr == nil {
		return
	}
	where := pgConf.Host + ":" + pgConf.Port
	if mode == "require" {
		t.Fatalf("PostgreSQL on %s is required but unreachable: %v", where, pgErr)
	}
	t.Skipf("PostgreSQL on %s unreachable (%v); run scripts/test, which sets it up", where, pgErr)
}

// pgConfig reads the server's address from AFTERSALES_TEST_PGURL, or from
// the older AFTERSALES_TEST_PGHOST (a host name alone).
func pgConfig() (pgServer, error) {
	conf := pgServer{
		Host:     "127.0.0.1",
		Port:     "5432",
		User:     "postgres",
		Database: "postgres",
		Options:  "sslmode=disable",
	}
	if host := os.Getenv("AFTERSALES_TEST_PGHOST"); host != "" {
		conf.Host = host
	}
	raw := os.Getenv(PostgresURLEnv)
	if raw == "" {
		return conf, nil
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return conf, fmt.Errorf("%s=%q is not a postgres:// URL", PostgresURLEnv, raw)
	}
	if h := u.Hostname(); h != "" {
		conf.Host = h
	}
	if p := u.Port(); p != "" {
		conf.Port = p
	}
	if u.User != nil {
		conf.User = u.User.Username()
		conf.Password, _ = u.User.Password()
	}
	if db := strings.TrimPrefix(u.Path, "/"); db != "" {
		conf.Database = db
	}
	if u.RawQuery != "" {
		conf.Options = u.RawQuery
	}
	return conf, nil
}

// migrator fills the template database with the product's migrations.
type migrator struct{}

func (migrator) Hash() (string, error) { return store.MigrationsHash(store.Postgres) }

func (migrator) Fill(ctx context.Context, _ *sql.DB, conf pgServer) error {
	db, err := store.Open(ctx, conf.URL())
	if err != nil {
		return err
	}
	defer db.Close()
	return db.Migrate(ctx)
}
