package web_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"aftersales/internal/account"
	"aftersales/internal/demo"
	"aftersales/internal/parts"
	"aftersales/internal/policy"
	"aftersales/internal/record"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
	"aftersales/internal/workorder"
)

// The records pages: the provider and the vendor list, read and export the
// sealed records, the provider seals a correction, and nobody else sees any.
func TestRecordPages(t *testing.T) {
	servingEngines(t, func(t *testing.T, app *testutil.App, f *testutil.Fixture, sf testutil.ServiceFixture) {
		id := testutil.SealRecord(t, app, f, sf.Serial)
		page := fmt.Sprintf("/records/%d", id)

		c := signIn(t, app, f.Users[policy.Dispatcher].Email)
		for _, lang := range []string{"zh-CN", "en"} {
			get(t, c, app.URL+"/lang/"+lang+"?next=/profile").Body.Close()
			for _, p := range []string{"/records", page} {
				res := get(t, c, app.URL+p)
				html := body(t, res)
				if res.StatusCode != 200 || !strings.Contains(html, `href="`+page+`"`) && p == "/records" || strings.Contains(html, ">records.") {
					t.Fatalf("%s %s: %d\n%.600s", lang, p, res.StatusCode, html)
				}
			}
		}
		html := body(t, get(t, c, app.URL+page))
		if !strings.Contains(html, "Menu &gt; Axes &gt; Zero") || !strings.Contains(html, `id="chain-state"`) || !strings.Contains(html, "(1 in all)") || !strings.Contains(html, `action="`+page+`/corrections"`) {
			t.Fatalf("record page lacks its chain state or the correction form:\n%s", html)
		}

		correct := func(form url.Values) (*http.Response, string) { return post(t, c, app.URL+page+"/corrections", form) }
		// A correction without a reason is shown again with the field named; nothing is sealed.
		res2, html := correct(url.Values{"reason": {""}, "diagnosis": {"wrong menu"}})
		if res2.StatusCode != 422 || !strings.Contains(html, `class="err"`) || !strings.Contains(html, "wrong menu") {
			t.Fatalf("bad correction: %d", res2.StatusCode)
		}
		if n := countRows(t, app.DB, "service_records"); n != 1 {
			t.Fatalf("%d records after a refused correction", n)
		}
		res2, _ = correct(url.Values{"reason": {"the menu was named wrongly"}, "actions_taken": {"Menu > Machine > Zero axes"}, "result": {"fixed"}})
		if res2.StatusCode != http.StatusSeeOther || res2.Header.Get("Location") != page {
			t.Fatalf("correction: %d %s", res2.StatusCode, res2.Header.Get("Location"))
		}
		html = body(t, get(t, c, app.URL+page))
		if !strings.Contains(html, "the menu was named wrongly") || !strings.Contains(html, "(2 in all)") {
			t.Fatalf("the corrected record does not show its correction:\n%s", html)
		}
		// The record names its customer, and the correction shows
		// the corrected value beside the original, here and on its own page.
		beside := `<del class="prewrap">Menu &gt; Axes &gt; Zero</del>`
		for _, want := range []string{`id="record-customer">` + f.Customer.Name, beside, `<ins class="prewrap">Menu &gt; Machine &gt; Zero axes</ins>`} {
			if !strings.Contains(html, want) {
				t.Errorf("the record page lacks %q", want)
			}
		}
		correction := testutil.SelectOne[int64](t, app.DB, `SELECT id FROM service_records WHERE corrects_id = ?`, id)
		if html := body(t, get(t, c, fmt.Sprintf("%s/records/%d", app.URL, correction))); !strings.Contains(html, beside) {
			t.Errorf("the correction's page does not show the original value:\n%s", html)
		}

		// The vendor's auditor exports both, as text a spreadsheet will not run.
		a := signIn(t, app, f.Users[policy.VendorAuditor].Email)
		csv := body(t, get(t, a, app.URL+"/records.csv"))
		rows := exportRows(t, csv)
		if !strings.HasPrefix(csv, "\xef\xbb\xbfid,kind,agreement,seq,") || len(rows) != 2 || !strings.Contains(csv, "the menu was named wrongly") || !strings.Contains(csv, ",Menu > Axes > Zero,") {
			t.Fatalf("export:\n%s", csv)
		}
		// The consultation names its customer and who answered it.
		consultation := rows[1]
		for col, want := range map[string]string{"customer": f.Customer.Name, "kind": "consultation", "answer": "Menu > Axes > Zero",
			"technician": f.Users[policy.Dispatcher].Email, "description": "How do I zero the axes?"} {
			if consultation[col] != want {
				t.Errorf("export %s = %q, want %q", col, consultation[col], want)
			}
		}
		if rows[0]["corrects_id"] != consultation["id"] || !strings.Contains(rows[0]["changes"], "actions=Menu > Machine > Zero axes") {
			t.Errorf("export of the correction: %v", rows[0])
		}
		// The same rows as a workbook, headed in the reader's language.
		get(t, a, app.URL+"/lang/zh-CN?next=/profile").Body.Close()
		res := get(t, a, app.URL+"/records.xlsx")
		book, err := excelize.OpenReader(res.Body)
		res.Body.Close()
		if err != nil || res.Header.Get("Content-Type") != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
			t.Fatalf("workbook: %v %s", err, res.Header.Get("Content-Type"))
		}
		sheet, err := book.GetRows("Sheet1")
		if err != nil || len(sheet) != 3 || sheet[0][0] != "记录编号" || !slices.Contains(sheet[0], "客户") || !slices.Contains(sheet[2], f.Customer.Name) {
			t.Fatalf("workbook rows (%v): %v", err, sheet)
		}
		get(t, a, app.URL+"/lang/en?next=/profile").Body.Close()
		if html := body(t, get(t, a, app.URL+page)); strings.Contains(html, `/corrections"`) {
			t.Fatal("the vendor's auditor is offered the correction form")
		}
		// A bad filter is refused, each field named, the form showing what was typed.
		bad := get(t, a, app.URL+"/records?from=yesterday&before=x")
		if html := body(t, bad); bad.StatusCode != 400 || !strings.Contains(html, `name="from" value="yesterday"`) ||
			!strings.Contains(html, "From: “yesterday” is not a date like 2026-12-01.") || !strings.Contains(html, "Page: “x” is not a whole number of 1 or more.") {
			t.Fatalf("bad filter: %d\n%s", bad.StatusCode, html)
		}

		for _, who := range []struct {
			email string
			code  int
		}{{f.Users[policy.Technician].Email, 404}, {f.Users[policy.Customer].Email, 404}, {f.OtherAdmin.Email, 404}} {
			o := signIn(t, app, who.email)
			if res := get(t, o, app.URL+page); res.StatusCode != who.code {
				t.Errorf("%s reads a record: %d, want %d", who.email, res.StatusCode, who.code)
			}
			if csv := body(t, get(t, o, app.URL+"/records.csv")); strings.Contains(csv, "Zero") {
				t.Errorf("%s exports our records", who.email)
			}
		}
	})
}

