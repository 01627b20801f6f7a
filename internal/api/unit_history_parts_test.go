package api_test

import (
	"fmt"
	"testing"

	"aftersales/internal/demo"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// The unit's history in the API carries the parts fitted on each visit,
// as the unit's page shows them.
func TestUnitHistoryCarriesTheParts(t *testing.T) {
	t.Parallel()
	testutil.DemoEngines(t, func(t *testing.T, db *store.DB) {
		vendor := demoClient(t, db, testutil.NewApp(t, db), "admin@haichuan.example")
		unitID := scalar[int64](t, db, `SELECT id FROM units WHERE serial_number = ?`, "HC850-2025-000881")
		var h struct {
			Items []struct {
				Visits []struct {
					Parts []struct {
						PartNumber    string `json:"part_number"`
						Quantity      int64  `json:"quantity"`
						SerialRemoved string `json:"serial_removed"`
					} `json:"parts"`
				} `json:"visits"`
			} `json:"items"`
		}
		res := vendor.Do("GET", fmt.Sprintf("/units/%d/history", unitID), nil)
		if res.Status != 200 {
			t.Fatalf("history: %d %s", res.Status, res.Body)
		}
		res.JSON(t, &h)
		if len(h.Items) == 0 || len(h.Items[0].Visits) == 0 {
			t.Fatalf("no visit in the history: %s", res.Body)
		}
		parts := h.Items[0].Visits[0].Parts
		if len(parts) != 2 || parts[0].PartNumber != demo.PartBearing {
			t.Fatalf("parts of the demo's visit (two bearing sets): %s", res.Body)
		}
	})
}
