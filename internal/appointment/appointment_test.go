package appointment_test

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"aftersales/internal/account"
	"aftersales/internal/app"
	"aftersales/internal/appointment"
	"aftersales/internal/calendar"
	"aftersales/internal/notify"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/servicerequest"
	"aftersales/internal/staff"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
	"aftersales/internal/workorder"
)

// clock is a time the test moves.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

// at is a local time on 2030-01-07 (a Monday) plus days.
func at(days, hh, mm int) time.Time {
	return time.Date(2030, 1, 7+days, hh, mm, 0, 0, calendar.Shanghai).UTC()
}

type fixture struct {
	a                 *app.App
	clk               *clock
	dispatcher, admin policy.Actor
	vendor            policy.Actor
	vendorID          int64
	serial            string
	visit             workorder.WorkOrder
}

// setUp books a visit on Tuesday 09:00–11:00 with texts on, on Monday 08:00.
func setUp(t *testing.T, db *store.DB) fixture {
	t.Helper()
	ctx := context.Background()
	f := testutil.Seed(t, db)
	sf := testutil.SeedService(t, db, f)
	clk := &clock{t: at(0, 8, 0)}
	a, err := app.New(db, app.Config{PublicURL: "https://svc.example", SMS: notify.SMSConfig{URL: "http://127.0.0.1:9/sms", Secret: "a-secret-of-the-gateway"}}, clk.now)
	if err != nil {
		t.Fatal(err)
	}
	dispatcher := f.Users[policy.Dispatcher].Actor()
	req, err := a.Requests.Create(ctx, dispatcher, servicerequest.NewRequest{SerialNumber: sf.Serial, ServiceItem: "repair", Priority: "general",
		Description: "主轴异响", Channel: servicerequest.Dispatcher, ContactName: "刘先生", ContactPhone: "138 1234 5678"})
	if err != nil {
		t.Fatal(err)
	}
	wo, err := a.WorkOrders.Book(ctx, dispatcher, workorder.ForRequest(req.ID), workorder.Assignment{TechnicianID: f.Users[policy.Technician].ID,
		WindowStart: at(1, 9, 0), WindowEnd: at(1, 11, 0)})
	if err != nil {
		t.Fatal(err)
	}
	return fixture{a: a, clk: clk, dispatcher: dispatcher, admin: f.Users[policy.ProviderAdmin].Actor(), vendor: f.Users[policy.VendorAdmin].Actor(),
		vendorID: f.Vendor.ID, serial: sf.Serial, visit: wo}
}

// bookAnother books the booked technician another visit, from start to
// end, on a new request for the same unit; it answers the request's id.
func (x fixture) bookAnother(t *testing.T, start, end time.Time) int64 {
	t.Helper()
	ctx := context.Background()
	req, err := x.a.Requests.Create(ctx, x.dispatcher, servicerequest.NewRequest{SerialNumber: x.serial, ServiceItem: "repair", Priority: "general",
		Description: "另一台设备", Channel: servicerequest.Dispatcher})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := x.a.WorkOrders.Book(ctx, x.dispatcher, workorder.ForRequest(req.ID), workorder.Assignment{TechnicianID: x.visit.TechnicianID,
		WindowStart: start, WindowEnd: end}); err != nil {
		t.Fatal(err)
	}
	return req.ID
}

// sendAndOpen sends the visit's customer a link and opens it: its token
// and what it offers.
func (x fixture) sendAndOpen(t *testing.T) (string, appointment.Offer) {
	t.Helper()
	ctx := context.Background()
	sent, err := x.a.Appointments.Send(ctx, x.dispatcher, x.visit.ID, "zh-CN")
	if err != nil {
		t.Fatal(err)
	}
	tok := token(t, sent)
	o, err := x.a.Appointments.Open(ctx, tok)
	if err != nil {
		t.Fatal(err)
	}
	return tok, o
}

func token(t *testing.T, s appointment.Sent) string {
	t.Helper()
	tok, ok := strings.CutPrefix(s.Path, "/appointment/")
	if !ok || len(tok) < 30 {
		t.Fatalf("path %q", s.Path)
	}
	return tok
}

