package demo_test

import (
	"context"
	"errors"
	"testing"

	"aftersales/internal/account"
	"aftersales/internal/agreement"
	"aftersales/internal/demo"
	"aftersales/internal/policy"
	"aftersales/internal/record"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// loaded is a fresh SQLite database with the demo loaded by demo.Load,
// which these tests test (other packages' tests take testutil.DemoDB).
func loaded(t *testing.T) *store.DB {
	t.Helper()
	db := testutil.NewDB(t, store.SQLite)
	if _, err := demo.Load(context.Background(), testutil.Services(t, db)); err != nil {
		t.Fatal(err)
	}
	return db
}

func TestDemoHasRunningAgreements(t *testing.T) {
	t.Parallel()
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := demo.Load(ctx, testutil.Services(t, db)); err != nil {
			t.Fatal(err)
		}
		svc := testutil.Services(t, db).Agreements
		list, err := svc.List(ctx, policy.Actor{Operator: true})
		if err != nil || len(list) != 2 {
			t.Fatalf("agreements: %d %v", len(list), err)
		}
		byNumber := map[string]agreement.Detail{}
		for _, d := range list {
			byNumber[d.Number] = d
		}
		hx := byNumber["HC-HX-2026-001"]
		// Version 3 refers to the staff register's points; version 1 wrote them inline.
		if hx.Status != agreement.Active || hx.Current == nil || hx.Current.Number != 3 || hx.ProviderName != "华东恒信技术服务有限公司" {
			t.Fatalf("HC-HX-2026-001: %+v", hx)
		}
		if pts := hx.Current.Terms.ServicePoints; len(pts) != 2 || pts[0].ServicePointID == 0 || pts[0].Name != "苏州网点" || pts[0].Lat != 31.2983 {
			t.Fatalf("HC-HX-2026-001's points in force: %+v, want the register's", pts)
		}
		versions, err := agreement.Versions(ctx, db, hx.ID)
		if err != nil || versions[0].Terms.ServicePoints[0].ServicePointID != 0 || versions[0].Terms.ServicePoints[0].Lat != 31.2983 {
			t.Fatalf("version 1 keeps its inline points: %+v %v", versions[0].Terms.ServicePoints, err)
		}
		if ya := byNumber["HC-YA-2026-002"]; len(ya.Current.Terms.ServiceArea) != 1 || ya.Current.Terms.ServiceArea[0] != "44" {
			t.Fatalf("HC-YA-2026-002: %+v", ya)
		}
		adjs, err := svc.Adjustments(ctx, policy.Actor{Operator: true}, hx.ID)
		if err != nil || len(adjs) != 1 || adjs[0].State != agreement.Pending {
			t.Fatalf("adjustments: %+v %v", adjs, err)
		}
		if _, err := demo.Load(ctx, testutil.Services(t, db)); !errors.Is(err, demo.ErrNotEmpty) {
			t.Fatalf("second load: %v", err)
		}
	})
}

// The demo's records pages have something to show: a repair with its
// signature and a correction, and an answered consultation, on a chain
// that verifies; and the six surveyed visits of the satisfaction pages.
func TestDemoHasSealedRecords(t *testing.T) {
	t.Parallel()
	db := loaded(t)
	ctx := context.Background()
	rs, _, err := record.List(ctx, db, policy.Actor{Operator: true}, record.Filter{})
	if err != nil {
		t.Fatalf("demo records: %v", err)
	}
	// Nine records of requests filed in the product (three visits, a
	// consultation and a correction, and six surveyed visits); the rest are the
	// settled month's visits (settlement.go).
	corrections, ofRequests := 0, 0
	for _, r := range rs {
		if r.CorrectsID != nil {
			corrections++
		}
		if r.RequestID != nil {
			ofRequests++
		}
	}
	if ofRequests != 9 {
		t.Fatalf("demo records of requests: %d", ofRequests)
	}
	if v, err := record.Verify(ctx, db, 0); err != nil || len(v.Breaks) != 0 || v.Records != len(rs) || corrections != 1 {
		t.Fatalf("demo chain: %+v %v, %d corrections", v, err, corrections)
	}
}

// The demo's dispatch board is alive: working hours at the service points,
// a day of booked visits, on-call turns and a plan.
func TestDemoHasADispatchBoard(t *testing.T) {
	t.Parallel()
	db := testutil.NewDB(t, store.SQLite)
	ctx := context.Background()
	a := testutil.Services(t, db)
	if _, err := demo.Load(ctx, a); err != nil {
		t.Fatal(err)
	}
	dispatcher, err := account.GetUserByEmail(ctx, db, "dispatch@hengxin.example")
	if err != nil {
		t.Fatal(err)
	}
	day := demo.DemoBoardDay(a.Now())
	b, err := a.Dispatch.Board(ctx, dispatcher.Actor(), dispatcher.OrgID, day.String())
	if err != nil {
		t.Fatal(err)
	}
	booked := 0
	for _, l := range b.Lanes {
		booked += len(l.Visits)
	}
	if booked < 3 {
		t.Fatalf("board of %s: %d visits", day, booked)
	}
	var turns, hours int
	if err := store.Get(ctx, db, &turns, `SELECT COUNT(*) FROM on_call`); err != nil || turns != 2 {
		t.Fatalf("on-call turns: %d %v", turns, err)
	}
	if err := store.Get(ctx, db, &hours, `SELECT COUNT(*) FROM working_hours WHERE service_point_id IS NOT NULL`); err != nil || hours != 2 {
		t.Fatalf("service points with working hours: %d %v", hours, err)
	}
	plans, err := a.Dispatch.ListPlans(ctx, dispatcher.Actor(), dispatcher.OrgID)
	planDay, dayErr := demo.DemoPlanDay(ctx, a, dispatcher.OrgID)
	if err != nil || dayErr != nil || len(plans) != 1 || plans[0].Day != planDay.String() {
		t.Fatalf("plans: %+v %v %v", plans, err, dayErr)
	}
}
