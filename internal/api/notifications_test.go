package api_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"aftersales/internal/notify"
	"aftersales/internal/policy"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// publish publishes an event to users of orgs, as a domain service would.
func publish(t *testing.T, app *testutil.App, key string, orgs []int64, users ...int64) {
	t.Helper()
	app.Publish(t, notify.Event{Kind: "clock.breached", OrgIDs: orgs, UserIDs: users,
		Subject: notify.Localized{"en": "Response deadline missed", "zh-CN": "响应超时"}, Link: "/requests/1",
		Data: map[string]any{"request_id": 1}, DedupeKey: key})
}

var walkSeq atomic.Int64

// withNotifications fills the notification placeholders of a walk path.
func withNotifications(t *testing.T, app *testutil.App, f *testutil.Fixture, role policy.Role, path string) string {
	t.Helper()
	seq := walkSeq.Add(1)
	if strings.Contains(path, "%NOTIFICATION%") {
		u := f.Users[role]
		publish(t, app, fmt.Sprint("walk-n-", seq), []int64{u.OrgID}, u.ID)
		id := scalar[int64](t, app.DB, `SELECT MAX(id) FROM notifications WHERE user_id = ?`, u.ID)
		path = strings.ReplaceAll(path, "%NOTIFICATION%", fmt.Sprint(id))
	}
	if strings.Contains(path, "%WEBHOOK%") || strings.Contains(path, "%DELIVERY%") {
		res := app.API(t, f.Tokens[policy.VendorAdmin]).Do("POST", "/webhooks", map[string]any{"url": "https://hooks.example/walk"})
		var out struct{ Webhook struct{ ID int64 } }
		res.JSON(t, &out)
		path = strings.ReplaceAll(path, "%WEBHOOK%", fmt.Sprint(out.Webhook.ID))
		if strings.Contains(path, "%DELIVERY%") {
			publish(t, app, fmt.Sprint("walk-d-", seq), []int64{f.Vendor.ID})
			id := scalar[int64](t, app.DB, `SELECT id FROM webhook_deliveries WHERE webhook_id = ?`, out.Webhook.ID)
			// Finished, so that it may be re-sent.
			if _, err := store.Exec(context.Background(), app.DB, `UPDATE webhook_deliveries SET state = 'failed' WHERE id = ?`, id); err != nil {
				t.Fatal(err)
			}
			path = strings.ReplaceAll(path, "%DELIVERY%", fmt.Sprint(id))
		}
	}
	return path
}

func TestWebhookBadInput(t *testing.T) {
	onSeeded(t, func(t *testing.T, db *store.DB, app *testutil.App, f *testutil.Fixture) {
		cl := app.API(t, f.Tokens[policy.ProviderAdmin])
		for _, tc := range []struct {
			name     string
			body     any
			status   int
			location string
		}{
			{"no url", map[string]any{}, 422, "body.url"},
			{"ftp", map[string]any{"url": "ftp://hooks.example/"}, 422, "body.url"},
			{"credentials", map[string]any{"url": "https://u:p@hooks.example/"}, 422, "body.url"},
			{"bad kind", map[string]any{"url": "https://hooks.example/", "kinds": []string{"ok.kind", "Not A Kind"}}, 422, "body.kinds[1]"},
			{"NUL in description", map[string]any{"url": "https://hooks.example/", "description": "a\u0000b"}, 422, "body.description"},
			{"unknown field", map[string]any{"url": "https://hooks.example/", "secret": "mine"}, 422, ""},
			{"not JSON", "{", 400, ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				res := cl.Do("POST", "/webhooks", tc.body)
				if res.Status != tc.status {
					t.Fatalf("status %d: %s", res.Status, res.Body)
				}
				if tc.location != "" && !strings.Contains(string(res.Body), `"location":"`+tc.location+`"`) {
					t.Fatalf("no error at %s: %s", tc.location, res.Body)
				}
			})
		}
		if res := cl.Do("GET", "/notifications?cursor=zz", nil); res.Status != 422 || !strings.Contains(string(res.Body), `"location":"query.cursor"`) {
			t.Errorf("bad cursor: %d %s", res.Status, res.Body)
		}
		if res := cl.Do("GET", "/notifications?limit=1000", nil); res.Status != 422 {
			t.Errorf("limit 1000: %d %s", res.Status, res.Body)
		}
	})
}

