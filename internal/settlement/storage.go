package settlement

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"aftersales/internal/calendar"
	"aftersales/internal/fees"
	"aftersales/internal/problem"
	"aftersales/internal/record"
	"aftersales/internal/store"
)

// Header is a settlement statement without its lines: what a list shows.
type StatementHeader struct {
	ID                int64      `db:"id" json:"id"`
	AgreementID       int64      `db:"agreement_id" json:"agreement_id"`
	VendorID          int64      `db:"vendor_id" json:"vendor_id"`
	ProviderID        int64      `db:"provider_id" json:"provider_id"`
	Number            string     `db:"number" json:"number" doc:"The statement's number: JS-<agreement>-<period>."`
	Period            string     `db:"period" json:"period" doc:"YYYY-MM or YYYY-Qn."`
	PeriodFrom        string     `db:"period_from" json:"period_from" doc:"First day, Shanghai."`
	PeriodTo          string     `db:"period_to" json:"period_to" doc:"The day after the last, Shanghai."`
	Status            Status     `db:"status" json:"status" enum:"draft,submitted,disputed,approved"`
	TermsVersion      int        `db:"terms_version" json:"terms_version" doc:"The version of the terms in force on the period's last day: its breach rules and period cap apply."`
	TotalFen          int64      `db:"total_fen" json:"total_fen" doc:"What the vendor pays: fees with tax less deductions, in fen."`
	TaxFen            int64      `db:"tax_fen" json:"tax_fen" doc:"The VAT of the fee lines, in fen."`
	CustomerRecords   int        `db:"customer_records" json:"customer_records" doc:"Records of the period the customer pays (out of warranty): not on the statement."`
	SatisfactionKnown bool       `db:"satisfaction_known" json:"satisfaction_known" doc:"Whether the period's satisfaction figure was known to the breach rules."`
	GeneratedAt       time.Time  `db:"generated_at" json:"generated_at"`
	SubmittedAt       *time.Time `db:"submitted_at" json:"submitted_at,omitempty"`
	SubmittedBy       string     `db:"submitted_by" json:"submitted_by,omitempty"`
	ApprovedAt        *time.Time `db:"approved_at" json:"approved_at,omitempty"`
	ApprovedBy        string     `db:"approved_by" json:"approved_by,omitempty"`
	DueOn             string     `db:"due_on" json:"due_on,omitempty" doc:"The day payment is due: approval plus the terms' payment days."`
	PaidFen           int64      `db:"paid_fen" json:"paid_fen" doc:"What the payments recorded so far add up to."`
	Version           int64      `db:"version" json:"revision"`
	// RecordsThrough is set on a draft that refers to its records' kept
	// prices instead of holding their lines: the highest record id it
	// counted. Submitting copies the lines and clears it.
	RecordsThrough *int64    `db:"records_through" json:"-"`
	CreatedAt      time.Time `db:"created_at" json:"created_at"`
	UpdatedAt      time.Time `db:"updated_at" json:"updated_at"`
}

// Statement is a settlement statement with its lines and totals.
type Statement struct {
	StatementHeader
	Lines  []StatementLine `json:"lines"`
	Totals StatementTotals `json:"totals"`
}

const statementColumns = `id, agreement_id, vendor_id, provider_id, number, period, period_from, period_to, status,
	terms_version, total_fen, tax_fen, customer_records, satisfaction_known, generated_at, submitted_at, submitted_by,
	approved_at, approved_by, due_on, version, records_through, created_at, updated_at,
	(SELECT COALESCE(SUM(amount_fen), 0) FROM settlement_payments p WHERE p.statement_id = settlement_statements.id) AS paid_fen`

func statementNotFound(id int64) error {
	return problem.New(problem.NotFound, "settlement statement %d not found", id)
}

// getHeader loads a statement without its lines.
func getHeader(ctx context.Context, q store.Queryer, id int64) (StatementHeader, error) {
	return store.ByID[StatementHeader](ctx, q, `SELECT `+statementColumns+` FROM settlement_statements WHERE id = ?`, id, statementNotFound)
}

// GetStatement loads a statement with its lines and totals.
func GetStatement(ctx context.Context, q store.Queryer, id int64) (Statement, error) {
	var s Statement
	var err error
	if s.StatementHeader, err = getHeader(ctx, q, id); err != nil {
		return s, err
	}
	if s.Lines, err = loadLines(ctx, q, s.StatementHeader); err != nil {
		return s, err
	}
	s.Totals = Sum(s.Lines)
	return s, nil
}