func smsKinds(t *testing.T, db *store.DB, wo int64) []string {
	t.Helper()
	msgs, err := notify.SMSMessagesAbout(context.Background(), db, "work_order:"+itoa(wo))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range msgs {
		out = append(out, m.Kind)
	}
	return out
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestCustomerPicksAWindowOnce(t *testing.T) {
	inFixture(t, func(t *testing.T, ctx context.Context, x fixture) {
		sent, err := x.a.Appointments.Send(ctx, x.dispatcher, x.visit.ID, "zh-CN")
		if err != nil {
			t.Fatal(err)
		}
		if !sent.Texted || !sent.ExpiresAt.Equal(at(1, 9, 0)) {
			t.Fatalf("sent %+v: want texted, expiring when the visit starts", sent)
		}
		tok := token(t, sent)
		o, err := x.a.Appointments.Open(ctx, tok)
		if err != nil {
			t.Fatal(err)
		}
		if o.State != "open" || len(o.Windows) == 0 || !o.Booked.Start.Equal(at(1, 9, 0)) {
			t.Fatalf("offer %+v", o)
		}
		for _, w := range o.Windows {
			if w.End.Sub(w.Start) != 2*time.Hour || w.Start.Before(at(0, 10, 0)) {
				t.Fatalf("window %v–%v: want 2 h, from 10:00 today (two hours' notice)", w.Start, w.End)
			}
		}
		// A window not offered is refused, naming the field; nothing moves.
		_, err = x.a.Appointments.Answer(ctx, tok, appointment.Answer{Start: at(1, 3, 0)})
		if p, ok := problem.As(err); !ok || p.Kind != problem.Invalid || !strings.Contains(err.Error(), "start") {
			t.Fatalf("a window not offered: %v", err)
		}
		pick := at(2, 14, 0)
		done, err := x.a.Appointments.Answer(ctx, tok, appointment.Answer{Start: pick})
		if err != nil {
			t.Fatal(err)
		}
		if !done.WorkOrder.WindowStart.Equal(pick) || !done.WorkOrder.WindowEnd.Equal(pick.Add(2*time.Hour)) || done.State != "used" {
			t.Fatalf("answered %+v", done)
		}
		got, err := workorder.Get(ctx, x.a.DB, x.visit.ID)
		if err != nil || !got.WindowStart.Equal(pick) {
			t.Fatalf("visit after the pick: %v %v", got.WindowStart, err)
		}
		// The link works once.
		_, err = x.a.Appointments.Answer(ctx, tok, appointment.Answer{Start: at(2, 16, 0)})
		if p, ok := problem.As(err); !ok || p.Kind != problem.Conflict {
			t.Fatalf("reused link: %v", err)
		}
		if got, _ := workorder.Get(ctx, x.a.DB, x.visit.ID); !got.WindowStart.Equal(pick) {
			t.Fatalf("a reused link moved the visit to %v", got.WindowStart)
		}
	})
}

func TestLinksExpireAndAreReplaced(t *testing.T) {
	inFixture(t, func(t *testing.T, ctx context.Context, x fixture) {
		first, err := x.a.Appointments.Send(ctx, x.dispatcher, x.visit.ID, "en")
		if err != nil {
			t.Fatal(err)
		}
		second, err := x.a.Appointments.Send(ctx, x.dispatcher, x.visit.ID, "en")
		if err != nil {
			t.Fatal(err)
		}
		if o, _ := x.a.Appointments.Open(ctx, token(t, first)); o.State != "replaced" {
			t.Fatalf("first link after a second: %q", o.State)
		}
		if _, err := x.a.Appointments.Answer(ctx, token(t, first), appointment.Answer{CallMe: true}); err == nil {
			t.Fatal("a replaced link was answered")
		}
		if _, err := x.a.Appointments.Open(ctx, "no-such-token"); !problem.Is(err, problem.NotFound) {
			t.Fatalf("unknown token: %v", err)
		}
		x.clk.set(at(1, 9, 0))
		if o, _ := x.a.Appointments.Open(ctx, token(t, second)); o.State != "expired" {
			t.Fatalf("link at the visit's start: %q", o.State)
		}
		_, err = x.a.Appointments.Answer(ctx, token(t, second), appointment.Answer{CallMe: true})
		if p, ok := problem.As(err); !ok || p.Kind != problem.Conflict {
			t.Fatalf("expired link: %v", err)
		}
		// Only a dispatcher of the visit's provider sends links.
		tech := policy.Actor{UserID: x.visit.TechnicianID, OrgID: x.dispatcher.OrgID, OrgKind: "provider", Role: policy.Technician}
		x.clk.set(at(0, 8, 0))
		if _, err := x.a.Appointments.Send(ctx, tech, x.visit.ID, "en"); err == nil {
			t.Fatal("a technician sent a link")
		}
	})
}

func TestCallMeTellsTheDispatchers(t *testing.T) {
	inFixture(t, func(t *testing.T, ctx context.Context, x fixture) {
		sent, err := x.a.Appointments.Send(ctx, x.dispatcher, x.visit.ID, "zh-CN")
		if err != nil {
			t.Fatal(err)
		}
		done, err := x.a.Appointments.Answer(ctx, token(t, sent), appointment.Answer{CallMe: true})
		if err != nil {
			t.Fatal(err)
		}
		if done.Link.Outcome == nil || *done.Link.Outcome != "call_me" || !done.WorkOrder.WindowStart.Equal(x.visit.WindowStart) {
			t.Fatalf("call me: %+v", done.Link)
		}
		var n int
		if err := store.Get(ctx, x.a.DB, &n, `SELECT COUNT(*) FROM notifications WHERE kind = 'appointment.call_me' AND user_id = ?`,
			x.dispatcher.UserID); err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Fatalf("dispatcher's notifications of the call-me: %d", n)
		}
	})
}

