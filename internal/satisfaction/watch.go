package satisfaction

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/account"
	"aftersales/internal/agreement"
	"aftersales/internal/notify"
	"aftersales/internal/policy"
	"aftersales/internal/store"
)

// ThresholdJob is the periodic job that tells both parties of a period
// below the agreement's satisfaction threshold.
const ThresholdJob = "satisfaction.thresholds"

// Settled is when a period's figure stops changing: the last survey of a
// visit sealed in it is sent after the delay and can be answered for the
// expiry days.
func Settled(period string, rules agreement.SurveyTerms) time.Time {
	_, end, err := ParsePeriod(period)
	if err != nil {
		return time.Time{}
	}
	return end.Add(time.Duration(rules.DelayMinutes)*time.Minute).AddDate(0, 0, rules.ExpiryDays)
}

// WatchThresholds looks at the periods settled by now (the last two months,
// so that a period is judged once its surveys can no longer be answered,
// whatever the expiry days) and tells the vendor's admins and auditors and
// the provider's admins of each agreement whose judged figure is below its
// threshold, once per agreement and period. It returns how many periods it
// told of.
func (s *Service) WatchThresholds(ctx context.Context, now time.Time) (int, error) {
	told := 0
	current := PeriodOf(now)
	for _, period := range PreviousPeriods(current, 3)[:2] {
		var ids []int64
		if err := store.Select(ctx, s.DB, &ids, `SELECT DISTINCT agreement_id FROM survey_tallies WHERE period = ? ORDER BY agreement_id`, period); err != nil {
			return told, err
		}
		for _, id := range ids {
			n, err := s.tellBelow(ctx, id, period, now)
			if err != nil {
				return told, err
			}
			told += n
		}
	}
	return told, nil
}

func (s *Service) tellBelow(ctx context.Context, agreementID int64, period string, now time.Time) (int, error) {
	told := 0
	err := s.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		_, end, _ := ParsePeriod(period)
		v, err := agreement.TermsAt(ctx, tx, agreementID, end.Add(-time.Second))
		if err != nil {
			return err
		}
		if now.Before(Settled(period, v.Terms.SurveyRules())) {
			return nil
		}
		f, err := PeriodFigure(ctx, tx, agreementID, period, now)
		if err != nil || !f.BelowThreshold {
			return err
		}
		ag, err := agreement.Get(ctx, tx, agreementID)
		if err != nil {
			return err
		}
		vendorIDs, err := account.ActiveUserIDs(ctx, tx, ag.VendorID, policy.VendorAdmin, policy.VendorAuditor)
		if err != nil {
			return err
		}
		providerIDs, err := account.ActiveUserIDs(ctx, tx, ag.ProviderID, policy.ProviderAdmin)
		if err != nil {
			return err
		}
		if s.Notify == nil {
			return nil
		}
		p, err := s.Notify.Publish(ctx, tx, now, notify.Event{Kind: "satisfaction.below_threshold",
			OrgIDs: []int64{ag.VendorID, ag.ProviderID}, UserIDs: append(vendorIDs, providerIDs...),
			Link:      fmt.Sprintf("/satisfaction?period=%s", period),
			DedupeKey: fmt.Sprintf("satisfaction.below_threshold:%d:%s", agreementID, period),
			Subject:   notify.Msg("notify.satisfaction.below.subject", "Agreement", ag.Number, "Period", period),
			Body: notify.Msg("notify.satisfaction.below.body", "Score", permille(f.ScorePermille), "Threshold", permille(f.ThresholdPermille),
				"Answers", f.Answers, "Sent", f.Sent),
			Data: map[string]any{"agreement_id": agreementID, "period": period, "score_permille": f.ScorePermille,
				"threshold_permille": f.ThresholdPermille, "answers": f.Answers, "sent": f.Sent}})
		if err == nil && !p.Duplicate {
			told = 1
		}
		return err
	})
	return told, err
}

// permille shows tenths of a percent as a percent with one decimal.
func permille(p int) string { return fmt.Sprintf("%d.%d%%", p/10, p%10) }
