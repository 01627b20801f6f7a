package api_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"aftersales/internal/files"
	"aftersales/internal/policy"
	"aftersales/internal/staff"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// staffReaders read the staff register: the provider's office and its
// technicians, and the vendors it works with.
var staffReaders = []policy.Role{policy.VendorAdmin, policy.VendorAuditor, policy.ProviderAdmin, policy.Dispatcher, policy.Technician}

// walkStaff lists the staff register's operations: the provider's admin
// changes its register; dispatchers and the vendors it works with read it
// (the vendor never edits it); a technician reads what concerns them. The
// vendor's admin sets qualification rules and grants exceptions.
func walkStaff(f *testutil.Fixture) map[string]walkCase {
	providerAdmin := []policy.Role{policy.ProviderAdmin}
	vendorAdmin := []policy.Role{policy.VendorAdmin}
	requestParties := []policy.Role{policy.VendorAdmin, policy.VendorAuditor, policy.ProviderAdmin, policy.Dispatcher, policy.Customer}
	slug := func(r policy.Role) string { return strings.ReplaceAll(string(r), "_", "-") }
	tech := f.Users[policy.Technician].ID
	point := func(name string) map[string]any {
		return map[string]any{"name": name, "address": "苏州市虎丘区 9 号", "division": "320505", "lat": 31.3, "lng": 120.6, "phone": "0512-66881234"}
	}
	cert := map[string]any{"kind": "vendor", "vendor_id": f.Vendor.ID, "product_line": "CNC", "level": 3, "number": "V-WALK", "issued_on": "2026-01-01", "expires_on": "2028-01-01"}
	return map[string]walkCase{
		"list-service-points": {method: "GET", path: fmt.Sprintf("/service-points?provider_id=%d", f.Provider.ID), allowed: staffReaders},
		"create-service-point": {method: "POST", path: "/service-points", body: func(_ *testutil.Fixture, r policy.Role) any {
			return point("网点 " + slug(r))
		}, allowed: providerAdmin},
		"get-service-point": {method: "GET", path: "/service-points/%POINT%", allowed: staffReaders},
		"update-service-point": {method: "PATCH", path: "/service-points/%POINT%", body: func(*testutil.Fixture, policy.Role) any {
			return point("巡检网点")
		}, allowed: providerAdmin},
		"list-technicians": {method: "GET", path: fmt.Sprintf("/technicians?provider_id=%d", f.Provider.ID), allowed: staffReaders},
		"get-technician":   {method: "GET", path: fmt.Sprintf("/technicians/%d", tech), allowed: staffReaders},
		"update-technician": {method: "PATCH", path: fmt.Sprintf("/technicians/%d", tech), body: func(*testutil.Fixture, policy.Role) any {
			return map[string]any{"efficiency_permille": 1100, "skills": []map[string]any{{"product_line": "CNC", "level": 3}}}
		}, allowed: providerAdmin},
		"list-certifications": {method: "GET", path: fmt.Sprintf("/technicians/%d/certifications", tech), allowed: staffReaders},
		"create-certification": {method: "POST", path: fmt.Sprintf("/technicians/%d/certifications", tech), body: func(*testutil.Fixture, policy.Role) any {
			return cert
		}, allowed: providerAdmin},
		"get-certification": {method: "GET", path: fmt.Sprintf("/technicians/%d/certifications/%%CERT%%", tech), allowed: staffReaders},
		"update-certification": {method: "PATCH", path: fmt.Sprintf("/technicians/%d/certifications/%%CERT%%", tech), body: func(*testutil.Fixture, policy.Role) any {
			return cert
		}, allowed: providerAdmin},
		"attach-certification-scan": {method: "POST", path: fmt.Sprintf("/technicians/%d/certifications/%%CERT%%/scan", tech), body: func(*testutil.Fixture, policy.Role) any {
			return map[string]any{"filename": "cert.png", "content": walkPNG}
		}, allowed: providerAdmin},
		"get-certification-scan": {method: "GET", path: fmt.Sprintf("/technicians/%d/certifications/%%SCANNED%%/scan", tech), allowed: staffReaders},
		"list-trainings":         {method: "GET", path: fmt.Sprintf("/technicians/%d/trainings", tech), allowed: staffReaders},
		"create-training": {method: "POST", path: fmt.Sprintf("/technicians/%d/trainings", tech), body: func(*testutil.Fixture, policy.Role) any {
			return map[string]any{"course": "CNC 维修 II", "held_on": "2026-03-02", "hours_tenths": 75, "trainer": "王工", "result": "passed"}
		}, allowed: providerAdmin},
		"list-assessments": {method: "GET", path: fmt.Sprintf("/technicians/%d/assessments", tech), allowed: staffReaders},
		"create-assessment": {method: "POST", path: fmt.Sprintf("/technicians/%d/assessments", tech), body: func(*testutil.Fixture, policy.Role) any {
			return map[string]any{"period": "2026-Q3", "score": 88, "assessor": "李经理"}
		}, allowed: providerAdmin},
		"list-leave": {method: "GET", path: fmt.Sprintf("/technicians/%d/leave", tech), allowed: staffReaders},
		"create-leave": {method: "POST", path: fmt.Sprintf("/technicians/%d/leave", tech), body: func(*testutil.Fixture, policy.Role) any {
			return map[string]any{"starts_at": "2030-01-07T00:00:00+08:00", "ends_at": "2030-01-08T00:00:00+08:00", "reason": "年假"}
		}, allowed: providerAdmin},
		"list-qualification-rules": {method: "GET", path: fmt.Sprintf("/qualification-rules?vendor_id=%d", f.Vendor.ID), allowed: staffReaders},
		"create-qualification-rule": {method: "POST", path: "/qualification-rules", body: func(*testutil.Fixture, policy.Role) any {
			return map[string]any{"kind": "permit", "service_item": "maintenance", "permit_type": "electrical"}
		}, allowed: vendorAdmin},
		"get-qualification-rule": {method: "GET", path: "/qualification-rules/%RULE%", allowed: staffReaders},
		"update-qualification-rule": {method: "PATCH", path: "/qualification-rules/%RULE%", body: func(*testutil.Fixture, policy.Role) any {
			return map[string]any{"kind": "permit", "service_item": "part_replacement", "permit_type": "welding"}
		}, allowed: vendorAdmin},
		"delete-qualification-rule":     {method: "DELETE", path: "/qualification-rules/%RULE%", allowed: vendorAdmin},
		"recommend-reassignment":        {method: "GET", path: "/work-orders/%WO%/recommendations?policy=deadline_first", allowed: []policy.Role{policy.ProviderAdmin, policy.Dispatcher}},
		"recommend-technicians":         {method: "GET", path: "/service-requests/%REQUEST%/recommendations?policy=least_travel", allowed: []policy.Role{policy.ProviderAdmin, policy.Dispatcher}},
		"list-qualification-exceptions": {method: "GET", path: "/service-requests/%REQUEST%/qualification-exceptions", allowed: requestParties},
		"grant-qualification-exception": {method: "POST", path: "/service-requests/%REQUEST%/qualification-exceptions", body: func(f *testutil.Fixture, _ policy.Role) any {
			return map[string]any{"technician_id": f.Users[policy.Technician].ID, "reason": "the only engineer on the island"}
		}, allowed: vendorAdmin},
	}
}

