package web

import (
	"net/http"
	"strings"
	"time"

	"aftersales/internal/account"
	"aftersales/internal/appointment"
	"aftersales/internal/i18n"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/staff"
	"aftersales/internal/web/form"
	"aftersales/internal/workorder"
)

// appointmentDay is one local day of windows offered.
type appointmentDay struct {
	Date time.Time
	// Weekday is the message id of its weekday's name.
	Weekday string
	Windows []appointment.Window
}

type appointmentData struct {
	Offer appointment.Offer
	Token string
	Days  []appointmentDay
	// Done is the outcome just answered.
	Done string
}

func (s *Server) appointmentView(r *http.Request, o appointment.Offer, token, done string) *view {
	v := s.newView(r, "appointment.title", "")
	lang := r.URL.Query().Get("lang")
	if lang != "en" && lang != "zh-CN" {
		lang = i18n.Match(o.Link.Locale)
	}
	v.Lang = lang
	v.Title = v.T("appointment.title")
	d := appointmentData{Offer: o, Token: token, Done: done}
	for _, w := range o.Windows {
		local := w.Start.In(v.loc)
		day := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, v.loc)
		if n := len(d.Days); n == 0 || !d.Days[n-1].Date.Equal(day) {
			d.Days = append(d.Days, appointmentDay{Date: day, Weekday: "weekday." + strings.ToLower(day.Weekday().String()[:3])})
		}
		d.Days[len(d.Days)-1].Windows = append(d.Days[len(d.Days)-1].Windows, w)
	}
	v.Data = d
	return v
}

func (s *Server) appointmentPage(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	o, err := s.Appointments.Open(r.Context(), token)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, http.StatusOK, "appointment", s.appointmentView(r, o, token, ""))
}

func (s *Server) appointmentAnswer(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	f, ok := s.posted(w, r)
	if !ok {
		return
	}
	a := appointment.Answer{CallMe: f.String("call_me") != ""}
	if !a.CallMe {
		if a.Start = f.Instant("start"); a.Start.IsZero() && !f.Failed("start") {
			f.Add("start", "choose a time for the visit")
		}
	}
	if err := f.Err(); err != nil {
		s.appointmentAgain(w, r, token, err)
		return
	}
	done, err := s.Appointments.Answer(r.Context(), token, a)
	if err != nil {
		s.appointmentAgain(w, r, token, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, http.StatusOK, "appointment", s.appointmentView(r, done.Offer, token, *done.Link.Outcome))
}

// appointmentAgain shows the link's page again with why the answer was
// refused: a window no longer free (422), a link used or expired (409).
func (s *Server) appointmentAgain(w http.ResponseWriter, r *http.Request, token string, err error) {
	o, oerr := s.Appointments.Open(r.Context(), token)
	if oerr != nil {
		s.fail(w, r, oerr)
		return
	}
	p, ok := problem.As(err)
	if !ok || (p.Kind != problem.Invalid && p.Kind != problem.Conflict) {
		s.fail(w, r, err)
		return
	}
	v := s.appointmentView(r, o, token, "")
	status := http.StatusConflict
	if p.Kind == problem.Invalid {
		status = http.StatusUnprocessableEntity
		v.Form = r.PostForm
		_ = formErrors(v, err)
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, status, "appointment", v)
}

// appointmentLinkSend sends the customer a link from the visit's page and
// shows it once there.
func (s *Server) appointmentLinkSend(w http.ResponseWriter, r *http.Request, u account.User) {
	id, ok := s.postedTo(w, r)
	if !ok {
		return
	}
	sent, err := s.Appointments.Send(r.Context(), u.Actor(), id, form.Of(r).String("locale"))
	if err != nil {
		if p, ok := problem.As(err); ok && p.Kind == problem.Conflict {
			s.renderWorkOrder(w, r, u, http.StatusConflict, problem.Field("form", "%s", s.translate(r, p).Detail))
			return
		}
		s.fail(w, r, err)
		return
	}
	s.renderWorkOrderWith(w, r, u, func(d *workOrderData) { d.SentLink = &sent })
}

// linkRow is an appointment link as the visit's page lists it.
type linkRow struct {
	appointment.Link
	State string
}

// dispatcherPanel fills what the provider's dispatchers see on a visit not
// started: the ranking of who could take it over, and the links sent.
func (s *Server) dispatcherPanel(r *http.Request, u account.User, d *workOrderData) error {
	a := u.Actor()
	if d.WorkOrder.Status != workorder.WOAssigned || !policy.Allowed(a, policy.RequestAssign, policy.Own) {
		return nil
	}
	ctx := r.Context()
	links, err := s.Appointments.Links(ctx, a, d.WorkOrder.ID)
	if err != nil {
		return err
	}
	d.Dispatcher = true
	for _, l := range links {
		d.Links = append(d.Links, linkRow{Link: l, State: l.State(s.Now())})
	}
	rec, err := s.Staff.RecommendForVisit(ctx, a, d.WorkOrder.ID, staff.RecommendQuery{Policy: r.URL.Query().Get("policy")})
	if err != nil {
		if problem.Is(err, problem.Conflict) {
			return nil
		}
		return err
	}
	v := s.newView(r, "staff.recommendations", "work_orders")
	for i := range rec.Excluded {
		if ref := rec.Excluded[i].Refusal; ref != nil && ref.Problem() != nil {
			tr := *ref
			tr.Detail = v.translate(ref.Problem()).Fields[0].Message
			rec.Excluded[i].Refusal = &tr
		}
	}
	d.Reassign = &rec
	return nil
}
