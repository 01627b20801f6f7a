package staff_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"aftersales/internal/policy"
	"aftersales/internal/staff"
	"aftersales/internal/testutil"
)

// A technician is assessed for a period once it has begun (this month, this
// quarter, this year), never for one still to come, which nothing of the
// technician's work can yet be judged by; a refusal saves nothing.
func TestAssessmentPeriodHasBegun(t *testing.T) {
	inWorld(t, func(t *testing.T, ctx context.Context, w world) {
		admin := w.actor(policy.ProviderAdmin)
		today := time.Now().In(time.FixedZone("CST", 8*3600))
		next := today.Year() + 1
		for _, p := range []string{fmt.Sprint(next), fmt.Sprintf("%d-01", next), fmt.Sprintf("%d-Q1", next)} {
			_, err := w.a.Staff.AddAssessment(ctx, admin, w.tech, staff.Assessment{Period: p, Score: 80, Assessor: "李经理"})
			wantFields(t, err, "period")
		}
		if n := testutil.SelectOne[int](t, w.db, `SELECT COUNT(*) FROM assessments`); n != 0 {
			t.Fatalf("%d assessments of periods to come saved", n)
		}
		for _, p := range []string{today.Format("2006-01"), fmt.Sprintf("%d-Q%d", today.Year(), (int(today.Month())+2)/3), fmt.Sprint(today.Year())} {
			if _, err := w.a.Staff.AddAssessment(ctx, admin, w.tech, staff.Assessment{Period: p, Score: 80, Assessor: "李经理"}); err != nil {
				t.Errorf("%s, under way: %v", p, err)
			}
		}
	})
}
