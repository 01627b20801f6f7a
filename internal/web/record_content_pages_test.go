package web_test

import (
	"aftersales/internal/workorder"
	"context"
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"aftersales/internal/account"
	"aftersales/internal/demo"
	"aftersales/internal/parts"
	"aftersales/internal/record"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

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
	woID := selectOne[int64](t, db, `SELECT id FROM work_orders WHERE technician_id = ? AND status = 'on_site'`, tech.ID)
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
	price := selectOne[int64](t, db, `SELECT unit_cost_fen FROM parts WHERE part_number = ?`, demo.PartBearing)
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
