package web

import (
	"encoding/json"
	"testing"
	"time"

	"aftersales/internal/record"
)

// The records' export names the exception that let a visit through, and
// says nothing for a visit without one (or a record sealed before
// exceptions were recorded).
func TestExportNamesTheQualificationException(t *testing.T) {
	t.Parallel()
	rec := func(v *record.Visit) record.Record {
		b, err := json.Marshal(record.Content{Kind: record.KindVisit, Version: record.Version, Visit: v})
		if err != nil {
			t.Fatal(err)
		}
		return record.Record{ContentJSON: string(b)}
	}
	with := rec(&record.Visit{Exception: &record.VisitException{Reason: "唯一的工程师", Refused: "certification_expired",
		GrantedBy: record.Person{ID: 3, Name: "陈经理"}, GrantedAt: time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC)}})
	if got, want := exceptionOf(with), "唯一的工程师 (refused: certification_expired; granted by 陈经理)"; got != want {
		t.Fatalf("export says %q, want %q", got, want)
	}
	if got := exceptionOf(rec(&record.Visit{})); got != "" {
		t.Fatalf("a visit without an exception exports %q", got)
	}
	old := record.Record{ContentJSON: `{"kind":"visit","version":2,"visit":{"request":"SR1","work_order":1}}`}
	c, err := old.Content()
	if err != nil || c.Visit.Exception != nil || exceptionOf(old) != "" {
		t.Fatalf("an older record: %v %+v", err, c.Visit)
	}
}
