package api_test

import (
	"encoding/base64"
	"fmt"
	"strings"
	"sync"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"

	"aftersales/internal/policy"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// walkSiteID is the fixture's site (SeedService's "Plant"), for bodies of the walk.
var walkSiteID sync.Map // *testutil.Fixture → int64

// withInstalledBase fills %MODEL%, %SITE% and %UNIT% with the fixture's
// model FX-100, its site and its unit FX100-0001.
func withInstalledBase(t *testing.T, app *testutil.App, f *testutil.Fixture, path string) string {
	t.Helper()
	var ids struct {
		Model int64 `db:"model_id"`
		Site  int64 `db:"site_id"`
		Unit  int64 `db:"id"`
	}
	if err := store.Get(t.Context(), app.DB, &ids, `SELECT id, model_id, site_id FROM units WHERE serial_number = 'FX100-0001'`); err != nil {
		t.Fatalf("fixture unit: %v", err)
	}
	walkSiteID.Store(f, ids.Site)
	return strings.NewReplacer("%MODEL%", fmt.Sprint(ids.Model), "%SITE%", fmt.Sprint(ids.Site), "%UNIT%", fmt.Sprint(ids.Unit)).Replace(path)
}

// installedBaseWalk are the installed base operations of the authorization walk.
func installedBaseWalk() map[string]walkCase {
	vendorAdmin := []policy.Role{policy.VendorAdmin}
	slug := func(r policy.Role) string { return strings.ToUpper(strings.ReplaceAll(string(r), "_", "-")) }
	return map[string]walkCase{
		"list-product-models": {method: "GET", path: "/product-models", allowed: all},
		"get-product-model":   {method: "GET", path: "/product-models/%MODEL%", allowed: all},
		"create-product-model": {method: "POST", path: "/product-models", body: func(_ *testutil.Fixture, r policy.Role) any {
			return map[string]any{"code": "WALK-" + slug(r), "name": "巡检型号", "warranty_months": 12}
		}, allowed: vendorAdmin},
		"update-product-model": {method: "PATCH", path: "/product-models/%MODEL%", body: func(*testutil.Fixture, policy.Role) any {
			return map[string]any{"warranty_months": 18}
		}, allowed: vendorAdmin},
		"list-sites": {method: "GET", path: "/sites", allowed: all},
		"get-site":   {method: "GET", path: "/sites/%SITE%", allowed: all},
		"create-site": {method: "POST", path: "/sites", body: func(f *testutil.Fixture, r policy.Role) any {
			return map[string]any{"customer_id": f.Customer.ID, "name": "Walk " + string(r), "address": "苏州市虎丘区 2 号", "division": "320505"}
		}, allowed: []policy.Role{policy.VendorAdmin, policy.ProviderAdmin, policy.Dispatcher, policy.Customer}},
		"update-site": {method: "PATCH", path: "/sites/%SITE%", body: func(*testutil.Fixture, policy.Role) any {
			return map[string]any{"contact_name": "Walk"}
		}, allowed: []policy.Role{policy.VendorAdmin, policy.ProviderAdmin, policy.Dispatcher, policy.Customer}},
		"list-units":         {method: "GET", path: "/units", allowed: all},
		"get-unit":           {method: "GET", path: "/units/%UNIT%", allowed: all},
		"get-unit-by-serial": {method: "GET", path: "/units/by-serial?serial=fx100-0001", allowed: all},
		"create-unit": {method: "POST", path: "/units", body: func(f *testutil.Fixture, r policy.Role) any {
			site, _ := walkSiteID.Load(f)
			return map[string]any{"serial_number": "WALK-" + slug(r), "model": "FX-100", "site_id": site, "install_date": "2025-03-07"}
		}, allowed: vendorAdmin},
		"update-unit": {method: "PATCH", path: "/units/%UNIT%", body: func(*testutil.Fixture, policy.Role) any {
			return map[string]any{"warranty_end": "2030-01-01"}
		}, allowed: vendorAdmin},
		"rotate-unit-qr-token": {method: "POST", path: "/units/%UNIT%/qr-token", allowed: vendorAdmin},
		"import-units": {method: "POST", path: "/units/imports", body: func(_ *testutil.Fixture, r policy.Role) any {
			return map[string]any{"filename": "walk.csv", "dry_run": true,
				"content": "serial_number,model,customer_code,site_name,install_date\nWALK-IMP-1,FX-100,customer-one,Plant,2025/3/7\n"}
		}, allowed: vendorAdmin},
	}
}

func fieldMessages(t *testing.T, res *testutil.Response) map[string]string {
	t.Helper()
	var p struct {
		Errors []struct{ Location, Message string }
	}
	res.JSON(t, &p)
	out := map[string]string{}
	for _, e := range p.Errors {
		out[e.Location] = e.Message
	}
	return out
}

func TestInstalledBaseAPI(t *testing.T) {
	onSeeded(t, func(t *testing.T, db *store.DB, app *testutil.App, f *testutil.Fixture) {
		vendor := app.API(t, f.Tokens[policy.VendorAdmin])
		dispatcher := app.API(t, f.Tokens[policy.Dispatcher])

		res := vendor.Do("POST", "/product-models", map[string]any{"code": "hc-cnc-850", "name": "数控加工中心", "name_en": "CNC machining centre",
			"warranty_months": 24, "maintenance_interval_months": 6}, "Idempotency-Key", "model-1")
		if res.Status != 201 || res.Header.Get("ETag") != `"1"` {
			t.Fatalf("create model: %d %s", res.Status, res.Body)
		}
		var model struct {
			ID   int64
			Code string
		}
		res.JSON(t, &model)
		if model.Code != "HC-CNC-850" {
			t.Fatalf("model code %q", model.Code)
		}
		if again := vendor.Do("POST", "/product-models", map[string]any{"code": "hc-cnc-850", "name": "数控加工中心", "name_en": "CNC machining centre",
			"warranty_months": 24, "maintenance_interval_months": 6}, "Idempotency-Key", "model-1"); again.Status != 201 {
			t.Fatalf("repeated create with the same key: %d %s", again.Status, again.Body)
		}

		res = dispatcher.Do("POST", "/sites", map[string]any{"customer_id": f.Customer.ID, "name": "一号厂房", "address": "江苏省苏州市虎丘区科灵路 78 号",
			"division": "320505", "lat": 31.3146, "lng": 120.5434, "contact_name": "刘经理", "contact_phone": "0512-66001234"})
		if res.Status != 201 {
			t.Fatalf("create site: %d %s", res.Status, res.Body)
		}
		var site struct{ ID int64 }
		res.JSON(t, &site)

		// Bad input: 422, every field named where it is.
		res = dispatcher.Do("POST", "/sites", map[string]any{"customer_id": f.Customer.ID, "name": "x", "address": "x", "division": "320000",
			"lat": 120.5, "lng": 31.3, "contact_phone": "12345"})
		locs := fieldMessages(t, res)
		if res.Status != 422 || locs["body.division"] == "" || locs["body.lat"] == "" || locs["body.contact_phone"] == "" {
			t.Fatalf("bad site: %d %s", res.Status, res.Body)
		}
		res = vendor.Do("POST", "/units", map[string]any{"serial_number": "2.02606E+17", "model": "NOPE", "site_id": site.ID, "install_date": "2025/2/30"})
		locs = fieldMessages(t, res)
		if res.Status != 422 || !strings.Contains(locs["body.serial_number"], "scientific notation") || locs["body.model"] == "" || locs["body.install_date"] == "" {
			t.Fatalf("bad unit: %d %s", res.Status, res.Body)
		}
		if res := vendor.Do("POST", "/units", map[string]any{"serial_number": "A\u0000B", "model": "HC-CNC-850", "site_id": site.ID, "install_date": "2025-03-07"}); res.Status != 422 {
			t.Fatalf("NUL in a serial number: %d %s", res.Status, res.Body)
		}

		var unitIDs []int64
		for i, serial := range []string{"HC850-2024-000123", "hc850-2024-000124", "000125"} {
			res = vendor.Do("POST", "/units", map[string]any{"serial_number": serial, "model": "HC-CNC-850", "site_id": site.ID, "install_date": fmt.Sprintf("2025-03-0%d", i+1)})
			if res.Status != 201 {
				t.Fatalf("create unit %s: %d %s", serial, res.Status, res.Body)
			}
			var u struct {
				ID          int64
				WarrantyEnd string `json:"warranty_end"`
				QRPath      string `json:"qr_path"`
				InWarranty  bool   `json:"in_warranty"`
			}
			res.JSON(t, &u)
			if !strings.HasPrefix(u.QRPath, "/q/") || len(u.QRPath) != 55 || u.WarrantyEnd == "" {
				t.Fatalf("unit %s", res.Body)
			}
			unitIDs = append(unitIDs, u.ID)
		}

		// Filters and pages.
		res = dispatcher.Do("GET", "/units?limit=2&model=hc-cnc-850", nil)
		var page struct {
			Items []struct{ ID int64 }
			Next  string
		}
		res.JSON(t, &page)
		if res.Status != 200 || len(page.Items) != 2 || page.Next == "" {
			t.Fatalf("first page: %d %s", res.Status, res.Body)
		}
		res = dispatcher.Do("GET", "/units?limit=2&model=hc-cnc-850&cursor="+page.Next, nil)
		page.Items, page.Next = nil, ""
		res.JSON(t, &page)
		if len(page.Items) != 1 || page.Items[0].ID != unitIDs[2] || page.Next != "" {
			t.Fatalf("second page: %s", res.Body)
		}
		res = dispatcher.Do("GET", "/units?serial=000124", nil)
		page.Items = nil
		res.JSON(t, &page)
		if len(page.Items) != 1 || page.Items[0].ID != unitIDs[1] {
			t.Fatalf("serial search: %s", res.Body)
		}
		if res := dispatcher.Do("GET", "/units?cursor=abc", nil); res.Status != 422 || fieldMessages(t, res)["query.cursor"] == "" {
			t.Fatalf("bad cursor: %d %s", res.Status, res.Body)
		}
		if res := app.API(t, f.Tokens[policy.Customer]).Do("GET", "/units/by-serial?serial=%20hc850-2024-000123", nil); res.Status != 200 {
			t.Fatalf("customer by serial: %d %s", res.Status, res.Body)
		}

		// Changes need If-Match.
		path := fmt.Sprintf("/units/%d", unitIDs[0])
		if res := vendor.Do("PATCH", path, map[string]any{"warranty_end": "2030-01-01"}); res.Status != 428 {
			t.Fatalf("patch without If-Match: %d", res.Status)
		}
		etag := vendor.Do("GET", path, nil).Header.Get("ETag")
		if res := vendor.Do("PATCH", path, map[string]any{"warranty_end": "2030-01-01"}, "If-Match", etag); res.Status != 200 {
			t.Fatalf("patch: %d %s", res.Status, res.Body)
		}
		if res := vendor.Do("PATCH", path, map[string]any{"warranty_end": "2031-01-01"}, "If-Match", etag); res.Status != 412 {
			t.Fatalf("stale patch: %d %s", res.Status, res.Body)
		}
		if res := vendor.Do("PATCH", path, map[string]any{"warranty_end": "2020-01-01"}, "If-Match", etag); res.Status != 412 && res.Status != 422 {
			t.Fatalf("warranty before install: %d %s", res.Status, res.Body)
		}

		// Another tenant sees nothing of it.
		other := app.API(t, f.OtherToken)
		for _, p := range []string{path, fmt.Sprintf("/sites/%d", site.ID), fmt.Sprintf("/product-models/%d", model.ID), "/units/by-serial?serial=HC850-2024-000123"} {
			if res := other.Do("GET", p, nil); res.Status != 404 {
				t.Errorf("another vendor GET %s: %d %s", p, res.Status, res.Body)
			}
		}
		for _, p := range []string{"/units", "/sites", "/product-models"} {
			if res := other.Do("GET", p, nil); res.Status != 200 || strings.Contains(string(res.Body), `"id"`) {
				t.Errorf("another vendor lists %s: %d %s", p, res.Status, res.Body)
			}
		}
	})
}

func TestUnitImportAPI(t *testing.T) {
	onServing(t, func(t *testing.T, db *store.DB, app *testutil.App, f *testutil.Fixture, _ testutil.ServiceFixture) {
		vendor := app.API(t, f.Tokens[policy.VendorAdmin])
		csv := "序列号,型号,客户代码,站点名称,安装日期\nIMP-1,FX-100,customer-one,Plant,2025/3/7\nIMP-2,FX-100,customer-one,Plant,2025/3/8\n"
		gbk, _ := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(csv))
		body := map[string]any{"filename": "units.csv", "content": base64.StdEncoding.EncodeToString(gbk), "content_encoding": "base64", "dry_run": true}
		res := vendor.Do("POST", "/units/imports", body)
		var rep struct {
			Rows     int
			Imported int
			Encoding string
			Errors   []struct{ Line int }
		}
		res.JSON(t, &rep)
		if res.Status != 200 || rep.Rows != 2 || rep.Imported != 0 || rep.Encoding != "gbk" {
			t.Fatalf("dry run: %d %s", res.Status, res.Body)
		}
		if res := vendor.Do("GET", "/units?serial=IMP-", nil); strings.Contains(string(res.Body), "IMP-1") {
			t.Fatal("the dry run imported")
		}
		bad := map[string]any{"filename": "bad.csv", "content": csv + "IMP-1,FX-100,customer-one,Plant,2025/3/9\n"}
		res = vendor.Do("POST", "/units/imports", bad)
		if res.Status != 422 || !strings.Contains(fieldMessages(t, res)["body.content.line_4.serial_number"], "duplicate of line 2") {
			t.Fatalf("a file with a bad row: %d %s", res.Status, res.Body)
		}
		if res := vendor.Do("GET", "/units?serial=IMP-", nil); strings.Contains(string(res.Body), "IMP-1") {
			t.Fatal("a file with a bad row imported some units")
		}
		body["dry_run"] = false
		res = vendor.Do("POST", "/units/imports", body)
		rep.Imported = 0
		res.JSON(t, &rep)
		if res.Status != 201 || rep.Imported != 2 {
			t.Fatalf("import: %d %s", res.Status, res.Body)
		}
		if res := vendor.Do("POST", "/units/imports", map[string]any{"filename": "x", "content": "%%%", "content_encoding": "base64"}); res.Status != 422 {
			t.Fatalf("bad base64: %d %s", res.Status, res.Body)
		}
	})
}
