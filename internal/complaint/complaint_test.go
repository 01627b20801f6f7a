package complaint_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	png2 "image/png"
	"testing"
	"time"

	"pgregory.net/rapid"

	"aftersales/internal/app"
	"aftersales/internal/calendar"
	"aftersales/internal/complaint"
	"aftersales/internal/files"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

type world struct{ *testutil.World }

func newWorld(t *testing.T, db *store.DB) *world {
	return &world{testutil.NewWorld(t, db, app.Config{})}
}

// inWorld runs test in parallel on each engine, in a fresh world.
func inWorld(t *testing.T, test func(t *testing.T, ctx context.Context, w *world)) {
	t.Parallel()
	testutil.Engines(t, func(t *testing.T, db *store.DB) { test(t, context.Background(), newWorld(t, db)) })
}

// visit files a repair and works it to check-out.
func (w *world) visit(t *testing.T) (requestID, workOrderID int64) {
	wo := w.Visit(t, "")
	return wo.RequestID, wo.ID
}

// A complaint's clocks run on the agreement's calendar (the default terms:
// first answer within 1 working day, closed within 5), warn at 75 %, breach,
// escalate to the vendor, and stop when answered and closed.
func TestComplaintClocksWarnBreachAndEscalate(t *testing.T) {
	inWorld(t, func(t *testing.T, ctx context.Context, w *world) {
		_, wo := w.visit(t)
		cs := w.App.Complaints
		dispatcher, customer := w.F.Users[policy.Dispatcher].Actor(), w.F.Users[policy.Customer].Actor()

		// Filed on Tuesday 10:00 (Shanghai): first answer by Wednesday 18:00, closed by the next Tuesday 18:00.
		d, err := cs.File(ctx, customer, complaint.NewComplaint{Category: "attitude", WorkOrderID: wo, Description: "态度差"})
		if err != nil {
			t.Fatal(err)
		}
		sh := func(s string) time.Time {
			t, _ := time.ParseInLocation("2006-01-02 15:04", s, time.FixedZone("CST", 8*3600))
			return t.UTC()
		}
		if len(d.Clocks) != 2 || !d.Clocks[0].DueAt.Equal(sh("2026-11-25 18:00")) || !d.Clocks[1].DueAt.Equal(sh("2026-12-01 18:00")) {
			t.Fatalf("clocks %+v", d.Clocks)
		}
		if d.TechnicianID == nil || *d.TechnicianID != w.F.Users[policy.Technician].ID || d.Channel != "portal" {
			t.Fatalf("links %+v", d.Complaint)
		}
		// Another customer's organization cannot complain about this visit.
		if _, err := cs.File(ctx, w.F.OtherAdmin.Actor(), complaint.NewComplaint{Category: "fees", WorkOrderID: wo, Description: "x"}); !problem.Is(err, problem.Invalid) {
			t.Fatalf("other vendor: %v", err)
		}

		// Closing without a reply is refused, nothing changes.
		if _, err := cs.Close(ctx, dispatcher, d.ID, true, "", d.Version); !problem.Is(err, problem.Invalid) {
			t.Fatalf("closed without a reply: %v", err)
		}
		// Wednesday 15:00: past 75 % of the first answer's 15 working hours (14:15): warned, once.
		w.Clock.Set(sh("2026-11-25 15:00"))
		if n, err := cs.Watch(ctx, w.Clock.Now()); err != nil || n != 1 {
			t.Fatalf("watch %d %v", n, err)
		}
		if n, _ := cs.Watch(ctx, w.Clock.Now()); n != 0 {
			t.Fatalf("warned twice: %d", n)
		}
		w.Clock.Set(sh("2026-11-26 09:30"))
		cs.Watch(ctx, w.Clock.Now())
		got, _ := cs.Get(ctx, dispatcher, d.ID)
		if got.Clocks[0].State != "breached" || got.EscalatedAt != nil {
			t.Fatalf("first answer %+v", got.Clocks[0])
		}
		// Answered late; the close clock still runs.
		got, err = cs.Reply(ctx, dispatcher, d.ID, "已批评教育，明日回访", got.Version)
		if err != nil || got.Status != complaint.Answered || got.Clocks[0].State != "breached" || got.Clocks[1].State != "running" {
			t.Fatalf("reply %+v %v", got, err)
		}
		// The customer reopens; after the close due time it escalates to the vendor.
		if got, err = cs.Reopen(ctx, customer, d.ID, "没有解决", got.Version); err != nil || got.Status != complaint.Open || got.Reopened != 1 {
			t.Fatalf("reopen %+v %v", got, err)
		}
		w.Clock.Set(sh("2026-12-02 09:00"))
		if _, err := cs.Watch(ctx, w.Clock.Now()); err != nil {
			t.Fatal(err)
		}
		got, _ = cs.Get(ctx, w.F.Users[policy.VendorAuditor].Actor(), d.ID)
		if got.EscalatedAt == nil || got.Clocks[1].State != "breached" {
			t.Fatalf("escalation %+v", got.Complaint)
		}
		if n := testutil.Count(t, w.App.DB, `SELECT COUNT(*) FROM notifications WHERE kind = 'complaint.escalated' AND user_id = ?`, w.F.Users[policy.VendorAuditor].ID); n != 1 {
			t.Fatalf("vendor told %d times", n)
		}
		// Answered again and accepted by the customer: closed, late.
		got, _ = cs.Reply(ctx, dispatcher, d.ID, "已更换技术人员", got.Version)
		if got, err = cs.Close(ctx, customer, d.ID, false, "", got.Version); err != nil || got.CloseKind != complaint.ClosedAccepted || got.ClosedOnTime() {
			t.Fatalf("accepted %+v %v", got.Complaint, err)
		}

		// A second complaint, answered and not accepted, closes unanswered after 7 days.
		d2, _ := cs.File(ctx, dispatcher, complaint.NewComplaint{Category: "fees", WorkOrderID: wo, Description: "电话投诉：收费不清"})
		if d2.Channel != "phone" {
			t.Fatalf("channel %s", d2.Channel)
		}
		cs.Reply(ctx, dispatcher, d2.ID, "收费明细已发送", d2.Version)
		w.Clock.Advance(7*24*time.Hour + time.Minute)
		cs.Watch(ctx, w.Clock.Now())
		got, _ = cs.Get(ctx, customer, d2.ID)
		if got.Status != complaint.Closed || got.CloseKind != complaint.ClosedUnanswered {
			t.Fatalf("unanswered %+v", got.Complaint)
		}

		// A suggestion has no clocks and closes with its reply.
		s, _ := cs.File(ctx, customer, complaint.NewComplaint{Kind: "suggestion", Category: "other", WorkOrderID: wo, Description: "希望提供微信预约"})
		if len(s.Clocks) != 0 {
			t.Fatalf("suggestion clocks %+v", s.Clocks)
		}
		if s, err = cs.Reply(ctx, dispatcher, s.ID, "已纳入计划", s.Version); err != nil || s.Status != complaint.Closed {
			t.Fatalf("suggestion %+v %v", s, err)
		}
	})
}

