package satisfaction_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"aftersales/internal/app"
	"aftersales/internal/complaint"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/satisfaction"
	"aftersales/internal/servicerequest"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
	"aftersales/internal/workorder"
)

type world struct {
	a     *app.App
	f     *testutil.Fixture
	clock *testutil.Clock
	sf    testutil.ServiceFixture
	// phone is the contact phone of the requests visit files.
	phone string
}

func newWorld(t *testing.T, db *store.DB) *world {
	t.Helper()
	c := &testutil.Clock{}
	c.Set(time.Date(2026, 11, 24, 2, 0, 0, 0, time.UTC)) // Tuesday 10:00 in Shanghai
	a, err := app.New(db, app.Config{}, c.Now)
	if err != nil {
		t.Fatal(err)
	}
	a.Satisfaction.Register(a.Jobs)
	f := testutil.Seed(t, db)
	return &world{a: a, f: f, clock: c, sf: testutil.SeedService(t, db, f)}
}

var png = append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0}, 64)...)

// visit files a repair and works it to check-out, which seals its record.
func (w *world) visit(t *testing.T) (recordID, workOrderID int64) {
	t.Helper()
	ctx := context.Background()
	rs := w.a.Requests
	v, err := rs.Create(ctx, w.f.Users[policy.Customer].Actor(), servicerequest.NewRequest{SerialNumber: w.sf.Serial, ServiceItem: "repair",
		Priority: "general", Description: "主轴异响", ContactName: "刘经理", ContactPhone: w.phone})
	if err != nil {
		t.Fatal(err)
	}
	now := w.clock.Now()
	wo, err := w.a.WorkOrders.Book(ctx, w.f.Users[policy.Dispatcher].Actor(), workorder.ForRequest(v.ID), workorder.Assignment{TechnicianID: w.f.Users[policy.Technician].ID,
		WindowStart: now, WindowEnd: now.Add(2 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	tech := w.f.Users[policy.Technician].Actor()
	for _, st := range []workorder.Step{{Kind: "check_in"}, {Kind: "record", ActionsTaken: "换轴承"},
		{Kind: "sign_off", SignoffName: "刘", SignaturePNG: png}, {Kind: "check_out", Result: "fixed"}} {
		if wo, err = w.a.WorkOrders.Step(ctx, tech, wo.ID, st, wo.Version); err != nil {
			t.Fatalf("%s: %v", st.Kind, err)
		}
	}
	return *wo.RecordID, wo.ID
}

func (w *world) runJobs(t *testing.T) {
	t.Helper()
	for {
		ran, err := w.a.Jobs.RunOne(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if !ran {
			return
		}
	}
}

// token reads the survey link the customer received in the app.
func (w *world) token(t *testing.T, surveyID int64) string {
	t.Helper()
	var links []string
	if err := store.Select(context.Background(), w.a.DB, &links, `SELECT link FROM notifications WHERE kind = 'survey.sent' AND user_id = ? ORDER BY id`,
		w.f.Users[policy.Customer].ID); err != nil {
		t.Fatal(err)
	}
	for _, l := range links {
		tok := strings.TrimPrefix(l, "/survey/")
		if sv, err := w.a.Satisfaction.Open(context.Background(), tok); err == nil && sv.ID == surveyID {
			return tok
		}
	}
	t.Fatalf("no link for survey %d among %d", surveyID, len(links))
	return ""
}

func count(t *testing.T, db *store.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := store.Get(context.Background(), db, &n, query, args...); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestSurveyIsSentAfterTheDelayAndAnsweredOnce(t *testing.T) {
	t.Parallel()
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		recordID, workOrderID := w.visit(t)

		// Queued at sealing for two hours later; nothing is sent before.
		w.runJobs(t)
		if n := count(t, db, `SELECT COUNT(*) FROM surveys`); n != 0 {
			t.Fatalf("%d surveys before the delay", n)
		}
		w.clock.Advance(2*time.Hour + time.Second)
		w.runJobs(t)
		var sv satisfaction.Survey
		list, err := w.a.Satisfaction.Surveys(ctx, w.f.Users[policy.VendorAuditor].Actor(), satisfaction.SurveyFilter{})
		if err != nil || len(list) != 1 {
			t.Fatalf("surveys %v %v", list, err)
		}
		sv = list[0]
		if sv.RecordID != recordID || sv.WorkOrderID != workOrderID || sv.ScaleMax != 5 || sv.SatisfiedFrom != 4 || sv.Locale != "en" || len(sv.Questions()) != 3 {
			t.Fatalf("survey %+v", sv)
		}
		// Another organization does not see it.
		if _, err := w.a.Satisfaction.GetSurvey(ctx, w.f.OtherAdmin.Actor(), sv.ID); !problem.Is(err, problem.NotFound) {
			t.Fatalf("other vendor: %v", err)
		}
		tok := w.token(t, sv.ID)

		// Forged, out of scale, unknown question, a complaint without words: refused, nothing saved.
		if _, err := w.a.Satisfaction.Answer(ctx, tok[:len(tok)-2]+"xx", satisfaction.Answer{Score: 5}); !problem.Is(err, problem.NotFound) {
			t.Fatalf("forged: %v", err)
		}
		for _, bad := range []satisfaction.Answer{{Score: 6}, {Score: 0}, {Score: 4, Answers: map[string]int{"price": 3}},
			{Score: 4, Answers: map[string]int{"attitude": 9}}, {Score: 2, Complaint: &satisfaction.ComplaintFromSurvey{Category: "attitude"}},
			{Score: 2, Complaint: &satisfaction.ComplaintFromSurvey{Category: "weather", Description: "x"}}} {
			if _, err := w.a.Satisfaction.Answer(ctx, tok, bad); !problem.Is(err, problem.Invalid) {
				t.Fatalf("%+v: %v", bad, err)
			}
		}
		if n := count(t, db, `SELECT COUNT(*) FROM surveys WHERE answered_at IS NOT NULL`) + count(t, db, `SELECT COUNT(*) FROM complaints`); n != 0 {
			t.Fatalf("half saved: %d", n)
		}

		// A low score with "I want to complain": both saved, linked to the visit.
		got, err := w.a.Satisfaction.Answer(ctx, tok, satisfaction.Answer{Score: 2, Answers: map[string]int{"attitude": 1}, Comment: "来晚了",
			Complaint: &satisfaction.ComplaintFromSurvey{Category: "slow_response", Description: "等了三天"}})
		if err != nil || got.ComplaintID == 0 || got.Survey.Satisfied {
			t.Fatalf("answer %+v %v", got, err)
		}
		c, err := complaint.Get(ctx, db, got.ComplaintID)
		if err != nil || c.WorkOrderID == nil || *c.WorkOrderID != workOrderID || c.Channel != "survey" || c.CustomerOrgID != w.f.Customer.ID || len(c.Clocks(w.clock.Now())) != 2 {
			t.Fatalf("complaint %+v %v", c, err)
		}
		// The low score and the complaint are both in the vendor's callback queue.
		if n := count(t, db, `SELECT COUNT(*) FROM callbacks WHERE record_id = ? AND reason IN ('low_score', 'complaint')`, recordID); n != 2 {
			t.Fatalf("%d callbacks", n)
		}
		// Replayed: refused.
		if _, err := w.a.Satisfaction.Answer(ctx, tok, satisfaction.Answer{Score: 5}); !problem.Is(err, problem.Conflict) {
			t.Fatalf("second answer: %v", err)
		}

		// The tallies the dashboard reads agree with a count of the rows.
		boards, err := w.a.Satisfaction.Board(ctx, w.f.Users[policy.VendorAuditor].Actor(), "2026-11", 1)
		if err != nil || len(boards) != 1 {
			t.Fatalf("board %v %v", boards, err)
		}
		fromRows, err := satisfaction.PeriodFigure(ctx, db, w.sf.AgreementID, "2026-11", w.clock.Now())
		if got := boards[0].Current().Figure; err != nil || got != fromRows || got.Sent != 1 || got.Answers != 1 || got.Satisfied != 0 {
			t.Fatalf("board %+v, rows %+v (%v)", got, fromRows, err)
		}

		// A survey not answered in its days expires.
		w.visit(t)
		w.clock.Advance(2*time.Hour + time.Second)
		w.runJobs(t)
		list, _ = w.a.Satisfaction.Surveys(ctx, w.f.Users[policy.Dispatcher].Actor(), satisfaction.SurveyFilter{})
		if len(list) != 2 {
			t.Fatalf("%d surveys", len(list))
		}
		tok2 := w.token(t, list[0].ID)
		w.clock.Advance(7*24*time.Hour + time.Second)
		if _, err := w.a.Satisfaction.Answer(ctx, tok2, satisfaction.Answer{Score: 5}); !problem.Is(err, problem.Conflict) || !strings.Contains(err.Error(), "expired") {
			t.Fatalf("expired: %v", err)
		}
	})
}
