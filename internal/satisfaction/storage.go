package satisfaction

import (
	"context"
	"time"

	"aftersales/internal/agreement"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/store"
)

// TallyOf counts an agreement's surveys of a period from their rows.
func TallyOf(ctx context.Context, q store.Queryer, agreementID int64, period string) (Tally, error) {
	var rows []struct {
		ScaleMax  int   `db:"scale_max"`
		Sent      int   `db:"sent"`
		Answers   int   `db:"answers"`
		Satisfied int   `db:"satisfied"`
		ScoreSum  int64 `db:"score_sum"`
	}
	err := store.Select(ctx, q, &rows, `SELECT scale_max, COUNT(*) AS sent, COUNT(answered_at) AS answers,
		COALESCE(SUM(CASE WHEN satisfied THEN 1 ELSE 0 END), 0) AS satisfied, COALESCE(SUM(score), 0) AS score_sum
		FROM surveys WHERE agreement_id = ? AND period = ? GROUP BY scale_max`, agreementID, period)
	t := Tally{ScoreSums: map[int]int64{}}
	for _, r := range rows {
		t.Sent += r.Sent
		t.Answers += r.Answers
		t.Satisfied += r.Satisfied
		t.ScoreSums[r.ScaleMax] += r.ScoreSum
	}
	return t, err
}

// PeriodFigure is an agreement's satisfaction in period (YYYY-MM) under the
// terms in force at the period's end (or now, for the current period): the
// figure the fees' deduction for satisfaction below threshold reads. It does
// not authorize.
func PeriodFigure(ctx context.Context, q store.Queryer, agreementID int64, period string, now time.Time) (Figure, error) {
	_, end, err := ParsePeriod(period)
	if err != nil {
		return Figure{}, problem.Field("period", "%s", err.Error())
	}
	at := end.Add(-time.Second)
	if now.Before(at) {
		at = now
	}
	v, err := agreement.TermsAt(ctx, q, agreementID, at)
	if err != nil {
		return Figure{}, err
	}
	t, err := TallyOf(ctx, q, agreementID, period)
	if err != nil {
		return Figure{}, err
	}
	f := Compute(t, v.Terms.SurveyRules(), v.Terms.SatisfactionPermille)
	f.AgreementID, f.Period = agreementID, period
	return f, nil
}

// Figure is PeriodFigure for a party of the agreement.
func (s *Service) Figure(ctx context.Context, a policy.Actor, agreementID int64, period string) (Figure, error) {
	if _, _, err := ParsePeriod(period); err != nil {
		return Figure{}, problem.Field("period", "%s", err.Error())
	}
	if err := policy.Allow(a, policy.SatisfactionRead, policy.Own); err != nil {
		return Figure{}, err
	}
	ag, err := agreement.Get(ctx, s.DB, agreementID)
	if err != nil || policy.PartyScope(a, ag.VendorID, ag.ProviderID) != policy.Own {
		return Figure{}, problem.New(problem.NotFound, "agreement %d not found", agreementID)
	}
	return PeriodFigure(ctx, s.DB, agreementID, period, s.Now())
}

// SurveyFilter narrows a list of surveys.
type SurveyFilter struct {
	AgreementID int64
	Period      string
	Answered    *bool
	Limit       int
}

// Surveys lists the surveys of the actor's agreements, newest first.
func (s *Service) Surveys(ctx context.Context, a policy.Actor, f SurveyFilter) ([]Survey, error) {
	if err := policy.Allow(a, policy.SurveyRead, policy.Own); err != nil {
		return nil, err
	}
	q, args := `SELECT `+surveyColumns+` FROM surveys WHERE 1=1`, []any{}
	if !a.Operator {
		q, args = q+` AND (vendor_id = ? OR provider_id = ?)`, append(args, a.OrgID, a.OrgID)
	}
	if f.AgreementID > 0 {
		q, args = q+` AND agreement_id = ?`, append(args, f.AgreementID)
	}
	if f.Period != "" {
		q, args = q+` AND period = ?`, append(args, f.Period)
	}
	if f.Answered != nil {
		if *f.Answered {
			q += ` AND answered_at IS NOT NULL`
		} else {
			q += ` AND answered_at IS NULL`
		}
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 200
	}
	out := []Survey{}
	err := store.Select(ctx, s.DB, &out, q+` ORDER BY id DESC LIMIT ?`, append(args, f.Limit)...)
	return out, err
}

// GetSurvey returns one survey for a party of its agreement.
func (s *Service) GetSurvey(ctx context.Context, a policy.Actor, id int64) (Survey, error) {
	hidden := problem.New(problem.NotFound, "survey %d not found", id)
	return policy.Load(a, policy.SurveyRead, policy.SurveyRead, hidden,
		func() (Survey, error) {
			var sv Survey
			err := store.Get(ctx, s.DB, &sv, `SELECT `+surveyColumns+` FROM surveys WHERE id = ?`, id)
			if err == store.ErrNotFound {
				return sv, hidden
			}
			return sv, err
		},
		policy.ByParties[Survey](a))
}

// Parties are the vendor and the provider of the survey's agreement.
func (sv Survey) Parties() []int64 { return []int64{sv.VendorID, sv.ProviderID} }
