package satisfaction_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"aftersales/internal/app"
	"aftersales/internal/complaint"
	"aftersales/internal/notify"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/satisfaction"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

const smsSecret = "satisfaction-test-gateway-secret"

// smsGateway is an SMS gateway on a local port that keeps what it was sent
// and checks each request's signature.
type smsGateway struct {
	*httptest.Server
	mu   sync.Mutex
	sent []notify.SMSRequest
	bad  int
}

func newSMSGateway(t *testing.T) *smsGateway {
	g := &smsGateway{}
	g.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		g.mu.Lock()
		defer g.mu.Unlock()
		h := r.Header.Get(notify.SignatureHeader)
		// The sender's clock is the test's: check the HMAC, not the age.
		if notify.VerifySignature(smsSecret, h, raw, time.Date(2026, 11, 24, 2, 0, 0, 0, time.UTC), 30*24*time.Hour) != nil {
			g.bad++
		}
		var m notify.SMSRequest
		_ = json.Unmarshal(raw, &m)
		g.sent = append(g.sent, m)
		_, _ = io.WriteString(w, `{"id":"gw"}`)
	}))
	t.Cleanup(g.Close)
	return g
}

func (g *smsGateway) messages() []notify.SMSRequest {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]notify.SMSRequest(nil), g.sent...)
}

// The survey link goes by text message to the request's contact mobile,
// opens the survey, and the complaint filed from it is acknowledged by text
// with the request's number and the first answer's due time; a landline
// gets no text.
func TestSurveyLinkAndComplaintAcknowledgementBySMS(t *testing.T) {
	t.Parallel()
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		g := newSMSGateway(t)
		w := &world{World: testutil.NewWorld(t, db, app.Config{PublicURL: "https://svc.example", SMS: notify.SMSConfig{URL: g.URL, Secret: smsSecret}}),
			phone: "138 1234 5678"}
		a, f := w.App, w.F
		a.Satisfaction.Register(a.Jobs)
		a.Delivery.Register(a.Jobs)
		_, wo := w.visit(t)
		w.Clock.Advance(2*time.Hour + time.Second)
		w.RunJobs(t)

		msgs := g.messages()
		if len(msgs) != 1 || g.bad != 0 {
			t.Fatalf("gateway got %d messages (%d badly signed)", len(msgs), g.bad)
		}
		var number string
		if err := store.Get(ctx, db, &number, `SELECT number FROM service_requests WHERE id = (SELECT request_id FROM work_orders WHERE id = ?)`, wo); err != nil {
			t.Fatal(err)
		}
		m := msgs[0]
		// The fixture's customer reads English.
		prefix := "Your service request " + number + " is done. Please rate the visit (the link stays open 7 days): https://svc.example/survey/"
		if m.To != "+8613812345678" || !strings.HasPrefix(m.Text, prefix) {
			t.Fatalf("survey text %+v", m)
		}
		tok := strings.TrimPrefix(m.Text, prefix)
		sv, err := a.Satisfaction.Open(ctx, tok)
		if err != nil {
			t.Fatalf("the texted link does not open the survey: %v", err)
		}
		ms, err := notify.SMSMessagesAbout(ctx, db, satisfaction.SurveySMSRef(sv.ID))
		if err != nil || len(ms) != 1 || ms[0].State != notify.SMSSent {
			t.Fatalf("survey message %+v %v", ms, err)
		}

		ans, err := a.Satisfaction.Answer(ctx, tok, satisfaction.Answer{Score: 2,
			Complaint: &satisfaction.ComplaintFromSurvey{Category: "attitude", Description: "态度差", Phone: "+86 139 0000 1111"}})
		if err != nil {
			t.Fatal(err)
		}
		w.RunJobs(t)
		msgs = g.messages()
		if len(msgs) != 2 {
			t.Fatalf("gateway got %d messages, want the acknowledgement too", len(msgs))
		}
		// Filed Tuesday 12:00 Shanghai: the first answer is due by the close of Wednesday.
		if ack := msgs[1]; ack.To != "+8613900001111" || ack.Text != "We have received your complaint about "+number+" and will answer by 2026-11-25 18:00." {
			t.Fatalf("acknowledgement %+v", ack)
		}
		if ms, _ := notify.SMSMessagesAbout(ctx, db, complaint.SMSRef(ans.ComplaintID)); len(ms) != 1 || ms[0].State != notify.SMSSent {
			t.Fatalf("acknowledgement message %+v", ms)
		}
		// Where people look: the complaint, the visit's record, the office's list.
		vendor, provider := f.Users[policy.VendorAdmin].Actor(), f.Users[policy.ProviderAdmin].Actor()
		if d, err := a.Complaints.Get(ctx, provider, ans.ComplaintID); err != nil || len(d.Texts) != 1 || d.Texts[0].Kind != "complaint.filed" {
			t.Fatalf("the complaint's texts %+v %v", d.Texts, err)
		}
		if texts, err := a.Satisfaction.SurveyTexts(ctx, vendor, sv.RecordID); err != nil || len(texts) != 1 || texts[0].State != notify.SMSSent {
			t.Fatalf("the record's survey texts %+v %v", texts, err)
		}
		for _, tc := range []struct {
			who  policy.Actor
			f    notify.SMSFilter
			want int
		}{
			{vendor, notify.SMSFilter{}, 2}, {provider, notify.SMSFilter{}, 2}, {vendor, notify.SMSFilter{State: notify.SMSSent}, 2},
			{vendor, notify.SMSFilter{State: notify.SMSDelivered}, 0}, {provider, notify.SMSFilter{Kind: "survey.sent"}, 1},
			{f.OtherAdmin.Actor(), notify.SMSFilter{}, 0},
		} {
			if got, err := notify.ListSMS(ctx, db, tc.who, tc.f); err != nil || len(got) != tc.want {
				t.Fatalf("%s %+v: %d messages, want %d (%v)", tc.who.Role, tc.f, len(got), tc.want, err)
			}
		}
		if _, err := notify.ListSMS(ctx, db, f.Users[policy.Customer].Actor(), notify.SMSFilter{}); !problem.Is(err, problem.Forbidden) {
			t.Fatalf("a customer listed the office's texts: %v", err)
		}
		if _, err := notify.ListSMS(ctx, db, vendor, notify.SMSFilter{State: "lost"}); !problem.Is(err, problem.Invalid) {
			t.Fatalf("a state that does not exist: %v", err)
		}
		// A kind of text the product does not send (appointment texts go to
		// the customer's organization alone, so this list never holds them).
		_, err = notify.ListSMS(ctx, db, vendor, notify.SMSFilter{Kind: "appointment.link"})
		if pr, ok := problem.As(err); !ok || pr.Kind != problem.Invalid || len(pr.Fields) != 1 || pr.Fields[0].Field != "kind" {
			t.Fatalf("a kind that the list does not hold: %v", err)
		}

		// A complaint by phone about a request whose contact is a landline: no text.
		w.phone = "0571-88886666"
		_, wo2 := w.visit(t)
		if _, err := a.Complaints.File(ctx, f.Users[policy.Dispatcher].Actor(), complaint.NewComplaint{Category: "fees", WorkOrderID: wo2, Description: "收费不清"}); err != nil {
			t.Fatal(err)
		}
		w.Clock.Advance(3 * time.Hour)
		w.RunJobs(t)
		if n := len(g.messages()); n != 2 {
			t.Fatalf("%d messages after a landline's request", n)
		}
	})
}
