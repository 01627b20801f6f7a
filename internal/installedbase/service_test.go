package installedbase_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"

	"aftersales/internal/coverage"
	"aftersales/internal/installedbase"
	"aftersales/internal/org"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// base is a fixture with one model and one site of the fixture's customer.
type base struct {
	svc    *installedbase.Service
	f      *testutil.Fixture
	vendor policy.Actor
	model  installedbase.ProductModel
	site   installedbase.Site
}

func newBase(t *testing.T, db *store.DB) base {
	t.Helper()
	ctx := context.Background()
	f := testutil.Seed(t, db)
	b := base{svc: &installedbase.Service{DB: db, Now: time.Now}, f: f, vendor: f.Users[policy.VendorAdmin].Actor()}
	var err error
	if b.model, err = b.svc.CreateModel(ctx, b.vendor, installedbase.ModelInput{Code: " hc-cnc-850 ", Name: "数控加工中心", WarrantyMonths: 24}); err != nil {
		t.Fatal(err)
	}
	lat, lng := 31.3146, 120.5434
	if b.site, err = b.svc.CreateSite(ctx, f.Users[policy.Dispatcher].Actor(), installedbase.SiteInput{CustomerOrgID: f.Customer.ID,
		Name: "Plant", Address: "苏州市虎丘区科灵路 78 号", Division: "320505", Lat: &lat, Lng: &lng, ContactPhone: "139 1234 5678"}); err != nil {
		t.Fatal(err)
	}
	return b
}

func fieldsOf(err error) map[string]string {
	out := map[string]string{}
	if p, ok := problem.As(err); ok {
		for _, f := range p.Fields {
			out[f.Field] = f.Message
		}
	}
	return out
}

