package agreement

import (
	"fmt"
	"regexp"
	"slices"

	"aftersales/internal/problem"
)

// Formulas by which a period's satisfaction is computed from its answers
// (§3.2.2). Share-satisfied is the share of answers on the top of the scale
// ("satisfied"); mean is the mean score as a share of the scale's maximum.
const (
	FormulaShareSatisfied = "share_satisfied"
	FormulaMean           = "mean"
)

// SurveyTerms say how the customer is asked after a visit (满意度回访).
// An agreement that sets none uses DefaultSurveyTerms.
type SurveyTerms struct {
	// DelayMinutes after the visit's record is sealed, the survey is sent.
	DelayMinutes int `json:"delay_minutes" doc:"Minutes after the visit's record is sealed before the survey is sent."`
	// SharePermille of the sealed visits get a survey: 1000 is every visit.
	SharePermille int `json:"share_permille" doc:"Share of visits surveyed, in tenths of a percent: 1000 is every visit."`
	ScaleMin      int `json:"scale_min" doc:"Lowest score, usually 1."`
	ScaleMax      int `json:"scale_max" doc:"Highest score, usually 5."`
	// SatisfiedFrom is the lowest score that counts as satisfied; with the
	// default 1-5 scale it is 4 (the top two).
	SatisfiedFrom int              `json:"satisfied_from" doc:"Lowest score counted as satisfied (default: the top two of the scale)."`
	Questions     []SurveyQuestion `json:"questions,omitempty" doc:"Further questions, each scored on the same scale."`
	ExpiryDays    int              `json:"expiry_days" doc:"Days after sending that the link can be answered."`
	Formula       string           `json:"formula" doc:"share_satisfied or mean."`
	// MinAnswers below which a period is not judged: too few answers to judge.
	MinAnswers int `json:"min_answers" doc:"Fewest answers in a period for its satisfaction to be judged against the threshold."`
	// CallbackSharePermille of the sealed visits join the vendor's callback
	// queue (回访审核), besides every complaint and every low score.
	CallbackSharePermille int `json:"callback_share_permille" doc:"Share of sealed visits the vendor's auditors phone back, in tenths of a percent."`
}

// SurveyQuestion is one further question of the survey.
type SurveyQuestion struct {
	Key     string `json:"key" doc:"A short name: letters, digits, _."`
	LabelZH string `json:"label_zh"`
	LabelEN string `json:"label_en"`
}

// ComplaintTerms are the clocks of a complaint (投诉) on the agreement's
// general calendar: a first answer within N working days and closing within
// M, and how long an answered complaint waits for the customer before it is
// closed unanswered.
type ComplaintTerms struct {
	FirstAnswerWorkingDays int `json:"first_answer_working_days" doc:"Working days to give the customer a first answer."`
	CloseWorkingDays       int `json:"close_working_days" doc:"Working days to close the complaint."`
	UnansweredCloseDays    int `json:"unanswered_close_days" doc:"Days an answered complaint waits for the customer's acceptance before it is closed unanswered."`
}

// DefaultSurveyTerms are what an agreement without survey terms gets: every
// visit, two hours after, 1-5 with the top two satisfied, seven days to answer.
func DefaultSurveyTerms() SurveyTerms {
	return SurveyTerms{DelayMinutes: 120, SharePermille: 1000, ScaleMin: 1, ScaleMax: 5, SatisfiedFrom: 4, ExpiryDays: 7,
		Formula: FormulaShareSatisfied, MinAnswers: 5, CallbackSharePermille: 100,
		Questions: []SurveyQuestion{
			{Key: "response_speed", LabelZH: "响应速度", LabelEN: "Response speed"},
			{Key: "technical_skill", LabelZH: "技术水平", LabelEN: "Technical skill"},
			{Key: "attitude", LabelZH: "服务态度", LabelEN: "Attitude"},
		}}
}

// DefaultComplaintTerms: first answer within 1 working day, closed within 5,
// closed unanswered 7 days after the reply.
func DefaultComplaintTerms() ComplaintTerms {
	return ComplaintTerms{FirstAnswerWorkingDays: 1, CloseWorkingDays: 5, UnansweredCloseDays: 7}
}

