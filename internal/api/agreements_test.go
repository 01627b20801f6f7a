package api_test

import (
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"aftersales/internal/agreement"
	"aftersales/internal/calendar"
	"aftersales/internal/policy"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

var (
	agreementReaders  = []policy.Role{policy.VendorAdmin, policy.VendorAuditor, policy.ProviderAdmin, policy.Dispatcher, policy.Technician}
	adjustmentReaders = []policy.Role{policy.VendorAdmin, policy.VendorAuditor, policy.ProviderAdmin}
	// postWithIfMatch are the POST operations that change an existing
	// resource and so require If-Match.
	postWithIfMatch = map[string]bool{"create-agreement-version": true, "change-agreement-status": true,
		"act-on-service-request": true, "answer-consultation": true, "record-field-step": true}
)

// today is the date in Shanghai, plus days.
func today(days int) string { return agreement.AddDays(calendar.LocalDate(time.Now()), days) }

func agreementTerms() map[string]any {
	return map[string]any{
		"term":                            map[string]any{"start": "2026-01-01", "end": "2099-12-31", "auto_renew": false},
		"covered_models":                  []string{"HC-CNC-850", "HC-LASER-3015"},
		"service_area":                    []string{"32", "33", "31"},
		"service_items":                   []string{"repair", "maintenance", "consultation", "part_replacement"},
		"emergency":                       map[string]any{"response_hours": 2, "onsite_hours": 8, "calendar_id": "cn"},
		"general":                         map[string]any{"response_working_days": 2, "calendar_id": "cn"},
		"satisfaction_threshold_permille": 900,
		"record_retention_months":         36,
		"payment":                         map[string]any{"settlement_period": "monthly", "payment_due_days": 30},
		"adjustment_lead_days":            30,
	}
}

func agreementBody(f *testutil.Fixture, number string) map[string]any {
	return map[string]any{"provider_id": f.Provider.ID, "number": number, "terms": agreementTerms()}
}

type agreementJSON struct {
	ID      int64
	Status  string
	Latest  int `json:"latest_version"`
	Current *struct {
		Version int
		Terms   struct {
			Emergency struct {
				OnsiteHours int `json:"onsite_hours"`
			}
		}
	}
}

var agreementSeq atomic.Int64

// newActiveAgreement creates and activates an agreement through the API.
func newActiveAgreement(t *testing.T, app *testutil.App, f *testutil.Fixture) int64 {
	t.Helper()
	seq := agreementSeq.Add(1)
	cl := app.API(t, f.Tokens[policy.VendorAdmin])
	res := cl.Do("POST", "/agreements", agreementBody(f, fmt.Sprintf("T-%d", seq)))
	if res.Status != 201 {
		t.Fatalf("create agreement: %d %s", res.Status, res.Body)
	}
	var a agreementJSON
	res.JSON(t, &a)
	res = cl.Do("POST", fmt.Sprintf("/agreements/%d/status", a.ID), map[string]any{"status": "active"}, "If-Match", res.Header.Get("ETag"))
	if res.Status != 200 {
		t.Fatalf("activate: %d %s", res.Status, res.Body)
	}
	return a.ID
}

// withAgreements replaces %AGREEMENT% and %ADJUSTMENT% in path with fresh ones.
func withAgreements(t *testing.T, app *testutil.App, f *testutil.Fixture, path string) string {
	t.Helper()
	if strings.Contains(path, "%AGREEMENT%") {
		path = strings.ReplaceAll(path, "%AGREEMENT%", fmt.Sprint(newActiveAgreement(t, app, f)))
	}
	if strings.Contains(path, "%ADJUSTMENT%") {
		id := newActiveAgreement(t, app, f)
		res := app.API(t, f.Tokens[policy.ProviderAdmin]).Do("POST", fmt.Sprintf("/agreements/%d/adjustments", id), map[string]any{
			"changes": map[string]any{"emergency": map[string]any{"onsite_hours": 12}}, "reason": "longer travel", "effective_from": today(30)})
		if res.Status != 201 {
			t.Fatalf("propose: %d %s", res.Status, res.Body)
		}
		var adj struct{ ID int64 }
		res.JSON(t, &adj)
		path = strings.ReplaceAll(path, "%ADJUSTMENT%", fmt.Sprint(adj.ID))
	}
	return path
}

func TestAgreementLifecycle(t *testing.T) {
	onSeeded(t, func(t *testing.T, db *store.DB, app *testutil.App, f *testutil.Fixture) {
		vendor := app.API(t, f.Tokens[policy.VendorAdmin])
		provider := app.API(t, f.Tokens[policy.ProviderAdmin])

		body := agreementBody(f, "HC-HX-2026-001")
		first := vendor.Do("POST", "/agreements", body, "Idempotency-Key", "agr-1")
		if first.Status != 201 || first.Header.Get("ETag") != `"1"` {
			t.Fatalf("create: %d %s", first.Status, first.Body)
		}
		again := vendor.Do("POST", "/agreements", body, "Idempotency-Key", "agr-1")
		if again.Status != 201 || string(again.Body) != string(first.Body) {
			t.Fatalf("replay: %d %s", again.Status, again.Body)
		}
		if n := countRows(t, db, "agreements"); n != 1 {
			t.Fatalf("%d agreements after a replayed create", n)
		}
		problemOf(t, vendor.Do("POST", "/agreements", body), 422, "validation")
		var a agreementJSON
		first.JSON(t, &a)
		if a.Status != "draft" || a.Latest != 1 {
			t.Fatalf("new agreement: %+v", a)
		}
		base := fmt.Sprintf("/agreements/%d", a.ID)

		// Activation needs the current ETag.
		problemOf(t, vendor.Do("POST", base+"/status", map[string]any{"status": "active"}), 428, "precondition-required")
		problemOf(t, vendor.Do("POST", base+"/status", map[string]any{"status": "active"}, "If-Match", `"7"`), 412, "precondition-failed")
		problemOf(t, provider.Do("POST", base+"/status", map[string]any{"status": "active"}, "If-Match", `"1"`), 403, "forbidden")
		res := vendor.Do("POST", base+"/status", map[string]any{"status": "active"}, "If-Match", `"1"`)
		if res.Status != 200 || res.Header.Get("ETag") != `"2"` {
			t.Fatalf("activate: %d %s", res.Status, res.Body)
		}

		// A new version, effective today.
		terms := agreementTerms()
		terms["emergency"] = map[string]any{"response_hours": 2, "onsite_hours": 6, "calendar_id": "24x7"}
		add := map[string]any{"terms": terms, "effective_from": today(0), "note": "amendment 1"}
		problemOf(t, vendor.Do("POST", base+"/versions", add), 428, "precondition-required")
		problemOf(t, vendor.Do("POST", base+"/versions", add, "If-Match", `"1"`), 412, "precondition-failed")
		past := map[string]any{"terms": terms, "effective_from": today(-1)}
		p := problemOf(t, vendor.Do("POST", base+"/versions", past, "If-Match", `"2"`), 422, "validation")
		if locs := locations(p); len(locs) != 1 || locs[0] != "body.effective_from" {
			t.Fatalf("past version: %v", locs)
		}
		if res := vendor.Do("POST", base+"/versions", add, "If-Match", `"2"`); res.Status != 201 {
			t.Fatalf("add version: %d %s", res.Status, res.Body)
		}
		var got agreementJSON
		vendor.Do("GET", base, nil).JSON(t, &got)
		if got.Current == nil || got.Current.Version != 2 || got.Current.Terms.Emergency.OnsiteHours != 6 {
			t.Fatalf("version in force: %+v", got.Current)
		}
		var diff struct {
			Changes []struct {
				Field, Kind string
				From, To    any
			}
		}
		app.API(t, f.Tokens[policy.Technician]).Do("GET", base+"/diff?from=1&to=2", nil).JSON(t, &diff)
		if len(diff.Changes) != 2 || diff.Changes[0].Field != "emergency.onsite_hours" || diff.Changes[1].To != "24x7" {
			t.Fatalf("diff: %+v", diff)
		}

		// The provider proposes; the lead time is named when the date is too early.
		proposal := map[string]any{"changes": map[string]any{"general": map[string]any{"response_working_days": 3}},
			"reason": "staff shortage in winter", "effective_from": today(29)}
		p = problemOf(t, provider.Do("POST", base+"/adjustments", proposal), 422, "validation")
		if !strings.Contains(string(vendor.Do("GET", base, nil).Body), `"latest_version":2`) ||
			!strings.Contains(fmt.Sprint(p["errors"]), "lead time is 30 days") || locations(p)[0] != "body.effective_from" {
			t.Fatalf("early proposal: %v", p)
		}
		proposal["effective_from"] = today(30)
		res = provider.Do("POST", base+"/adjustments", proposal, "Idempotency-Key", "adj-1")
		if res.Status != 201 {
			t.Fatalf("propose: %d %s", res.Status, res.Body)
		}
		var adj struct {
			ID            int64
			State         string
			Result        *int    `json:"result_version"`
			EffectiveFrom *string `json:"effective_from"`
		}
		res.JSON(t, &adj)
		problemOf(t, provider.Do("POST", fmt.Sprintf("/adjustments/%d/accept", adj.ID), nil), 403, "forbidden")
		problemOf(t, vendor.Do("POST", fmt.Sprintf("/adjustments/%d/reject", adj.ID), map[string]any{}), 422, "validation")
		res = vendor.Do("POST", fmt.Sprintf("/adjustments/%d/accept", adj.ID), map[string]any{"comment": "agreed"})
		res.JSON(t, &adj)
		if res.Status != 200 || adj.State != "accepted" || *adj.Result != 3 || *adj.EffectiveFrom != today(30) {
			t.Fatalf("accept: %d %s", res.Status, res.Body)
		}
		problemOf(t, vendor.Do("POST", fmt.Sprintf("/adjustments/%d/accept", adj.ID), nil), 409, "conflict")

		// Either party suspends; the suspending party resumes.
		etag := vendor.Do("GET", base, nil).Header.Get("ETag")
		res = provider.Do("POST", base+"/status", map[string]any{"status": "suspended", "reason": "invoice overdue"}, "If-Match", etag)
		if res.Status != 200 || !strings.Contains(string(res.Body), `"status":"suspended"`) {
			t.Fatalf("suspend: %d %s", res.Status, res.Body)
		}
		problemOf(t, vendor.Do("POST", base+"/status", map[string]any{"status": "active", "reason": "paid"}, "If-Match", res.Header.Get("ETag")), 403, "forbidden")
		problemOf(t, vendor.Do("POST", base+"/status", map[string]any{"status": "suspended", "reason": "again"}, "If-Match", res.Header.Get("ETag")), 409, "conflict")
		var events struct{ Items []struct{ To, Reason string } }
		app.API(t, f.Tokens[policy.VendorAuditor]).Do("GET", base+"/status-events", nil).JSON(t, &events)
		if len(events.Items) != 2 || events.Items[1].Reason != "invoice overdue" {
			t.Fatalf("events: %+v", events)
		}
	})
}

func TestAgreementBadInput(t *testing.T) {
	onSeeded(t, func(t *testing.T, db *store.DB, app *testutil.App, f *testutil.Fixture) {
		vendor := app.API(t, f.Tokens[policy.VendorAdmin])
		id := newActiveAgreement(t, app, f)
		with := func(edit func(terms map[string]any)) map[string]any {
			b := agreementBody(f, "BAD-1")
			edit(b["terms"].(map[string]any))
			return b
		}
		before := rowCounts(t, db, "agreements", "audit_events")
		cases := []struct {
			name, method, path string
			body               any
			status             int
			locations          []string
		}{
			{"unknown division codes", "POST", "/agreements", with(func(m map[string]any) { m["service_area"] = []string{"32", "3205", "81", "99", "320500"} }),
				422, []string{"body.terms.service_area[1]", "body.terms.service_area[2]", "body.terms.service_area[3]", "body.terms.service_area[4]"}},
			{"number as a number", "POST", "/agreements", map[string]any{"provider_id": f.Provider.ID, "number": 7, "terms": agreementTerms()}, 422, []string{"body.number"}},
			{"unknown term field", "POST", "/agreements", with(func(m map[string]any) { m["fees"] = 10 }), 422, []string{"body.terms.fees"}},
			{"nul in a model", "POST", "/agreements", with(func(m map[string]any) { m["covered_models"] = []string{"A\u0000B"} }), 422, []string{"body.terms.covered_models[0]"}},
			{"bad dates", "POST", "/agreements", with(func(m map[string]any) {
				m["term"] = map[string]any{"start": "2026-02-30", "end": "soon", "auto_renew": false}
			}),
				422, []string{"body.terms.term.start", "body.terms.term.end", "body.effective_from"}},
			{"someone else's provider", "POST", "/agreements", map[string]any{"provider_id": f.OtherProvider.ID, "number": "X", "terms": agreementTerms()}, 422, []string{"body.provider_id"}},
			{"a customer as provider", "POST", "/agreements", map[string]any{"provider_id": f.Customer.ID, "number": "X", "terms": agreementTerms()}, 422, []string{"body.provider_id"}},
			{"clocks", "POST", "/agreements", with(func(m map[string]any) {
				m["emergency"] = map[string]any{"response_hours": 8, "onsite_hours": 4, "calendar_id": "CN!"}
				m["satisfaction_threshold_permille"] = 1200
			}), 422, []string{"body.terms.emergency.onsite_hours", "body.terms.emergency.calendar_id", "body.terms.satisfaction_threshold_permille"}},
			{"unknown calendar", "POST", "/agreements", with(func(m map[string]any) {
				m["general"] = map[string]any{"response_working_days": 2, "calendar_id": "mars-office"}
			}), 422, []string{"body.terms.general.calendar_id"}},
			{"diff of a missing version", "GET", fmt.Sprintf("/agreements/%d/diff?from=1&to=9", id), nil, 422, []string{"query.to"}},
			{"diff without versions", "GET", fmt.Sprintf("/agreements/%d/diff?from=0", id), nil, 422, []string{"query.from", "query.to"}},
			{"unknown status", "POST", fmt.Sprintf("/agreements/%d/status", id), map[string]any{"status": "paused", "reason": "x"}, 422, []string{"body.status"}},
			{"suspension without reason", "POST", fmt.Sprintf("/agreements/%d/status", id), map[string]any{"status": "suspended"}, 422, []string{"body.reason"}},
			{"unknown field in changes", "POST", fmt.Sprintf("/agreements/%d/adjustments", id),
				map[string]any{"changes": map[string]any{"emergency": map[string]any{"onsite": 3}}, "reason": "x", "effective_from": today(40)}, 422, []string{"body.changes.onsite"}},
			{"terms and changes", "POST", fmt.Sprintf("/agreements/%d/adjustments", id),
				map[string]any{"terms": agreementTerms(), "changes": map[string]any{}, "reason": "x", "effective_from": today(40)}, 422, []string{"body.changes"}},
			{"invalid proposed terms", "POST", fmt.Sprintf("/agreements/%d/adjustments", id),
				map[string]any{"changes": map[string]any{"service_area": []string{"71"}}, "reason": "", "effective_from": "next week"}, 422,
				[]string{"body.changes.service_area[0]", "body.reason", "body.effective_from"}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				res := vendor.Do(c.method, c.path, c.body, "If-Match", `"2"`)
				p := problemOf(t, res, c.status, "validation")
				got := strings.Join(locations(p), " ")
				for _, l := range c.locations {
					if !strings.Contains(" "+got+" ", " "+l+" ") {
						t.Errorf("errors %v do not name %s: %s", got, l, res.Body)
					}
				}
			})
		}
		unchangedRows(t, db, before)
	})
}