func TestUnitsOnBothEngines(t *testing.T) {
	inBase(t, func(t *testing.T, ctx context.Context, b base) {
		if b.model.Code != "HC-CNC-850" || b.site.ContactPhone != "13912345678" {
			t.Fatalf("not normalized: model %q, phone %q", b.model.Code, b.site.ContactPhone)
		}
		u, err := b.svc.CreateUnit(ctx, b.vendor, installedbase.UnitInput{SerialNumber: " hc850-2024-000123 ", ModelCode: "hc-cnc-850",
			SiteID: b.site.ID, InstallDate: "2025/3/7"})
		if err != nil {
			t.Fatal(err)
		}
		if u.SerialNumber != "HC850-2024-000123" || u.InstallDate != "2025-03-07" || u.WarrantyEnd != "2027-03-06" || u.CustomerName != "Customer One" {
			t.Fatalf("unit %+v", u)
		}

		// The same serial again is refused; another vendor may use it.
		_, err = b.svc.CreateUnit(ctx, b.vendor, installedbase.UnitInput{SerialNumber: "HC850-2024-000123", ModelCode: "HC-CNC-850", SiteID: b.site.ID, InstallDate: "2025-03-07"})
		if !strings.Contains(fieldsOf(err)["serial_number"], "already registered") {
			t.Fatalf("duplicate serial: %v", err)
		}

		// Every bad field is named at once.
		_, err = b.svc.CreateUnit(ctx, b.vendor, installedbase.UnitInput{SerialNumber: "2.02606E+17", ModelCode: "NOPE", SiteID: 999999, InstallDate: "2999-01-01"})
		fs := fieldsOf(err)
		for _, f := range []string{"serial_number", "model", "site_id", "install_date"} {
			if fs[f] == "" {
				t.Errorf("no message for %s in %v", f, err)
			}
		}

		// Who reads it.
		for role, want := range map[policy.Role]bool{policy.VendorAdmin: true, policy.VendorAuditor: true, policy.ProviderAdmin: true,
			policy.Dispatcher: true, policy.Technician: true, policy.Customer: true} {
			_, err := b.svc.GetUnit(ctx, b.f.Users[role].Actor(), u.ID)
			if (err == nil) != want {
				t.Errorf("%s reads the unit: %v", role, err)
			}
			list, _, err := b.svc.ListUnits(ctx, b.f.Users[role].Actor(), installedbase.UnitFilter{})
			if err != nil || len(list) != 1 {
				t.Errorf("%s lists %d units: %v", role, len(list), err)
			}
		}
		other := b.f.OtherAdmin.Actor()
		if _, err := b.svc.GetUnit(ctx, other, u.ID); !problem.Is(err, problem.NotFound) {
			t.Errorf("another vendor reads the unit: %v", err)
		}
		if list, _, _ := b.svc.ListUnits(ctx, other, installedbase.UnitFilter{}); len(list) != 0 {
			t.Errorf("another vendor lists %d units", len(list))
		}
		if _, err := b.svc.GetSite(ctx, other, b.site.ID); !problem.Is(err, problem.NotFound) {
			t.Errorf("another vendor reads the site: %v", err)
		}
		if _, err := b.svc.UnitBySerial(ctx, other, u.SerialNumber); !problem.Is(err, problem.NotFound) {
			t.Errorf("another vendor finds the serial: %v", err)
		}
		// Only the vendor changes it.
		if _, err := b.svc.UpdateUnit(ctx, b.f.Users[policy.ProviderAdmin].Actor(), u.ID, installedbase.UnitPatch{}, u.Version); !problem.Is(err, problem.Forbidden) {
			t.Errorf("a provider changes the unit: %v", err)
		}
		end := "2028-03-06"
		u2, err := b.svc.UpdateUnit(ctx, b.vendor, u.ID, installedbase.UnitPatch{WarrantyEnd: &end}, u.Version)
		if err != nil || u2.WarrantyEnd != end || u2.Version != u.Version+1 {
			t.Fatalf("extend warranty: %+v %v", u2, err)
		}
		if _, err := b.svc.UpdateUnit(ctx, b.vendor, u.ID, installedbase.UnitPatch{WarrantyEnd: &end}, u.Version); !problem.Is(err, problem.PreconditionFailed) {
			t.Errorf("stale version accepted: %v", err)
		}

		// A second vendor may use the same serial number; looking it up by
		// serial alone then asks for the label.
		otherSvc := b.svc
		om, err := otherSvc.CreateModel(ctx, other, installedbase.ModelInput{Code: "X-1", Name: "X", WarrantyMonths: 12})
		if err != nil {
			t.Fatal(err)
		}
		_ = om
		if err := org.Link(ctx, b.svc.DB, b.f.OtherVendor.ID, b.f.Customer.ID, time.Now()); err != nil {
			t.Fatal(err)
		}
		if _, err := otherSvc.CreateUnit(ctx, other, installedbase.UnitInput{SerialNumber: u.SerialNumber, ModelCode: "X-1", SiteID: b.site.ID, InstallDate: "2025-01-01"}); err != nil {
			t.Fatalf("another vendor's unit with the same serial: %v", err)
		}
		if _, err := installedbase.BySerial(ctx, b.svc.DB, u.SerialNumber); !strings.Contains(fieldsOf(err)["serial_number"], "more than one vendor") {
			t.Errorf("ambiguous serial: %v", err)
		}
		// Filing a request looks units up the same way, and refuses alike.
		for serial, want := range map[string]string{u.SerialNumber: "more than one vendor", "NO-SUCH-1": "no product", "2.02606E+17": "scientific notation"} {
			if _, err := installedbase.Finder(ctx, b.svc.DB, serial, coverage.Also{}); !strings.Contains(fieldsOf(err)["serial_number"], want) {
				t.Errorf("Finder(%s): %v, want %q", serial, err, want)
			}
		}
		if got, err := b.svc.UnitBySerial(ctx, b.vendor, u.SerialNumber); err != nil || got.ID != u.ID {
			t.Errorf("the vendor finds its own by serial: %v", err)
		}
	})
}

func TestQRTokenRotation(t *testing.T) {
	inBase(t, func(t *testing.T, ctx context.Context, b base) {
		u, err := b.svc.CreateUnit(ctx, b.vendor, installedbase.UnitInput{SerialNumber: "QR-1", ModelCode: "HC-CNC-850", SiteID: b.site.ID, InstallDate: "2025-01-01"})
		if err != nil {
			t.Fatal(err)
		}
		if len(u.QRToken) != 52 {
			t.Fatalf("token %q", u.QRToken)
		}
		if got, err := installedbase.ByToken(ctx, b.svc.DB, u.QRToken); err != nil || got.ID != u.ID {
			t.Fatalf("by token: %v", err)
		}
		// Same selector, different rest: not found.
		forged := u.QRToken[:16] + strings.Repeat("a", 36)
		if _, err := installedbase.ByToken(ctx, b.svc.DB, forged); !problem.Is(err, problem.NotFound) {
			t.Fatalf("forged token: %v", err)
		}
		if _, err := b.svc.RotateQRToken(ctx, b.f.Users[policy.Customer].Actor(), u.ID); !problem.Is(err, problem.Forbidden) {
			t.Fatalf("a customer rotates the token: %v", err)
		}
		r, err := b.svc.RotateQRToken(ctx, b.vendor, u.ID)
		if err != nil || r.QRToken == u.QRToken || r.QRRotatedAt == nil {
			t.Fatalf("rotate: %+v %v", r, err)
		}
		if _, err := installedbase.ByToken(ctx, b.svc.DB, u.QRToken); !problem.Is(err, problem.NotFound) {
			t.Fatalf("the old label still works: %v", err)
		}
		if got, err := installedbase.ByToken(ctx, b.svc.DB, r.QRToken); err != nil || got.ID != u.ID {
			t.Fatalf("the new label: %v", err)
		}
	})
}

