package api_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"aftersales/internal/policy"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

func init() {
	for _, id := range []string{"set-part-models", "approve-part", "revoke-part", "ship-part-return", "receive-part-return", "credit-part-return"} {
		postWithIfMatch[id] = true
	}
}

// partsWorld is what the parts walk needs, made once per app: a genuine
// part that fits FX-100 and must be returned, the provider's store and the
// fixture technician's van, both stocked.
type partsWorld struct {
	part, store, van, warehouse int64
}

var (
	partsWorlds   = map[*store.DB]*partsWorld{}
	partsWorldsMu sync.Mutex
	// walkParts is the world of the app each walk runs on, by fixture, for bodies.
	walkParts sync.Map // *testutil.Fixture → *partsWorld
)

func ok(t *testing.T, res *testutil.Response, what string) map[string]any {
	t.Helper()
	if res.Status < 200 || res.Status > 299 {
		t.Fatalf("%s: %d %s", what, res.Status, res.Body)
	}
	return res.Map(t)
}

func id(m map[string]any) int64 { return int64(m["id"].(float64)) }

func partsWorldOf(t *testing.T, app *testutil.App, f *testutil.Fixture) *partsWorld {
	t.Helper()
	partsWorldsMu.Lock()
	defer partsWorldsMu.Unlock()
	if w := partsWorlds[app.DB]; w != nil {
		return w
	}
	vendor, admin := app.API(t, f.Tokens[policy.VendorAdmin]), app.API(t, f.Tokens[policy.ProviderAdmin])
	model := scalar[int64](t, app.DB, `SELECT id FROM product_models WHERE code = 'FX-100'`)
	w := &partsWorld{}
	w.part = id(ok(t, vendor.Do("POST", "/parts", map[string]any{"part_number": "WALK-SP-1", "name": "主轴轴承", "kind": "genuine",
		"unit_cost_fen": 128000, "return_required": true, "model_ids": []int64{model}}), "part"))
	w.warehouse = id(ok(t, vendor.Do("POST", "/stock-locations", map[string]any{"kind": "warehouse", "name": "Walk warehouse"}), "warehouse"))
	w.store = id(ok(t, admin.Do("POST", "/stock-locations", map[string]any{"kind": "store", "name": "Walk store"}), "store"))
	w.van = id(ok(t, admin.Do("POST", "/stock-locations", map[string]any{"kind": "van", "name": "Walk van", "technician_id": f.Users[policy.Technician].ID}), "van"))
	for _, l := range []int64{w.store, w.van} {
		ok(t, admin.Do("POST", "/stock-movements", map[string]any{"kind": "receive", "part_id": w.part, "to_location_id": l, "qty": 10000}), "receive")
	}
	partsWorlds[app.DB] = w
	return w
}

// freshOnSiteVisit files a request, assigns the fixture technician and checks in.
func freshOnSiteVisit(t *testing.T, app *testutil.App, f *testutil.Fixture) int64 {
	t.Helper()
	dispatcher := app.API(t, f.Tokens[policy.Dispatcher])
	req := id(ok(t, dispatcher.Do("POST", "/service-requests", map[string]any{"serial_number": "FX100-0001", "service_item": "repair", "priority": "general", "description": "walk"}), "request"))
	return onSiteVisit(t, app, f, req)
}

