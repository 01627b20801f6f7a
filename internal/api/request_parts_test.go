package api_test

import (
	"fmt"
	"strings"
	"testing"

	"aftersales/internal/parts"
	"aftersales/internal/policy"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// A request's needed parts through the API: a bad list is refused naming
// the field and saves nothing; a good one is answered with the parts'
// numbers and read back.
func TestRequestNeededPartsAPI(t *testing.T) {
	onServing(t, func(t *testing.T, db *store.DB, app *testutil.App, f *testutil.Fixture, _ testutil.ServiceFixture) {
		a := testutil.Services(t, db)
		bearing, err := a.Parts.Create(t.Context(), f.Users[policy.VendorAdmin].Actor(), parts.Input{PartNumber: "SP-100", Name: "主轴轴承", Kind: parts.Genuine, UnitCostFen: 128000})
		if err != nil {
			t.Fatal(err)
		}
		api := app.API(t, f.Tokens[policy.Dispatcher])
		reqID := fileRepair(t, api, "general", "主轴异响")
		path := fmt.Sprintf("/service-requests/%d/parts", reqID)
		res := api.Do("PUT", path, map[string]any{"parts": []any{map[string]any{"part_id": bearing.ID, "qty": 1}, map[string]any{"part_id": 999999, "qty": 1}}})
		if res.Status != 422 || !strings.Contains(string(res.Body), "body.parts[1].part_id") {
			t.Fatalf("an unknown part: %d %s", res.Status, res.Body)
		}
		res = api.Do("PUT", path, map[string]any{"parts": []any{map[string]any{"part_id": bearing.ID, "qty": 3}}})
		if res.Status != 200 || !strings.Contains(string(res.Body), `"part_number":"SP-100"`) {
			t.Fatalf("set: %d %s", res.Status, res.Body)
		}
		var got struct {
			Parts []struct {
				PartID int64 `json:"part_id"`
				Qty    int   `json:"qty"`
			}
		}
		res = api.Do("GET", path, nil)
		res.JSON(t, &got)
		if len(got.Parts) != 1 || got.Parts[0].PartID != bearing.ID || got.Parts[0].Qty != 3 {
			t.Fatalf("read back: %s", res.Body)
		}
	})
}
