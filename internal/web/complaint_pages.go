package web

import (
	"encoding/json"
	"fmt"
	"net/http"

	"aftersales/internal/account"
	"aftersales/internal/complaint"
	"aftersales/internal/files"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/satisfaction"
	"aftersales/internal/store"
	"aftersales/internal/web/form"
)

type dashboardData struct {
	Period string
	Boards []boardView
}

type boardView struct {
	satisfaction.AgreementBoard
	Current satisfaction.PeriodRow
	Chart   string // the chart's data, JSON
}

func (s *Server) dashboardPage(w http.ResponseWriter, r *http.Request, u account.User) {
	period := r.URL.Query().Get("period")
	if _, _, err := satisfaction.ParsePeriod(period); err != nil {
		period = satisfaction.PeriodOf(s.Now())
	}
	boards, err := s.Satisfaction.Board(r.Context(), u.Actor(), period, 12)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := s.newView(r, "dash.title", "satisfaction")
	d := dashboardData{Period: period}
	for _, b := range boards {
		chart := boardChart{Periods: []string{}, Score: []*float64{}, Threshold: []float64{}, Complaints: []int{}, Late: []int{}, Redos: []int{},
			Labels: map[string]string{"score": v.T("dash.score"), "threshold": v.T("dash.threshold"), "complaints": v.T("dash.complaints"),
				"late": v.T("dash.late"), "redos": v.T("dash.redos")}}
		for _, p := range b.Periods {
			chart.Periods = append(chart.Periods, p.Period)
			var score *float64 // null: no answers that period
			if p.Figure.Answers > 0 {
				x := float64(p.Figure.ScorePermille) / 10
				score = &x
			}
			chart.Score = append(chart.Score, score)
			chart.Threshold = append(chart.Threshold, float64(p.Figure.ThresholdPermille)/10)
			chart.Complaints = append(chart.Complaints, p.Complaints)
			chart.Late = append(chart.Late, p.Late)
			chart.Redos = append(chart.Redos, p.Redos)
		}
		js, _ := json.Marshal(chart)
		d.Boards = append(d.Boards, boardView{AgreementBoard: b, Current: b.Current(), Chart: string(js)})
	}
	v.Data = d
	s.render(w, r, http.StatusOK, "dashboard", v)
}

// boardChart is an agreement's chart on the dashboard, as the page's
// script reads it (JSON in the chart's data attribute).
type boardChart struct {
	Periods    []string          `json:"periods"`
	Score      []*float64        `json:"score"`
	Threshold  []float64         `json:"threshold"`
	Complaints []int             `json:"complaints"`
	Late       []int             `json:"late"`
	Redos      []int             `json:"redos"`
	Labels     map[string]string `json:"labels"`
}

type complaintsData struct {
	Items  []complaint.Complaint
	Now    any
	Status string
	Late   bool
}

func (s *Server) complaintsPage(w http.ResponseWriter, r *http.Request, u account.User) {
	q := readQuery(r)
	f := complaint.Filter{Status: oneOf(q, "status", complaint.Open, complaint.Answered, complaint.Closed), Kind: oneOf(q, "kind", complaint.KindComplaint, complaint.KindSuggestion),
		AgreementID: q.ID("agreement_id"), Period: q.Month("period"), Late: q.Flag("late")}
	items, ok := whenRead(s, w, r, q, func() ([]complaint.Complaint, error) { return s.Complaints.List(r.Context(), u.Actor(), f) })
	if !ok {
		return
	}
	v := s.newView(r, "complaints.title", "complaints")
	v.Data = complaintsData{Items: items, Now: s.Now(), Status: f.Status, Late: f.Late}
	s.renderFiltered(w, r, "complaints", v, q)
}

type requestChoice struct {
	ID     int64  `db:"id"`
	Number string `db:"number"`
	Model  string `db:"model"`
}