// withStaff fills the staff placeholders: %POINT% a service point of the
// Provider, %CERT% a fresh vendor certificate of its technician, %RULE% a
// permit rule of the Vendor (made again if a walk deleted it).
func withStaff(t *testing.T, app *testutil.App, f *testutil.Fixture, path string) string {
	t.Helper()
	ctx := context.Background()
	s := testutil.Services(t, app.DB).Staff
	admin := f.Users[policy.ProviderAdmin].Actor()
	if strings.Contains(path, "%POINT%") {
		p, err := s.CreatePoint(ctx, admin, f.Provider.ID, staff.PointInput{Name: fmt.Sprintf("Walk %d", randomish()), Address: "苏州市虎丘区 1 号",
			Division: "320505", Lat: 31.3, Lng: 120.6})
		if err != nil {
			t.Fatal(err)
		}
		path = strings.ReplaceAll(path, "%POINT%", fmt.Sprint(p.ID))
	}
	if strings.Contains(path, "%CERT%") {
		c, err := s.AddCertification(ctx, admin, f.Users[policy.Technician].ID, staff.CertInput{Kind: staff.VendorCert, VendorID: &f.Vendor.ID, ProductLine: "CNC",
			Level: 2, Number: "V-WALK", IssuedOn: "2025-01-01", ExpiresOn: "2027-01-01"})
		if err != nil {
			t.Fatal(err)
		}
		path = strings.ReplaceAll(path, "%CERT%", fmt.Sprint(c.ID))
	}
	if strings.Contains(path, "%SCANNED%") {
		c, err := s.AddCertification(ctx, admin, f.Users[policy.Technician].ID, staff.CertInput{Kind: staff.Permit, PermitType: "electrical",
			Number: fmt.Sprintf("T-WALK-%d", randomish()), IssuedOn: "2025-01-01"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.AttachScan(ctx, admin, f.Users[policy.Technician].ID, c.ID, files.FromBytes("scan.png", tinyPNG())); err != nil {
			t.Fatal(err)
		}
		path = strings.ReplaceAll(path, "%SCANNED%", fmt.Sprint(c.ID))
	}
	if strings.Contains(path, "%RULE%") {
		var id int64
		err := store.Get(ctx, app.DB, &id, `SELECT COALESCE(MAX(id), 0) FROM qualification_rules WHERE vendor_id = ? AND service_item = 'part_replacement'`, f.Vendor.ID)
		if err != nil {
			t.Fatal(err)
		}
		if id == 0 {
			r, err := s.CreateRule(ctx, f.Users[policy.VendorAdmin].Actor(), f.Vendor.ID, staff.RuleInput{Kind: staff.PermitRule, ServiceItem: "part_replacement", PermitType: "welding"})
			if err != nil {
				t.Fatal(err)
			}
			id = r.ID
		}
		path = strings.ReplaceAll(path, "%RULE%", fmt.Sprint(id))
	}
	return path
}
