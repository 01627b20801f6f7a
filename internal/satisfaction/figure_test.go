package satisfaction_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"pgregory.net/rapid"

	"aftersales/internal/agreement"
	"aftersales/internal/calendar"
	"aftersales/internal/policy"
	"aftersales/internal/satisfaction"
	"aftersales/internal/store"
)

// The figure of a period, from the service, equals a count made directly
// from the survey rows, on both engines and by both formulas.
func TestFigureMatchesACountFromTheRows(t *testing.T) {
	inWorld(t, func(t *testing.T, ctx context.Context, w *world) {
		rng := rand.New(rand.NewPCG(7, uint64(len(w.App.DB.Engine))))
		now := w.Clock.Now()
		for i := range 300 {
			period := []string{"2026-09", "2026-10"}[i%2]
			var answered *time.Time
			var score *int
			if rng.IntN(10) < 7 {
				s := 1 + rng.IntN(5)
				answered, score = &now, &s
			}
			if _, err := store.Exec(ctx, w.App.DB, `INSERT INTO surveys (record_id, work_order_id, request_id, agreement_id, vendor_id, provider_id,
				customer_org_id, period, sealed_at, sent_at, expires_at, token_hash, locale, scale_min, scale_max, satisfied_from, questions_json,
				answered_at, score, satisfied) VALUES (?, 0, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'zh-CN', 1, 5, 4, '[]', ?, ?, ?)`,
				1000+i, w.SF.AgreementID, w.F.Vendor.ID, w.F.Provider.ID, w.F.Customer.ID, period, now, now, now, fmt.Sprint(i),
				answered, score, score != nil && *score >= 4); err != nil {
				t.Fatal(err)
			}
		}
		auditor := w.F.Users[policy.VendorAuditor].Actor()
		for _, period := range []string{"2026-09", "2026-10", "2026-08"} {
			f, err := w.App.Satisfaction.Figure(ctx, auditor, w.SF.AgreementID, period)
			if err != nil {
				t.Fatal(err)
			}
			var scores []*int
			var rows []struct {
				Score *int `db:"score"`
			}
			if err := store.Select(ctx, w.App.DB, &rows, `SELECT score FROM surveys WHERE agreement_id = ? AND period = ?`, w.SF.AgreementID, period); err != nil {
				t.Fatal(err)
			}
			for _, r := range rows {
				scores = append(scores, r.Score)
			}
			sent, answers, satisfied := len(scores), 0, 0
			for _, s := range scores {
				if s != nil {
					answers++
					if *s >= 4 {
						satisfied++
					}
				}
			}
			if f.Sent != sent || f.Answers != answers || f.Satisfied != satisfied {
				t.Fatalf("%s: %+v, rows say sent %d answers %d satisfied %d", period, f, sent, answers, satisfied)
			}
			if sent > 0 && (f.ResponseRatePermille != answers*1000/sent || f.ScorePermille != satisfied*1000/answers) {
				t.Fatalf("%s: rates %+v", period, f)
			}
			wantBelow := answers >= 5 && satisfied*1000 < 900*answers
			if f.Judged != (answers >= 5) || f.BelowThreshold != wantBelow || f.ThresholdPermille != 900 {
				t.Fatalf("%s: judged %+v", period, f)
			}
		}
		// The settlement's breach rules read the same figure for the whole
		// month, and none for a period that is not one.
		sep, err := w.App.Satisfaction.Figure(ctx, auditor, w.SF.AgreementID, "2026-09")
		if err != nil || !sep.Judged {
			t.Fatalf("2026-09: %+v %v", sep, err)
		}
		id := fmt.Sprint(w.SF.AgreementID)
		fig, ok, err := w.App.Satisfaction.PeriodSatisfaction(ctx, id, calendar.NewDate(2026, 9, 1), calendar.NewDate(2026, 9, 30))
		if err != nil || !ok || fig.Permille != sep.ScorePermille || fig.Responses != sep.Answers {
			t.Fatalf("breach figure for 2026-09: %+v %v %v, want %+v", fig, ok, err, sep)
		}
		if _, ok, err := w.App.Satisfaction.PeriodSatisfaction(ctx, id, calendar.NewDate(2026, 9, 1), calendar.NewDate(2026, 9, 15)); ok || err != nil {
			t.Fatalf("half a month has a figure: %v %v", ok, err)
		}
		if _, ok, err := w.App.Satisfaction.PeriodSatisfaction(ctx, id, calendar.NewDate(2026, 8, 1), calendar.NewDate(2026, 8, 31)); ok || err != nil {
			t.Fatalf("a month without answers has a figure: %v %v", ok, err)
		}
		// Another vendor's admin is told the agreement does not exist.
		if _, err := w.App.Satisfaction.Figure(ctx, w.F.OtherAdmin.Actor(), w.SF.AgreementID, "2026-09"); err == nil {
			t.Fatal("other vendor read the figure")
		}
		if _, err := w.App.Satisfaction.Figure(ctx, auditor, w.SF.AgreementID, "2026-13"); err == nil {
			t.Fatal("bad period accepted")
		}
	})
}

