package web

import (
	"fmt"
	"html/template"
	"maps"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"aftersales/internal/account"
	"aftersales/internal/calendar"
	"aftersales/internal/dispatch"
	"aftersales/internal/files"
	"aftersales/internal/home"
	"aftersales/internal/parts"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/servicerequest"
	"aftersales/internal/settlement"
	"aftersales/internal/sla"
	"aftersales/internal/web/form"
	"aftersales/internal/workorder"
)

// clockView is a clock as a page shows it: the deadline, what is left, and
// a colour for urgency.
type clockView struct {
	Kind      string
	State     string
	DueAt     time.Time
	Remaining time.Duration
	Percent   int    // share of the allowed time used, 0-100
	Tone      string // ok, warn, bad, done
}

// Warn is the share of the allowed time at which a clock turns amber.
const Warn = 0.75

func clockViews(clocks []sla.Clock, now time.Time) []clockView {
	out := make([]clockView, 0, len(clocks))
	for _, c := range clocks {
		v := clockView{Kind: string(c.Kind), State: string(c.State), DueAt: c.DueAt, Percent: int(min(max(c.ElapsedShare, 0), 1) * 100)}
		switch {
		case c.State == sla.StateMet:
			v.Tone = "done"
		case c.State == sla.StateBreached:
			v.Tone = "bad"
		case c.ElapsedShare >= Warn:
			v.Tone = "warn"
		default:
			v.Tone = "ok"
		}
		v.Remaining = c.Remaining
		out = append(out, v)
	}
	return out
}

// requestRow is a row of the requests page, holding only what it shows:
// the template reads each cell by reflection, a field of an embedded
// struct costs a search, and a call per cell (a translation) cost more
// than the rest of the row, so the handler writes the row's words.
type requestRow struct {
	ID                                int64
	Number, Description, Priority     string
	SerialNumber, Model, SiteDivision string
	Tone                              string // ok, warn, bad, done
	DueText, PriorityWord, StatusWord string // in the page's language
}

// requestsData is the requests page: a page of the list in urgency order.
type requestsData struct {
	Rows                      []requestRow
	Next                      string       // the next page's cursor
	View                      string       // open, breached, closed or all
	HomeFilter                string       // the home's filters the page was opened with
	More                      template.URL // the next page's address
	Export                    string       // the export of what the page lists, all its pages
	CanCreate, CanEscalations bool
}

// requestsFilter is the list's filter as the requests page's query gives
// it: the view, the search, and the filters the homes' figures link with
// (the clocks of an agreement or a provider in a month, the open requests
// by age). The export reads the same, so that it holds what the page lists.
func (s *Server) requestsFilter(pq *pageQuery) servicerequest.Filter {
	q := pq.Values
	f := servicerequest.Filter{Priority: oneOf(pq, "priority", "emergency", "general"), Area: q.Get("area"), Query: q.Get("q")}
	switch q.Get("view") {
	case "", "open":
		f.Status = []servicerequest.Status{servicerequest.Received, servicerequest.Responded, servicerequest.Scheduled, servicerequest.OnSite}
	case "closed":
		f.Status = []servicerequest.Status{servicerequest.Resolved, servicerequest.Cancelled}
	case "breached":
		b := true
		f.Breached = &b
	}
	f.AgreementID, f.ProviderID = pq.ID("agreement_id"), pq.ID("provider_id")
	f.Period, f.Clock, f.ClockState = pq.Month("period"), q.Get("clock"), q.Get("clock_state")
	if age, ok := pq.Between("age", 0, len(home.AgeBuckets)); ok {
		f.From, f.To = home.AgeRange(s.Now(), age)
	}
	return f
}