func findStatement(ctx context.Context, q store.Queryer, agreementID int64, period string) (*StatementHeader, error) {
	var s StatementHeader
	err := store.Get(ctx, q, &s, `SELECT `+statementColumns+` FROM settlement_statements WHERE agreement_id = ? AND period = ?`, agreementID, period)
	if err == store.ErrNotFound {
		return nil, nil
	}
	return &s, err
}

// noOverlap refuses a period that shares days with a statement of the
// agreement for another period (a quarter and one of its months), whatever
// that statement's state: each record is settled on one statement only.
func noOverlap(ctx context.Context, q store.Queryer, agreementID int64, p Period) error {
	var other []StatementHeader
	if err := store.Select(ctx, q, &other, `SELECT `+statementColumns+` FROM settlement_statements
		WHERE agreement_id = ? AND period <> ? AND period_from < ? AND period_to > ? ORDER BY period_from LIMIT 1`,
		agreementID, p.Key, p.To.String(), p.From.String()); err != nil {
		return err
	}
	if len(other) > 0 {
		return problem.Field("period", "%s overlaps statement %s of period %s: a record is settled on one statement only",
			p.Key, other[0].Number, other[0].Period)
	}
	return nil
}

// ListStatements lists the statements of the organizations given (nil: all),
// newest period first, optionally of one agreement.
func ListStatements(ctx context.Context, q store.Queryer, orgID int64, agreementID int64) ([]StatementHeader, error) {
	query := `SELECT ` + statementColumns + ` FROM settlement_statements WHERE 1 = 1`
	var args []any
	if orgID != 0 {
		query, args = query+` AND (vendor_id = ? OR provider_id = ?)`, append(args, orgID, orgID)
	}
	if agreementID != 0 {
		query, args = query+` AND agreement_id = ?`, append(args, agreementID)
	}
	var out []StatementHeader
	err := store.Select(ctx, q, &out, query+` ORDER BY period DESC, id DESC LIMIT 500`, args...)
	return out, err
}

type lineRow struct {
	ID          int64  `db:"id"`
	StatementID int64  `db:"statement_id"`
	Position    int    `db:"position"`
	RecordID    *int64 `db:"record_id"`
	Request     string `db:"request"`
	fees.Line
	TermsVersion   int            `db:"terms_version"`
	Rule           string         `db:"rule"`
	EvidenceJSON   sql.NullString `db:"evidence_json"`
	UnpricedReason string         `db:"unpriced_reason"`
	Detail         string         `db:"detail"`
	AdjustmentOf   string         `db:"adjustment_of"`
	Removed        bool           `db:"removed"`
	DisputeJSON    sql.NullString `db:"dispute_json"`
}

const lineColumns = `id, statement_id, position, record_id, request, kind, category, ref, quantity, unit_fen, rate_bp,
	net_fen, tax_rate_bp, tax_fen, gross_fen, terms_version, rule, evidence_json, unpriced_reason, detail, adjustment_of,
	removed, dispute_json`

// loadLines reads a statement's lines in order (see eachLine).
func loadLines(ctx context.Context, q store.Queryer, h StatementHeader) ([]StatementLine, error) {
	var out []StatementLine
	err := eachLine(ctx, q, h, func(l StatementLine) error {
		out = append(out, l)
		return nil
	})
	return out, err
}

// eachLine reads a statement's lines in order, one at a time, and hands
// each to fn: for a draft that refers to kept prices, its records' lines
// from the prices (they have no id until the statement is submitted),
// then its own rows. A large period is never all in memory at once.
func eachLine(ctx context.Context, q store.Queryer, h StatementHeader, fn func(StatementLine) error) error {
	if h.RecordsThrough != nil {
		p, err := ParsePeriod("period", h.Period)
		if err != nil {
			return err
		}
		cols, from, args := keptLines(p, h.AgreementID, *h.RecordsThrough, false)
		n := 0
		if err := eachRow(ctx, q, `SELECT 0 AS id, CAST(? AS BIGINT) AS statement_id, `+cols+from+` ORDER BY `+keptOrder,
			append([]any{h.ID}, args...), func(l StatementLine) error {
				n++
				l.Position = n
				return fn(l)
			}); err != nil {
			return err
		}
	}
	return eachRow(ctx, q, `SELECT `+lineColumns+` FROM settlement_lines WHERE statement_id = ? ORDER BY position`, []any{h.ID}, fn)
}

