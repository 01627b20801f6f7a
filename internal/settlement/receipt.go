package settlement

import (
	"context"
	"fmt"

	"aftersales/internal/fees"
	"aftersales/internal/store"
)

// Receipt is what the customer pays for one sealed visit out of warranty
// (收费明细): the lines its kept price holds, from the same fee schedule
// that prices the vendor's work, with their totals per VAT rate and the
// total in words. An unpriced visit has no lines and says why.
type Receipt struct {
	RecordID       int64
	Day            string // check-out day, Shanghai
	TermsVersion   int
	Lines          []fees.Line
	Totals         fees.Totals
	InWords        string
	UnpricedReason fees.UnpricedReason
	// Provider and ProviderAddress name the service provider that did the
	// work (the record's provider) and its registered address.
	Provider, ProviderAddress string
}

type receiptRow struct {
	RecordID       int64  `db:"record_id"`
	Provider       string `db:"provider"`
	Address        string `db:"address"`
	Day            string `db:"day"`
	TermsVersion   int    `db:"terms_version"`
	UnpricedReason string `db:"unpriced_reason"`
}

type receiptLine struct {
	RecordID int64 `db:"record_id"`
	fees.Line
}

// CustomerReceipts are the receipts of a request's sealed visits that the
// customer pays (the unit's warranty had ended before the visit), in the
// order they were sealed. Visits under warranty have none: the vendor
// pays them through the settlement statement. The caller has checked that
// the actor may see the request.
func CustomerReceipts(ctx context.Context, q store.Queryer, requestID int64) ([]Receipt, error) {
	var rows []receiptRow
	if err := store.Select(ctx, q, &rows, `SELECT p.record_id, p.day, p.terms_version, p.unpriced_reason,
			COALESCE(o.name, '') AS provider, COALESCE(o.address, '') AS address
		FROM record_prices p JOIN service_records r ON r.id = p.record_id
		LEFT JOIN organizations o ON o.id = r.provider_id
		WHERE r.request_id = ? AND r.corrects_id IS NULL AND p.payer = ?
		ORDER BY p.agreement_id, p.seq`, requestID, string(PayerCustomer)); err != nil {
		return nil, fmt.Errorf("receipts of request %d: %w", requestID, err)
	}
	if len(rows) == 0 {
		return nil, nil
	}
	out := make([]Receipt, len(rows))
	at := make(map[int64]int, len(rows))
	ids := make([]int64, len(rows))
	for i, r := range rows {
		out[i] = Receipt{RecordID: r.RecordID, Day: r.Day, TermsVersion: r.TermsVersion, UnpricedReason: fees.UnpricedReason(r.UnpricedReason),
			Provider: r.Provider, ProviderAddress: r.Address}
		at[r.RecordID], ids[i] = i, r.RecordID
	}
	var lines []receiptLine
	if err := store.SelectIn(ctx, q, &lines, `SELECT record_id, kind, category, ref, quantity, unit_fen, rate_bp, net_fen, tax_rate_bp, tax_fen, gross_fen
		FROM record_price_lines WHERE record_id IN (?) ORDER BY record_id, idx`, ids); err != nil {
		return nil, fmt.Errorf("receipt lines of request %d: %w", requestID, err)
	}
	for _, l := range lines {
		rc := &out[at[l.RecordID]]
		rc.Lines = append(rc.Lines, l.Line)
	}
	for i := range out {
		if out[i].UnpricedReason == "" {
			out[i].Totals = fees.Sum(out[i].Lines)
			out[i].InWords = fees.AmountInWords(out[i].Totals.GrossFen)
		}
	}
	return out, nil
}
