package settlement

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/agreement"
	"aftersales/internal/calendar"
	"aftersales/internal/fees"
	"aftersales/internal/problem"
	"aftersales/internal/record"
	"aftersales/internal/store"
)

// Each record is priced once: in the transaction that seals it
// (RecordSealed), or, for a record sealed before prices were kept or by a
// path that does not price, the first time a statement of its period is
// generated (ensurePriced). The price is kept in record_prices and
// record_price_lines; a statement copies its lines inside the database.

// payerNone marks a sealed record of a kind that carries no price (a
// maintenance visit or an inspection, for now), so that it is not looked
// at again.
const payerNone Payer = "none"

// RecordSealed prices a record in the transaction that seals it. Hook it
// to the sealing of visits (workorder.Service.Sealed).
func (s *Service) RecordSealed(ctx context.Context, tx *sqlx.Tx, rec record.Record, now time.Time) error {
	if rec.CorrectsID != nil {
		return nil
	}
	return s.priceRecords(ctx, tx, rec.AgreementID, []int64{rec.ID}, now)
}

// priceRecords prices the records given (all of one agreement) and stores
// their prices, replacing any stored before.
func (s *Service) priceRecords(ctx context.Context, q store.Queryer, agreementID int64, ids []int64, now time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	versions, err := agreement.Versions(ctx, q, agreementID)
	if err != nil {
		return err
	}
	cals, err := s.calendarsOf(ctx, versions)
	if err != nil {
		return err
	}
	for start := 0; start < len(ids); start += 500 {
		part := ids[start:min(start+500, len(ids))]
		query, args, err := sqlx.In(inputQuery+` WHERE r.id IN (?) ORDER BY r.seq`, part)
		if err != nil {
			return err
		}
		inputs, err := loadInputs(ctx, q, query, args...)
		if err != nil {
			return err
		}
		for _, in := range inputs {
			pr, ok := Price(in, versions, cals)
			if !ok {
				pr = Priced{RecordID: in.Record.ID, RequestNo: in.RequestNo, Kind: in.Content.Kind, Payer: payerNone}
			}
			if err := storePrice(ctx, q, in.Record, pr, now); err != nil {
				return err
			}
		}
	}
	return nil
}

// calendarsOf finds the calendars the versions name.
func (s *Service) calendarsOf(ctx context.Context, versions []agreement.Version) (Calendars, error) {
	cals := map[string]*calendar.Calendar{}
	for _, v := range versions {
		id := v.Terms.General.CalendarID
		if _, done := cals[id]; done || id == "" || s.Calendars == nil {
			continue
		}
		cal, err := s.Calendars(ctx, id)
		if err != nil && !problem.Is(err, problem.NotFound) {
			return nil, err
		}
		cals[id] = cal
	}
	return func(id string) *calendar.Calendar { return cals[id] }, nil
}

