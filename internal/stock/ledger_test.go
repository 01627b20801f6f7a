package stock_test

import (
	"context"
	"testing"
	"time"

	"pgregory.net/rapid"

	"aftersales/internal/account"
	"aftersales/internal/agreement"
	"aftersales/internal/notify"
	"aftersales/internal/org"
	"aftersales/internal/parts"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/stock"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// Any sequence of receipts, transfers and adjustments leaves on-hand equal
// to what the ledger rebuilds, and no location below zero unless it allows
// negative stock. A refused movement changes nothing.
func TestRebuildFromTheLedgerEqualsLiveOnHand(t *testing.T) {
	inWorld(t, func(t *testing.T, ctx context.Context, w *world) {
		loose, err := w.stock.CreateLocation(ctx, w.providerAdmin, stock.LocationInput{Kind: stock.Store, Name: "Loose store", AllowNegative: true})
		if err != nil {
			t.Fatal(err)
		}
		locs := []stock.Location{w.store, w.van, w.van2, loose}
		ps := []parts.Part{
			w.part(t, parts.Input{PartNumber: "P-1", Name: "one", Kind: parts.Genuine, UnitCostFen: 1}),
			w.part(t, parts.Input{PartNumber: "P-2", Name: "two", Kind: parts.Genuine, UnitCostFen: 2}),
		}
		rapid.Check(t, func(rt *rapid.T) {
			steps := rapid.IntRange(1, 8).Draw(rt, "steps")
			for range steps {
				p := ps[rapid.IntRange(0, len(ps)-1).Draw(rt, "part")]
				from := locs[rapid.IntRange(0, len(locs)-1).Draw(rt, "from")]
				to := locs[rapid.IntRange(0, len(locs)-1).Draw(rt, "to")]
				qty := rapid.Int64Range(1, 6).Draw(rt, "qty")
				var in stock.MoveInput
				switch rapid.IntRange(0, 2).Draw(rt, "kind") {
				case 0:
					in = stock.MoveInput{Kind: stock.Receive, PartID: p.ID, ToLocationID: to.ID, Qty: qty}
				case 1:
					in = stock.MoveInput{Kind: stock.Transfer, PartID: p.ID, FromLocationID: from.ID, ToLocationID: to.ID, Qty: qty}
				default:
					if rapid.Bool().Draw(rt, "down") {
						qty = -qty
					}
					in = stock.MoveInput{Kind: stock.Adjust, PartID: p.ID, LocationID: from.ID, Qty: qty, Reason: "stocktake"}
				}
				before := w.onHand(rt, from, p)
				ledger := w.count(rt, "stock_movements")
				_, err := w.stock.Move(ctx, w.providerAdmin, in)
				if err != nil {
					if reasonOf(err) != stock.ReasonInsufficientStock && !problem.Is(err, problem.Invalid) {
						rt.Fatalf("move %+v: %v", in, err)
					}
					if w.onHand(rt, from, p) != before || w.count(rt, "stock_movements") != ledger {
						rt.Fatalf("a refused move changed stock")
					}
				}
				for _, l := range locs {
					for _, p := range ps {
						if q := w.onHand(rt, l, p); q < 0 && !l.AllowNegative {
							rt.Fatalf("%s holds %d of %s", l.Name, q, p.PartNumber)
						}
					}
				}
			}
			if d, err := stock.Drift(ctx, w.db); err != nil || len(d) > 0 {
				rt.Fatalf("live on-hand differs from the ledger: %v %+v", err, d)
			}
		})
		// A damaged figure is found and rebuilt from the ledger.
		if _, err := store.Exec(ctx, w.db, `UPDATE stock_on_hand SET qty = qty + 5 WHERE location_id = ?`, w.store.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := store.Exec(ctx, w.db, `INSERT INTO stock_on_hand (location_id, part_id, qty) VALUES (?, ?, 9)
			ON CONFLICT (location_id, part_id) DO UPDATE SET qty = 9`, w.warehouse.ID, ps[0].ID); err != nil {
			t.Fatal(err)
		}
		fixed, err := stock.Rebuild(ctx, w.db)
		if err != nil || len(fixed) == 0 {
			t.Fatalf("rebuild: %v %+v", err, fixed)
		}
		if d, err := stock.Drift(ctx, w.db); err != nil || len(d) > 0 {
			t.Fatalf("after rebuild: %v %+v", err, d)
		}
	})
}

func TestLedgerIsAppendOnly(t *testing.T) {
	inWorld(t, func(t *testing.T, ctx context.Context, w *world) {
		p := w.part(t, parts.Input{PartNumber: "P-1", Name: "one", Kind: parts.Genuine})
		w.receive(t, w.providerAdmin, w.store, p, 2)
		if _, err := store.Exec(ctx, w.db, `UPDATE stock_movements SET qty = 20`); err == nil {
			t.Error("a ledger row was changed")
		}
		if _, err := store.Exec(ctx, w.db, `DELETE FROM stock_movements`); err == nil {
			t.Error("a ledger row was deleted")
		}
	})
}

func TestMovesAndSafetyStock(t *testing.T) {
	inWorld(t, func(t *testing.T, ctx context.Context, w *world) {
		p := w.part(t, parts.Input{PartNumber: "FLT-1", Name: "滤芯", Kind: parts.Genuine, UnitCostFen: 2500})
		// The vendor supplies the provider's store from its warehouse.
		w.receive(t, w.vendor, w.warehouse, p, 10)
		if _, err := w.stock.Move(ctx, w.vendor, stock.MoveInput{Kind: stock.Transfer, PartID: p.ID, FromLocationID: w.warehouse.ID, ToLocationID: w.store.ID, Qty: 6}); err != nil {
			t.Fatal(err)
		}
		// Nobody takes from a location of another organization, nor loads another's van.
		if _, err := w.stock.Move(ctx, w.providerAdmin, stock.MoveInput{Kind: stock.Transfer, PartID: p.ID, FromLocationID: w.warehouse.ID, ToLocationID: w.store.ID, Qty: 1}); !problem.Is(err, problem.Forbidden) && !problem.Is(err, problem.Invalid) {
			t.Errorf("provider takes from the vendor's warehouse: %v", err)
		}
		if _, err := w.stock.Move(ctx, w.vendor, stock.MoveInput{Kind: stock.Transfer, PartID: p.ID, FromLocationID: w.warehouse.ID, ToLocationID: w.van.ID, Qty: 1}); !problem.Is(err, problem.Invalid) {
			t.Errorf("vendor loads a provider's van: %v", err)
		}
		if _, err := w.stock.Move(ctx, w.tech, stock.MoveInput{Kind: stock.Transfer, PartID: p.ID, FromLocationID: w.van.ID, ToLocationID: w.store.ID, Qty: 1}); !problem.Is(err, problem.Forbidden) {
			t.Errorf("technician moves stock: %v", err)
		}
		// Adjustments need a reason and every bad field is named.
		_, err := w.stock.Move(ctx, w.providerAdmin, stock.MoveInput{Kind: stock.Adjust, LocationID: w.store.ID, PartID: 0, Qty: 0})
		pr, _ := problem.As(err)
		if pr == nil || len(pr.Fields) != 3 {
			t.Fatalf("bad adjustment: %v", err)
		}

		if _, err := w.stock.SetSafety(ctx, w.providerAdmin, w.store.ID, p.ID, 5); err != nil {
			t.Fatal(err)
		}
		if _, err := w.stock.SetSafety(ctx, w.tech, w.store.ID, p.ID, 5); err == nil {
			t.Error("a technician set safety stock")
		}
		// 6 -> 5 is not below; 5 -> 3 crosses and alerts once; 3 -> 2 stays below, no new alert.
		for _, q := range []int64{-1, -2, -1} {
			if _, err := w.stock.Move(ctx, w.providerAdmin, stock.MoveInput{Kind: stock.Adjust, LocationID: w.store.ID, PartID: p.ID, Qty: q, Reason: "盘点"}); err != nil {
				t.Fatal(err)
			}
		}
		below, err := w.stock.BelowSafety(ctx, w.dispatcher)
		if err != nil || len(below) != 1 || below[0].Qty != 2 || !below[0].Below {
			t.Fatalf("below safety: %v %+v", err, below)
		}
		page, err := w.notify.List(ctx, w.dispatcher, notify.ListInput{Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		alerts := 0
		for _, n := range page.Items {
			if n.Kind == "stock.below_safety" {
				alerts++
			}
		}
		if alerts != 1 {
			t.Errorf("%d safety alerts, want 1", alerts)
		}
		// Technicians see only their van.
		locs, err := w.stock.ListLocations(ctx, w.tech)
		if err != nil || len(locs) != 1 || locs[0].ID != w.van.ID {
			t.Errorf("technician's locations: %v %+v", err, locs)
		}
		if _, err := w.stock.OnHand(ctx, w.tech, w.store.ID); !problem.Is(err, problem.NotFound) {
			t.Errorf("technician reads the store: %v", err)
		}
	})
}

func TestDefectivePartReturn(t *testing.T) {
	inWorld(t, func(t *testing.T, ctx context.Context, w *world) {
		p := w.part(t, parts.Input{PartNumber: "PUMP-1", Name: "液压泵", Kind: parts.Genuine, UnitCostFen: 356000, ModelIDs: []int64{w.modelID}, ReturnRequired: true})
		w.receive(t, w.providerAdmin, w.van, p, 1)
		wo := w.visit(t, w.tech, true)
		c, err := w.stock.Consume(ctx, w.tech, stock.ConsumeInput{WorkOrderID: wo.ID, LocationID: w.van.ID, PartID: p.ID, Qty: 1, SerialRemoved: "PMP-OLD"})
		if err != nil {
			t.Fatal(err)
		}
		r := *c.Return
		if list, _ := w.stock.Returns(ctx, w.vendor, stock.ReturnFilter{OverdueOnly: true}); len(list) != 0 {
			t.Fatalf("overdue on day one: %+v", list)
		}
		w.clock.Add(time.Duration(agreement.DefaultPartReturnDays+1) * 24 * time.Hour)
		for _, a := range []policy.Actor{w.vendor, w.dispatcher} {
			list, err := w.stock.Returns(ctx, a, stock.ReturnFilter{OverdueOnly: true})
			if err != nil || len(list) != 1 || !list[0].Overdue || list[0].PartNumber != "PUMP-1" {
				t.Fatalf("overdue for %s: %v %+v", a.Role, err, list)
			}
		}
		if _, err := w.stock.Returns(ctx, w.tech, stock.ReturnFilter{}); !problem.Is(err, problem.Forbidden) {
			t.Errorf("technician lists returns: %v", err)
		}
		// Each step by its party, in order, audited.
		if _, err := w.stock.AdvanceReturn(ctx, w.vendor, r.ID, stock.ReturnStep{Kind: "ship", Carrier: "SF", TrackingNumber: "SF1"}, r.Version); !problem.Is(err, problem.Forbidden) {
			t.Errorf("vendor ships: %v", err)
		}
		if _, err := w.stock.AdvanceReturn(ctx, w.vendor, r.ID, stock.ReturnStep{Kind: "receive"}, r.Version); !problem.Is(err, problem.Conflict) {
			t.Errorf("received before shipped: %v", err)
		}
		_, err = w.stock.AdvanceReturn(ctx, w.dispatcher, r.ID, stock.ReturnStep{Kind: "ship"}, r.Version)
		if pr, _ := problem.As(err); pr == nil || len(pr.Fields) != 2 {
			t.Errorf("ship without carrier and tracking: %v", err)
		}
		r, err = w.stock.AdvanceReturn(ctx, w.dispatcher, r.ID, stock.ReturnStep{Kind: "ship", Carrier: "顺丰速运", TrackingNumber: "SF1234567890"}, r.Version)
		if err != nil || r.Status != stock.Shipped || r.Overdue {
			t.Fatalf("ship: %v %+v", err, r)
		}
		if r, err = w.stock.AdvanceReturn(ctx, w.vendor, r.ID, stock.ReturnStep{Kind: "receive"}, r.Version); err != nil {
			t.Fatal(err)
		}
		if _, err := w.stock.AdvanceReturn(ctx, w.vendor, r.ID, stock.ReturnStep{Kind: "credit", CreditFen: 356001}, r.Version); !problem.Is(err, problem.Invalid) {
			t.Errorf("credit above cost: %v", err)
		}
		if r, err = w.stock.AdvanceReturn(ctx, w.vendor, r.ID, stock.ReturnStep{Kind: "credit", CreditFen: 120000}, r.Version); err != nil || r.Status != stock.Credited || *r.CreditFen != 120000 {
			t.Fatalf("credit: %v %+v", err, r)
		}
		var audited int
		if err := store.Get(ctx, w.db, &audited, `SELECT COUNT(*) FROM audit_events WHERE entity = 'part_return'`); err != nil || audited != 6 {
			t.Errorf("audit rows: %d %v", audited, err)
		}
		// Shipping booked the defective part in the ledger without touching serviceable stock.
		var kinds []string
		if err := store.Select(ctx, w.db, &kinds, `SELECT kind FROM stock_movements WHERE part_id = ? ORDER BY id`, p.ID); err != nil {
			t.Fatal(err)
		}
		if len(kinds) != 3 || kinds[2] != "return" || w.onHand(t, w.van, p) != 0 {
			t.Errorf("ledger %v, van holds %d", kinds, w.onHand(t, w.van, p))
		}
		if d, err := stock.Drift(ctx, w.db); err != nil || len(d) > 0 {
			t.Fatalf("drift: %v %+v", err, d)
		}
	})
}

// Only providers under an agreement with the vendor read its catalog; a
// provider merely registered by the vendor does not, nor another vendor.
func TestCatalogIsReadUnderAnAgreement(t *testing.T) {
	inWorld(t, func(t *testing.T, ctx context.Context, w *world) {
		p := w.part(t, parts.Input{PartNumber: "P-1", Name: "one", Kind: parts.Genuine})
		op := policy.Actor{Operator: true}
		o, err := (&org.Service{DB: w.db, Now: time.Now}).Register(ctx, op, org.Input{Kind: org.Provider, Name: "No agreement", Code: "no-agreement"})
		if err != nil {
			t.Fatal(err)
		}
		if err := org.Link(ctx, w.db, w.f.Vendor.ID, o.ID, time.Now()); err != nil {
			t.Fatal(err)
		}
		u, err := account.NewService(w.db, time.Now).CreateUser(ctx, op, account.NewUser{OrgID: o.ID, Email: "d@none.example", Name: "D",
			Role: policy.Dispatcher, Password: testutil.Password, Locale: "en"})
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range []policy.Actor{u.Actor(), {UserID: w.f.OtherAdmin.ID, OrgID: w.f.OtherVendor.ID, OrgKind: "vendor", Role: policy.VendorAdmin}} {
			if list, err := w.parts.List(ctx, a, parts.Filter{}); err != nil || len(list) != 0 {
				t.Errorf("%d sees %d parts (%v)", a.OrgID, len(list), err)
			}
			if _, err := w.parts.Get(ctx, a, p.ID); !problem.Is(err, problem.NotFound) {
				t.Errorf("%d reads the part: %v", a.OrgID, err)
			}
		}
		if list, err := w.parts.List(ctx, w.dispatcher, parts.Filter{}); err != nil || len(list) != 1 {
			t.Errorf("the provider under agreement sees %d parts (%v)", len(list), err)
		}
	})
}
