package web

import (
	"net/http"

	"aftersales/internal/account"
	"aftersales/internal/problem"
	"aftersales/internal/settlement"
)

// requestReceipt is the customer's receipt (收费明细) of a request: each
// sealed visit the unit's warranty no longer covered, priced from the
// agreement's fee schedule, with its tax per rate and the total in words.
// Whoever may see the request may open it (its customer, provider and
// vendor); a request with no visit out of warranty has none (404).
func (s *Server) requestReceipt(w http.ResponseWriter, r *http.Request, u account.User) {
	ctx := r.Context()
	id, err := pathID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	view, err := s.Requests.Get(ctx, u.Actor(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	receipts, err := settlement.CustomerReceipts(ctx, s.DB, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if len(receipts) == 0 {
		s.fail(w, r, problem.New(problem.NotFound, "request %s has no visit out of warranty", view.Number))
		return
	}
	v := s.newView(r, "receipts.title", "requests")
	v.Title = view.Number + " · " + v.T("receipts.title")
	v.Data = map[string]any{"Request": view.Request, "Receipts": receipts}
	s.render(w, r, http.StatusOK, "request_receipt", v)
}
