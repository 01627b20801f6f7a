package web

import (
	"net/http"
	"slices"
	"strings"

	"aftersales/internal/account"
	"aftersales/internal/agreement"
	"aftersales/internal/parts"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/stock"
	"aftersales/internal/web/form"
)

// The stock pages: on-hand by location with safety stock, the ledger,
// movement forms, and the defective parts owed back to the vendor.

// chosenLocation picks the location a page shows: ?location=, else the
// first; none when the location given is not a number.
func chosenLocation(q *pageQuery, locs []stock.Location) (stock.Location, bool) {
	id := q.ID("location")
	if !q.OK() {
		return stock.Location{}, false
	}
	for _, l := range locs {
		if l.ID == id {
			return l, true
		}
	}
	if len(locs) > 0 {
		return locs[0], true
	}
	return stock.Location{}, false
}

// stockData is the stock page: on hand at the chosen location, what is
// below its safety stock anywhere, and the forms of those who manage it.
type stockData struct {
	tabbed
	Locations          []stock.Location
	Location           *stock.Location // none without locations
	Rows               []stock.StockRow
	Approval           map[int64]parts.ApprovalState
	Below              []stock.StockRow
	Parts              []parts.Part
	Technicians        []account.User
	CanManage, CanMove bool
	OrgKind            string
}

