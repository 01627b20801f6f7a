package staff_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"aftersales/internal/app"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/record"
	"aftersales/internal/servicerequest"
	"aftersales/internal/staff"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
	"aftersales/internal/workorder"
)

// world is the fixture with a unit of product line CNC under an active
// agreement, the services, and the fixture's technician.
type world struct {
	db   *store.DB
	f    *testutil.Fixture
	a    *app.App
	sf   testutil.ServiceFixture
	tech int64
}

func newWorld(t *testing.T, db *store.DB) world {
	t.Helper()
	f := testutil.Seed(t, db)
	sf := testutil.SeedService(t, db, f)
	if _, err := store.Exec(context.Background(), db, `UPDATE product_models SET product_line = 'CNC' WHERE code = 'FX-100'`); err != nil {
		t.Fatal(err)
	}
	return world{db: db, f: f, a: testutil.Services(t, db), sf: sf, tech: f.Users[policy.Technician].ID}
}

// inWorld runs test in parallel on each engine, in a fresh world.
func inWorld(t *testing.T, test func(t *testing.T, ctx context.Context, w world)) {
	t.Parallel()
	testutil.Engines(t, func(t *testing.T, db *store.DB) { test(t, context.Background(), newWorld(t, db)) })
}

func (w world) actor(r policy.Role) policy.Actor { return w.f.Users[r].Actor() }

func wantKind(t *testing.T, err error, k problem.Kind) {
	t.Helper()
	if !problem.Is(err, k) {
		t.Fatalf("want a %s problem, got %v", k, err)
	}
}

