package servicerequest_test

import (
	"context"
	"testing"
	"time"

	"pgregory.net/rapid"

	"aftersales/internal/servicerequest"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// The number PostgreSQL makes while filing  is the number
// Number makes, for ids of every width and any month received.
func TestNumberMadeInSQLIsNumber(t *testing.T) {
	t.Parallel()
	db := testutil.NewDB(t, store.Postgres)
	ctx := context.Background()
	rapid.Check(t, func(t *rapid.T) {
		id := rapid.OneOf(rapid.Int64Range(1, 120_000), rapid.Int64Range(1, 1<<53)).Draw(t, "id")
		received := time.Unix(rapid.Int64Range(0, 4e9).Draw(t, "received"), 0).UTC()
		var got string
		if err := store.Get(ctx, db, &got, `SELECT ? || '-' || `+servicerequest.NumberDigits("x.id")+` FROM (SELECT CAST(? AS BIGINT) AS id) AS x`,
			servicerequest.NumberPrefix(received), id); err != nil {
			t.Fatal(err)
		}
		if want := servicerequest.Number(received, id); got != want {
			t.Fatalf("id %d: SQL made %q, Number %q", id, got, want)
		}
	})
}