func (s *Server) renderStock(w http.ResponseWriter, r *http.Request, u account.User, status int, formErr error) {
	ctx, a := r.Context(), u.Actor()
	locs, err := s.Stock.ListLocations(ctx, a)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := stockData{tabbed: tabbed{partsTabs(u), "stock"}, Locations: locs,
		CanManage: policy.Allowed(a, policy.StockManage, policy.Own), CanMove: policy.Allowed(a, policy.StockMove, policy.Own),
		OrgKind: u.OrgKind}
	q := readQuery(r)
	if l, ok := chosenLocation(q, locs); ok {
		rows, err := s.Stock.OnHand(ctx, a, l.ID)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		d.Location, d.Rows = &l, rows
		if d.Approval, err = s.partApprovals(ctx, a); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	below, err := s.Stock.BelowSafety(ctx, a)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d.Below = below
	if policy.Allowed(a, policy.StockManage, policy.Own) {
		if d.Parts, err = s.Parts.List(ctx, a, parts.Filter{ActiveOnly: true}); err != nil {
			s.fail(w, r, err)
			return
		}
		if u.OrgKind == "provider" {
			users, err := s.Accounts.ListUsers(ctx, a, u.OrgID)
			if err != nil {
				s.fail(w, r, err)
				return
			}
			var techs []account.User
			for _, x := range users {
				if x.Role == policy.Technician && x.Active {
					techs = append(techs, x)
				}
			}
			d.Technicians = techs
		}
	}
	v := s.newView(r, "stock.title", "parts")
	v.Data = d
	s.renderForm(w, r, q.mark(v, status), "stock", v, formErr)
}

// locationCreate adds a warehouse, store or van from the stock page.
func (s *Server) locationCreate(w http.ResponseWriter, r *http.Request, u account.User) {
	f, ok := s.posted(w, r)
	if !ok {
		return
	}
	in := stock.LocationInput{Kind: stock.LocationKind(f.String("kind")), Name: f.String("name"), AllowNegative: f.Bool("allow_negative")}
	if id := f.OptionalInt64("technician_id"); id != nil && *id > 0 {
		in.TechnicianID = id
	}
	err := f.Err()
	var l stock.Location
	if err == nil {
		l, err = s.Stock.CreateLocation(r.Context(), u.Actor(), in)
	}
	s.afterPost(w, r, err, "stock.location_created", "/stock?location="+itoa(l.ID), func(e error) { s.renderStock(w, r, u, http.StatusUnprocessableEntity, e) })
}

// safetySet sets a part's safety stock at a location from the stock page.
func (s *Server) safetySet(w http.ResponseWriter, r *http.Request, u account.User) {
	id, f, ok := s.postedForm(w, r)
	if !ok {
		return
	}
	partID, qty := f.Int64("part_id"), f.Int64("safety")
	if strings.TrimSpace(f.String("safety")) == "" {
		f.Add("safety", "%s", s.msg(r, "stock.qty_invalid"))
	}
	err := f.Err()
	if err == nil {
		_, err = s.Stock.SetSafety(r.Context(), u.Actor(), id, partID, qty)
		if p, ok := problem.As(err); ok {
			for i := range p.Fields {
				if p.Fields[i].Field == "qty" {
					p.Fields[i].Field = "safety"
				}
			}
		}
	}
	q := r.URL.Query()
	q.Set("location", itoa(id))
	r.URL.RawQuery = q.Encode()
	s.afterPost(w, r, err, "stock.safety_saved", "/stock?location="+itoa(id), func(e error) { s.renderStock(w, r, u, http.StatusUnprocessableEntity, e) })
}

type ledgerData struct {
	tabbed
	Locations []stock.Location
	Location  *stock.Location
	Rows      []stock.LedgerRow
	Next      int64 // the last row's id when there may be more
}

func (s *Server) ledgerPage(w http.ResponseWriter, r *http.Request, u account.User) {
	ctx, a := r.Context(), u.Actor()
	locs, err := s.Stock.ListLocations(ctx, a)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := ledgerData{tabbed: tabbed{partsTabs(u), "stock"}, Locations: locs}
	q := readQuery(r)
	before := q.ID("before")
	if l, ok := chosenLocation(q, locs); ok {
		rows, err := s.Stock.Ledger(ctx, a, stock.LedgerFilter{LocationID: l.ID, BeforeID: before, Limit: 50})
		if err != nil {
			s.fail(w, r, err)
			return
		}
		d.Location, d.Rows = &l, rows
		if len(rows) == 50 {
			d.Next = rows[len(rows)-1].ID
		}
	}
	v := s.newView(r, "stock.ledger", "parts")
	v.Data = d
	s.renderFiltered(w, r, "ledger", v, q)
}

type moveData struct {
	tabbed
	// Kind is receive, transfer or adjust; "" when the page was asked for
	// a kind it does not record, and shows no form.
	Kind stock.MovementKind
	// Kinds are the form's tabs: the movements the reader may book.
	Kinds        []stock.MovementKind
	Own          []stock.Location
	Destinations []stock.Location
	Parts        []parts.Part
	Location     string // the location the page was opened from
}

func (s *Server) renderMove(w http.ResponseWriter, r *http.Request, u account.User, status int, formErr error) {
	ctx, a := r.Context(), u.Actor()
	if err := policy.Allow(a, policy.StockMove, policy.Own); err != nil {
		s.fail(w, r, err)
		return
	}
	own, err := s.Stock.ListLocations(ctx, a)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	dest, err := s.Stock.Destinations(ctx, a)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ps, err := s.Parts.List(ctx, a, parts.Filter{ActiveOnly: true})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	q := readQuery(r)
	kinds := stock.MayBook(a)
	kind := moveKind(q, form.Of(r).String("kind"), kinds)
	if kind != "" && !slices.Contains(kinds, kind) {
		// The form of a kind the reader may not book is refused as its
		// post would be: 403, as the page itself to one who may move none.
		s.fail(w, r, policy.Allow(a, stock.MoveAction(kind), policy.Own))
		return
	}
	v := s.newView(r, "stock.move", "parts")
	v.Data = moveData{tabbed: tabbed{partsTabs(u), "move"}, Kind: kind, Kinds: kinds, Own: own, Destinations: dest, Parts: ps,
		Location: r.URL.Query().Get("location")}
	if formErr != nil {
		v.Form = r.PostForm
		if p, ok := problem.As(formErr); ok && p.Kind == problem.PartRefused {
			formErr = problem.Field("qty", "%s", s.refusal(r, p))
		}
		if err := formErrors(v, formErr); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	s.render(w, r, q.mark(v, status), "stock_move", v)
}

// moveKind is the movement the form is for: the one posted, else the tab
// asked for in the query, else the first of the kinds the reader may book.
// A kind the form does not record is "" (no form is shown): in the query,
// a value of the filter named on the page (400); posted, the ledger
// refuses it under "kind". A kind it records is returned whoever asks: the
// caller refuses one the reader may not book.
func moveKind(q *pageQuery, posted string, may []stock.MovementKind) stock.MovementKind {
	if posted != "" {
		if slices.Contains(stock.Booked, stock.MovementKind(posted)) {
			return stock.MovementKind(posted)
		}
		return ""
	}
	if q.Get("kind") == "" {
		if len(may) == 0 {
			return stock.Booked[0]
		}
		return may[0]
	}
	return oneOf(q, "kind", stock.Booked...)
}

func (s *Server) moveSubmit(w http.ResponseWriter, r *http.Request, u account.User) {
	f, ok := s.posted(w, r)
	if !ok {
		return
	}
	in := stock.MoveInput{Kind: stock.MovementKind(f.String("kind")), PartID: f.Int64("part_id"), FromLocationID: f.Int64("from_location_id"),
		ToLocationID: f.Int64("to_location_id"), LocationID: f.Int64("location_id"), Qty: f.Int64("qty"), Reason: f.String("reason"), Reference: f.String("reference")}
	if strings.TrimSpace(f.String("qty")) == "" {
		f.Add("qty", "%s", s.msg(r, "stock.qty_invalid"))
	}
	if err := f.Err(); err != nil {
		s.renderMove(w, r, u, http.StatusUnprocessableEntity, err)
		return
	}
	m, err := s.Stock.Move(r.Context(), u.Actor(), in)
	if problem.Is(err, problem.PartRefused) {
		s.renderMove(w, r, u, http.StatusUnprocessableEntity, err)
		return
	}
	loc := m.ToLocationID
	if loc == nil || in.Kind == stock.Transfer {
		loc = m.FromLocationID
	}
	next := "/stock"
	if loc != nil {
		next += "?location=" + itoa(*loc)
	}
	s.afterPost(w, r, err, "stock.moved_"+f.String("kind"), next, func(e error) { s.renderMove(w, r, u, http.StatusUnprocessableEntity, e) })
}

type returnsData struct {
	tabbed
	Returns            []stock.ReturnRecord
	Overdue            int
	Filter             stock.ReturnFilter
	CanShip, CanSettle bool
	Days               int // the default days to send a part back
}

func (s *Server) renderReturns(w http.ResponseWriter, r *http.Request, u account.User, status int, formErr error) {
	a := u.Actor()
	q := readQuery(r)
	f := stock.ReturnFilter{Status: oneOf(q, "status", stock.AwaitingShipment, stock.Shipped, stock.Received, stock.Credited),
		OverdueOnly: q.Flag("overdue")}
	rs, ok := whenRead(s, w, r, q, func() ([]stock.ReturnRecord, error) { return s.Stock.Returns(r.Context(), a, f) })
	if !ok {
		return
	}
	overdue := 0
	for _, x := range rs {
		if x.Overdue {
			overdue++
		}
	}
	v := s.newView(r, "returns.title", "parts")
	v.Data = returnsData{tabbed: tabbed{partsTabs(u), "returns"}, Returns: rs, Overdue: overdue, Filter: f,
		CanShip:   policy.Allowed(a, policy.ReturnShip, policy.Own) && u.OrgKind == "provider",
		CanSettle: policy.Allowed(a, policy.ReturnSettle, policy.Own) && u.OrgKind == "vendor", Days: agreement.DefaultPartReturnDays}
	s.renderForm(w, r, q.mark(v, status), "returns", v, formErr)
}

// returnStep ships, receives or credits a return from the returns page.
// returnFieldLabels are the labels of a return's form inputs, by the field
// a refusal names.
var returnFieldLabels = map[string]string{"carrier": "returns.carrier", "tracking_number": "returns.tracking",
	"credit": "returns.credit_yuan", "credit_fen": "returns.credit_yuan"}

func (s *Server) returnStep(w http.ResponseWriter, r *http.Request, u account.User) {
	id, f, ok := s.postedForm(w, r)
	if !ok {
		return
	}
	version := f.Int64("version")
	st := stock.ReturnStep{Kind: r.PathValue("step"), Carrier: f.String("carrier"), TrackingNumber: f.String("tracking_number")}
	var err error
	if st.Kind == "credit" {
		fen, perr := parts.ParseYuan(f.String("credit"))
		if perr != nil {
			err = problem.Field("credit", "%s", s.msg(r, "parts.cost_invalid"))
		}
		st.CreditFen = fen
	}
	if err == nil {
		err = f.Err()
	}
	if err == nil {
		_, err = s.Stock.AdvanceReturn(r.Context(), u.Actor(), id, st, version)
	}
	if p, ok := problem.As(err); ok && p.Kind == problem.Invalid {
		// The list has a form per return: say which, above the list, each
		// field by its label.
		p = s.translate(r, p)
		msgs := make([]string, 0, len(p.Fields))
		for _, fe := range p.Fields {
			label := fe.Field
			if key, ok := returnFieldLabels[fe.Field]; ok {
				label = s.msg(r, key)
			}
			msgs = append(msgs, label+": "+fe.Message)
		}
		err = problem.Field("form", "#%d %s", id, strings.Join(msgs, "; "))
	}
	s.afterPost(w, r, err, "returns.done_"+st.Kind, "/returns", func(e error) { s.renderReturns(w, r, u, http.StatusUnprocessableEntity, e) })
}
