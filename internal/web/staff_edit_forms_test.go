package web_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"aftersales/internal/policy"
	"aftersales/internal/staff"
	"aftersales/internal/store"
)

// The register's edit forms: the provider's admin changes a service point,
// renews a certificate and records leave; the vendor's admin changes a
// rule's minimum level, reached from its menu. Bad input names the field
// and changes nothing; the vendor cannot edit the provider's staff.
func TestStaffEditForms(t *testing.T) {
	t.Parallel()
	app, f, _ := servingSQLite(t)
	ctx := context.Background()
	cncModels(t, app.DB)
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
	count := func(q string, args ...any) int {
		var n int
		if err := store.Get(ctx, app.DB, &n, q, args...); err != nil {
			t.Fatal(err)
		}
		return n
	}
	admin := signIn(t, app, f.Users[policy.ProviderAdmin].Email)

	edit := url.Values{"version": {fmt.Sprint(point.Version)}, "point_id": {fmt.Sprint(point.ID)}, "edit_name": {"苏州新区网点"}, "edit_address": {"苏州市虎丘区 9 号"},
		"edit_division": {"320505"}, "edit_lat": {"31.3"}, "edit_lng": {"200"}, "edit_radius_km": {"80"}}
	res, html := post(t, admin, fmt.Sprintf("%s/staff/points/%d", app.URL, point.ID), edit)
	if res.StatusCode != 422 || !strings.Contains(html, `class="err"`) || count(`SELECT COUNT(*) FROM service_points WHERE name = '苏州网点'`) != 1 {
		t.Fatalf("bad point edit: %d", res.StatusCode)
	}
	edit.Set("edit_lng", "120.7")
	if res, _ := post(t, admin, fmt.Sprintf("%s/staff/points/%d", app.URL, point.ID), edit); res.StatusCode != 303 ||
		count(`SELECT COUNT(*) FROM service_points WHERE name = '苏州新区网点' AND radius_km = 80`) != 1 {
		t.Fatalf("point edit: %d", res.StatusCode)
	}

	page := fmt.Sprintf("%s/staff/technicians/%d", app.URL, tech)
	renew := url.Values{"certification_id": {fmt.Sprint(cert.ID)}, "renew_number": {"C-2"}, "renew_level": {"3"}, "renew_issued_on": {"2026/1/2"}, "renew_expires_on": {"2025-12-31"}}
	res, html = post(t, admin, page+"/certifications/renew", renew)
	if res.StatusCode != 422 || !strings.Contains(html, `class="err"`) || count(`SELECT COUNT(*) FROM certifications WHERE number = 'C-1'`) != 1 {
		t.Fatalf("renewal expiring before it is issued: %d", res.StatusCode)
	}
	renew.Set("renew_expires_on", "2029-01-01")
	if res, _ := post(t, admin, page+"/certifications/renew", renew); res.StatusCode != 303 ||
		count(`SELECT COUNT(*) FROM certifications WHERE number = 'C-2' AND level = 3 AND expires_on = '2029-01-01'`) != 1 {
		t.Fatalf("renewal: %d", res.StatusCode)
	}

	leave := url.Values{"starts_at": {"2031-05-06 09:00"}, "ends_at": {"2031-05-06 08:00"}, "reason": {"体检"}}
	res, html = post(t, admin, page+"/leave", leave)
	if res.StatusCode != 422 || !strings.Contains(html, `class="err"`) || count(`SELECT COUNT(*) FROM technician_leave`) != 0 {
		t.Fatalf("leave ending before it starts: %d", res.StatusCode)
	}
	leave.Set("ends_at", "2031-05-06 18:00")
	if res, _ := post(t, admin, page+"/leave", leave); res.StatusCode != 303 || count(`SELECT COUNT(*) FROM technician_leave`) != 1 ||
		!strings.Contains(body(t, get(t, admin, page)), "体检") {
		t.Fatalf("leave: %d", res.StatusCode)
	}

	vendor := signIn(t, app, f.Users[policy.VendorAdmin].Email)
	if !strings.Contains(body(t, get(t, vendor, app.URL+"/")), `href="/staff/rules"`) {
		t.Fatal("the vendor's menu has no link to the rules")
	}
	if res, _ := post(t, vendor, page+"/leave", url.Values{"starts_at": {"2031-06-01 09:00"}, "ends_at": {"2031-06-01 12:00"}}); res.StatusCode != 403 ||
		count(`SELECT COUNT(*) FROM technician_leave`) != 1 {
		t.Fatalf("the vendor records the provider's leave: %d", res.StatusCode)
	}
	res, html = post(t, vendor, fmt.Sprintf("%s/staff/rules/%d", app.URL, rule.ID), url.Values{"rule_id": {fmt.Sprint(rule.ID)}, "edit_min_level": {"9"}})
	if res.StatusCode != 422 || !strings.Contains(html, `class="err"`) || count(`SELECT COUNT(*) FROM qualification_rules WHERE min_level = 2`) != 1 {
		t.Fatalf("a level outside the scale: %d", res.StatusCode)
	}
	if res, _ := post(t, vendor, fmt.Sprintf("%s/staff/rules/%d", app.URL, rule.ID), url.Values{"edit_min_level": {"3"}}); res.StatusCode != 303 ||
		count(`SELECT COUNT(*) FROM qualification_rules WHERE min_level = 3`) != 1 {
		t.Fatalf("rule edit: %d", res.StatusCode)
	}
}
