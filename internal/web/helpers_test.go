package web_test

import (
	"testing"

	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// seededEngines runs fn, in parallel with the other tests, on each engine
// with the app serving the fixture (its database is app.DB).
func seededEngines(t *testing.T, fn func(t *testing.T, app *testutil.App, f *testutil.Fixture)) {
	t.Helper()
	t.Parallel()
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		app, f := seeded(t, db)
		fn(t, app, f)
	})
}

// servingEngines is seededEngines with the fixture's agreement and unit.
func servingEngines(t *testing.T, fn func(t *testing.T, app *testutil.App, f *testutil.Fixture, sf testutil.ServiceFixture)) {
	t.Helper()
	t.Parallel()
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		app, f, sf := serving(t, db)
		fn(t, app, f, sf)
	})
}

// demoEngines runs fn, in parallel with the other tests, on each engine
// with the app serving the demo data.
func demoEngines(t *testing.T, fn func(t *testing.T, app *testutil.App)) {
	t.Helper()
	t.Parallel()
	testutil.DemoEngines(t, func(t *testing.T, db *store.DB) {
		fn(t, testutil.NewApp(t, db))
	})
}

// seededSQLite is the app on a fresh SQLite database with the fixture.
func seededSQLite(t *testing.T) (*testutil.App, *testutil.Fixture) {
	t.Helper()
	return seeded(t, testutil.NewDB(t, store.SQLite))
}

// servingSQLite is seededSQLite with the fixture's agreement and unit.
func servingSQLite(t *testing.T) (*testutil.App, *testutil.Fixture, testutil.ServiceFixture) {
	t.Helper()
	return serving(t, testutil.NewDB(t, store.SQLite))
}

// count is the number a COUNT query on db answers.
func count(t testing.TB, db *store.DB, query string, args ...any) int {
	t.Helper()
	return selectOne[int](t, db, query, args...)
}

// countRows is the number of rows in table on db.
func countRows(t testing.TB, db *store.DB, table string) int {
	t.Helper()
	return count(t, db, `SELECT COUNT(*) FROM `+table)
}

// selectOne is the one value query reads from db.
func selectOne[T any](t testing.TB, db *store.DB, query string, args ...any) T {
	t.Helper()
	var v T
	if err := store.Get(t.Context(), db, &v, query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return v
}
