package satisfaction_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"aftersales/internal/app"
	"aftersales/internal/complaint"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/satisfaction"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

type world struct {
	*testutil.World
	// phone is the contact phone of the requests visit files.
	phone string
}

func newWorld(t *testing.T, db *store.DB) *world {
	t.Helper()
	w := testutil.NewWorld(t, db, app.Config{})
	w.App.Satisfaction.Register(w.App.Jobs)
	return &world{World: w}
}

// inWorld runs test in parallel on each engine, in a fresh world.
func inWorld(t *testing.T, test func(t *testing.T, ctx context.Context, w *world)) {
	t.Parallel()
	testutil.Engines(t, func(t *testing.T, db *store.DB) { test(t, context.Background(), newWorld(t, db)) })
}

// visit files a repair and works it to check-out, which seals its record.
func (w *world) visit(t *testing.T) (recordID, workOrderID int64) {
	wo := w.Visit(t, w.phone)
	return *wo.RecordID, wo.ID
}

// complainedVisit works a visit to check-out and has the customer complain
// about the repair, which puts the visit in the callback queue; it returns
// the visit's record and the visit, and the open queue as the auditor sees it.
func (w *world) complainedVisit(t *testing.T) (recordID, workOrderID int64, queue []satisfaction.Callback) {
	t.Helper()
	ctx := context.Background()
	recordID, workOrderID = w.visit(t)
	if _, err := w.App.Complaints.File(ctx, w.F.Users[policy.Customer].Actor(), complaint.NewComplaint{Category: "repair_quality", WorkOrderID: workOrderID,
		Description: "又坏了"}); err != nil {
		t.Fatal(err)
	}
	queue, err := w.App.Satisfaction.Callbacks(ctx, w.F.Users[policy.VendorAuditor].Actor(), satisfaction.CallbackOpen, 0)
	if err != nil || len(queue) == 0 {
		t.Fatalf("queue %v %v", queue, err)
	}
	return recordID, workOrderID, queue
}

// token reads the survey link the customer received in the app.
func (w *world) token(t *testing.T, surveyID int64) string {
	t.Helper()
	var links []string
	if err := store.Select(context.Background(), w.App.DB, &links, `SELECT link FROM notifications WHERE kind = 'survey.sent' AND user_id = ? ORDER BY id`,
		w.F.Users[policy.Customer].ID); err != nil {
		t.Fatal(err)
	}
	for _, l := range links {
		tok := strings.TrimPrefix(l, "/survey/")
		if sv, err := w.App.Satisfaction.Open(context.Background(), tok); err == nil && sv.ID == surveyID {
			return tok
		}
	}
	t.Fatalf("no link for survey %d among %d", surveyID, len(links))
	return ""
}

