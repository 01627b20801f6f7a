package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"aftersales/internal/files"
	"aftersales/internal/policy"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// awaitImport follows a background import's progress, as the page's htmx
// poll does, until it ends; then it returns the run's page.
func awaitImport(t *testing.T, c *http.Client, runURL string) *http.Response {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		res := get(t, c, runURL+"/progress")
		html := body(t, res)
		if res.StatusCode != http.StatusOK || !strings.Contains(html, "<progress") {
			t.Fatalf("progress: %d %s", res.StatusCode, html)
		}
		if res.Header.Get("HX-Redirect") != "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the import did not end within two minutes")
		}
		time.Sleep(50 * time.Millisecond)
	}
	return get(t, c, runURL)
}

// A large import: checked and imported in the background, all rows or none,
// with the progress shown; only its owner sees it.
func TestLargeImportWithProgress(t *testing.T) {
	t.Parallel()
	app, f, _ := servingSQLite(t)
	c := signIn(t, app, f.Users[policy.VendorAdmin].Email)
	var file strings.Builder
	file.WriteString("serial_number,model,customer_code,site_name,install_date\n")
	const n = 20_000
	for i := range n {
		fmt.Fprintf(&file, "BIG-%06d,FX-100,customer-one,Plant,2025-03-07\n", i)
	}
	upload := func() *http.Response {
		return postFiles(t, c, app.URL+"/units/import", nil, "file", map[string][]byte{"big.csv": []byte(file.String())})
	}
	res := upload()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("upload: %d", res.StatusCode)
	}
	run := res.Header.Get("Location")
	if page := body(t, get(t, c, app.URL+run)); !strings.Contains(page, "<progress") && !strings.Contains(page, "sha256") {
		t.Fatalf("the run page shows neither progress nor the outcome:\n%.2000s", page)
	}
	// Nobody else sees the run.
	other := signIn(t, app, f.Users[policy.VendorAuditor].Email)
	if res := get(t, other, app.URL+run+"/progress"); res.StatusCode != http.StatusNotFound {
		t.Fatalf("another user's view of the run: %d", res.StatusCode)
	}
	checked := body(t, awaitImport(t, c, app.URL+run))
	sum := regexp.MustCompile(`name="sha256" value="([0-9a-f]{64})"`).FindStringSubmatch(checked)
	if sum == nil {
		t.Fatalf("the check's outcome has no confirmation:\n%.2000s", checked)
	}
	var count int
	store.Get(t.Context(), app.DB, &count, `SELECT COUNT(*) FROM units WHERE serial_number LIKE 'BIG-%'`)
	if count != 0 {
		t.Fatalf("%d units imported by the check", count)
	}
	res, err := c.PostForm(app.URL+"/units/import/confirm", url.Values{"sha256": {sum[1]}})
	if err != nil || res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/units/import/runs/") {
		t.Fatalf("confirm: %v %d", err, res.StatusCode)
	}
	done := awaitImport(t, c, app.URL+res.Header.Get("Location"))
	if done.StatusCode != http.StatusSeeOther || done.Header.Get("Location") != "/units" {
		t.Fatalf("the import's outcome: %d %s", done.StatusCode, done.Header.Get("Location"))
	}
	if html := body(t, get(t, c, app.URL+"/units")); !strings.Contains(html, fmt.Sprint(n)) {
		t.Fatal("no message of the imported count")
	}
	store.Get(t.Context(), app.DB, &count, `SELECT COUNT(*) FROM units WHERE serial_number LIKE 'BIG-%'`)
	if count != n {
		t.Fatalf("%d units imported, want %d", count, n)
	}
	// The same file again: every row is already registered, nothing changes.
	res = upload()
	if again := awaitImport(t, c, app.URL+res.Header.Get("Location")); again.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(body(t, again), "is already registered") {
		t.Fatalf("the same file again: %d", again.StatusCode)
	}
}