func TestServicePointsAndTheRegister(t *testing.T) {
	inWorld(t, func(t *testing.T, ctx context.Context, w world) {
		admin := w.actor(policy.ProviderAdmin)
		s := w.a.Staff

		_, err := s.CreatePoint(ctx, admin, w.f.Provider.ID, staff.PointInput{Name: "苏州网点", Address: "苏州市虎丘区 2 号", Division: "320500", Lat: 31.3, Lng: 200, Phone: "12"})
		wantFields(t, err, "division", "lng", "phone")
		p, err := s.CreatePoint(ctx, admin, w.f.Provider.ID, staff.PointInput{Name: "苏州网点", Address: "苏州市虎丘区 2 号", Division: "320505", Lat: 31.3, Lng: 120.6, Phone: "0512-66881234"})
		if err != nil {
			t.Fatal(err)
		}
		if p.RadiusKm != 50 || p.Phone != "0512-66881234" {
			t.Fatalf("point %+v", p)
		}
		_, err = s.CreatePoint(ctx, admin, w.f.Provider.ID, staff.PointInput{Name: "苏州网点", Address: "x", Division: "320505", Lat: 31.3, Lng: 120.6})
		wantFields(t, err, "name")
		_, err = s.CreatePoint(ctx, w.actor(policy.Dispatcher), w.f.Provider.ID, staff.PointInput{Name: "B", Address: "x", Division: "320505", Lat: 31.3, Lng: 120.6})
		wantKind(t, err, problem.Forbidden)
		_, err = s.CreatePoint(ctx, w.actor(policy.VendorAdmin), w.f.Provider.ID, staff.PointInput{Name: "B", Address: "x", Division: "320505", Lat: 31.3, Lng: 120.6})
		wantKind(t, err, problem.Forbidden)
		_, err = s.GetPoint(ctx, w.f.OtherAdmin.Actor(), p.ID)
		wantKind(t, err, problem.NotFound)
		if got, err := s.GetPoint(ctx, w.actor(policy.VendorAuditor), p.ID); err != nil || got.Name != p.Name {
			t.Fatalf("the vendor reads the provider's point: %v", err)
		}

		tech, err := s.UpdateTechnician(ctx, admin, w.tech, staff.TechnicianInput{ServicePointID: &p.ID, EfficiencyPermille: 1200,
			Skills: []staff.Skill{{ProductLine: "CNC", Level: 3}}}, 1)
		if err != nil {
			t.Fatal(err)
		}
		if tech.Version != 2 || *tech.ServicePointID != p.ID || len(tech.Skills) != 1 {
			t.Fatalf("technician %+v", tech)
		}
		_, err = s.UpdateTechnician(ctx, admin, w.tech, staff.TechnicianInput{Skills: []staff.Skill{{ProductLine: "CNC", Level: 9}, {ProductLine: "CNC", Level: 1}}}, 2)
		wantFields(t, err, "skills[0].level", "skills[1].product_line")
		_, err = s.UpdateTechnician(ctx, admin, w.tech, staff.TechnicianInput{}, 1)
		wantKind(t, err, problem.PreconditionFailed)
		_, err = s.UpdateTechnician(ctx, w.actor(policy.VendorAdmin), w.tech, staff.TechnicianInput{}, 2)
		wantKind(t, err, problem.Forbidden)
		// Nothing half-saved: the refused updates left the skills alone.
		if got, _ := s.GetTechnician(ctx, admin, w.tech); len(got.Skills) != 1 || got.Skills[0].Level != 3 {
			t.Fatalf("skills after refused updates: %+v", got.Skills)
		}
		// The user who is not a technician is no technician.
		_, err = s.GetTechnician(ctx, admin, w.f.Users[policy.Dispatcher].ID)
		wantKind(t, err, problem.NotFound)
		list, err := s.ListTechnicians(ctx, w.actor(policy.Technician), w.f.Provider.ID)
		if err != nil || len(list) != 1 || list[0].ID != w.tech {
			t.Fatalf("a technician lists themself: %v %+v", err, list)
		}

		_, err = s.AddCertification(ctx, admin, w.tech, staff.CertInput{Kind: staff.VendorCert, VendorID: &w.f.OtherVendor.ID, ProductLine: "CNC", Level: 3, Number: "V-9", IssuedOn: "2026-01-01", ExpiresOn: "2028-01-01"})
		wantFields(t, err, "vendor_id")
		_, err = s.AddCertification(ctx, admin, w.tech, staff.CertInput{Kind: staff.VendorCert, VendorID: &w.f.Vendor.ID, ProductLine: "CNC", Level: 3, Number: "V-9", IssuedOn: "2026-01-01", ExpiresOn: "2025-01-01"})
		wantFields(t, err, "expires_on")
		c, err := s.AddCertification(ctx, admin, w.tech, staff.CertInput{Kind: staff.Permit, PermitType: "electrical", Number: "T-1", IssuedOn: "2024-03-01"})
		if err != nil {
			t.Fatal(err)
		}
		if c.ExpiresOn != "2030-03-01" || c.ReviewDueOn != "2027-03-01" {
			t.Fatalf("permit dates %+v", c)
		}
		if got, err := s.Certifications(ctx, w.actor(policy.VendorAuditor), w.tech); err != nil || len(got) != 1 {
			t.Fatalf("the vendor sees the certifications: %v %d", err, len(got))
		}
		_, err = s.Certifications(ctx, w.f.OtherAdmin.Actor(), w.tech)
		wantKind(t, err, problem.NotFound)

		if _, err := s.AddTraining(ctx, admin, w.tech, staff.Training{Course: "CNC 维修 II", HeldOn: "2026-03-02", HoursTenths: 75, Trainer: "王工", Result: "passed"}); err != nil {
			t.Fatal(err)
		}
		_, err = s.AddTraining(ctx, admin, w.tech, staff.Training{Course: "", HeldOn: "2099-01-01", HoursTenths: 0, Result: "great"})
		wantFields(t, err, "course", "held_on", "hours_tenths", "result")
		if _, err := s.AddAssessment(ctx, admin, w.tech, staff.Assessment{Period: "2026-Q3", Score: 88, Assessor: "李经理"}); err != nil {
			t.Fatal(err)
		}
		_, err = s.AddAssessment(ctx, admin, w.tech, staff.Assessment{Period: "2026-Q3", Score: 90, Assessor: "李经理"})
		wantFields(t, err, "period")
		_, err = s.AddAssessment(ctx, admin, w.tech, staff.Assessment{Period: "Q3", Score: 101})
		wantFields(t, err, "period", "score", "assessor")
	})
}