// withParts fills the parts placeholders: %PART%, %STORE%, %WO_ONSITE% (a
// fresh visit on site), %APPROVED% (a fresh approved part), %RETURN%,
// %RETURN_SHIPPED%, %RETURN_RECEIVED% (fresh returns in those states).
func withParts(t *testing.T, app *testutil.App, f *testutil.Fixture, path string) string {
	t.Helper()
	w := partsWorldOf(t, app, f)
	walkParts.Store(f, w)
	vendor := app.API(t, f.Tokens[policy.VendorAdmin])
	path = strings.NewReplacer("%PART%", fmt.Sprint(w.part), "%STORE%", fmt.Sprint(w.store)).Replace(path)
	if strings.Contains(path, "%WO_ONSITE%") {
		path = strings.ReplaceAll(path, "%WO_ONSITE%", fmt.Sprint(freshOnSiteVisit(t, app, f)))
	}
	if strings.Contains(path, "%APPROVED%") {
		p := ok(t, vendor.Do("POST", "/parts", map[string]any{"part_number": fmt.Sprintf("WALK-AP-%d", randomish()), "name": "认可件",
			"kind": "approved", "unit_cost_fen": 100}), "approved part")
		ok(t, vendor.Do("POST", fmt.Sprintf("/parts/%d/approve", id(p)), map[string]any{}, "If-Match", `"1"`), "approve")
		path = strings.ReplaceAll(path, "%APPROVED%", fmt.Sprint(id(p)))
	}
	for _, c := range []struct {
		placeholder string
		steps       int
	}{{"%RETURN_RECEIVED%", 2}, {"%RETURN_SHIPPED%", 1}, {"%RETURN%", 0}} {
		if !strings.Contains(path, c.placeholder) {
			continue
		}
		wo := freshOnSiteVisit(t, app, f)
		c1 := ok(t, app.API(t, f.Tokens[policy.Technician]).Do("POST", fmt.Sprintf("/work-orders/%d/parts", wo), map[string]any{
			"location_id": w.van, "part_id": w.part, "qty": 1}), "consume")
		ret := id(c1["return"].(map[string]any))
		if c.steps >= 1 {
			ok(t, app.API(t, f.Tokens[policy.Dispatcher]).Do("POST", fmt.Sprintf("/part-returns/%d/ship", ret), map[string]any{"carrier": "SF", "tracking_number": "SF1"}, "If-Match", `"1"`), "ship")
		}
		if c.steps >= 2 {
			ok(t, vendor.Do("POST", fmt.Sprintf("/part-returns/%d/receive", ret), nil, "If-Match", `"2"`), "receive")
		}
		path = strings.ReplaceAll(path, c.placeholder, fmt.Sprint(ret))
	}
	return path
}

var counter int64
var counterMu sync.Mutex

func randomish() int64 {
	counterMu.Lock()
	defer counterMu.Unlock()
	counter++
	return counter
}

// walkWorld is the parts world of the walk on fixture f.
func walkWorld(f *testutil.Fixture) *partsWorld {
	w, _ := walkParts.Load(f)
	return w.(*partsWorld)
}