// storePrice writes a record's price and its lines, replacing the old.
func storePrice(ctx context.Context, q store.Queryer, rec record.Record, pr Priced, now time.Time) error {
	if _, err := store.Exec(ctx, q, `DELETE FROM record_price_lines WHERE record_id = ?`, rec.ID); err != nil {
		return err
	}
	if _, err := store.Exec(ctx, q, `DELETE FROM record_prices WHERE record_id = ?`, rec.ID); err != nil {
		return err
	}
	var month, quarter string
	if pr.Day != "" {
		day := mustDate(pr.Day)
		month, quarter = PeriodOf(agreement.Monthly, day).Key, PeriodOf(agreement.Quarterly, day).Key
	}
	var reason, detail string
	if pr.Unpriced != nil {
		reason, detail = string(pr.Unpriced.Reason), pr.Unpriced.Detail
	}
	late, err := jsonOrNil(pr.Late, len(pr.Late) == 0)
	if err != nil {
		return err
	}
	if _, err := store.Exec(ctx, q, `INSERT INTO record_prices (record_id, agreement_id, seq, sealed_at, day, month, quarter, request_no,
			payer, terms_version, unpriced_reason, unpriced_detail, late_json, priced_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		rec.ID, rec.AgreementID, rec.Seq, rec.SealedAt, pr.Day, month, quarter, pr.RequestNo, string(pr.Payer), pr.TermsVersion,
		reason, detail, late, now.UTC()); err != nil {
		return fmt.Errorf("record %d price: %w", rec.ID, err)
	}
	if pr.Unpriced != nil || len(pr.Lines) == 0 {
		return nil
	}
	query := []byte(`INSERT INTO record_price_lines (record_id, idx, kind, category, ref, quantity, unit_fen, rate_bp, net_fen,
		tax_rate_bp, tax_fen, gross_fen) VALUES `)
	args := make([]any, 0, len(pr.Lines)*12)
	for i, l := range pr.Lines {
		if i > 0 {
			query = append(query, ',')
		}
		query = append(query, "(?,?,?,?,?,?,?,?,?,?,?,?)"...)
		args = append(args, rec.ID, i, string(l.Kind), string(l.Category), l.Ref, l.Quantity, l.UnitFen, int64(l.RateBP), l.NetFen,
			int64(l.TaxRateBP), l.TaxFen, l.GrossFen)
	}
	if _, err := store.Exec(ctx, q, string(query), args...); err != nil {
		return fmt.Errorf("record %d price lines: %w", rec.ID, err)
	}
	return nil
}

// ensurePriced prices the records of the period that have no price yet
// (sealed before prices were kept, or by a path that does not price), and
// again those whose price was computed with a version of the terms that
// is no longer the one in force on their day (a version that took effect
// on the day of check-out, after the record was sealed).
func (s *Service) ensurePriced(ctx context.Context, q store.Queryer, a agreement.Agreement, versions []agreement.Version, p Period, now time.Time) error {
	from, to := midnight(p.From), midnight(p.To)
	var ids []int64
	if err := store.Select(ctx, q, &ids, `SELECT r.id FROM service_records r
		LEFT JOIN record_prices p ON p.record_id = r.id
		WHERE r.agreement_id = ? AND r.sealed_at >= ? AND r.sealed_at < ? AND r.corrects_id IS NULL AND p.record_id IS NULL
		ORDER BY r.seq`, a.ID, from, to); err != nil {
		return err
	}
	for _, w := range versionWindows(versions) {
		var stale []int64
		query := `SELECT record_id FROM record_prices WHERE agreement_id = ? AND sealed_at >= ? AND sealed_at < ?
			AND payer <> 'none' AND day >= ? AND terms_version <> ?`
		args := []any{a.ID, from, to, w.from, w.number}
		if w.to != "" {
			query, args = query+` AND day < ?`, append(args, w.to)
		}
		if err := store.Select(ctx, q, &stale, query, args...); err != nil {
			return err
		}
		ids = append(ids, stale...)
	}
	return s.priceRecords(ctx, q, a.ID, ids, now)
}

// versionWindow is a run of days [from, to) a version is in force on
// ("" to: open); number 0 is the days before any version.
type versionWindow struct {
	number   int
	from, to string
}

// versionWindows turns the versions into the days each is in force on,
// as agreement.InForce decides them: the highest-numbered version whose
// effective day is on or before the day.
func versionWindows(versions []agreement.Version) []versionWindow {
	vs := append([]agreement.Version(nil), versions...)
	sort.Slice(vs, func(i, j int) bool { return vs[i].Number < vs[j].Number })
	var out []versionWindow
	first := ""
	for i, v := range vs {
		if first == "" || v.EffectiveFrom < first {
			first = v.EffectiveFrom
		}
		to := ""
		for _, later := range vs[i+1:] {
			if to == "" || later.EffectiveFrom < to {
				to = later.EffectiveFrom
			}
		}
		if to != "" && to <= v.EffectiveFrom {
			continue // overtaken on its first day
		}
		out = append(out, versionWindow{number: v.Number, from: v.EffectiveFrom, to: to})
	}
	if first != "" {
		out = append(out, versionWindow{number: 0, from: "0000-00-00", to: first})
	} else {
		out = append(out, versionWindow{number: 0, from: "0000-00-00"})
	}
	return out
}

// copyLines copies the period's vendor records' prices into the
// statement's lines inside the database, in record order, and returns
// how many lines it wrote. An unpriced record is one line with its reason.
func copyLines(ctx context.Context, q store.Queryer, statementID int64, p Period, agreementID int64) (int, error) {
	from, to := midnight(p.From), midnight(p.To)
	key := "month"
	if p.Kind() == agreement.Quarterly {
		key = "quarter"
	}
	res, err := store.Exec(ctx, q, `INSERT INTO settlement_lines (statement_id, position, record_id, request, kind, category, ref,
			quantity, unit_fen, rate_bp, net_fen, tax_rate_bp, tax_fen, gross_fen, terms_version, unpriced_reason, detail, adjustment_of)
		SELECT CAST(? AS BIGINT), ROW_NUMBER() OVER (ORDER BY p.seq, l.idx), p.record_id, p.request_no,
			COALESCE(l.kind, 'unpriced'), COALESCE(l.category, ''), COALESCE(l.ref, ''), COALESCE(l.quantity, 0),
			COALESCE(l.unit_fen, 0), COALESCE(l.rate_bp, 0), COALESCE(l.net_fen, 0), COALESCE(l.tax_rate_bp, 0),
			COALESCE(l.tax_fen, 0), COALESCE(l.gross_fen, 0), p.terms_version, p.unpriced_reason, p.unpriced_detail,
			CASE WHEN p.day < CAST(? AS TEXT) THEN p.`+key+` ELSE '' END
		FROM record_prices p
		LEFT JOIN record_price_lines l ON l.record_id = p.record_id AND p.unpriced_reason = ''
		WHERE p.agreement_id = ? AND p.sealed_at >= ? AND p.sealed_at < ? AND p.payer = 'vendor'
			AND (p.unpriced_reason <> '' OR l.record_id IS NOT NULL)`, statementID, p.From.String(), agreementID, from, to)
	if err != nil {
		return 0, fmt.Errorf("settlement lines: %w", err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// periodFacts reads what the breach rules and the period cap need from
// the period's prices: the late clocks of every record (whoever pays),
// the vendor's fees per category before tax, with tax, and the number of
// records the customer pays.
type periodFacts struct {
	late       []fees.LateClock
	byCategory []fees.Line // one line per category, its net amount
	grossFen   int64
	customer   int
}

func readPeriodFacts(ctx context.Context, q store.Queryer, statementID int64, p Period, agreementID int64) (periodFacts, error) {
	var f periodFacts
	from, to := midnight(p.From), midnight(p.To)
	var late []string
	if err := store.Select(ctx, q, &late, `SELECT late_json FROM record_prices
		WHERE agreement_id = ? AND sealed_at >= ? AND sealed_at < ? AND late_json IS NOT NULL ORDER BY seq`, agreementID, from, to); err != nil {
		return f, err
	}
	for _, j := range late {
		var ls []fees.LateClock
		if err := json.Unmarshal([]byte(j), &ls); err != nil {
			return f, fmt.Errorf("late clocks: %w", err)
		}
		f.late = append(f.late, ls...)
	}
	if err := store.Get(ctx, q, &f.customer, `SELECT COUNT(*) FROM record_prices
		WHERE agreement_id = ? AND sealed_at >= ? AND sealed_at < ? AND payer = 'customer'`, agreementID, from, to); err != nil {
		return f, err
	}
	var cats []struct {
		Category string `db:"category"`
		NetFen   int64  `db:"net_fen"`
		GrossFen int64  `db:"gross_fen"`
	}
	if err := store.Select(ctx, q, &cats, `SELECT category, SUM(net_fen) AS net_fen, SUM(gross_fen) AS gross_fen FROM settlement_lines
		WHERE statement_id = ? AND kind <> 'unpriced' GROUP BY category ORDER BY category`, statementID); err != nil {
		return f, err
	}
	for _, c := range cats {
		f.byCategory = append(f.byCategory, fees.Line{Category: fees.Category(c.Category), NetFen: c.NetFen})
		f.grossFen += c.GrossFen
	}
	return f, nil
}

// storedTotals adds up a statement's stored lines inside the database, as
// Sum does over the lines in memory.
func storedTotals(ctx context.Context, q store.Queryer, statementID int64) (StatementTotals, error) {
	var rows []struct {
		Kind      string `db:"kind"`
		TaxRateBP int64  `db:"tax_rate_bp"`
		NetFen    int64  `db:"net_fen"`
		TaxFen    int64  `db:"tax_fen"`
		GrossFen  int64  `db:"gross_fen"`
		N         int    `db:"n"`
	}
	if err := store.Select(ctx, q, &rows, `SELECT CASE WHEN kind IN ('unpriced', 'deduction') THEN kind ELSE '' END AS kind, tax_rate_bp,
			SUM(net_fen) AS net_fen, SUM(tax_fen) AS tax_fen, SUM(gross_fen) AS gross_fen, COUNT(*) AS n
		FROM settlement_lines WHERE statement_id = ? AND (NOT removed OR kind = 'unpriced')
		GROUP BY CASE WHEN kind IN ('unpriced', 'deduction') THEN kind ELSE '' END, tax_rate_bp`, statementID); err != nil {
		return StatementTotals{}, err
	}
	lines := make([]StatementLine, 0, len(rows))
	for _, r := range rows {
		l := StatementLine{Line: fees.Line{Kind: fees.LineKind(r.Kind), TaxRateBP: fees.BP(r.TaxRateBP), NetFen: r.NetFen,
			TaxFen: r.TaxFen, GrossFen: r.GrossFen}}
		if l.Kind == LineUnpriced {
			for range r.N {
				lines = append(lines, l)
			}
			continue
		}
		lines = append(lines, l)
	}
	return Sum(lines), nil
}
