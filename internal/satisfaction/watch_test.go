package satisfaction_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"aftersales/internal/policy"
	"aftersales/internal/store"
)

// A period below the threshold is told to the vendor's admins and auditors
// and the provider's admins once its surveys can no longer be answered, and
// only once; a period with too few answers to judge is not.
func TestPeriodBelowThresholdIsToldToBothPartiesOnce(t *testing.T) {
	inWorld(t, func(t *testing.T, ctx context.Context, w *world) {
		now := w.Clock.Now()
		add := func(period string, scores ...int) {
			for i, s := range scores {
				if _, err := store.Exec(ctx, w.App.DB, `INSERT INTO surveys (record_id, work_order_id, request_id, agreement_id, vendor_id, provider_id,
					customer_org_id, period, sealed_at, sent_at, expires_at, token_hash, locale, scale_min, scale_max, satisfied_from, questions_json,
					answered_at, score, satisfied) VALUES (?, 0, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'zh-CN', 1, 5, 4, '[]', ?, ?, ?)`,
					len(period)*1000+i+int(period[6]-'0')*100, w.SF.AgreementID, w.F.Vendor.ID, w.F.Provider.ID, w.F.Customer.ID, period, now, now, now,
					period+fmt.Sprint(i), now, s, s >= 4); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := store.Exec(ctx, w.App.DB, `INSERT INTO survey_tallies (agreement_id, period, scale_max, sent) VALUES (?, ?, 5, ?)`,
				w.SF.AgreementID, period, len(scores)); err != nil {
				t.Fatal(err)
			}
		}
		add("2026-10", 5, 5, 4, 2, 1, 3) // 3 of 6 satisfied: 50 % against 90 %
		add("2026-09", 1, 1, 1)          // too few answers to judge
		told := func() map[int64]int {
			var rows []struct {
				User int64 `db:"user_id"`
				N    int   `db:"n"`
			}
			if err := store.Select(ctx, w.App.DB, &rows, `SELECT user_id, COUNT(*) AS n FROM notifications WHERE kind = 'satisfaction.below_threshold' GROUP BY user_id`); err != nil {
				t.Fatal(err)
			}
			out := map[int64]int{}
			for _, r := range rows {
				out[r.User] = r.N
			}
			return out
		}

		// 3 November: October's last surveys can still be answered.
		if n, err := w.App.Satisfaction.WatchThresholds(ctx, time.Date(2026, 11, 3, 2, 0, 0, 0, time.UTC)); err != nil || n != 0 {
			t.Fatalf("before October settled: %d %v", n, err)
		}
		if n, err := w.App.Satisfaction.WatchThresholds(ctx, now); err != nil || n != 1 {
			t.Fatalf("after October settled: %d %v", n, err)
		}
		if n, err := w.App.Satisfaction.WatchThresholds(ctx, now.Add(time.Hour)); err != nil || n != 0 {
			t.Fatalf("told twice: %d %v", n, err)
		}
		got := told()
		for _, r := range []policy.Role{policy.VendorAdmin, policy.VendorAuditor, policy.ProviderAdmin} {
			if got[w.F.Users[r].ID] != 1 {
				t.Errorf("%s told %d times", r, got[w.F.Users[r].ID])
			}
		}
		if got[w.F.Users[policy.Dispatcher].ID] != 0 || got[w.F.Users[policy.Customer].ID] != 0 || len(got) != 3 {
			t.Errorf("told %v", got)
		}
		var title, link string
		if err := store.Get(ctx, w.App.DB, &title, `SELECT title || ' ' || body FROM notifications WHERE kind = 'satisfaction.below_threshold' AND user_id = ?`,
			w.F.Users[policy.ProviderAdmin].ID); err != nil {
			t.Fatal(err)
		}
		if err := store.Get(ctx, w.App.DB, &link, `SELECT link FROM notifications WHERE kind = 'satisfaction.below_threshold' AND user_id = ?`,
			w.F.Users[policy.ProviderAdmin].ID); err != nil || link != "/satisfaction?period=2026-10" {
			t.Fatalf("link %q %v", link, err)
		}
		if !strings.Contains(title, "FIX-1") || !strings.Contains(title, "50.0%") || !strings.Contains(title, "90.0%") {
			t.Errorf("notice %q", title)
		}
	})
}
