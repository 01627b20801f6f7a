package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"aftersales/internal/complaint"
	"aftersales/internal/files"
	"aftersales/internal/notify"
	"aftersales/internal/policy"
	"aftersales/internal/satisfaction"
)

// surveyOut is a survey as the vendor and the provider read it.
type surveyOut struct {
	satisfaction.Survey
	State     string         `json:"state" doc:"sent, answered or expired."`
	Questions []questionOut  `json:"questions"`
	Answers   map[string]int `json:"answers"`
}

type questionOut struct {
	Key     string `json:"key"`
	LabelZH string `json:"label_zh"`
	LabelEN string `json:"label_en"`
}

func (h *handlers) toSurveyOut(s satisfaction.Survey) surveyOut {
	out := surveyOut{Survey: s, State: s.State(h.Satisfaction.Now()), Questions: []questionOut{}, Answers: s.Answers()}
	for _, q := range s.Questions() {
		out.Questions = append(out.Questions, questionOut{q.Key, q.LabelZH, q.LabelEN})
	}
	return out
}

type surveyListInput struct {
	AgreementID int64  `query:"agreement_id" minimum:"0"`
	Period      string `query:"period" pattern:"^[0-9]{4}-[0-9]{2}$" doc:"YYYY-MM, China time."`
	Answered    string `query:"answered" enum:"true,false"`
	Limit       int    `query:"limit" minimum:"0" maximum:"500"`
}

type surveyListOutput items[surveyOut]

type surveyOutput struct{ Body surveyOut }

type satisfactionInput struct {
	Agreement int64  `query:"agreement" required:"true" minimum:"1"`
	Period    string `query:"period" required:"true" pattern:"^[0-9]{4}-[0-9]{2}$" doc:"YYYY-MM, China time."`
}

// satisfactionOut is a period's satisfaction: rates in percent with one
// decimal (tenths of a percent, rounded down), judged against the threshold.
type satisfactionOut struct {
	AgreementID    int64   `json:"agreement_id"`
	Period         string  `json:"period"`
	Formula        string  `json:"formula" doc:"share_satisfied or mean."`
	Sent           int     `json:"sent"`
	Answers        int     `json:"answers"`
	Satisfied      int     `json:"satisfied"`
	ResponseRate   float64 `json:"response_rate" doc:"Answers per survey sent, in percent."`
	Score          float64 `json:"score" doc:"Satisfaction by the agreement's formula, in percent."`
	Threshold      float64 `json:"threshold" doc:"The agreement's threshold, in percent."`
	MinAnswers     int     `json:"min_answers"`
	Judged         bool    `json:"judged" doc:"False: too few answers to judge; never below the threshold then."`
	BelowThreshold bool    `json:"below_threshold"`
}

type satisfactionOutput struct{ Body satisfactionOut }

type complaintOut struct {
	complaint.Complaint
	Clocks []complaint.ComplaintClock `json:"clocks"`
}

type complaintDetailOut struct {
	complaint.Complaint
	Clocks []complaint.ComplaintClock `json:"clocks"`
	Events []complaint.ComplaintEvent `json:"events"`
	// RequestNumber is the number of the request it is about; Attachments
	// the files filed with it (GET .../attachments/{file} reads one).
	RequestNumber string              `json:"request_number,omitempty"`
	Attachments   []files.File        `json:"attachments"`
	Texts         []notify.SMSMessage `json:"texts" doc:"The text messages that acknowledged it, with their delivery states (pending, sent, delivered, undelivered, failed)."`
}

type complaintOutput struct {
	ETag string `header:"ETag"`
	Body complaintDetailOut
}

type complaintListInput struct {
	Status      string `query:"status" enum:"open,answered,closed"`
	Kind        string `query:"kind" enum:"complaint,suggestion"`
	AgreementID int64  `query:"agreement_id" minimum:"0"`
	Period      string `query:"period" pattern:"^[0-9]{4}-[0-9]{2}$"`
	Late        bool   `query:"late" doc:"Only complaints with a breached clock."`
	Limit       int    `query:"limit" minimum:"0" maximum:"500"`
}

type complaintListOutput items[complaintOut]

