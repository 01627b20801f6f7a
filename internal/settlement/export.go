package settlement

import (
	"context"
	"io"

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
// read: the statement with its lines, both parties' names and the day
// payment is due. t renders the catalogs' texts in the reader's language.
func (s *Service) Document(ctx context.Context, actor policy.Actor, id int64, t func(id string, args ...any) string) (Document, error) {
	st, err := s.Get(ctx, actor, id)
	if err != nil {
		return Document{}, err
	}
	d := Document{S: st, DueOn: st.DueOn, T: t}
	var orgs []struct {
		ID   int64  `db:"id"`
		Name string `db:"name"`
	}
	if err := store.Select(ctx, s.DB, &orgs, `SELECT id, name FROM organizations WHERE id IN (?, ?)`, st.VendorID, st.ProviderID); err != nil {
		return Document{}, err
	}
	for _, o := range orgs {
		switch o.ID {
		case st.VendorID:
			d.Vendor = o.Name
		case st.ProviderID:
			d.Provider = o.Name
		}
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