func TestComputeAgreesWithTheDefinitions(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		rules := agreement.DefaultSurveyTerms()
		rules.Formula = rapid.SampledFrom([]string{agreement.FormulaShareSatisfied, agreement.FormulaMean}).Draw(t, "formula")
		rules.MinAnswers = rapid.IntRange(0, 10).Draw(t, "min")
		threshold := rapid.IntRange(0, 1000).Draw(t, "threshold")
		scores := rapid.SliceOf(rapid.IntRange(1, 5)).Draw(t, "scores")
		unanswered := rapid.IntRange(0, 20).Draw(t, "unanswered")
		tally := satisfaction.Tally{Sent: len(scores) + unanswered, Answers: len(scores), ScoreSums: map[int]int64{}}
		sum := 0
		for _, s := range scores {
			sum += s
			if s >= 4 {
				tally.Satisfied++
			}
		}
		tally.ScoreSums[5] = int64(sum)
		f := satisfaction.Compute(tally, rules, threshold)
		if len(scores) == 0 {
			if f.Judged || f.BelowThreshold || f.ScorePermille != 0 {
				t.Fatalf("no answers judged: %+v", f)
			}
			return
		}
		// The exact score as a fraction num/den of one.
		num, den := tally.Satisfied, len(scores)
		if rules.Formula == agreement.FormulaMean {
			num, den = sum, 5*len(scores)
		}
		if f.ScorePermille != num*1000/den {
			t.Fatalf("score %d, want %d", f.ScorePermille, num*1000/den)
		}
		if f.ScorePermille < 0 || f.ScorePermille > 1000 || f.ResponseRatePermille > 1000 {
			t.Fatalf("out of range %+v", f)
		}
		judged := len(scores) >= rules.MinAnswers
		if f.Judged != judged || f.BelowThreshold != (judged && num*1000 < threshold*den) {
			t.Fatalf("judgement %+v", f)
		}
		// Below the threshold never while the shown score reaches it.
		if f.BelowThreshold && f.ScorePermille >= threshold && num*1000 >= threshold*den {
			t.Fatalf("inconsistent %+v", f)
		}
	})
}

func TestSamplingTakesTheShare(t *testing.T) {
	t.Parallel()
	for _, share := range []int{0, 100, 500, 1000} {
		n := 0
		for id := range int64(20000) {
			if satisfaction.Sampled("survey", id, share) {
				n++
			}
			if satisfaction.Sampled("survey", id, share) != satisfaction.Sampled("survey", id, share) {
				t.Fatal("not deterministic")
			}
		}
		if got := n * 1000 / 20000; got < share-15 || got > share+15 {
			t.Fatalf("share %d: took %d‰", share, got)
		}
	}
}