// eachRow runs a query whose columns are lineColumns' and hands each row
// to fn as a line.
func eachRow(ctx context.Context, q store.Queryer, query string, args []any, fn func(StatementLine) error) error {
	rows, err := q.QueryContext(ctx, store.Rebind(q, query), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var r lineRow
		if err := rows.Scan(&r.ID, &r.StatementID, &r.Position, &r.RecordID, &r.Request, &r.Kind, &r.Category, &r.Ref, &r.Quantity,
			&r.UnitFen, &r.RateBP, &r.NetFen, &r.TaxRateBP, &r.TaxFen, &r.GrossFen, &r.TermsVersion, &r.Rule, &r.EvidenceJSON,
			&r.UnpricedReason, &r.Detail, &r.AdjustmentOf, &r.Removed, &r.DisputeJSON); err != nil {
			return err
		}
		l, err := r.line()
		if err != nil {
			return err
		}
		if err := fn(l); err != nil {
			return err
		}
	}
	return rows.Err()
}

func (r lineRow) line() (StatementLine, error) {
	l := StatementLine{ID: r.ID, Position: r.Position, RecordID: r.RecordID, Request: r.Request, TermsVersion: r.TermsVersion,
		Rule: r.Rule, UnpricedReason: r.UnpricedReason, Detail: r.Detail, AdjustmentOf: r.AdjustmentOf, Removed: r.Removed,
		Line: r.Line}
	if r.EvidenceJSON.Valid {
		l.Evidence = &fees.Evidence{}
		if err := json.Unmarshal([]byte(r.EvidenceJSON.String), l.Evidence); err != nil {
			return l, fmt.Errorf("settlement line %d evidence: %w", r.ID, err)
		}
	}
	if r.DisputeJSON.Valid {
		l.Dispute = &Dispute{}
		if err := json.Unmarshal([]byte(r.DisputeJSON.String), l.Dispute); err != nil {
			return l, fmt.Errorf("settlement line %d dispute: %w", r.ID, err)
		}
	}
	return l, nil
}