// SurveyRules are the survey terms in force: the agreement's own, or the defaults.
func (t Terms) SurveyRules() SurveyTerms {
	if t.Survey != nil {
		s := *t.Survey
		s.Questions = slices.Clone(s.Questions)
		return s
	}
	return DefaultSurveyTerms()
}

// ComplaintRules are the complaint terms in force.
func (t Terms) ComplaintRules() ComplaintTerms {
	if t.Complaints != nil {
		return *t.Complaints
	}
	return DefaultComplaintTerms()
}

// Satisfied reports whether score counts as satisfied.
func (s SurveyTerms) Satisfied(score int) bool { return score >= s.SatisfiedFrom }

// InScale reports whether score is on the scale.
func (s SurveyTerms) InScale(score int) bool { return score >= s.ScaleMin && score <= s.ScaleMax }

var questionKeyPattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)

func (s *SurveyTerms) check(fs *problem.Fields, prefix string) {
	at := func(name string) string { return prefix + "." + name }
	checkRange(fs, at("delay_minutes"), s.DelayMinutes, 0, 30*24*60, false)
	checkRange(fs, at("share_permille"), s.SharePermille, 0, 1000, false)
	checkRange(fs, at("callback_share_permille"), s.CallbackSharePermille, 0, 1000, false)
	if s.ScaleMin < 0 || s.ScaleMax > 10 || s.ScaleMax <= s.ScaleMin {
		fs.Add(at("scale_max"), "the scale must run from scale_min up to at most 10, with scale_max above scale_min")
	} else if s.SatisfiedFrom <= s.ScaleMin || s.SatisfiedFrom > s.ScaleMax {
		fs.Add(at("satisfied_from"), "must be above scale_min and at most scale_max")
	}
	checkRange(fs, at("expiry_days"), s.ExpiryDays, 1, 90, true)
	if s.Formula != FormulaShareSatisfied && s.Formula != FormulaMean {
		fs.Add(at("formula"), "must be share_satisfied or mean, not %q", s.Formula)
	}
	checkRange(fs, at("min_answers"), s.MinAnswers, 0, 10000, false)
	if len(s.Questions) > 10 {
		fs.Add(at("questions"), "at most 10 questions")
	}
	seen := map[string]bool{}
	for i, q := range s.Questions {
		f := fmt.Sprintf("%s[%d]", at("questions"), i)
		switch {
		case !questionKeyPattern.MatchString(q.Key):
			fs.Add(f+".key", "must be 1-40 lowercase letters, digits or _, starting with a letter")
		case seen[q.Key]:
			fs.Add(f+".key", "%s is listed twice", q.Key)
		}
		seen[q.Key] = true
		problem.CheckText(fs, f+".label_zh", q.LabelZH, true, 100)
		problem.CheckText(fs, f+".label_en", q.LabelEN, true, 100)
	}
}

func (c *ComplaintTerms) check(fs *problem.Fields, prefix string) {
	at := func(name string) string { return prefix + "." + name }
	checkRange(fs, at("first_answer_working_days"), c.FirstAnswerWorkingDays, 1, 60, true)
	checkRange(fs, at("close_working_days"), c.CloseWorkingDays, 1, 120, true)
	if c.CloseWorkingDays > 0 && c.CloseWorkingDays < c.FirstAnswerWorkingDays {
		fs.Add(at("close_working_days"), "cannot be shorter than the first answer's %d working days", c.FirstAnswerWorkingDays)
	}
	checkRange(fs, at("unanswered_close_days"), c.UnansweredCloseDays, 1, 90, true)
}

// checkSatisfaction validates the optional survey and complaint terms.
func (t *Terms) checkSatisfaction(fs *problem.Fields, prefix string) {
	if t.Survey != nil {
		t.Survey.check(fs, prefix+".survey")
	}
	if t.Complaints != nil {
		t.Complaints.check(fs, prefix+".complaints")
	}
}

// cloneSatisfaction copies the survey and complaint terms for Clone.
func (t *Terms) cloneSatisfaction() {
	if t.Survey != nil {
		s := *t.Survey
		s.Questions = slices.Clone(s.Questions)
		t.Survey = &s
	}
	if t.Complaints != nil {
		c := *t.Complaints
		t.Complaints = &c
	}
}