func TestRemindersTheDayBeforeAndOnTheWay(t *testing.T) {
	inFixture(t, func(t *testing.T, ctx context.Context, x fixture) {
		// Monday 08:00: the visit is 25 hours away; no reminder yet.
		if n, err := x.a.Appointments.Remind(ctx, x.clk.now()); err != nil || n != 0 {
			t.Fatalf("25 h before: %d %v", n, err)
		}
		x.clk.set(at(0, 10, 0))
		for i := range 2 {
			n, err := x.a.Appointments.Remind(ctx, x.clk.now())
			if err != nil || n != 1-i {
				t.Fatalf("remind run %d: %d %v", i, n, err)
			}
		}
		tech := policy.Actor{UserID: x.visit.TechnicianID, OrgID: x.dispatcher.OrgID, OrgKind: "provider", Role: policy.Technician}
		x.clk.set(at(1, 8, 20))
		wo, err := x.a.WorkOrders.Step(ctx, tech, x.visit.ID, workorder.Step{Kind: "depart"}, x.visit.Version)
		if err != nil {
			t.Fatal(err)
		}
		if wo.DepartedAt == nil || wo.Status != workorder.WOAssigned {
			t.Fatalf("departed: %+v", wo)
		}
		if _, err := x.a.WorkOrders.Step(ctx, tech, x.visit.ID, workorder.Step{Kind: "depart"}, wo.Version); !problem.Is(err, problem.Conflict) {
			t.Fatalf("setting off twice: %v", err)
		}
		if got := strings.Join(smsKinds(t, x.a.DB, x.visit.ID), ","); got != "visit.reminder,visit.on_the_way" {
			t.Fatalf("texts: %s", got)
		}
		if _, err := x.a.WorkOrders.Step(ctx, tech, x.visit.ID, workorder.Step{Kind: "check_in"}, wo.Version); err != nil {
			t.Fatalf("check in after setting off: %v", err)
		}
	})
}

// The reminder and the "on the way" text speak the language of the link
// the dispatcher sent the customer, not the default.
func TestRemindersSpeakTheLinksLanguage(t *testing.T) {
	inFixture(t, func(t *testing.T, ctx context.Context, x fixture) {
		textsOf := func(kind string) []string {
			t.Helper()
			msgs, err := notify.SMSMessagesAbout(ctx, x.a.DB, "work_order:"+itoa(x.visit.ID))
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, m := range msgs {
				if m.Kind != kind {
					continue
				}
				text, err := x.a.Texts.TextOf(ctx, x.a.DB, m.ID)
				if err != nil {
					t.Fatal(err)
				}
				out = append(out, text)
			}
			return out
		}
		if _, err := x.a.Appointments.Send(ctx, x.dispatcher, x.visit.ID, "en"); err != nil {
			t.Fatal(err)
		}
		x.clk.set(at(0, 10, 0))
		if n, err := x.a.Appointments.Remind(ctx, x.clk.now()); err != nil || n != 1 {
			t.Fatalf("remind: %d %v", n, err)
		}
		tech := policy.Actor{UserID: x.visit.TechnicianID, OrgID: x.dispatcher.OrgID, OrgKind: "provider", Role: policy.Technician}
		x.clk.set(at(1, 8, 20))
		if _, err := x.a.WorkOrders.Step(ctx, tech, x.visit.ID, workorder.Step{Kind: "depart"}, x.visit.Version); err != nil {
			t.Fatal(err)
		}
		for kind, want := range map[string]string{"appointment.link": "Your service visit", "visit.reminder": "Reminder: for", "visit.on_the_way": "is on the way to you"} {
			got := textsOf(kind)
			if len(got) != 1 || !strings.Contains(got[0], want) {
				t.Errorf("%s texts = %q, want one in English saying %q", kind, got, want)
			}
		}
	})
}

