package web_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"aftersales/internal/policy"
	"aftersales/internal/staff"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// The staff register's forms do what the API does: the provider's admin
// adds a service point, sets a technician's profile, records a training
// and an assessment and attaches a certificate's scan; the vendor's admin
// adds and removes a qualification rule. Bad input comes back with the
// field named and nothing saved; the vendor cannot change the provider's
// staff through a page either.
func TestStaffForms(t *testing.T) {
	t.Parallel()
	app, f := staffRegister(t)
	db := app.DB
	ctx := context.Background()
	tech := f.Users[policy.Technician].ID
	admin := signIn(t, app, f.Users[policy.ProviderAdmin].Email)

	// A service point: bad, then good.
	res, html := post(t, admin, app.URL+"/staff/points", url.Values{"name": {"苏州网点"}, "address": {"苏州市虎丘区 2 号"}, "division": {"999999"}, "lat": {"31.3"}, "lng": {"200"}})
	if res.StatusCode != 422 || !strings.Contains(html, `class="err"`) || count(t, db, `SELECT COUNT(*) FROM service_points`) != 0 {
		t.Fatalf("bad service point: %d", res.StatusCode)
	}
	res, _ = post(t, admin, app.URL+"/staff/points", url.Values{"name": {"苏州网点"}, "address": {"苏州市虎丘区 2 号"}, "division": {"320505"},
		"lat": {"31.3"}, "lng": {"120.6"}, "radius_km": {"60"}, "phone": {"0512-66881234"}})
	if res.StatusCode != 303 || !strings.Contains(body(t, get(t, admin, app.URL+"/staff")), "苏州网点") || count(t, db, `SELECT COUNT(*) FROM service_points WHERE radius_km = 60`) != 1 {
		t.Fatalf("service point: %d", res.StatusCode)
	}
	point := testutil.SelectOne[int64](t, db, `SELECT id FROM service_points`)

	page := fmt.Sprintf("%s/staff/technicians/%d", app.URL, tech)
	// The profile: a skill level outside the scale is refused, then saved.
	res, _ = post(t, admin, page+"/profile", url.Values{"version": {"1"}, "service_point_id": {itoa(point)}, "efficiency_permille": {"1200"},
		"skill_line": {"CNC"}, "skill_level": {"9"}})
	if res.StatusCode != 422 || count(t, db, `SELECT COUNT(*) FROM technician_skills`) != 0 {
		t.Fatalf("bad skill level: %d", res.StatusCode)
	}
	res, _ = post(t, admin, page+"/profile", url.Values{"version": {"1"}, "service_point_id": {itoa(point)}, "efficiency_permille": {"1200"},
		"skill_line": {"CNC", ""}, "skill_level": {"3", "1"}})
	if res.StatusCode != 303 || !strings.Contains(body(t, get(t, admin, page)), "CNC L3") || count(t, db, `SELECT COUNT(*) FROM technician_profiles WHERE service_point_id = ? AND efficiency_permille = 1200`, point) != 1 {
		t.Fatalf("profile: %d", res.StatusCode)
	}

	// A training in hours as people write them, and an assessment.
	res, html = post(t, admin, page+"/trainings", url.Values{"course": {""}, "held_on": {"2099-01-01"}, "hours": {"0"}, "result": {"passed"}})
	if res.StatusCode != 422 || !strings.Contains(html, `name="hours"`) || count(t, db, `SELECT COUNT(*) FROM trainings`) != 0 {
		t.Fatalf("bad training: %d", res.StatusCode)
	}
	res, _ = post(t, admin, page+"/trainings", url.Values{"course": {"数控系统维修 II"}, "held_on": {"2026-03-02"}, "hours": {"7.5"}, "trainer": {"王工"}, "result": {"passed"}})
	if res.StatusCode != 303 || !strings.Contains(body(t, get(t, admin, page)), "数控系统维修 II") || count(t, db, `SELECT COUNT(*) FROM trainings WHERE hours_tenths = 75`) != 1 {
		t.Fatalf("training: %d", res.StatusCode)
	}
	res, _ = post(t, admin, page+"/assessments", url.Values{"period": {"Q3"}, "score": {"101"}, "assessor": {"李经理"}})
	if res.StatusCode != 422 || count(t, db, `SELECT COUNT(*) FROM assessments`) != 0 {
		t.Fatalf("bad assessment: %d", res.StatusCode)
	}
	res, _ = post(t, admin, page+"/assessments", url.Values{"period": {"2026-Q3"}, "score": {"88"}, "assessor": {"李经理"}, "comments": {"响应及时"}})
	if res.StatusCode != 303 || count(t, db, `SELECT COUNT(*) FROM assessments WHERE score = 88`) != 1 {
		t.Fatalf("assessment: %d", res.StatusCode)
	}

	// A certificate's scan: a text file is refused, a PNG is kept and shown.
	c, err := testutil.Services(t, db).Staff.AddCertification(ctx, f.Users[policy.ProviderAdmin].Actor(), tech, staff.CertInput{Kind: staff.Permit,
		PermitType: "electrical", Number: "T-1", IssuedOn: "2025-01-01"})
	if err != nil {
		t.Fatal(err)
	}
	upload := func(name string, content []byte) *http.Response {
		return postFiles(t, admin, fmt.Sprintf("%s/certifications/%d/scan", page, c.ID), nil, "file", map[string][]byte{name: content})
	}
	if res := upload("cert.txt", []byte("not a scan")); res.StatusCode != 422 || count(t, db, `SELECT COUNT(*) FROM certifications WHERE scan_file_id IS NOT NULL`) != 0 {
		t.Fatalf("a text file as a scan: %d", res.StatusCode)
	}
	var scan bytes.Buffer
	if err := png.Encode(&scan, image.NewGray(image.Rect(0, 0, 4, 4))); err != nil {
		t.Fatal(err)
	}
	if res := upload("cert.png", scan.Bytes()); res.StatusCode != 303 || count(t, db, `SELECT COUNT(*) FROM certifications WHERE scan_file_id IS NOT NULL`) != 1 {
		t.Fatalf("scan: %d", res.StatusCode)
	}
	vendor := signIn(t, app, f.Users[policy.VendorAdmin].Email)
	if res := get(t, vendor, fmt.Sprintf("%s/certifications/%d/scan", page, c.ID)); res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("the vendor reads the scan: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	// ...but changes nothing of the provider's staff.
	if res, _ := post(t, vendor, page+"/trainings", url.Values{"course": {"x"}, "held_on": {"2026-03-02"}, "hours": {"1"}, "result": {"passed"}}); res.StatusCode != 403 ||
		count(t, db, `SELECT COUNT(*) FROM trainings`) != 1 {
		t.Fatalf("the vendor records a training: %d", res.StatusCode)
	}

	// The vendor's rules: a line it does not make is refused; a rule is added and removed.
	res, html = post(t, vendor, app.URL+"/staff/rules", url.Values{"kind": {"certificate"}, "product_line": {"LASER"}, "min_level": {"2"}})
	if res.StatusCode != 422 || !strings.Contains(html, `class="err"`) || count(t, db, `SELECT COUNT(*) FROM qualification_rules`) != 0 {
		t.Fatalf("a rule for another line: %d", res.StatusCode)
	}
	res, _ = post(t, vendor, app.URL+"/staff/rules", url.Values{"kind": {"certificate"}, "product_line": {"CNC"}, "min_level": {"2"}})
	if res.StatusCode != 303 || count(t, db, `SELECT COUNT(*) FROM qualification_rules WHERE min_level = 2`) != 1 || !strings.Contains(body(t, get(t, vendor, app.URL+"/staff/rules")), "CNC") {
		t.Fatalf("rule: %d", res.StatusCode)
	}
	postStatus(t, 403, "a provider sets the vendor's rules", admin, app.URL+"/staff/rules", url.Values{"kind": {"permit"}, "service_item": {"repair"}, "permit_type": {"electrical"}})
	if html := body(t, get(t, admin, app.URL+"/staff/rules")); !strings.Contains(html, "CNC") {
		t.Fatal("the provider does not see the vendor's rules")
	}
	rule := testutil.SelectOne[int64](t, db, `SELECT id FROM qualification_rules`)
	if res, _ := post(t, vendor, fmt.Sprintf("%s/staff/rules/%d/delete", app.URL, rule), url.Values{}); res.StatusCode != 303 || count(t, db, `SELECT COUNT(*) FROM qualification_rules`) != 0 {
		t.Fatalf("remove rule: %d", res.StatusCode)
	}
}

// The register's edit forms: the provider's admin changes a service point,
// renews a certificate and records leave; the vendor's admin changes a
// rule's minimum level, reached from its menu. Bad input names the field
// and changes nothing; the vendor cannot edit the provider's staff.
func TestStaffEditForms(t *testing.T) {
	t.Parallel()
	app, f := staffRegister(t)
	ctx := context.Background()
	s := app.Server.Staff
	adminActor, vendorActor := f.Users[policy.ProviderAdmin].Actor(), f.Users[policy.VendorAdmin].Actor()
	tech := f.Users[policy.Technician].ID
	point, err := s.CreatePoint(ctx, adminActor, f.Provider.ID, staff.PointInput{Name: "苏州网点", Address: "苏州市虎丘区 2 号", Division: "320505", Lat: 31.3, Lng: 120.6, RadiusKm: 50})
	if err != nil {
		t.Fatal(err)
	}
	cert, err := s.AddCertification(ctx, adminActor, tech, staff.CertInput{Kind: staff.VendorCert, VendorID: &f.Vendor.ID, ProductLine: "CNC", Level: 2,
		Number: "C-1", IssuedOn: "2024-01-01", ExpiresOn: "2026-01-01"})
	if err != nil {
		t.Fatal(err)
	}
	rule, err := s.CreateRule(ctx, vendorActor, f.Vendor.ID, staff.RuleInput{Kind: staff.CertificateRule, ProductLine: "CNC", MinLevel: 2})
	if err != nil {
		t.Fatal(err)
	}
	admin := signIn(t, app, f.Users[policy.ProviderAdmin].Email)

	edit := url.Values{"version": {fmt.Sprint(point.Version)}, "point_id": {fmt.Sprint(point.ID)}, "edit_name": {"苏州新区网点"}, "edit_address": {"苏州市虎丘区 9 号"},
		"edit_division": {"320505"}, "edit_lat": {"31.3"}, "edit_lng": {"200"}, "edit_radius_km": {"80"}}
	res, html := post(t, admin, fmt.Sprintf("%s/staff/points/%d", app.URL, point.ID), edit)
	if res.StatusCode != 422 || !strings.Contains(html, `class="err"`) || count(t, app.DB, `SELECT COUNT(*) FROM service_points WHERE name = '苏州网点'`) != 1 {
		t.Fatalf("bad point edit: %d", res.StatusCode)
	}
	edit.Set("edit_lng", "120.7")
	if res, _ := post(t, admin, fmt.Sprintf("%s/staff/points/%d", app.URL, point.ID), edit); res.StatusCode != 303 ||
		count(t, app.DB, `SELECT COUNT(*) FROM service_points WHERE name = '苏州新区网点' AND radius_km = 80`) != 1 {
		t.Fatalf("point edit: %d", res.StatusCode)
	}

	page := fmt.Sprintf("%s/staff/technicians/%d", app.URL, tech)
	renew := url.Values{"certification_id": {fmt.Sprint(cert.ID)}, "renew_number": {"C-2"}, "renew_level": {"3"}, "renew_issued_on": {"2026/1/2"}, "renew_expires_on": {"2025-12-31"}}
	res, html = post(t, admin, page+"/certifications/renew", renew)
	if res.StatusCode != 422 || !strings.Contains(html, `class="err"`) || count(t, app.DB, `SELECT COUNT(*) FROM certifications WHERE number = 'C-1'`) != 1 {
		t.Fatalf("renewal expiring before it is issued: %d", res.StatusCode)
	}
	renew.Set("renew_expires_on", "2029-01-01")
	if res, _ := post(t, admin, page+"/certifications/renew", renew); res.StatusCode != 303 ||
		count(t, app.DB, `SELECT COUNT(*) FROM certifications WHERE number = 'C-2' AND level = 3 AND expires_on = '2029-01-01'`) != 1 {
		t.Fatalf("renewal: %d", res.StatusCode)
	}

	leave := url.Values{"starts_at": {"2031-05-06 09:00"}, "ends_at": {"2031-05-06 08:00"}, "reason": {"体检"}}
	res, html = post(t, admin, page+"/leave", leave)
	if res.StatusCode != 422 || !strings.Contains(html, `class="err"`) || count(t, app.DB, `SELECT COUNT(*) FROM technician_leave`) != 0 {
		t.Fatalf("leave ending before it starts: %d", res.StatusCode)
	}
	leave.Set("ends_at", "2031-05-06 18:00")
	if res, _ := post(t, admin, page+"/leave", leave); res.StatusCode != 303 || count(t, app.DB, `SELECT COUNT(*) FROM technician_leave`) != 1 ||
		!strings.Contains(body(t, get(t, admin, page)), "体检") {
		t.Fatalf("leave: %d", res.StatusCode)
	}

	vendor := signIn(t, app, f.Users[policy.VendorAdmin].Email)
	if !strings.Contains(body(t, get(t, vendor, app.URL+"/")), `href="/staff/rules"`) {
		t.Fatal("the vendor's menu has no link to the rules")
	}
	if res, _ := post(t, vendor, page+"/leave", url.Values{"starts_at": {"2031-06-01 09:00"}, "ends_at": {"2031-06-01 12:00"}}); res.StatusCode != 403 ||
		count(t, app.DB, `SELECT COUNT(*) FROM technician_leave`) != 1 {
		t.Fatalf("the vendor records the provider's leave: %d", res.StatusCode)
	}
	res, html = post(t, vendor, fmt.Sprintf("%s/staff/rules/%d", app.URL, rule.ID), url.Values{"rule_id": {fmt.Sprint(rule.ID)}, "edit_min_level": {"9"}})
	if res.StatusCode != 422 || !strings.Contains(html, `class="err"`) || count(t, app.DB, `SELECT COUNT(*) FROM qualification_rules WHERE min_level = 2`) != 1 {
		t.Fatalf("a level outside the scale: %d", res.StatusCode)
	}
	if res, _ := post(t, vendor, fmt.Sprintf("%s/staff/rules/%d", app.URL, rule.ID), url.Values{"edit_min_level": {"3"}}); res.StatusCode != 303 ||
		count(t, app.DB, `SELECT COUNT(*) FROM qualification_rules WHERE min_level = 3`) != 1 {
		t.Fatalf("rule edit: %d", res.StatusCode)
	}
}

// staffRegister is the app on a fresh SQLite database with the fixture,
// its agreement and unit, and the fixture's model in the product line CNC,
// which the staff register's rules and certificates name.
func staffRegister(t *testing.T) (*testutil.App, *testutil.Fixture) {
	t.Helper()
	app, f, _ := servingSQLite(t)
	if _, err := store.Exec(context.Background(), app.DB, `UPDATE product_models SET product_line = 'CNC' WHERE code = 'FX-100'`); err != nil {
		t.Fatal(err)
	}
	return app, f
}