// Bad input names its field and saves nothing: no complaint, no history, no
// notice, no callback.
func TestFilingRefusesBadInputAndSavesNothing(t *testing.T) {
	inWorld(t, func(t *testing.T, ctx context.Context, w *world) {
		reqID, wo := w.visit(t)
		cs := w.App.Complaints
		customer := w.F.Users[policy.Customer].Actor()
		before := testutil.Count(t, w.App.DB, `SELECT COUNT(*) FROM notifications`)
		for _, c := range []struct {
			name  string
			actor policy.Actor
			in    complaint.NewComplaint
			field string
			kind  problem.Kind
		}{
			{"unknown category", customer, complaint.NewComplaint{Category: "weather", WorkOrderID: wo, Description: "x"}, "category", problem.Invalid},
			{"no words", customer, complaint.NewComplaint{Category: "fees", WorkOrderID: wo, Description: "  "}, "description", problem.Invalid},
			{"unknown kind", customer, complaint.NewComplaint{Kind: "praise", Category: "fees", WorkOrderID: wo, Description: "x"}, "kind", problem.Invalid},
			{"unknown channel", customer, complaint.NewComplaint{Channel: "fax", Category: "fees", WorkOrderID: wo, Description: "x"}, "channel", problem.Invalid},
			{"nothing named", customer, complaint.NewComplaint{Category: "fees", Description: "x"}, "request_id", problem.Invalid},
			{"unknown visit", customer, complaint.NewComplaint{Category: "fees", WorkOrderID: 987654, Description: "x"}, "work_order_id", problem.Invalid},
			{"visit of another request", customer, complaint.NewComplaint{Category: "fees", RequestID: reqID + 1000, WorkOrderID: wo, Description: "x"}, "work_order_id", problem.Invalid},
			{"another party's request", w.F.OtherAdmin.Actor(), complaint.NewComplaint{Category: "fees", RequestID: reqID, Description: "x"}, "request_id", problem.Invalid},
			{"a technician", w.F.Users[policy.Technician].Actor(), complaint.NewComplaint{Category: "fees", RequestID: reqID, Description: "x"}, "", problem.Forbidden},
		} {
			_, err := cs.File(ctx, c.actor, c.in)
			if !problem.Is(err, c.kind) {
				t.Errorf("%s: %v, want %s", c.name, err, c.kind)
				continue
			}
			if c.field != "" && !names(err, c.field) {
				t.Errorf("%s: %v does not name %s", c.name, err, c.field)
			}
		}
		if n := testutil.Count(t, w.App.DB, `SELECT COUNT(*) FROM complaints`) + testutil.Count(t, w.App.DB, `SELECT COUNT(*) FROM complaint_events`); n != 0 {
			t.Fatalf("%d rows saved", n)
		}
		if n := testutil.Count(t, w.App.DB, `SELECT COUNT(*) FROM notifications`); n != before {
			t.Fatalf("%d notices sent for refused complaints", n-before)
		}
	})
}

