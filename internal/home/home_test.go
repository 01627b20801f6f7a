package home_test

import (
	"context"
	"testing"
	"time"

	"aftersales/internal/account"
	"aftersales/internal/home"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// The work of each role in the demo, on both engines.
func TestWorkOfEachRole(t *testing.T) {
	t.Parallel()
	testutil.DemoEngines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := &home.Service{DB: db, Now: time.Now}
		work := func(email string) home.Work {
			t.Helper()
			u, err := account.GetUserByEmail(ctx, db, email)
			if err != nil {
				t.Fatal(err)
			}
			w, err := svc.For(ctx, u.Actor())
			if err != nil {
				t.Fatalf("%s: %v", email, err)
			}
			return w
		}
		// 李工 finished the laser cutter's repair and the six surveyed visits
		// of the satisfaction demo.
		if w := work("tech.li@hengxin.example"); len(w.Done) != 7 || w.Done[0].Serial != "HCL3015-2025-00301" || w.Done[0].Result != "fixed" {
			t.Errorf("technician: %+v", w)
		}
		if w := work("tech.he@yuean.example"); len(w.Today) != 1 || w.Today[0].Status != "on_site" {
			t.Errorf("technician on site: %+v", w)
		}
		if w := work("service@sz-jinggong.example"); w.Products == 0 || len(w.Unassigned) != 0 {
			t.Errorf("customer: %+v", w)
		}
		if w := work("admin@haichuan.example"); w.OverdueReturns != 1 {
			t.Errorf("vendor admin: %+v", w)
		}
		if w := work("admin@yuean.example"); w.OverdueReturns != 1 {
			t.Errorf("provider admin: %+v", w)
		}
	})
}
