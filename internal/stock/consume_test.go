package stock_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"aftersales/internal/agreement"
	"aftersales/internal/calendar"
	"aftersales/internal/parts"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/record"
	"aftersales/internal/stock"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
	"aftersales/internal/workorder"
)

func reasonOf(err error) string {
	if p, ok := problem.As(err); ok {
		if p.Kind == problem.PartRefused {
			return p.Reason
		}
		return string(p.Kind)
	}
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestConsumptionIsRefusedWithAReasonAndChangesNothing(t *testing.T) {
	inWorld(t, func(t *testing.T, ctx context.Context, w *world) {
		fits := []int64{w.modelID}
		genuine := w.part(t, parts.Input{PartNumber: "SP-100", Name: "主轴轴承", Kind: parts.Genuine, UnitCostFen: 128000, ModelIDs: fits, ReturnRequired: true})
		unapproved := w.part(t, parts.Input{PartNumber: "AP-1", Name: "第三方滤芯", Kind: parts.Approved, UnitCostFen: 3500, ModelIDs: fits})
		expiring := w.part(t, parts.Input{PartNumber: "AP-2", Name: "认可皮带", Kind: parts.Approved, UnitCostFen: 9000, ModelIDs: fits})
		misfit := w.part(t, parts.Input{PartNumber: "SP-200", Name: "FX-200 专用电机", Kind: parts.Genuine, UnitCostFen: 450000, ModelIDs: []int64{w.otherModelID}})
		encoder := w.part(t, parts.Input{PartNumber: "ENC-9", Name: "编码器", Kind: parts.Genuine, UnitCostFen: 88000, ModelIDs: fits, Serialized: true})
		today := calendar.LocalDate(w.clock.Now())
		if _, err := w.parts.Approve(ctx, w.vendor, expiring.ID, parts.Approval{Until: today}, expiring.Version); err != nil {
			t.Fatal(err)
		}
		for _, p := range []parts.Part{genuine, unapproved, expiring, misfit, encoder} {
			w.receive(t, w.providerAdmin, w.van, p, 3)
		}
		w.receive(t, w.providerAdmin, w.van2, genuine, 1)
		assigned := w.visit(t, w.tech, false)
		wo := w.visit(t, w.tech, true)

		ledgerBefore, returnsBefore, auditBefore := w.count(t, "stock_movements"), w.count(t, "part_returns"), w.count(t, "audit_events")
		consume := func(a policy.Actor, in stock.ConsumeInput) error {
			_, err := w.stock.Consume(ctx, a, in)
			return err
		}
		for _, c := range []struct {
			name string
			a    policy.Actor
			in   stock.ConsumeInput
			want string
		}{
			{"never approved", w.tech, stock.ConsumeInput{WorkOrderID: wo.ID, LocationID: w.van.ID, PartID: unapproved.ID, Qty: 1}, parts.ReasonNotApproved},
			{"not compatible", w.tech, stock.ConsumeInput{WorkOrderID: wo.ID, LocationID: w.van.ID, PartID: misfit.ID, Qty: 1}, parts.ReasonNotCompatible},
			{"too few", w.tech, stock.ConsumeInput{WorkOrderID: wo.ID, LocationID: w.van.ID, PartID: genuine.ID, Qty: 4}, stock.ReasonInsufficientStock},
			{"another technician's van", w.tech, stock.ConsumeInput{WorkOrderID: wo.ID, LocationID: w.van2.ID, PartID: genuine.ID, Qty: 1}, stock.ReasonWrongLocation},
			{"the vendor's warehouse", w.tech, stock.ConsumeInput{WorkOrderID: wo.ID, LocationID: w.warehouse.ID, PartID: genuine.ID, Qty: 1}, stock.ReasonWrongLocation},
			{"not checked in", w.tech, stock.ConsumeInput{WorkOrderID: assigned.ID, LocationID: w.van.ID, PartID: genuine.ID, Qty: 1}, stock.ReasonNotOnSite},
			{"serials missing", w.tech, stock.ConsumeInput{WorkOrderID: wo.ID, LocationID: w.van.ID, PartID: encoder.ID, Qty: 1}, string(problem.Invalid)},
			{"another technician's visit", w.tech2, stock.ConsumeInput{WorkOrderID: wo.ID, LocationID: w.van2.ID, PartID: genuine.ID, Qty: 1}, string(problem.NotFound)},
			{"a vendor", w.vendor, stock.ConsumeInput{WorkOrderID: wo.ID, LocationID: w.van.ID, PartID: genuine.ID, Qty: 1}, string(problem.NotFound)},
			{"zero", w.tech, stock.ConsumeInput{WorkOrderID: wo.ID, LocationID: w.van.ID, PartID: genuine.ID, Qty: 0}, string(problem.Invalid)},
		} {
			if got := reasonOf(consume(c.a, c.in)); got != c.want {
				t.Errorf("%s: got %q, want %q", c.name, got, c.want)
			}
		}
		// The approval runs through its last day in China, not a minute more.
		if err := consume(w.tech, stock.ConsumeInput{WorkOrderID: wo.ID, LocationID: w.van.ID, PartID: expiring.ID, Qty: 1}); err != nil {
			t.Fatalf("approved through today: %v", err)
		}
		w.clock.Add(24 * time.Hour)
		if got := reasonOf(consume(w.tech, stock.ConsumeInput{WorkOrderID: wo.ID, LocationID: w.van.ID, PartID: expiring.ID, Qty: 1})); got != parts.ReasonApprovalExpired {
			t.Errorf("after the last day: %q", got)
		}
		// Renewed, then revoked.
		expiring, _ = w.parts.Get(ctx, w.vendor, expiring.ID)
		if expiring, _ = w.parts.Approve(ctx, w.vendor, expiring.ID, parts.Approval{}, expiring.Version); expiring.ApprovedUntil != nil {
			t.Fatalf("renewed without end: %+v", expiring)
		}
		if _, err := w.parts.Revoke(ctx, w.vendor, expiring.ID, expiring.Version); err != nil {
			t.Fatal(err)
		}
		if got := reasonOf(consume(w.tech, stock.ConsumeInput{WorkOrderID: wo.ID, LocationID: w.van.ID, PartID: expiring.ID, Qty: 1})); got != parts.ReasonNotApproved {
			t.Errorf("revoked: %q", got)
		}
		// Refusals changed nothing: one ledger row (the consumption that was allowed), no return.
		if n := w.count(t, "stock_movements"); n != ledgerBefore+1 {
			t.Errorf("ledger grew by %d, want 1", n-ledgerBefore)
		}
		if n := w.count(t, "part_returns"); n != returnsBefore {
			t.Errorf("returns grew by %d", n-returnsBefore)
		}
		if w.onHand(t, w.van, genuine) != 3 || w.onHand(t, w.van, expiring) != 2 {
			t.Errorf("on-hand changed by refusals")
		}
		_ = auditBefore

		// Allowed: a genuine part from the van (a return opens, due when
		// the agreement in force says: here a version giving 30 days), a
		// serialized one with both serials, by the dispatcher from the store.
		w.receive(t, w.providerAdmin, w.store, genuine, 2)
		w.returnWithin(t, 30)
		got, err := w.stock.Consume(ctx, w.tech, stock.ConsumeInput{WorkOrderID: wo.ID, LocationID: w.van.ID, PartID: genuine.ID, Qty: 1, SerialRemoved: "old-1"})
		if err != nil {
			t.Fatal(err)
		}
		if got.Return == nil || got.Return.Status != stock.AwaitingShipment || got.Return.DueDate != stock.ReturnDue(w.clock.Now(), 30) ||
			got.Return.DueDate == stock.ReturnDue(w.clock.Now(), agreement.DefaultPartReturnDays) {
			t.Fatalf("return: %+v", got.Return)
		}
		if _, err := w.stock.Consume(ctx, w.tech, stock.ConsumeInput{WorkOrderID: wo.ID, LocationID: w.van.ID, PartID: encoder.ID, Qty: 1,
			SerialRemoved: "enc-old-7", SerialInstalled: "enc-new-8"}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.stock.Consume(ctx, w.dispatcher, stock.ConsumeInput{WorkOrderID: wo.ID, LocationID: w.store.ID, PartID: genuine.ID, Qty: 2}); err != nil {
			t.Fatal(err)
		}

		// Closing the visit seals the parts into the record's content.
		wo, _ = w.visits.Get(ctx, w.tech, wo.ID)
		for _, st := range []workorder.Step{{Kind: "record", ActionsTaken: "replaced bearing and encoder"},
			{Kind: "sign_off", SignoffName: "Liu", SignaturePNG: testutil.Signature}, {Kind: "check_out", Result: "fixed"}} {
			if wo, err = w.visits.Step(ctx, w.tech, wo.ID, st, wo.Version); err != nil {
				t.Fatalf("%s: %v", st.Kind, err)
			}
		}
		rec, err := record.Get(ctx, w.db, *wo.RecordID)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range []string{`"part_number":"SP-100"`, `"serial_installed":"ENC-NEW-8"`, `"serial_removed":"ENC-OLD-7"`, `"kind":"approved"`, `"quantity":2`} {
			if !strings.Contains(rec.ContentJSON, s) {
				t.Errorf("record lacks %s: %s", s, rec.ContentJSON)
			}
		}
		// Each part is sealed with its catalog unit price, in fen.
		content, err := rec.Content()
		if err != nil || content.Visit == nil || content.Version != record.Version {
			t.Fatalf("content: %v %s", err, rec.ContentJSON)
		}
		prices := map[string]int64{genuine.PartNumber: genuine.UnitCostFen, encoder.PartNumber: encoder.UnitCostFen, expiring.PartNumber: expiring.UnitCostFen}
		var want int64
		for _, p := range content.Visit.Parts {
			if p.UnitPriceFen == nil || *p.UnitPriceFen != prices[p.PartNumber] {
				t.Errorf("part %s sealed at %v fen, catalog %d", p.PartNumber, p.UnitPriceFen, prices[p.PartNumber])
				continue
			}
			want += *p.UnitPriceFen * p.Quantity
		}
		if total, known := content.Visit.PartsCostFen(); !known || total != want || len(content.Visit.Parts) != 4 {
			t.Errorf("parts cost %d (%v), want %d over 4 parts: %+v", total, known, want, content.Visit.Parts)
		}
		if res, err := record.Verify(ctx, w.db, 0); err != nil || len(res.Breaks) > 0 {
			t.Fatalf("verify: %v %+v", err, res.Breaks)
		}
		// The unit's history shows the parts of the visit.
		req, err := w.requests.Get(ctx, w.dispatcher, wo.RequestID)
		if err != nil {
			t.Fatal(err)
		}
		h, err := w.requests.UnitHistory(ctx, w.dispatcher, req.UnitID, 0, 10)
		if err != nil || len(h.Items) == 0 || len(h.Items[0].Visits) == 0 {
			t.Fatalf("history: %+v %v", h, err)
		}
		if used := h.Items[0].Visits[0].Parts; len(used) != 4 || used[2].SerialInstalled != "ENC-NEW-8" {
			t.Errorf("history parts: %+v", used)
		}
		// After check-out nothing more is fitted.
		if got := reasonOf(consume(w.tech, stock.ConsumeInput{WorkOrderID: wo.ID, LocationID: w.van.ID, PartID: genuine.ID, Qty: 1})); got != stock.ReasonWorkOrderClose {
			t.Errorf("closed: %q", got)
		}
		if d, err := stock.Drift(ctx, w.db); err != nil || len(d) > 0 {
			t.Fatalf("drift: %v %+v", err, d)
		}
	})
}

// Two technicians on two visits take the last unit from the same store at
// the same moment: exactly one succeeds, the other is refused, and the
// store holds zero.
func TestTwoTechniciansCannotBothTakeTheLastUnit(t *testing.T) {
	inWorld(t, func(t *testing.T, ctx context.Context, w *world) {
		p := w.part(t, parts.Input{PartNumber: "LAST-1", Name: "last one", Kind: parts.Genuine, UnitCostFen: 100, ModelIDs: []int64{w.modelID}})
		for round := 0; round < 5; round++ {
			w.receive(t, w.providerAdmin, w.store, p, 1)
			wo1, wo2 := w.visit(t, w.tech, true), w.visit(t, w.tech2, true)
			var wg sync.WaitGroup
			errs := make([]error, 2)
			start := make(chan struct{})
			for i, c := range []struct {
				a  policy.Actor
				wo int64
			}{{w.tech, wo1.ID}, {w.tech2, wo2.ID}} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					_, errs[i] = w.stock.Consume(ctx, c.a, stock.ConsumeInput{WorkOrderID: c.wo, LocationID: w.store.ID, PartID: p.ID, Qty: 1})
				}()
			}
			close(start)
			wg.Wait()
			ok := 0
			for _, err := range errs {
				switch {
				case err == nil:
					ok++
				case reasonOf(err) != stock.ReasonInsufficientStock:
					t.Fatalf("round %d: unexpected refusal %v", round, err)
				}
			}
			if ok != 1 {
				t.Fatalf("round %d: %d consumptions of the last unit succeeded", round, ok)
			}
			if q := w.onHand(t, w.store, p); q != 0 {
				t.Fatalf("round %d: store holds %d", round, q)
			}
		}
		if d, err := stock.Drift(ctx, w.db); err != nil || len(d) > 0 {
			t.Fatalf("drift: %v %+v", err, d)
		}
	})
}

