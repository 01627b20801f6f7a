package record_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/record"
	"aftersales/internal/sla"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// Content as the first records were sealed: a hand-built map marshalled
// by encoding/json (keys sorted), with no kind (but a correction's) and
// no version.
const (
	v1Visit = `{"actions":"更换主轴前轴承","agreement":"AG-2026-001","checked_in":"2026-03-02T02:00:00Z","checked_out":"2026-03-02T03:30:15Z",` +
		`"customer_org":3,"description":"主轴异响","diagnosis":"轴承磨损","fault_codes":"E12","parts":[{"part_number":"SP-100","name":"轴承","kind":"genuine","quantity":2}],` +
		`"photos":[{"name":"a.png","sha256":"ab12","stage":"work"}],"place":{"division":"440305","lat":22.5,"lng":113.9},"priority":"emergency",` +
		`"product":{"model":"CNC-5","serial_number":"SN-1"},"received_at":"2026-03-01T08:00:00Z","request":"SR-20260301-0001","result":"fixed",` +
		`"service_item":"repair","sign_off":{"confirmed_by":"code sent to a@example.com","kind":"code","name":"刘经理"},"technician":9,"work_order":4}`
	v1Consultation = `{"agreement":"AG-2026-001","answer":"先断电再复位","answered_at":"2026-03-02T01:00:00Z","answered_by":"disp@example.com",` +
		`"customer_org":3,"product":{"model":"CNC-5","serial_number":"SN-1"},"question":"如何复位？","received_at":"2026-03-01T08:00:00Z",` +
		`"request":"SR-20260301-0002","service_item":"consultation"}`
	v1Correction = `{"agreement":"AG-2026-001","changes":{"diagnosis":"主轴轴承磨损"},"corrected_at":"2026-03-03T01:00:00Z","corrected_by":"admin@example.com",` +
		`"corrects":{"hash":"h1","id":1,"seq":1},"kind":"correction","product":{"model":"CNC-5","serial_number":"SN-1"},"reason":"笔误","request":"SR-20260301-0001"}`
)