func (s *Server) requestsPage(w http.ResponseWriter, r *http.Request, u account.User) {
	pq := readQuery(r)
	q := pq.Values
	f := s.requestsFilter(pq)
	f.Cursor = q.Get("cursor")
	homeFilter := url.Values{}
	for _, k := range []string{"agreement_id", "provider_id", "period", "clock", "clock_state", "age"} {
		if q.Get(k) != "" {
			homeFilter.Set(k, q.Get(k))
		}
	}
	export := maps.Clone(q)
	export.Del("cursor")
	var page servicerequest.Page
	if pq.OK() {
		var err error
		page, err = s.Requests.List(r.Context(), u.Actor(), f)
		if err != nil && !pq.refused(err) {
			s.fail(w, r, err)
			return
		}
	}
	now := s.Now()
	v := s.newView(r, "requests.title", "requests")
	priorities, statuses := v.words("priority."), v.words("status.")
	rows := make([]requestRow, 0, len(page.Items))
	for _, it := range page.Items {
		row := requestRow{ID: it.ID, Number: it.Number, Description: it.Description, Priority: it.Priority,
			SerialNumber: it.SerialNumber, Model: it.Model, SiteDivision: it.SiteDivision, Tone: "done",
			PriorityWord: priorities.Of(it.Priority), StatusWord: statuses.Of(string(it.Status))}
		var due *time.Duration // time left to the next deadline; nil when none
		if it.NextDueAt != nil {
			left := it.NextDueAt.Sub(now)
			due, row.Tone = &left, "ok"
			if left < 0 {
				row.Tone = "bad"
			} else if left < 2*time.Hour {
				row.Tone = "warn"
			}
		}
		if it.Breached {
			row.Tone = "bad"
		}
		row.DueText = v.Span(due)
		rows = append(rows, row)
	}
	v.Form = q
	v.Data = requestsData{Rows: rows, Next: page.Next, View: q.Get("view"), HomeFilter: homeFilter.Encode(), More: moreHref(q, page.Next),
		Export:         "/requests.csv?" + export.Encode(),
		CanCreate:      policy.Allowed(u.Actor(), policy.RequestCreate, policy.Own),
		CanEscalations: u.Role != policy.Customer}
	s.renderFiltered(w, r, "requests", v, pq)
}

func (s *Server) requestNewPage(w http.ResponseWriter, r *http.Request, u account.User) {
	v := s.newView(r, "requests.new", "requests")
	v.Form = r.URL.Query()
	s.render(w, r, http.StatusOK, "request_new", v)
}

func (s *Server) requestCreate(w http.ResponseWriter, r *http.Request, u account.User) {
	photos, perr := readPhotoForm(r)
	defer files.CloseAll(photos)
	if perr != nil && !problem.Is(perr, problem.Invalid) {
		s.fail(w, r, perr)
		return
	}
	f := form.Of(r)
	ch := servicerequest.Dispatcher
	if u.Role == policy.Customer {
		ch = servicerequest.Portal
	}
	view, err := servicerequest.View{}, perr
	if err == nil {
		view, err = s.Requests.Create(r.Context(), u.Actor(), servicerequest.NewRequest{SerialNumber: f.String("serial_number"),
			ServiceItem: f.String("service_item"), Priority: f.String("priority"), Description: f.String("description"),
			ContactName: f.String("contact_name"), ContactPhone: f.String("contact_phone"), Channel: ch, Photos: photos})
	}
	if err != nil {
		p, ok := problem.As(err)
		if !ok || p.Kind != problem.Invalid && p.Kind != problem.OutOfScope {
			s.fail(w, r, err)
			return
		}
		v := s.newView(r, "requests.new", "requests")
		v.Form = r.PostForm
		if p.Reason != "" {
			v.Errors = map[string]string{"form": s.msg(r, "scope."+p.Reason) + " " + v.translate(p).Detail}
		} else {
			_ = formErrors(v, err)
		}
		s.render(w, r, http.StatusUnprocessableEntity, "request_new", v)
		return
	}
	s.flashRedirect(w, r, s.msg(r, "requests.created", "Number", view.Number), "/requests/"+itoa(view.ID))
}

type requestPageData struct {
	View       servicerequest.View
	Clocks     []clockView
	WorkOrders []workorder.WorkOrder
	// TechNames names the visits' technicians; CanRecords links their sealed records.
	TechNames  map[int64]string
	CanRecords bool
	Techs      []account.User
	CanHandle  bool
	CanAssign  bool
	Paused     bool
	Media      requestMedia
	// Parts: the catalog of the request's vendor and the rows of the
	// needed parts form (the saved list, or what was posted, and a blank).
	Parts    []parts.Part
	PartRows []dispatch.NeededPart
	// Receipts: the sealed visits out of warranty the customer pays, which
	// the request's receipt (收费明细) lists.
	Receipts int
}

