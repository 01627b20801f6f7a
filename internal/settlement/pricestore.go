package settlement

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
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
		recs := make([]record.Record, 0, len(inputs))
		prices := make([]Priced, 0, len(inputs))
		for _, in := range inputs {
			pr, ok := Price(in, versions, cals)
			if !ok {
				pr = Priced{RecordID: in.Record.ID, RequestNo: in.RequestNo, Kind: in.Content.Kind, Payer: payerNone}
			}
			recs, prices = append(recs, in.Record), append(prices, pr)
		}
		if err := storePrices(ctx, q, recs, prices, now); err != nil {
			return err
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

// storePrices writes the prices of records (prices[i] is recs[i]'s) and
// their lines, replacing the old, in a few multi-row statements for the
// lot rather than a round trip per record: a period priced on demand
// stores hundreds of thousands.
func storePrices(ctx context.Context, q store.Queryer, recs []record.Record, prices []Priced, now time.Time) error {
	if len(recs) == 0 {
		return nil
	}
	ids := make([]int64, len(recs))
	for i, r := range recs {
		ids[i] = r.ID
	}
	for _, table := range []string{"record_price_lines", "record_prices"} {
		query, args, err := sqlx.In(`DELETE FROM `+table+` WHERE record_id IN (?)`, ids)
		if err != nil {
			return err
		}
		if _, err := store.Exec(ctx, q, query, args...); err != nil {
			return err
		}
	}
	const priceCols, lineCols = 27, 12
	var priceRows, lineRows rowsInsert
	priceRows.init(`INSERT INTO record_prices (record_id, agreement_id, seq, sealed_at, day, month, quarter, request_no,
			payer, terms_version, unpriced_reason, unpriced_detail, late_json, priced_at, line_count,
			labour_rate_bp, labour_net_fen, labour_tax_fen, labour_gross_fen, parts_rate_bp, parts_net_fen, parts_tax_fen, parts_gross_fen,
			consultation_rate_bp, consultation_net_fen, consultation_tax_fen, consultation_gross_fen) VALUES `, priceCols)
	lineRows.init(`INSERT INTO record_price_lines (record_id, idx, kind, category, ref, quantity, unit_fen, rate_bp, net_fen,
		tax_rate_bp, tax_fen, gross_fen) VALUES `, lineCols)
	lineRows.first = &priceRows // the lines refer to the prices
	for k, rec := range recs {
		pr := prices[k]
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
		sums, lineCount, err := categorySums(pr)
		if err != nil {
			return fmt.Errorf("record %d price: %w", rec.ID, err)
		}
		args := []any{rec.ID, rec.AgreementID, rec.Seq, rec.SealedAt, pr.Day, month, quarter, pr.RequestNo, string(pr.Payer), pr.TermsVersion,
			reason, detail, late, now.UTC(), lineCount}
		for _, c := range sums {
			args = append(args, c.TaxRateBP, c.NetFen, c.TaxFen, c.GrossFen)
		}
		if err := priceRows.add(ctx, q, args...); err != nil {
			return fmt.Errorf("record prices: %w", err)
		}
		if pr.Unpriced != nil {
			continue
		}
		for i, l := range pr.Lines {
			if err := lineRows.add(ctx, q, rec.ID, i, string(l.Kind), string(l.Category), l.Ref, l.Quantity, l.UnitFen, int64(l.RateBP),
				l.NetFen, int64(l.TaxRateBP), l.TaxFen, l.GrossFen); err != nil {
				return fmt.Errorf("record price lines: %w", err)
			}
		}
	}
	if err := lineRows.flush(ctx, q); err != nil {
		return fmt.Errorf("record price lines: %w", err)
	}
	return nil
}

// rowsInsert gathers the rows of a multi-row INSERT and sends them when
// the next row would take the parameters over what both engines take in
// one statement (SQLite 32,766, PostgreSQL 65,535). Rows that refer to
// another table's rows flush that table's first.
type rowsInsert struct {
	head, row string
	cols      int
	query     []byte
	args      []any
	first     *rowsInsert
}

const maxParams = 30_000

func (r *rowsInsert) init(head string, cols int) {
	r.head, r.cols = head, cols
	r.row = "(?" + strings.Repeat(",?", cols-1) + ")"
}

func (r *rowsInsert) add(ctx context.Context, q store.Queryer, args ...any) error {
	if len(r.args)+r.cols > maxParams {
		if err := r.flush(ctx, q); err != nil {
			return err
		}
	}
	if len(r.args) == 0 {
		r.query = append(r.query[:0], r.head...)
	} else {
		r.query = append(r.query, ',')
	}
	r.query = append(r.query, r.row...)
	r.args = append(r.args, args...)
	return nil
}

func (r *rowsInsert) flush(ctx context.Context, q store.Queryer) error {
	if r.first != nil {
		if err := r.first.flush(ctx, q); err != nil {
			return err
		}
	}
	if len(r.args) == 0 {
		return nil
	}
	_, err := store.Exec(ctx, q, string(r.query), r.args...)
	r.args = r.args[:0]
	return err
}

// priceCategories are the VAT categories a kept price sums its lines by,
// in the order of record_prices' columns.
var priceCategories = [...]fees.Category{fees.CategoryLabour, fees.CategoryParts, fees.CategoryConsultation}

// categorySums adds up a price's lines per VAT category, each with its
// rate (-1: none), and counts the lines a statement shows for it: its fee lines, or
// one unpriced line. Every line of a category has the category's rate on
// the record's day; a price that breaks this is refused rather than kept
// with a wrong sum.
func categorySums(pr Priced) ([len(priceCategories)]fees.Line, int, error) {
	var out [len(priceCategories)]fees.Line
	for i := range out {
		out[i].TaxRateBP = -1 // no line of the category
	}
	if pr.Unpriced != nil {
		return out, 1, nil
	}
	seen := [len(priceCategories)]bool{}
	for _, l := range pr.Lines {
		i := slices.Index(priceCategories[:], l.Category)
		if i < 0 {
			return out, 0, fmt.Errorf("line %s has no VAT category (%q)", l.Kind, l.Category)
		}
		if seen[i] && out[i].TaxRateBP != l.TaxRateBP {
			return out, 0, fmt.Errorf("two VAT rates in category %s: %d and %d", l.Category, out[i].TaxRateBP, l.TaxRateBP)
		}
		seen[i] = true
		out[i].Category, out[i].TaxRateBP = l.Category, l.TaxRateBP
		out[i].NetFen += l.NetFen
		out[i].TaxFen += l.TaxFen
		out[i].GrossFen += l.GrossFen
	}
	return out, len(pr.Lines), nil
}

// ensurePriced prices the records of the period that have no price yet
// (sealed before prices were kept, or by a path that does not price), and
// again those whose price was computed with a version of the terms that
// is no longer the one in force on their day (a version that took effect
// on the day of check-out, after the record was sealed).
func (s *Service) ensurePriced(ctx context.Context, q store.Queryer, a agreement.Agreement, versions []agreement.Version, p Period, now time.Time) error {
	from, to := midnight(p.From), midnight(p.To)
	// Every price belongs to a record of the same agreement and time that
	// corrects nothing: when the period has as many prices as such
	// records, none lacks its price, and the records (large rows) are
	// counted in their index rather than joined to the prices.
	var missing int64
	if err := store.Get(ctx, q, &missing, `SELECT (SELECT COUNT(*) FROM service_records r
			WHERE r.agreement_id = ? AND r.sealed_at >= ? AND r.sealed_at < ? AND r.corrects_id IS NULL)
		- (SELECT COUNT(*) FROM record_prices p WHERE p.agreement_id = ? AND p.sealed_at >= ? AND p.sealed_at < ?)`,
		a.ID, from, to, a.ID, from, to); err != nil {
		return err
	}
	var ids []int64
	if missing != 0 {
		if err := store.Select(ctx, q, &ids, `SELECT r.id FROM service_records r
			LEFT JOIN record_prices p ON p.record_id = r.id
			WHERE r.agreement_id = ? AND r.sealed_at >= ? AND r.sealed_at < ? AND r.corrects_id IS NULL AND p.record_id IS NULL
			ORDER BY r.seq`, a.ID, from, to); err != nil {
			return err
		}
	}
	// The prices computed with another version than the one in force on
	// their day: one pass over the period's prices for every version.
	query := `SELECT record_id FROM record_prices WHERE agreement_id = ? AND sealed_at >= ? AND sealed_at < ? AND payer <> 'none' AND (`
	args := []any{a.ID, from, to}
	for i, w := range versionWindows(versions) {
		if i > 0 {
			query += ` OR `
		}
		query += `(day >= ? AND terms_version <> ?`
		args = append(args, w.from, w.number)
		if w.to != "" {
			query, args = query+` AND day < ?`, append(args, w.to)
		}
		query += `)`
	}
	var stale []int64
	if err := store.Select(ctx, q, &stale, query+`) ORDER BY seq`, args...); err != nil {
		return err
	}
	return s.priceRecords(ctx, q, a.ID, append(ids, stale...), now)
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

// keptOrder is the order of a draft's record lines: as the records were
// sealed (the period index gives it), each record's lines in their order.
const keptOrder = `p.sealed_at, p.seq, p.record_id, l.idx`

// keptLines is the select list and FROM clause that read the kept prices
// of a period's vendor records, as a statement's lines in keptOrder
// (numbered from 1, or with position 0 for the reader to count):
// one line per fee line, or one unpriced line with the reason. Only
// records with an id up to through count. A draft reads its lines through
// it; submitting copies them into settlement_lines. The select list names
// settlement_lines' columns from position on.
func keptLines(p Period, agreementID, through int64, numbered bool) (cols, from string, args []any) {
	key := "month"
	if p.Kind() == agreement.Quarterly {
		key = "quarter"
	}
	position := "0"
	if numbered {
		position = "ROW_NUMBER() OVER (ORDER BY " + keptOrder + ")"
	}
	cols = position + ` AS position, p.record_id, p.request_no AS request,
			COALESCE(l.kind, 'unpriced') AS kind, COALESCE(l.category, '') AS category, COALESCE(l.ref, '') AS ref,
			COALESCE(l.quantity, 0) AS quantity, COALESCE(l.unit_fen, 0) AS unit_fen, COALESCE(l.rate_bp, 0) AS rate_bp,
			COALESCE(l.net_fen, 0) AS net_fen, COALESCE(l.tax_rate_bp, 0) AS tax_rate_bp, COALESCE(l.tax_fen, 0) AS tax_fen,
			COALESCE(l.gross_fen, 0) AS gross_fen, p.terms_version, '' AS rule, CAST(NULL AS TEXT) AS evidence_json,
			p.unpriced_reason, p.unpriced_detail AS detail,
			CASE WHEN p.day < CAST(? AS TEXT) THEN p.` + key + ` ELSE '' END AS adjustment_of, FALSE AS removed,
			CAST(NULL AS TEXT) AS dispute_json`
	from, args = periodPrices(p, agreementID, through, "p.payer = 'vendor'")
	from = ` FROM record_prices p
		LEFT JOIN record_price_lines l ON l.record_id = p.record_id AND p.unpriced_reason = ''` + from + `
			AND (p.unpriced_reason <> '' OR l.record_id IS NOT NULL)`
	return cols, from, append([]any{p.From.String()}, args...)
}

// periodPrices is the WHERE clause of the kept prices (alias p) of an
// agreement's records sealed in the period, up to record id through.
func periodPrices(p Period, agreementID, through int64, and string) (string, []any) {
	return ` WHERE p.agreement_id = ? AND p.sealed_at >= ? AND p.sealed_at < ? AND p.record_id <= ? AND ` + and,
		[]any{agreementID, midnight(p.From), midnight(p.To), through}
}

// copyKept copies a draft's kept lines into settlement_lines at its
// submission, so that the submitted statement holds every line itself
// and no later change of a price can reach it.
func copyKept(ctx context.Context, q store.Queryer, h StatementHeader) error {
	p, err := ParsePeriod("period", h.Period)
	if err != nil {
		return err
	}
	cols, from, args := keptLines(p, h.AgreementID, *h.RecordsThrough, true)
	if _, err := store.Exec(ctx, q, `INSERT INTO settlement_lines (statement_id, position, record_id, request, kind, category, ref,
			quantity, unit_fen, rate_bp, net_fen, tax_rate_bp, tax_fen, gross_fen, terms_version, rule, evidence_json,
			unpriced_reason, detail, adjustment_of, removed, dispute_json)
		SELECT CAST(? AS BIGINT), `+cols+from, append([]any{h.ID}, args...)...); err != nil {
		return fmt.Errorf("settlement lines: %w", err)
	}
	_, err = store.Exec(ctx, q, `UPDATE settlement_statements SET records_through = NULL WHERE id = ?`, h.ID)
	return err
}

// keptSums is what a period's kept prices add up to (up to record id
// through), read in one pass over them: the highest record id among them (what the draft counts),
// the vendor's fees per category and rate, one unpriced line per unpriced
// vendor record, how many lines the statement shows for the vendor's
// records, and how many records the customer pays.
type keptSums struct {
	through  int64
	lines    int
	groups   []StatementLine
	customer int
}

func sumKept(ctx context.Context, q store.Queryer, p Period, agreementID, through int64) (keptSums, error) {
	var ks keptSums
	where, args := periodPrices(p, agreementID, through, "1 = 1")
	var rows []struct {
		Payer    string `db:"payer"`
		Through  int64  `db:"through"`
		N        int    `db:"n"`
		Unpriced int    `db:"unpriced"`
		Lines    int64  `db:"lines"`
		LRate    int64  `db:"labour_rate_bp"`
		LNet     int64  `db:"labour_net_fen"`
		LTax     int64  `db:"labour_tax_fen"`
		LGross   int64  `db:"labour_gross_fen"`
		PRate    int64  `db:"parts_rate_bp"`
		PNet     int64  `db:"parts_net_fen"`
		PTax     int64  `db:"parts_tax_fen"`
		PGross   int64  `db:"parts_gross_fen"`
		CRate    int64  `db:"consultation_rate_bp"`
		CNet     int64  `db:"consultation_net_fen"`
		CTax     int64  `db:"consultation_tax_fen"`
		CGross   int64  `db:"consultation_gross_fen"`
	}
	if err := store.Select(ctx, q, &rows, `SELECT p.payer, MAX(p.record_id) AS through, COUNT(*) AS n,
			SUM(CASE WHEN p.unpriced_reason <> '' THEN 1 ELSE 0 END) AS unpriced, SUM(p.line_count) AS lines,
			p.labour_rate_bp, SUM(p.labour_net_fen) AS labour_net_fen, SUM(p.labour_tax_fen) AS labour_tax_fen,
			SUM(p.labour_gross_fen) AS labour_gross_fen,
			p.parts_rate_bp, SUM(p.parts_net_fen) AS parts_net_fen, SUM(p.parts_tax_fen) AS parts_tax_fen,
			SUM(p.parts_gross_fen) AS parts_gross_fen,
			p.consultation_rate_bp, SUM(p.consultation_net_fen) AS consultation_net_fen,
			SUM(p.consultation_tax_fen) AS consultation_tax_fen, SUM(p.consultation_gross_fen) AS consultation_gross_fen
		FROM record_prices p`+where+`
		GROUP BY p.payer, p.labour_rate_bp, p.parts_rate_bp, p.consultation_rate_bp`, args...); err != nil {
		return ks, err
	}
	for _, r := range rows {
		ks.through = max(ks.through, r.Through)
		switch Payer(r.Payer) {
		case PayerCustomer:
			ks.customer += r.N
			continue
		case PayerVendor:
		default:
			continue
		}
		ks.lines += int(r.Lines)
		for range r.Unpriced {
			ks.groups = append(ks.groups, StatementLine{Line: fees.Line{Kind: LineUnpriced}})
		}
		for i, c := range [][4]int64{{r.LRate, r.LNet, r.LTax, r.LGross}, {r.PRate, r.PNet, r.PTax, r.PGross}, {r.CRate, r.CNet, r.CTax, r.CGross}} {
			if c[0] < 0 {
				continue // no line of the category
			}
			ks.groups = append(ks.groups, StatementLine{Line: fees.Line{Category: priceCategories[i], TaxRateBP: c[0],
				NetFen: c[1], TaxFen: c[2], GrossFen: c[3]}})
		}
	}
	return ks, nil
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

func readPeriodFacts(ctx context.Context, q store.Queryer, p Period, agreementID, through int64, ks keptSums) (periodFacts, error) {
	var f periodFacts
	where, args := periodPrices(p, agreementID, through, "p.late_json IS NOT NULL")
	var late []string
	if err := store.Select(ctx, q, &late, `SELECT p.late_json FROM record_prices p`+where+` ORDER BY p.seq`, args...); err != nil {
		return f, err
	}
	for _, j := range late {
		var ls []fees.LateClock
		if err := json.Unmarshal([]byte(j), &ls); err != nil {
			return f, fmt.Errorf("late clocks: %w", err)
		}
		f.late = append(f.late, ls...)
	}
	f.customer = ks.customer
	net := map[fees.Category]int64{}
	for _, g := range ks.groups {
		if g.Kind == LineUnpriced {
			continue
		}
		net[g.Category] += g.NetFen
		f.grossFen += g.GrossFen
	}
	for _, c := range slices.Sorted(maps.Keys(net)) {
		f.byCategory = append(f.byCategory, fees.Line{Category: c, NetFen: net[c]})
	}
	return f, nil
}