func TestSurveyIsSentAfterTheDelayAndAnsweredOnce(t *testing.T) {
	inWorld(t, func(t *testing.T, ctx context.Context, w *world) {
		recordID, workOrderID := w.visit(t)

		// Queued at sealing for two hours later; nothing is sent before.
		w.RunJobs(t)
		if n := testutil.Count(t, w.App.DB, `SELECT COUNT(*) FROM surveys`); n != 0 {
			t.Fatalf("%d surveys before the delay", n)
		}
		w.Clock.Advance(2*time.Hour + time.Second)
		w.RunJobs(t)
		var sv satisfaction.Survey
		list, err := w.App.Satisfaction.Surveys(ctx, w.F.Users[policy.VendorAuditor].Actor(), satisfaction.SurveyFilter{})
		if err != nil || len(list) != 1 {
			t.Fatalf("surveys %v %v", list, err)
		}
		sv = list[0]
		if sv.RecordID != recordID || sv.WorkOrderID != workOrderID || sv.ScaleMax != 5 || sv.SatisfiedFrom != 4 || sv.Locale != "en" || len(sv.Questions()) != 3 {
			t.Fatalf("survey %+v", sv)
		}
		// Another organization does not see it.
		if _, err := w.App.Satisfaction.GetSurvey(ctx, w.F.OtherAdmin.Actor(), sv.ID); !problem.Is(err, problem.NotFound) {
			t.Fatalf("other vendor: %v", err)
		}
		tok := w.token(t, sv.ID)

		// Forged, out of scale, unknown question, a complaint without words: refused, nothing saved.
		if _, err := w.App.Satisfaction.Answer(ctx, tok[:len(tok)-2]+"xx", satisfaction.Answer{Score: 5}); !problem.Is(err, problem.NotFound) {
			t.Fatalf("forged: %v", err)
		}
		for _, bad := range []satisfaction.Answer{{Score: 6}, {Score: 0}, {Score: 4, Answers: map[string]int{"price": 3}},
			{Score: 4, Answers: map[string]int{"attitude": 9}}, {Score: 2, Complaint: &satisfaction.ComplaintFromSurvey{Category: "attitude"}},
			{Score: 2, Complaint: &satisfaction.ComplaintFromSurvey{Category: "weather", Description: "x"}}} {
			if _, err := w.App.Satisfaction.Answer(ctx, tok, bad); !problem.Is(err, problem.Invalid) {
				t.Fatalf("%+v: %v", bad, err)
			}
		}
		if n := testutil.Count(t, w.App.DB, `SELECT COUNT(*) FROM surveys WHERE answered_at IS NOT NULL`) + testutil.Count(t, w.App.DB, `SELECT COUNT(*) FROM complaints`); n != 0 {
			t.Fatalf("half saved: %d", n)
		}

		// A low score with "I want to complain": both saved, linked to the visit.
		got, err := w.App.Satisfaction.Answer(ctx, tok, satisfaction.Answer{Score: 2, Answers: map[string]int{"attitude": 1}, Comment: "来晚了",
			Complaint: &satisfaction.ComplaintFromSurvey{Category: "slow_response", Description: "等了三天"}})
		if err != nil || got.ComplaintID == 0 || got.Survey.Satisfied {
			t.Fatalf("answer %+v %v", got, err)
		}
		c, err := complaint.Get(ctx, w.App.DB, got.ComplaintID)
		if err != nil || c.WorkOrderID == nil || *c.WorkOrderID != workOrderID || c.Channel != "survey" || c.CustomerOrgID != w.F.Customer.ID || len(c.Clocks(w.Clock.Now())) != 2 {
			t.Fatalf("complaint %+v %v", c, err)
		}
		// The low score and the complaint are both in the vendor's callback queue.
		if n := testutil.Count(t, w.App.DB, `SELECT COUNT(*) FROM callbacks WHERE record_id = ? AND reason IN ('low_score', 'complaint')`, recordID); n != 2 {
			t.Fatalf("%d callbacks", n)
		}
		// Replayed: refused.
		if _, err := w.App.Satisfaction.Answer(ctx, tok, satisfaction.Answer{Score: 5}); !problem.Is(err, problem.Conflict) {
			t.Fatalf("second answer: %v", err)
		}

		// The tallies the dashboard reads agree with a count of the rows.
		boards, err := w.App.Satisfaction.Board(ctx, w.F.Users[policy.VendorAuditor].Actor(), "2026-11", 1)
		if err != nil || len(boards) != 1 {
			t.Fatalf("board %v %v", boards, err)
		}
		fromRows, err := satisfaction.PeriodFigure(ctx, w.App.DB, w.SF.AgreementID, "2026-11", w.Clock.Now())
		if got := boards[0].Current().Figure; err != nil || got != fromRows || got.Sent != 1 || got.Answers != 1 || got.Satisfied != 0 {
			t.Fatalf("board %+v, rows %+v (%v)", got, fromRows, err)
		}

		// A survey not answered in its days expires.
		w.visit(t)
		w.Clock.Advance(2*time.Hour + time.Second)
		w.RunJobs(t)
		list, _ = w.App.Satisfaction.Surveys(ctx, w.F.Users[policy.Dispatcher].Actor(), satisfaction.SurveyFilter{})
		if len(list) != 2 {
			t.Fatalf("%d surveys", len(list))
		}
		tok2 := w.token(t, list[0].ID)
		w.Clock.Advance(7*24*time.Hour + time.Second)
		if _, err := w.App.Satisfaction.Answer(ctx, tok2, satisfaction.Answer{Score: 5}); !problem.Is(err, problem.Conflict) || !strings.Contains(err.Error(), "expired") {
			t.Fatalf("expired: %v", err)
		}
	})
}