func (s *Server) renderComplaintNew(w http.ResponseWriter, r *http.Request, u account.User, status int, err error) {
	if !policy.Allowed(u.Actor(), policy.ComplaintFile, policy.Own) {
		s.fail(w, r, policy.Allow(u.Actor(), policy.ComplaintFile, policy.Own))
		return
	}
	var reqs []requestChoice
	if qerr := store.Select(r.Context(), s.DB, &reqs, `SELECT id, number, model FROM service_requests
		WHERE vendor_id = ? OR provider_id = ? OR customer_org_id = ? ORDER BY id DESC LIMIT 50`, u.OrgID, u.OrgID, u.OrgID); qerr != nil {
		s.fail(w, r, qerr)
		return
	}
	v := s.newView(r, "complaints.new", "complaints")
	v.Data = complaintNewData{Requests: reqs, Categories: complaintCategories, Request: r.URL.Query().Get("request")}
	if r.Method == http.MethodPost {
		v.Form = r.PostForm
	}
	s.renderForm(w, r, status, "complaint_new", v, err)
}

func (s *Server) complaintCreate(w http.ResponseWriter, r *http.Request, u account.User) {
	attached, err := readAttachmentForm(r)
	defer files.CloseAll(attached)
	if s.refused(w, r, err, func(err error) { s.renderComplaintNew(w, r, u, http.StatusUnprocessableEntity, err) }) {
		return
	}
	f := form.Of(r)
	reqID := f.Int64("request_id")
	var d complaint.Detail
	if err = f.Err(); err == nil {
		d, err = s.Complaints.File(r.Context(), u.Actor(), complaint.NewComplaint{Kind: f.String("kind"), Category: f.String("category"), RequestID: reqID,
			Description: f.String("description"), ContactName: f.String("contact_name"), ContactPhone: f.String("contact_phone"), Attachments: attached})
	}
	s.afterPost(w, r, err, "", fmt.Sprintf("/complaints/%d", d.ID), func(e error) {
		s.renderComplaintNew(w, r, u, http.StatusUnprocessableEntity, e)
	})
}

type complaintNewData struct {
	Requests   []requestChoice
	Categories []string
	Request    string // the request the page was opened from
}

type complaintPageData struct {
	complaint.Detail
	CanNote, CanHandle, CanAccept, CanFile, IsCustomer bool
}

func (s *Server) renderComplaint(w http.ResponseWriter, r *http.Request, u account.User, status int, formErr error) {
	d, ok := byPathID(s, w, r, u.Actor(), s.Complaints.Get)
	if !ok {
		return
	}
	a := u.Actor()
	v := s.newView(r, "complaints.one", "complaints")
	v.Data = complaintPageData{Detail: d, CanNote: policy.Allowed(a, policy.ComplaintNote, policy.Own),
		CanHandle: policy.Allowed(a, policy.ComplaintHandle, policy.Own), CanAccept: policy.Allowed(a, policy.ComplaintAccept, policy.Own),
		CanFile: policy.Allowed(a, policy.ComplaintFile, policy.Own), IsCustomer: u.OrgKind == "customer"}
	if formErr != nil {
		v.Form = r.PostForm
	}
	s.renderForm(w, r, status, "complaint", v, formErr)
}

// complaintAddFiles adds photos or PDF files to a complaint not yet closed,
// checked as at filing; a refused file shows the page again with the
// field named and nothing stored.
func (s *Server) complaintAddFiles(w http.ResponseWriter, r *http.Request, u account.User) {
	id, err := pathID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	attached, err := readAttachmentForm(r)
	defer files.CloseAll(attached)
	if err == nil {
		_, err = s.Complaints.AddAttachments(r.Context(), u.Actor(), id, attached)
	}
	s.afterPost(w, r, err, "", fmt.Sprintf("/complaints/%d#complaint-add-files", id), func(e error) {
		s.renderComplaint(w, r, u, http.StatusUnprocessableEntity, e)
	})
}

