package satisfaction_test

import (
	"context"
	"testing"
	"time"

	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/satisfaction"
	"aftersales/internal/testutil"
)

// The QR code printed on the service receipt opens the visit's survey, even
// before its delay (the survey is sent then, once), and takes one answer; it
// is made only for a party of the record, and only its hash is stored.
func TestReceiptLinkOpensTheSurvey(t *testing.T) {
	inWorld(t, func(t *testing.T, ctx context.Context, w *world) {
		recordID, _ := w.visit(t)
		if _, _, err := w.App.Satisfaction.ReceiptLink(ctx, w.F.OtherAdmin.Actor(), recordID); !problem.Is(err, problem.NotFound) {
			t.Fatalf("another vendor prints it: %v", err)
		}
		ok, err := w.App.Satisfaction.Surveyed(ctx, w.F.Users[policy.Dispatcher].Actor(), recordID)
		if err != nil || !ok {
			t.Fatalf("surveyed %v %v", ok, err)
		}
		tok, ok, err := w.App.Satisfaction.ReceiptLink(ctx, w.F.Users[policy.Dispatcher].Actor(), recordID)
		if err != nil || !ok || !satisfaction.WellFormed(tok) {
			t.Fatalf("receipt link %q %v %v", tok, ok, err)
		}
		if n := testutil.Count(t, w.App.DB, `SELECT COUNT(*) FROM survey_receipts WHERE token_hash = ?`, satisfaction.TokenHash(tok)); n != 1 {
			t.Fatal("the receipt's token is not stored as its hash")
		}
		if n := testutil.Count(t, w.App.DB, `SELECT COUNT(*) FROM survey_receipts WHERE token_hash = ?`, tok); n != 0 {
			t.Fatal("the receipt's token is stored in clear")
		}
		// Opened on site, before the delay: the survey is sent now.
		sv, err := w.App.Satisfaction.Open(ctx, tok)
		if err != nil || sv.RecordID != recordID || sv.State(w.Clock.Now()) != "sent" {
			t.Fatalf("open %+v %v", sv, err)
		}
		if _, err := w.App.Satisfaction.Open(ctx, tok); err != nil {
			t.Fatal(err)
		}
		if _, err := w.App.Satisfaction.Answer(ctx, tok, satisfaction.Answer{Score: 5}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.App.Satisfaction.Answer(ctx, tok, satisfaction.Answer{Score: 4}); !problem.Is(err, problem.Conflict) {
			t.Fatalf("second answer: %v", err)
		}
		// The delayed job finds it sent: one survey, answered.
		w.Clock.Advance(2*time.Hour + time.Second)
		w.RunJobs(t)
		if n := testutil.Count(t, w.App.DB, `SELECT COUNT(*) FROM surveys WHERE record_id = ? AND answered_at IS NOT NULL`, recordID); n != 1 ||
			testutil.Count(t, w.App.DB, `SELECT COUNT(*) FROM surveys`) != 1 {
			t.Fatal("the job sent a second survey")
		}
		forged, _, _ := satisfaction.NewToken()
		if _, err := w.App.Satisfaction.Open(ctx, forged); !problem.Is(err, problem.NotFound) {
			t.Fatalf("forged: %v", err)
		}
	})
}