func TestInstalledBasePages(t *testing.T) {
	t.Parallel()
	app, f, _ := servingSQLite(t)
	c := signIn(t, app, f.Users[policy.VendorAdmin].Email)

	post := func(path string, form url.Values) *http.Response {
		t.Helper()
		res, err := c.PostForm(app.URL+path, form)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	// A model, then a bad and a good product.
	if res := post("/models", url.Values{"code": {"hc-laser-3015"}, "name": {"激光切割机"}, "warranty_months": {"18"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("create model: %d", res.StatusCode)
	}
	if html := body(t, get(t, c, app.URL+"/models")); !strings.Contains(html, "HC-LASER-3015") || !strings.Contains(html, "FX-100") {
		t.Fatal("the models page lacks the models")
	}
	siteID := testutil.SelectOne[int64](t, app.DB, `SELECT id FROM sites WHERE name = 'Plant'`)
	res := post("/units", url.Values{"serial_number": {"2.02606E+17"}, "model": {"HC-LASER-3015"}, "site_id": {fmt.Sprint(siteID)}, "install_date": {"2025-03-07"}})
	if html := body(t, res); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(html, "scientific notation") {
		t.Fatalf("a mangled serial: %d", res.StatusCode)
	}
	res = post("/units", url.Values{"serial_number": {"hcl3015-2025-00301"}, "model": {"HC-LASER-3015"}, "site_id": {fmt.Sprint(siteID)}, "install_date": {"2025-03-07"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("create unit: %d %s", res.StatusCode, body(t, res))
	}
	unitPath := res.Header.Get("Location")
	html := body(t, get(t, c, app.URL+unitPath))
	for _, want := range []string{"HCL3015-2025-00301", "320505", "2026-09-06", "/q/"} {
		if !strings.Contains(html, want) {
			t.Errorf("the unit page lacks %q", want)
		}
	}
	token := regexp.MustCompile(`/q/([a-z2-7]{52})`).FindStringSubmatch(html)
	if token == nil {
		t.Fatal("no QR link on the unit page")
	}
	if res := post(unitPath+"/qr-token", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("rotate: %d", res.StatusCode)
	}
	if html := body(t, get(t, c, app.URL+unitPath)); strings.Contains(html, token[1]) {
		t.Fatal("the old QR token is still shown after rotating it")
	}
	if html := body(t, get(t, c, app.URL+"/units?serial=00301")); !strings.Contains(html, "HCL3015-2025-00301") || strings.Contains(html, "FX100-0001") {
		t.Fatal("the serial filter does not filter")
	}

	// Import: upload, the dry run's report, confirm.
	upload := func(name, content string) *http.Response {
		return postFiles(t, c, app.URL+"/units/import", nil, "file", map[string][]byte{name: []byte(content)})
	}
	res = upload("bad.csv", "序列号,型号,客户代码,网点名称,安装日期\nIMP-1,NOPE,customer-one,Plant,2025/3/7\n")
	if html := body(t, res); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(html, "unknown model") {
		t.Fatalf("bad file: %d", res.StatusCode)
	}
	// Upload routes take more than the 1 MiB other bodies may carry, up to their own limit.
	big := "序列号,型号,客户代码,网点名称,安装日期\n" + strings.Repeat("IMP-X,NOPE,customer-one,Plant,2025/3/7\n", 60_000)
	// A file that large is checked in the background, with its progress on a page.
	res = upload("big.csv", big)
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/units/import/runs/") {
		t.Fatalf("2 MB file: %d", res.StatusCode)
	}
	if res := awaitImport(t, c, app.URL+res.Header.Get("Location")); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body(t, res), "unknown model") {
		t.Fatalf("2 MB file checked: %d", res.StatusCode)
	}
	// A file past the route's limit is refused before it is read, naming the limit.
	if res := upload("huge.csv", strings.Repeat(big, 8)); res.StatusCode != http.StatusRequestEntityTooLarge ||
		!strings.Contains(body(t, res), files.HumanSize(16<<20+1<<20) /* the file limit and the form around it */) {
		t.Fatalf("17 MB file: %d", res.StatusCode)
	}
	res = upload("good.csv", "序列号,型号,客户代码,网点名称,安装日期\nIMP-1,FX-100,customer-one,Plant,2025/3/7\nIMP-2,FX-100,customer-one,Plant,2025/3/8\n")
	html = body(t, res)
	sum := regexp.MustCompile(`name="sha256" value="([0-9a-f]{64})"`).FindStringSubmatch(html)
	if res.StatusCode != http.StatusOK || sum == nil {
		t.Fatalf("good file: %d", res.StatusCode)
	}
	if res := post("/units/import/confirm", url.Values{"sha256": {strings.Repeat("0", 64)}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("confirm of another file: %d", res.StatusCode)
	}
	if res := post("/units/import/confirm", url.Values{"sha256": {sum[1]}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("confirm: %d", res.StatusCode)
	}
	if html := body(t, get(t, c, app.URL+"/units?serial=IMP-")); !strings.Contains(html, "IMP-2") {
		t.Fatal("the imported units are not listed")
	}

	// A customer sees its products and sites, and may not import.
	cc := signIn(t, app, f.Users[policy.Customer].Email)
	if html := body(t, get(t, cc, app.URL+"/units")); !strings.Contains(html, "FX100-0001") || strings.Contains(html, "/units/import") {
		t.Fatal("the customer's products page")
	}
	if res := get(t, cc, app.URL+"/units/import"); res.StatusCode != http.StatusForbidden {
		t.Fatalf("a customer opens the import page: %d", res.StatusCode)
	}
	res, err := cc.PostForm(app.URL+"/sites", url.Values{"name": {"二号厂房"}, "address": {"东莞市松山湖"}, "division": {"441900"}, "contact_phone": {"0769-22221111"}})
	if err != nil || res.StatusCode != http.StatusSeeOther {
		t.Fatalf("a customer adds a site: %v %d", err, res.StatusCode)
	}
	if html := body(t, get(t, cc, app.URL+"/sites")); !strings.Contains(html, "二号厂房") || !strings.Contains(html, "441900") {
		t.Fatal("the new site is not listed")
	}
	// Another vendor sees none of it.
	oc := signIn(t, app, f.OtherAdmin.Email)
	if res := get(t, oc, app.URL+unitPath); res.StatusCode != http.StatusNotFound {
		t.Fatalf("another vendor opens the unit: %d", res.StatusCode)
	}
}