// partsWalk are the parts and stock operations of the authorization walk.
func partsWalk() map[string]walkCase {
	vendorAdmin := []policy.Role{policy.VendorAdmin}
	partReaders := []policy.Role{policy.VendorAdmin, policy.VendorAuditor, policy.ProviderAdmin, policy.Dispatcher, policy.Technician}
	storeReaders := []policy.Role{policy.ProviderAdmin, policy.Dispatcher}
	returnReaders := []policy.Role{policy.VendorAdmin, policy.VendorAuditor, policy.ProviderAdmin, policy.Dispatcher}
	slug := func(r policy.Role) string { return strings.ToUpper(strings.ReplaceAll(string(r), "_", "-")) }
	return map[string]walkCase{
		"list-parts": {method: "GET", path: "/parts", allowed: partReaders},
		"get-part":   {method: "GET", path: "/parts/%PART%", allowed: partReaders},
		"create-part": {method: "POST", path: "/parts", body: func(_ *testutil.Fixture, r policy.Role) any {
			return map[string]any{"part_number": "WALK-NEW-" + slug(r), "name": "新配件", "kind": "genuine", "unit_cost_fen": 100}
		}, allowed: vendorAdmin},
		"update-part": {method: "PATCH", path: "/parts/%PART%", body: func(*testutil.Fixture, policy.Role) any {
			return map[string]any{"unit_cost_fen": 129000}
		}, allowed: vendorAdmin},
		"set-part-models": {method: "PUT", path: "/parts/%APPROVED%/models", body: func(*testutil.Fixture, policy.Role) any {
			return map[string]any{"model_ids": []int64{}}
		}, allowed: vendorAdmin},
		"approve-part": {method: "POST", path: "/parts/%APPROVED%/approve", body: func(*testutil.Fixture, policy.Role) any {
			return map[string]any{"until": today(90)}
		}, allowed: vendorAdmin},
		"revoke-part":          {method: "POST", path: "/parts/%APPROVED%/revoke", allowed: vendorAdmin},
		"list-stock-locations": {method: "GET", path: "/stock-locations", allowed: partReaders},
		"create-stock-location": {method: "POST", path: "/stock-locations", body: func(_ *testutil.Fixture, r policy.Role) any {
			kind := "store"
			if r.OrgKind() == "vendor" {
				kind = "warehouse"
			}
			return map[string]any{"kind": kind, "name": "Walk new " + string(r)}
		}, allowed: admins},
		"get-stock-location": {method: "GET", path: "/stock-locations/%STORE%", allowed: storeReaders},
		"update-stock-location": {method: "PATCH", path: "/stock-locations/%STORE%", body: func(*testutil.Fixture, policy.Role) any {
			return map[string]any{"allow_negative": false}
		}, allowed: []policy.Role{policy.ProviderAdmin}},
		"list-stock-on-hand": {method: "GET", path: "/stock-locations/%STORE%/on-hand", allowed: storeReaders},
		"list-stock-ledger":  {method: "GET", path: "/stock-locations/%STORE%/ledger", allowed: storeReaders},
		"set-safety-stock": {method: "POST", path: "/stock-locations/%STORE%/safety-stock", body: func(f *testutil.Fixture, _ policy.Role) any {
			return map[string]any{"part_id": walkWorld(f).part, "qty": 2}
		}, allowed: []policy.Role{policy.ProviderAdmin}},
		"list-below-safety-stock": {method: "GET", path: "/stock/below-safety", allowed: partReaders},
		"create-stock-movement": {method: "POST", path: "/stock-movements", body: func(f *testutil.Fixture, r policy.Role) any {
			to := walkWorld(f).store
			if r.OrgKind() == "vendor" {
				to = walkWorld(f).warehouse
			}
			return map[string]any{"kind": "receive", "part_id": walkWorld(f).part, "to_location_id": to, "qty": 1}
		}, allowed: []policy.Role{policy.VendorAdmin, policy.ProviderAdmin, policy.Dispatcher}},
		"consume-part": {method: "POST", path: "/work-orders/%WO_ONSITE%/parts", body: func(f *testutil.Fixture, _ policy.Role) any {
			return map[string]any{"location_id": walkWorld(f).van, "part_id": walkWorld(f).part, "qty": 1}
		}, allowed: []policy.Role{policy.ProviderAdmin, policy.Dispatcher, policy.Technician}},
		"list-work-order-parts": {method: "GET", path: "/work-orders/%WO_ONSITE%/parts", allowed: partReaders},
		"list-part-returns":     {method: "GET", path: "/part-returns", allowed: returnReaders},
		"get-part-return":       {method: "GET", path: "/part-returns/%RETURN%", allowed: returnReaders},
		"ship-part-return": {method: "POST", path: "/part-returns/%RETURN%/ship", body: func(*testutil.Fixture, policy.Role) any {
			return map[string]any{"carrier": "顺丰速运", "tracking_number": "SF1234567890"}
		}, allowed: []policy.Role{policy.ProviderAdmin, policy.Dispatcher}},
		"receive-part-return": {method: "POST", path: "/part-returns/%RETURN_SHIPPED%/receive", allowed: vendorAdmin},
		"credit-part-return": {method: "POST", path: "/part-returns/%RETURN_RECEIVED%/credit", body: func(*testutil.Fixture, policy.Role) any {
			return map[string]any{"credit_fen": 100000}
		}, allowed: vendorAdmin},
	}
}

