package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"strings"
	"testing"
	"time"

	"aftersales/internal/account"
	"aftersales/internal/app"
	"aftersales/internal/jobs"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
	"aftersales/internal/workorder"
)

// The retention job, as the server runs it, purges the demo's sealed visit
// records (a repair with its correction, a consultation, and a visit with
// parts fitted and returns owed) once their retention is over: the job
// succeeds, the records are gone, each chain's purge is audited, the work
// orders stay with their record reference cleared, the stock ledger is
// untouched, and `records verify` and `stock verify` pass.
func TestRetentionPurgeJobRemovesDemoVisitRecords(t *testing.T) {
	t.Parallel()
	testutil.DemoEngines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		dsn := db.Source // trust authentication: nothing was redacted
		finishPartsVisit(t, db)

		count := func(query string, args ...any) int {
			t.Helper()
			var n int
			if err := store.Get(ctx, db, &n, query, args...); err != nil {
				t.Fatalf("%s: %v", query, err)
			}
			return n
		}
		records := count(`SELECT COUNT(*) FROM service_records`)
		linked := count(`SELECT COUNT(*) FROM work_orders WHERE record_id IS NOT NULL`)
		workOrders := count(`SELECT COUNT(*) FROM work_orders`)
		movements := count(`SELECT COUNT(*) FROM stock_movements`)
		returns := count(`SELECT COUNT(*) FROM part_returns`)
		if records < 4 || linked < 2 || count(`SELECT COUNT(*) FROM service_records WHERE corrects_id IS NOT NULL`) == 0 ||
			count(`SELECT COUNT(*) FROM stock_movements WHERE work_order_id IS NOT NULL`) == 0 {
			t.Fatalf("the demo should have sealed visits, a correction and parts fitted: %d records, %d linked work orders", records, linked)
		}

		// Ten years on, every record's retention (36 or 24 months) is over.
		later := time.Now().AddDate(10, 0, 0)
		a, err := app.New(db, app.Config{}, func() time.Time { return later })
		if err != nil {
			t.Fatal(err)
		}
		registerJobs(a)
		runner := a.Jobs
		if err := jobs.Enqueue(ctx, db, later, "records.purge", nil, jobs.Options{MaxAttempts: 1}); err != nil {
			t.Fatal(err)
		}
		// Every job due runs: the purge and what the demo's visits queued.
		for {
			ran, err := runner.RunOne(ctx)
			if err != nil {
				t.Fatalf("run the jobs: %v", err)
			}
			if !ran {
				break
			}
		}
		var job struct {
			State     string `db:"state"`
			LastError string `db:"last_error"`
		}
		if err := store.Get(ctx, db, &job, `SELECT state, last_error FROM jobs WHERE kind = 'records.purge'`); err != nil {
			t.Fatal(err)
		}
		if job.State != "done" {
			t.Fatalf("purge job %s: %s", job.State, job.LastError)
		}
		if n := count(`SELECT COUNT(*) FROM service_records`); n != 0 {
			t.Fatalf("%d of %d records left after their retention", n, records)
		}
		if n := count(`SELECT COUNT(*) FROM work_orders`); n != workOrders {
			t.Fatalf("%d work orders, want all %d kept", n, workOrders)
		}
		if n := count(`SELECT COUNT(*) FROM work_orders WHERE record_id IS NOT NULL`); n != 0 {
			t.Fatalf("%d work orders still name a purged record", n)
		}
		if n := count(`SELECT COUNT(*) FROM work_orders WHERE status = 'completed'`); n != linked {
			t.Fatalf("%d completed work orders, want %d", n, linked)
		}
		if m, r := count(`SELECT COUNT(*) FROM stock_movements`), count(`SELECT COUNT(*) FROM part_returns`); m != movements || r != returns {
			t.Fatalf("stock changed: %d movements (was %d), %d returns (was %d)", m, movements, r, returns)
		}
		var audits []string
		if err := store.Select(ctx, db, &audits, `SELECT after_json FROM audit_events WHERE action = 'record.purge' ORDER BY id`); err != nil {
			t.Fatal(err)
		}
		purged, unlinked := 0, 0
		for _, a := range audits {
			var after struct {
				Purged   int     `json:"purged"`
				Unlinked []int64 `json:"work_orders_unlinked"`
			}
			if err := json.Unmarshal([]byte(a), &after); err != nil {
				t.Fatal(err)
			}
			purged += after.Purged
			unlinked += len(after.Unlinked)
		}
		if purged != records || unlinked != linked || len(audits) != count(`SELECT COUNT(*) FROM record_chains`) {
			t.Fatalf("audit: %d purges of %d records unlinking %d work orders, want one per chain, %d records, %d work orders", len(audits), purged, unlinked, records, linked)
		}
		if code, out, errOut := run(t, "records", "verify", "--db", dsn); code != 0 || !strings.Contains(out, "0 records in") || !strings.Contains(out, "0 broken") {
			t.Fatalf("records verify after the purge: %d %s %s", code, out, errOut)
		}
		if code, out, errOut := run(t, "stock", "verify", "--db", dsn); code != 0 {
			t.Fatalf("stock verify after the purge: %d %s %s", code, out, errOut)
		}
		// The next run finds nothing more to do, and still succeeds.
		if n, err := countPurgeRun(ctx, t, runner, db, later.Add(6*time.Hour)); err != nil || n != len(audits) {
			t.Fatalf("second run: %d purge audits, %v", n, err)
		}
	})
}

