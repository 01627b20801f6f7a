package web

import (
	"bytes"
	"fmt"
	"net/http"

	"aftersales/internal/account"
	"aftersales/internal/problem"
	"aftersales/internal/servicerequest"
	"aftersales/internal/settlement"
)

// requestReceipt is the customer's receipt (收费明细) of a request: each
// sealed visit the unit's warranty no longer covered, priced from the
// agreement's fee schedule, with the provider that did it, its tax per
// rate and the total in words. Whoever may see the request may open it
// (its customer, provider and vendor); a request with no visit out of
// warranty has none (404).
type receiptsData struct {
	Request  servicerequest.Request
	Receipts []settlement.Receipt
}

func (s *Server) requestReceipt(w http.ResponseWriter, r *http.Request, u account.User) {
	view, receipts, ok := s.receiptsOf(w, r, u)
	if !ok {
		return
	}
	v := s.newView(r, "receipts.title", "requests")
	v.Title = view.Number + " · " + v.T("receipts.title")
	v.Data = receiptsData{Request: view.Request, Receipts: receipts}
	s.render(w, r, http.StatusOK, "request_receipt", v)
}

// requestReceiptPDF downloads the same receipt as an A4 PDF in the
// reader's language, to whoever may open the page.
func (s *Server) requestReceiptPDF(w http.ResponseWriter, r *http.Request, u account.User) {
	view, receipts, ok := s.receiptsOf(w, r, u)
	if !ok {
		return
	}
	font, err := s.Labels.Font()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := s.newView(r, "receipts.title", "requests")
	var buf bytes.Buffer
	if err := settlement.WriteReceiptPDF(&buf, font, settlement.ReceiptDocument{Request: view.Number, Serial: view.SerialNumber,
		Model: view.Model, Receipts: receipts, T: v.T}); err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-receipt.pdf"`, view.Number))
	w.Header().Set("Cache-Control", "private, no-store")
	_, _ = w.Write(buf.Bytes())
}

// receiptsOf loads the request of the path and its receipts, or answers
// 404 when the user may not see the request or it has no receipt.
func (s *Server) receiptsOf(w http.ResponseWriter, r *http.Request, u account.User) (servicerequest.View, []settlement.Receipt, bool) {
	ctx := r.Context()
	id, err := pathID(r)
	if err != nil {
		s.fail(w, r, err)
		return servicerequest.View{}, nil, false
	}
	view, err := s.Requests.Get(ctx, u.Actor(), id)
	if err != nil {
		s.fail(w, r, err)
		return view, nil, false
	}
	receipts, err := settlement.CustomerReceipts(ctx, s.DB, id)
	if err != nil {
		s.fail(w, r, err)
		return view, nil, false
	}
	if len(receipts) == 0 {
		s.fail(w, r, problem.New(problem.NotFound, "request %s has no visit out of warranty", view.Number))
		return view, nil, false
	}
	return view, receipts, true
}
