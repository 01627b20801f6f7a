package web_test

import (
	"net/http"
	"net/url"
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

// post posts form through c to u and answers the response and its body.
func post(t *testing.T, c *http.Client, u string, form url.Values) (*http.Response, string) {
	t.Helper()
	res, err := c.PostForm(u, form)
	if err != nil {
		t.Fatal(err)
	}
	return res, body(t, res)
}

// postStatus posts form through c to u and fails the test unless the
// answer has the status want; what names the step in the failure.
func postStatus(t *testing.T, want int, what string, c *http.Client, u string, form url.Values) {
	t.Helper()
	if res, _ := post(t, c, u, form); res.StatusCode != want {
		t.Fatalf("%s: %d", what, res.StatusCode)
	}
}

// count is the number a COUNT query on db answers.
func count(t testing.TB, db *store.DB, query string, args ...any) int {
	t.Helper()
	return testutil.SelectOne[int](t, db, query, args...)
}

// countRows is the number of rows in table on db.
func countRows(t testing.TB, db *store.DB, table string) int {
	t.Helper()
	return count(t, db, `SELECT COUNT(*) FROM `+table)
}
