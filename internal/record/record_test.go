package record_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/problem"
	"aftersales/internal/record"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// note is a content that tells records apart by what it says.
func note(x any) record.Content {
	return record.Content{Kind: record.KindConsultation, Consultation: &record.Consultation{Question: fmt.Sprint(x)}}
}

func seal(t *testing.T, db *store.DB, at time.Time, agreement int64, x any, corrects *int64) record.Record {
	t.Helper()
	content, ok := x.(record.Content)
	if !ok {
		content = note(x)
	}
	var r record.Record
	err := db.Tx(context.Background(), func(tx *sqlx.Tx) error {
		var err error
		r, err = record.Seal(context.Background(), tx, at, record.New{AgreementID: agreement, VendorID: 1, ProviderID: 2,
			Content: content, RetentionMonths: 36, CorrectsID: corrects})
		return err
	})
	if err != nil {
		t.Fatalf("seal: %v", err)
	}
	return r
}

func orgs(t *testing.T, db *store.DB) {
	t.Helper()
	for _, k := range []string{"vendor", "provider"} {
		if _, err := store.Exec(context.Background(), db, `INSERT INTO organizations (kind, name, code, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`,
			k, k, k, time.Now(), time.Now()); err != nil {
			t.Fatal(err)
		}
	}
}

// withOrgs runs test in parallel on each engine, on a database with a
// vendor and a provider.
func withOrgs(t *testing.T, test func(t *testing.T, ctx context.Context, db *store.DB)) {
	t.Parallel()
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		orgs(t, db)
		test(t, context.Background(), db)
	})
}

func verify(t *testing.T, db *store.DB) record.VerifyResult {
	t.Helper()
	res, err := record.Verify(context.Background(), db, 0)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestChainSealsVerifiesAndDetectsTampering(t *testing.T) {
	withOrgs(t, func(t *testing.T, ctx context.Context, db *store.DB) {
		t0 := time.Date(2026, 3, 2, 9, 30, 0, 123456789, time.UTC)
		var recs []record.Record
		for i := range 5 {
			recs = append(recs, seal(t, db, t0.Add(time.Duration(i)*time.Hour), 7, map[string]any{"n": i, "result": "修复"}, nil))
			seal(t, db, t0, 8, map[string]any{"other": i}, nil)
		}
		fix := seal(t, db, t0.Add(10*time.Hour), 7, map[string]any{"note": "correction"}, &recs[1].ID)
		if fix.Seq != 6 || fix.PrevHash != recs[4].Hash || *fix.CorrectsID != recs[1].ID {
			t.Fatalf("correction %+v", fix)
		}
		// A correction refers to a record of its own agreement.
		err := db.Tx(ctx, func(tx *sqlx.Tx) error {
			_, err := record.Seal(ctx, tx, t0, record.New{AgreementID: 8, VendorID: 1, ProviderID: 2, Content: note(1), RetentionMonths: 1, CorrectsID: &recs[0].ID})
			return err
		})
		if !problem.Is(err, problem.Invalid) {
			t.Fatalf("cross-chain correction: %v", err)
		}
		if res := verify(t, db); len(res.Breaks) != 0 || res.Records != 11 || res.Chains != 2 {
			t.Fatalf("clean chains: %+v", res)
		}
		// The table refuses updates outright.
		if _, err := store.Exec(ctx, db, `UPDATE service_records SET content_json = '{}' WHERE id = ?`, recs[2].ID); err == nil {
			t.Fatal("an update of a sealed record succeeded")
		}
		// Someone with raw access disables the guard and edits a record.
		disable, enable := `DROP TRIGGER service_records_no_update`, ``
		if db.Engine == store.Postgres {
			disable, enable = `ALTER TABLE service_records DISABLE TRIGGER service_records_no_update`, `ALTER TABLE service_records ENABLE TRIGGER service_records_no_update`
		}
		if _, err := db.ExecContext(ctx, disable); err != nil {
			t.Fatal(err)
		}
		if _, err := store.Exec(ctx, db, `UPDATE service_records SET content_json = ? WHERE id = ?`, `{"n":2,"result":"未修复"}`, recs[2].ID); err != nil {
			t.Fatal(err)
		}
		if enable != "" {
			_, _ = db.ExecContext(ctx, enable)
		}
		res := verify(t, db)
		if len(res.Breaks) != 1 || res.Breaks[0].RecordID != recs[2].ID || !strings.Contains(res.Breaks[0].Reason, "changed") {
			t.Fatalf("tampering: %+v", res)
		}
	})
}

func TestRemovalsAreDetected(t *testing.T) {
	t.Parallel()
	db := testutil.NewDB(t, store.SQLite)
	ctx := context.Background()
	orgs(t, db)
	t0 := time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)
	var recs []record.Record
	for i := range 4 {
		recs = append(recs, seal(t, db, t0, 1, i, nil))
	}
	if _, err := store.Exec(ctx, db, `DELETE FROM service_records WHERE id = ?`, recs[3].ID); err != nil {
		t.Fatal(err)
	}
	if res := verify(t, db); len(res.Breaks) != 1 || !strings.Contains(res.Breaks[0].Reason, "removed from the end") {
		t.Fatalf("last removed: %+v", res)
	}
	if _, err := store.Exec(ctx, db, `DELETE FROM service_records WHERE id = ?`, recs[1].ID); err != nil {
		t.Fatal(err)
	}
	if res := verify(t, db); len(res.Breaks) != 1 || res.Breaks[0].RecordID != recs[2].ID || !strings.Contains(res.Breaks[0].Reason, "missing") {
		t.Fatalf("middle removed: %+v", res)
	}
}