func wantFields(t *testing.T, err error, fields ...string) {
	t.Helper()
	p, ok := problem.As(err)
	if !ok || p.Kind != problem.Invalid {
		t.Fatalf("want a validation problem naming %v, got %v", fields, err)
	}
	for _, f := range fields {
		found := false
		for _, fe := range p.Fields {
			found = found || fe.Field == f
		}
		if !found {
			t.Errorf("%s not named in %v", f, err)
		}
	}
}

func TestTheRuleAtBooking(t *testing.T) {
	inWorld(t, func(t *testing.T, ctx context.Context, w world) {
		s, requests, visits := w.a.Staff, w.a.Requests, w.a.WorkOrders
		admin, vendor, dispatcher := w.actor(policy.ProviderAdmin), w.actor(policy.VendorAdmin), w.actor(policy.Dispatcher)

		file := func() servicerequest.View {
			v, err := requests.Create(ctx, dispatcher, servicerequest.NewRequest{SerialNumber: w.sf.Serial, ServiceItem: "repair", Priority: "general",
				Description: "主轴异响", Channel: servicerequest.Dispatcher})
			if err != nil {
				t.Fatal(err)
			}
			return v
		}
		// Each booking in a window of its own: a technician is not booked
		// into overlapping visits.
		start := time.Now().Add(48 * time.Hour).Truncate(time.Hour)
		slot := 0
		book := func(requestID int64) (workorder.WorkOrder, error) {
			slot++
			from := start.Add(time.Duration(slot) * 3 * time.Hour)
			return visits.Book(ctx, dispatcher, workorder.ForRequest(requestID), workorder.Assignment{TechnicianID: w.tech, WindowStart: from, WindowEnd: from.Add(2 * time.Hour)})
		}
		r1 := file()
		// No rule yet: anyone of the provider may go.
		if _, err := book(r1.ID); err != nil {
			t.Fatalf("booking without rules: %v", err)
		}

		_, err := s.CreateRule(ctx, vendor, w.f.Vendor.ID, staff.RuleInput{Kind: staff.CertificateRule, ProductLine: "LASER", MinLevel: 2})
		wantFields(t, err, "product_line")
		_, err = s.CreateRule(ctx, admin, w.f.Vendor.ID, staff.RuleInput{Kind: staff.CertificateRule, ProductLine: "CNC", MinLevel: 2})
		wantKind(t, err, problem.Forbidden)
		if _, err := s.CreateRule(ctx, vendor, w.f.Vendor.ID, staff.RuleInput{Kind: staff.CertificateRule, ProductLine: "CNC", MinLevel: 2}); err != nil {
			t.Fatal(err)
		}
		r2 := file()
		refusedWith(t, book, r2.ID, staff.NotCertified)

		today := time.Now().In(time.FixedZone("CST", 8*3600))
		expired, err := s.AddCertification(ctx, admin, w.tech, staff.CertInput{Kind: staff.VendorCert, VendorID: &w.f.Vendor.ID, ProductLine: "CNC", Level: 3,
			Number: "HC-CNC-0007", IssuedOn: today.AddDate(-3, 0, 0).Format(time.DateOnly), ExpiresOn: today.AddDate(0, 0, -1).Format(time.DateOnly)})
		if err != nil {
			t.Fatal(err)
		}
		refusedWith(t, book, r2.ID, staff.CertificationExpired)

		// The vendor's exception lets one visit through, and is recorded.
		_, err = s.GrantException(ctx, admin, r2.ID, w.tech, "only engineer on the island")
		wantKind(t, err, problem.Forbidden)
		_, err = s.GrantException(ctx, w.f.OtherAdmin.Actor(), r2.ID, w.tech, "x")
		wantKind(t, err, problem.NotFound)
		_, err = s.GrantException(ctx, vendor, r2.ID, w.tech, " ")
		wantFields(t, err, "reason")
		ex, err := s.GrantException(ctx, vendor, r2.ID, w.tech, "only engineer on the island")
		if err != nil {
			t.Fatal(err)
		}
		if ex.Refused != staff.CertificationExpired || ex.UsedAt != nil {
			t.Fatalf("exception %+v", ex)
		}
		wo, err := book(r2.ID)
		if err != nil {
			t.Fatalf("the exception did not let the visit through: %v", err)
		}
		// Reassigning the same visit to another window keeps its exception.
		if _, err := visits.Reassign(ctx, dispatcher, workorder.ForRequest(r2.ID), wo.ID, workorder.Assignment{TechnicianID: w.tech, WindowStart: wo.WindowStart.Add(time.Hour), WindowEnd: wo.WindowEnd.Add(time.Hour)}); err != nil {
			t.Fatalf("reassigning the excepted visit: %v", err)
		}
		// ...but it was for one visit only.
		refusedWith(t, book, r2.ID, staff.CertificationExpired)
		list, err := s.Exceptions(ctx, w.actor(policy.VendorAuditor), r2.ID)
		if err != nil || len(list) != 1 || list[0].UsedAt == nil || list[0].WorkOrderID == nil || *list[0].WorkOrderID != wo.ID || list[0].Reason != "only engineer on the island" {
			t.Fatalf("exceptions of the request: %v %+v", err, list)
		}

		// Renewed at level 1: too low; at level 2 the technician may go.
		renewed, err := s.UpdateCertification(ctx, admin, w.tech, expired.ID, staff.CertInput{Kind: staff.VendorCert, VendorID: &w.f.Vendor.ID, ProductLine: "CNC", Level: 1,
			Number: "HC-CNC-0007", IssuedOn: today.AddDate(0, 0, -1).Format(time.DateOnly), ExpiresOn: today.AddDate(2, 0, 0).Format(time.DateOnly)}, expired.Version)
		if err != nil {
			t.Fatal(err)
		}
		refusedWith(t, book, r2.ID, staff.LevelTooLow)
		if _, err := s.UpdateCertification(ctx, admin, w.tech, expired.ID, staff.CertInput{Kind: staff.VendorCert, VendorID: &w.f.Vendor.ID, ProductLine: "CNC", Level: 2,
			Number: "HC-CNC-0007", IssuedOn: renewed.IssuedOn, ExpiresOn: renewed.ExpiresOn}, renewed.Version); err != nil {
			t.Fatal(err)
		}
		if _, err := book(r2.ID); err != nil {
			t.Fatalf("qualified technician refused: %v", err)
		}

		// A repair now needs an electrical permit: missing, then overdue for review.
		if _, err := s.CreateRule(ctx, vendor, w.f.Vendor.ID, staff.RuleInput{Kind: staff.PermitRule, ServiceItem: "repair", PermitType: "electrical"}); err != nil {
			t.Fatal(err)
		}
		refusedWith(t, book, r2.ID, staff.PermitMissing)
		if _, err := s.AddCertification(ctx, admin, w.tech, staff.CertInput{Kind: staff.Permit, PermitType: "electrical", Number: "T-1",
			IssuedOn: today.AddDate(-4, 0, 0).Format(time.DateOnly)}); err != nil {
			t.Fatal(err)
		}
		refusedWith(t, book, r2.ID, staff.ReviewOverdue)

		// The excepted visit's sealed record keeps the exception, and says why.
		sealedException(t, w, wo.ID)
	})
}