func TestAnotherVendorCannotSeeOrTouchAgreements(t *testing.T) {
	onSeeded(t, func(t *testing.T, db *store.DB, app *testutil.App, f *testutil.Fixture) {
		id := newActiveAgreement(t, app, f)
		adjPath := withAgreements(t, app, f, "/adjustments/%ADJUSTMENT%")
		other := app.API(t, f.OtherToken)
		base := fmt.Sprintf("/agreements/%d", id)
		for _, c := range []struct {
			method, path string
			body         any
		}{
			{"GET", base, nil}, {"GET", base + "/versions", nil}, {"GET", base + "/diff?from=1&to=1", nil},
			{"GET", base + "/status-events", nil}, {"GET", base + "/adjustments", nil}, {"GET", adjPath, nil},
			{"POST", base + "/status", map[string]any{"status": "terminated", "reason": "takeover"}},
			{"POST", base + "/versions", map[string]any{"terms": agreementTerms(), "effective_from": today(0)}},
			{"POST", base + "/adjustments", map[string]any{"changes": map[string]any{"adjustment_lead_days": 0}, "reason": "x", "effective_from": today(40)}},
			{"POST", adjPath + "/accept", nil}, {"POST", adjPath + "/reject", map[string]any{"comment": "no"}}, {"POST", adjPath + "/withdraw", nil},
		} {
			if res := other.Do(c.method, c.path, c.body, "If-Match", `"2"`); res.Status != 404 {
				t.Errorf("%s %s by another vendor: %d %s", c.method, c.path, res.Status, res.Body)
			}
		}
		var list struct{ Items []any }
		res := other.Do("GET", "/agreements", nil)
		res.JSON(t, &list)
		if len(list.Items) != 0 || !strings.Contains(string(res.Body), `"items":[]`) {
			t.Errorf("another vendor lists %d agreements", len(list.Items))
		}
		var mine struct{ Items []any }
		app.API(t, f.Tokens[policy.Technician]).Do("GET", "/agreements", nil).JSON(t, &mine)
		if len(mine.Items) != 2 {
			t.Errorf("the provider's technician lists %d agreements, want 2", len(mine.Items))
		}
		if res := app.API(t, f.Tokens[policy.VendorAdmin]).Do("GET", base+"/adjustments", nil); !strings.Contains(string(res.Body), `"items":[]`) {
			t.Errorf("no adjustments: %s", res.Body)
		}
		if n := countRows(t, db, "agreement_versions"); n != 2 {
			t.Errorf("versions: %d", n)
		}
	})
}
