package api_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"aftersales/internal/policy"
	"aftersales/internal/record"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// Sealed service records: the vendor and the provider query them, another
// tenant sees none; a correction is a new record on the same chain that
// refers to the first, which stays as it was; bad corrections change nothing.
func TestServiceRecords(t *testing.T) {
	t.Parallel()
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		app, f, sf := serving(t, db)
		dispatcher := app.API(t, f.Tokens[policy.Dispatcher])
		auditor := app.API(t, f.Tokens[policy.VendorAuditor])
		testutil.SealRecord(t, app, f, sf.Serial)

		var list struct {
			Items []struct {
				ID      int64          `json:"id"`
				Seq     int64          `json:"seq"`
				Hash    string         `json:"hash"`
				Content record.Content `json:"content"`
				Sealed  string         `json:"sealed_content"`
				At      time.Time      `json:"sealed_at"`
				Prev    string         `json:"prev_hash"`
				Retain  string         `json:"retain_until"`
			}
		}
		res := auditor.Do("GET", "/service-records", nil)
		res.JSON(t, &list)
		if res.Status != 200 || len(list.Items) != 1 || list.Items[0].Content.Kind != record.KindConsultation ||
			list.Items[0].Content.Version != record.Version || list.Items[0].Content.Consultation.Answer != "Menu > Axes > Zero" {
			t.Fatalf("the vendor's records: %d %s", res.Status, res.Body)
		}
		orig := list.Items[0]
		// What the API gives is enough to check the hash.
		if record.Hash(orig.Seq, orig.Prev, orig.At, orig.Sealed) != orig.Hash {
			t.Fatalf("the sealed content does not hash to the record's hash: %s", res.Body)
		}
		path := fmt.Sprintf("/service-records/%d", orig.ID)
		other := app.API(t, f.OtherToken)
		if res := other.Do("GET", "/service-records", nil); res.Status != 200 || strings.Contains(string(res.Body), "Zero") {
			t.Fatalf("another tenant lists our records: %s", res.Body)
		}
		problemOf(t, other.Do("GET", path, nil), 404, "not-found")

		// Bad queries and unknown records are named.
		if p := problemOf(t, auditor.Do("GET", "/service-records?from=yesterday", nil), 422, "validation"); !strings.Contains(fmt.Sprint(p["errors"]), "query.from") {
			t.Fatalf("a bad date is not named: %v", p["errors"])
		}
		problemOf(t, dispatcher.Do("POST", "/service-records/999999/corrections", map[string]any{"reason": "r", "diagnosis": "d"}), 404, "not-found")

		// Bad corrections are refused, naming each field, and seal nothing.
		p := problemOf(t, dispatcher.Do("POST", path+"/corrections", map[string]any{"reason": "x", "result": "maybe"}), 422, "validation")
		if !strings.Contains(fmt.Sprint(p["errors"]), "body.result") {
			t.Fatalf("the bad field is not named: %v", p["errors"])
		}
		p = problemOf(t, dispatcher.Do("POST", path+"/corrections", map[string]any{"reason": "nothing to say"}), 422, "validation")
		if !strings.Contains(fmt.Sprint(p["errors"]), "at least one corrected field") {
			t.Fatalf("a correction without changes: %v", p["errors"])
		}
		problemOf(t, auditor.Do("POST", path+"/corrections", map[string]any{"reason": "r", "diagnosis": "d"}), 403, "forbidden")
		if n := records(t, db); n != 1 {
			t.Fatalf("%d records after refused corrections", n)
		}

		res = dispatcher.Do("POST", path+"/corrections", map[string]any{"reason": "the menu was named wrongly", "actions_taken": "Menu > Machine > Zero axes"}, "Idempotency-Key", "fix-1")
		var corr struct {
			ID         int64          `json:"id"`
			Seq        int64          `json:"seq"`
			CorrectsID int64          `json:"corrects_id"`
			PrevHash   string         `json:"prev_hash"`
			Retain     string         `json:"retain_until"`
			Content    record.Content `json:"content"`
		}
		res.JSON(t, &corr)
		if res.Status != 201 || corr.CorrectsID != orig.ID || corr.Seq != orig.Seq+1 || corr.PrevHash != orig.Hash || corr.Retain < orig.Retain {
			t.Fatalf("correction: %d %s", res.Status, res.Body)
		}
		if c := corr.Content.Correction; corr.Content.Kind != record.KindCorrection || c == nil || c.Changes["actions"] != "Menu > Machine > Zero axes" ||
			c.Reason != "the menu was named wrongly" || c.Corrects.ID != orig.ID || c.Corrects.Hash != orig.Hash {
			t.Fatalf("correction content: %v", corr.Content)
		}
		// The same key answers the same correction; no second record.
		if again := dispatcher.Do("POST", path+"/corrections", map[string]any{"reason": "the menu was named wrongly", "actions_taken": "Menu > Machine > Zero axes"}, "Idempotency-Key", "fix-1"); again.Status != 201 || records(t, db) != 2 {
			t.Fatalf("repeated correction: %d, %d records", again.Status, records(t, db))
		}
		// A correction is corrected through the original.
		problemOf(t, dispatcher.Do("POST", fmt.Sprintf("/service-records/%d/corrections", corr.ID), map[string]any{"reason": "r", "diagnosis": "d"}), 409, "conflict")

		// The original is unchanged and lists its correction; the chain verifies.
		var got struct {
			Content     record.Content `json:"content"`
			Corrections []struct{ ID int64 }
		}
		res = auditor.Do("GET", path, nil)
		res.JSON(t, &got)
		if got.Content.Consultation == nil || got.Content.Consultation.Answer != "Menu > Axes > Zero" || len(got.Corrections) != 1 || got.Corrections[0].ID != corr.ID {
			t.Fatalf("the corrected record: %s", res.Body)
		}
		if v, err := record.Verify(ctx, db, 0); err != nil || len(v.Breaks) != 0 || v.Records != 2 {
			t.Fatalf("verify after a correction: %+v %v", v, err)
		}
	})
}

func records(t *testing.T, db *store.DB) int {
	t.Helper()
	return scalar[int](t, db, `SELECT COUNT(*) FROM service_records`)
}
