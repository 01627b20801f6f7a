package web

import (
	"net/http"
	"slices"

	"aftersales/internal/account"
	"aftersales/internal/parts"
	"aftersales/internal/problem"
	"aftersales/internal/stock"
)

// The "parts used" section of the technician's work order page: what was fitted,
// and a form to fit a part from the van or the service point's store.

// workOrderParts fills the parts section of a work order page.
func (s *Server) workOrderParts(r *http.Request, u account.User, d *workOrderData) error {
	ctx, a := r.Context(), u.Actor()
	used, err := s.Stock.ForWorkOrder(ctx, a, d.WorkOrder.ID)
	if err != nil {
		return err
	}
	d.Used = used
	if d.WorkOrder.Status != "on_site" {
		return nil
	}
	if d.Sources, err = s.Stock.SourcesFor(ctx, a, d.WorkOrder.ID); err != nil {
		return err
	}
	ps, err := s.Parts.List(ctx, a, parts.Filter{VendorID: d.About.VendorID, ActiveOnly: true})
	if err != nil {
		return err
	}
	rows, _ := s.partRows(r, u, ps)
	// Parts listed for the unit's model first.
	slices.SortStableFunc(rows, func(x, y partRow) int {
		fx, fy := slices.Contains(x.Models, d.About.Model), slices.Contains(y.Models, d.About.Model)
		switch {
		case fx && !fy:
			return -1
		case fy && !fx:
			return 1
		}
		return 0
	})
	d.Parts = rows
	return nil
}

// refusal is a refused consumption in the reader's language.
func (s *Server) refusal(r *http.Request, p *problem.Error) string {
	id := "refusal." + p.Reason
	if !s.I18n.Has(id) {
		return p.Detail
	}
	return s.msg(r, id)
}

// workOrderConsume fits a part on the visit from the phone form.
func (s *Server) workOrderConsume(w http.ResponseWriter, r *http.Request, u account.User) {
	id, f, ok := s.postedForm(w, r)
	if !ok {
		return
	}
	in := stock.ConsumeInput{WorkOrderID: id, LocationID: f.Int64("location_id"), PartID: f.Int64("part_id"),
		Qty: f.Int64("qty"), SerialRemoved: f.String("serial_removed"), SerialInstalled: f.String("serial_installed")}
	err := f.Err()
	if err == nil {
		_, err = s.Stock.Consume(r.Context(), u.Actor(), in)
	}
	if problem.Is(err, problem.PartRefused) {
		s.renderWorkOrder(w, r, u, http.StatusUnprocessableEntity, err)
		return
	}
	s.afterPost(w, r, err, "work_orders.part_fitted", "/work-orders/"+itoa(id)+"#parts", func(e error) { s.renderWorkOrder(w, r, u, http.StatusUnprocessableEntity, e) })
}