func TestOldVersionRecordsVerifyAndRead(t *testing.T) {
	withOrgs(t, func(t *testing.T, ctx context.Context, db *store.DB) {
		t0 := time.Date(2026, 3, 2, 4, 0, 0, 0, time.UTC)
		var recs []record.Record
		for i, raw := range []string{v1Visit, v1Consultation, v1Correction} {
			err := db.Tx(ctx, func(tx *sqlx.Tx) error {
				r, err := record.SealBytes(ctx, tx, t0.Add(time.Duration(i)*time.Hour), record.New{AgreementID: 5, VendorID: 1, ProviderID: 2, RetentionMonths: 36}, []byte(raw))
				recs = append(recs, r)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		// A record sealed today follows them on the same chain.
		now := seal(t, db, t0.Add(5*time.Hour), 5, "new", nil)
		if res := verify(t, db); len(res.Breaks) != 0 || res.Records != 4 {
			t.Fatalf("old records do not verify: %+v", res)
		}
		for i, raw := range []string{v1Visit, v1Consultation, v1Correction} {
			got, err := record.Get(ctx, db, recs[i].ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.ContentJSON != raw {
				t.Fatalf("stored bytes changed:\n%s\n%s", got.ContentJSON, raw)
			}
		}

		visit, err := mustGet(t, db, recs[0].ID).Content()
		if err != nil {
			t.Fatal(err)
		}
		v := visit.Visit
		if visit.Version != 1 || visit.Kind != record.KindVisit || v == nil {
			t.Fatalf("visit read as %+v", visit)
		}
		if v.Request != "SR-20260301-0001" || v.Technician.ID != 9 || v.Product.SerialNumber != "SN-1" || v.Place.Division != "440305" ||
			v.SignOff.Kind != "code" || v.SignOff.Name != "刘经理" || !strings.Contains(v.SignOff.ConfirmedByText, "a@example.com") ||
			len(v.Photos) != 1 || v.Photos[0].SHA256 != "ab12" || v.Result != "fixed" || len(v.Clocks) != 0 {
			t.Fatalf("visit fields: %+v", v)
		}
		if v.OnSiteSeconds != 90*60+15 {
			t.Fatalf("on site %d s, want %d", v.OnSiteSeconds, 90*60+15)
		}
		if len(v.Parts) != 1 || v.Parts[0].UnitPriceFen != nil || v.Parts[0].Quantity != 2 {
			t.Fatalf("parts: %+v", v.Parts)
		}
		if _, known := v.PartsCostFen(); known {
			t.Fatal("a version 1 record has no part prices")
		}

		consult, err := mustGet(t, db, recs[1].ID).Content()
		if err != nil || consult.Version != 1 || consult.Kind != record.KindConsultation || consult.Consultation == nil ||
			consult.Consultation.Answer != "先断电再复位" || consult.Consultation.AnsweredBy.Name != "disp@example.com" {
			t.Fatalf("consultation read as %+v %v", consult, err)
		}
		fix, err := mustGet(t, db, recs[2].ID).Content()
		if err != nil || fix.Kind != record.KindCorrection || fix.Correction == nil || fix.Correction.Corrects.ID != 1 ||
			fix.Correction.Changes["diagnosis"] != "主轴轴承磨损" || fix.Correction.CorrectedBy.Name != "admin@example.com" {
			t.Fatalf("correction read as %+v %v", fix, err)
		}
		if s := mustGet(t, db, recs[0].ID).Summary(); s.Serial != "SN-1" || s.Diagnosis != "轴承磨损" || s.Result != "fixed" {
			t.Fatalf("summary of a version 1 visit: %+v", s)
		}
		if s := mustGet(t, db, recs[2].ID).Summary(); s.Reason != "笔误" || s.Changes["diagnosis"] == "" {
			t.Fatalf("summary of a version 1 correction: %+v", s)
		}
		if c, err := now.Content(); err != nil || c.Version != record.Version || c.Consultation.Question != "new" {
			t.Fatalf("new record read as %+v %v", c, err)
		}
	})
}

func mustGet(t *testing.T, db *store.DB, id int64) record.Record {
	t.Helper()
	r, err := record.Get(context.Background(), db, id)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestSealStoresTheTypedContentItHashes(t *testing.T) {
	withOrgs(t, func(t *testing.T, _ context.Context, db *store.DB) {
		price := int64(12550)
		in := &record.Visit{Request: "SR-1", Product: record.Product{SerialNumber: "SN-9"}, Result: "fixed", OnSiteSeconds: 3600,
			Parts:  []record.FittedPart{{PartNumber: "SP-1", Quantity: 3, UnitPriceFen: &price}},
			Clocks: []record.ClockOutcome{{Clock: sla.OnSite, State: sla.StateBreached, DueAt: time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC), MarginSeconds: -600}}}
		r := seal(t, db, time.Date(2026, 3, 2, 3, 0, 0, 0, time.UTC), 1, record.Content{Kind: record.KindVisit, Visit: in}, nil)
		stored := mustGet(t, db, r.ID)
		if stored.Hash != record.Hash(stored.Seq, stored.PrevHash, stored.SealedAt, stored.ContentJSON) {
			t.Fatal("the hash does not cover the stored bytes")
		}
		var head struct {
			Kind    string `json:"kind"`
			Version int    `json:"version"`
		}
		if err := json.Unmarshal([]byte(stored.ContentJSON), &head); err != nil || head.Kind != "visit" || head.Version != record.Version {
			t.Fatalf("sealed as %s (%v)", stored.ContentJSON, err)
		}
		c, err := stored.Content()
		if err != nil || c.Visit == nil {
			t.Fatal(err)
		}
		if total, known := c.Visit.PartsCostFen(); !known || total != 3*12550 {
			t.Fatalf("parts cost %d %v", total, known)
		}
		if o := c.Visit.Clocks[0]; !o.Breached() || o.LateBySeconds() != 600 || o.Clock != sla.OnSite {
			t.Fatalf("clock read back as %+v", o)
		}
	})
}

func TestSealRefusesContentWithoutItsBody(t *testing.T) {
	t.Parallel()
	db := testutil.NewDB(t, store.SQLite)
	orgs(t, db)
	for name, c := range map[string]record.Content{
		"no body":         {Kind: record.KindVisit},
		"another's body":  {Kind: record.KindVisit, Consultation: &record.Consultation{}},
		"two bodies":      {Kind: record.KindConsultation, Consultation: &record.Consultation{}, Visit: &record.Visit{}},
		"inspection":      {Kind: record.KindInspection, Visit: &record.Visit{}},
		"an unknown kind": {Kind: "repair", Visit: &record.Visit{}},
	} {
		err := db.Tx(context.Background(), func(tx *sqlx.Tx) error {
			_, err := record.Seal(context.Background(), tx, time.Now(), record.New{AgreementID: 1, VendorID: 1, ProviderID: 2, Content: c, RetentionMonths: 12})
			return err
		})
		if err == nil {
			t.Errorf("%s: sealed", name)
		}
	}
	if res := verify(t, db); res.Records != 0 {
		t.Fatalf("refused content left %d records", res.Records)
	}
}

func TestDecodeContentRefusesANewerVersion(t *testing.T) {
	t.Parallel()
	if _, err := record.DecodeContent([]byte(`{"kind":"visit","version":3,"visit":{}}`)); err == nil {
		t.Fatal("read a version this program does not know")
	}
	if _, err := record.DecodeContent([]byte(`not json`)); err == nil {
		t.Fatal("read bytes that are not JSON")
	}
}

func TestClockOutcomes(t *testing.T) {
	t.Parallel()
	due := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	at := due.Add(2 * time.Hour)
	early, late, justLate := due.Add(-30*time.Minute), due.Add(45*time.Minute), due.Add(500*time.Millisecond)
	for _, tc := range []struct {
		name   string
		clock  sla.Clock
		margin int64
		late   int64
		stop   *time.Time
	}{
		{"met early", sla.Clock{Kind: sla.Response, State: sla.StateMet, DueAt: due, MetAt: &early}, 1800, 0, &early},
		{"stopped late", sla.Clock{Kind: sla.OnSite, State: sla.StateBreached, DueAt: due, MetAt: &late}, -2700, 2700, &late},
		{"breached, still running", sla.Clock{Kind: sla.Resolution, State: sla.StateBreached, DueAt: due}, -7200, 7200, nil},
		{"running", sla.Clock{Kind: sla.Resolution, State: sla.StateRunning, DueAt: at.Add(time.Hour)}, 3600, 0, nil},
		{"breached at its due second", sla.Clock{Kind: sla.OnSite, State: sla.StateBreached, DueAt: due, MetAt: &justLate}, -1, 1, &justLate},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := record.ClockOutcomes([]sla.Clock{tc.clock}, at)[0]
			if o.MarginSeconds != tc.margin || o.LateBySeconds() != tc.late || o.State != tc.clock.State || o.Clock != tc.clock.Kind || !o.DueAt.Equal(tc.clock.DueAt) {
				t.Fatalf("%+v", o)
			}
			if (o.StoppedAt == nil) != (tc.stop == nil) || (o.StoppedAt != nil && !o.StoppedAt.Equal(*tc.stop)) {
				t.Fatalf("stopped at %v, want %v", o.StoppedAt, tc.stop)
			}
		})
	}
}