// Each party reads only its own complaints; a refused change (wrong role,
// stale version, nothing to close) changes nothing; the lists filter by
// state, kind, period and lateness.
func TestPartiesListsAndRefusedChanges(t *testing.T) {
	inWorld(t, func(t *testing.T, ctx context.Context, w *world) {
		_, wo := w.visit(t)
		cs := w.App.Complaints
		customer, dispatcher := w.F.Users[policy.Customer].Actor(), w.F.Users[policy.Dispatcher].Actor()
		late, err := cs.File(ctx, customer, complaint.NewComplaint{Category: "slow_response", WorkOrderID: wo, Description: "等了三天"})
		if err != nil {
			t.Fatal(err)
		}
		sugg, err := cs.File(ctx, dispatcher, complaint.NewComplaint{Kind: "suggestion", Category: "other", WorkOrderID: wo, Description: "希望短信提醒"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := cs.Get(ctx, w.F.OtherAdmin.Actor(), late.ID); !problem.Is(err, problem.NotFound) {
			t.Fatalf("another vendor reads it: %v", err)
		}
		if list, err := cs.List(ctx, w.F.OtherAdmin.Actor(), complaint.Filter{}); err != nil || len(list) != 0 {
			t.Fatalf("another vendor lists %d: %v", len(list), err)
		}
		for _, r := range []policy.Role{policy.VendorAuditor, policy.ProviderAdmin, policy.Customer} {
			if list, err := cs.List(ctx, w.F.Users[r].Actor(), complaint.Filter{}); err != nil || len(list) != 2 {
				t.Fatalf("%s lists %d: %v", r, len(list), err)
			}
		}
		events := testutil.Count(t, w.App.DB, `SELECT COUNT(*) FROM complaint_events`)
		unchanged := func(what string) {
			t.Helper()
			got, err := cs.Get(ctx, dispatcher, late.ID)
			if err != nil || got.Version != late.Version || got.Status != complaint.Open || got.Reply != "" {
				t.Fatalf("%s changed the complaint: %+v %v", what, got.Complaint, err)
			}
			if n := testutil.Count(t, w.App.DB, `SELECT COUNT(*) FROM complaint_events`); n != events {
				t.Fatalf("%s added %d history entries", what, n-events)
			}
		}
		if _, err := cs.Reply(ctx, customer, late.ID, "自己回复", late.Version); !problem.Is(err, problem.Forbidden) {
			t.Fatalf("customer replies: %v", err)
		}
		unchanged("the customer's reply")
		if _, err := cs.Reply(ctx, dispatcher, late.ID, "已处理", late.Version+1); !problem.Is(err, problem.PreconditionFailed) {
			t.Fatalf("stale version: %v", err)
		}
		unchanged("a stale reply")
		if _, err := cs.Reply(ctx, dispatcher, late.ID, "", late.Version); !problem.Is(err, problem.Invalid) {
			t.Fatalf("empty reply: %v", err)
		}
		unchanged("an empty reply")
		if _, err := cs.Close(ctx, dispatcher, late.ID, true, "", late.Version); !names(err, "reply") {
			t.Fatalf("closed without a reply: %v", err)
		}
		unchanged("closing without a reply")
		if _, err := cs.Reopen(ctx, dispatcher, late.ID, "再看看", late.Version); !problem.Is(err, problem.Forbidden) && !problem.Is(err, problem.Conflict) {
			t.Fatalf("dispatcher reopens: %v", err)
		}
		unchanged("the dispatcher's reopening")

		// Two working days later the first answer is late.
		w.Clock.Advance(3 * 24 * time.Hour)
		lateList, err := cs.List(ctx, dispatcher, complaint.Filter{Late: true})
		if err != nil || len(lateList) != 1 || lateList[0].ID != late.ID {
			t.Fatalf("late list %+v %v", lateList, err)
		}
		if l, _ := cs.List(ctx, dispatcher, complaint.Filter{Kind: complaint.KindSuggestion}); len(l) != 1 || l[0].ID != sugg.ID {
			t.Fatalf("suggestions %+v", l)
		}
		if l, _ := cs.List(ctx, dispatcher, complaint.Filter{Period: "2026-10"}); len(l) != 0 {
			t.Fatalf("October lists %d", len(l))
		}
		if l, _ := cs.List(ctx, dispatcher, complaint.Filter{Status: complaint.Closed}); len(l) != 0 {
			t.Fatalf("closed lists %d", len(l))
		}
	})
}

// The clocks end at a close of business, in order, and warn at 75 % of the
// working time between filing and each due time, on China's calendar.
func TestDeadlinesProperties(t *testing.T) {
	t.Parallel()
	cal := calendar.CN()
	rapid.Check(t, func(t *rapid.T) {
		filed := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(rapid.Int64Range(0, 300*24*3600).Draw(t, "sec")) * time.Second)
		first := rapid.IntRange(1, 5).Draw(t, "first")
		closeDays := rapid.IntRange(first, 15).Draw(t, "close")
		d := complaint.ComputeDeadlines(cal, filed, first, closeDays)
		if !d.FirstAnswerDue.After(filed) || d.CloseDue.Before(d.FirstAnswerDue) {
			t.Fatalf("due %v %v after %v", d.FirstAnswerDue, d.CloseDue, filed)
		}
		for _, p := range [][2]time.Time{{d.FirstAnswerWarnAt, d.FirstAnswerDue}, {d.CloseWarnAt, d.CloseDue}} {
			warn, due := p[0], p[1]
			if warn.Before(filed) || warn.After(due) {
				t.Fatalf("warning %v outside %v..%v", warn, filed, due)
			}
			allowed, used := cal.WorkingTimeBetween(filed, due), cal.WorkingTimeBetween(filed, warn)
			if diff := used - allowed*3/4; diff < -time.Second || diff > time.Second {
				t.Fatalf("warns after %v of %v", used, allowed)
			}
			if due.In(calendar.Shanghai).Hour() < 12 {
				t.Fatalf("due %v is not a close of business", due.In(calendar.Shanghai))
			}
		}
		// A complaint closed by its due time is on time; the clocks say met.
		c := complaint.Complaint{Kind: complaint.KindComplaint, FirstAnswerDue: &d.FirstAnswerDue, FirstAnswerWarnAt: &d.FirstAnswerWarnAt,
			CloseDue: &d.CloseDue, CloseWarnAt: &d.CloseWarnAt, ClosedAt: &d.CloseDue, FirstAnsweredAt: &d.FirstAnswerDue}
		if !c.ClosedOnTime() || c.Late(d.CloseDue.Add(time.Hour)) {
			t.Fatalf("closed at the due time: %+v", c.Clocks(d.CloseDue))
		}
		late := d.CloseDue.Add(time.Second)
		c.ClosedAt = &late
		if c.ClosedOnTime() || !c.Late(late) {
			t.Fatal("closed a second late is on time")
		}
	})
}

// names reports whether err is a problem naming field.
func names(err error, field string) bool {
	p, ok := problem.As(err)
	if !ok {
		return false
	}
	for _, f := range p.Fields {
		if f.Field == field {
			return true
		}
	}
	return false
}

func tinyPNG(t *testing.T) []byte {
	var b bytes.Buffer
	if err := png2.Encode(&b, image.NewRGBA(image.Rect(0, 0, 4, 4))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// Files filed with a complaint are checked by their bytes and kept with
// it, readable by its parties only; a bad one refuses the whole complaint.
// A complaint from a product's QR page names its request by number, which
// must be one of that product's.
func TestAttachmentsAndTheRequestByNumber(t *testing.T) {
	inWorld(t, func(t *testing.T, ctx context.Context, w *world) {
		reqID, _ := w.visit(t)
		var number string
		var unitID int64
		if err := store.Get(ctx, w.App.DB, &number, `SELECT number FROM service_requests WHERE id = ?`, reqID); err != nil {
			t.Fatal(err)
		}
		if err := store.Get(ctx, w.App.DB, &unitID, `SELECT unit_id FROM service_requests WHERE id = ?`, reqID); err != nil {
			t.Fatal(err)
		}
		cs := w.App.Complaints
		qr := policy.Actor{OrgID: w.F.Customer.ID, OrgKind: "customer", Role: policy.Customer, Email: "customer (QR label)"}
		photo := tinyPNG(t)

		_, err := cs.File(ctx, qr, complaint.NewComplaint{Category: "parts", Channel: "qr", RequestNumber: number, UnitID: unitID, Description: "配件不对",
			Attachments: []*files.Incoming{files.FromBytes("a.png", photo), files.FromBytes("b.png", []byte("not a picture at all"))}})
		if !names(err, "attachments[1]") {
			t.Fatalf("a bad file: %v", err)
		}
		if _, err := cs.File(ctx, qr, complaint.NewComplaint{Category: "parts", Channel: "qr", RequestNumber: number, UnitID: unitID + 1000, Description: "x"}); !names(err, "request_number") {
			t.Fatalf("another product's request: %v", err)
		}
		if _, err := cs.File(ctx, qr, complaint.NewComplaint{Category: "parts", Channel: "qr", RequestNumber: "SR-0000-000000", UnitID: unitID, Description: "x"}); !names(err, "request_number") {
			t.Fatalf("an unknown number: %v", err)
		}
		if n := testutil.Count(t, w.App.DB, `SELECT COUNT(*) FROM complaints`) + testutil.Count(t, w.App.DB, `SELECT COUNT(*) FROM complaint_files`) + testutil.Count(t, w.App.DB, `SELECT COUNT(*) FROM files`); n != 0 {
			t.Fatalf("%d rows saved by refused complaints", n)
		}

		d, err := cs.File(ctx, qr, complaint.NewComplaint{Category: "parts", Channel: "qr", RequestNumber: number, UnitID: unitID, Description: "配件不对",
			ContactPhone: "13800138000", Attachments: []*files.Incoming{files.FromBytes("配件.png", photo)}})
		if err != nil {
			t.Fatal(err)
		}
		if d.RequestID == nil || *d.RequestID != reqID || d.RequestNumber != number || d.Channel != "qr" || len(d.Attachments) != 1 || d.Attachments[0].Name != "配件.png" {
			t.Fatalf("filed %+v", d)
		}
		f, data, err := cs.Attachment(ctx, w.F.Users[policy.Dispatcher].Actor(), d.ID, d.Attachments[0].ID)
		if err != nil || !bytes.Equal(data, photo) || f.ContentType != "image/png" {
			t.Fatalf("the dispatcher reads %+v %v", f, err)
		}
		if _, _, err := cs.Attachment(ctx, w.F.OtherAdmin.Actor(), d.ID, d.Attachments[0].ID); !problem.Is(err, problem.NotFound) {
			t.Fatalf("another vendor reads it: %v", err)
		}
		if _, _, err := cs.Attachment(ctx, w.F.Users[policy.Dispatcher].Actor(), d.ID, d.Attachments[0].ID+1); !problem.Is(err, problem.NotFound) {
			t.Fatalf("a file not attached: %v", err)
		}
	})
}

// Files added to a complaint after filing get the checks of filing: each
// file's bytes and size, at most six in all; a refused one (or a closed
// complaint, or someone who may not file) stores nothing and leaves the
// complaint as it was. The history names the files; its parties read them.
func TestFilesAddedToAnOpenComplaint(t *testing.T) {
	inWorld(t, func(t *testing.T, ctx context.Context, w *world) {
		reqID, _ := w.visit(t)
		cs := w.App.Complaints
		customer, dispatcher := w.F.Users[policy.Customer].Actor(), w.F.Users[policy.Dispatcher].Actor()
		photo := tinyPNG(t)
		d, err := cs.File(ctx, customer, complaint.NewComplaint{Category: "repair_quality", RequestID: reqID, Description: "还是漏油",
			Attachments: []*files.Incoming{files.FromBytes("first.png", photo)}})
		if err != nil {
			t.Fatal(err)
		}
		state := func() string {
			t.Helper()
			return fmt.Sprint(testutil.Count(t, w.App.DB, `SELECT version FROM complaints WHERE id = ?`, d.ID), testutil.Count(t, w.App.DB, `SELECT COUNT(*) FROM complaint_files`),
				testutil.Count(t, w.App.DB, `SELECT COUNT(*) FROM files`), testutil.Count(t, w.App.DB, `SELECT COUNT(*) FROM complaint_events WHERE complaint_id = ?`, d.ID))
		}
		before := state()
		refused := []struct {
			name  string
			actor policy.Actor
			in    []*files.Incoming
			ok    func(error) bool
		}{
			{"no file", customer, nil, func(err error) bool { return names(err, "attachments") }},
			{"not a picture", customer, []*files.Incoming{files.FromBytes("ok.png", photo), files.FromBytes("note.png", []byte("plain words"))},
				func(err error) bool { return names(err, "attachments[1]") }},
			{"too large", customer, []*files.Incoming{files.FromBytes("big.png", append(photo, make([]byte, complaint.MaxAttachmentBytes)...))},
				func(err error) bool { return names(err, "attachments[0]") }},
			{"one over six in all", dispatcher, []*files.Incoming{files.FromBytes("1.png", photo), files.FromBytes("2.png", photo), files.FromBytes("3.png", photo),
				files.FromBytes("4.png", photo), files.FromBytes("5.png", photo), files.FromBytes("6.png", photo)},
				func(err error) bool { return names(err, "attachments") }},
			{"a technician", w.F.Users[policy.Technician].Actor(), []*files.Incoming{files.FromBytes("t.png", photo)},
				func(err error) bool { return problem.Is(err, problem.Forbidden) || problem.Is(err, problem.NotFound) }},
			{"another vendor", w.F.OtherAdmin.Actor(), []*files.Incoming{files.FromBytes("o.png", photo)},
				func(err error) bool { return problem.Is(err, problem.NotFound) }},
		}
		for _, r := range refused {
			if _, err := cs.AddAttachments(ctx, r.actor, d.ID, r.in); !r.ok(err) {
				t.Fatalf("%s: %v", r.name, err)
			}
			if got := state(); got != before {
				t.Fatalf("%s changed %s to %s", r.name, before, got)
			}
		}

		d, err = cs.AddAttachments(ctx, dispatcher, d.ID, []*files.Incoming{files.FromBytes("现场.png", photo), files.FromBytes("发票.pdf", []byte("%PDF-1.4\n%%EOF\n"))})
		if err != nil {
			t.Fatal(err)
		}
		if len(d.Attachments) != 3 || d.Events[len(d.Events)-1].Kind != "files" || d.Events[len(d.Events)-1].Text != "现场.png, 发票.pdf" {
			t.Fatalf("added: %d files, history %+v", len(d.Attachments), d.Events)
		}
		for _, f := range d.Attachments {
			if _, _, err := cs.Attachment(ctx, customer, d.ID, f.ID); err != nil {
				t.Fatalf("the customer reads %s: %v", f.Name, err)
			}
		}

		// Answered, then closed: no more files.
		if d, err = cs.Reply(ctx, dispatcher, d.ID, "已安排复修", d.Version); err != nil {
			t.Fatal(err)
		}
		if d, err = cs.Close(ctx, customer, d.ID, true, "", d.Version); err != nil {
			t.Fatal(err)
		}
		before = state()
		if _, err := cs.AddAttachments(ctx, customer, d.ID, []*files.Incoming{files.FromBytes("late.png", photo)}); !problem.Is(err, problem.Conflict) {
			t.Fatalf("a closed complaint took a file: %v", err)
		}
		if got := state(); got != before {
			t.Fatalf("the closed complaint changed %s to %s", before, got)
		}
	})
}