func (s *Server) renderRequest(w http.ResponseWriter, r *http.Request, u account.User, status int, formErr error) {
	ctx := r.Context()
	view, ok := byPathID(s, w, r, u.Actor(), s.Requests.Get)
	if !ok {
		return
	}
	var err error
	id := view.ID
	d := requestPageData{View: view, Clocks: clockViews(view.Clocks, s.Now())}
	if d.WorkOrders, err = workorder.OfRequest(ctx, s.DB, id); err != nil {
		s.fail(w, r, err)
		return
	}
	if d.TechNames, err = workorder.TechnicianNames(ctx, s.DB, id); err != nil {
		s.fail(w, r, err)
		return
	}
	d.CanRecords = len(policy.Granted(u.Role, policy.RecordRead)) > 0
	receipts, err := settlement.CustomerReceipts(ctx, s.DB, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d.Receipts = len(receipts)
	assigned := false
	for _, wo := range d.WorkOrders {
		assigned = assigned || wo.TechnicianID == u.ID && wo.Status != workorder.WOCancelled
	}
	if d.Media, err = s.loadRequestMedia(r, u, view.Request, assigned); err != nil {
		s.fail(w, r, err)
		return
	}
	act := u.Actor()
	own := act.OrgID == view.ProviderID
	d.CanHandle = own && policy.Allowed(act, policy.RequestHandle, policy.Own) && view.Status.Open()
	d.CanAssign = own && policy.Allowed(act, policy.RequestAssign, policy.Own) && view.Status.Open()
	if d.CanAssign {
		users, err := s.Accounts.ListUsers(ctx, act, view.ProviderID)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		for _, x := range users {
			if x.Role == policy.Technician && x.Active {
				d.Techs = append(d.Techs, x)
			}
		}
	}
	if d.CanAssign {
		if d.PartRows, err = s.Dispatch.NeededParts(ctx, act, id); err != nil {
			s.fail(w, r, err)
			return
		}
		if f := form.Of(r); r.Method == http.MethodPost && f.Has("part_id") {
			d.PartRows = postedParts(f)
		}
		d.PartRows = append(d.PartRows, dispatch.NeededPart{})
		if d.Parts, err = s.Parts.List(ctx, act, parts.Filter{VendorID: view.VendorID, ActiveOnly: true}); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	for _, e := range view.Events {
		switch e.Kind {
		case string(sla.Paused):
			d.Paused = true
		case string(sla.Resumed):
			d.Paused = false
		}
	}
	v := s.newView(r, "requests.detail", "requests")
	v.Title = view.Number
	v.Data = d
	s.renderForm(w, r, status, "request", v, formErr)
}

func (s *Server) requestAct(w http.ResponseWriter, r *http.Request, u account.User) {
	id, f, ok := s.postedForm(w, r)
	if !ok {
		return
	}
	version := f.Int64("version")
	err := f.Err()
	if err == nil {
		_, err = s.Requests.Act(r.Context(), u.Actor(), id, servicerequest.Action{Kind: f.String("kind"), Reason: f.String("reason"),
			Priority: f.String("priority"), Note: f.String("note")}, version)
	}
	s.afterRequestChange(w, r, u, id, err)
}

func (s *Server) requestAssign(w http.ResponseWriter, r *http.Request, u account.User) {
	id, f, ok := s.postedForm(w, r)
	if !ok {
		return
	}
	tech, woID := f.Int64("technician_id"), f.Int64("work_order_id")
	day := f.Date("date")
	if day == (calendar.Date{}) {
		f.Add("date", "choose the day of the visit")
	}
	from, ok1 := f.Clock("from")
	to, ok2 := f.Clock("to")
	if !ok1 || !ok2 {
		f.Add("from", "give the window as two times, e.g. 09:00 and 11:00")
	}
	if err := f.Err(); err != nil {
		s.renderRequest(w, r, u, http.StatusUnprocessableEntity, err)
		return
	}
	at := func(minutes int) time.Time {
		return day.At(0, minutes, calendar.Shanghai)
	}
	a := workorder.Assignment{TechnicianID: tech, WindowStart: at(from), WindowEnd: at(to), Note: f.String("note")}
	var err error
	if woID != 0 {
		_, err = s.WorkOrders.Reassign(r.Context(), u.Actor(), workorder.ForRequest(id), woID, a)
	} else {
		_, err = s.WorkOrders.Book(r.Context(), u.Actor(), workorder.ForRequest(id), a)
	}
	s.afterRequestChange(w, r, u, id, err)
}

// postedParts reads the needed parts form: rows with a part chosen, a bad
// number named by its row as the domain names it (parts[1].qty).
func postedParts(f *form.Form) []dispatch.NeededPart {
	ids, qtys := f.Strings("part_id"), f.Strings("qty")
	out := []dispatch.NeededPart{}
	for i, v := range ids {
		if v == "" {
			continue
		}
		row := fmt.Sprintf("parts[%d].", len(out))
		p := dispatch.NeededPart{PartID: f.Int64Value(row+"part_id", v)}
		if i < len(qtys) {
			p.Qty = f.IntValue(row+"qty", qtys[i])
		}
		out = append(out, p)
	}
	return out
}

// requestParts sets the parts a request needs from the request page.
func (s *Server) requestParts(w http.ResponseWriter, r *http.Request, u account.User) {
	id, f, ok := s.postedForm(w, r)
	if !ok {
		return
	}
	needed := postedParts(f)
	err := f.Err()
	if err == nil {
		_, err = s.Dispatch.SetNeededParts(r.Context(), u.Actor(), id, needed)
	}
	s.afterRequestChange(w, r, u, id, err)
}

func (s *Server) afterRequestChange(w http.ResponseWriter, r *http.Request, u account.User, id int64, err error) {
	s.afterPost(w, r, err, "saved", "/requests/"+itoa(id), func(e error) { s.renderRequest(w, r, u, http.StatusUnprocessableEntity, e) })
}

// requestAnswer answers a consultation from the request page.
func (s *Server) requestAnswer(w http.ResponseWriter, r *http.Request, u account.User) {
	id, f, ok := s.postedForm(w, r)
	if !ok {
		return
	}
	version := f.Int64("version")
	err := f.Err()
	if err == nil {
		_, err = s.Requests.Answer(r.Context(), u.Actor(), id, f.String("answer"), version)
	}
	s.afterRequestChange(w, r, u, id, err)
}

// requestsCSV exports the listed requests (the same filters as the page),
// every page of them.
func (s *Server) requestsCSV(w http.ResponseWriter, r *http.Request, u account.User) {
	q := readQuery(r)
	f := s.requestsFilter(q)
	f.Limit = 200
	// A filter that cannot be read is refused, naming it, before the file
	// starts (422, as the API refuses it), rather than exporting nothing.
	if err := q.Err(); err != nil {
		s.fail(w, r, err)
		return
	}
	page, err := s.Requests.List(r.Context(), u.Actor(), f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := startCSV(w, "service-requests.csv", "number", "received_at", "status", "priority", "service_item", "serial_number", "model",
		"division", "address", "next_due_at", "breached", "description")
	defer out.end()
	for {
		for _, it := range page.Items {
			due := ""
			if it.NextDueAt != nil {
				due = it.NextDueAt.In(calendar.Shanghai).Format(time.RFC3339)
			}
			out.row(it.Number, it.ReceivedAt.In(calendar.Shanghai).Format(time.RFC3339), string(it.Status), it.Priority, it.ServiceItem,
				it.SerialNumber, it.Model, it.SiteDivision, it.SiteAddress, due, strconv.FormatBool(it.Breached), it.Description)
		}
		if page.Next == "" {
			break
		}
		f.Cursor = page.Next
		if page, err = s.Requests.List(r.Context(), u.Actor(), f); err != nil {
			s.Log.Error("export requests", "err", err)
			return
		}
	}
}

// moreHref is the link to the page after this one, with the same filters.
func moreHref(q url.Values, next string) template.URL {
	if next == "" {
		return ""
	}
	m := url.Values{}
	for _, k := range []string{"view", "q", "priority", "area", "agreement_id", "provider_id", "period", "clock", "clock_state", "age"} {
		if q.Get(k) != "" {
			m.Set(k, q.Get(k))
		}
	}
	m.Set("cursor", next)
	return template.URL("/requests?" + m.Encode())
}
