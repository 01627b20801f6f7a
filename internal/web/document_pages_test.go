package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"aftersales/internal/document"
	"aftersales/internal/policy"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

func TestDocumentPages(t *testing.T) {
	t.Parallel()
	app, f, _ := servingSQLite(t)
	db := app.DB
	vendor := signIn(t, app, f.Users[policy.VendorAdmin].Email)

	upload := func(path string, fields url.Values, name string, data []byte) *http.Response {
		t.Helper()
		files := map[string][]byte{}
		if name != "" {
			files[name] = data
		}
		return postFiles(t, vendor, app.URL+path, fields, "file", files)
	}
	meta := url.Values{"title": {"FX-100 维修手册"}, "category": {"manual"}, "language": {"zh-CN"}, "visibility": {"partners"},
		"models": {"FX-100"}, "part_numbers": {"SP-1，SP-2"}}

	// A text file named .pdf: the form comes back naming the file, nothing is stored.
	res := upload("/documents", meta, "manual.pdf", []byte("not a pdf at all"))
	if html := body(t, res); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(html, "not a known file type") {
		t.Fatalf("fake pdf: %d", res.StatusCode)
	}
	// No file and no title: both named.
	res = upload("/documents", url.Values{"category": {"manual"}, "visibility": {"partners"}}, "", nil)
	if html := body(t, res); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(html, "choose a file") || !strings.Contains(html, "is required") {
		t.Fatalf("empty form: %d %s", res.StatusCode, html)
	}

	pdf := document.SimplePDF("FX-100 service manual", []string{"Spindle lubrication every 500 hours."})
	res = upload("/documents", meta, "fx100.pdf", pdf)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("upload: %d %s", res.StatusCode, body(t, res))
	}
	docPath := res.Header.Get("Location")
	res = upload(docPath+"/versions", url.Values{"change_note": {"第二版"}}, "fx100-b.pdf", document.SimplePDF("rev B", nil))
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("new version: %d %s", res.StatusCode, body(t, res))
	}
	html := body(t, get(t, vendor, app.URL+docPath))
	for _, want := range []string{"FX-100 维修手册", "fx100.pdf", "fx100-b.pdf", "第二版", "SP-1", "SP-2", "/versions/1/file", "/versions/2/file"} {
		if !strings.Contains(html, want) {
			t.Errorf("the document page lacks %q", want)
		}
	}
	if html := body(t, get(t, vendor, app.URL+"/documents?q=%E7%BB%B4%E4%BF%AE")); !strings.Contains(html, "FX-100 维修手册") {
		t.Error("searching 维修 does not find the manual")
	}

	// The technician opens it; the download is audited.
	tech := signIn(t, app, f.Users[policy.Technician].Email)
	res = get(t, tech, app.URL+docPath+"/versions/1/file")
	if got := body(t, res); res.StatusCode != 200 || got != string(pdf) || res.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("technician download: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	n := testutil.SelectOne[int](t, db, `SELECT COUNT(*) FROM audit_events WHERE action = 'document.download' AND actor = ?`, f.Users[policy.Technician].Email)
	if n != 1 {
		t.Errorf("technician download audited %d times", n)
	}

	// The customer sees neither the partner document nor its file.
	cust := signIn(t, app, f.Users[policy.Customer].Email)
	if html := body(t, get(t, cust, app.URL+"/documents")); strings.Contains(html, "FX-100 维修手册") {
		t.Error("the customer lists a partner document")
	}
	if res := get(t, cust, app.URL+docPath+"/versions/1/file"); res.StatusCode != http.StatusNotFound {
		t.Errorf("customer download: %d", res.StatusCode)
	}
	// Once public, the customer sees it on the list and on the product page.
	version := testutil.SelectOne[int64](t, db, `SELECT version FROM documents`)
	edit := url.Values{"title": {"FX-100 维修手册"}, "category": {"manual"}, "language": {"zh-CN"}, "visibility": {"public"}, "models": {"FX-100"},
		"version": {fmt.Sprint(version)}}
	if res, _ := vendor.PostForm(app.URL+docPath, edit); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("edit: %d", res.StatusCode)
	}
	if html := body(t, get(t, cust, app.URL+"/documents")); !strings.Contains(html, "FX-100 维修手册") {
		t.Error("the customer does not list the public document")
	}
	unitID := testutil.SelectOne[int64](t, db, `SELECT id FROM units WHERE serial_number = 'FX100-0001'`)
	if html := body(t, get(t, cust, app.URL+fmt.Sprintf("/units/%d", unitID))); !strings.Contains(html, "FX-100 维修手册") {
		t.Error("the product page lacks the public document")
	}
	// The product's QR page links the public document, and serves it to whoever holds the label.
	token := testutil.SelectOne[string](t, db, `SELECT qr_token FROM units WHERE id = ?`, unitID)
	anon := app.Browser(t)
	if html := body(t, get(t, anon, app.URL+"/q/"+token)); !strings.Contains(html, "FX-100 维修手册") {
		t.Error("the QR page lacks the public document")
	}
	docID := strings.TrimPrefix(docPath, "/documents/")
	if res := get(t, anon, app.URL+"/q/"+token+"/documents/"+docID); res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/pdf" {
		t.Errorf("QR download: %d", res.StatusCode)
	}
	_ = store.Get(t.Context(), db, &n, `SELECT COUNT(*) FROM audit_events WHERE action = 'document.download' AND actor = 'QR label FX100-0001'`)
	if n != 1 {
		t.Errorf("QR download audited %d times", n)
	}
	// Archived, it is gone for the customer and the QR page.
	if res, _ := vendor.PostForm(app.URL+docPath+"/archive", url.Values{}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("archive: %d", res.StatusCode)
	}
	if res := get(t, cust, app.URL+docPath); res.StatusCode != http.StatusNotFound {
		t.Errorf("customer reads an archived document: %d", res.StatusCode)
	}
	if res := get(t, anon, app.URL+"/q/"+token+"/documents/"+docID); res.StatusCode != http.StatusNotFound {
		t.Errorf("QR download of an archived document: %d", res.StatusCode)
	}
}
