package settlement_test

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"aftersales/internal/record"
	"aftersales/internal/store"
)

// Migration 00047 fills the sums per VAT category of the prices kept
// before it from their lines: the same sums the pricing now stores.
func TestMigrationSumsKeptPricesFromTheirLines(t *testing.T) {
	inWorld(t, newWorld, func(t *testing.T, ctx context.Context, w *world) {
		w.novemberVisits(t) // SR-3 unpriced
		w.seal(t, record.Content{Kind: record.KindConsultation, Consultation: &record.Consultation{Request: "SR-4", Agreement: "HX-2026-01",
			ServiceItem: "consultation", Question: "q", Answer: "a", AnsweredAt: shanghai("2026-11-24 09:00")}}, shanghai("2026-11-24 10:00"))
		w.generate(t, "2026-11") // prices the consultation on demand
		type sums struct {
			RecordID int64 `db:"record_id"`
			Lines    int64 `db:"line_count"`
			LR       int64 `db:"labour_rate_bp"`
			LN       int64 `db:"labour_net_fen"`
			LT       int64 `db:"labour_tax_fen"`
			LG       int64 `db:"labour_gross_fen"`
			PR       int64 `db:"parts_rate_bp"`
			PN       int64 `db:"parts_net_fen"`
			PT       int64 `db:"parts_tax_fen"`
			PG       int64 `db:"parts_gross_fen"`
			CR       int64 `db:"consultation_rate_bp"`
			CN       int64 `db:"consultation_net_fen"`
			CT       int64 `db:"consultation_tax_fen"`
			CG       int64 `db:"consultation_gross_fen"`
		}
		read := func() []sums {
			var out []sums
			if err := store.Select(ctx, w.db, &out, `SELECT record_id, line_count, labour_rate_bp, labour_net_fen, labour_tax_fen,
				labour_gross_fen, parts_rate_bp, parts_net_fen, parts_tax_fen, parts_gross_fen, consultation_rate_bp,
				consultation_net_fen, consultation_tax_fen, consultation_gross_fen FROM record_prices ORDER BY record_id`); err != nil {
				t.Fatal(err)
			}
			return out
		}
		kept := read()
		if len(kept) != 4 || kept[0].LN == 0 || kept[0].PN == 0 || kept[0].CR != -1 || kept[2].Lines != 1 || kept[3].CN == 0 {
			t.Fatalf("sums kept at pricing: %+v", kept)
		}
		// As a price kept before the migration: the columns at their defaults.
		if _, err := store.Exec(ctx, w.db, `UPDATE record_prices SET line_count = 0, labour_rate_bp = -1, labour_net_fen = 0,
			labour_tax_fen = 0, labour_gross_fen = 0, parts_rate_bp = -1, parts_net_fen = 0, parts_tax_fen = 0, parts_gross_fen = 0,
			consultation_rate_bp = -1, consultation_net_fen = 0, consultation_tax_fen = 0, consultation_gross_fen = 0`); err != nil {
			t.Fatal(err)
		}
		raw, err := os.ReadFile(filepath.Join("..", "store", "migrations", string(w.db.Engine), "00047_statement_kept_prices.sql"))
		if err != nil {
			t.Fatal(err)
		}
		up := string(raw)
		start := strings.Index(up, "UPDATE record_prices SET")
		if start < 0 {
			t.Fatal("no UPDATE of record_prices in migration 00047")
		}
		stmt := up[start : start+strings.Index(up[start:], ";")]
		if _, err := store.Exec(ctx, w.db, stmt); err != nil {
			t.Fatal(err)
		}
		if got := read(); !reflect.DeepEqual(got, kept) {
			t.Fatalf("the migration's sums %+v, the pricing's %+v", got, kept)
		}
	})
}
