package settlement_test

import (
	"context"
	"reflect"
	"testing"

	"aftersales/internal/fees"
	"aftersales/internal/i18n"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/record"
	"aftersales/internal/settlement"
	"aftersales/internal/store"
)

func kinds(st settlement.Statement) map[fees.LineKind]int {
	out := map[fees.LineKind]int{}
	for _, l := range st.Lines {
		out[l.Kind]++
	}
	return out
}

func lineOf(t *testing.T, st settlement.Statement, kind fees.LineKind) settlement.StatementLine {
	t.Helper()
	for _, l := range st.Lines {
		if l.Kind == kind {
			return l
		}
	}
	t.Fatalf("no %s line in %+v", kind, st.Lines)
	return settlement.StatementLine{}
}

// generate generates a period's statement and reads it with its lines;
// the totals Generate adds up in the database are those of the lines.
func (w *world) generate(t *testing.T, period string) settlement.Statement {
	t.Helper()
	ctx := context.Background()
	gen, err := w.svc.Generate(ctx, w.provider, w.agreementID, period)
	if err != nil {
		t.Fatal(err)
	}
	st, err := w.svc.Get(ctx, w.provider, gen.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(gen.Totals, st.Totals) || gen.TotalFen != st.TotalFen || gen.TaxFen != st.TaxFen || gen.Version != st.Version {
		t.Errorf("generated totals %+v (%d, v%d), the stored lines' %+v (%d, v%d)", gen.Totals, gen.TotalFen, gen.Version,
			st.Totals, st.TotalFen, st.Version)
	}
	return st
}

func TestStatementWorkflow(t *testing.T) {
	inWorld(t, newWorld, func(t *testing.T, ctx context.Context, w *world) {
		w.novemberVisits(t)
		// Sealed in December: not in November's statement.
		w.visit(t, "SR-4", "repair", "general", "2026-12-01 10:00", 60, 0)

		if _, err := w.svc.Generate(ctx, w.vendor, w.agreementID, "2026-11"); !problem.Is(err, problem.Forbidden) {
			t.Fatalf("the vendor generates: %v", err)
		}
		other := w.f.OtherAdmin.Actor()
		if _, err := w.svc.Generate(ctx, other, w.agreementID, "2026-11"); !problem.Is(err, problem.Forbidden) {
			t.Fatalf("another vendor generates: %v", err)
		}
		if _, err := w.svc.Generate(ctx, w.provider, w.agreementID+1000, "2026-11"); !problem.Is(err, problem.NotFound) {
			t.Fatalf("no such agreement: %v", err)
		}
		if _, err := w.svc.Generate(ctx, w.provider, w.agreementID, "2027-01"); !problem.Is(err, problem.Invalid) {
			t.Fatalf("a future period: %v", err)
		}
		st := w.generate(t, "2026-11")
		k := kinds(st)
		if k[fees.LineVisitFee] != 2 || k[fees.LineLabour] != 2 || k[fees.LineTravel] != 2 || k[fees.LinePart] != 1 ||
			k[fees.LineSurcharge] != 1 || k[settlement.LineUnpriced] != 1 || k[settlement.LineDeduction] != 1 {
			t.Fatalf("lines %v", k)
		}
		if u := lineOf(t, st, settlement.LineUnpriced); u.UnpricedReason != string(fees.NoVisitFee) || u.Request != "SR-3" || u.GrossFen != 0 {
			t.Errorf("unpriced line %+v", u)
		}
		d := lineOf(t, st, settlement.LineDeduction)
		if d.Quantity != 2 || d.GrossFen != -10000 || d.Evidence == nil || d.Evidence.Clock != "onsite" || d.Evidence.LateSeconds != 5400 || d.Evidence.TermsVersion != 1 {
			t.Errorf("deduction %+v %+v", d, d.Evidence)
		}
		// 11.1 km × 1.3 = 14.5 km: the first band.
		if tr := lineOf(t, st, fees.LineTravel); tr.NetFen != 5000 || tr.Quantity != 15 {
			t.Errorf("travel %+v", tr)
		}
		if s := lineOf(t, st, fees.LineSurcharge); s.Ref != "out_of_hours" || s.Request != "SR-2" {
			t.Errorf("surcharge %+v", s)
		}
		checkTotals(t, st)
		if st.TotalFen != st.Totals.TotalFen || st.Totals.TotalInWords != fees.AmountInWords(st.TotalFen) {
			t.Errorf("stored total %d, totals %+v", st.TotalFen, st.Totals)
		}

		again := w.generate(t, "2026-11")
		if again.ID != st.ID || again.Version != st.Version+1 || len(again.Lines) != len(st.Lines) || again.TotalFen != st.TotalFen {
			t.Errorf("regenerated draft differs: %d/%d lines, %d/%d fen", len(again.Lines), len(st.Lines), again.TotalFen, st.TotalFen)
		}
		for i := range st.Lines {
			a, b := again.Lines[i], st.Lines[i]
			a.ID, b.ID = 0, 0
			if a.Line != b.Line || a.Request != b.Request {
				t.Errorf("line %d: %+v, was %+v", i, a, b)
			}
		}

		st = again
		d = lineOf(t, st, settlement.LineDeduction)
		// Auditors read, nobody else of the parties reviews or prepares.
		if _, err := w.svc.Get(ctx, w.f.Users[policy.VendorAuditor].Actor(), st.ID); err != nil {
			t.Errorf("the auditor reads: %v", err)
		}
		if _, err := w.svc.Get(ctx, other, st.ID); !problem.Is(err, problem.NotFound) {
			t.Errorf("another vendor reads: %v", err)
		}
		if _, err := w.svc.Get(ctx, w.f.Users[policy.Customer].Actor(), st.ID); !problem.Is(err, problem.NotFound) {
			t.Errorf("the customer reads: %v", err)
		}
		if _, err := w.svc.Dispute(ctx, w.vendor, st.ID, d.ID, "not late"); !problem.Is(err, problem.Conflict) {
			t.Errorf("dispute on a draft: %v", err)
		}
		if _, err := w.svc.Submit(ctx, w.vendor, st.ID); !problem.Is(err, problem.Forbidden) {
			t.Errorf("the vendor submits: %v", err)
		}
		submitted, err := w.svc.Submit(ctx, w.provider, st.ID)
		if err != nil || submitted.Status != settlement.Submitted {
			t.Fatalf("submit: %v %s", err, submitted.Status)
		}
		st, err = w.svc.Get(ctx, w.provider, st.ID)
		if err != nil {
			t.Fatal(err)
		}
		if st.Status != settlement.Submitted || !reflect.DeepEqual(submitted.Totals, st.Totals) || submitted.TotalFen != st.TotalFen || submitted.Version != st.Version {
			t.Errorf("submit answered %+v %d, the statement is %+v %d", submitted.Totals, submitted.Version, st.Totals, st.Version)
		}
		if _, err := w.svc.Generate(ctx, w.provider, w.agreementID, "2026-11"); !problem.Is(err, problem.Conflict) {
			t.Errorf("regenerating a submitted statement: %v", err)
		}

		travel := lineOf(t, st, fees.LineTravel)
		if _, err := w.svc.Dispute(ctx, w.vendor, st.ID, travel.ID, " "); !problem.Is(err, problem.Invalid) {
			t.Errorf("a dispute without a reason: %v", err)
		}
		if st, err = w.svc.Dispute(ctx, w.vendor, st.ID, travel.ID, "the site is 10 km away"); err != nil || st.Status != settlement.Disputed {
			t.Fatalf("dispute: %v", err)
		}
		d = lineOf(t, st, settlement.LineDeduction)
		if st, err = w.svc.Dispute(ctx, w.vendor, st.ID, d.ID, "check"); err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.Approve(ctx, w.vendor, st.ID); !problem.Is(err, problem.Conflict) {
			t.Errorf("approve with open disputes: %v", err)
		}
		if _, err := w.svc.AnswerDispute(ctx, w.provider, st.ID, travel.ID, settlement.Answer{Accept: true, AmountFen: fen(travel.NetFen + 1)}); !problem.Is(err, problem.Invalid) {
			t.Errorf("an accepted dispute that raises the line: %v", err)
		}
		before := st.TotalFen
		st, err = w.svc.AnswerDispute(ctx, w.provider, st.ID, travel.ID, settlement.Answer{Accept: true, AmountFen: fen(4000)})
		if err != nil {
			t.Fatal(err)
		}
		if st.Status != settlement.Disputed || st.TotalFen != before-1130 {
			t.Errorf("after accepting: %s, total %d (was %d)", st.Status, st.TotalFen, before)
		}
		if _, err := w.svc.AnswerDispute(ctx, w.provider, st.ID, d.ID, settlement.Answer{}); !problem.Is(err, problem.Invalid) {
			t.Errorf("an explanation without text: %v", err)
		}
		if st, err = w.svc.AnswerDispute(ctx, w.provider, st.ID, d.ID, settlement.Answer{Text: "the clock says so"}); err != nil || st.Status != settlement.Submitted {
			t.Fatalf("explain: %v %s", err, st.Status)
		}
		checkTotals(t, st)
		if st, err = w.svc.Approve(ctx, w.vendor, st.ID); err != nil || st.Status != settlement.Approved {
			t.Fatalf("approve: %v", err)
		}
		_, err = w.svc.Approve(ctx, w.vendor, st.ID)
		if p, ok := problem.As(err); !ok || p.Kind != problem.Conflict || p.Reason != "status_transition" {
			t.Errorf("a second approval: %v", err)
		} else if zh := p.Translate(func(f string) (string, bool) { return i18n.Default().ProblemFormat("zh-CN", f) }); zh.Detail != "结算单 "+st.Number+" 已审批通过" {
			t.Errorf("a second approval in Chinese: %q", zh.Detail)
		}
		if _, err := w.svc.Dispute(ctx, w.vendor, st.ID, d.ID, "again"); !problem.Is(err, problem.Conflict) {
			t.Errorf("a dispute on a locked statement: %v", err)
		}
		if _, err := store.Exec(ctx, w.db, `UPDATE settlement_lines SET net_fen = 1 WHERE statement_id = ?`, st.ID); err == nil {
			t.Error("the database changed a line of an approved statement")
		}
		if _, err := store.Exec(ctx, w.db, `DELETE FROM settlement_lines WHERE statement_id = ?`, st.ID); err == nil {
			t.Error("the database deleted a line of an approved statement")
		}
		list, err := w.svc.List(ctx, w.vendor, w.agreementID)
		if err != nil || len(list) != 1 || list[0].Status != settlement.Approved {
			t.Errorf("list: %v %+v", err, list)
		}
	})
}

// checkTotals: the stored total and tax are the sums of the lines.
func checkTotals(t *testing.T, st settlement.Statement) {
	t.Helper()
	var gross, tax int64
	for _, l := range st.Lines {
		if l.Counts() {
			gross += l.GrossFen
			if l.Kind != settlement.LineDeduction {
				tax += l.TaxFen
			}
		}
	}
	if st.TotalFen != gross || st.TaxFen != tax || st.Totals.TotalFen != gross || st.Totals.Fees.TaxFen != tax {
		t.Errorf("total %d tax %d, lines sum to %d and %d", st.TotalFen, st.TaxFen, gross, tax)
	}
}

func TestPaymentsAndOverdue(t *testing.T) {
	inWorld(t, newWorld, func(t *testing.T, ctx context.Context, w *world) {
		w.visit(t, "SR-1", "repair", "general", "2026-11-20 10:00", 60, 0)
		st := w.generate(t, "2026-11")
		pay := func(fen int64, day string) error {
			_, err := w.svc.Pay(ctx, w.vendor, settlement.NewPayment{StatementID: st.ID, AmountFen: fen, PaidOn: day, Reference: "CMB-1"})
			return err
		}
		if err := pay(100, "2026-12-05"); !problem.Is(err, problem.Conflict) {
			t.Fatalf("paying a draft: %v", err)
		}
		if _, err := w.svc.Submit(ctx, w.provider, st.ID); err != nil {
			t.Fatal(err)
		}
		st, err := w.svc.Approve(ctx, w.vendor, st.ID)
		if err != nil {
			t.Fatal(err)
		}
		// Approved on 2026-12-06 with 30 payment days.
		if st.DueOn != "2027-01-05" || st.OpenFen() != st.TotalFen || st.TotalFen <= 0 {
			t.Fatalf("approved: due %s, open %d of %d", st.DueOn, st.OpenFen(), st.TotalFen)
		}
		if err := pay(st.TotalFen+1, "2026-12-05"); !problem.Is(err, problem.Invalid) {
			t.Fatalf("paying more than is open: %v", err)
		}
		if err := pay(100, "2026-12-07"); !problem.Is(err, problem.Invalid) {
			t.Fatalf("a payment in the future: %v", err)
		}
		if _, err := w.svc.Pay(ctx, w.provider, settlement.NewPayment{StatementID: st.ID, AmountFen: 100, PaidOn: "2026-12-05"}); !problem.Is(err, problem.Forbidden) {
			t.Fatalf("the provider records a payment: %v", err)
		}
		if err := pay(1000, "2026-12-05"); err != nil {
			t.Fatal(err)
		}
		if st, _ = w.svc.Get(ctx, w.vendor, st.ID); st.PaidFen != 1000 || st.OpenFen() != st.TotalFen-1000 {
			t.Fatalf("after a partial payment: paid %d, open %d", st.PaidFen, st.OpenFen())
		}
		if !st.OverdueOn("2027-01-06") || st.OverdueOn("2027-01-05") {
			t.Error("overdue from the day after the due day")
		}
		if list, err := w.svc.Overdue(ctx, w.provider); err != nil || len(list) != 0 {
			t.Errorf("overdue before the due day: %v %d", err, len(list))
		}
		if err := pay(st.OpenFen(), "2026-12-06"); err != nil {
			t.Fatal(err)
		}
		if err := pay(1, "2026-12-06"); !problem.Is(err, problem.Invalid) {
			t.Fatalf("paying a paid statement: %v", err)
		}
		ps, err := w.svc.Payments(ctx, w.provider, st.ID)
		if err != nil || len(ps) != 2 || ps[0].AmountFen+ps[1].AmountFen != st.TotalFen {
			t.Fatalf("payments %+v %v", ps, err)
		}
	})
}

func TestInvoice(t *testing.T) {
	inWorld(t, newWorld, func(t *testing.T, ctx context.Context, w *world) {
		w.visit(t, "SR-1", "repair", "general", "2026-11-20 10:00", 60, 30)
		st := w.generate(t, "2026-11")
		inv := func(code, number, day string, fen int64) error {
			_, err := w.svc.RecordInvoice(ctx, w.provider, st.ID, settlement.Invoice{Code: code, Number: number, IssuedOn: day, AmountFen: fen})
			return err
		}
		gross := st.Totals.Fees.GrossFen
		if err := inv("", "26322000000012345678", "2026-12-05", gross); !problem.Is(err, problem.Conflict) {
			t.Fatalf("an invoice of a draft: %v", err)
		}
		w.svc.Submit(ctx, w.provider, st.ID)
		st, err := w.svc.Approve(ctx, w.vendor, st.ID)
		if err != nil {
			t.Fatal(err)
		}
		if st.Totals.DeductionsFen == 0 || gross == st.TotalFen {
			t.Fatalf("the sample has no deduction: %+v", st.Totals)
		}
		for _, c := range []struct {
			code, number, day string
			fen               int64
			field             string
		}{
			{"", "2632200000001234567", "2026-12-05", gross, "number"},
			{"3200123456", "1234567", "2026-12-05", gross, "number"},
			{"32001234", "12345678", "2026-12-05", gross, "code"},
			{"", "26322000000012345678", "2026-12-07", gross, "issued_on"},
			{"", "26322000000012345678", "2026-12-05", st.TotalFen, "amount_fen"},
		} {
			err := inv(c.code, c.number, c.day, c.fen)
			p, _ := problem.As(err)
			if p == nil || p.Kind != problem.Invalid || p.Fields[0].Field != c.field {
				t.Errorf("%+v: %v", c, err)
			}
		}
		if _, err := w.svc.RecordInvoice(ctx, w.vendor, st.ID, settlement.Invoice{Number: "26322000000012345678", IssuedOn: "2026-12-05", AmountFen: gross}); !problem.Is(err, problem.Forbidden) {
			t.Errorf("the vendor records the invoice: %v", err)
		}
		if err := inv("3200123456", "12345678", "2026-12-05", gross); err != nil {
			t.Fatal(err)
		}
		if err := inv("", "26322000000012345678", "2026-12-05", gross); !problem.Is(err, problem.Conflict) {
			t.Fatalf("a second invoice: %v", err)
		}
	})
}

// Records sealed before prices were kept (or by a path that does not
// price them) are priced when their period's statement is generated, and
// the statement is the one their prices at sealing would have made.
func TestRecordsWithoutAStoredPriceArePricedOnDemand(t *testing.T) {
	inWorld(t, newWorld, func(t *testing.T, ctx context.Context, w *world) {
		w.novemberVisits(t)
		// Checked out in October, sealed in November: an adjustment line.
		w.seal(t, record.Content{Kind: record.KindConsultation, Consultation: &record.Consultation{Request: "SR-5", Agreement: "HX-2026-01",
			ServiceItem: "consultation", Question: "q", Answer: "a", AnsweredAt: shanghai("2026-10-31 23:00")}}, shanghai("2026-11-02 09:00"))
		priced := w.generate(t, "2026-11")
		count := func() (n int) {
			if err := store.Get(ctx, w.db, &n, `SELECT COUNT(*) FROM record_prices WHERE agreement_id = ?`, w.agreementID); err != nil {
				t.Fatal(err)
			}
			return n
		}
		if n := count(); n != 4 {
			t.Fatalf("%d records priced at sealing, want 4", n)
		}
		for _, q := range []string{`DELETE FROM record_price_lines`, `DELETE FROM record_prices`} {
			if _, err := store.Exec(ctx, w.db, q); err != nil {
				t.Fatal(err)
			}
		}
		again := w.generate(t, "2026-11")
		if n := count(); n != 4 {
			t.Errorf("%d records priced on demand, want 4", n)
		}
		if len(again.Lines) != len(priced.Lines) || !reflect.DeepEqual(again.Totals, priced.Totals) {
			t.Fatalf("on demand %d lines %+v, at sealing %d lines %+v", len(again.Lines), again.Totals, len(priced.Lines), priced.Totals)
		}
		adjustments := 0
		for i := range priced.Lines {
			a, b := again.Lines[i], priced.Lines[i]
			a.ID, b.ID = 0, 0
			if !reflect.DeepEqual(a, b) {
				t.Errorf("line %d: on demand %+v, at sealing %+v", i, a, b)
			}
			if b.AdjustmentOf == "2026-10" {
				adjustments++
			}
		}
		if adjustments != 1 {
			t.Errorf("%d adjustment lines of October, want 1", adjustments)
		}
		checkTotals(t, again)
	})
}

// Travel is priced on the kilometres the technician entered at check-out
// when there are any, without the road factor, and on the straight line
// times the road factor otherwise (11.1 km × 1.3: 15 km).
func TestTravelOnEnteredKilometres(t *testing.T) {
	inWorld(t, newWorld, func(t *testing.T, _ context.Context, w *world) {
		straight := w.visit(t, "SR-1", "repair", "general", "2026-11-10 10:00", 60, 0)
		entered := func(no, in string, metres int64) int64 {
			c := w.visitContent(no, "repair", "general", in, 60, 0)
			c.Visit.TravelMetres = &metres
			return w.seal(t, c, c.Visit.CheckedOut)
		}
		far := entered("SR-2", "2026-11-11 10:00", 31_200)  // 32 started km: 50 yuan + 7 km × 2 yuan
		near := entered("SR-3", "2026-11-12 10:00", 10_000) // 10 km, shorter than the straight line's 15
		st := w.generate(t, "2026-11")
		want := map[int64][2]int64{straight: {15, 5000}, far: {32, 6400}, near: {10, 5000}}
		got := map[int64][2]int64{}
		for _, l := range st.Lines {
			if l.Kind == fees.LineTravel && l.RecordID != nil {
				got[*l.RecordID] = [2]int64{l.Quantity, l.NetFen}
			}
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("travel (km, fen) by record: %v, want %v", got, want)
		}
		checkTotals(t, st)
	})
}

// A draft refers to its records' kept prices: a record sealed in the
// period after the draft was generated is not on it until it is generated
// again. Submitting copies the lines into the statement, with the same
// amounts and totals, and from then on no change of a kept price reaches
// it.
func TestDraftRefersToKeptPricesUntilSubmitted(t *testing.T) {
	inWorld(t, newWorld, func(t *testing.T, ctx context.Context, w *world) {
		w.visit(t, "SR-1", "repair", "emergency", "2026-11-20 10:00", 95, 90,
			record.FittedPart{PartNumber: "P-1", Name: "Encoder", Kind: "genuine", Quantity: 1, UnitPriceFen: fen(40000)})
		w.visit(t, "SR-2", "repair", "general", "2026-11-21 10:00", 30, 0)
		draft := w.generate(t, "2026-11")
		for _, l := range draft.Lines {
			if l.RecordID != nil && l.Kind != settlement.LineDeduction && l.ID != 0 {
				t.Errorf("a draft's record line has an id of its own: %+v", l)
			}
		}
		var own int
		if err := store.Get(ctx, w.db, &own, `SELECT COUNT(*) FROM settlement_lines WHERE statement_id = ?`, draft.ID); err != nil {
			t.Fatal(err)
		}
		if own != 1 { // the late-arrival deduction
			t.Fatalf("the draft holds %d lines of its own, want only its deduction", own)
		}

		w.visit(t, "SR-3", "repair", "general", "2026-11-24 10:00", 60, 0)
		same, err := w.svc.Get(ctx, w.provider, draft.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(same.Lines, draft.Lines) || !reflect.DeepEqual(same.Totals, draft.Totals) {
			t.Fatalf("a record sealed after generating changed the draft: %d lines, was %d", len(same.Lines), len(draft.Lines))
		}
		draft = w.generate(t, "2026-11")
		if len(draft.Lines) <= len(same.Lines) || draft.TotalFen <= same.TotalFen {
			t.Fatalf("generated again: %d lines %d fen, before %d lines %d fen", len(draft.Lines), draft.TotalFen, len(same.Lines), same.TotalFen)
		}

		submitted, err := w.svc.Submit(ctx, w.provider, draft.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(submitted.Totals, draft.Totals) || submitted.RecordsThrough != nil {
			t.Errorf("submit answered %+v, the draft %+v", submitted.Totals, draft.Totals)
		}
		st, err := w.svc.Get(ctx, w.provider, draft.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(st.Lines) != len(draft.Lines) || !reflect.DeepEqual(st.Totals, draft.Totals) || st.TotalFen != draft.TotalFen {
			t.Fatalf("submitted %d lines %+v, the draft %d lines %+v", len(st.Lines), st.Totals, len(draft.Lines), draft.Totals)
		}
		for i := range st.Lines {
			a, b := st.Lines[i], draft.Lines[i]
			if a.ID == 0 {
				t.Errorf("submitted line %d has no id", i)
			}
			a.ID, b.ID = 0, 0
			if !reflect.DeepEqual(a, b) {
				t.Errorf("line %d: submitted %+v, draft %+v", i, a, b)
			}
		}
		if _, err := store.Exec(ctx, w.db, `UPDATE record_price_lines SET net_fen = net_fen + 100, gross_fen = gross_fen + 100`); err != nil {
			t.Fatal(err)
		}
		after, err := w.svc.Get(ctx, w.provider, st.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(after.Lines, st.Lines) || !reflect.DeepEqual(after.Totals, st.Totals) {
			t.Fatal("a changed kept price reached a submitted statement")
		}
		checkTotals(t, after)
	})
}
