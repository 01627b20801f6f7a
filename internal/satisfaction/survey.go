package satisfaction

import (
	"encoding/json"
	"strings"
	"time"

	"aftersales/internal/agreement"
	"aftersales/internal/problem"
)

// Survey is one survey sent after a visit.
type Survey struct {
	ID            int64      `db:"id" json:"id"`
	RecordID      int64      `db:"record_id" json:"record_id"`
	WorkOrderID   int64      `db:"work_order_id" json:"work_order_id"`
	RequestID     int64      `db:"request_id" json:"request_id"`
	AgreementID   int64      `db:"agreement_id" json:"agreement_id"`
	VendorID      int64      `db:"vendor_id" json:"vendor_id"`
	ProviderID    int64      `db:"provider_id" json:"provider_id"`
	CustomerOrgID int64      `db:"customer_org_id" json:"customer_org_id"`
	TechnicianID  *int64     `db:"technician_id" json:"technician_id,omitempty"`
	Period        string     `db:"period" json:"period"`
	SealedAt      time.Time  `db:"sealed_at" json:"sealed_at"`
	SentAt        time.Time  `db:"sent_at" json:"sent_at"`
	ExpiresAt     time.Time  `db:"expires_at" json:"expires_at"`
	TokenHash     string     `db:"token_hash" json:"-"`
	Locale        string     `db:"locale" json:"locale"`
	ScaleMin      int        `db:"scale_min" json:"scale_min"`
	ScaleMax      int        `db:"scale_max" json:"scale_max"`
	SatisfiedFrom int        `db:"satisfied_from" json:"satisfied_from"`
	QuestionsJSON string     `db:"questions_json" json:"-"`
	AnsweredAt    *time.Time `db:"answered_at" json:"answered_at,omitempty"`
	Score         *int       `db:"score" json:"score,omitempty"`
	Satisfied     bool       `db:"satisfied" json:"satisfied"`
	AnswersJSON   string     `db:"answers_json" json:"-"`
	Comment       string     `db:"comment" json:"comment"`
}

// Questions are the further questions the survey asks.
func (s Survey) Questions() []agreement.SurveyQuestion {
	var qs []agreement.SurveyQuestion
	_ = json.Unmarshal([]byte(s.QuestionsJSON), &qs)
	return qs
}

// Answers are the scores given to the further questions, by key.
func (s Survey) Answers() map[string]int {
	m := map[string]int{}
	_ = json.Unmarshal([]byte(s.AnswersJSON), &m)
	return m
}

// Scale lists the scores of the survey's scale, lowest first.
func (s Survey) Scale() []int {
	var out []int
	for i := s.ScaleMin; i <= s.ScaleMax; i++ {
		out = append(out, i)
	}
	return out
}

// State says where a survey stands at now: sent, answered or expired.
func (s Survey) State(now time.Time) string {
	switch {
	case s.AnsweredAt != nil:
		return "answered"
	case !now.Before(s.ExpiresAt):
		return "expired"
	}
	return "sent"
}

// Answer is what the customer submits from the link.
type Answer struct {
	Score   int            `json:"score"`
	Answers map[string]int `json:"answers,omitempty"`
	Comment string         `json:"comment,omitempty"`
	// Complaint, when set, files a complaint linked to the visit.
	Complaint *ComplaintFromSurvey `json:"complaint,omitempty"`
}

// ComplaintFromSurvey is the "I want to complain" part of an answer.
type ComplaintFromSurvey struct {
	Category    string `json:"category"`
	Description string `json:"description"`
	ContactName string `json:"contact_name,omitempty"`
	Phone       string `json:"contact_phone,omitempty"`
}

// check validates an answer against the survey it answers, naming each bad
// field; it normalizes the text.
func (a *Answer) check(s Survey) error {
	var fs problem.Fields
	if a.Score < s.ScaleMin || a.Score > s.ScaleMax {
		fs.Add("score", "must be from %d to %d, not %d", s.ScaleMin, s.ScaleMax, a.Score)
	}
	known := map[string]bool{}
	for _, q := range s.Questions() {
		known[q.Key] = true
	}
	for k, v := range a.Answers {
		switch {
		case !known[k]:
			fs.Add("answers."+k, "this survey asks no question %q", k)
		case v < s.ScaleMin || v > s.ScaleMax:
			fs.Add("answers."+k, "must be from %d to %d, not %d", s.ScaleMin, s.ScaleMax, v)
		}
	}
	a.Comment = strings.TrimSpace(a.Comment)
	problem.CheckText(&fs, "comment", a.Comment, false, 2000)
	if c := a.Complaint; c != nil {
		c.Description = strings.TrimSpace(c.Description)
		problem.CheckText(&fs, "complaint.description", c.Description, true, 4000)
	}
	return fs.Err()
}