// countPurgeRun runs the purge job once more at 'at' and returns how many
// purges the audit trail holds afterwards.
func countPurgeRun(ctx context.Context, t *testing.T, r *jobs.Runner, db *store.DB, at time.Time) (int, error) {
	t.Helper()
	if err := jobs.Enqueue(ctx, db, at, "records.purge", nil, jobs.Options{MaxAttempts: 1}); err != nil {
		return 0, err
	}
	r.Now = func() time.Time { return at }
	if _, err := r.RunOne(ctx); err != nil {
		return 0, err
	}
	var failed int
	if err := store.Get(ctx, db, &failed, `SELECT COUNT(*) FROM jobs WHERE kind = 'records.purge' AND state <> 'done'`); err != nil || failed != 0 {
		t.Fatalf("%d purge jobs not done: %v", failed, err)
	}
	var n int
	err := store.Get(ctx, db, &n, `SELECT COUNT(*) FROM audit_events WHERE action = 'record.purge'`)
	return n, err
}

// finishPartsVisit completes the demo's visit on which parts were fitted,
// so that its sealed record lists them.
func finishPartsVisit(t *testing.T, db *store.DB) {
	t.Helper()
	ctx := context.Background()
	tech, err := account.GetUserByEmail(ctx, db, "tech.he@yuean.example")
	if err != nil {
		t.Fatal(err)
	}
	var wo workorder.WorkOrder
	if err := store.Get(ctx, db, &wo, `SELECT id, version FROM work_orders WHERE technician_id = ? AND status = 'on_site'`, tech.ID); err != nil {
		t.Fatalf("the demo's visit with parts: %v", err)
	}
	svc := testutil.Services(t, db).WorkOrders
	for _, st := range []workorder.Step{
		{Kind: "record", Diagnosis: "主轴轴承磨损", ActionsTaken: "更换主轴轴承两件"},
		{Kind: "sign_off", SignoffName: "Grace Ho", SignaturePNG: demoSignature(t)},
		{Kind: "check_out", Result: "fixed"},
	} {
		if wo, err = svc.Step(ctx, tech.Actor(), wo.ID, st, wo.Version); err != nil {
			t.Fatalf("visit %s: %v", st.Kind, err)
		}
	}
	if wo.RecordID == nil {
		t.Fatal("the visit sealed no record")
	}
}

// demoSignature draws a signature stroke.
func demoSignature(t *testing.T) []byte {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, 120, 40))
	for x := range 120 {
		img.SetGray(x, 20+x%10, color.Gray{Y: 200})
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
