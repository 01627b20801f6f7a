package web_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"

	"aftersales/internal/labels"
	"aftersales/internal/policy"
	"aftersales/internal/testutil"
)

func TestLabelsExportAndHistoryPages(t *testing.T) {
	t.Parallel()
	app, f, _ := servingSQLite(t)
	c := signIn(t, app, f.Users[policy.VendorAdmin].Email)
	id := testutil.SelectOne[int64](t, app.DB, `SELECT id FROM units WHERE serial_number = 'FX100-0001'`)
	html := body(t, get(t, c, app.URL+"/units"))
	for _, want := range []string{`name="id" value="` + fmt.Sprint(id), `action="/units/labels.pdf"`, `/units/export?format=xlsx`, `name="all" value="1"`} {
		if !strings.Contains(html, want) {
			t.Errorf("the products page lacks %q", want)
		}
	}
	if html := body(t, get(t, c, app.URL+"/units?model=FX-100&serial=FX")); !strings.Contains(html, `/units/export?format=csv&amp;customer=&amp;model=FX-100&amp;serial=FX"`) {
		t.Error("the export links do not carry the filter: " + regexp.MustCompile(`/units/export[^"]*"`).FindString(html))
	}
	// Nothing ticked: the list again, with the reason.
	res := get(t, c, app.URL+"/units/labels.pdf?layout=a4-3x8")
	if html := body(t, res); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(html, "tick at least one product") {
		t.Fatalf("no product ticked: %d", res.StatusCode)
	}
	res = get(t, c, app.URL+"/units/labels.pdf?hotline=call+me&id="+fmt.Sprint(id))
	if html := body(t, res); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(html, "phone number") || !strings.Contains(html, "checked") {
		t.Fatalf("a bad hotline: %d", res.StatusCode)
	}
	if _, err := os.Stat(labels.DefaultFontPath); err == nil {
		for _, q := range []string{"id=" + fmt.Sprint(id), "all=1&model=FX-100&layout=a4-2x7&outline=on"} {
			res := get(t, c, app.URL+"/units/labels.pdf?"+q)
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != 200 || !bytes.HasPrefix(b, []byte("%PDF")) || !strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment") {
				t.Fatalf("labels %s: %d %.200s", q, res.StatusCode, b)
			}
		}
	}
	// Without the font, the page says what to install, and the rest works.
	app.Server.Labels.Path = t.TempDir() + "/none.ttc"
	if _, err := os.Stat(labels.DefaultFontPath); err != nil {
		res := get(t, c, app.URL+"/units/labels.pdf?id="+fmt.Sprint(id))
		if html := body(t, res); res.StatusCode != http.StatusServiceUnavailable || !strings.Contains(html, "fonts-wqy-microhei") {
			t.Fatalf("labels without the font: %d", res.StatusCode)
		}
	}

	// Export in the user's language: Chinese column names for a Chinese page.
	req, _ := http.NewRequest("GET", app.URL+"/units/export?format=csv&model=FX-100", nil)
	req.Header.Set("Accept-Language", "zh-CN")
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	csv := body(t, res)
	if res.StatusCode != 200 || !strings.HasPrefix(csv, "\ufeff") || !strings.Contains(csv, "FX100-0001,FX-100,customer-one,Plant") {
		t.Fatalf("csv export: %d %q", res.StatusCode, csv)
	}
	if res := get(t, c, app.URL+"/units/export?format=doc"); res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("export as doc: %d", res.StatusCode)
	}

	// The unit page shows its history; a request filed shows up there.
	html = body(t, get(t, c, app.URL+fmt.Sprintf("/units/%d", id)))
	if !strings.Contains(html, `id="history"`) {
		t.Fatal("the unit page has no history")
	}
	dispatcher := app.API(t, f.Tokens[policy.Dispatcher])
	var filed struct{ Number string }
	dispatcher.Do("POST", "/service-requests", map[string]any{"serial_number": "FX100-0001", "service_item": "repair", "priority": "emergency",
		"description": "主轴报警 SP-17"}).JSON(t, &filed)
	html = body(t, get(t, c, app.URL+fmt.Sprintf("/units/%d", id)))
	if !strings.Contains(html, filed.Number) || !strings.Contains(html, "主轴报警 SP-17") {
		t.Fatalf("the history lacks the request %s", filed.Number)
	}
	// Another vendor's admin sees nothing of it.
	oc := signIn(t, app, "admin@two.example")
	if res := get(t, oc, app.URL+fmt.Sprintf("/units/%d", id)); res.StatusCode != http.StatusNotFound {
		t.Fatalf("another vendor opens the unit: %d", res.StatusCode)
	}
}
