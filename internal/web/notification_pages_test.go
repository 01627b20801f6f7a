package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"aftersales/internal/notify"
	"aftersales/internal/policy"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

func publishTo(t *testing.T, app *testutil.App, key string, orgs []int64, users ...int64) {
	t.Helper()
	app.Publish(t, notify.Event{Kind: "clock.warning", OrgIDs: orgs, UserIDs: users,
		Subject: notify.Localized{"en": "Deadline close " + key, "zh-CN": "时限将至 " + key}, Body: notify.Localized{"en": "Respond soon."},
		Link: "/requests/7", DedupeKey: key})
}

var unreadBadge = regexp.MustCompile(`class="count">(\d+)<`)

func unreadShown(t *testing.T, html string) string {
	t.Helper()
	if m := unreadBadge.FindStringSubmatch(html); m != nil {
		return m[1]
	}
	return "0"
}

func TestNotificationPages(t *testing.T) {
	seededEngines(t, func(t *testing.T, app *testutil.App, f *testutil.Fixture) {
		disp := f.Users[policy.Dispatcher]
		publishTo(t, app, "a", []int64{f.Provider.ID}, disp.ID)
		publishTo(t, app, "b", []int64{f.Provider.ID}, disp.ID)
		c := signIn(t, app, disp.Email)

		if n := unreadShown(t, body(t, get(t, c, app.URL+"/"))); n != "2" {
			t.Fatalf("top bar shows %s unread, want 2", n)
		}
		for _, lang := range []string{"en", "zh-CN"} {
			res := get(t, c, app.URL+"/notifications", "Accept-Language", lang)
			html := body(t, res)
			if res.StatusCode != 200 || !strings.Contains(html, "Deadline close a") || strings.Contains(html, ">notifications.") {
				t.Fatalf("%s list: %d %s", lang, res.StatusCode, html)
			}
		}
		id := testutil.SelectOne[int64](t, app.DB, `SELECT MIN(id) FROM notifications WHERE user_id = ?`, disp.ID)
		res, _ := post(t, c, app.URL+"/notifications/"+itoa(id)+"/read", url.Values{"open": {"1"}})
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/requests/7" {
			t.Fatalf("open: %d to %s", res.StatusCode, res.Header.Get("Location"))
		}
		if n := unreadShown(t, body(t, get(t, c, app.URL+"/notifications"))); n != "1" {
			t.Fatalf("after reading one, %s unread", n)
		}
		// Nobody else can mark it.
		other := signIn(t, app, f.Users[policy.ProviderAdmin].Email)
		if res, _ := post(t, other, app.URL+"/notifications/"+itoa(id+1)+"/read", nil); res.StatusCode != http.StatusNotFound {
			t.Errorf("another user marking mine: %d", res.StatusCode)
		}
		postStatus(t, http.StatusSeeOther, "read all", c, app.URL+"/notifications/read-all", nil)
		if n := unreadShown(t, body(t, get(t, c, app.URL+"/notifications"))); n != "0" {
			t.Fatalf("after reading all, %s unread", n)
		}

		// The email switch on the profile.
		if html := body(t, get(t, c, app.URL+"/profile")); !strings.Contains(html, `name="email_notifications" checked`) {
			t.Fatal("email notifications are not shown on by default")
		}
		postStatus(t, http.StatusSeeOther, "turn off", c, app.URL+"/profile/notifications", url.Values{})
		if on, err := notify.EmailPreference(context.Background(), app.DB, disp.ID); err != nil || on {
			t.Fatalf("email still on (%v)", err)
		}
		if html := body(t, get(t, c, app.URL+"/profile")); strings.Contains(html, `name="email_notifications" checked`) {
			t.Fatal("email notifications still shown on")
		}
	})
}

