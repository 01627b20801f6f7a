package web_test

import (
	"bytes"
	"image"
	"image/png"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"aftersales/internal/policy"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

func pngBytes() []byte {
	var b bytes.Buffer
	_ = png.Encode(&b, image.NewGray(image.Rect(0, 0, 3, 3)))
	return b.Bytes()
}

func TestQRPhotosAndTheirAccess(t *testing.T) {
	servingEngines(t, func(t *testing.T, app *testutil.App, f *testutil.Fixture, sf testutil.ServiceFixture) {
		db := app.DB
		token := qrToken(t, db, sf.Serial)
		anon := app.Browser(t)
		submit := func(photos map[string][]byte) *http.Response {
			return postFiles(t, anon, app.URL+"/q/"+token, url.Values{"description": {"漏油"}, "contact_phone": {"13812345678"}, "stopped": {"on"}}, "photos", photos)
		}
		// A file that is not an image: the form comes back naming it, nothing is filed.
		res := submit(map[string][]byte{"fault.jpg": []byte("not a photo"), "ok.png": pngBytes()})
		if html := body(t, res); res.StatusCode != 422 || !strings.Contains(html, "fault.jpg") {
			t.Fatalf("fake photo: %d", res.StatusCode)
		}
		n := testutil.SelectOne[int](t, db, `SELECT COUNT(*) FROM service_requests`)
		if n != 0 {
			t.Fatalf("%d requests filed with a bad photo", n)
		}
		_ = store.Get(t.Context(), db, &n, `SELECT COUNT(*) FROM files`)
		if n != 0 {
			t.Fatalf("%d files kept from a refused form", n)
		}
		res = submit(map[string][]byte{"fault.png": pngBytes()})
		res.Body.Close()
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("file with a photo: %d", res.StatusCode)
		}
		var ids struct {
			Request int64 `db:"request_id"`
			Photo   int64 `db:"id"`
		}
		if err := store.Get(t.Context(), db, &ids, `SELECT request_id, id FROM request_photos`); err != nil {
			t.Fatal(err)
		}
		photo := app.URL + "/requests/" + itoa(ids.Request) + "/photos/" + itoa(ids.Photo)
		// The QR page shows no photo back, and its visitor cannot open one.
		if html := body(t, get(t, anon, app.URL+"/q/"+token)); strings.Contains(html, "/photos/") {
			t.Fatal("the public page links photos")
		}
		anon.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		if res := get(t, anon, photo); res.StatusCode != http.StatusSeeOther || strings.HasPrefix(res.Header.Get("Content-Type"), "image/") {
			t.Fatalf("anonymous photo view: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
		}
		disp := signIn(t, app, f.Users[policy.Dispatcher].Email)
		if res := get(t, disp, photo); res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/png" {
			t.Fatalf("dispatcher photo view: %d", res.StatusCode)
		}
		page := body(t, get(t, disp, app.URL+"/requests/"+itoa(ids.Request)))
		if !strings.Contains(page, `<img src="/requests/`+itoa(ids.Request)+`/photos/`+itoa(ids.Photo)+`"`) {
			t.Fatal("the request page shows no thumbnail")
		}
		other := signIn(t, app, f.OtherAdmin.Email)
		if res := get(t, other, photo); res.StatusCode != 404 {
			t.Fatalf("another vendor views the photo: %d", res.StatusCode)
		}

		// Escalate from the page; the vendor's second line lists and answers it.
		res, _ = post(t, disp, app.URL+"/requests/"+itoa(ids.Request)+"/escalations", url.Values{"target": {"second_line"}, "reason": {"编码器信号异常"}})
		vendor := signIn(t, app, f.Users[policy.VendorAdmin].Email)
		for _, lang := range []string{"zh-CN", "en"} {
			list := body(t, get(t, vendor, app.URL+"/escalations", "Accept-Language", lang))
			if !strings.Contains(list, "编码器信号异常") || strings.Contains(list, ">escalations.") {
				t.Fatalf("second line's list (%s) lacks the escalation", lang)
			}
		}
		page = body(t, get(t, vendor, app.URL+"/requests/"+itoa(ids.Request)))
		m := regexp.MustCompile(`action="/escalations/(\d+)/answer"`).FindStringSubmatch(page)
		if m == nil {
			t.Fatal("the vendor has no answer form")
		}
		res, _ = post(t, vendor, app.URL+"/escalations/"+m[1]+"/answer", url.Values{"request_id": {itoa(ids.Request)}, "answer": {"更换编码器"}})
		page = body(t, get(t, disp, app.URL+"/requests/"+itoa(ids.Request), "Accept-Language", "en"))
		if !strings.Contains(page, "更换编码器") || !strings.Contains(page, "Escalation answer") {
			t.Fatal("the answer and its clock are not on the request page")
		}
	})
}

