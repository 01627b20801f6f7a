package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"aftersales/internal/complaint"
	"aftersales/internal/policy"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// A customer files a complaint with a photo from the product's QR page,
// naming the request by the number on the receipt; the complaint's page
// shows the request's number and the photo, to its parties only.
func TestQRPageFilesAComplaintWithAPhoto(t *testing.T) {
	servingEngines(t, func(t *testing.T, app *testutil.App, f *testutil.Fixture, sf testutil.ServiceFixture) {
		db := app.DB
		token := qrToken(t, db, sf.Serial)
		anon := app.Browser(t)
		anon.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		post := func(path string, fields map[string]string, attach map[string][]byte) *http.Response {
			form := url.Values{}
			for k, v := range fields {
				form.Set(k, v)
			}
			return postFiles(t, anon, app.URL+path, form, "attachments", attach)
		}
		res := post("/q/"+token, map[string]string{"description": "漏油", "contact_phone": "13812345678"}, nil)
		res.Body.Close()
		var number string
		if err := store.Get(t.Context(), db, &number, `SELECT number FROM service_requests`); err != nil {
			t.Fatalf("no request filed (%d): %v", res.StatusCode, err)
		}
		if page := body(t, get(t, anon, app.URL+"/q/"+token)); !strings.Contains(page, `action="/q/`+token+`/complaint"`) {
			t.Fatal("the QR page offers no complaint form")
		}

		fields := map[string]string{"kind": "complaint", "category": "repair_quality", "description": "修完又漏", "contact_phone": "13812345678", "request_number": "SR-1999-000001"}
		res = post("/q/"+token+"/complaint", fields, map[string][]byte{"leak.png": pngBytes()})
		if html := body(t, res); res.StatusCode != 422 || !strings.Contains(html, "SR-1999-000001") || !strings.Contains(html, "<details open>") {
			t.Fatalf("unknown number: %d", res.StatusCode)
		}
		n := testutil.SelectOne[int](t, db, `SELECT (SELECT COUNT(*) FROM complaints) + (SELECT COUNT(*) FROM complaint_files)`)
		if n != 0 {
			t.Fatalf("%d rows kept from a refused complaint", n)
		}
		fields["request_number"] = number
		res = post("/q/"+token+"/complaint", fields, map[string][]byte{"leak.png": pngBytes()})
		res.Body.Close()
		loc := res.Header.Get("Location")
		if res.StatusCode != http.StatusSeeOther || !strings.Contains(loc, "?complaint=") {
			t.Fatalf("filed: %d %s", res.StatusCode, loc)
		}
		var id, fileID int64
		if err := store.Get(t.Context(), db, &id, `SELECT id FROM complaints WHERE channel = 'qr'`); err != nil {
			t.Fatal(err)
		}
		if err := store.Get(t.Context(), db, &fileID, `SELECT file_id FROM complaint_files WHERE complaint_id = ?`, id); err != nil {
			t.Fatal(err)
		}
		if page := body(t, get(t, anon, app.URL+loc, "Accept-Language", "zh-CN")); !strings.Contains(page, "您对 "+number+" 的投诉（编号 "+itoa(id)+"）已受理") {
			t.Fatal("no confirmation on the QR page")
		}
		// A made-up complaint parameter confirms nothing.
		if page := body(t, get(t, anon, app.URL+"/q/"+token+"?complaint=999")); strings.Contains(page, "已受理") || strings.Contains(page, "was received") {
			t.Fatal("a made-up complaint was confirmed")
		}

		disp := signIn(t, app, f.Users[policy.Dispatcher].Email)
		page := body(t, get(t, disp, app.URL+"/complaints/"+itoa(id)))
		if !strings.Contains(page, ">"+number+"</a>") || !strings.Contains(page, "/complaints/"+itoa(id)+"/files/"+itoa(fileID)) || !strings.Contains(page, "leak.png") {
			t.Fatal("the complaint page lacks the request's number or the photo")
		}
		if res := get(t, disp, app.URL+"/complaints/"+itoa(id)+"/files/"+itoa(fileID)); res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/png" {
			t.Fatalf("the dispatcher opens the photo: %d", res.StatusCode)
		}
		other := signIn(t, app, f.OtherAdmin.Email)
		if res := get(t, other, app.URL+"/complaints/"+itoa(id)+"/files/"+itoa(fileID)); res.StatusCode != 404 {
			t.Fatalf("another vendor opens the photo: %d", res.StatusCode)
		}
	})
}

// Files added on a complaint's page after filing: a refused one shows the
// page again naming it, nothing kept; an accepted one is listed with the
// complaint's files and named in its history.
func TestComplaintPageAddsFiles(t *testing.T) {
	servingEngines(t, func(t *testing.T, app *testutil.App, f *testutil.Fixture, sf testutil.ServiceFixture) {
		ctx := t.Context()
		dispatcher := f.Users[policy.Dispatcher].Actor()
		req := fileRepair(t, app, f, sf, "漏油")
		c, err := app.Server.Complaints.File(ctx, dispatcher, complaint.NewComplaint{Category: "repair_quality", RequestID: req.ID, Description: "修完又漏"})
		if err != nil {
			t.Fatal(err)
		}
		customer := app.Browser(t)
		customer.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		app.Login(t, customer, f.Users[policy.Customer].Email, testutil.Password)
		path := "/complaints/" + itoa(c.ID)
		if page := body(t, get(t, customer, app.URL+path, "Accept-Language", "zh-CN")); !strings.Contains(page, `action="`+path+`/files"`) {
			t.Fatal("the complaint page offers no way to add files")
		}
		post := func(attach map[string][]byte) *http.Response {
			return postFiles(t, customer, app.URL+path+"/files", nil, "attachments", attach)
		}
		kept := func() (n int) {
			_ = store.Get(ctx, app.DB, &n, `SELECT (SELECT COUNT(*) FROM complaint_files) + (SELECT COUNT(*) FROM files)`)
			return n
		}
		res := post(map[string][]byte{"note.png": []byte("plain words, not a picture")})
		if html := body(t, res); res.StatusCode != 422 || !strings.Contains(html, "note.png") || kept() != 0 {
			t.Fatalf("a text file as a photo: %d, %d rows kept", res.StatusCode, kept())
		}
		res = post(map[string][]byte{"leak.png": pngBytes()})
		res.Body.Close()
		if res.StatusCode != http.StatusSeeOther || kept() != 2 {
			t.Fatalf("add a photo: %d, %d rows", res.StatusCode, kept())
		}
		page := body(t, get(t, customer, app.URL+path, "Accept-Language", "zh-CN"))
		if !strings.Contains(page, "leak.png") || !strings.Contains(page, "Files added") || !strings.Contains(page, path+"/files/") {
			t.Fatal("the page lacks the added photo or its line in the history")
		}
	})
}
