package servicerequest_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"aftersales/internal/app"
	"aftersales/internal/cli"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// BenchmarkClockWatch runs the clock job over a generated dataset whose
// requests are all open (AFTERSALES_BENCH_OPEN, 100,000 unless set), or
// over a copy of the generated database AFTERSALES_BENCH_DB names (a file
// or a postgres:// URL; the original is not written), as the server runs
// it: "every-open" reads every open request as the job did before
// next_check_at, one minute after the last run; "due-only" is Watch one
// minute after the last run, "due-only-hourly" one hour after it, as
// after a stop. Besides the time per run it reports the CPU this process
// used per run (cpu-ms/op), PostgreSQL's (pg-cpu-ms/op), and the heap at
// its peak during the runs above the heap before them (peak-MB).
//
//	AFTERSALES_TEST_PG=require go test -run '^$' -bench BenchmarkClockWatch -benchtime 3x ./internal/servicerequest/
//	AFTERSALES_BENCH_DB=/work/bench/gen1m.db go test -run '^$' -bench 'BenchmarkClockWatch/sqlite/due-only' -benchtime 3x ./internal/servicerequest/
func BenchmarkClockWatch(b *testing.B) {
	if os.Getenv("AFTERSALES_BENCH_DB") != "" {
		db := testutil.GeneratedCopy(b)
		b.Run(string(db.Engine), func(b *testing.B) { clockRuns(b, db) })
		return
	}
	open := testutil.BenchSize("AFTERSALES_BENCH_OPEN", 100_000)
	for _, engine := range testutil.EngineList {
		b.Run(string(engine), func(b *testing.B) {
			ctx := context.Background()
			dsn := testutil.NewDSN(b, engine)
			var out, errOut bytes.Buffer
			args := []string{"generate", "--requests", strconv.Itoa(open), "--units", strconv.Itoa(max(open/10, 20)), "--open", "1", "--db", dsn}
			if code := cli.Main(ctx, args, strings.NewReader(""), &out, &errOut); code != 0 {
				b.Fatalf("generate: %d\n%s", code, errOut.String())
			}
			db, err := store.Open(ctx, dsn)
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			clockRuns(b, db)
		})
	}
}

// clockRuns is BenchmarkClockWatch on one database: a catch-up run, then
// each way of running the job, the clock moving forward across all of them.
func clockRuns(b *testing.B, db *store.DB) {
	ctx := context.Background()
	a, err := app.New(db, app.Config{}, time.Now)
	if err != nil {
		b.Fatal(err)
	}
	var open int
	if err := store.Get(ctx, db, &open, `SELECT COUNT(*) FROM service_requests WHERE status IN ('received', 'responded', 'scheduled', 'on_site')`); err != nil {
		b.Fatal(err)
	}
	at := time.Now().UTC()
	// The first run catches up with what came due since the data was made.
	start := time.Now()
	alerts, err := a.Requests.Watch(ctx, a.Notify, at)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("%d open requests; catch-up run: %d alerts in %s", open, alerts, time.Since(start).Round(time.Millisecond))
	for _, c := range []struct {
		name  string
		every time.Duration
		run   func(ctx context.Context, now time.Time) error
	}{
		{"every-open", time.Minute, func(ctx context.Context, now time.Time) error {
			_, err := a.Requests.WatchEveryOpen(ctx, a.Notify, now)
			return err
		}},
		{"due-only", time.Minute, func(ctx context.Context, now time.Time) error {
			_, err := a.Requests.Watch(ctx, a.Notify, now)
			return err
		}},
		{"due-only-hourly", time.Hour, func(ctx context.Context, now time.Time) error {
			_, err := a.Requests.Watch(ctx, a.Notify, now)
			return err
		}},
	} {
		b.Run(c.name, func(b *testing.B) {
			stop := testutil.HeapPeak()
			cpu, server := testutil.ProcessCPU(), testutil.ServerCPU(db)
			for b.Loop() {
				at = at.Add(c.every)
				if err := c.run(ctx, at); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64((testutil.ProcessCPU()-cpu).Microseconds())/1000/float64(b.N), "cpu-ms/op")
			if server != nil {
				b.ReportMetric(float64(testutil.ServerCPUSince(db, server).Microseconds())/1000/float64(b.N), "pg-cpu-ms/op")
			}
			b.ReportMetric(stop(), "peak-MB")
		})
	}
}

// BenchmarkWatchCatchUp times the clock job's run after it has not run for
// a while: AFTERSALES_BENCH_DUE (default 1,000) emergency requests whose
// response clocks have all passed their warning, each alerted once. One
// run a set of requests (-benchtime 1x); us/request is the run's time per
// request alerted.
func BenchmarkWatchCatchUp(b *testing.B) {
	due := testutil.BenchSize("AFTERSALES_BENCH_DUE", 1000)
	for _, engine := range testutil.EngineList {
		b.Run(string(engine), func(b *testing.B) {
			ctx := context.Background()
			c, svc, f, pub := setupWatched(b, testutil.NewDB(b, engine))
			for i := range due {
				fileEmergency(b, svc, f, fmt.Sprintf("down %d", i))
			}
			at := c.now.Add(95 * time.Minute)
			for b.Loop() {
				alerts, err := svc.Watch(ctx, pub, at)
				if err != nil {
					b.Fatal(err)
				}
				if alerts > 0 {
					b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(alerts), "us/alert")
				}
				at = at.Add(time.Minute)
			}
		})
	}
}
