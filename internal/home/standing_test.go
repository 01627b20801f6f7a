package home_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"aftersales/internal/home"
	"aftersales/internal/policy"
	"aftersales/internal/servicerequest"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// The standing counts the clocks of this month and the twelve before, per
// agreement and (for the vendor) per provider, and the open requests by
// age, each as a count made directly from the rows says and as the
// requests list filtered the same way lists, for the provider's and the
// vendor's office roles alike.
func TestStandingMatchesTheRows(t *testing.T) {
	t.Parallel()
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f, sf, services := testutil.SeedAll(t, db)
		now := time.Date(2026, 12, 20, 4, 0, 0, 0, time.UTC) // noon in Shanghai
		var unit int64
		if err := store.Get(ctx, db, &unit, `SELECT id FROM units WHERE serial_number = ?`, sf.Serial); err != nil {
			t.Fatal(err)
		}
		type clock struct{ kind, state string }
		rows := []struct {
			age    time.Duration
			status string
			clocks []clock
		}{
			{2 * time.Hour, "received", []clock{{"response", "running"}, {"resolution", "running"}}},
			{30 * time.Hour, "scheduled", []clock{{"response", "breached"}, {"onsite", "running"}, {"resolution", "paused"}}},
			{4 * 24 * time.Hour, "on_site", []clock{{"response", "met"}, {"onsite", "met"}, {"resolution", "breached"}}},
			{10 * 24 * time.Hour, "responded", []clock{{"response", "met"}, {"resolution", "running"}}},
			{3 * time.Hour, "resolved", []clock{{"response", "met"}, {"resolution", "met"}}},
			{5 * 24 * time.Hour, "resolved", []clock{{"response", "met"}, {"resolution", "breached"}, {"escalation", "met"}}},
			{40 * 24 * time.Hour, "received", []clock{{"response", "breached"}, {"resolution", "running"}}},
			{6 * time.Hour, "cancelled", []clock{{"response", "met"}, {"resolution", "cancelled"}}},
			{200 * 24 * time.Hour, "resolved", []clock{{"response", "met"}, {"onsite", "breached"}, {"resolution", "met"}}},
			{400 * 24 * time.Hour, "resolved", []clock{{"response", "breached"}, {"resolution", "met"}}}, // thirteen months back: not shown
		}
		for i, r := range rows {
			received := now.Add(-r.age)
			var id int64
			if err := store.Get(ctx, db, &id, `INSERT INTO service_requests (number, agreement_id, vendor_id, provider_id, customer_org_id, unit_id,
				serial_number, model, site_division, channel, service_item, priority, status, description, received_at, breached, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, 'FX-100', '320100', 'portal', 'repair', 'general', ?, 'x', ?, FALSE, ?) RETURNING id`,
				fmt.Sprintf("SR-T-%d", i), sf.AgreementID, f.Vendor.ID, f.Provider.ID, f.Customer.ID, unit, sf.Serial, r.status,
				received, now); err != nil {
				t.Fatal(err)
			}
			var clockRows [][]any
			for _, c := range r.clocks {
				clockRows = append(clockRows, []any{id, c.kind, sf.AgreementID, f.Vendor.ID, f.Provider.ID, servicerequest.MonthOf(received), c.state, received.Add(time.Hour)})
			}
			if err := servicerequest.SaveClockRows(ctx, db, id, clockRows); err != nil {
				t.Fatal(err)
			}
		}
		// The count made from the rows: requests of the party, received in
		// the month, with a clock of the kind in the state.
		fromRows := func(col string, id int64, period, kind, state string) int {
			t.Helper()
			states := map[string]string{"met": "'met'", "breached": "'breached'", "running": "'running', 'paused'"}[state]
			var n int
			if err := store.Get(ctx, db, &n, `SELECT COUNT(*) FROM service_requests r JOIN request_clocks c ON c.request_id = r.id
				WHERE r.`+col+` = ? AND c.kind = ? AND c.state IN (`+states+`) AND r.received_at >= ? AND r.received_at < ?`,
				id, kind, monthStart(t, period), monthStart(t, period).AddDate(0, 1, 0)); err != nil {
				t.Fatal(err)
			}
			return n
		}
		listed := func(a policy.Actor, fl servicerequest.Filter) int {
			t.Helper()
			n := 0
			for {
				fl.Limit = 2
				page, err := services.Requests.List(ctx, a, fl)
				if err != nil {
					t.Fatal(err)
				}
				n += len(page.Items)
				if page.Next == "" {
					return n
				}
				fl.Cursor = page.Next
			}
		}
		svc := &home.Service{DB: db, Now: func() time.Time { return now }}
		for _, role := range []policy.Role{policy.Dispatcher, policy.ProviderAdmin, policy.VendorAdmin, policy.VendorAuditor} {
			actor := f.Users[role].Actor()
			w, err := svc.For(ctx, actor)
			if err != nil {
				t.Fatal(err)
			}
			st := w.Standing
			if st == nil {
				t.Fatalf("%s has no standing", role)
			}
			if st.Period != "2026-12" || len(st.Periods) != home.Months || st.Periods[12] != "2025-12" || len(st.Agreements) != 1 {
				t.Fatalf("%s: periods %v, %d agreements", role, st.Periods, len(st.Agreements))
			}
			vendor := role == policy.VendorAdmin || role == policy.VendorAuditor
			if vendor != (len(st.Providers) == 1) {
				t.Fatalf("%s: providers %+v", role, st.Providers)
			}
			// December: five response clocks met (one of a cancelled request), one breached, one running.
			if c := st.Agreements[0].Current().ByKind[0]; c != (home.Counts{Met: 5, Breached: 1, Running: 1}) {
				t.Fatalf("%s: December's response clocks %+v", role, c)
			}
			total := 0
			for _, l := range append(st.Agreements, st.Providers...) {
				for _, p := range l.Periods {
					for k, kind := range st.Kinds {
						c := p.ByKind[k]
						for state, got := range map[string]int{"met": c.Met, "breached": c.Breached, "running": c.Running} {
							col := map[string]string{"agreement_id": "agreement_id", "provider_id": "provider_id"}[l.Param]
							if want := fromRows(col, l.ID, p.Period, kind, state); got != want {
								t.Fatalf("%s: %s %d %s %s %s: %d, the rows say %d", role, l.Param, l.ID, p.Period, kind, state, got, want)
							}
							fl := servicerequest.Filter{Period: p.Period, Clock: kind, ClockState: state}
							if l.Param == "agreement_id" {
								fl.AgreementID = l.ID
							} else {
								fl.ProviderID = l.ID
							}
							if n := listed(actor, fl); n != got {
								t.Fatalf("%s: %s %d %s %s %s: %d, the list has %d", role, l.Param, l.ID, p.Period, kind, state, got, n)
							}
							total += got
						}
					}
				}
			}
			if want := 20; !vendor && total != want || vendor && total != 2*want {
				t.Fatalf("%s: %d clocks counted", role, total)
			}
			if st.ByAge != [4]int{1, 1, 1, 2} {
				t.Fatalf("%s: by age %v", role, st.ByAge)
			}
			for i, n := range st.ByAge {
				from, to := home.AgeRange(now, i)
				fl := servicerequest.Filter{From: from, To: to, Status: []servicerequest.Status{servicerequest.Received, servicerequest.Responded,
					servicerequest.Scheduled, servicerequest.OnSite}}
				if got := listed(actor, fl); got != n {
					t.Fatalf("%s: age bucket %d counts %d, the list has %d", role, i, n, got)
				}
			}
		}
		w, err := svc.For(ctx, f.Users[policy.Customer].Actor())
		if err != nil || w.Standing != nil {
			t.Fatalf("the customer has a standing: %+v %v", w.Standing, err)
		}
		other, err := svc.For(ctx, f.OtherAdmin.Actor())
		if err != nil || other.Standing == nil || len(other.Standing.Agreements) != 0 {
			t.Fatalf("another vendor counts our requests: %+v %v", other.Standing, err)
		}
		if _, err := services.Requests.List(ctx, f.Users[policy.VendorAdmin].Actor(), servicerequest.Filter{Period: "2026-13", Clock: "lunch", ClockState: "late"}); err == nil {
			t.Fatal("a month, clock and state that do not exist were taken")
		}
	})
}

func monthStart(t *testing.T, period string) time.Time {
	t.Helper()
	m, err := time.ParseInLocation("2006-01", period, time.FixedZone("CST", 8*3600))
	if err != nil {
		t.Fatal(err)
	}
	return m.UTC()
}