func TestConcurrentSealsFormOneChain(t *testing.T) {
	withOrgs(t, func(t *testing.T, _ context.Context, db *store.DB) {
		var wg sync.WaitGroup
		errs := make(chan error, 20)
		for i := range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs <- db.Tx(context.Background(), func(tx *sqlx.Tx) error {
					_, err := record.Seal(context.Background(), tx, time.Now(), record.New{AgreementID: 3, VendorID: 1, ProviderID: 2, Content: note(i), RetentionMonths: 12})
					return err
				})
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if res := verify(t, db); len(res.Breaks) != 0 || res.Records != 20 {
			t.Fatalf("concurrent: %+v", res)
		}
	})
}

func TestRetention(t *testing.T) {
	t.Parallel()
	db := testutil.NewDB(t, store.SQLite)
	ctx := context.Background()
	orgs(t, db)
	t0 := time.Date(2020, 1, 10, 0, 0, 0, 0, time.UTC)
	old := seal(t, db, t0, 1, "old", nil)              // kept until 2023-01-10
	seal(t, db, t0.AddDate(1, 0, 0), 1, "middle", nil) // until 2024-01-10
	recent := seal(t, db, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), 1, "recent", nil)
	if err := record.Delete(ctx, db, recent.ID, time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)); !problem.Is(err, problem.Conflict) || !strings.Contains(err.Error(), "must be kept until 2029-01-01") {
		t.Fatalf("delete inside retention: %v", err)
	}
	n, err := record.Purge(ctx, db, 1, time.Date(2023, 6, 1, 0, 0, 0, 0, time.UTC))
	if err != nil || n != 1 {
		t.Fatalf("purge in 2023: %d %v", n, err)
	}
	if _, err := record.Get(ctx, db, old.ID); !problem.Is(err, problem.NotFound) {
		t.Fatal("expired record still there")
	}
	if res := verify(t, db); len(res.Breaks) != 0 || res.Records != 2 {
		t.Fatalf("after purge: %+v", res)
	}
	if n, _ := record.Purge(ctx, db, 1, time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)); n != 1 {
		t.Fatalf("second purge removed %d, want only the middle one", n)
	}
	if res := verify(t, db); len(res.Breaks) != 0 || res.Records != 1 {
		t.Fatalf("after second purge: %+v", res)
	}
}

