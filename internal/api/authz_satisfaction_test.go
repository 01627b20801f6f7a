package api_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"aftersales/internal/policy"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

func init() {
	for _, id := range []string{"reply-complaint", "reopen-complaint", "close-complaint", "record-callback-call", "decide-callback"} {
		postWithIfMatch[id] = true
	}
}

// complaintRequests is, per fixture, a service request complaints are filed on.
var complaintRequests sync.Map

// walkSatisfaction: surveys, the period's figure, complaints and callbacks.
// %SURVEY% and %CALLBACK% are rows about a fresh sealed record;
// %COMPLAINT% is a fresh open complaint, %ANSWERED% a fresh answered one.
func walkSatisfaction(f *testutil.Fixture) map[string]walkCase {
	office := []policy.Role{policy.VendorAdmin, policy.VendorAuditor, policy.ProviderAdmin, policy.Dispatcher}
	parties := append(office[:4:4], policy.Customer)
	vendor := []policy.Role{policy.VendorAdmin, policy.VendorAuditor}
	provider := []policy.Role{policy.ProviderAdmin, policy.Dispatcher}
	text := func(*testutil.Fixture, policy.Role) any { return map[string]any{"text": "walk"} }
	return map[string]walkCase{
		"list-surveys":     {method: "GET", path: "/surveys", allowed: office},
		"get-survey":       {method: "GET", path: "/surveys/%SURVEY%", allowed: office},
		"get-satisfaction": {method: "GET", path: "/satisfaction?agreement=%AGREEMENT%&period=2026-11", allowed: office},
		"list-complaints":  {method: "GET", path: "/complaints", allowed: parties},
		"create-complaint": {method: "POST", path: "/complaints", body: func(f *testutil.Fixture, _ policy.Role) any {
			id, _ := complaintRequests.Load(f)
			return map[string]any{"category": "attitude", "request_id": id, "description": "walk"}
		}, allowed: parties},
		"create-complaint-with-attachments": {method: "POST", path: "/complaints/with-attachments", body: func(f *testutil.Fixture, _ policy.Role) any {
			id, _ := complaintRequests.Load(f)
			return complaintForm(map[string]string{"category": "parts", "request_id": fmt.Sprint(id), "description": "walk"}, map[string][]byte{"invoice.pdf": samplePDF("walk")})
		}, allowed: parties},
		"add-complaint-attachments": {method: "POST", path: "/complaints/%COMPLAINT%/attachments", body: func(*testutil.Fixture, policy.Role) any {
			return complaintForm(map[string]string{}, map[string][]byte{"later.png": tinyPNG()})
		}, allowed: parties},
		"get-complaint-attachment": {method: "GET", path: "/complaints/%COMPLAINT%/attachments/%COMPLAINTFILE%", allowed: parties},
		"get-complaint":            {method: "GET", path: "/complaints/%COMPLAINT%", allowed: parties},
		"add-complaint-note":       {method: "POST", path: "/complaints/%COMPLAINT%/notes", body: text, allowed: office},
		"reply-complaint":          {method: "POST", path: "/complaints/%COMPLAINT%/reply", body: text, allowed: provider},
		"reopen-complaint":         {method: "POST", path: "/complaints/%ANSWERED%/reopen", body: text, allowed: append(vendor[:2:2], policy.Customer)},
		"close-complaint": {method: "POST", path: "/complaints/%ANSWERED%/close", body: func(*testutil.Fixture, policy.Role) any {
			return map[string]any{"customer_accepted": true}
		}, allowed: append(provider[:2:2], policy.Customer)},
		"list-sms":             {method: "GET", path: "/sms?state=failed", allowed: office},
		"list-callbacks":       {method: "GET", path: "/callbacks", allowed: office},
		"get-callback":         {method: "GET", path: "/callbacks/%CALLBACK%", allowed: office},
		"record-callback-call": {method: "POST", path: "/callbacks/%CALLBACK%/call", body: func(*testutil.Fixture, policy.Role) any { return map[string]any{"reached": false} }, allowed: vendor},
		"decide-callback": {method: "POST", path: "/callbacks/%CALLBACK%/decision", body: func(*testutil.Fixture, policy.Role) any {
			return map[string]any{"outcome": "confirmed"}
		}, allowed: vendor},
	}
}

