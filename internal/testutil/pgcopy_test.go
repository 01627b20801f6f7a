package testutil

import (
	"context"
	"testing"

	"aftersales/internal/store"
)

// A test's PostgreSQL database is its own copy, used as a role that may
// not create databases, and is gone once the test has ended.
func TestPostgresCopiesAreOwnedByTheTestsRoleAndDropped(t *testing.T) {
	requirePostgres(t)
	ctx := context.Background()
	var name string
	t.Run("copy", func(t *testing.T) {
		db := NewDB(t, store.Postgres)
		var role struct {
			Name     string `db:"rolname"`
			Super    bool   `db:"rolsuper"`
			CreateDB bool   `db:"rolcreatedb"`
		}
		if err := store.Get(ctx, db, &role, `SELECT rolname, rolsuper, rolcreatedb FROM pg_roles WHERE rolname = current_user`); err != nil {
			t.Fatal(err)
		}
		if role.Name != testRole || role.Super || role.CreateDB {
			t.Errorf("tests connect as %+v, want %s without superuser or createdb", role, testRole)
		}
		if err := store.Get(ctx, db, &name, `SELECT current_database()`); err != nil {
			t.Fatal(err)
		}
		if Count(t, db, `SELECT COUNT(*) FROM goose_db_version`) == 0 {
			t.Error("the copy is not migrated")
		}
	})
	db, _, err := admin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var left int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM pg_database WHERE datname = $1`, name).Scan(&left); err != nil {
		t.Fatal(err)
	}
	if name == "" || left != 0 {
		t.Fatalf("the copy %q is still on the server (%d) after its test", name, left)
	}
}
