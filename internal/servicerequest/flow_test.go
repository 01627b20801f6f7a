package servicerequest_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"aftersales/internal/agreement"
	"aftersales/internal/calendar/registry"
	"aftersales/internal/coverage"
	"aftersales/internal/notify"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/record"
	"aftersales/internal/servicerequest"
	"aftersales/internal/sla"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
	"aftersales/internal/workorder"
)

// units stands in for the installed base: three products of the
// fixture's customer, as the agreement's scope sees them.
func units(agreementID int64, f *testutil.Fixture) coverage.UnitFinder {
	byserial := map[string]coverage.Unit{
		"IN-SCOPE-1":  {ID: 1, Serial: "IN-SCOPE-1", Model: "HC-CNC-850", Division: "320505", Address: "苏州市虎丘区", CustomerOrgID: f.Customer.ID, VendorID: f.Vendor.ID, AgreementID: agreementID},
		"NOT-COVERED": {ID: 2, Serial: "NOT-COVERED", Model: "HC-PRESS-200", Division: "320505", CustomerOrgID: f.Customer.ID, VendorID: f.Vendor.ID, AgreementID: agreementID},
		"OUT-OF-AREA": {ID: 3, Serial: "OUT-OF-AREA", Model: "HC-CNC-850", Division: "110105", CustomerOrgID: f.Customer.ID, VendorID: f.Vendor.ID, AgreementID: agreementID},
	}
	return func(_ context.Context, _ store.Queryer, serial string, _ coverage.Also) (coverage.Unit, error) {
		u, ok := byserial[serial]
		if !ok {
			return u, problem.Field("serial_number", "no product with serial number %q", serial)
		}
		return u, nil
	}
}

type clock struct{ now time.Time }

func (c *clock) Now() time.Time { return c.now }

// fileRepair files a general repair of IN-SCOPE-1 as the fixture's
// dispatcher.
func fileRepair(t testing.TB, svc *servicerequest.Service, f *testutil.Fixture, description string) servicerequest.View {
	t.Helper()
	return fileDispatched(t, svc, f, "general", description)
}

// fileDispatched files a repair of IN-SCOPE-1 of the priority given as the
// fixture's dispatcher.
func fileDispatched(t testing.TB, svc *servicerequest.Service, f *testutil.Fixture, priority, description string) servicerequest.View {
	t.Helper()
	v, err := svc.Create(context.Background(), f.Users[policy.Dispatcher].Actor(), servicerequest.NewRequest{SerialNumber: "IN-SCOPE-1", ServiceItem: "repair",
		Priority: priority, Description: description, Channel: servicerequest.Dispatcher})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// listed is every request of f's list as actor, page after page, in the
// order listed.
func listed(t testing.TB, svc *servicerequest.Service, actor policy.Actor, f servicerequest.Filter) []servicerequest.Request {
	t.Helper()
	var out []servicerequest.Request
	for {
		p, err := svc.List(context.Background(), actor, f)
		if err != nil {
			t.Fatalf("%+v: %v", f, err)
		}
		out = append(out, p.Items...)
		if p.Next == "" {
			return out
		}
		f.Cursor = p.Next
	}
}

// idsOf is the ids of rs, in their order.
func idsOf(rs []servicerequest.Request) []int64 {
	ids := make([]int64, 0, len(rs))
	for _, r := range rs {
		ids = append(ids, r.ID)
	}
	return ids
}

// setupWednesday is setup on a clock at Wednesday 25 November 2026,
// 15:30 in Shanghai, where most tests start.
func setupWednesday(t testing.TB, db *store.DB, resolution ...agreement.ResolutionTargets) (*clock, *servicerequest.Service, *testutil.Fixture) {
	t.Helper()
	c := &clock{now: time.Date(2026, 11, 25, 7, 30, 0, 0, time.UTC)}
	svc, f := setup(t, db, c, resolution...)
	return c, svc, f
}

// setupWatched is setup on a clock at Wednesday 25 November 2026, 09:00
// in Shanghai, with the notifications the clock job publishes to.
func setupWatched(t testing.TB, db *store.DB) (*clock, *servicerequest.Service, *testutil.Fixture, *notify.Service) {
	t.Helper()
	c := &clock{now: time.Date(2026, 11, 25, 1, 0, 0, 0, time.UTC)}
	svc, f := setup(t, db, c)
	return c, svc, f, &notify.Service{DB: db, Now: c.Now}
}

// onWednesday runs test in parallel on each engine, from setupWednesday.
func onWednesday(t *testing.T, test func(t *testing.T, db *store.DB, c *clock, svc *servicerequest.Service, f *testutil.Fixture)) {
	t.Parallel()
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		c, svc, f := setupWednesday(t, db)
		test(t, db, c, svc, f)
	})
}