func TestSitesAndModels(t *testing.T) {
	inBase(t, func(t *testing.T, ctx context.Context, b base) {
		customer := b.f.Users[policy.Customer].Actor()
		lat, lng := 120.5, 31.3
		_, err := b.svc.CreateSite(ctx, customer, installedbase.SiteInput{Name: "Plant 2", Address: "x", Division: "320500", Lat: &lat, Lng: &lng, ContactPhone: "12345"})
		fs := fieldsOf(err)
		if fs["division"] == "" || !strings.Contains(fs["lat"], "swapped") || fs["contact_phone"] == "" {
			t.Fatalf("bad site: %v", err)
		}
		s, err := b.svc.CreateSite(ctx, customer, installedbase.SiteInput{Name: "东莞 二厂", Address: "东莞市松山湖", Division: "441900", ContactPhone: "0769-22221111"})
		if err != nil || s.CustomerOrgID != b.f.Customer.ID {
			t.Fatalf("customer's own site: %+v %v", s, err)
		}
		if _, err := b.svc.CreateSite(ctx, customer, installedbase.SiteInput{Name: "东莞 二厂", Address: "x", Division: "441900"}); fieldsOf(err)["name"] == "" {
			t.Fatalf("duplicate site name: %v", err)
		}
		if _, err := b.svc.CreateSite(ctx, b.f.OtherAdmin.Actor(), installedbase.SiteInput{CustomerOrgID: b.f.Customer.ID, Name: "x", Address: "x", Division: "320505"}); err == nil {
			t.Fatal("another vendor adds a site to a customer it does not serve")
		}
		if _, err := b.svc.CreateSite(ctx, b.f.Users[policy.Technician].Actor(), installedbase.SiteInput{CustomerOrgID: b.f.Customer.ID, Name: "y", Address: "x", Division: "320505"}); !problem.Is(err, problem.Forbidden) {
			t.Fatalf("a technician adds a site: %v", err)
		}
		if sites, err := b.svc.ListSites(ctx, b.f.Users[policy.ProviderAdmin].Actor(), 0); err != nil || len(sites) != 2 {
			t.Fatalf("provider lists %d sites: %v", len(sites), err)
		}
		if _, err := b.svc.CreateModel(ctx, b.f.Users[policy.ProviderAdmin].Actor(), installedbase.ModelInput{Code: "P", Name: "P"}); !problem.Is(err, problem.Forbidden) {
			t.Fatalf("a provider adds a model: %v", err)
		}
		if _, err := b.svc.CreateModel(ctx, b.vendor, installedbase.ModelInput{Code: "HC-CNC-850", Name: "again"}); fieldsOf(err)["code"] == "" {
			t.Fatalf("duplicate model code: %v", err)
		}
		zero := 0
		m, err := b.svc.UpdateModel(ctx, b.vendor, b.model.ID, installedbase.ModelPatch{MaintenanceIntervalMonths: &zero}, b.model.Version)
		if err != nil || m.MaintenanceIntervalMonths != nil {
			t.Fatalf("clear interval: %+v %v", m, err)
		}
		if models, err := b.svc.ListModels(ctx, b.f.OtherAdmin.Actor()); err != nil || len(models) != 0 {
			t.Fatalf("another vendor lists %d models: %v", len(models), err)
		}
	})
}

const importHeader = "序列号,型号,客户代码,网点名称,安装日期\n"