func TestWebhookPages(t *testing.T) {
	seededEngines(t, func(t *testing.T, app *testutil.App, f *testutil.Fixture) {
		db := app.DB
		admin := signIn(t, app, f.Users[policy.ProviderAdmin].Email)
		disp := signIn(t, app, f.Users[policy.Dispatcher].Email)
		if res := get(t, disp, app.URL+"/settings/webhooks"); res.StatusCode != http.StatusForbidden {
			t.Errorf("dispatcher sees webhooks: %d", res.StatusCode)
		}
		if res, _ := post(t, disp, app.URL+"/settings/webhooks", url.Values{"url": {"https://hooks.example/x"}}); res.StatusCode != http.StatusForbidden {
			t.Errorf("dispatcher creates a webhook: %d", res.StatusCode)
		}

		res, html := post(t, admin, app.URL+"/settings/webhooks", url.Values{"url": {"ftp://hooks.example/"}, "kinds": {"clock.* Bad Kind"}})
		if res.StatusCode != http.StatusUnprocessableEntity || len(errorsIn(html)) < 2 {
			t.Fatalf("bad input: %d, errors %v", res.StatusCode, errorsIn(html))
		}
		res, html = post(t, admin, app.URL+"/settings/webhooks", url.Values{"url": {"https://erp.example/hooks"}, "kinds": {"clock.warning, clock.breached"}, "description": {"ERP"}})
		secret := regexp.MustCompile(`whsec_[A-Za-z0-9_-]+`).FindString(html)
		if res.StatusCode != http.StatusCreated || secret == "" {
			t.Fatalf("create: %d", res.StatusCode)
		}
		html = body(t, get(t, admin, app.URL+"/settings/webhooks"))
		if !strings.Contains(html, "https://erp.example/hooks") || strings.Contains(html, secret) || !strings.Contains(html, "clock.breached") {
			t.Fatal("the list lacks the subscription, or shows its secret")
		}
		var hookID, deliveryID int64
		ctx := context.Background()
		if err := store.Get(ctx, db, &hookID, `SELECT id FROM webhooks WHERE url = 'https://erp.example/hooks'`); err != nil {
			t.Fatal(err)
		}
		publishTo(t, app, "hooked", []int64{f.Provider.ID})
		if err := store.Get(ctx, db, &deliveryID, `SELECT id FROM webhook_deliveries WHERE webhook_id = ?`, hookID); err != nil {
			t.Fatal(err)
		}
		if _, err := store.Exec(ctx, db, `UPDATE webhook_deliveries SET state = 'failed', attempts = 12, last_error = 'HTTP 502' WHERE id = ?`, deliveryID); err != nil {
			t.Fatal(err)
		}
		for _, lang := range []string{"en", "zh-CN"} {
			res := get(t, admin, app.URL+"/settings/webhooks/"+itoa(hookID), "Accept-Language", lang)
			html := body(t, res)
			if res.StatusCode != 200 || !strings.Contains(html, "HTTP 502") || !strings.Contains(html, fmt.Sprintf("/settings/webhook-deliveries/%d/redeliver", deliveryID)) ||
				strings.Contains(html, ">webhooks.") {
				t.Fatalf("%s deliveries page: %d", lang, res.StatusCode)
			}
		}
		// Another vendor's admin finds nothing.
		other := signIn(t, app, f.OtherAdmin.Email)
		if res := get(t, other, app.URL+"/settings/webhooks/"+itoa(hookID)); res.StatusCode != http.StatusNotFound {
			t.Errorf("another vendor reads the webhook: %d", res.StatusCode)
		}
		if res, _ := post(t, other, app.URL+"/settings/webhook-deliveries/"+itoa(deliveryID)+"/redeliver", nil); res.StatusCode != http.StatusNotFound {
			t.Errorf("another vendor re-sends: %d", res.StatusCode)
		}
		postStatus(t, http.StatusSeeOther, "redeliver", admin, app.URL+"/settings/webhook-deliveries/"+itoa(deliveryID)+"/redeliver", nil)
		var state string
		if err := store.Get(ctx, db, &state, `SELECT state FROM webhook_deliveries WHERE id = ?`, deliveryID); err != nil || state != "pending" {
			t.Fatalf("after re-send: %s %v", state, err)
		}
		postStatus(t, http.StatusSeeOther, "disable", admin, app.URL+"/settings/webhooks/"+itoa(hookID)+"/disable", nil)
		if html := body(t, get(t, admin, app.URL+"/settings/webhooks/"+itoa(hookID))); strings.Contains(html, "/disable") {
			t.Error("a disabled webhook still offers to disable")
		}
	})
}

// The content security policy forbids inline scripts and style attributes.
func TestNotificationTemplatesHaveNoInlineStyleOrScript(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"notifications.html", "webhooks.html", "webhook.html", "layout.html", "profile.html"} {
		b, err := os.ReadFile(filepath.Join("templates", name))
		if err != nil {
			t.Fatal(err)
		}
		if s := string(b); strings.Contains(s, "style=") || strings.Contains(s, "<script>") || regexp.MustCompile(`\son[a-z]+=`).MatchString(s) {
			t.Errorf("%s has inline style or script", name)
		}
	}
}

// A kind of event with no name of its own (a certificate's expiry, a
// complaint's reply) is named by its group, never shown as a catalog key.
func TestNotificationKindsAreNamed(t *testing.T) {
	seededEngines(t, func(t *testing.T, app *testutil.App, f *testutil.Fixture) {
		admin := f.Users[policy.ProviderAdmin]
		for i, kind := range []string{"certification.expiry_due", "complaint.reply", "settlement.payment_due"} {
			app.Publish(t, notify.Event{Kind: kind, OrgIDs: []int64{f.Provider.ID}, UserIDs: []int64{admin.ID},
				Subject: notify.Localized{"en": "Event " + kind, "zh-CN": "事件 " + kind}, DedupeKey: fmt.Sprint("named-", i)})
		}
		c := signIn(t, app, admin.Email)
		for _, lang := range []string{"en", "zh-CN"} {
			want := map[string][]string{"en": {"Certificates about to expire", "Complaints and suggestions", "Settlement"},
				"zh-CN": {"证书即将到期", "投诉与建议", "结算"}}[lang]
			get(t, c, app.URL+"/lang/"+lang+"?next=/profile").Body.Close()
			html := body(t, get(t, c, app.URL+"/notifications"))
			if strings.Contains(html, "notifykind.") {
				t.Errorf("%s: a kind shown as its catalog key: %s", lang, html)
			}
			for _, w := range want {
				if !strings.Contains(html, "· "+w+"</small>") {
					t.Errorf("%s: no kind named %q", lang, w)
				}
			}
		}
	})
}
