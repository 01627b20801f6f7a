package settlement_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"aftersales/internal/agreement"
	"aftersales/internal/app"
	"aftersales/internal/installedbase"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/servicerequest"
	"aftersales/internal/settlement"
	"aftersales/internal/sla"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// suspensionWorld is a world whose services share one clock, with two
// statements (October and November 2026) approved on 2026-12-06 and due on
// 2027-01-05, and a unit under the agreement.
type suspensionWorld struct {
	*world
	app   *app.App
	clock *testutil.Clock
	oct   settlement.Statement
	nov   settlement.Statement
}

func newSuspensionWorld(t *testing.T, db *store.DB) *suspensionWorld {
	t.Helper()
	ctx := context.Background()
	w := newWorld(t, db)
	clock := &testutil.Clock{}
	clock.Set(time.Date(2026, 12, 6, 2, 0, 0, 0, time.UTC))
	a, err := app.New(db, app.Config{}, clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	w.svc = a.Settlements
	sw := &suspensionWorld{world: w, app: a, clock: clock}
	w.visit(t, "SR-1", "repair", "general", "2026-10-20 10:00", 60, 0)
	w.visit(t, "SR-2", "repair", "general", "2026-11-20 10:00", 60, 0)
	for _, p := range []string{"2026-10", "2026-11"} {
		st, err := w.svc.Generate(ctx, w.provider, w.agreementID, p)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.Submit(ctx, w.provider, st.ID); err != nil {
			t.Fatal(err)
		}
		if st, err = w.svc.Approve(ctx, w.vendor, st.ID); err != nil {
			t.Fatal(err)
		}
		if p == "2026-10" {
			sw.oct = st
		} else {
			sw.nov = st
		}
	}
	_, err = installedbase.Load(ctx, db, clock.Now(), installedbase.Seed{VendorID: w.f.Vendor.ID,
		Models: []installedbase.Model{{Code: "FX-100", Name: "Fixture 100"}},
		Sites: []installedbase.SeedSite{{CustomerOrgID: w.f.Customer.ID, Name: "Plant", Address: "苏州市虎丘区 1 号", Division: "320505",
			Lat: 31.31, Lng: 120.54, ContactName: "Liu", Phone: "13812345678"}},
		Units: []installedbase.NewUnit{{Serial: "FX100-0001", Model: "FX-100", Site: "Plant", InstallDate: "2025-03-01", WarrantyMonths: 24, AgreementID: w.agreementID}},
	})
	if err != nil {
		t.Fatalf("seed unit: %v", err)
	}
	return sw
}

func (w *suspensionWorld) at(s string) { w.clock.Set(shanghai(s)) }

func (w *suspensionWorld) file(t *testing.T) (servicerequest.View, error) {
	t.Helper()
	return w.app.Requests.Create(context.Background(), w.f.Users[policy.Dispatcher].Actor(), servicerequest.NewRequest{
		SerialNumber: "FX100-0001", ServiceItem: "repair", Priority: "emergency", Description: "the line stopped",
		ContactName: "Liu", ContactPhone: "13812345678", Channel: servicerequest.Dispatcher})
}

func (w *suspensionWorld) response(t *testing.T, id int64) sla.Clock {
	t.Helper()
	v, err := w.app.Requests.Get(context.Background(), w.f.Users[policy.Dispatcher].Actor(), id)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range v.Clocks {
		if c.Kind == sla.Response {
			return c
		}
	}
	t.Fatal("no response clock")
	return sla.Clock{}
}

func (w *suspensionWorld) agreementStatus(t *testing.T) agreement.Status {
	t.Helper()
	a, err := agreement.Get(context.Background(), w.db, w.agreementID)
	if err != nil {
		t.Fatal(err)
	}
	return a.Stored
}

// The provider gives notice for the overdue statements; on the effective
// day the agreement is suspended (new requests refused) and the running
// clocks pause from midnight; the payment of everything named ends it and
// the clocks run on from then, the suspended time not counted.
func TestSuspensionForNonPayment(t *testing.T) {
	inWorld(t, newSuspensionWorld, func(t *testing.T, ctx context.Context, w *suspensionWorld) {
		notice := settlement.NewSuspension{AgreementID: w.agreementID, StatementIDs: []int64{w.oct.ID, w.nov.ID}, Reason: "两期结算款逾期未付"}

		w.at("2027-01-05 10:00") // due today: not overdue yet
		if _, err := w.svc.Suspend(ctx, w.provider, notice); !isField(err, "statement_ids[0]") {
			t.Fatalf("notice before the statements are overdue: %v", err)
		}
		w.at("2027-01-06 10:00")
		if _, err := w.svc.Suspend(ctx, w.vendor, notice); !problem.Is(err, problem.Forbidden) {
			t.Fatalf("the vendor suspends: %v", err)
		}
		early := notice
		early.EffectiveOn = "2027-01-20"
		if _, err := w.svc.Suspend(ctx, w.provider, early); !isField(err, "effective_on") {
			t.Fatalf("less than the notice period: %v", err)
		}
		twice := notice
		twice.StatementIDs = []int64{w.oct.ID, w.oct.ID}
		if _, err := w.svc.Suspend(ctx, w.provider, twice); !isField(err, "statement_ids[1]") {
			t.Fatalf("a statement named twice: %v", err)
		}
		if n := count(t, w.db, `SELECT COUNT(*) FROM payment_suspensions`); n != 0 {
			t.Fatalf("refused notices left %d rows", n)
		}
		sp, err := w.svc.Suspend(ctx, w.provider, notice)
		if err != nil {
			t.Fatal(err)
		}
		if sp.EffectiveOn != "2027-01-21" || sp.State != settlement.SuspensionNoticed || len(sp.Statements) != 2 {
			t.Fatalf("notice: %+v", sp)
		}
		if _, err := w.svc.Suspend(ctx, w.provider, notice); !problem.Is(err, problem.Conflict) {
			t.Fatalf("a second notice: %v", err)
		}
		for _, who := range []policy.Role{policy.VendorAdmin, policy.VendorAuditor, policy.Dispatcher} {
			list, err := w.svc.Suspensions(ctx, w.f.Users[who].Actor(), 0, true)
			if err != nil || len(list) != 1 {
				t.Fatalf("%s sees %d suspensions: %v", who, len(list), err)
			}
		}
		if n := count(t, w.db, `SELECT COUNT(*) FROM notifications WHERE link = '/agreements/`+itoa(w.agreementID)+`'`); n == 0 {
			t.Error("nobody was told of the notice")
		}

		// An emergency filed the evening before: 2 hours to respond.
		w.at("2027-01-20 23:00")
		if n, err := w.svc.ApplySuspensions(ctx); err != nil || n != 0 {
			t.Fatalf("before the day: %d %v", n, err)
		}
		req, err := w.file(t)
		if err != nil {
			t.Fatal(err)
		}
		w.at("2027-01-21 00:30") // the job runs half an hour late
		if n, err := w.svc.ApplySuspensions(ctx); err != nil || n != 1 {
			t.Fatalf("on the day: %d %v", n, err)
		}
		if n, err := w.svc.ApplySuspensions(ctx); err != nil || n != 0 {
			t.Fatalf("applied twice: %d %v", n, err)
		}
		if st := w.agreementStatus(t); st != agreement.Suspended {
			t.Fatalf("agreement %s", st)
		}
		if _, err := w.file(t); !problem.Is(err, problem.OutOfScope) {
			t.Fatalf("a request while suspended: %v", err)
		}
		w.at("2027-01-21 09:00")
		c := w.response(t, req.ID)
		if c.State != sla.StatePaused || c.Used != time.Hour {
			t.Fatalf("response clock while suspended: %s used %s", c.State, c.Used)
		}
		// A plain resume of the agreement would leave the clocks paused.
		d, err := w.app.Agreements.Get(ctx, w.provider, w.agreementID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.app.Agreements.ChangeStatus(ctx, w.provider, w.agreementID, agreement.Transition{To: agreement.Active, Reason: "paid"}, d.Version); !problem.Is(err, problem.Conflict) {
			t.Fatalf("a plain resume: %v", err)
		}
		// Paying one of the two statements is not enough.
		if _, err := w.svc.Pay(ctx, w.vendor, settlement.NewPayment{StatementID: w.oct.ID, AmountFen: w.oct.TotalFen, PaidOn: "2027-01-21"}); err != nil {
			t.Fatal(err)
		}
		if st := w.agreementStatus(t); st != agreement.Suspended {
			t.Fatalf("after a part of the debt: %s", st)
		}
		w.at("2027-01-21 12:00")
		if _, err := w.svc.Pay(ctx, w.vendor, settlement.NewPayment{StatementID: w.nov.ID, AmountFen: w.nov.TotalFen, PaidOn: "2027-01-21"}); err != nil {
			t.Fatal(err)
		}
		if st := w.agreementStatus(t); st != agreement.Active {
			t.Fatalf("after the payment: %s", st)
		}
		sp, err = w.svc.GetSuspension(ctx, w.vendor, sp.ID)
		if err != nil || sp.State != settlement.SuspensionEnded || sp.EndReason != settlement.EndPaid {
			t.Fatalf("after the payment: %+v %v", sp, err)
		}
		w.at("2027-01-21 12:30")
		c = w.response(t, req.ID)
		// One hour used before midnight; suspended from 00:00 to 12:00.
		if want := shanghai("2027-01-21 13:00"); c.State != sla.StateRunning || !c.DueAt.Equal(want) || c.Used != 90*time.Minute {
			t.Fatalf("after the payment: %s due %s used %s, want running due %s used 1h30m", c.State, c.DueAt, c.Used, want)
		}
		if _, err := w.file(t); err != nil {
			t.Fatalf("a request after the payment: %v", err)
		}
		if n := count(t, w.db, `SELECT COUNT(*) FROM audit_events WHERE action LIKE 'suspension.%'`); n != 6 {
			t.Errorf("%d audit entries, want notice, start and end in both trails", n)
		}
	})
}

// The provider lifts a suspension in effect; a notice paid before its day
// ends without suspending anything.
func TestSuspensionLiftedAndPaidAhead(t *testing.T) {
	inWorld(t, newSuspensionWorld, func(t *testing.T, ctx context.Context, w *suspensionWorld) {
		w.at("2027-01-06 10:00")
		sp, err := w.svc.Suspend(ctx, w.provider, settlement.NewSuspension{AgreementID: w.agreementID, StatementIDs: []int64{w.oct.ID},
			EffectiveOn: "2027-01-25", Reason: "十月结算款逾期"})
		if err != nil {
			t.Fatal(err)
		}
		w.at("2027-01-24 22:00")
		req, err := w.file(t)
		if err != nil {
			t.Fatal(err)
		}
		w.at("2027-01-25 08:00")
		if n, err := w.svc.ApplySuspensions(ctx); err != nil || n != 1 {
			t.Fatalf("on the day: %d %v", n, err)
		}
		if _, err := w.svc.Lift(ctx, w.vendor, sp.ID, ""); !problem.Is(err, problem.Forbidden) {
			t.Fatalf("the vendor lifts: %v", err)
		}
		w.at("2027-01-25 09:00")
		if sp, err = w.svc.Lift(ctx, w.provider, sp.ID, "付款计划已确认"); err != nil || sp.EndReason != settlement.EndLifted {
			t.Fatalf("lift: %+v %v", sp, err)
		}
		if _, err := w.svc.Lift(ctx, w.provider, sp.ID, ""); !problem.Is(err, problem.Conflict) {
			t.Fatalf("lifted twice: %v", err)
		}
		if st := w.agreementStatus(t); st != agreement.Active {
			t.Fatalf("after the lifting: %s", st)
		}
		c := w.response(t, req.ID)
		// Filed 22:00, two hours used by midnight: breached before the suspension.
		if c.State != sla.StateBreached {
			t.Fatalf("a clock due before the suspension: %s due %s", c.State, c.DueAt)
		}

		// A notice for November, paid before its day.
		w.at("2027-01-26 10:00")
		sp, err = w.svc.Suspend(ctx, w.provider, settlement.NewSuspension{AgreementID: w.agreementID, StatementIDs: []int64{w.nov.ID}, Reason: "十一月结算款逾期"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.Pay(ctx, w.vendor, settlement.NewPayment{StatementID: w.nov.ID, AmountFen: w.nov.TotalFen, PaidOn: "2027-01-26"}); err != nil {
			t.Fatal(err)
		}
		w.at("2027-02-20 10:00")
		if n, err := w.svc.ApplySuspensions(ctx); err != nil || n != 0 {
			t.Fatalf("a paid notice took effect: %d %v", n, err)
		}
		if sp, _ = w.svc.GetSuspension(ctx, w.provider, sp.ID); sp.EndReason != settlement.EndPaid {
			t.Fatalf("paid notice: %+v", sp)
		}
		if st := w.agreementStatus(t); st != agreement.Active {
			t.Fatalf("after a paid notice: %s", st)
		}
	})
}

func count(t *testing.T, db *store.DB, q string) int {
	t.Helper()
	var n int
	if err := store.Get(context.Background(), db, &n, q); err != nil {
		t.Fatal(err)
	}
	return n
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// isField tells whether err is a validation problem naming field.
func isField(err error, field string) bool {
	p, ok := problem.As(err)
	if !ok || p.Kind != problem.Invalid {
		return false
	}
	for _, f := range p.Fields {
		if f.Field == field {
			return true
		}
	}
	return false
}

// Reminders go out before, on and after the due day, once per stage, and
// not for a statement paid.
func TestPaymentReminders(t *testing.T) {
	inWorld(t, newSuspensionWorld, func(t *testing.T, ctx context.Context, w *suspensionWorld) {
		steps := []struct {
			at   string
			want int
		}{
			{"2027-01-01 10:00", 0}, // due in four days
			{"2027-01-02 10:00", 2}, // both due within three days
			{"2027-01-03 10:00", 0}, // that stage was reminded
			{"2027-01-05 09:00", 2}, // due today
		}
		for _, s := range steps {
			w.at(s.at)
			if n, err := w.svc.RemindPayments(ctx); err != nil || n != s.want {
				t.Fatalf("%s: %d reminders, want %d (%v)", s.at, n, s.want, err)
			}
		}
		if _, err := w.svc.Pay(ctx, w.vendor, settlement.NewPayment{StatementID: w.oct.ID, AmountFen: w.oct.TotalFen, PaidOn: "2027-01-05"}); err != nil {
			t.Fatal(err)
		}
		w.at("2027-01-06 10:00")
		for i, want := range []int{1, 0} { // November only, once
			if n, err := w.svc.RemindPayments(ctx); err != nil || n != want {
				t.Fatalf("overdue run %d: %d reminders, want %d (%v)", i, n, want, err)
			}
		}
		vendorAdmin := w.f.Users[policy.VendorAdmin].ID
		if n := count(t, w.db, `SELECT COUNT(*) FROM notifications WHERE kind LIKE 'settlement.payment_%' AND user_id = `+itoa(vendorAdmin)); n != 5 {
			t.Fatalf("the vendor's admin got %d reminders, want 5", n)
		}
	})
}

// A suspension by hand pauses the clocks like a suspension for non-payment
// and lifting it resumes them; terminating the agreement while a
// suspension for non-payment is in effect ends it and the clocks it held
// run on.
func TestSuspensionByHandAndTerminationDuringASuspension(t *testing.T) {
	inWorld(t, newSuspensionWorld, func(t *testing.T, ctx context.Context, w *suspensionWorld) {
		status := func(actor policy.Actor, to agreement.Status, reason string) {
			t.Helper()
			d, err := w.app.Agreements.Get(ctx, actor, w.agreementID)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := w.app.Agreements.ChangeStatus(ctx, actor, w.agreementID, agreement.Transition{To: to, Reason: reason}, d.Version); err != nil {
				t.Fatalf("%s: %v", to, err)
			}
		}
		w.at("2027-01-06 10:00") // an emergency: two hours to respond
		req, err := w.file(t)
		if err != nil {
			t.Fatal(err)
		}
		w.at("2027-01-06 10:30")
		status(w.vendor, agreement.Suspended, "产线停产检修")
		w.at("2027-01-06 12:00")
		if c := w.response(t, req.ID); c.State != sla.StatePaused || c.Used != 30*time.Minute {
			t.Fatalf("suspended by hand: %s used %s", c.State, c.Used)
		}
		w.at("2027-01-06 13:00")
		status(w.vendor, agreement.Active, "检修完成")
		w.at("2027-01-06 13:10")
		if c := w.response(t, req.ID); c.State != sla.StateRunning || !c.DueAt.Equal(shanghai("2027-01-06 14:30")) {
			t.Fatalf("resumed by hand: %s due %s, want running due 14:30", c.State, c.DueAt)
		}

		sp, err := w.svc.Suspend(ctx, w.provider, settlement.NewSuspension{AgreementID: w.agreementID, StatementIDs: []int64{w.oct.ID},
			EffectiveOn: "2027-01-25", Reason: "十月结算款逾期"})
		if err != nil {
			t.Fatal(err)
		}
		w.at("2027-01-24 23:30")
		late, err := w.file(t)
		if err != nil {
			t.Fatal(err)
		}
		w.at("2027-01-25 00:10")
		if n, err := w.svc.ApplySuspensions(ctx); err != nil || n != 1 {
			t.Fatalf("on the day: %d %v", n, err)
		}
		w.at("2027-01-25 09:00")
		status(w.vendor, agreement.Terminated, "合同终止")
		if st := w.agreementStatus(t); st != agreement.Terminated {
			t.Fatalf("agreement %s", st)
		}
		if sp, err = w.svc.GetSuspension(ctx, w.provider, sp.ID); err != nil || sp.State != settlement.SuspensionEnded ||
			sp.EndReason != settlement.EndAgreementEnded {
			t.Fatalf("the suspension after the termination: %+v %v", sp, err)
		}
		if list, err := w.svc.Suspensions(ctx, w.provider, w.agreementID, true); err != nil || len(list) != 0 {
			t.Fatalf("%d current suspensions after the termination: %v", len(list), err)
		}
		w.at("2027-01-25 09:10")
		// 30 minutes used before midnight, paused from then until 09:00.
		if c := w.response(t, late.ID); c.State != sla.StateRunning || !c.DueAt.Equal(shanghai("2027-01-25 10:30")) || c.Used != 40*time.Minute {
			t.Fatalf("after the termination: %s due %s used %s, want running due 10:30 used 40m", c.State, c.DueAt, c.Used)
		}
	})
}