func refusedWith(t *testing.T, book func(int64) (workorder.WorkOrder, error), requestID int64, reason string) {
	t.Helper()
	_, err := book(requestID)
	p, ok := problem.As(err)
	if !ok || p.Kind != problem.Invalid || p.Reason != reason {
		t.Fatalf("want a refusal %s, got %v", reason, err)
	}
}

// Leave refuses overlapping leave, and a booking onto it, naming it.
func TestLeave(t *testing.T) {
	inWorld(t, func(t *testing.T, ctx context.Context, w world) {
		s, admin, dispatcher := w.a.Staff, w.actor(policy.ProviderAdmin), w.actor(policy.Dispatcher)
		day := time.Now().Add(72 * time.Hour).Truncate(24 * time.Hour)
		if _, err := s.AddLeave(ctx, admin, w.tech, staff.Leave{StartsAt: day, EndsAt: day.Add(24 * time.Hour), Reason: "年假"}); err != nil {
			t.Fatal(err)
		}
		_, err := s.AddLeave(ctx, admin, w.tech, staff.Leave{StartsAt: day.Add(20 * time.Hour), EndsAt: day.Add(30 * time.Hour)})
		wantFields(t, err, "starts_at")
		_, err = s.AddLeave(ctx, admin, w.tech, staff.Leave{StartsAt: day, EndsAt: day.Add(-time.Hour)})
		wantFields(t, err, "ends_at")
		_, err = s.AddLeave(ctx, dispatcher, w.tech, staff.Leave{StartsAt: day.Add(48 * time.Hour), EndsAt: day.Add(50 * time.Hour)})
		wantKind(t, err, problem.Forbidden)
		if got, err := s.LeaveOf(ctx, w.actor(policy.Technician), w.tech); err != nil || len(got) != 1 {
			t.Fatalf("leave of the technician: %v %d", err, len(got))
		}
		v, err := w.a.Requests.Create(ctx, dispatcher, servicerequest.NewRequest{SerialNumber: w.sf.Serial, ServiceItem: "repair", Priority: "general",
			Description: "异响", Channel: servicerequest.Dispatcher})
		if err != nil {
			t.Fatal(err)
		}
		book := func(requestID int64) (workorder.WorkOrder, error) {
			return w.a.WorkOrders.Book(ctx, dispatcher, workorder.ForRequest(requestID), workorder.Assignment{TechnicianID: w.tech, WindowStart: day.Add(2 * time.Hour), WindowEnd: day.Add(4 * time.Hour)})
		}
		refusedWith(t, book, v.ID, staff.OnLeave)
		if _, err := w.a.WorkOrders.Book(ctx, dispatcher, workorder.ForRequest(v.ID), workorder.Assignment{TechnicianID: w.tech, WindowStart: day.Add(26 * time.Hour),
			WindowEnd: day.Add(28 * time.Hour)}); err != nil {
			t.Fatalf("the day after the leave: %v", err)
		}
	})
}

