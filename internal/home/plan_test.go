package home_test

import (
	"context"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/home"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// A customer's home reads its open requests through the index that holds
// them in the home's order, on both engines, so that it reads twenty
// entries however many requests the customer filed. PostgreSQL would scan
// a table this small whatever the indexes, so its plan is asked for with
// sequential scans priced out, as at a size where they lose.
func TestCustomerHomeReadsTheIndexOfOpenRequests(t *testing.T) {
	t.Parallel()
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		var plan []string
		err := db.Tx(ctx, func(tx *sqlx.Tx) error {
			explain := `EXPLAIN QUERY PLAN `
			if store.DialectOf(tx).Postgres() {
				if _, err := tx.ExecContext(ctx, `SET LOCAL enable_seqscan = off`); err != nil {
					return err
				}
				explain = `EXPLAIN `
			}
			rows, err := tx.QueryxContext(ctx, tx.Rebind(explain+home.CustomerOpen), 1)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				cols, err := rows.SliceScan()
				if err != nil {
					return err
				}
				plan = append(plan, strings.TrimSpace(string(asText(cols[len(cols)-1]))))
			}
			return rows.Err()
		})
		if err != nil {
			t.Fatal(err)
		}
		text := strings.Join(plan, "\n")
		if !strings.Contains(text, "service_requests_customer_open") {
			t.Errorf("the customer's open requests are not read through service_requests_customer_open:\n%s", text)
		}
		if strings.Contains(text, "TEMP B-TREE") || strings.Contains(text, "Sort") {
			t.Errorf("the customer's open requests are sorted after reading, not read in order:\n%s", text)
		}
	})
}

func asText(v any) []byte {
	switch v := v.(type) {
	case []byte:
		return v
	case string:
		return []byte(v)
	}
	return nil
}