// returnWithin adds a version to the fixture's agreement, in force from its
// first version's day, that gives replaced parts days to go back.
func (w *world) returnWithin(t *testing.T, days int) {
	t.Helper()
	ctx := context.Background()
	var v1 struct {
		AgreementID   int64  `db:"agreement_id"`
		EffectiveFrom string `db:"effective_from"`
		Terms         string `db:"terms_json"`
		Next          int    `db:"next"`
	}
	if err := store.Get(ctx, w.db, &v1, `SELECT agreement_id, effective_from, terms_json,
		(SELECT MAX(number) + 1 FROM agreement_versions x WHERE x.agreement_id = v.agreement_id) AS next
		FROM agreement_versions v WHERE number = 1 ORDER BY agreement_id LIMIT 1`); err != nil {
		t.Fatal(err)
	}
	var terms agreement.Terms
	if err := json.Unmarshal([]byte(v1.Terms), &terms); err != nil {
		t.Fatal(err)
	}
	terms.PartReturnDays = days
	text, _ := json.Marshal(terms)
	if _, err := store.Exec(ctx, w.db, `INSERT INTO agreement_versions (agreement_id, number, effective_from, terms_json, note, created_by, created_at)
		VALUES (?, ?, ?, ?, '', 'test', ?)`, v1.AgreementID, v1.Next, v1.EffectiveFrom, string(text), w.clock.Now()); err != nil {
		t.Fatal(err)
	}
}
