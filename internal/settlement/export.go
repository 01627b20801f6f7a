package settlement

import (
	"context"
	"io"

	"aftersales/internal/agreement"
	"aftersales/internal/calendar"
	"aftersales/internal/labels"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/store"
)

// Export formats of a statement.
const (
	ExportPDF  = "pdf"
	ExportXLSX = "xlsx"
)

// Document gathers the printable document of a statement the actor may
// read: the statement with its totals (its lines are read as the document
// is written), both parties' names and the day
// payment is due. t renders the catalogs' texts in the reader's language.
func (s *Service) Document(ctx context.Context, actor policy.Actor, id int64, t func(id string, args ...any) string) (Document, error) {
	h, err := headerFor(ctx, s.DB, actor, id, policy.SettlementRead)
	if err != nil {
		return Document{}, err
	}
	// The lines are read as the document is written, never all at once.
	st := Statement{StatementHeader: h}
	if st.Totals, err = statementTotals(ctx, s.DB, h); err != nil {
		return Document{}, err
	}
	d := Document{S: st, DueOn: st.DueOn, T: t}
	d.each = func(fn func(StatementLine) error) error { return eachLine(ctx, s.DB, h, fn) }
	var orgs []struct {
		ID      int64  `db:"id"`
		Name    string `db:"name"`
		Address string `db:"address"`
	}
	if err := store.Select(ctx, s.DB, &orgs, `SELECT id, name, address FROM organizations WHERE id IN (?, ?)`, st.VendorID, st.ProviderID); err != nil {
		return Document{}, err
	}
	for _, o := range orgs {
		switch o.ID {
		case st.VendorID:
			d.Vendor, d.VendorAddress = o.Name, o.Address
		case st.ProviderID:
			d.Provider, d.ProviderAddress = o.Name, o.Address
		}
	}
	d.Payee.Name = d.Provider
	versions, err := agreement.Versions(ctx, s.DB, st.AgreementID)
	if err != nil {
		return Document{}, err
	}
	v, ok := agreement.InForce(versions, calendar.LocalDate(s.Now()))
	if !ok && len(versions) > 0 {
		v, ok = versions[len(versions)-1], true
	}
	if p := v.Terms.Payment; ok && p.AccountNumber != "" {
		d.Payee.Bank, d.Payee.Account = p.BankName, p.AccountNumber
		if p.AccountName != "" {
			d.Payee.Name = p.AccountName
		}
	}
	// What the agreement's earlier approved statements still have open.
	if err := store.Get(ctx, s.DB, &d.OpeningFen, `SELECT COALESCE(SUM(st.total_fen), 0) -
		COALESCE((SELECT SUM(p.amount_fen) FROM settlement_payments p JOIN settlement_statements e ON e.id = p.statement_id
			WHERE e.agreement_id = ? AND e.status = 'approved' AND e.period_from < ?), 0)
		FROM settlement_statements st WHERE st.agreement_id = ? AND st.status = 'approved' AND st.period_from < ?`,
		st.AgreementID, st.PeriodFrom, st.AgreementID, st.PeriodFrom); err != nil {
		return Document{}, err
	}
	return d, nil
}

// Write writes the document as an A4 PDF (with fonts' CJK font embedded)
// or an XLSX workbook.
func (d Document) Write(w io.Writer, format string, fonts *labels.FontSource) error {
	switch format {
	case ExportPDF:
		font, err := fonts.Font()
		if err != nil {
			return err
		}
		return WritePDF(w, font, d)
	case ExportXLSX:
		return WriteXLSX(w, d)
	}
	return problem.Field("format", "must be pdf or xlsx, not %q", format)
}

// ContentType is the media type of an export format.
func ContentType(format string) string {
	if format == ExportPDF {
		return "application/pdf"
	}
	return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
}
