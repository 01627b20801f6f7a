package cli

import (
	"context"
	"strings"
	"testing"
	"time"

	"aftersales/internal/account"
	"aftersales/internal/demo"
	"aftersales/internal/record"
	"aftersales/internal/servicerequest"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// generate fills an empty database on either engine: the demo logins sign
// in, the counts it prints are the rows written, the record chains verify,
// the open requests carry their next deadline, search finds the Chinese
// descriptions, and a second run is refused.
func TestGenerateFillsAnEmptyDatabase(t *testing.T) {
	t.Parallel()
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		dsn := db.Source
		code, out, errOut := run(t, "generate", "--requests", "3000", "--units", "300", "--open", "0.2", "--db", dsn)
		if code != 0 {
			t.Fatalf("generate: exit %d\n%s\n%s", code, out, errOut)
		}
		if !strings.Contains(errOut, "requests 3000/3000") {
			t.Errorf("no progress on stderr: %q", errOut)
		}
		count := func(query string) int {
			t.Helper()
			var n int
			if err := store.Get(ctx, db, &n, query); err != nil {
				t.Fatalf("%s: %v", query, err)
			}
			return n
		}
		requests := count(`SELECT COUNT(*) FROM service_requests WHERE serial_number LIKE 'GEN%'`)
		open := count(`SELECT COUNT(*) FROM service_requests WHERE status NOT IN ('resolved', 'cancelled')`)
		if requests != 3000 {
			t.Errorf("%d requests generated, want 3000", requests)
		}
		if open < 400 || open > 800 {
			t.Errorf("%d open requests, want about a fifth of 3000", open)
		}
		if n := count(`SELECT COUNT(*) FROM service_requests WHERE status NOT IN ('resolved', 'cancelled') AND next_due_at IS NOT NULL`); n < open/10 {
			t.Errorf("%d of %d open requests have a next deadline", n, open)
		}
		if count(`SELECT COUNT(*) FROM service_requests WHERE breached AND status NOT IN ('resolved', 'cancelled')`) == 0 ||
			count(`SELECT COUNT(*) FROM service_requests WHERE breached AND status = 'resolved'`) == 0 {
			t.Error("no open request and no resolved one is breached")
		}
		for _, status := range []string{"received", "responded", "scheduled", "on_site", "resolved", "cancelled"} {
			if count(`SELECT COUNT(*) FROM service_requests WHERE status = '`+status+`'`) == 0 {
				t.Errorf("no request is %s", status)
			}
		}
		if count(`SELECT COUNT(DISTINCT agreement_id) FROM service_requests`) < 2 || count(`SELECT COUNT(DISTINCT priority) FROM service_requests`) < 2 {
			t.Error("the requests do not spread over the agreements and priorities")
		}
		if n := count(`SELECT COUNT(*) FROM units`); n < 300 {
			t.Errorf("%d units, want at least 300", n)
		}
		visits, records := count(`SELECT COUNT(*) FROM work_orders`), count(`SELECT COUNT(*) FROM service_records`)
		if !strings.Contains(out, "generated 3000 requests") || visits < 1000 || records < 1000 {
			t.Fatalf("output %q with %d visits and %d records", out, visits, records)
		}
		if n := count(`SELECT COUNT(*) FROM work_orders w JOIN service_records r ON r.id = w.record_id WHERE w.status = 'completed'`); n == 0 {
			t.Error("no completed visit refers to its sealed record")
		}
		res, err := record.Verify(ctx, db, 0)
		if err != nil || len(res.Breaks) > 0 || res.Records != records {
			t.Fatalf("verify: %+v, %v", res, err)
		}
		if code, out, _ := run(t, "records", "verify", "--db", dsn); code != 0 {
			t.Fatalf("records verify: exit %d: %s", code, out)
		}
		// Every record's content reads back.
		var raw []string
		if err := store.Select(ctx, db, &raw, `SELECT content_json FROM service_records ORDER BY id DESC LIMIT 50`); err != nil {
			t.Fatal(err)
		}
		for _, c := range raw {
			if _, err := record.DecodeContent([]byte(c)); err != nil {
				t.Fatalf("record content %s: %v", c, err)
			}
		}

		a := testutil.Services(t, db)
		if _, err := a.Requests.IndexPending(ctx); err != nil {
			t.Fatal(err)
		}
		if n := count(`SELECT COUNT(*) FROM service_requests`); db.Engine == store.SQLite && count(`SELECT COUNT(*) FROM request_fts`) != n {
			t.Errorf("the search index does not hold every request")
		}
		dispatcher, err := account.GetUserByEmail(ctx, db, "dispatch@hengxin.example")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.Accounts.Authenticate(ctx, "dispatch@hengxin.example", demo.Password); err != nil {
			t.Fatalf("the demo login does not sign in: %v", err)
		}
		page, err := a.Requests.List(ctx, dispatcher.Actor(), servicerequest.Filter{Query: "主轴异响"})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Items) == 0 {
			t.Fatal("searching 主轴异响 finds nothing")
		}
		// Paging through the dispatcher's list meets every request of 恒信 once, in
		// urgency order: those with a deadline soonest first, then the others newest first.
		var want int
		if err := store.Get(ctx, db, &want, `SELECT COUNT(*) FROM service_requests WHERE provider_id = ?`, dispatcher.OrgID); err != nil {
			t.Fatal(err)
		}
		seen, cursor := map[int64]bool{}, ""
		var prev *servicerequest.Request
		for pages := 0; ; pages++ {
			p, err := a.Requests.List(ctx, dispatcher.Actor(), servicerequest.Filter{Cursor: cursor, Limit: 200})
			if err != nil || pages > want/200+2 {
				t.Fatalf("page %d: %v", pages, err)
			}
			for i := range p.Items {
				r := &p.Items[i]
				if seen[r.ID] {
					t.Fatalf("request %d listed twice", r.ID)
				}
				seen[r.ID] = true
				if prev != nil {
					inOrder := false
					switch {
					case prev.NextDueAt != nil && r.NextDueAt != nil:
						inOrder = prev.NextDueAt.Before(*r.NextDueAt) || prev.NextDueAt.Equal(*r.NextDueAt) && prev.ID < r.ID
					case prev.NextDueAt != nil:
						inOrder = true
					case r.NextDueAt == nil:
						inOrder = prev.ID > r.ID
					}
					if !inOrder {
						t.Fatalf("request %d (due %v) listed after %d (due %v)", r.ID, r.NextDueAt, prev.ID, prev.NextDueAt)
					}
				}
				prev = r
			}
			if cursor = p.Next; cursor == "" {
				break
			}
		}
		if len(seen) != want {
			t.Fatalf("paging met %d of %d requests", len(seen), want)
		}

		// A request page computes its clocks from the generated events.
		v, err := a.Requests.Get(ctx, dispatcher.Actor(), page.Items[0].ID)
		if err != nil || len(v.Clocks) == 0 || len(v.Events) == 0 {
			t.Fatalf("read %d: %d clocks, %d events, %v", page.Items[0].ID, len(v.Clocks), len(v.Events), err)
		}
		// The clock job runs over the generated open requests.
		if _, err := a.Requests.Watch(ctx, nil, time.Now()); err != nil {
			t.Fatalf("watch: %v", err)
		}
		// The homes' running totals of the clocks are those of the rows.
		var drift int
		rows := `SELECT agreement_id, period, kind, state, COUNT(*) AS n FROM request_clocks GROUP BY agreement_id, period, kind, state`
		totals := `SELECT agreement_id, period, kind, state, SUM(n) AS n FROM request_clock_totals GROUP BY agreement_id, period, kind, state HAVING SUM(n) <> 0`
		if err := store.Get(ctx, db, &drift, `SELECT (SELECT COUNT(*) FROM (`+rows+` EXCEPT `+totals+`) a) + (SELECT COUNT(*) FROM (`+totals+` EXCEPT `+rows+`) b)`); err != nil || drift != 0 {
			t.Fatalf("%d totals differ from the rows (%v)", drift, err)
		}

		if code, _, errOut := run(t, "generate", "--requests", "10", "--units", "10", "--db", dsn); code != 1 || !strings.Contains(errOut, "empty database") {
			t.Errorf("a second run: exit %d, %q", code, errOut)
		}
	})
}

func TestGenerateRefusesBadFlags(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--units", "10"}, "--requests must be between"},
		{[]string{"--requests", "-5", "--units", "10"}, "--requests must be between"},
		{[]string{"--requests", "10"}, "--units must be between"},
		{[]string{"--requests", "10", "--units", "10", "--open", "1.5"}, "--open must be a share"},
		{[]string{"--requests", "ten", "--units", "10"}, "invalid value"},
	} {
		code, _, errOut := run(t, append([]string{"generate", "--db", t.TempDir() + "/x.db"}, c.args...)...)
		if code != 2 || !strings.Contains(errOut, c.want) {
			t.Errorf("generate %v: exit %d, %q; want 2 and %q", c.args, code, errOut, c.want)
		}
	}
}