func TestPartsAPI(t *testing.T) {
	onServing(t, func(t *testing.T, db *store.DB, app *testutil.App, f *testutil.Fixture, _ testutil.ServiceFixture) {
		w := partsWorldOf(t, app, f)
		vendor, tech := app.API(t, f.Tokens[policy.VendorAdmin]), app.API(t, f.Tokens[policy.Technician])

		// Bad input: every field named.
		res := vendor.Do("POST", "/parts", map[string]any{"part_number": "坏 号", "name": " ", "kind": "genuine", "unit_cost_fen": 1})
		if res.Status != 422 {
			t.Fatalf("bad part: %d %s", res.Status, res.Body)
		}
		if m := fieldMessages(t, res); m["body.part_number"] == "" || m["body.name"] == "" {
			t.Errorf("fields not named: %s", res.Body)
		}
		if res := vendor.Do("POST", "/parts", map[string]any{"part_number": "walk-sp-1", "name": "dup", "kind": "genuine", "unit_cost_fen": 1}); res.Status != 422 {
			t.Errorf("duplicate part number: %d %s", res.Status, res.Body)
		}

		// An approved part not yet approved is refused with its reason; once approved it is fitted.
		model := scalar[int64](t, db, `SELECT id FROM product_models WHERE code = 'FX-100'`)
		p := ok(t, vendor.Do("POST", "/parts", map[string]any{"part_number": "AP-FLT", "name": "认可滤芯", "kind": "approved", "unit_cost_fen": 3500, "model_ids": []int64{model}}), "part")
		if p["approval"] != "none" {
			t.Errorf("new approved part: %v", p["approval"])
		}
		ok(t, app.API(t, f.Tokens[policy.ProviderAdmin]).Do("POST", "/stock-movements", map[string]any{"kind": "receive", "part_id": id(p), "to_location_id": w.van, "qty": 2}), "receive")
		wo := freshOnSiteVisit(t, app, f)
		res = tech.Do("POST", fmt.Sprintf("/work-orders/%d/parts", wo), map[string]any{"location_id": w.van, "part_id": id(p), "qty": 1})
		m := res.Map(t)
		if res.Status != 422 || m["type"] != "/problems/part-refused" || m["reason"] != "part_not_approved" {
			t.Fatalf("unapproved part: %d %s", res.Status, res.Body)
		}
		if res := vendor.Do("POST", fmt.Sprintf("/parts/%d/approve", id(p)), map[string]any{"until": "2020-01-01"}, "If-Match", `"1"`); res.Status != 422 {
			t.Errorf("approval ending in the past: %d %s", res.Status, res.Body)
		}
		ap := ok(t, vendor.Do("POST", fmt.Sprintf("/parts/%d/approve", id(p)), map[string]any{"until": today(30)}, "If-Match", `"1"`), "approve")
		if ap["approval"] != "valid" || ap["approved_by_label"] != "vendor_admin@one.example" {
			t.Errorf("approved: %v", ap)
		}
		ok(t, tech.Do("POST", fmt.Sprintf("/work-orders/%d/parts", wo), map[string]any{"location_id": w.van, "part_id": id(p), "qty": 1}), "consume")
		res = tech.Do("POST", fmt.Sprintf("/work-orders/%d/parts", wo), map[string]any{"location_id": w.van, "part_id": id(p), "qty": 5})
		if m := res.Map(t); m["reason"] != "insufficient_stock" {
			t.Errorf("too many: %d %s", res.Status, res.Body)
		}
		var used struct {
			Items []struct {
				PartNumber string `json:"part_number"`
			}
		}
		res = tech.Do("GET", fmt.Sprintf("/work-orders/%d/parts", wo), nil)
		res.JSON(t, &used)
		if len(used.Items) != 1 || used.Items[0].PartNumber != "AP-FLT" {
			t.Errorf("used parts: %s", res.Body)
		}
	})
}