func (s *Server) complaintAct(w http.ResponseWriter, r *http.Request, u account.User) {
	id, f, ok := s.postedForm(w, r)
	if !ok {
		return
	}
	a, ctx := u.Actor(), r.Context()
	version, accepted := f.Int64("version"), f.Bool("customer_accepted")
	err := f.Err()
	switch action := r.PathValue("action"); {
	case err != nil: // the page names the bad field
	case action == "note":
		_, err = s.Complaints.Note(ctx, a, id, f.String("text"))
	case action == "reply":
		_, err = s.Complaints.Reply(ctx, a, id, f.String("reply"), version)
	case action == "close":
		_, err = s.Complaints.Close(ctx, a, id, accepted, f.String("note"), version)
	case action == "reopen":
		_, err = s.Complaints.Reopen(ctx, a, id, f.String("reason"), version)
	default:
		s.fail(w, r, problem.New(problem.NotFound, "no such action"))
		return
	}
	s.afterPost(w, r, err, "", fmt.Sprintf("/complaints/%d", id), func(e error) {
		s.renderComplaint(w, r, u, http.StatusUnprocessableEntity, e)
	})
}

type callbacksData struct {
	Items   []satisfaction.Callback
	Status  string
	CanWork bool
	Failed  int64 // the entry whose form came back with errors
}

func (s *Server) callbacksPage(w http.ResponseWriter, r *http.Request, u account.User) {
	s.renderCallbacks(w, r, u, http.StatusOK, 0, nil)
}

func (s *Server) renderCallbacks(w http.ResponseWriter, r *http.Request, u account.User, status int, failed int64, formErr error) {
	q := readQuery(r)
	st := oneOf(q, "status", satisfaction.CallbackOpen, satisfaction.CallbackConfirmed, satisfaction.CallbackCorrection, satisfaction.CallbackRedo)
	if q.Get("all") == "" && st == "" {
		st = satisfaction.CallbackOpen
	}
	items, ok := whenRead(s, w, r, q, func() ([]satisfaction.Callback, error) {
		return s.Satisfaction.Callbacks(r.Context(), u.Actor(), st, 200)
	})
	if !ok {
		return
	}
	v := s.newView(r, "callbacks.title", "callbacks")
	v.Data = callbacksData{Items: items, Status: st, CanWork: policy.Allowed(u.Actor(), policy.CallbackWork, policy.Own), Failed: failed}
	s.renderForm(w, r, q.mark(v, status), "callbacks", v, formErr)
}

func (s *Server) callbackAct(w http.ResponseWriter, r *http.Request, u account.User) {
	id, f, ok := s.postedForm(w, r)
	if !ok {
		return
	}
	a, ctx := u.Actor(), r.Context()
	version := f.Int64("version")
	call := satisfaction.Call{Reached: f.String("reached") == "yes", Words: f.String("words")}
	if sc := f.OptionalInt64("score"); sc != nil {
		n := int(*sc)
		call.Score = &n
	}
	err := f.Err()
	switch action := r.PathValue("action"); {
	case err != nil: // the page names the bad field
	case action == "call":
		_, err = s.Satisfaction.RecordCall(ctx, a, id, call, version)
	case action == "decision":
		_, err = s.Satisfaction.Decide(ctx, a, id, satisfaction.Decision{Outcome: f.String("outcome"), Reason: f.String("reason")}, version)
	default:
		s.fail(w, r, problem.New(problem.NotFound, "no such action"))
		return
	}
	s.afterPost(w, r, err, "", "/callbacks", func(e error) {
		s.renderCallbacks(w, r, u, http.StatusUnprocessableEntity, id, e)
	})
}

func init() {
	funcs["permille"] = permille
	funcs["derefBool"] = func(p *bool) bool { return p != nil && *p }
	funcs["derefInt"] = func(p *int) int {
		if p == nil {
			return 0
		}
		return *p
	}
	funcs["seq"] = func(from, to int) []int {
		var out []int
		for i := from; i <= to; i++ {
			out = append(out, i)
		}
		return out
	}
}
