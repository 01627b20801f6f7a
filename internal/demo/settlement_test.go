package demo_test

import (
	"context"
	"testing"

	"aftersales/internal/demo"
	"aftersales/internal/policy"
	"aftersales/internal/settlement"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// The demo holds a settled month (approved, with a late-arrival deduction
// and an explained dispute) and an open one (a draft).
func TestDemoHasASettledAndAnOpenMonth(t *testing.T) {
	t.Parallel()
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := testutil.Services(t, db)
		if _, err := demo.Load(ctx, a); err != nil {
			t.Fatal(err)
		}
		op := policy.Actor{Operator: true}
		list, err := a.Settlements.List(ctx, op, 0)
		if err != nil || len(list) != 2 {
			t.Fatalf("statements: %+v %v", list, err)
		}
		open, settled := list[0], list[1]
		if open.Status != settlement.Draft || settled.Status != settlement.Approved {
			t.Fatalf("statuses %s, %s", open.Status, settled.Status)
		}
		st, err := a.Settlements.Get(ctx, op, settled.ID)
		if err != nil {
			t.Fatal(err)
		}
		var deductions, explained, unpriced int
		for _, l := range st.Lines {
			if l.Kind == settlement.LineDeduction && l.Evidence != nil && l.Evidence.Clock == "onsite" {
				deductions++
			}
			if l.Dispute != nil && l.Dispute.State == settlement.DisputeExplained {
				explained++
			}
			if l.Kind == settlement.LineUnpriced {
				unpriced++
			}
		}
		if deductions != 1 || explained != 1 || unpriced != 0 || st.TotalFen <= 0 || st.Totals.TotalInWords == "" {
			t.Errorf("settled month: %d deductions, %d explained, %d unpriced, total %d", deductions, explained, unpriced, st.TotalFen)
		}
	})
}