// exportRows reads a records export, newest first, each row by column name.
func exportRows(t *testing.T, text string) []map[string]string {
	t.Helper()
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(text, "\ufeff"))).ReadAll()
	if err != nil || len(rows) == 0 {
		t.Fatalf("export (%v):\n%s", err, text)
	}
	out := make([]map[string]string, len(rows)-1)
	for i, r := range rows[1:] {
		out[i] = map[string]string{}
		for j, name := range rows[0] {
			out[i][name] = r[j]
		}
	}
	return out
}

// The record page shows what the agreement measures of a visit: the clocks
// met or breached, the time on site and the parts fitted with their prices
// at sealing; a record sealed before records carried them still reads.
func TestRecordPageShowsTheVisitsClocksTimeOnSiteAndParts(t *testing.T) {
	t.Parallel()
	testutil.DemoEngines(t, func(t *testing.T, db *store.DB) { recordPageOfAVisit(t, db) })
}

func recordPageOfAVisit(t *testing.T, db *store.DB) {
	ctx := context.Background()
	services := testutil.Services(t, db)
	// 何工 finishes the demo's open visit, where two bearing sets were fitted.
	tech, err := account.GetUserByEmail(ctx, db, "tech.he@yuean.example")
	if err != nil {
		t.Fatal(err)
	}
	woID := testutil.SelectOne[int64](t, db, `SELECT id FROM work_orders WHERE technician_id = ? AND status = 'on_site'`, tech.ID)
	wo, err := services.WorkOrders.Get(ctx, tech.Actor(), woID)
	if err != nil {
		t.Fatal(err)
	}
	sig := append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 64)...)
	km := 18.5
	for _, st := range []workorder.Step{{Kind: "record", Diagnosis: "轴承磨损", ActionsTaken: "更换主轴轴承两套"},
		{Kind: "sign_off", SignoffName: "何主管", SignaturePNG: sig}, {Kind: "check_out", Result: "fixed", TravelKM: &km}} {
		if wo, err = services.WorkOrders.Step(ctx, tech.Actor(), wo.ID, st, wo.Version); err != nil {
			t.Fatalf("%s: %v", st.Kind, err)
		}
	}
	price := testutil.SelectOne[int64](t, db, `SELECT unit_cost_fen FROM parts WHERE part_number = ?`, demo.PartBearing)
	old := sealVersion1(t, db, *wo.RecordID)

	app := testutil.NewApp(t, db)
	c := signInDemo(t, app, "admin@yuean.example")
	for lang, want := range map[string][]string{
		"zh-CN": {"封存时的服务时限", "现场时长", "更换的配件", "配件合计", "何主管", "已达成", "18.5 公里"},
		"en":    {"Clocks at sealing", "Time on site", "Parts fitted", "Parts cost", "何主管", "met", "18.5 km"},
	} {
		get(t, c, app.URL+"/lang/"+lang+"?next=/profile").Body.Close()
		res := get(t, c, fmt.Sprintf("%s/records/%d", app.URL, *wo.RecordID))
		html := body(t, res)
		if res.StatusCode != 200 || strings.Contains(html, ">records.") {
			t.Fatalf("%s: %d\n%s", lang, res.StatusCode, html)
		}
		for _, w := range append(want, `id="record-clocks"`, `id="record-customer"`, `id="record-site"`, `id="on-site"`, `id="record-travel"`, demo.PartBearing, parts.FormatYuan(price), `id="parts-total">`+parts.FormatYuan(2*price)) {
			if !strings.Contains(html, w) {
				t.Errorf("%s: the visit's record page lacks %q", lang, w)
			}
		}
		res = get(t, c, fmt.Sprintf("%s/records/%d", app.URL, old))
		html = body(t, res)
		if res.StatusCode != 200 || !strings.Contains(html, `id="version-1"`) || !strings.Contains(html, "SN-OLD-1") ||
			!strings.Contains(html, `id="on-site"`) || strings.Contains(html, `id="record-clocks"`) || strings.Contains(html, `id="parts-total"`) ||
			!strings.Contains(html, `id="chain-state"`) || strings.Contains(html, `role="alert" id="chain-state"`) {
			t.Fatalf("%s: the version 1 record's page: %d\n%s", lang, res.StatusCode, html)
		}
	}
	// The export gives what settlement will read: the time on site and the
	// parts' cost in fen for the new record, nothing it does not know for
	// the old one.
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body(t, get(t, c, app.URL+"/records.csv")), "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, name := range rows[0] {
		col[name] = i
	}
	byID := map[string][]string{}
	for _, r := range rows[1:] {
		byID[r[col["id"]]] = r
	}
	visit, v1 := byID[strconv.FormatInt(*wo.RecordID, 10)], byID[strconv.FormatInt(old, 10)]
	if visit == nil || v1 == nil {
		t.Fatalf("export lacks the records:\n%v", rows)
	}
	if secs, err := strconv.ParseInt(visit[col["on_site_seconds"]], 10, 64); err != nil || secs < 0 || visit[col["parts_cost_fen"]] != strconv.FormatInt(2*price, 10) {
		t.Errorf("export of the visit: on site %q, parts %q, want %d fen", visit[col["on_site_seconds"]], visit[col["parts_cost_fen"]], 2*price)
	}
	// It names the visit as DOMAIN 3.2.3 asks: customer, site, technician,
	// check-in and check-out, parts and sign-off.
	for name, want := range map[string]string{"technician": "何工", "sign_off": "signature: 何主管", "kind": "visit"} {
		if visit[col[name]] != want {
			t.Errorf("export %s = %q, want %q", name, visit[col[name]], want)
		}
	}
	for _, name := range []string{"customer", "site", "address", "division", "checked_in", "checked_out", "received_at"} {
		if visit[col[name]] == "" {
			t.Errorf("export %s is empty", name)
		}
	}
	if strings.Count(visit[col["parts"]], demo.PartBearing+" ") != 2 {
		t.Errorf("export parts = %q", visit[col["parts"]])
	}
	if v1[col["parts_cost_fen"]] != "" || v1[col["breached_clocks"]] != "" {
		t.Errorf("export of the version 1 record claims parts %q, breaches %q", v1[col["parts_cost_fen"]], v1[col["breached_clocks"]])
	}
}

