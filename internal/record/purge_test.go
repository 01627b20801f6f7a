package record_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"pgregory.net/rapid"

	"aftersales/internal/record"
	"aftersales/internal/store"
)

// chainEntry is what the model of the purge knows of a record.
type chainEntry struct {
	id          int64
	retainUntil string
	corrects    int64 // 0: not a correction
}

// mayGo is the rule of the purge, written plainly over the whole chain (in
// seq order): the longest prefix whose every record's retention ended
// before cutoff and which holds every correction of its records.
func mayGo(chain []chainEntry, cutoff string) int {
	n := 0
	for n < len(chain) && chain[n].retainUntil < cutoff {
		n++
	}
	for {
		held := n
		for _, c := range chain[n:] {
			for i, r := range chain[:n] {
				if c.corrects == r.id {
					held = min(held, i)
				}
			}
		}
		if held == n {
			return n
		}
		n = held
	}
}

// The purge removes exactly the prefix the rule allows, whatever the
// retention periods and corrections, in batches of any size, and what is
// left still verifies.
func TestPurgeRemovesThePrefixTheRuleAllows(t *testing.T) {
	withOrgs(t, func(t *testing.T, ctx context.Context, db *store.DB) {
		agreement := int64(0)
		rapid.Check(t, func(rt *rapid.T) {
			agreement++
			t0 := time.Date(2020, 1, 1, 2, 0, 0, 0, time.UTC)
			var chain []chainEntry
			for i := range rapid.IntRange(0, 12).Draw(rt, "records") {
				var corrects *int64
				if len(chain) > 0 && rapid.Bool().Draw(rt, fmt.Sprintf("correction %d", i)) {
					target := chain[rapid.IntRange(0, len(chain)-1).Draw(rt, fmt.Sprintf("corrects %d", i))]
					if target.corrects == 0 {
						corrects = &target.id
					}
				}
				months := rapid.SampledFrom([]int{1, 6, 12, 36}).Draw(rt, fmt.Sprintf("retention %d", i))
				var r record.Record
				if err := db.Tx(ctx, func(tx *sqlx.Tx) error {
					var err error
					r, err = record.Seal(ctx, tx, t0.AddDate(0, 0, 20*i), record.New{AgreementID: agreement, VendorID: 1, ProviderID: 2,
						Content: note(fmt.Sprintf("record %d", i)), RetentionMonths: months, CorrectsID: corrects})
					return err
				}); err != nil {
					rt.Fatal(err)
				}
				e := chainEntry{id: r.ID, retainUntil: r.RetainUntil}
				if corrects != nil {
					e.corrects = *corrects
				}
				chain = append(chain, e)
			}
			batch := rapid.IntRange(1, 4).Draw(rt, "batch")
			day := t0
			for range rapid.IntRange(1, 4).Draw(rt, "purges") {
				day = day.AddDate(0, rapid.IntRange(0, 20).Draw(rt, "months later"), 0)
				cutoff := day.In(time.FixedZone("CST", 8*3600)).Format("2006-01-02")
				want := mayGo(chain, cutoff)
				got, err := record.PurgeIn(ctx, db, agreement, day.In(time.FixedZone("CST", 8*3600)), batch)
				if err != nil {
					rt.Fatal(err)
				}
				if got != want {
					rt.Fatalf("purge on %s in batches of %d: %d records, want %d (chain %+v)", cutoff, batch, got, want, chain)
				}
				chain = chain[want:]
				var left int
				if err := store.Get(ctx, db, &left, `SELECT COUNT(*) FROM service_records WHERE agreement_id = ?`, agreement); err != nil {
					rt.Fatal(err)
				}
				if left != len(chain) {
					rt.Fatalf("%d records left, want %d", left, len(chain))
				}
			}
			res, err := record.Verify(ctx, db, agreement)
			if err != nil {
				rt.Fatal(err)
			}
			if len(res.Breaks) != 0 {
				rt.Fatalf("after the purges: %+v", res.Breaks)
			}
		})
	})
}
