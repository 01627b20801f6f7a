package store_test

import (
	"testing"

	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// atVersion runs test in parallel on each engine, on a database migrated
// up to version only, where it writes rows as an earlier release stored
// them.
func atVersion(t *testing.T, version int64, test func(t *testing.T, db *store.DB)) {
	t.Parallel()
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		if err := db.MigrateTo(t.Context(), version); err != nil {
			t.Fatal(err)
		}
		test(t, db)
	})
}

// insertID is store.InsertID on db that fails the test on an error.
func insertID(t *testing.T, db *store.DB, query string, args ...any) int64 {
	t.Helper()
	id, err := store.InsertID(t.Context(), db, query, args...)
	if err != nil {
		t.Fatal(err)
	}
	return id
}
