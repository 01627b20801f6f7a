package web

import (
	"net/http"
	"strings"

	"aftersales/internal/i18n"
	"aftersales/internal/problem"
	"aftersales/internal/satisfaction"
)

type surveyData struct {
	Survey     satisfaction.Survey
	State      string
	Token      string
	Categories []string
	Complaint  int64
}

// surveyView is a view in the survey's language (the customer's), unless
// the page was switched with ?lang=.
func (s *Server) surveyView(r *http.Request, sv satisfaction.Survey) *view {
	v := s.newView(r, "survey.title", "")
	lang := r.URL.Query().Get("lang")
	if lang != "en" && lang != "zh-CN" {
		lang = i18n.Match(sv.Locale)
	}
	v.Lang = lang
	v.Title = v.T("survey.title")
	return v
}

func (s *Server) surveyPage(w http.ResponseWriter, r *http.Request) {
	sv, err := s.Satisfaction.Open(r.Context(), r.PathValue("token"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := s.surveyView(r, sv)
	v.Data = surveyData{Survey: sv, State: sv.State(s.Now()), Token: r.PathValue("token"), Categories: complaintCategories}
	s.render(w, r, http.StatusOK, "survey", v)
}

var complaintCategories = []string{"attitude", "slow_response", "repair_quality", "parts", "fees", "other"}

func (s *Server) surveySubmit(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	sv, err := s.Satisfaction.Open(r.Context(), token)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f, ok := s.posted(w, r)
	if !ok {
		return
	}
	if strings.TrimSpace(f.String("score")) == "" {
		f.Add("score", "choose a score")
	}
	a := satisfaction.Answer{Score: f.Int("score"), Comment: f.String("comment"), Answers: map[string]int{}}
	for _, q := range sv.Questions() {
		if f.String("answers."+q.Key) != "" {
			a.Answers[q.Key] = f.Int("answers." + q.Key)
		}
	}
	if f.Bool("complain") {
		a.Complaint = &satisfaction.ComplaintFromSurvey{Category: f.String("category"), Description: f.String("description"), Phone: f.String("contact_phone")}
	}
	err = f.Err()
	var done satisfaction.Answered
	if err == nil {
		done, err = s.Satisfaction.Answer(r.Context(), token, a)
	}
	if err != nil {
		if !problem.Is(err, problem.Invalid) {
			s.fail(w, r, err)
			return
		}
		v := s.surveyView(r, sv)
		v.Data = surveyData{Survey: sv, State: sv.State(s.Now()), Token: token, Categories: complaintCategories}
		v.Form = r.PostForm
		_ = formErrors(v, err)
		s.render(w, r, http.StatusUnprocessableEntity, "survey", v)
		return
	}
	v := s.surveyView(r, done.Survey)
	v.Data = surveyData{Survey: done.Survey, State: "thanks", Token: token, Complaint: done.ComplaintID}
	s.render(w, r, http.StatusOK, "survey", v)
}
