package settlement_test

import (
	"context"
	"testing"

	"aftersales/internal/problem"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// refusedPeriod tells whether err refuses the period field, and with what.
func refusedPeriod(err error) (string, bool) {
	p, ok := problem.As(err)
	if !ok || p.Kind != problem.Invalid || len(p.Fields) != 1 || p.Fields[0].Field != "period" {
		return "", false
	}
	return p.Fields[0].Message, true
}

// A record is settled on one statement only: a period of another kind
// than the agreement settles by is refused, and so is a period sharing
// days with another statement of the agreement, even after the terms
// changed from monthly to quarterly settlement.
func TestPeriodsOfAnAgreementDoNotOverlap(t *testing.T) {
	inWorld(t, newWorld, func(t *testing.T, ctx context.Context, w *world) {
		w.novemberVisits(t)
		nov := w.generate(t, "2026-11")
		if _, err := w.svc.Generate(ctx, w.provider, w.agreementID, "2026-Q4"); err == nil {
			t.Fatal("a quarter of an agreement settled monthly was generated")
		} else if msg, ok := refusedPeriod(err); !ok {
			t.Fatalf("a quarter of an agreement settled monthly: %v", err)
		} else if msg == "" {
			t.Error("no message")
		}
		if _, err := w.svc.Generate(ctx, w.provider, w.agreementID, "2026-10"); err != nil {
			t.Fatalf("a month beside November: %v", err)
		}

		// From December the agreement is settled quarterly: the fourth
		// quarter holds October and November, on their own statements.
		if _, err := store.Exec(ctx, w.db, `INSERT INTO agreement_versions (agreement_id, number, effective_from, terms_json, note, created_by, created_at)
			SELECT agreement_id, 2, '2026-12-01', REPLACE(terms_json, '"settlement_period":"monthly"', '"settlement_period":"quarterly"'), 'quarterly', created_by, created_at
			FROM agreement_versions WHERE agreement_id = ? AND number = 1`, w.agreementID); err != nil {
			t.Fatal(err)
		}
		if n := testutil.SelectOne[int](t, w.db, `SELECT COUNT(*) FROM agreement_versions WHERE agreement_id = ? AND terms_json LIKE '%quarterly%'`, w.agreementID); n != 1 {
			t.Fatalf("%d quarterly versions", n)
		}
		if _, err := w.svc.Generate(ctx, w.provider, w.agreementID, "2026-Q4"); err == nil {
			t.Fatal("the fourth quarter was generated over November's statement")
		} else if _, ok := refusedPeriod(err); !ok {
			t.Fatalf("the fourth quarter over November: %v", err)
		}
		if n := testutil.SelectOne[int](t, w.db, `SELECT COUNT(*) FROM settlement_statements WHERE agreement_id = ?`, w.agreementID); n != 2 {
			t.Errorf("%d statements, want November's and October's", n)
		}
		if again := w.generate(t, "2026-11"); again.ID != nov.ID {
			t.Errorf("November generated again as statement %d, was %d", again.ID, nov.ID)
		}
	})
}
