package workorder_test

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/agreement"
	"aftersales/internal/app"
	"aftersales/internal/installedbase"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/record"
	"aftersales/internal/servicerequest"
	"aftersales/internal/sla"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
	"aftersales/internal/workorder"
)

var signature = append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 32)...)

// maintained adds an agreement between the fixture's vendor and provider
// that covers repair and maintenance, with a resolution target of three
// working days, and a unit under it at the customer's site.
func maintained(t *testing.T, db *store.DB, a *app.App, f *testutil.Fixture) (unitID int64, serial string) {
	t.Helper()
	ctx := context.Background()
	vendor := f.Users[policy.VendorAdmin].Actor()
	d, err := a.Agreements.Create(ctx, vendor, agreement.NewAgreement{ProviderID: f.Provider.ID, Number: "MNT-1", Terms: agreement.Terms{
		Term:          agreement.Term{Start: "2025-01-01", End: "2099-12-31"},
		CoveredModels: []string{"MX-200"}, ServiceArea: []string{"32"},
		ServiceItems:         []agreement.ServiceItem{agreement.Repair, agreement.Maintenance},
		Emergency:            agreement.EmergencyTerms{ResponseHours: 2, OnSiteHours: 8, CalendarID: "24x7"},
		General:              agreement.GeneralTerms{ResponseWorkingDays: 2, CalendarID: "cn"},
		Resolution:           &agreement.ResolutionTargets{GeneralWorkingDays: 3},
		SatisfactionPermille: 900, RetentionMonths: 36,
		Payment: agreement.PaymentTerms{SettlementPeriod: agreement.Monthly, PaymentDueDays: 30}, AdjustmentLeadDays: 30,
	}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Agreements.ChangeStatus(ctx, vendor, d.ID, agreement.Transition{To: agreement.Active, Reason: "signed"}, d.Version); err != nil {
		t.Fatal(err)
	}
	serial = "MX200-0001"
	ids, err := installedbase.Load(ctx, db, time.Now(), installedbase.Seed{VendorID: f.Vendor.ID,
		Models: []installedbase.Model{{Code: "MX-200", Name: "Mill 200"}},
		Sites: []installedbase.SeedSite{{CustomerOrgID: f.Customer.ID, Name: "Works", Address: "苏州市虎丘区 2 号", Division: "320505",
			Lat: 31.31, Lng: 120.54, ContactName: "Liu", Phone: "13812345678"}},
		Units: []installedbase.NewUnit{{Serial: serial, Model: "MX-200", Site: "Works", InstallDate: "2025-03-01", AgreementID: d.ID}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids[serial], serial
}

// A maintenance visit has no request behind it: it is booked for a unit
// whose agreement covers maintenance, read by the parties and its
// technician, stepped through to check-out, and sealed as a maintenance
// visit's record naming the unit. Maintenance outside the agreement's
// scope (before it begins), or of a unit another provider serves, is
// refused with nothing written.
func TestAMaintenanceVisitIsBookedWorkedAndSealed(t *testing.T) {
	t.Parallel()
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f, _, a := testutil.SeedAll(t, db)
		unitID, serial := maintained(t, db, a, f)
		dispatcher, tech := f.Users[policy.Dispatcher].Actor(), f.Users[policy.Technician].Actor()
		start := time.Now().UTC().Truncate(time.Second)
		window := workorder.Assignment{TechnicianID: tech.UserID, WindowStart: start, WindowEnd: start.Add(2 * time.Hour)}

		// Before its agreement begins, a unit's maintenance is out of scope.
		early := time.Date(2024, 12, 30, 2, 0, 0, 0, time.UTC)
		before := workorder.Assignment{TechnicianID: tech.UserID, WindowStart: early, WindowEnd: early.Add(2 * time.Hour)}
		if _, err := a.WorkOrders.Book(ctx, dispatcher, workorder.ForMaintenance(unitID), before); !problem.Is(err, problem.OutOfScope) {
			t.Fatalf("maintenance before the agreement begins: %v", err)
		}
		for _, other := range []policy.Actor{f.OtherAdmin.Actor(), f.Users[policy.Customer].Actor(), tech} {
			if _, err := a.WorkOrders.Book(ctx, other, workorder.ForMaintenance(unitID), window); err == nil {
				t.Fatalf("%s booked a maintenance visit", other.Label())
			}
		}
		if n := testutil.Count(t, db, `SELECT COUNT(*) FROM work_orders`); n != 0 {
			t.Fatalf("refused bookings left %d visits", n)
		}

		wo, err := a.WorkOrders.Book(ctx, dispatcher, workorder.ForMaintenance(unitID), window)
		if err != nil {
			t.Fatal(err)
		}
		if wo.Origin != workorder.OriginMaintenance || wo.RequestID != 0 || wo.UnitID == nil || *wo.UnitID != unitID || wo.AgreementID == nil {
			t.Fatalf("the maintenance visit: %+v", wo)
		}
		sub, err := workorder.SubjectOf(ctx, db, wo)
		if err != nil || sub.Reference != serial || sub.UnitID != unitID || sub.ProviderID != f.Provider.ID || sub.CustomerOrgID != f.Customer.ID {
			t.Fatalf("what it is for: %+v, %v", sub, err)
		}
		for _, reader := range []policy.Actor{tech, f.Users[policy.Customer].Actor(), f.Users[policy.VendorAdmin].Actor()} {
			if _, err := a.WorkOrders.Get(ctx, reader, wo.ID); err != nil {
				t.Errorf("%s reading it: %v", reader.Label(), err)
			}
		}
		if _, err := a.WorkOrders.Get(ctx, f.OtherAdmin.Actor(), wo.ID); !problem.Is(err, problem.NotFound) {
			t.Errorf("another vendor reading it: %v", err)
		}
		if _, err := a.WorkOrders.Step(ctx, dispatcher, wo.ID, workorder.Step{Kind: "check_in"}, wo.Version); !problem.Is(err, problem.Forbidden) {
			t.Errorf("the dispatcher checking in: %v", err)
		}
		// Moved to another window, as any visit not started.
		later := window
		later.WindowStart, later.WindowEnd = start.Add(time.Hour), start.Add(3*time.Hour)
		if wo, err = a.WorkOrders.Reassign(ctx, dispatcher, workorder.ForMaintenance(unitID), wo.ID, later); err != nil {
			t.Fatal(err)
		}
		for _, st := range []workorder.Step{{Kind: "check_in"}, {Kind: "record", Diagnosis: "filters worn", ActionsTaken: "cleaned, calibrated"},
			{Kind: "sign_off", SignoffName: "刘", SignaturePNG: signature}} {
			if wo, err = a.WorkOrders.Step(ctx, tech, wo.ID, st, wo.Version); err != nil {
				t.Fatalf("%s: %v", st.Kind, err)
			}
		}
		// Kilometres entered at check-out: nothing, negative or absurd ones
		// are refused naming the field, and the visit stays on site.
		for _, km := range []float64{0, -3, workorder.MaxTravelKM + 1, math.NaN()} {
			_, err := a.WorkOrders.Step(ctx, tech, wo.ID, workorder.Step{Kind: "check_out", Result: "fixed", TravelKM: &km}, wo.Version)
			if !problem.Is(err, problem.Invalid) || !strings.Contains(err.Error(), "travel_km") {
				t.Errorf("checking out with %v km: %v", km, err)
			}
		}
		if got, _ := a.WorkOrders.Get(ctx, tech, wo.ID); got.Status != workorder.WOOnSite || got.RecordID != nil || got.Version != wo.Version {
			t.Fatalf("a refused check-out changed the visit: %+v", got)
		}
		km := 23.45
		if wo, err = a.WorkOrders.Step(ctx, tech, wo.ID, workorder.Step{Kind: "check_out", Result: "fixed", TravelKM: &km}, wo.Version); err != nil {
			t.Fatal(err)
		}
		if wo.Status != workorder.WOCompleted || wo.RecordID == nil {
			t.Fatalf("after check-out: %+v", wo)
		}
		rec, err := record.Get(ctx, db, *wo.RecordID)
		if err != nil {
			t.Fatal(err)
		}
		c, err := rec.Content()
		if err != nil || c.Kind != record.KindMaintenanceVisit || c.Visit == nil {
			t.Fatalf("the record: %+v, %v", c, err)
		}
		v := c.Visit
		if rec.RequestID != nil || v.Request != "" || v.ServiceItem != "maintenance" || v.Product.SerialNumber != serial || v.Agreement != "MNT-1" ||
			v.WorkOrder != wo.ID || v.Actions != "cleaned, calibrated" || v.SignOff.Name != "刘" || len(v.Clocks) != 0 || v.OnSiteSeconds < 0 {
			t.Fatalf("the sealed visit: request %v, %+v", rec.RequestID, v)
		}
		if v.TravelMetres == nil || *v.TravelMetres != 23450 {
			t.Errorf("the entered distance in the record: %v", v.TravelMetres)
		}
		if rec.ProviderID != f.Provider.ID || rec.VendorID != f.Vendor.ID {
			t.Fatalf("the record's parties: %+v", rec)
		}
		if n := testutil.Count(t, db, `SELECT COUNT(*) FROM service_requests`); n != 0 {
			t.Fatalf("a maintenance visit filed %d requests", n)
		}
	})
}

// A visit sent back for a redo is a new visit of the same request, with the
// same technician, marked as the redo of the first; a resolved request is
// reopened and its resolution clock resumes, its due time later by the
// time it stood resolved. A cancelled request's visit and a maintenance
// visit are not redone.
func TestARedoReopensTheRequestAndItsResolutionClock(t *testing.T) {
	t.Parallel()
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clock := &testutil.Clock{}
		clock.Set(time.Date(2026, 11, 24, 2, 0, 0, 0, time.UTC)) // Tuesday 10:00 in Shanghai
		a, err := app.New(db, app.Config{}, clock.Now)
		if err != nil {
			t.Fatal(err)
		}
		f := testutil.Seed(t, db)
		unitID, serial := maintained(t, db, a, f)
		dispatcher, tech, auditor := f.Users[policy.Dispatcher].Actor(), f.Users[policy.Technician].Actor(), f.Users[policy.VendorAuditor].Actor()
		v, err := a.Requests.Create(ctx, dispatcher, servicerequest.NewRequest{SerialNumber: serial, ServiceItem: "repair", Priority: "general",
			Description: "spindle noise", Channel: servicerequest.Dispatcher})
		if err != nil {
			t.Fatal(err)
		}
		work := func(wo workorder.WorkOrder) workorder.WorkOrder {
			t.Helper()
			for _, st := range []workorder.Step{{Kind: "check_in"}, {Kind: "record", ActionsTaken: "bearing replaced"},
				{Kind: "sign_off", SignoffName: "刘", SignaturePNG: signature}, {Kind: "check_out", Result: "fixed"}} {
				if wo, err = a.WorkOrders.Step(ctx, tech, wo.ID, st, wo.Version); err != nil {
					t.Fatalf("%s: %v", st.Kind, err)
				}
			}
			return wo
		}
		now := clock.Now()
		first, err := a.WorkOrders.Book(ctx, dispatcher, workorder.ForRequest(v.ID), workorder.Assignment{TechnicianID: tech.UserID,
			WindowStart: now, WindowEnd: now.Add(2 * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		clock.Set(now.Add(time.Hour))
		first = work(first)
		resolved, err := a.Requests.Get(ctx, dispatcher, v.ID)
		if err != nil || resolved.Status != servicerequest.Resolved {
			t.Fatalf("after the first visit: %s, %v", resolved.Status, err)
		}
		before, ok := clockOf(resolved.Clocks, sla.Resolution)
		if !ok || before.State != sla.StateMet {
			t.Fatalf("the resolution clock at the first resolution: %+v", resolved.Clocks)
		}
		// What the lists read: a closed request has no next deadline or
		// check; reopened, it has its running clock's again.
		stored := func() (due, check *time.Time) {
			t.Helper()
			var s struct {
				Due   *time.Time `db:"next_due_at"`
				Check *time.Time `db:"next_check_at"`
			}
			if err := store.Get(ctx, db, &s, `SELECT next_due_at, next_check_at FROM service_requests WHERE id = ?`, v.ID); err != nil {
				t.Fatal(err)
			}
			return s.Due, s.Check
		}
		openList := func() []int64 {
			t.Helper()
			p, err := a.Requests.List(ctx, dispatcher, servicerequest.Filter{Status: []servicerequest.Status{servicerequest.Received,
				servicerequest.Responded, servicerequest.Scheduled, servicerequest.OnSite}})
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, r := range p.Items {
				ids = append(ids, r.ID)
			}
			return ids
		}
		if due, check := stored(); due != nil || check != nil || slices.Contains(openList(), v.ID) {
			t.Fatalf("the resolved request: next deadline %v, next check %v, open list %v", due, check, openList())
		}

		// A day later (a working day), the visit is sent back.
		clock.Set(now.Add(25 * time.Hour))
		start := now.Add(48 * time.Hour)
		var redo workorder.WorkOrder
		if err := db.Tx(ctx, func(tx *sqlx.Tx) error {
			redo, err = a.WorkOrders.Redo(ctx, tx, auditor, first.ID, start, start.Add(3*time.Hour), "still noisy")
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if redo.RedoOf == nil || *redo.RedoOf != first.ID || redo.RequestID != v.ID || redo.TechnicianID != tech.UserID || redo.Status != workorder.WOAssigned {
			t.Fatalf("the redo visit: %+v", redo)
		}
		reopened, err := a.Requests.Get(ctx, dispatcher, v.ID)
		if err != nil || reopened.Status != servicerequest.Scheduled {
			t.Fatalf("the reopened request: %s, %v", reopened.Status, err)
		}
		var kinds []string
		for _, e := range reopened.Events {
			kinds = append(kinds, e.Kind)
		}
		if !contains(kinds, string(sla.Reopened)) || !contains(kinds, workorder.EventRedo) {
			t.Fatalf("the request's events: %v", kinds)
		}
		during, _ := clockOf(reopened.Clocks, sla.Resolution)
		if during.State != sla.StateRunning || !during.DueAt.After(before.DueAt) {
			t.Fatalf("the resolution clock reopened: %s (was %s)", during, before)
		}
		if due, check := stored(); due == nil || !due.Equal(during.DueAt) || check == nil || !slices.Contains(openList(), v.ID) {
			t.Fatalf("the reopened request: next deadline %v (its resolution clock's %v), next check %v, open list %v", due, during.DueAt, check, openList())
		}
		// The redo visit is worked like any; the request is resolved again.
		clock.Set(start.Add(time.Hour))
		work(redo)
		again, err := a.Requests.Get(ctx, dispatcher, v.ID)
		if err != nil || again.Status != servicerequest.Resolved {
			t.Fatalf("after the redo: %s, %v", again.Status, err)
		}
		if c, _ := clockOf(again.Clocks, sla.Resolution); c.State != sla.StateMet || !c.MetAt.Equal(start.Add(time.Hour)) {
			t.Fatalf("the resolution clock after the redo: %s", c)
		}

		// Not a maintenance visit.
		m, err := a.WorkOrders.Book(ctx, dispatcher, workorder.ForMaintenance(unitID), workorder.Assignment{TechnicianID: tech.UserID,
			WindowStart: start, WindowEnd: start.Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		err = db.Tx(ctx, func(tx *sqlx.Tx) error {
			_, err := a.WorkOrders.Redo(ctx, tx, auditor, m.ID, start, start.Add(time.Hour), "again")
			return err
		})
		if !problem.Is(err, problem.Conflict) {
			t.Fatalf("redoing a maintenance visit: %v", err)
		}
	})
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

func clockOf(clocks []sla.Clock, k sla.ClockKind) (sla.Clock, bool) {
	for _, c := range clocks {
		if c.Kind == k {
			return c, true
		}
	}
	return sla.Clock{}, false
}