// withSatisfaction fills the satisfaction placeholders of a path.
func withSatisfaction(t *testing.T, app *testutil.App, f *testutil.Fixture, path string) string {
	t.Helper()
	ctx := context.Background()
	dispatcher := app.API(t, f.Tokens[policy.Dispatcher])
	request := func() int64 {
		res := dispatcher.Do("POST", "/service-requests", map[string]any{"serial_number": "FX100-0001", "service_item": "repair", "priority": "general", "description": "walk"})
		var out struct{ ID int64 }
		res.JSON(t, &out)
		return out.ID
	}
	if path == "/complaints" || path == "/complaints/with-attachments" {
		complaintRequests.Store(f, request())
	}
	complaintOn := func(answered bool) int64 {
		id := createdID(t, dispatcher.Do("POST", "/complaints", map[string]any{"category": "fees", "request_id": request(), "description": "walk"}), "file a complaint")
		if answered {
			if r := dispatcher.Do("POST", fmt.Sprintf("/complaints/%d/reply", id), map[string]any{"text": "answered"}, "If-Match", `"1"`); r.Status != 200 {
				t.Fatalf("reply: %d %s", r.Status, r.Body)
			}
		}
		return id
	}
	if strings.Contains(path, "%COMPLAINTFILE%") {
		// A complaint filed with a photo, and that photo.
		res := postForm(dispatcher, "/complaints/with-attachments", complaintForm(map[string]string{"category": "parts",
			"request_id": fmt.Sprint(request()), "description": "walk"}, map[string][]byte{"part.png": tinyPNG()}))
		var out struct {
			ID          int64
			Attachments []struct{ ID int64 }
		}
		res.JSON(t, &out)
		if res.Status != 201 || len(out.Attachments) != 1 {
			t.Fatalf("file a complaint with a photo: %d %s", res.Status, res.Body)
		}
		path = strings.ReplaceAll(strings.ReplaceAll(path, "%COMPLAINTFILE%", fmt.Sprint(out.Attachments[0].ID)), "%COMPLAINT%", fmt.Sprint(out.ID))
	}
	if strings.Contains(path, "%COMPLAINT%") {
		path = strings.ReplaceAll(path, "%COMPLAINT%", fmt.Sprint(complaintOn(false)))
	}
	if strings.Contains(path, "%ANSWERED%") {
		path = strings.ReplaceAll(path, "%ANSWERED%", fmt.Sprint(complaintOn(true)))
	}
	for _, ph := range []string{"%SURVEY%", "%CALLBACK%"} {
		if !strings.Contains(path, ph) {
			continue
		}
		rec := testutil.SealRecord(t, app, f, "FX100-0001")
		var r struct {
			AgreementID int64 `db:"agreement_id"`
			RequestID   int64 `db:"request_id"`
		}
		if err := store.Get(ctx, app.DB, &r, `SELECT agreement_id, request_id FROM service_records WHERE id = ?`, rec); err != nil {
			t.Fatal(err)
		}
		now := time.Now().UTC()
		var id int64
		var err error
		if ph == "%SURVEY%" {
			id, err = store.InsertID(ctx, app.DB, `INSERT INTO surveys (record_id, work_order_id, request_id, agreement_id, vendor_id, provider_id,
				customer_org_id, period, sealed_at, sent_at, expires_at, token_hash, locale, scale_min, scale_max, satisfied_from, questions_json)
				VALUES (?, 0, ?, ?, ?, ?, ?, '2026-11', ?, ?, ?, ?, 'en', 1, 5, 4, '[]') RETURNING id`,
				rec, r.RequestID, r.AgreementID, f.Vendor.ID, f.Provider.ID, f.Customer.ID, now, now, now.Add(time.Hour), fmt.Sprint(rec))
		} else {
			id, err = store.InsertID(ctx, app.DB, `INSERT INTO callbacks (reason, status, record_id, work_order_id, request_id, agreement_id,
				vendor_id, provider_id, customer_org_id, period, created_at) VALUES ('sample', 'open', ?, 0, ?, ?, ?, ?, ?, '2026-11', ?) RETURNING id`,
				rec, r.RequestID, r.AgreementID, f.Vendor.ID, f.Provider.ID, f.Customer.ID, now)
		}
		if err != nil {
			t.Fatal(err)
		}
		path = strings.ReplaceAll(path, ph, fmt.Sprint(id))
	}
	return path
}
