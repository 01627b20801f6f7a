package home_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"aftersales/internal/home"
	"aftersales/internal/policy"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// The standing counts this month's requests by how their clocks went and
// the open ones by age, each as a count made directly from the rows says,
// for the provider's and the vendor's office roles alike.
func TestStandingMatchesTheRows(t *testing.T) {
	t.Parallel()
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := testutil.Seed(t, db)
		sf := testutil.SeedService(t, db, f)
		now := time.Date(2026, 12, 20, 4, 0, 0, 0, time.UTC) // noon in Shanghai
		var unit int64
		if err := store.Get(ctx, db, &unit, `SELECT id FROM units WHERE serial_number = ?`, sf.Serial); err != nil {
			t.Fatal(err)
		}
		rows := []struct {
			age      time.Duration
			status   string
			breached bool
		}{
			{2 * time.Hour, "received", false}, {30 * time.Hour, "scheduled", true}, {4 * 24 * time.Hour, "on_site", false},
			{10 * 24 * time.Hour, "responded", false}, {3 * time.Hour, "resolved", false}, {5 * 24 * time.Hour, "resolved", true},
			{40 * 24 * time.Hour, "received", false}, {6 * time.Hour, "cancelled", false},
		}
		for i, r := range rows {
			if _, err := store.Exec(ctx, db, `INSERT INTO service_requests (number, agreement_id, vendor_id, provider_id, customer_org_id, unit_id,
				serial_number, model, site_division, channel, service_item, priority, status, description, received_at, breached, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, 'FX-100', '320100', 'portal', 'repair', 'general', ?, 'x', ?, ?, ?)`,
				fmt.Sprintf("SR-T-%d", i), sf.AgreementID, f.Vendor.ID, f.Provider.ID, f.Customer.ID, unit, sf.Serial, r.status,
				now.Add(-r.age), r.breached, now); err != nil {
				t.Fatal(err)
			}
		}
		svc := &home.Service{DB: db, Now: func() time.Time { return now }}
		for _, role := range []policy.Role{policy.Dispatcher, policy.ProviderAdmin, policy.VendorAdmin, policy.VendorAuditor} {
			w, err := svc.For(ctx, f.Users[role].Actor())
			if err != nil {
				t.Fatal(err)
			}
			st := w.Standing
			if st == nil {
				t.Fatalf("%s has no standing", role)
			}
			// Received in December (the 40-day-old one is November's): met = resolved, not breached.
			if st.Period != "2026-12" || st.Met != 1 || st.Breached != 2 || st.Running != 3 {
				t.Fatalf("%s: clocks %+v", role, st)
			}
			if st.ByAge != [4]int{1, 1, 1, 2} {
				t.Fatalf("%s: by age %v", role, st.ByAge)
			}
		}
		w, err := svc.For(ctx, f.Users[policy.Customer].Actor())
		if err != nil || w.Standing != nil {
			t.Fatalf("the customer has a standing: %+v %v", w.Standing, err)
		}
		other, err := svc.For(ctx, f.OtherAdmin.Actor())
		if err != nil || other.Standing == nil || other.Standing.Met+other.Standing.Breached+other.Standing.Running != 0 {
			t.Fatalf("another vendor counts our requests: %+v %v", other.Standing, err)
		}
	})
}
