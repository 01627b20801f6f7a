package web_test

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"aftersales/internal/agreement"
	"aftersales/internal/calendar"
	"aftersales/internal/policy"
	"aftersales/internal/staff"
	"aftersales/internal/store"
)

func agreementForm(provider int64, number string) url.Values {
	return url.Values{
		"provider_id": {itoa(provider)}, "number": {number},
		"term_start": {"2026-01-01"}, "term_end": {"2099-12-31"}, "auto_renew": {"on"}, "renewal_months": {"12"},
		"covered_models": {"HC-CNC-850\r\nHC-LASER-3015"}, "service_area": {"32, 33\n31"},
		"service_points":           {"苏州网点, 31.30, 120.62, 80"},
		"service_items":            {"repair", "maintenance", "consultation", "part_replacement"},
		"emergency_response_hours": {"2"}, "emergency_onsite_hours": {"8"}, "emergency_calendar_id": {"cn"},
		"general_response_working_days": {"2"}, "general_calendar_id": {"cn"},
		"satisfaction_percent": {"92.5"}, "record_retention_months": {"36"},
		"payment_settlement_period": {"monthly"}, "payment_payment_due_days": {"30"}, "adjustment_lead_days": {"30"},
	}
}

func TestAgreementPages(t *testing.T) {
	t.Parallel()
	app, f := seededSQLite(t)
	vendor := signIn(t, app, f.Users[policy.VendorAdmin].Email)

	if html := body(t, get(t, vendor, app.URL+"/agreements/new")); !strings.Contains(html, "Provider One") {
		t.Fatal("the form does not offer the vendor's provider")
	}
	bad := agreementForm(f.Provider.ID, "HC-1")
	bad.Set("service_area", "32\n71\n3205")
	bad.Set("satisfaction_percent", "92.55")
	res, html := post(t, vendor, app.URL+"/agreements", bad)
	if res.StatusCode != 422 || !strings.Contains(html, "satisfaction_percent") || !strings.Contains(html, "92.55") {
		t.Fatalf("unparsable percentage: %d", res.StatusCode)
	}
	bad.Set("satisfaction_percent", "92.5")
	res, html = post(t, vendor, app.URL+"/agreements", bad)
	if res.StatusCode != 422 || !strings.Contains(html, "line 2: 71 is Taiwan") || !strings.Contains(html, "line 3: 3205 is already covered by 32") {
		t.Fatalf("bad area: %d %s", res.StatusCode, errorsIn(html))
	}
	res, _ = post(t, vendor, app.URL+"/agreements", agreementForm(f.Provider.ID, "HC-1"))
	page := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !regexp.MustCompile(`^/agreements/\d+$`).MatchString(page) {
		t.Fatalf("create: %d %s", res.StatusCode, page)
	}
	html = body(t, get(t, vendor, app.URL+page))
	for _, want := range []string{"Draft", "respond within 2 working hours, technician on site within 8 working hours (calendar cn)",
		"ends at close of business of the 2nd working day after the day received", "32 江苏", "at least 92.5 %", "80 km around 苏州网点"} {
		if !strings.Contains(html, want) {
			t.Errorf("detail lacks %q", want)
		}
	}
	res, _ = post(t, vendor, app.URL+page+"/status", url.Values{"status": {"active"}, "version": {"1"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("activate: %d", res.StatusCode)
	}
	if html = body(t, get(t, vendor, app.URL+page)); !strings.Contains(html, `agr-active big`) {
		t.Fatal("not active after activation")
	}

	// A new version, prefilled from the latest one.
	html = body(t, get(t, vendor, app.URL+page+"/versions/new"))
	if !strings.Contains(html, "HC-LASER-3015") || !strings.Contains(html, `value="92.5"`) {
		t.Fatal("the version form is not prefilled")
	}
	form := agreementForm(f.Provider.ID, "")
	form.Set("version", "2")
	form.Set("effective_from", calendar.LocalDate(time.Now()))
	form.Set("emergency_calendar_id", "24x7")
	form.Set("note", "calendar change")
	res, html = post(t, vendor, app.URL+page+"/versions", form)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("add version: %d %s", res.StatusCode, errorsIn(html))
	}
	html = body(t, get(t, vendor, app.URL+page+"/diff?from=1&to=2"))
	if !strings.Contains(html, "Emergency: working calendar") || !strings.Contains(html, "24x7") || strings.Contains(html, "emergency.calendar_id") {
		t.Fatal("the diff page does not show the change")
	}

	// The provider proposes; the vendor accepts.
	provider := signIn(t, app, f.Users[policy.ProviderAdmin].Email)
	html = body(t, get(t, provider, app.URL+page+"/adjustments/new"))
	if !strings.Contains(html, "round the clock") && !strings.Contains(html, `value="24x7"`) {
		t.Fatal("the proposal form is not prefilled with the latest version")
	}
	prop := agreementForm(f.Provider.ID, "")
	prop.Set("emergency_onsite_hours", "12")
	prop.Set("reason", "winter roads")
	prop.Set("effective_from", agreement.AddDays(calendar.LocalDate(time.Now()), 10))
	res, html = post(t, provider, app.URL+page+"/adjustments", prop)
	if res.StatusCode != 422 || !strings.Contains(html, "lead time is 30 days") {
		t.Fatalf("early proposal: %d %s", res.StatusCode, errorsIn(html))
	}
	prop.Set("effective_from", agreement.AddDays(calendar.LocalDate(time.Now()), 30))
	if res, html = post(t, provider, app.URL+page+"/adjustments", prop); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("propose: %d %s", res.StatusCode, errorsIn(html))
	}
	html = body(t, get(t, vendor, app.URL+page))
	m := regexp.MustCompile(`action="/adjustments/(\d+)/accept"`).FindStringSubmatch(html)
	if m == nil || !strings.Contains(html, "Emergency: on site within (hours)") {
		t.Fatal("the vendor is not offered the decision")
	}
	if strings.Contains(body(t, get(t, provider, app.URL+page)), "/accept") {
		t.Error("the proposer is offered to accept its own request")
	}
	if res, _ = post(t, vendor, app.URL+"/adjustments/"+m[1]+"/accept", url.Values{"comment": {"ok"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("accept: %d", res.StatusCode)
	}
	var n int
	if err := store.Get(context.Background(), app.DB, &n, `SELECT COUNT(*) FROM agreement_versions`); err != nil || n != 3 {
		t.Fatalf("versions after acceptance: %d %v", n, err)
	}
	// The version it made says where it came from in the reader's language.
	get(t, vendor, app.URL+"/lang/zh-CN?next=/profile").Body.Close()
	if html = body(t, get(t, vendor, app.URL+page)); !strings.Contains(html, "来自调整申请 #"+m[1]+"：winter roads") || strings.Contains(html, "adjustment request #") {
		t.Errorf("the version's note in Chinese:\n%s", between(html, "<table", "</table>"))
	}
	get(t, vendor, app.URL+"/lang/en?next=/profile").Body.Close()

	// Every role sees the list; only the agreement's people see it.
	for _, role := range policy.Roles {
		c := signIn(t, app, f.Users[role].Email)
		for _, lang := range []string{"zh-CN", "en"} {
			res := get(t, c, app.URL+"/agreements", "Accept-Language", lang)
			html := body(t, res)
			if res.StatusCode != 200 || strings.Contains(html, ">agreements.") || strings.Contains(html, ">agreement_status.") {
				t.Errorf("%s %s list: %d", role, lang, res.StatusCode)
			}
			res = get(t, c, app.URL+page, "Accept-Language", lang)
			html = body(t, res)
			want := 200
			if role == policy.Customer {
				want = 404
			}
			if res.StatusCode != want || regexp.MustCompile(`>(agreements|adjustments|agreement_\w+|diff)\.[a-z_.]+<`).MatchString(html) {
				t.Errorf("%s %s detail: %d, want %d", role, lang, res.StatusCode, want)
			}
		}
	}
	other := signIn(t, app, f.OtherAdmin.Email)
	if res := get(t, other, app.URL+page); res.StatusCode != 404 {
		t.Errorf("another vendor opens the agreement: %d", res.StatusCode)
	}
}

func errorsIn(html string) []string {
	return regexp.MustCompile(`class="(?:err|alert)"[^>]*>([^<]*)<`).FindAllString(html, -1)
}

// The content security policy forbids inline scripts and style attributes.
func TestAgreementTemplatesHaveNoInlineStyleOrScript(t *testing.T) {
	t.Parallel()
	files, _ := filepath.Glob("templates/agreement*.html")
	if len(files) < 4 {
		t.Fatalf("found %d agreement templates", len(files))
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if s := string(b); strings.Contains(s, "style=") || strings.Contains(s, "<script") || strings.Contains(s, " on") && regexp.MustCompile(`\son[a-z]+=`).MatchString(s) {
			t.Errorf("%s has inline style or script", f)
		}
	}
}

// The agreement form offers the provider's service points from the staff
// register: a version that ticks one with its radius refers to it, the
// form comes back with it ticked, and another provider's point is refused
// naming the field, nothing saved.
func TestAgreementFormOffersTheRegisterPoints(t *testing.T) {
	t.Parallel()
	app, f, sf := servingSQLite(t)
	db := app.DB
	ctx := context.Background()
	point, err := app.Server.Staff.CreatePoint(ctx, f.Users[policy.ProviderAdmin].Actor(), f.Provider.ID, staff.PointInput{Name: "苏州网点", Address: "苏州市虎丘区 2 号", Division: "320505", Lat: 31.30, Lng: 120.60})
	if err != nil {
		t.Fatal(err)
	}
	other, err := app.Server.Staff.CreatePoint(ctx, policy.Actor{Operator: true}, f.OtherProvider.ID, staff.PointInput{Name: "杭州网点", Address: "杭州市西湖区 1 号", Division: "330106", Lat: 30.27, Lng: 120.15})
	if err != nil {
		t.Fatal(err)
	}
	vendor := signIn(t, app, f.Users[policy.VendorAdmin].Email)
	page := "/agreements/" + itoa(sf.AgreementID)
	html := body(t, get(t, vendor, app.URL+page+"/versions/new"))
	if !strings.Contains(html, `name="register_point" value="`+itoa(point.ID)+`"`) || strings.Contains(html, `name="register_point" value="`+itoa(other.ID)+`"`) {
		t.Fatal("the version form does not offer the provider's point alone")
	}
	d, err := app.Server.Agreements.Get(ctx, f.Users[policy.VendorAdmin].Actor(), sf.AgreementID)
	if err != nil {
		t.Fatal(err)
	}
	form := agreementForm(f.Provider.ID, "")
	form.Set("version", itoa(d.Version))
	form.Set("effective_from", calendar.LocalDate(time.Now()))
	form.Set("service_points", "")
	form.Set("register_point", itoa(other.ID))
	form.Set("point_radius_"+itoa(other.ID), "60")
	before, _ := agreement.Versions(ctx, db, sf.AgreementID)
	res, html := post(t, vendor, app.URL+page+"/versions", form)
	if res.StatusCode != 422 || !strings.Contains(html, "is not a point of the agreement") {
		t.Fatalf("another provider's point: %d %s", res.StatusCode, errorsIn(html))
	}
	if after, _ := agreement.Versions(ctx, db, sf.AgreementID); len(after) != len(before) {
		t.Fatal("a refused version was saved")
	}
	form.Set("register_point", itoa(point.ID))
	form.Del("point_radius_" + itoa(other.ID))
	form.Set("point_radius_"+itoa(point.ID), "60")
	if res, html = post(t, vendor, app.URL+page+"/versions", form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("add version: %d %s", res.StatusCode, errorsIn(html))
	}
	v, err := agreement.TermsAt(ctx, db, sf.AgreementID, time.Now())
	want := agreement.ServicePoint{ServicePointID: point.ID, Name: "苏州网点", Lat: 31.30, Lng: 120.60, RadiusKM: 60}
	if err != nil || len(v.Terms.ServicePoints) != 1 || v.Terms.ServicePoints[0] != want {
		t.Fatalf("terms in force: %+v %v, want %+v", v.Terms.ServicePoints, err, want)
	}
	html = body(t, get(t, vendor, app.URL+page+"/versions/new"))
	if !regexp.MustCompile(`name="register_point" value="`+itoa(point.ID)+`" checked`).MatchString(html) || !strings.Contains(html, `name="point_radius_`+itoa(point.ID)+`" value="60"`) {
		t.Fatal("the next version's form does not keep the point ticked with its radius")
	}
	if html = body(t, get(t, vendor, app.URL+page)); !strings.Contains(html, "60 km around 苏州网点") {
		t.Fatal("the agreement page does not name the register's point")
	}
}