// The technician's phone page: sign-off by a code the customer reads out.
func TestJobPageSignoffByCode(t *testing.T) {
	servingEngines(t, func(t *testing.T, app *testutil.App, f *testutil.Fixture, _ testutil.ServiceFixture) {
		api := app.API(t, f.Tokens[policy.Dispatcher])
		res := api.Do("POST", "/service-requests", map[string]any{"serial_number": "FX100-0001", "service_item": "repair", "priority": "general", "description": "x"})
		var req struct{ ID int64 }
		res.JSON(t, &req)
		res = api.Do("POST", "/service-requests/"+itoa(req.ID)+"/work-orders", map[string]any{"technician_id": f.Users[policy.Technician].ID,
			"window_start": "2026-12-01T09:00:00+08:00", "window_end": "2026-12-01T11:00:00+08:00"})
		var wo struct{ ID int64 }
		res.JSON(t, &wo)
		job := app.URL + "/work-orders/" + itoa(wo.ID)
		c := signIn(t, app, f.Users[policy.Technician].Email)
		version := func() string {
			v := testutil.SelectOne[string](t, app.DB, `SELECT version FROM work_orders WHERE id = ?`, wo.ID)
			return v
		}
		post(t, c, job+"/steps", url.Values{"version": {version()}, "kind": {"check_in"}})
		for _, lang := range []string{"zh-CN", "en"} {
			res := get(t, c, job, "Accept-Language", lang)
			if html := body(t, res); res.StatusCode != 200 || !strings.Contains(html, `action="/work-orders/`+itoa(wo.ID)+`/signoff-code"`) || strings.Contains(html, ">signoff.") {
				t.Fatalf("work order page (%s): %d", lang, res.StatusCode)
			}
		}
		if r, _ := post(t, c, job+"/signoff-code", nil); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("send code: %d", r.StatusCode)
		}
		if html := body(t, get(t, c, job)); !strings.Contains(html, f.Users[policy.Customer].Email) {
			t.Fatalf("the page does not say where the code went: %.600s", html)
		}
		title := testutil.SelectOne[string](t, app.DB, `SELECT title FROM notifications WHERE kind = 'signoff.code' ORDER BY id DESC LIMIT 1`)
		code := regexp.MustCompile(`\d{6}`).FindString(title)
		wrong := "000000"
		if code == wrong {
			wrong = "999999"
		}
		r, html := post(t, c, job+"/steps", url.Values{"version": {version()}, "kind": {"sign_off"}, "signoff_name": {"李经理"}, "signoff_code": {wrong}})
		if r.StatusCode != 422 || !strings.Contains(html, "wrong code") && !strings.Contains(html, "4 attempt") {
			t.Fatalf("wrong code: %d", r.StatusCode)
		}
		post(t, c, job+"/steps", url.Values{"version": {version()}, "kind": {"sign_off"}, "signoff_name": {"李经理"}, "signoff_code": {code}})
		html = body(t, get(t, c, job))
		if !strings.Contains(html, f.Users[policy.Customer].Email) || !strings.Contains(html, "李经理") {
			t.Fatal("the sign-off by code is not shown")
		}
	})
}