func TestWebhookSecretShownOnceAndScopedToOrganization(t *testing.T) {
	onSeeded(t, func(t *testing.T, db *store.DB, app *testutil.App, f *testutil.Fixture) {
		cl := app.API(t, f.Tokens[policy.ProviderAdmin])
		res := cl.Do("POST", "/webhooks", map[string]any{"url": "https://hooks.example/in", "kinds": []string{"clock.*"}, "description": "ERP"})
		var created struct {
			Webhook notify.Webhook
			Secret  string
		}
		res.JSON(t, &created)
		if res.Status != 201 || !strings.HasPrefix(created.Secret, "whsec_") || created.Webhook.Kinds[0] != "clock.*" {
			t.Fatalf("create: %d %s", res.Status, res.Body)
		}
		for _, p := range []string{"/webhooks", fmt.Sprintf("/webhooks/%d", created.Webhook.ID)} {
			if res := cl.Do("GET", p, nil); res.Status != 200 || strings.Contains(string(res.Body), created.Secret) || strings.Contains(string(res.Body), "secret") {
				t.Errorf("GET %s shows the secret: %s", p, res.Body)
			}
		}
		// Another vendor's admin, and the partner vendor's admin, see nothing of it.
		for _, tok := range []string{f.OtherToken, f.Tokens[policy.VendorAdmin]} {
			other := app.API(t, tok)
			if res := other.Do("GET", fmt.Sprintf("/webhooks/%d", created.Webhook.ID), nil); res.Status != 404 {
				t.Errorf("another organization reads the webhook: %d", res.Status)
			}
			var list struct{ Items []notify.Webhook }
			other.Do("GET", "/webhooks", nil).JSON(t, &list)
			if len(list.Items) != 0 {
				t.Errorf("another organization lists %d webhooks", len(list.Items))
			}
		}
		// Disabling keeps it listed, disabled.
		if res := cl.Do("DELETE", fmt.Sprintf("/webhooks/%d", created.Webhook.ID), nil); res.Status != 200 || !strings.Contains(string(res.Body), "disabled_at") {
			t.Fatalf("disable: %d %s", res.Status, res.Body)
		}
	})
}

func TestNotificationsOverAPI(t *testing.T) {
	onSeeded(t, func(t *testing.T, db *store.DB, app *testutil.App, f *testutil.Fixture) {
		disp := f.Users[policy.Dispatcher]
		for i := range 3 {
			publish(t, app, fmt.Sprint("n", i), []int64{f.Provider.ID}, disp.ID)
		}
		cl := app.API(t, f.Tokens[policy.Dispatcher])
		var page notify.Page
		cl.Do("GET", "/notifications?limit=2", nil).JSON(t, &page)
		if len(page.Items) != 2 || page.Next == "" || page.Unread != 3 || page.Items[0].Title != "Response deadline missed" {
			t.Fatalf("first page %+v", page)
		}
		var rest notify.Page
		cl.Do("GET", "/notifications?limit=2&cursor="+page.Next, nil).JSON(t, &rest)
		if len(rest.Items) != 1 || rest.Next != "" {
			t.Fatalf("second page %+v", rest)
		}
		// Only the owner may mark it read.
		id := page.Items[0].ID
		if res := app.API(t, f.Tokens[policy.ProviderAdmin]).Do("POST", fmt.Sprintf("/notifications/%d/read", id), nil); res.Status != 404 {
			t.Errorf("someone else marked it read: %d", res.Status)
		}
		if res := cl.Do("POST", fmt.Sprintf("/notifications/%d/read", id), nil); res.Status != 200 || !strings.Contains(string(res.Body), "read_at") {
			t.Fatalf("read: %d %s", res.Status, res.Body)
		}
		var all struct{ Marked int }
		cl.Do("POST", "/notifications/read-all", nil).JSON(t, &all)
		if all.Marked != 2 {
			t.Fatalf("read-all marked %d, want 2", all.Marked)
		}
	})
}
