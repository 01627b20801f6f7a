package web_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"aftersales/internal/complaint"
	"aftersales/internal/policy"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// The delivery states of the text messages show on the complaint they
// acknowledged and in the office's list, filtered by state, in both
// languages, the failure's reason with it; a customer has no list.
func TestTextMessageStatesShown(t *testing.T) {
	servingEngines(t, func(t *testing.T, app *testutil.App, f *testutil.Fixture, sf testutil.ServiceFixture) {
		ctx, db := context.Background(), app.DB
		dispatcher := f.Users[policy.Dispatcher].Actor()
		res := app.API(t, f.Tokens[policy.Dispatcher]).Do("POST", "/service-requests", map[string]any{"serial_number": sf.Serial, "service_item": "repair",
			"priority": "general", "description": "x"})
		var req struct{ ID int64 }
		res.JSON(t, &req)
		reqID := req.ID
		c, err := app.Server.Complaints.File(ctx, dispatcher, complaint.NewComplaint{Category: "fees", RequestID: reqID, Description: "收费不清"})
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now().UTC()
		for i, st := range []struct{ state, reason string }{{"delivered", ""}, {"failed", "UNDELIV:MK:0001"}} {
			if _, err := store.Exec(ctx, db, `INSERT INTO sms_messages (org_id, vendor_id, provider_id, kind, ref, phone, sealed_text, state, max_attempts,
				last_error, created_at, updated_at, sent_at, receipt_at) VALUES (?, ?, ?, 'complaint.filed', ?, '+8613812345678', 'x', ?, 8, ?, ?, ?, ?, ?)`,
				f.Customer.ID, f.Vendor.ID, f.Provider.ID, complaint.SMSRef(c.ID), st.state, st.reason, now.Add(time.Duration(i)*time.Minute), now, now, now); err != nil {
				t.Fatal(err)
			}
		}
		admin := signIn(t, app, f.Users[policy.ProviderAdmin].Email)
		for lang, want := range map[string][]string{"zh-CN": {"受理短信", "已送达", "发送失败", "原因：", "UNDELIV:MK:0001", "138****5678"},
			"en": {"Acknowledged by text message", "Delivered", "Failed", "Reason:", "UNDELIV:MK:0001"}} {
			// Signed-in pages speak the user's language.
			if _, err := store.Exec(ctx, db, `UPDATE users SET locale = ? WHERE id = ?`, lang, f.Users[policy.ProviderAdmin].ID); err != nil {
				t.Fatal(err)
			}
			html := body(t, get(t, admin, fmt.Sprintf("%s/complaints/%d", app.URL, c.ID), "Accept-Language", lang))
			for _, w := range want {
				if !strings.Contains(html, w) {
					t.Fatalf("%s: the complaint does not show %q: %.3000s", lang, w, html[strings.Index(html, "<main"):])
				}
			}
			html = body(t, get(t, admin, app.URL+"/settings/sms?state=failed", "Accept-Language", lang))
			if !strings.Contains(html, "UNDELIV:MK:0001") || strings.Count(html, "sms-delivered") != 0 || !strings.Contains(html, fmt.Sprintf("/complaints/%d", c.ID)) {
				t.Fatalf("%s: the failed messages: %.2000s", lang, html)
			}
		}
		customer := signIn(t, app, f.Users[policy.Customer].Email)
		if res := get(t, customer, app.URL+"/settings/sms"); res.StatusCode != http.StatusForbidden {
			t.Fatalf("a customer lists the texts: %d", res.StatusCode)
		}
	})
}