// The retention job removes a record only once its last day of retention
// (a Shanghai date) is over, and audits what it removed.
func TestPurgeDueAtTheRetentionBoundary(t *testing.T) {
	withOrgs(t, func(t *testing.T, ctx context.Context, db *store.DB) {
		sh, _ := time.LoadLocation("Asia/Shanghai")
		old := seal(t, db, time.Date(2020, 1, 10, 3, 0, 0, 0, time.UTC), 1, "old", nil) // kept until 2023-01-10
		if old.RetainUntil != "2023-01-10" {
			t.Fatalf("retain until %s", old.RetainUntil)
		}
		seal(t, db, time.Date(2021, 1, 10, 3, 0, 0, 0, time.UTC), 1, "newer", nil)
		lastDay := time.Date(2023, 1, 10, 23, 59, 59, 0, sh)
		if n, err := record.PurgeDue(ctx, db, lastDay); err != nil || n != 0 {
			t.Fatalf("on the last day of retention: purged %d, %v", n, err)
		}
		if _, err := record.Get(ctx, db, old.ID); err != nil {
			t.Fatalf("record gone on its last day: %v", err)
		}
		var audits int
		if err := store.Get(ctx, db, &audits, `SELECT COUNT(*) FROM audit_events WHERE action = 'record.purge'`); err != nil {
			t.Fatal(err)
		}
		if audits != 0 {
			t.Fatalf("%d purge audits before anything was purged", audits)
		}
		nextDay := time.Date(2023, 1, 11, 0, 0, 0, 0, sh)
		if n, err := record.PurgeDue(ctx, db, nextDay); err != nil || n != 1 {
			t.Fatalf("the day after: purged %d, %v", n, err)
		}
		if _, err := record.Get(ctx, db, old.ID); !problem.Is(err, problem.NotFound) {
			t.Fatalf("expired record still there: %v", err)
		}
		if err := store.Get(ctx, db, &audits, `SELECT COUNT(*) FROM audit_events WHERE action = 'record.purge' AND entity_id = '1'`); err != nil {
			t.Fatal(err)
		}
		if audits != 1 {
			t.Fatalf("%d purge audits, want 1", audits)
		}
		if res := verify(t, db); len(res.Breaks) != 0 || res.Records != 1 {
			t.Fatalf("after purge: %+v", res)
		}
	})
}

// A corrected record stays as long as its last correction, since the
// correction holds only what it changed; records sealed between them stay
// too (the purge removes only a prefix of the chain). Then all leave
// together and the rest still verifies.
func TestPurgeKeepsACorrectedRecordWithItsCorrection(t *testing.T) {
	withOrgs(t, func(t *testing.T, ctx context.Context, db *store.DB) {
		t0 := time.Date(2020, 1, 10, 3, 0, 0, 0, time.UTC)
		orig := seal(t, db, t0, 1, "visit", nil)                                           // kept until 2023-01-10
		seal(t, db, t0.AddDate(0, 1, 0), 1, "another visit", nil)                          // until 2023-02-10
		fix := seal(t, db, t0.AddDate(0, 2, 0), 1, "correction", &orig.ID)                 // until 2023-03-10
		later := seal(t, db, time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), 1, "later", nil) // until 2027-01-01
		if fix.RetainUntil != "2023-03-10" {
			t.Fatalf("correction kept until %s", fix.RetainUntil)
		}
		if n, err := record.Purge(ctx, db, 1, time.Date(2023, 2, 20, 0, 0, 0, 0, time.UTC)); err != nil || n != 0 {
			t.Fatalf("purge while the correction is kept: %d, %v", n, err)
		}
		if _, err := record.Get(ctx, db, orig.ID); err != nil {
			t.Fatalf("a corrected record left before its correction: %v", err)
		}
		if n, err := record.Purge(ctx, db, 1, time.Date(2023, 3, 11, 0, 0, 0, 0, time.UTC)); err != nil || n != 3 {
			t.Fatalf("purge after the correction's retention: %d, %v", n, err)
		}
		if _, err := record.Get(ctx, db, later.ID); err != nil {
			t.Fatalf("the record still kept: %v", err)
		}
		if res := verify(t, db); len(res.Breaks) != 0 || res.Records != 1 {
			t.Fatalf("after purge: %+v", res)
		}
	})
}