type complaintCreateInput struct {
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"200"`
	Body           complaint.NewComplaint
}

type complaintTextInput struct {
	ID      int64  `path:"id" minimum:"1"`
	IfMatch string `header:"If-Match" doc:"ETag of the complaint as last read."`
	Body    struct {
		Text string `json:"text" minLength:"1" maxLength:"4000"`
	}
}

type complaintNoteInput struct {
	CreateUnder
	Body struct {
		Text string `json:"text" minLength:"1" maxLength:"4000"`
	}
}

type complaintCloseInput struct {
	ID      int64  `path:"id" minimum:"1"`
	IfMatch string `header:"If-Match" doc:"ETag of the complaint as last read."`
	Body    struct {
		CustomerAccepted bool   `json:"customer_accepted,omitempty" doc:"The provider records the acceptance the customer gave (by phone); a customer closing accepts by doing so."`
		Note             string `json:"note,omitempty" maxLength:"2000"`
	}
}

type callbackListInput struct {
	Status string `query:"status" enum:"open,confirmed,correction,redo"`
	Limit  int    `query:"limit" minimum:"0" maximum:"500"`
}

type callbackListOutput items[satisfaction.Callback]

type callbackCallInput struct {
	ID      int64  `path:"id" minimum:"1"`
	IfMatch string `header:"If-Match" doc:"ETag of the callback as last read."`
	Body    satisfaction.Call
}

type callbackDecideInput struct {
	ID      int64  `path:"id" minimum:"1"`
	IfMatch string `header:"If-Match" doc:"ETag of the callback as last read."`
	Body    struct {
		Outcome     string     `json:"outcome" enum:"confirmed,correction,redo"`
		Reason      string     `json:"reason,omitempty" maxLength:"2000" doc:"Required when the visit is sent back."`
		WindowStart *time.Time `json:"window_start,omitempty" doc:"The redo visit's window; by default the next morning."`
		WindowEnd   *time.Time `json:"window_end,omitempty"`
	}
}

func (h *handlers) registerSatisfaction(a huma.API) {
	const tag = "Satisfaction"
	register(h, a, op("list-surveys", http.MethodGet, "/surveys", "List the surveys sent after visits, newest first", tag), h.listSurveys)
	register(h, a, op("get-survey", http.MethodGet, "/surveys/{id}", "A survey and its answer", tag), h.getSurvey)
	register(h, a, op("get-satisfaction", http.MethodGet, "/satisfaction", "An agreement's satisfaction in a period against its threshold", tag), h.getSatisfaction)

	const ctag = "Complaints"
	register(h, a, op("list-complaints", http.MethodGet, "/complaints", "List complaints and suggestions, newest first", ctag), h.listComplaints)
	register(h, a, created(op("create-complaint", http.MethodPost, "/complaints", "File a complaint or suggestion about a request or visit", ctag)), h.createComplaint)
	h.registerComplaintFiles(a, ctag)
	register(h, a, op("get-complaint", http.MethodGet, "/complaints/{id}", "A complaint with its clocks and history", ctag), h.getComplaint)
	register(h, a, op("add-complaint-note", http.MethodPost, "/complaints/{id}/notes", "Add an investigation note", ctag), h.noteComplaint)
	for _, o := range []struct {
		id, path, summary string
		f                 func(context.Context, policy.Actor, *complaintTextInput, int64) (*complaintOutput, error)
	}{
		{"reply-complaint", "/complaints/{id}/reply", "Reply to the customer (a suggestion closes with its reply)", h.replyComplaint},
		{"reopen-complaint", "/complaints/{id}/reopen", "Reopen an answered or closed complaint, with the reason", h.reopenComplaint},
	} {
		registerChange(h, a, withErrors(op(o.id, http.MethodPost, o.path, o.summary, ctag), 409), o.f)
	}
	registerChange(h, a, withErrors(op("close-complaint", http.MethodPost, "/complaints/{id}/close", "Close an answered complaint with the customer's acceptance", ctag), 409), h.closeComplaint)

	const btag = "Callbacks"
	register(h, a, op("list-callbacks", http.MethodGet, "/callbacks", "The vendor's callback queue (回访审核)", btag), h.listCallbacks)
	register(h, a, op("get-callback", http.MethodGet, "/callbacks/{id}", "One entry of the callback queue", btag), h.getCallback)
	registerChange(h, a, withErrors(op("record-callback-call", http.MethodPost, "/callbacks/{id}/call", "Record the outcome of the call to the customer", btag), 409), h.recordCall)
	registerChange(h, a, withErrors(op("decide-callback", http.MethodPost, "/callbacks/{id}/decision", "Confirm the visit, or send it back to correct the record or redo the work", btag), 409), h.decideCallback)
	h.registerSMS(a)
}

func (h *handlers) listSurveys(ctx context.Context, ac policy.Actor, in *surveyListInput) (*surveyListOutput, error) {
	f := satisfaction.SurveyFilter{AgreementID: in.AgreementID, Period: in.Period, Limit: in.Limit}
	if in.Answered != "" {
		b := in.Answered == "true"
		f.Answered = &b
	}
	list, err := h.Satisfaction.Surveys(ctx, ac, f)
	return listAs[surveyListOutput](each(list, h.toSurveyOut), err)
}

func (h *handlers) getSurvey(ctx context.Context, ac policy.Actor, in *idPath) (*surveyOutput, error) {
	s, err := h.Satisfaction.GetSurvey(ctx, ac, in.ID)
	return bodyAs[surveyOutput](h.toSurveyOut(s), err)
}

func percent(permille int) float64 { return float64(permille) / 10 }

func (h *handlers) getSatisfaction(ctx context.Context, ac policy.Actor, in *satisfactionInput) (*satisfactionOutput, error) {
	f, err := h.Satisfaction.Figure(ctx, ac, in.Agreement, in.Period)
	if err != nil {
		return nil, err
	}
	return &satisfactionOutput{Body: satisfactionOut{AgreementID: f.AgreementID, Period: f.Period, Formula: f.Formula, Sent: f.Sent,
		Answers: f.Answers, Satisfied: f.Satisfied, ResponseRate: percent(f.ResponseRatePermille), Score: percent(f.ScorePermille),
		Threshold: percent(f.ThresholdPermille), MinAnswers: f.MinAnswers, Judged: f.Judged, BelowThreshold: f.BelowThreshold}}, nil
}

// complaintDetail answers d unless err is set.
func (h *handlers) complaintDetail(d complaint.Detail, err error) (*complaintOutput, error) {
	if err != nil {
		return nil, err
	}
	return &complaintOutput{ETag: etag(d.Version), Body: complaintDetailOut{Complaint: d.Complaint, Clocks: d.Clocks, Events: d.Events,
		RequestNumber: d.RequestNumber, Attachments: d.Attachments, Texts: d.Texts}}, nil
}

func (h *handlers) listComplaints(ctx context.Context, ac policy.Actor, in *complaintListInput) (*complaintListOutput, error) {
	list, err := h.Complaints.List(ctx, ac, complaint.Filter{Status: in.Status, Kind: in.Kind, AgreementID: in.AgreementID, Period: in.Period, Late: in.Late, Limit: in.Limit})
	now := h.Complaints.Now()
	return listAs[complaintListOutput](each(list, func(c complaint.Complaint) complaintOut {
		return complaintOut{Complaint: c, Clocks: c.Clocks(now)}
	}), err)
}

func (h *handlers) createComplaint(ctx context.Context, ac policy.Actor, in *complaintCreateInput) (*complaintOutput, error) {
	return h.complaintDetail(h.Complaints.File(ctx, ac, in.Body))
}

func (h *handlers) getComplaint(ctx context.Context, ac policy.Actor, in *idPath) (*complaintOutput, error) {
	return h.complaintDetail(h.Complaints.Get(ctx, ac, in.ID))
}

func (h *handlers) noteComplaint(ctx context.Context, ac policy.Actor, in *complaintNoteInput) (*complaintOutput, error) {
	return h.complaintDetail(h.Complaints.Note(ctx, ac, in.ID, in.Body.Text))
}

func (h *handlers) replyComplaint(ctx context.Context, ac policy.Actor, in *complaintTextInput, v int64) (*complaintOutput, error) {
	return h.complaintDetail(h.Complaints.Reply(ctx, ac, in.ID, in.Body.Text, v))
}

func (h *handlers) reopenComplaint(ctx context.Context, ac policy.Actor, in *complaintTextInput, v int64) (*complaintOutput, error) {
	return h.complaintDetail(h.Complaints.Reopen(ctx, ac, in.ID, in.Body.Text, v))
}

func (h *handlers) closeComplaint(ctx context.Context, ac policy.Actor, in *complaintCloseInput, v int64) (*complaintOutput, error) {
	return h.complaintDetail(h.Complaints.Close(ctx, ac, in.ID, in.Body.CustomerAccepted, in.Body.Note, v))
}

func (h *handlers) listCallbacks(ctx context.Context, ac policy.Actor, in *callbackListInput) (*callbackListOutput, error) {
	return listAs[callbackListOutput](h.Satisfaction.Callbacks(ctx, ac, in.Status, in.Limit))
}

func (h *handlers) getCallback(ctx context.Context, ac policy.Actor, in *idPath) (*tagged[satisfaction.Callback], error) {
	return versioned(h.Satisfaction.GetCallback(ctx, ac, in.ID))
}

func (h *handlers) recordCall(ctx context.Context, ac policy.Actor, in *callbackCallInput, v int64) (*tagged[satisfaction.Callback], error) {
	return versioned(h.Satisfaction.RecordCall(ctx, ac, in.ID, in.Body, v))
}

func (h *handlers) decideCallback(ctx context.Context, ac policy.Actor, in *callbackDecideInput, v int64) (*tagged[satisfaction.Callback], error) {
	d := satisfaction.Decision{Outcome: in.Body.Outcome, Reason: in.Body.Reason}
	if in.Body.WindowStart != nil {
		d.WindowStart = *in.Body.WindowStart
	}
	if in.Body.WindowEnd != nil {
		d.WindowEnd = *in.Body.WindowEnd
	}
	return versioned(h.Satisfaction.Decide(ctx, ac, in.ID, d, v))
}