// A technician is not booked into two visits at once: the overlap is
// refused naming the visit, nothing is saved; windows that only touch, a
// visit moved within its own window, and a cancelled visit's window are
// fine.
func TestOverlappingVisitRefused(t *testing.T) {
	inWorld(t, func(t *testing.T, ctx context.Context, w world) {
		dispatcher := w.actor(policy.Dispatcher)
		file := func() int64 {
			v, err := w.a.Requests.Create(ctx, dispatcher, servicerequest.NewRequest{SerialNumber: w.sf.Serial, ServiceItem: "repair", Priority: "general",
				Description: "异响", Channel: servicerequest.Dispatcher})
			if err != nil {
				t.Fatal(err)
			}
			return v.ID
		}
		at := time.Now().Add(72 * time.Hour).Truncate(time.Hour)
		window := func(from, to time.Duration) workorder.Assignment {
			return workorder.Assignment{TechnicianID: w.tech, WindowStart: at.Add(from), WindowEnd: at.Add(to)}
		}
		r1, r2 := file(), file()
		first, err := w.a.WorkOrders.Book(ctx, dispatcher, workorder.ForRequest(r1), window(0, 2*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		for _, overlap := range []workorder.Assignment{window(time.Hour, 3*time.Hour), window(-time.Hour, time.Hour), window(30*time.Minute, 90*time.Minute), window(-time.Hour, 3*time.Hour)} {
			refusedWith(t, func(id int64) (workorder.WorkOrder, error) {
				return w.a.WorkOrders.Book(ctx, dispatcher, workorder.ForRequest(id), overlap)
			}, r2, staff.OverlappingVisit)
		}
		_, err = w.a.WorkOrders.Book(ctx, dispatcher, workorder.ForRequest(r2), window(time.Hour, 3*time.Hour))
		if p, _ := problem.As(err); p == nil || !strings.Contains(p.Fields[0].Message, fmt.Sprintf("visit %d", first.ID)) || p.Fields[0].Field != "technician_id" {
			t.Fatalf("the refusal does not name the visit: %v", err)
		}
		var n int
		if err := store.Get(ctx, w.db, &n, `SELECT COUNT(*) FROM work_orders WHERE request_id = ?`, r2); err != nil || n != 0 {
			t.Fatalf("%d visits saved after refusals (%v)", n, err)
		}
		second, err := w.a.WorkOrders.Book(ctx, dispatcher, workorder.ForRequest(r2), window(2*time.Hour, 4*time.Hour))
		if err != nil {
			t.Fatalf("a window that only touches: %v", err)
		}
		if _, err := w.a.WorkOrders.Reassign(ctx, dispatcher, workorder.ForRequest(r1), first.ID, window(-time.Hour, time.Hour+30*time.Minute)); err != nil {
			t.Fatalf("moving a visit within its own window: %v", err)
		}
		refusedWith(t, func(id int64) (workorder.WorkOrder, error) {
			return w.a.WorkOrders.Reassign(ctx, dispatcher, workorder.ForRequest(id), first.ID, window(time.Hour, 3*time.Hour))
		}, r1, staff.OverlappingVisit)
		if _, err := store.Exec(ctx, w.db, `UPDATE work_orders SET status = 'cancelled' WHERE id = ?`, second.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := w.a.WorkOrders.Reassign(ctx, dispatcher, workorder.ForRequest(r1), first.ID, window(2*time.Hour, 4*time.Hour)); err != nil {
			t.Fatalf("a cancelled visit still blocks its window: %v", err)
		}
	})
}

// sealedException completes the visit and checks that its sealed record
// names the vendor's exception that let it through.
func sealedException(t *testing.T, w world, workOrderID int64) {
	t.Helper()
	ctx := context.Background()
	wo, err := workorder.Get(ctx, w.a.DB, workOrderID)
	if err != nil {
		t.Fatal(err)
	}
	tech := w.actor(policy.Technician)
	png := append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 64)...)
	for _, st := range []workorder.Step{{Kind: "check_in"}, {Kind: "record", ActionsTaken: "换轴承"},
		{Kind: "sign_off", SignoffName: "刘", SignaturePNG: png}, {Kind: "check_out", Result: "fixed"}} {
		if wo, err = w.a.WorkOrders.Step(ctx, tech, wo.ID, st, wo.Version); err != nil {
			t.Fatalf("%s: %v", st.Kind, err)
		}
	}
	rec, err := record.Get(ctx, w.a.DB, *wo.RecordID)
	if err != nil {
		t.Fatal(err)
	}
	c, err := rec.Content()
	if err != nil {
		t.Fatal(err)
	}
	e := c.Visit.Exception
	if e == nil || e.Reason != "only engineer on the island" || e.Refused != staff.CertificationExpired || e.GrantedBy.ID != w.f.Users[policy.VendorAdmin].ID || e.GrantedAt.IsZero() {
		t.Fatalf("the sealed record's exception: %+v", e)
	}
	res, err := record.Verify(ctx, w.a.DB, rec.AgreementID)
	if err != nil || len(res.Breaks) != 0 {
		t.Fatalf("the chain after sealing: %v %+v", err, res)
	}
}