// statementTotals adds up a statement's lines in the database, as Sum
// does over the lines in memory: a draft's kept prices up to the record it
// counted, and the statement's own rows.
func statementTotals(ctx context.Context, q store.Queryer, h StatementHeader) (StatementTotals, error) {
	var lines []StatementLine
	if h.RecordsThrough != nil {
		p, err := ParsePeriod("period", h.Period)
		if err != nil {
			return StatementTotals{}, err
		}
		ks, err := sumKept(ctx, q, p, h.AgreementID, *h.RecordsThrough)
		if err != nil {
			return StatementTotals{}, err
		}
		lines = ks.groups
	}
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
		GROUP BY CASE WHEN kind IN ('unpriced', 'deduction') THEN kind ELSE '' END, tax_rate_bp`, h.ID); err != nil {
		return StatementTotals{}, err
	}
	for _, r := range rows {
		l := StatementLine{Line: fees.Line{Kind: fees.LineKind(r.Kind), TaxRateBP: r.TaxRateBP, NetFen: r.NetFen,
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

func jsonOrNil(v any, isNil bool) (*string, error) {
	if isNil {
		return nil, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	s := string(b)
	return &s, nil
}

// insertLines writes a statement's lines, in batches to keep the number
// of round trips low for a large period.
func insertLines(ctx context.Context, q store.Queryer, statementID int64, lines []StatementLine) error {
	const cols = 22
	const batch = 400 // 400 × 22 parameters stays under both engines' limits
	for start := 0; start < len(lines); start += batch {
		part := lines[start:min(start+batch, len(lines))]
		query := make([]byte, 0, 64+len(part)*(2*cols+4))
		query = append(query, `INSERT INTO settlement_lines (statement_id, position, record_id, request, kind, category, ref,
			quantity, unit_fen, rate_bp, net_fen, tax_rate_bp, tax_fen, gross_fen, terms_version, rule, evidence_json,
			unpriced_reason, detail, adjustment_of, removed, dispute_json) VALUES `...)
		args := make([]any, 0, len(part)*cols)
		for i, l := range part {
			if i > 0 {
				query = append(query, ',')
			}
			query = append(query, "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"...)
			ev, err := jsonOrNil(l.Evidence, l.Evidence == nil)
			if err != nil {
				return err
			}
			dj, err := jsonOrNil(l.Dispute, l.Dispute == nil)
			if err != nil {
				return err
			}
			args = append(args, statementID, l.Position, l.RecordID, l.Request, string(l.Kind), string(l.Category), l.Ref,
				l.Quantity, l.UnitFen, l.RateBP, l.NetFen, l.TaxRateBP, l.TaxFen, l.GrossFen, l.TermsVersion, l.Rule, ev,
				l.UnpricedReason, l.Detail, l.AdjustmentOf, l.Removed, dj)
		}
		if _, err := store.Exec(ctx, q, string(query), args...); err != nil {
			return fmt.Errorf("settlement lines: %w", err)
		}
	}
	return nil
}

// saveLine writes back a line's amounts, removal and dispute.
func saveLine(ctx context.Context, q store.Queryer, statementID int64, l StatementLine) error {
	dj, err := jsonOrNil(l.Dispute, l.Dispute == nil)
	if err != nil {
		return err
	}
	_, err = store.Exec(ctx, q, `UPDATE settlement_lines SET net_fen = ?, tax_fen = ?, gross_fen = ?, removed = ?, dispute_json = ?
		WHERE statement_id = ? AND id = ?`, l.NetFen, l.TaxFen, l.GrossFen, l.Removed, dj, statementID, l.ID)
	return err
}

// periodRecord is a sealed record of the period with what pricing needs
// from its request and unit.
type periodRecord struct {
	record.Record
	RequestNo   sql.NullString  `db:"request_no"`
	SiteLat     sql.NullFloat64 `db:"site_lat"`
	SiteLng     sql.NullFloat64 `db:"site_lng"`
	WarrantyEnd sql.NullString  `db:"warranty_end"`
}

// inputQuery selects sealed records with what pricing needs from their
// request and unit; a WHERE clause follows.
const inputQuery = `SELECT r.id, r.agreement_id, r.seq, r.vendor_id, r.provider_id, r.request_id, r.corrects_id,
		r.content_json, r.sealed_at, r.retain_until, r.prev_hash, r.hash,
		sr.number AS request_no, sr.site_lat, sr.site_lng, u.warranty_end
	FROM service_records r
	LEFT JOIN service_requests sr ON sr.id = r.request_id
	LEFT JOIN units u ON u.id = sr.unit_id`

// loadInputs loads the records a query of inputQuery selects, with their
// content decoded.
func loadInputs(ctx context.Context, q store.Queryer, query string, args ...any) ([]Input, error) {
	var rows []periodRecord
	if err := store.Select(ctx, q, &rows, query, args...); err != nil {
		return nil, err
	}
	out := make([]Input, 0, len(rows))
	for _, r := range rows {
		c, err := r.Record.Content()
		if err != nil {
			return nil, fmt.Errorf("record %d: %w", r.ID, err)
		}
		in := Input{Record: r.Record, Content: c, RequestNo: r.RequestNo.String, WarrantyEnd: r.WarrantyEnd.String}
		if r.SiteLat.Valid && r.SiteLng.Valid {
			lat, lng := r.SiteLat.Float64, r.SiteLng.Float64
			in.Site = Site{Lat: &lat, Lng: &lng}
		}
		out = append(out, in)
	}
	return out, nil
}

// unreturnedParts loads the defective parts of an agreement due back in
// the period and not shipped by the end of their due day.
// A part whose due day is today or later is not late yet.
func unreturnedParts(ctx context.Context, q store.Queryer, agreementID int64, p Period, today string) ([]fees.UnreturnedPart, error) {
	var rows []struct {
		Request    string     `db:"request"`
		WorkOrder  int64      `db:"work_order_id"`
		PartNumber string     `db:"part_number"`
		Qty        int64      `db:"qty"`
		CostFen    int64      `db:"unit_cost_fen"`
		DueDate    string     `db:"due_date"`
		ShippedAt  *time.Time `db:"shipped_at"`
	}
	err := store.Select(ctx, q, &rows, `SELECT sr.number AS request, pr.work_order_id, pa.part_number, pr.qty, pa.unit_cost_fen,
			pr.due_date, pr.shipped_at
		FROM part_returns pr
		JOIN work_orders wo ON wo.id = pr.work_order_id
		JOIN service_requests sr ON sr.id = wo.request_id
		JOIN parts pa ON pa.id = pr.part_id
		WHERE sr.agreement_id = ? AND pr.due_date >= ? AND pr.due_date < ?
		ORDER BY pr.due_date, pr.id`, agreementID, p.From.String(), p.To.String())
	if err != nil {
		return nil, err
	}
	var out []fees.UnreturnedPart
	for _, r := range rows {
		if r.DueDate >= today || r.ShippedAt != nil && calendar.LocalDate(*r.ShippedAt) <= r.DueDate {
			continue
		}
		out = append(out, fees.UnreturnedPart{Request: r.Request, WorkOrder: r.WorkOrder, PartNumber: r.PartNumber,
			Quantity: r.Qty, UnitCostFen: r.CostFen, DueOn: calendar.MustParseDate(r.DueDate)})
	}
	return out, nil
}

func midnight(d calendar.Date) time.Time {
	t, _ := calendar.LocalMidnight(d.String())
	return t.UTC()
}