// Without a link, the texts speak the default language (Chinese).
func TestRemindersWithoutALinkSpeakChinese(t *testing.T) {
	inFixture(t, func(t *testing.T, ctx context.Context, x fixture) {
		x.clk.set(at(0, 10, 0))
		if n, err := x.a.Appointments.Remind(ctx, x.clk.now()); err != nil || n != 1 {
			t.Fatalf("remind: %d %v", n, err)
		}
		msgs, err := notify.SMSMessagesAbout(ctx, x.a.DB, "work_order:"+itoa(x.visit.ID))
		if err != nil || len(msgs) != 1 {
			t.Fatalf("texts %v %v", msgs, err)
		}
		text, err := x.a.Texts.TextOf(ctx, x.a.DB, msgs[0].ID)
		if err != nil || !strings.Contains(text, "技术员") {
			t.Fatalf("reminder %q %v, want Chinese", text, err)
		}
	})
}

// The link offers the free windows of every technician the vendor's rules
// qualify for the unit, not only the booked one: at a time the booked
// technician is busy, a qualified colleague's window is offered, and
// picking it moves the visit to him; a technician without the certificate
// is never offered.
func TestLinkOffersWindowsOfQualifiedTechnicians(t *testing.T) {
	inFixture(t, func(t *testing.T, ctx context.Context, x fixture) {
		vendor := x.vendor
		admin := x.admin
		if _, err := store.Exec(ctx, x.a.DB, `UPDATE product_models SET product_line = 'CNC' WHERE code = 'FX-100'`); err != nil {
			t.Fatal(err)
		}
		newTech := func(email, name string) int64 {
			u, err := x.a.Accounts.CreateUser(ctx, admin, account.NewUser{OrgID: admin.OrgID, Email: email, Name: name, Role: policy.Technician,
				Password: testutil.Password, Locale: "zh-CN"})
			if err != nil {
				t.Fatal(err)
			}
			return u.ID
		}
		zhao, qian := newTech("zhao@p.example", "赵工"), newTech("qian@p.example", "钱工")
		if _, err := x.a.Staff.CreateRule(ctx, vendor, x.vendorID, staff.RuleInput{Kind: staff.CertificateRule, ProductLine: "CNC", MinLevel: 2}); err != nil {
			t.Fatal(err)
		}
		for _, tech := range []int64{x.visit.TechnicianID, zhao} {
			if _, err := x.a.Staff.AddCertification(ctx, admin, tech, staff.CertInput{Kind: staff.VendorCert, VendorID: &x.vendorID, ProductLine: "CNC", Level: 3,
				Number: "HC-" + itoa(tech), IssuedOn: "2029-01-01", ExpiresOn: "2031-01-01"}); err != nil {
				t.Fatal(err)
			}
		}
		// The booked technician is busy on Tuesday afternoon.
		x.bookAnother(t, at(1, 13, 0), at(1, 17, 0))
		tok, o := x.sendAndOpen(t)
		// Two-hour windows from 08:00: Tuesday 10:00 is the booked
		// technician's; 12:00 and 14:00 overlap his afternoon visit, so they
		// are 赵工's.
		who := map[int64]int64{}
		for _, w := range o.Windows {
			if w.TechnicianID == qian {
				t.Fatalf("a window of the technician without the certificate is offered: %+v", w)
			}
			who[w.Start.Unix()] = w.TechnicianID
		}
		if who[at(1, 10, 0).Unix()] != x.visit.TechnicianID || who[at(1, 12, 0).Unix()] != zhao || who[at(1, 14, 0).Unix()] != zhao {
			t.Fatalf("windows on Tuesday 10:00, 12:00, 14:00 go to %d, %d, %d; want the booked %d while he is free, then 赵工 %d: %+v",
				who[at(1, 10, 0).Unix()], who[at(1, 12, 0).Unix()], who[at(1, 14, 0).Unix()], x.visit.TechnicianID, zhao, o.Windows)
		}
		got, err := x.a.Appointments.Answer(ctx, tok, appointment.Answer{Start: at(1, 14, 0)})
		if err != nil {
			t.Fatal(err)
		}
		if got.WorkOrder.TechnicianID != zhao || !got.WorkOrder.WindowStart.Equal(at(1, 14, 0)) {
			t.Fatalf("after picking 赵工's window the visit is %+v", got.WorkOrder)
		}
	})
}

