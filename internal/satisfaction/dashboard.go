package satisfaction

import (
	"context"
	"time"

	"aftersales/internal/agreement"
	"aftersales/internal/policy"
	"aftersales/internal/store"
)

// PeriodRow is one period of an agreement on the dashboards.
type PeriodRow struct {
	Period     string `json:"period"`
	Figure     Figure `json:"satisfaction"`
	Complaints int    `json:"complaints"`
	// OnTime are the complaints of the period closed by their due time;
	// Late those with a breached clock; Open those not closed.
	OnTime int `json:"complaints_on_time"`
	Late   int `json:"complaints_late"`
	Open   int `json:"complaints_open"`
	Redos  int `json:"redos"`
}

// AgreementBoard is an agreement's last periods, oldest first.
type AgreementBoard struct {
	AgreementID int64       `json:"agreement_id"`
	Number      string      `json:"number"`
	VendorID    int64       `json:"vendor_id"`
	ProviderID  int64       `json:"provider_id"`
	Periods     []PeriodRow `json:"periods"`
}

// Current is the board's last period.
func (b AgreementBoard) Current() PeriodRow { return b.Periods[len(b.Periods)-1] }

// Board is the dashboard of the actor's organization: each of its
// agreements over the n periods ending with period. Three queries answer
// it, whatever the number of agreements: the survey tallies, and the
// complaints and redo visits grouped by agreement and period.
func (s *Service) Board(ctx context.Context, a policy.Actor, period string, n int) ([]AgreementBoard, error) {
	if err := policy.Allow(a, policy.SatisfactionRead, policy.Own); err != nil {
		return nil, err
	}
	ags, err := agreement.ListForOrg(ctx, s.DB, a.OrgID)
	if err != nil {
		return nil, err
	}
	return BoardFor(ctx, s.DB, ags, period, n, s.Now())
}

// BoardFor computes the boards of the agreements given (no authorization).
func BoardFor(ctx context.Context, q store.Queryer, ags []agreement.Agreement, period string, n int, now time.Time) ([]AgreementBoard, error) {
	periods := PreviousPeriods(period, n)
	if len(ags) == 0 || len(periods) == 0 {
		return []AgreementBoard{}, nil
	}
	ids := make([]int64, len(ags))
	for i, ag := range ags {
		ids[i] = ag.ID
	}
	first, last := periods[0], periods[len(periods)-1]
	type key struct {
		id     int64
		period string
	}
	tallies := map[key]*Tally{}
	var srows []struct {
		AgreementID int64  `db:"agreement_id"`
		Period      string `db:"period"`
		ScaleMax    int    `db:"scale_max"`
		Sent        int    `db:"sent"`
		Answers     int    `db:"answers"`
		Satisfied   int    `db:"satisfied"`
		ScoreSum    int64  `db:"score_sum"`
	}
	// The tallies kept as surveys are sent and answered: at most a few rows
	// per agreement and period, whatever the number of surveys.
	if err := store.SelectIn(ctx, q, &srows, `SELECT agreement_id, period, scale_max, sent, answers, satisfied, score_sum
		FROM survey_tallies WHERE agreement_id IN (?) AND period >= ? AND period <= ?`, ids, first, last); err != nil {
		return nil, err
	}
	for _, r := range srows {
		k := key{r.AgreementID, r.Period}
		t := tallies[k]
		if t == nil {
			t = &Tally{ScoreSums: map[int]int64{}}
			tallies[k] = t
		}
		t.Sent += r.Sent
		t.Answers += r.Answers
		t.Satisfied += r.Satisfied
		t.ScoreSums[r.ScaleMax] += r.ScoreSum
	}
	var crows []struct {
		AgreementID int64  `db:"agreement_id"`
		Period      string `db:"period"`
		Filed       int    `db:"filed"`
		OnTime      int    `db:"on_time"`
		Late        int    `db:"late"`
		Open        int    `db:"open"`
	}
	if err := store.SelectIn(ctx, q, &crows, `SELECT agreement_id, period, COUNT(*) AS filed,
		COALESCE(SUM(CASE WHEN closed_at IS NOT NULL AND closed_at <= close_due THEN 1 ELSE 0 END), 0) AS on_time,
		COALESCE(SUM(CASE WHEN (closed_at IS NULL AND close_due < ?) OR closed_at > close_due
			OR (first_answered_at IS NULL AND first_answer_due < ?) OR first_answered_at > first_answer_due THEN 1 ELSE 0 END), 0) AS late,
		COALESCE(SUM(CASE WHEN status <> 'closed' THEN 1 ELSE 0 END), 0) AS open
		FROM complaints WHERE kind = 'complaint' AND agreement_id IN (?) AND period >= ? AND period <= ? GROUP BY agreement_id, period`,
		now.UTC(), now.UTC(), ids, first, last); err != nil {
		return nil, err
	}
	complaints := map[key]PeriodRow{}
	for _, r := range crows {
		complaints[key{r.AgreementID, r.Period}] = PeriodRow{Complaints: r.Filed, OnTime: r.OnTime, Late: r.Late, Open: r.Open}
	}
	var rrows []struct {
		AgreementID int64  `db:"agreement_id"`
		Period      string `db:"period"`
		Redos       int    `db:"redos"`
	}
	if err := store.SelectIn(ctx, q, &rrows, `SELECT agreement_id, period, COUNT(*) AS redos FROM redo_visits
		WHERE agreement_id IN (?) AND period >= ? AND period <= ? GROUP BY agreement_id, period`, ids, first, last); err != nil {
		return nil, err
	}
	redos := map[key]int{}
	for _, r := range rrows {
		redos[key{r.AgreementID, r.Period}] = r.Redos
	}

	out := make([]AgreementBoard, 0, len(ags))
	for _, ag := range ags {
		versions, err := agreement.Versions(ctx, q, ag.ID)
		if err != nil {
			return nil, err
		}
		b := AgreementBoard{AgreementID: ag.ID, Number: ag.Number, VendorID: ag.VendorID, ProviderID: ag.ProviderID}
		for _, p := range periods {
			_, end, _ := ParsePeriod(p)
			at := end.Add(-time.Second)
			if now.Before(at) {
				at = now
			}
			terms := agreement.Terms{}
			if v, ok := agreement.TermsOn(versions, at); ok {
				terms = v.Terms
			} else if len(versions) > 0 {
				terms = versions[0].Terms
			}
			t := tallies[key{ag.ID, p}]
			if t == nil {
				t = &Tally{}
			}
			row := complaints[key{ag.ID, p}]
			row.Period, row.Redos = p, redos[key{ag.ID, p}]
			row.Figure = Compute(*t, terms.SurveyRules(), terms.SatisfactionPermille)
			row.Figure.AgreementID, row.Figure.Period = ag.ID, p
			b.Periods = append(b.Periods, row)
		}
		out = append(out, b)
	}
	return out, nil
}
