package web

import (
	"fmt"
	"net/http"

	"aftersales/internal/account"
	"aftersales/internal/installedbase"
	"aftersales/internal/problem"
)

// Printing QR labels and exporting units from the products list, and a
// unit's service history on its page.

// unitFilter reads the products list's filter from a query.
func unitFilter(q *pageQuery) installedbase.UnitFilter {
	return installedbase.UnitFilter{ModelCode: q.Get("model"), Serial: q.Get("serial"), CustomerID: q.ID("customer")}
}

// unitLabels answers a PDF of labels: for the ticked products, or with
// all=1 for every product matching the list's filter. A refused selection
// shows the list again with the reason.
func (s *Server) unitLabels(w http.ResponseWriter, r *http.Request, u account.User) {
	pq := readQuery(r)
	q := pq.Values
	sel := installedbase.Selection{Filter: unitFilter(pq)}
	if !pq.OK() {
		s.renderUnits(w, r, u, http.StatusBadRequest, nil)
		return
	}
	if q.Get("all") != "1" {
		ids, err := installedbase.ParseIDs("id", q["id"]...)
		if err == nil && len(ids) == 0 {
			err = problem.Field("id", "%s", s.msg(r, "labels.choose"))
		}
		if err != nil {
			s.renderUnits(w, r, u, http.StatusUnprocessableEntity, labelFieldErrors(err))
			return
		}
		sel.IDs = ids
	}
	pdf, err := s.InstalledBase.LabelSheet(r.Context(), u.Actor(), s.Labels, installedbase.LabelRequest{Base: s.absoluteURL(r, ""),
		Selection: sel, Layout: q.Get("layout"), Hotline: q.Get("hotline"), Outline: q.Get("outline") == "on"})
	if s.refused(w, r, err, func(err error) { s.renderUnits(w, r, u, http.StatusUnprocessableEntity, labelFieldErrors(err)) }) {
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="labels-%s.pdf"`, s.today()))
	w.Header().Set("Cache-Control", "private, no-store")
	_, _ = w.Write(pdf)
}

// labelFieldErrors shows every reason beside the print form: the selection
// problems under "labels", the others at their fields.
func labelFieldErrors(err error) error {
	p, ok := problem.As(err)
	if !ok {
		return err
	}
	var fs problem.Fields
	for _, f := range p.Fields {
		switch f.Field {
		case "ids", "id", "filter", "units":
			fs.Add("labels", "%s", f.Message)
		default:
			fs.Add(f.Field, "%s", f.Message)
		}
	}
	return fs.Err()
}

// unitsExport downloads the products matching the list's filter as CSV or
// XLSX, in the columns of the import (named in the user's language).
func (s *Server) unitsExport(w http.ResponseWriter, r *http.Request, u account.User) {
	q := readQuery(r)
	f := unitFilter(q)
	if err := q.Err(); err != nil {
		s.fail(w, r, err)
		return
	}
	e, err := s.InstalledBase.ExportUnits(r.Context(), u.Actor(), f, q.Get("format"), s.lang(r) != "en")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", e.ContentType())
	w.Header().Set("Content-Disposition", `attachment; filename="`+e.Filename()+`"`)
	w.Header().Set("Cache-Control", "private, no-store")
	if err := e.Write(r.Context(), w); err != nil {
		s.Log.Error("export units", "err", err, "request_id", requestID(r.Context()))
	}
}