func TestImportUnits(t *testing.T) {
	inBase(t, func(t *testing.T, ctx context.Context, b base) {
		if _, err := b.svc.CreateUnit(ctx, b.vendor, installedbase.UnitInput{SerialNumber: "STORED-1", ModelCode: "HC-CNC-850", SiteID: b.site.ID, InstallDate: "2025-01-01"}); err != nil {
			t.Fatal(err)
		}
		count := func() int {
			var n int
			if err := store.Get(ctx, b.svc.DB, &n, `SELECT COUNT(*) FROM units`); err != nil {
				t.Fatal(err)
			}
			return n
		}
		good := importHeader + "IMP-1,HC-CNC-850,customer-one,Plant,2025/3/7\nIMP-2,hc-cnc-850,Customer-One,Plant,2025-03-08\n"
		gbk, _ := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(good))

		rep, err := b.svc.ImportUnits(ctx, b.vendor, installedbase.ImportRequest{Filename: "units.csv", Data: gbk, DryRun: true})
		if err != nil || !rep.OK() || rep.Rows != 2 || rep.Encoding != "gbk" || rep.Imported != 0 {
			t.Fatalf("dry run: %+v %v", rep, err)
		}
		if n := count(); n != 1 {
			t.Fatalf("the dry run stored units: %d", n)
		}

		bad := importHeader +
			"IMP-3,HC-CNC-850,customer-one,Plant,2025/3/7\n" + // good
			"IMP-3,HC-CNC-850,customer-one,Plant,2025/3/7\n" + // duplicate of line 2
			"STORED-1,HC-CNC-850,customer-one,Plant,2025/3/7\n" + // already stored
			"IMP-5,NOPE,customer-one,Plant,2025/3/7\n" + // unknown model
			"IMP-6,HC-CNC-850,nobody,Plant,2025/3/7\n" + // unknown customer
			"IMP-7,HC-CNC-850,customer-one,Nowhere,2025/3/7\n" + // unknown site
			"IMP-8,HC-CNC-850,customer-one,Plant,2025/2/30\n" + // bad date
			"2.02606E+17,HC-CNC-850,customer-one,Plant,2025/3/7\n" // mangled serial
		for _, dry := range []bool{true, false} {
			rep, err = b.svc.ImportUnits(ctx, b.vendor, installedbase.ImportRequest{Filename: "bad.csv", Data: []byte(bad), DryRun: dry})
			if err != nil {
				t.Fatal(err)
			}
			got := map[int]string{}
			for _, e := range rep.Errors {
				got[e.Line] = e.Field + ": " + e.Reason
			}
			want := map[int]string{3: "duplicate of line 2", 4: "already registered", 5: "unknown model", 6: "unknown customer", 7: "no site", 8: "must be a date", 9: "scientific notation"}
			for line, w := range want {
				if !strings.Contains(got[line], w) {
					t.Errorf("dry=%v line %d: %q, want %q", dry, line, got[line], w)
				}
			}
			if len(rep.Errors) != len(want) || rep.Imported != 0 {
				t.Errorf("dry=%v: %d errors, %d imported: %+v", dry, len(rep.Errors), rep.Imported, rep.Errors)
			}
			if n := count(); n != 1 {
				t.Fatalf("dry=%v: a file with bad rows stored units: %d", dry, n)
			}
		}

		rep, err = b.svc.ImportUnits(ctx, b.vendor, installedbase.ImportRequest{Filename: "units.csv", Data: append([]byte{0xEF, 0xBB, 0xBF}, good...)})
		if err != nil || rep.Imported != 2 || rep.Encoding != "utf-8-bom" {
			t.Fatalf("import: %+v %v", rep, err)
		}
		u, err := b.svc.UnitBySerial(ctx, b.vendor, "imp-2")
		if err != nil || u.InstallDate != "2025-03-08" || u.WarrantyEnd != "2027-03-07" || len(u.QRToken) != 52 {
			t.Fatalf("imported unit: %+v %v", u, err)
		}
		if _, err := b.svc.ImportUnits(ctx, b.f.Users[policy.ProviderAdmin].Actor(), installedbase.ImportRequest{Data: []byte(good)}); !problem.Is(err, problem.Forbidden) {
			t.Fatalf("a provider imports: %v", err)
		}
	})
}

// inBase runs test in parallel on each engine, in a fresh base.
func inBase(t *testing.T, test func(t *testing.T, ctx context.Context, b base)) {
	t.Parallel()
	testutil.Engines(t, func(t *testing.T, db *store.DB) { test(t, context.Background(), newBase(t, db)) })
}
