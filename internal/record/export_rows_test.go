package record_test

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"aftersales/internal/record"
)

// cell is a record's export cell of column col.
func cell(t *testing.T, r record.Record, col string) string {
	t.Helper()
	i := slices.Index(record.ExportColumns, col)
	if i < 0 {
		t.Fatalf("no export column %q", col)
	}
	row := record.ExportRow(r)
	if len(row) != len(record.ExportColumns) {
		t.Fatalf("%d cells for %d columns", len(row), len(record.ExportColumns))
	}
	return row[i]
}

func visitRecord(t *testing.T, v *record.Visit) record.Record {
	t.Helper()
	b, err := json.Marshal(record.Content{Kind: record.KindVisit, Version: record.Version, Visit: v})
	if err != nil {
		t.Fatal(err)
	}
	return record.Record{ID: 7, ContentJSON: string(b)}
}

// The export names what DOMAIN 3.2.3 asks of a visit's record: time, place,
// customer, product, content, result, technician, check-in and check-out,
// parts and sign-off; and the exception that let a visit through.
func TestExportRowNamesTheVisit(t *testing.T) {
	t.Parallel()
	in := time.Date(2026, 12, 1, 1, 30, 0, 0, time.UTC)
	price := int64(12_000)
	r := visitRecord(t, &record.Visit{Request: "SR-1", Customer: "苏州精工", Place: record.Place{Division: "320505", Site: "一号厂房", Address: "苏州市虎丘区 1 号"},
		Product: record.Product{SerialNumber: "SN-1", Model: "HC-850"}, Technician: record.Person{ID: 3, Name: "李工"},
		CheckedIn: in, CheckedOut: in.Add(90 * time.Minute), OnSiteSeconds: 5400, Result: "fixed",
		SignOff: record.SignOff{Kind: "code", Name: "王经理", CodeSentTo: "138****5678", ConfirmedBy: &record.Person{ID: 3, Name: "李工"}},
		Parts:   []record.FittedPart{{PartNumber: "SP-1", Name: "主轴轴承", Quantity: 2, SerialInstalled: "B-9", UnitPriceFen: &price}},
		Exception: &record.VisitException{Reason: "唯一的工程师", Refused: "certification_expired",
			GrantedBy: record.Person{ID: 4, Name: "陈经理"}, GrantedAt: in}})
	for col, want := range map[string]string{
		"customer": "苏州精工", "site": "一号厂房", "address": "苏州市虎丘区 1 号", "division": "320505", "technician": "李工",
		"checked_in": "2026-12-01T09:30:00+08:00", "checked_out": "2026-12-01T11:00:00+08:00", "on_site_seconds": "5400",
		"parts": "SP-1 主轴轴承 ×2 (in: B-9)", "parts_cost_fen": "24000", "sign_off": "code: 王经理 (sent to 138****5678; entered by 李工)",
		"qualification_exception": "唯一的工程师 (refused: certification_expired; granted by 陈经理)", "id": "7", "kind": "visit",
	} {
		if got := cell(t, r, col); got != want {
			t.Errorf("%s = %q, want %q", col, got, want)
		}
	}
	// A visit without an exception, and a record sealed before exceptions
	// and names were recorded, say nothing of them.
	if got := cell(t, visitRecord(t, &record.Visit{}), "qualification_exception"); got != "" {
		t.Errorf("a visit without an exception exports %q", got)
	}
	old := record.Record{ContentJSON: `{"kind":"visit","version":2,"visit":{"request":"SR1","work_order":1}}`}
	if cell(t, old, "qualification_exception") != "" || cell(t, old, "customer") != "" || cell(t, old, "request") != "SR1" {
		t.Errorf("an older record exports %q", record.ExportRow(old))
	}
}

// Each correction is shown beside the value in force before it: the
// original's for the first, the earlier correction's after that.
func TestChangesOfCorrections(t *testing.T) {
	t.Parallel()
	original := record.Summary{Diagnosis: "轴承磨损", Actions: "更换", Result: "not_fixed"}
	got := record.ChangesOf(original, []record.Summary{
		{Changes: map[string]string{"result": "fixed", "diagnosis": "轴承损坏"}},
		{Changes: map[string]string{"diagnosis": "主轴轴承损坏"}},
		{},
	})
	want := [][]record.Change{
		{{Field: "diagnosis", Was: "轴承磨损", Now: "轴承损坏"}, {Field: "result", Was: "not_fixed", Now: "fixed"}},
		{{Field: "diagnosis", Was: "轴承损坏", Now: "主轴轴承损坏"}},
		nil,
	}
	if len(got) != len(want) {
		t.Fatalf("%d corrections, want %d", len(got), len(want))
	}
	for i := range want {
		if !slices.Equal(got[i], want[i]) {
			t.Errorf("correction %d: %+v, want %+v", i, got[i], want[i])
		}
	}
}
