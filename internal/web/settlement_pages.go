package web

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"

	"aftersales/internal/account"
	"aftersales/internal/agreement"
	"aftersales/internal/calendar"
	"aftersales/internal/parts"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/settlement"
	"aftersales/internal/web/form"
)

func init() {
	// A rate in basis points as a percentage: 1300 → "13%", 50 → "0.5%".
	funcs["pct"] = func(bp int64) string {
		s := strconv.FormatFloat(float64(bp)/100, 'f', -1, 64)
		return s + "%"
	}
}

func (s *Server) renderSettlements(w http.ResponseWriter, r *http.Request, u account.User, status int, formErr error) {
	list, err := s.Settlements.List(r.Context(), u.Actor(), 0)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var agreements []agreement.Detail
	canPrepare := policy.Allowed(u.Actor(), policy.SettlementPrepare, policy.Own)
	if canPrepare {
		if agreements, err = s.Agreements.List(r.Context(), u.Actor()); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	v := s.newView(r, "settlements.title", "settlements")
	s.withSuspensions(r, u, v, 0)
	v.Data = settlementsData{Items: list, Agreements: agreements, CanPrepare: canPrepare,
		Period: s.Now().In(calendar.Shanghai).Format("2006-01"), Overdue: s.overdueGroups(r, u)}
	s.renderForm(w, r, status, "settlements", v, formErr)
}

type settlementsData struct {
	Items      []settlement.StatementHeader
	Agreements []agreement.Detail
	CanPrepare bool
	Period     string // this month, the form's default
	Overdue    []overdueGroup
}

// settlementData is a statement's page.
type settlementData struct {
	S                                         settlement.Statement
	Vendor, Provider                          string
	CanPrepare, CanReview, CanPay, CanInvoice bool
	Open                                      int // disputes not answered
	Last                                      string
	Overdue                                   bool
	OpenFen                                   int64
	Payments                                  []settlement.Payment
	Invoice                                   *settlement.Invoice
}

func (s *Server) settlementGenerate(w http.ResponseWriter, r *http.Request, u account.User) {
	f, ok := s.posted(w, r)
	if !ok {
		return
	}
	id := f.Int64("agreement")
	if id <= 0 {
		f.Add("agreement", "is required")
	}
	if err := f.Err(); err != nil {
		s.renderSettlements(w, r, u, http.StatusUnprocessableEntity, err)
		return
	}
	st, err := s.Settlements.Generate(r.Context(), u.Actor(), id, f.String("period"))
	next := "/settlements"
	if err == nil {
		next = "/settlements/" + strconv.FormatInt(st.ID, 10)
	}
	s.afterPost(w, r, err, "settlements.generated_flash", next, func(e error) { s.renderSettlements(w, r, u, http.StatusUnprocessableEntity, e) })
}

func (s *Server) settlementPage(w http.ResponseWriter, r *http.Request, u account.User) {
	id, err := pathID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.renderSettlement(w, r, u, id, http.StatusOK, nil)
}

func (s *Server) renderSettlement(w http.ResponseWriter, r *http.Request, u account.User, id int64, status int, formErr error) {
	st, err := s.Settlements.Get(r.Context(), u.Actor(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	a := u.Actor()
	parties := map[int64]string{}
	for _, org := range []int64{st.VendorID, st.ProviderID} {
		if o, err := s.Orgs.Get(r.Context(), a, org); err == nil {
			parties[org] = o.Name
		}
	}
	v := s.newView(r, "settlements.title", "settlements")
	d := settlementData{S: st, Vendor: parties[st.VendorID], Provider: parties[st.ProviderID],
		CanPrepare: policy.Allowed(a, policy.SettlementPrepare, policy.PartyScope(a, st.ProviderID)),
		CanReview:  policy.Allowed(a, policy.SettlementReview, policy.PartyScope(a, st.VendorID)),
		Open:       settlement.OpenDisputes(st.Lines), Last: lastDay(st.PeriodTo),
		CanPay:  policy.Allowed(a, policy.SettlementPay, policy.PartyScope(a, st.VendorID)) && st.Status == settlement.Approved && st.OpenFen() > 0,
		Overdue: st.OverdueOn(calendar.LocalDate(s.Now())), OpenFen: st.OpenFen()}
	if ps, err := s.Settlements.Payments(r.Context(), a, id); err == nil {
		d.Payments = ps
	}
	if st.Status == settlement.Approved {
		inv, err := s.Settlements.InvoiceOf(r.Context(), a, id)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		d.Invoice = inv
		d.CanInvoice = inv == nil && policy.Allowed(a, policy.SettlementPrepare, policy.PartyScope(a, st.ProviderID))
	}
	v.Data = d
	s.renderForm(w, r, status, "settlement", v, formErr)
}

// settlementAction submits, approves or regenerates a statement.
func (s *Server) settlementAction(w http.ResponseWriter, r *http.Request, u account.User) {
	id, ok := s.postedTo(w, r)
	if !ok {
		return
	}
	var err error
	f := form.Of(r)
	switch action := r.PathValue("action"); action {
	case "submit":
		_, err = s.Settlements.Submit(r.Context(), u.Actor(), id)
	case "approve":
		_, err = s.Settlements.Approve(r.Context(), u.Actor(), id)
	case "pay":
		fen, perr := parts.ParseYuan(f.String("amount"))
		if perr != nil {
			s.renderSettlement(w, r, u, id, http.StatusUnprocessableEntity, s.amountInvalid(r))
			return
		}
		_, err = s.Settlements.Pay(r.Context(), u.Actor(), settlement.NewPayment{StatementID: id, AmountFen: fen,
			PaidOn: f.String("paid_on"), Reference: f.String("reference")})
		if p, ok := problem.As(err); ok && p.Kind == problem.Invalid && len(p.Fields) > 0 {
			err = problem.Field("form", "%s", s.translate(r, p).Fields[0].Message)
		}
	case "invoice":
		fen, perr := parts.ParseYuan(f.String("amount"))
		if perr != nil {
			s.renderSettlement(w, r, u, id, http.StatusUnprocessableEntity, s.amountInvalid(r))
			return
		}
		_, err = s.Settlements.RecordInvoice(r.Context(), u.Actor(), id, settlement.Invoice{Code: f.String("code"),
			Number: f.String("number"), IssuedOn: f.String("issued_on"), AmountFen: fen})
		if p, ok := problem.As(err); ok && p.Kind == problem.Invalid && len(p.Fields) > 0 {
			err = problem.Field("form", "%s", s.translate(r, p).Fields[0].Message)
		}
	case "generate":
		var st settlement.Statement
		if st, err = s.Settlements.Get(r.Context(), u.Actor(), id); err == nil {
			_, err = s.Settlements.Generate(r.Context(), u.Actor(), st.AgreementID, st.Period)
		}
	default:
		s.fail(w, r, problem.New(problem.NotFound, "no such page"))
		return
	}
	next := "/settlements/" + strconv.FormatInt(id, 10)
	s.afterPost(w, r, err, "settlements.done_"+r.PathValue("action"), next, func(e error) { s.renderSettlement(w, r, u, id, http.StatusUnprocessableEntity, e) })
}

// amountInvalid refuses an amount that is not yuan with two decimals. The
// statement's forms (payment, invoice, a line's answer) show their
// problems above the page, so it is said there.
func (s *Server) amountInvalid(r *http.Request) error {
	return problem.Field("form", "%s", s.msg(r, "parts.cost_invalid"))
}

// settlementLineAction disputes a line or answers its dispute.
func (s *Server) settlementLineAction(w http.ResponseWriter, r *http.Request, u account.User) {
	id, ok := s.postedTo(w, r)
	if !ok {
		return
	}
	line, err := strconv.ParseInt(r.PathValue("line"), 10, 64)
	if err != nil || line <= 0 {
		s.fail(w, r, problem.New(problem.NotFound, "no such page"))
		return
	}
	f := form.Of(r)
	switch r.PathValue("action") {
	case "dispute":
		_, err = s.Settlements.Dispute(r.Context(), u.Actor(), id, line, f.String("reason"))
	case "answer":
		a := settlement.Answer{Accept: f.String("decision") == "accept", Text: f.String("text")}
		if y := f.String("amount"); y != "" && a.Accept {
			fen, perr := parts.ParseYuan(y)
			if perr != nil {
				s.renderSettlement(w, r, u, id, http.StatusUnprocessableEntity, s.amountInvalid(r))
				return
			}
			a.AmountFen = &fen
		}
		_, err = s.Settlements.AnswerDispute(r.Context(), u.Actor(), id, line, a)
	default:
		s.fail(w, r, problem.New(problem.NotFound, "no such page"))
		return
	}
	if p, ok := problem.As(err); ok && p.Kind == problem.Invalid {
		// A form per line: say which line, above the list.
		err = problem.Field("form", "%s", s.translate(r, p).Fields[0].Message)
	}
	next := "/settlements/" + strconv.FormatInt(id, 10)
	s.afterPost(w, r, err, "settlements.done_"+r.PathValue("action"), next, func(e error) { s.renderSettlement(w, r, u, id, http.StatusUnprocessableEntity, e) })
}

// lastDay is the day before a period's end (which is exclusive).
func lastDay(to string) string {
	d, err := calendar.ParseDate(to)
	if err != nil {
		return to
	}
	return d.AddDays(-1).String()
}

// settlementExport downloads a statement as a PDF or XLSX business document
// in the reader's language.
func (s *Server) settlementExport(kind string) func(http.ResponseWriter, *http.Request, account.User) {
	return func(w http.ResponseWriter, r *http.Request, u account.User) {
		id, err := pathID(r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		v := s.newView(r, "settlements.title", "settlements")
		doc, err := s.Settlements.Document(r.Context(), u.Actor(), id, v.T)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		var buf bytes.Buffer
		if err := doc.Write(&buf, kind, s.Labels); err != nil {
			s.fail(w, r, err)
			return
		}
		w.Header().Set("Content-Type", settlement.ContentType(kind))
		w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.%s"`, doc.S.Number, kind))
		w.Header().Set("Cache-Control", "private, no-store")
		_, _ = w.Write(buf.Bytes())
	}
}
