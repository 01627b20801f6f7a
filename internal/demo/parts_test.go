package demo_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"aftersales/internal/calendar"
	"aftersales/internal/demo"
	"aftersales/internal/parts"
	"aftersales/internal/policy"
	"aftersales/internal/stock"
	"aftersales/internal/testutil"
)

// The demo shows every rule of the parts register at work.
func TestDemoPartsAndStock(t *testing.T) {
	t.Parallel()
	db := loaded(t)
	ctx := context.Background()
	op := policy.Actor{Operator: true}
	catalog, err := testutil.Services(t, db).Parts.List(ctx, op, parts.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	states := map[string]parts.ApprovalState{}
	for _, p := range catalog {
		states[p.PartNumber] = p.ApprovalOn(calendar.LocalDate(time.Now()))
	}
	for number, want := range map[string]parts.ApprovalState{demo.PartBearing: parts.ApprovalGenuine, demo.PartBelt: parts.ApprovalValid,
		demo.PartLubricant: parts.ApprovalExpired, demo.PartSeal: parts.ApprovalNone} {
		if states[number] != want {
			t.Errorf("%s: %s, want %s", number, states[number], want)
		}
	}
	svc := testutil.Services(t, db).Stock
	rets, err := svc.Returns(ctx, op, stock.ReturnFilter{})
	if err != nil || len(rets) != 2 || !rets[0].Overdue || rets[1].Overdue {
		t.Fatalf("returns: %v %+v", err, rets)
	}
	if below, err := svc.BelowSafety(ctx, op); err != nil || len(below) == 0 {
		t.Fatalf("below safety: %v %+v", err, below)
	}
	if d, err := stock.Drift(ctx, db); err != nil || len(d) > 0 {
		t.Fatalf("drift: %v %+v", err, d)
	}
	if rets[0].PartNumber != demo.PartBearing || !strings.HasPrefix(rets[0].SerialRemoved, "BRG-") {
		t.Errorf("return: %+v", rets[0])
	}
}