// sealVersion1 appends to the chain of record after a record whose content
// is as the first records were sealed (flat keys, no version), and returns
// its id.
func sealVersion1(t *testing.T, db *store.DB, after int64) int64 {
	t.Helper()
	ctx := context.Background()
	prev, err := record.Get(ctx, db, after)
	if err != nil {
		t.Fatal(err)
	}
	content := `{"actions":"更换","agreement":"AG-OLD","checked_in":"2026-03-02T02:00:00Z","checked_out":"2026-03-02T02:40:00Z","diagnosis":"旧记录",` +
		`"parts":[{"part_number":"SP-OLD","name":"旧件","kind":"genuine","quantity":1}],"product":{"model":"M","serial_number":"SN-OLD-1"},` +
		`"request":"SR-OLD","result":"fixed","sign_off":{"kind":"signature","name":"老客户","signature_sha256":"ab"},"technician":1,"work_order":1}`
	at := prev.SealedAt.Add(time.Minute)
	seq := prev.Seq + 1
	hash := record.Hash(seq, prev.Hash, at, content)
	id, err := store.InsertID(ctx, db, `INSERT INTO service_records (agreement_id, seq, vendor_id, provider_id, request_id, corrects_id,
		content_json, sealed_at, retain_until, prev_hash, hash) VALUES (?, ?, ?, ?, NULL, NULL, ?, ?, ?, ?, ?) RETURNING id`,
		prev.AgreementID, seq, prev.VendorID, prev.ProviderID, content, at, prev.RetainUntil, prev.Hash, hash)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.Exec(ctx, db, `UPDATE record_chains SET last_seq = ?, last_hash = ? WHERE agreement_id = ?`, seq, hash, prev.AgreementID); err != nil {
		t.Fatal(err)
	}
	return id
}