// The windows leave the drives as the day planner has them: the booked
// technician's service point is some 40 minutes from the site, so the
// first window of a day starts at the first half hour after 08:00 and the
// drive, and the last ends in time to drive back by 20:00; on a day with
// another visit 40 minutes away at 13:00–15:00, no window ends too late
// to get there, and none starts before the drive from it.
func TestWindowsLeaveTheDrives(t *testing.T) {
	inFixture(t, func(t *testing.T, ctx context.Context, x fixture) {
		site, far := staff.Place{Lat: 31.3200, Lng: 120.6300}, staff.Place{Lat: 31.3000, Lng: 120.4200}
		drive := staff.Drive(&site, &far)
		if drive <= 30*time.Minute || drive >= time.Hour {
			t.Fatalf("the drive from the point to the site = %s, want 31–59 minutes", drive)
		}
		point, err := x.a.Staff.CreatePoint(ctx, x.admin, x.admin.OrgID, staff.PointInput{Name: "木渎网点", Address: "苏州市吴中区 1 号", Division: "320506",
			Lat: far.Lat, Lng: far.Lng, RadiusKm: 80})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := x.a.Staff.UpdateTechnician(ctx, x.admin, x.visit.TechnicianID, staff.TechnicianInput{ServicePointID: &point.ID}, 1); err != nil {
			t.Fatal(err)
		}
		// Wednesday 13:00–15:00 at the point's door.
		other := x.bookAnother(t, at(2, 13, 0), at(2, 15, 0))
		for id, p := range map[int64]staff.Place{x.visit.RequestID: site, other: far} {
			if _, err := store.Exec(ctx, x.a.DB, `UPDATE service_requests SET site_lat = ?, site_lng = ? WHERE id = ?`, p.Lat, p.Lng, id); err != nil {
				t.Fatal(err)
			}
		}
		tok, o := x.sendAndOpen(t)
		var tuesday, wednesday []string
		for _, w := range o.Windows {
			hm := w.Start.In(calendar.Shanghai).Format("15:04")
			switch calendar.DateOf(w.Start, calendar.Shanghai) {
			case calendar.DateOf(at(1, 0, 0), calendar.Shanghai):
				tuesday = append(tuesday, hm)
			case calendar.DateOf(at(2, 0, 0), calendar.Shanghai):
				wednesday = append(wednesday, hm)
			}
		}
		// Two-hour windows, the first from 08:00 and the drive, the last
		// back at the point by 20:00; Wednesday's not reaching 13:00 at the
		// point, then from 15:00 and the drive back to the site.
		if got := strings.Join(tuesday, " "); got != "09:00 11:00 13:00 15:00 17:00" {
			t.Errorf("Tuesday's windows start at %s, want 09:00 11:00 13:00 15:00 17:00", got)
		}
		if got := strings.Join(wednesday, " "); got != "09:00 16:00" {
			t.Errorf("Wednesday's windows start at %s, want 09:00 16:00", got)
		}
		got, err := x.a.Appointments.Answer(ctx, tok, appointment.Answer{Start: at(2, 16, 0)})
		if err != nil {
			t.Fatal(err)
		}
		if !got.WorkOrder.WindowStart.Equal(at(2, 16, 0)) {
			t.Fatalf("after picking Wednesday 16:00 the visit is %+v", got.WorkOrder)
		}
	})
}

// inFixture runs test in parallel on each engine, in a fresh fixture.
func inFixture(t *testing.T, test func(t *testing.T, ctx context.Context, x fixture)) {
	t.Parallel()
	testutil.Engines(t, func(t *testing.T, db *store.DB) { test(t, context.Background(), setUp(t, db)) })
}
