package audit_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/audit"
	"aftersales/internal/policy"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// Events are recorded in the caller's transaction with who, what, before
// and after, and listed per organization newest first, filtered and paged.
func TestRecordAndList(t *testing.T) {
	t.Parallel()
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := audit.WithRequestID(context.Background(), "req-42")
		f := testutil.Seed(t, db)
		base, err := audit.List(ctx, db, audit.Filter{OrgID: f.Customer.ID, Limit: 500})
		if err != nil {
			t.Fatal(err)
		}
		admin := f.Users[policy.VendorAdmin].Actor()
		at := time.Date(2026, 11, 25, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))
		record := func(actor policy.Actor, orgID int64, entityID, before, after any) {
			t.Helper()
			if err := db.Tx(ctx, func(tx *sqlx.Tx) error {
				return audit.Record(ctx, tx, at, actor, orgID, "widget.change", "widget", entityID, before, after)
			}); err != nil {
				t.Fatal(err)
			}
		}
		for i := range 5 {
			record(admin, f.Customer.ID, i+1, map[string]any{"n": i}, map[string]any{"n": i + 1})
		}
		record(policy.Actor{Operator: true}, f.Customer.ID, "w-cli", nil, map[string]string{"name": "由命令行"})
		record(admin, f.OtherVendor.ID, 1, nil, nil)

		// A record in a transaction that rolls back is gone with it.
		boom := errors.New("boom")
		err = db.Tx(ctx, func(tx *sqlx.Tx) error {
			if err := audit.Record(ctx, tx, at, admin, f.Customer.ID, "widget.change", "widget", 99, nil, nil); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatal(err)
		}

		all, err := audit.List(ctx, db, audit.Filter{OrgID: f.Customer.ID, Entity: "widget"})
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 6 {
			t.Fatalf("%d widget events, want 6", len(all))
		}
		cli := all[0]
		if cli.EntityID != "w-cli" || cli.Actor != "operator (cli)" || cli.ActorID != nil || cli.Before != nil ||
			cli.After == nil || *cli.After != `{"name":"由命令行"}` || cli.RequestID != "req-42" || !cli.At.Equal(at) {
			t.Errorf("newest event %+v", cli)
		}
		last := all[1]
		if last.EntityID != "5" || last.Actor != admin.Email || last.ActorID == nil || *last.ActorID != admin.UserID ||
			*last.Before != `{"n":4}` || *last.After != `{"n":5}` || *last.OrgID != f.Customer.ID {
			t.Errorf("event of widget 5: %+v", last)
		}
		for i := 1; i < len(all); i++ {
			if all[i].ID >= all[i-1].ID {
				t.Fatalf("not newest first: %d after %d", all[i].ID, all[i-1].ID)
			}
		}

		one, err := audit.List(ctx, db, audit.Filter{OrgID: f.Customer.ID, Entity: "widget", EntityID: "3"})
		if err != nil || len(one) != 1 || *one[0].After != `{"n":3}` {
			t.Errorf("widget 3: %+v %v", one, err)
		}
		page, err := audit.List(ctx, db, audit.Filter{OrgID: f.Customer.ID, Entity: "widget", BeforeID: all[1].ID, Limit: 2})
		if err != nil || len(page) != 2 || page[0].ID != all[2].ID || page[1].ID != all[3].ID {
			t.Errorf("page before %d: %+v %v", all[1].ID, page, err)
		}
		everything, err := audit.List(ctx, db, audit.Filter{OrgID: f.Customer.ID, Limit: 500})
		if err != nil || len(everything) != len(base)+6 {
			t.Errorf("the customer's trail has %d events, want %d (%v)", len(everything), len(base)+6, err)
		}
		other, err := audit.List(ctx, db, audit.Filter{OrgID: f.OtherVendor.ID, Entity: "widget"})
		if err != nil || len(other) != 1 || other[0].Before != nil || other[0].After != nil {
			t.Errorf("the other vendor's trail: %+v %v", other, err)
		}
	})
}

// The trail is append-only on both engines: the database refuses to change
// or delete an event, even for a caller that bypasses the package.
func TestTrailRefusesUpdateAndDelete(t *testing.T) {
	t.Parallel()
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := testutil.Seed(t, db)
		var before int
		if err := store.Get(ctx, db, &before, `SELECT COUNT(*) FROM audit_events`); err != nil || before == 0 {
			t.Fatalf("the fixture left %d events (%v)", before, err)
		}
		for _, q := range []string{
			`UPDATE audit_events SET actor = 'someone else'`,
			`DELETE FROM audit_events`,
			fmt.Sprintf(`DELETE FROM audit_events WHERE org_id = %d`, f.Vendor.ID),
		} {
			if _, err := store.Exec(ctx, db, q); err == nil {
				t.Errorf("%s: allowed", q)
			}
		}
		var after, changed int
		if err := store.Get(ctx, db, &after, `SELECT COUNT(*) FROM audit_events`); err != nil || after != before {
			t.Errorf("%d events after, %d before (%v)", after, before, err)
		}
		if err := store.Get(ctx, db, &changed, `SELECT COUNT(*) FROM audit_events WHERE actor = 'someone else'`); err != nil || changed != 0 {
			t.Errorf("%d events changed (%v)", changed, err)
		}
	})
}
