package api_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"aftersales/internal/policy"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// A draft may be saved half filled in, as docs/AGREEMENTS.md says: the API
// takes a body with only some terms (or none), answers every field of the
// terms, and refuses only activation, naming what is still missing.
func TestHalfFilledDraftAgreement(t *testing.T) {
	onSeeded(t, func(t *testing.T, db *store.DB, app *testutil.App, f *testutil.Fixture) {
		vendor := app.API(t, f.Tokens[policy.VendorAdmin])
		half := map[string]any{"provider_id": f.Provider.ID, "number": "HALF-1",
			"terms": map[string]any{"term": map[string]any{"start": "2026-01-01"}, "covered_models": []string{"HC-CNC-850"},
				"emergency": map[string]any{"onsite_hours": 8}}}
		res := vendor.Do("POST", "/agreements", half)
		if res.Status != 201 {
			t.Fatalf("half-filled draft: %d %s", res.Status, res.Body)
		}
		var a struct {
			ID      int64
			Status  string
			Current *struct {
				Terms map[string]any
			}
			Versions []struct {
				Terms map[string]any
			}
		}
		res.JSON(t, &a)
		if a.Status != "draft" {
			t.Fatalf("status %q", a.Status)
		}
		if res := vendor.Do("POST", "/agreements", map[string]any{"provider_id": f.Provider.ID, "number": "EMPTY-1", "effective_from": "2026-01-01"}); res.Status != 201 {
			t.Fatalf("a draft without terms: %d %s", res.Status, res.Body)
		}
		// Malformed values are still refused, by name.
		bad := map[string]any{"provider_id": f.Provider.ID, "number": "HALF-2", "terms": map[string]any{"term": map[string]any{"start": "2026-02-30"}}}
		if locs := locations(problemOf(t, vendor.Do("POST", "/agreements", bad), 422, "validation")); !slices.Contains(locs, "body.terms.term.start") {
			t.Fatalf("a bad date: %v", locs)
		}
		// Activation names what is missing.
		p := problemOf(t, vendor.Do("POST", fmt.Sprintf("/agreements/%d/status", a.ID), map[string]any{"status": "active"}, "If-Match", `"1"`), 409, "conflict")
		detail, _ := p["detail"].(string)
		for _, want := range []string{"terms.service_items", "terms.general.response_working_days", "terms.emergency.response_hours"} {
			if !strings.Contains(detail, want) {
				t.Errorf("activation does not name %s: %s", want, detail)
			}
		}
	})
}
