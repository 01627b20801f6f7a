package testutil

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strconv"
	"testing"
	"time"

	"aftersales/internal/store"
)

// Each test gets a database of its own with the demo in it, copied from
// the one template: what one changes, the other does not see.
func TestDemoPostgresIsACopyOfItsOwn(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a, b := DemoPostgres(t), DemoPostgres(t)
	orgs := `SELECT COUNT(*) FROM organizations`
	if n := Count(t, a, orgs); n == 0 || n != Count(t, b, orgs) {
		t.Fatalf("organizations: %d and %d", n, Count(t, b, orgs))
	}
	if Count(t, a, `SELECT COUNT(*) FROM users`) == 0 {
		t.Fatal("no demo users")
	}
	if _, err := a.ExecContext(ctx, `UPDATE organizations SET name = 'changed here only'`); err != nil {
		t.Fatal(err)
	}
	if n := Count(t, b, `SELECT COUNT(*) FROM organizations WHERE name = 'changed here only'`); n != 0 {
		t.Fatalf("%d organizations changed in the other copy", n)
	}
	var name string
	if err := store.Get(ctx, b, &name, `SELECT current_database()`); err != nil {
		t.Fatal(err)
	}
	var other string
	if err := store.Get(ctx, a, &other, `SELECT current_database()`); err != nil || other == name {
		t.Fatalf("both copies are %s (%v)", name, err)
	}
}

// A demo template that a test process left more than an hour ago is
// dropped when the next one is loaded; a recent one is kept.
func TestStaleDemoTemplatesAreDropped(t *testing.T) {
	requirePostgres(t)
	ctx := context.Background()
	admin, err := pgConf.Connect()
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	template := func(age time.Duration) string {
		id := make([]byte, 4)
		_, _ = rand.Read(id)
		name := "aftersales_demo_check_" + hex.EncodeToString(id)
		for _, q := range []string{
			fmt.Sprintf(`CREATE DATABASE "%s"`, name),
			fmt.Sprintf(`COMMENT ON DATABASE "%s" IS '%s'`, name, demoTemplateComment+strconv.FormatInt(time.Now().Add(-age).Unix(), 10)),
			fmt.Sprintf(`UPDATE pg_database SET datistemplate = true WHERE datname = '%s'`, name),
		} {
			if _, err := admin.ExecContext(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		t.Cleanup(func() {
			_, _ = admin.ExecContext(ctx, `UPDATE pg_database SET datistemplate = false WHERE datname = $1`, name)
			_, _ = admin.ExecContext(ctx, fmt.Sprintf(`DROP DATABASE IF EXISTS "%s"`, name))
		})
		return name
	}
	stale, recent := template(2*time.Hour), template(10*time.Minute)
	dropStaleDemoTemplates(ctx)
	exists := func(name string) bool {
		var n int
		if err := admin.QueryRowContext(ctx, `SELECT COUNT(*) FROM pg_database WHERE datname = $1`, name).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n == 1
	}
	if exists(stale) {
		t.Error("the template left two hours ago is still there")
	}
	if !exists(recent) {
		t.Error("the template left ten minutes ago was dropped")
	}
}