// onWatched runs test in parallel on each engine, from setupWatched.
func onWatched(t *testing.T, test func(t *testing.T, db *store.DB, c *clock, svc *servicerequest.Service, f *testutil.Fixture, pub *notify.Service)) {
	t.Parallel()
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		c, svc, f, pub := setupWatched(t, db)
		test(t, db, c, svc, f, pub)
	})
}

// fileEmergency files an emergency repair of IN-SCOPE-1 as the fixture's
// customer: its response clock warns after 90 minutes.
func fileEmergency(t testing.TB, svc *servicerequest.Service, f *testutil.Fixture, description string) servicerequest.View {
	t.Helper()
	v, err := svc.Create(context.Background(), f.Users[policy.Customer].Actor(), servicerequest.NewRequest{SerialNumber: "IN-SCOPE-1", ServiceItem: "repair",
		Priority: "emergency", Description: description})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func setup(t testing.TB, db *store.DB, c *clock, resolution ...agreement.ResolutionTargets) (*servicerequest.Service, *testutil.Fixture) {
	t.Helper()
	ctx := context.Background()
	f := testutil.Seed(t, db)
	vendor := f.Users[policy.VendorAdmin].Actor()
	agreements := &agreement.Service{DB: db, Now: c.Now}
	var targets *agreement.ResolutionTargets
	if len(resolution) > 0 {
		targets = &resolution[0]
	}
	d, err := agreements.Create(ctx, vendor, agreement.NewAgreement{ProviderID: f.Provider.ID, Number: "T-1", Terms: agreement.Terms{
		Resolution:    targets,
		Term:          agreement.Term{Start: "2026-01-01", End: "2027-12-31"},
		CoveredModels: []string{"HC-CNC-850"}, ServiceArea: []string{"32", "31"},
		ServiceItems:         []agreement.ServiceItem{agreement.Repair, agreement.Consultation},
		Emergency:            agreement.EmergencyTerms{ResponseHours: 2, OnSiteHours: 8, CalendarID: "24x7"},
		General:              agreement.GeneralTerms{ResponseWorkingDays: 2, CalendarID: "cn"},
		SatisfactionPermille: 900, RetentionMonths: 36,
		Payment: agreement.PaymentTerms{SettlementPeriod: agreement.Monthly, PaymentDueDays: 30}, AdjustmentLeadDays: 30,
	}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := agreements.ChangeStatus(ctx, vendor, d.ID, agreement.Transition{To: agreement.Active, Reason: "signed"}, d.Version); err != nil {
		t.Fatal(err)
	}
	reg := registry.New(db)
	return &servicerequest.Service{DB: db, Now: c.Now, Resolve: coverage.Resolver{Units: units(d.ID, f)}, Calendars: reg.Get,
		Visits: workorder.RequestVisits{}}, f
}

// visitsOf is the visits service on svc's requests.
func visitsOf(svc *servicerequest.Service) *workorder.Service {
	return &workorder.Service{DB: svc.DB, Now: svc.Now, Requests: svc, Qualify: workorder.ActiveTechnician}
}

func TestTheWholeServiceFlow(t *testing.T) {
	onWednesday(t, func(t *testing.T, db *store.DB, c *clock, svc *servicerequest.Service, f *testutil.Fixture) {
		ctx := t.Context()
		customer := f.Users[policy.Customer].Actor()
		dispatcher := f.Users[policy.Dispatcher].Actor()
		tech := f.Users[policy.Technician].Actor()

		// Scope is checked on every request; each refusal has its reason.
		for serial, reason := range map[string]string{"NOT-COVERED": "model_not_covered", "OUT-OF-AREA": "outside_service_area"} {
			_, err := svc.Create(ctx, customer, servicerequest.NewRequest{SerialNumber: serial, ServiceItem: "repair", Priority: "general", Description: "x"})
			p, ok := problem.As(err)
			if !ok || p.Reason != reason {
				t.Fatalf("%s: %v, want %s", serial, err, reason)
			}
		}
		if _, err := svc.Create(ctx, customer, servicerequest.NewRequest{SerialNumber: "IN-SCOPE-1", ServiceItem: "maintenance", Priority: "general", Description: "x"}); !strings.Contains(errReason(err), "service_item_not_covered") {
			t.Fatalf("item: %v", err)
		}
		if _, err := svc.Create(ctx, f.OtherAdmin.Actor(), servicerequest.NewRequest{SerialNumber: "IN-SCOPE-1", ServiceItem: "repair", Priority: "general", Description: "x"}); !problem.Is(err, problem.Invalid) {
			t.Fatalf("another vendor filed for our unit: %v", err)
		}

		v, err := svc.Create(ctx, customer, servicerequest.NewRequest{SerialNumber: "in-scope-1 ", ServiceItem: "repair", Priority: "emergency",
			Description: "主轴异响，停机", ContactName: "刘经理", ContactPhone: "13812345678", Channel: servicerequest.Portal})
		if err != nil {
			t.Fatal(err)
		}
		if v.Status != servicerequest.Received || len(v.Clocks) != 2 || !strings.HasPrefix(v.Number, "SR2611-") {
			t.Fatalf("created %+v", v.Request)
		}
		resp, _ := findClock(v.Clocks, sla.Response)
		if want := c.now.Add(2 * time.Hour); !resp.DueAt.Equal(want) || resp.State != sla.StateRunning {
			t.Fatalf("response clock %v %s, want %v", resp.DueAt, resp.State, want)
		}

		// The customer sees it; a technician not assigned does not.
		if _, err := svc.Get(ctx, customer, v.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Get(ctx, tech, v.ID); !problem.Is(err, problem.NotFound) {
			t.Fatalf("unassigned technician: %v", err)
		}

		// 90 minutes later the dispatcher responds: the response clock is met.
		c.now = c.now.Add(90 * time.Minute)
		v, err = svc.Act(ctx, dispatcher, v.ID, servicerequest.Action{Kind: "responded", Note: "called the customer"}, v.Version)
		if err != nil {
			t.Fatal(err)
		}
		if resp, _ := findClock(v.Clocks, sla.Response); resp.State != sla.StateMet {
			t.Fatalf("response after responding: %s", resp.State)
		}
		if _, err := svc.Act(ctx, dispatcher, v.ID, servicerequest.Action{Kind: "responded"}, v.Version-1); !problem.Is(err, problem.PreconditionFailed) {
			t.Fatalf("stale version: %v", err)
		}
		if _, err := svc.Act(ctx, dispatcher, v.ID, servicerequest.Action{Kind: "paused", Reason: "weather"}, v.Version); !problem.Is(err, problem.Invalid) {
			t.Fatalf("pause for a reason not allowed: %v", err)
		}
		if _, err := svc.Act(ctx, customer, v.ID, servicerequest.Action{Kind: "note", Note: "please hurry"}, v.Version); !problem.Is(err, problem.Forbidden) {
			t.Fatalf("customer handling: %v", err)
		}

		wo, err := visitsOf(svc).Book(ctx, dispatcher, workorder.ForRequest(v.ID), workorder.Assignment{TechnicianID: tech.UserID,
			WindowStart: c.now.Add(time.Hour), WindowEnd: c.now.Add(3 * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := visitsOf(svc).Book(ctx, dispatcher, workorder.ForRequest(v.ID), workorder.Assignment{TechnicianID: dispatcher.UserID,
			WindowStart: c.now, WindowEnd: c.now.Add(time.Hour)}); !problem.Is(err, problem.Invalid) {
			t.Fatalf("assigning a dispatcher as technician: %v", err)
		}

		// Field work in order; steps out of order are refused.
		if _, err := visitsOf(svc).Step(ctx, tech, wo.ID, workorder.Step{Kind: "check_out", Result: "fixed"}, wo.Version); !problem.Is(err, problem.Conflict) {
			t.Fatalf("check out before check in: %v", err)
		}
		if _, err := visitsOf(svc).Step(ctx, dispatcher, wo.ID, workorder.Step{Kind: "check_in"}, wo.Version); !problem.Is(err, problem.Forbidden) {
			t.Fatalf("dispatcher doing field work: %v", err)
		}
		c.now = c.now.Add(2 * time.Hour)
		lat, lng := 31.3, 120.6
		wo, err = visitsOf(svc).Step(ctx, tech, wo.ID, workorder.Step{Kind: "check_in", Lat: &lat, Lng: &lng}, wo.Version)
		if err != nil {
			t.Fatal(err)
		}
		v, _ = svc.Get(ctx, tech, v.ID)
		if on, _ := findClock(v.Clocks, sla.OnSite); on.State != sla.StateMet || v.Status != servicerequest.OnSite {
			t.Fatalf("on site: %s %s", on.State, v.Status)
		}
		wo, err = visitsOf(svc).Step(ctx, tech, wo.ID, workorder.Step{Kind: "record", Diagnosis: "轴承磨损", FaultCodes: "SP-17", ActionsTaken: "更换主轴轴承"}, wo.Version)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := visitsOf(svc).Step(ctx, tech, wo.ID, workorder.Step{Kind: "check_out", Result: "fixed"}, wo.Version); !problem.Is(err, problem.Conflict) {
			t.Fatalf("check out without sign-off: %v", err)
		}
		if _, err := visitsOf(svc).Step(ctx, tech, wo.ID, workorder.Step{Kind: "sign_off", SignoffName: "刘经理", SignaturePNG: []byte("GIF89a")}, wo.Version); !problem.Is(err, problem.Invalid) {
			t.Fatalf("a signature that is not a PNG: %v", err)
		}
		wo, err = visitsOf(svc).Step(ctx, tech, wo.ID, workorder.Step{Kind: "sign_off", SignoffName: "刘经理", SignaturePNG: testutil.Signature}, wo.Version)
		if err != nil {
			t.Fatal(err)
		}
		c.now = c.now.Add(50 * time.Minute)
		wo, err = visitsOf(svc).Step(ctx, tech, wo.ID, workorder.Step{Kind: "check_out", Result: "fixed"}, wo.Version)
		if err != nil {
			t.Fatal(err)
		}
		if wo.Status != workorder.WOCompleted || wo.RecordID == nil {
			t.Fatalf("checked out: %+v", wo)
		}
		v, _ = svc.Get(ctx, customer, v.ID)
		if v.Status != servicerequest.Resolved {
			t.Fatalf("request after a fix: %s", v.Status)
		}
		rec, err := record.Get(ctx, db, *wo.RecordID)
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"主轴异响", "更换主轴轴承", "刘经理", "IN-SCOPE-1", "T-1", "signature_sha256"} {
			if !strings.Contains(rec.ContentJSON, want) {
				t.Errorf("record lacks %q: %s", want, rec.ContentJSON)
			}
		}
		if res, err := record.Verify(ctx, db, 0); err != nil || len(res.Breaks) != 0 || res.Records != 1 {
			t.Fatalf("verify: %+v %v", res, err)
		}
		// The record carries what the agreement measures: the clocks as the
		// check-out left them (the same as the request computes), the time
		// on site, the technician and who signed.
		content, err := rec.Content()
		if err != nil || content.Kind != record.KindVisit || content.Version != record.Version || content.Visit == nil {
			t.Fatalf("content: %v %s", err, rec.ContentJSON)
		}
		sealed := content.Visit
		if sealed.OnSiteSeconds != 50*60 || !sealed.CheckedOut.Equal(c.now) || sealed.Technician.ID != tech.UserID || sealed.Technician.Name == "" ||
			sealed.SignOff.Name != "刘经理" || sealed.SignOff.SignatureSHA256 == "" {
			t.Fatalf("sealed visit: %+v", sealed)
		}
		if len(sealed.Clocks) != len(v.Clocks) || len(v.Clocks) < 2 {
			t.Fatalf("sealed %d clocks, the request has %d: %+v", len(sealed.Clocks), len(v.Clocks), sealed.Clocks)
		}
		for i, o := range sealed.Clocks {
			want := v.Clocks[i]
			if o.Clock != want.Kind || o.State != want.State || !o.DueAt.Equal(want.DueAt) || o.State != sla.StateMet || o.StoppedAt == nil || o.MarginSeconds < 0 {
				t.Errorf("sealed clock %+v, the request's %+v", o, want)
			}
		}
		if resp := sealed.Clocks[0]; resp.Clock != sla.Response || resp.MarginSeconds != 30*60 {
			t.Errorf("response met %d s early, want 1800: %+v", resp.MarginSeconds, resp)
		}
		if _, err := svc.Act(ctx, dispatcher, v.ID, servicerequest.Action{Kind: "responded"}, v.Version); !problem.Is(err, problem.Conflict) {
			t.Fatalf("acting on a resolved request: %v", err)
		}
	})
}

// The record of a visit that fixed the fault carries the resolution clock
// stopped by that check-out, not still running.
func TestASealedVisitCarriesTheClocksItsCheckOutStopped(t *testing.T) {
	t.Parallel()
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c, svc, f := setupWednesday(t, db, agreement.ResolutionTargets{EmergencyHours: 8})
		dispatcher, tech := f.Users[policy.Dispatcher].Actor(), f.Users[policy.Technician].Actor()
		v, err := svc.Create(ctx, f.Users[policy.Customer].Actor(), servicerequest.NewRequest{SerialNumber: "IN-SCOPE-1", ServiceItem: "repair",
			Priority: "emergency", Description: "停机", ContactName: "刘经理", ContactPhone: "13812345678", Channel: servicerequest.Portal})
		if err != nil {
			t.Fatal(err)
		}
		wo, err := visitsOf(svc).Book(ctx, dispatcher, workorder.ForRequest(v.ID), workorder.Assignment{TechnicianID: tech.UserID, WindowStart: c.now, WindowEnd: c.now.Add(2 * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		c.now = c.now.Add(time.Hour)
		steps := []workorder.Step{{Kind: "check_in"}, {Kind: "record", ActionsTaken: "复位"}, {Kind: "sign_off", SignoffName: "刘经理", SignaturePNG: testutil.Signature}}
		for _, st := range steps {
			if wo, err = visitsOf(svc).Step(ctx, tech, wo.ID, st, wo.Version); err != nil {
				t.Fatalf("%s: %v", st.Kind, err)
			}
		}
		c.now = c.now.Add(8 * time.Hour) // an hour past the resolution target
		if wo, err = visitsOf(svc).Step(ctx, tech, wo.ID, workorder.Step{Kind: "check_out", Result: "fixed"}, wo.Version); err != nil {
			t.Fatal(err)
		}
		rec, err := record.Get(ctx, db, *wo.RecordID)
		if err != nil {
			t.Fatal(err)
		}
		content, err := rec.Content()
		if err != nil || content.Visit == nil {
			t.Fatalf("content: %v %s", err, rec.ContentJSON)
		}
		var got *record.ClockOutcome
		for i, o := range content.Visit.Clocks {
			if o.Clock == sla.Resolution {
				got = &content.Visit.Clocks[i]
			}
		}
		if got == nil || got.State != sla.StateBreached || got.StoppedAt == nil || !got.StoppedAt.Equal(c.now) || got.LateBySeconds() != 3600 {
			t.Fatalf("the sealed resolution clock: %+v (all: %+v)", got, content.Visit.Clocks)
		}
		if content.Visit.OnSiteSeconds != 8*3600 {
			t.Fatalf("on site %d s", content.Visit.OnSiteSeconds)
		}
	})
}

func TestScopeExceptionAndConsultation(t *testing.T) {
	t.Parallel()
	db := testutil.NewDB(t, store.SQLite)
	ctx := context.Background()
	c := &clock{now: time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC)}
	svc, f := setup(t, db, c)
	vendor := f.Users[policy.VendorAdmin].Actor()
	if _, err := svc.GrantScopeException(ctx, f.Users[policy.Dispatcher].Actor(), "OUT-OF-AREA", "goodwill", 7); !problem.Is(err, problem.Forbidden) {
		t.Fatalf("dispatcher granting: %v", err)
	}
	if _, err := svc.GrantScopeException(ctx, vendor, "OUT-OF-AREA", "goodwill: key customer visiting Beijing", 7); err != nil {
		t.Fatal(err)
	}
	v, err := svc.Create(ctx, f.Users[policy.Dispatcher].Actor(), servicerequest.NewRequest{SerialNumber: "OUT-OF-AREA", ServiceItem: "consultation", Priority: "general", Description: "How to recalibrate?"})
	if err != nil || !v.ScopeException {
		t.Fatalf("with exception: %v %+v", err, v.Request)
	}
	// The exception is used once.
	if _, err := svc.Create(ctx, f.Users[policy.Dispatcher].Actor(), servicerequest.NewRequest{SerialNumber: "OUT-OF-AREA", ServiceItem: "repair", Priority: "general", Description: "again"}); errReason(err) != "outside_service_area" {
		t.Fatalf("second use: %v", err)
	}
	v, err = svc.Answer(ctx, f.Users[policy.Dispatcher].Actor(), v.ID, "See manual chapter 7; run CAL-2.", v.Version)
	if err != nil || v.Status != servicerequest.Resolved {
		t.Fatalf("answer: %v", err)
	}
	if resp, _ := findClock(v.Clocks, sla.Response); resp.State != sla.StateMet {
		t.Fatalf("consultation response clock: %s", resp.State)
	}
	recs, err := record.ForRequest(ctx, db, v.ID)
	if err != nil || len(recs) != 1 {
		t.Fatalf("consultation records: %v %d", err, len(recs))
	}
	content, err := recs[0].Content()
	if err != nil || content.Kind != record.KindConsultation || content.Consultation == nil {
		t.Fatalf("consultation content: %v %s", err, recs[0].ContentJSON)
	}
	got := content.Consultation
	if got.Answer != "See manual chapter 7; run CAL-2." || got.AnsweredBy.ID != f.Users[policy.Dispatcher].ID || len(got.Clocks) != len(v.Clocks) ||
		got.Clocks[0].Clock != sla.Response || got.Clocks[0].State != sla.StateMet {
		t.Fatalf("sealed consultation: %+v", got)
	}
}

func TestWatchWarnsOnceThenReportsTheBreach(t *testing.T) {
	onWatched(t, func(t *testing.T, db *store.DB, c *clock, svc *servicerequest.Service, f *testutil.Fixture, pub *notify.Service) {
		ctx := t.Context()
		v := fileEmergency(t, svc, f, "down")
		count := func() int {
			var n int
			if err := store.Get(ctx, db, &n, `SELECT COUNT(*) FROM notifications WHERE user_id = ?`, f.Users[policy.Dispatcher].ID); err != nil {
				t.Fatal(err)
			}
			return n
		}
		if n, err := svc.Watch(ctx, pub, c.now.Add(30*time.Minute)); err != nil || n != 0 || count() != 0 {
			t.Fatalf("at 25%%: %d alerts, %v", n, err)
		}
		if n, err := svc.Watch(ctx, pub, c.now.Add(95*time.Minute)); err != nil || n != 1 || count() != 1 {
			t.Fatalf("at 79%%: %d alerts, %v", n, err)
		}
		if n, _ := svc.Watch(ctx, pub, c.now.Add(100*time.Minute)); n != 0 {
			t.Fatalf("warning repeated: %d", n)
		}
		if n, _ := svc.Watch(ctx, pub, c.now.Add(3*time.Hour)); n != 1 || count() != 2 {
			t.Fatalf("breach: %d alerts, %d notifications", n, count())
		}
		page, err := svc.List(ctx, f.Users[policy.Dispatcher].Actor(), servicerequest.Filter{Breached: ptrBool(true)})
		if err != nil || len(page.Items) != 1 || page.Items[0].ID != v.ID {
			t.Fatalf("breached list: %+v %v", page, err)
		}
	})
}

func ptrBool(b bool) *bool { return &b }

func errReason(err error) string {
	if p, ok := problem.As(err); ok {
		return p.Reason
	}
	return ""
}

func findClock(cs []sla.Clock, k sla.ClockKind) (sla.Clock, bool) {
	for _, c := range cs {
		if c.Kind == k {
			return c, true
		}
	}
	return sla.Clock{}, false
}
