package api_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/agreement"
	"aftersales/internal/calendar/registry"
	"aftersales/internal/fees"
	"aftersales/internal/policy"
	"aftersales/internal/record"
	"aftersales/internal/settlement"
	"aftersales/internal/sla"
	"aftersales/internal/testutil"
)

// settlementReaders: both parties' admins and the vendor's auditor.
var settlementReaders = []policy.Role{policy.VendorAdmin, policy.VendorAuditor, policy.ProviderAdmin}

// walkSettlement are the settlement operations of the authorization walk.
// %SETTLEMENT% is a fresh draft, %SETTLEMENT_SUBMITTED% a fresh submitted
// statement, %SETTLEMENT_DISPUTED% one with %LINE% disputed; each is of its
// own month of an agreement with a fee schedule, with one priced visit.
func walkSettlement(f *testutil.Fixture) map[string]walkCase {
	return map[string]walkCase{
		"list-settlements": {"GET", "/settlements", nil, settlementReaders},
		"generate-settlement": {"POST", "/settlements%SETTLE_GEN%", func(f *testutil.Fixture, _ policy.Role) any {
			w := settleWalkOf(f)
			return map[string]any{"agreement_id": w.agreementID, "period": w.period}
		}, []policy.Role{policy.ProviderAdmin}},
		"get-settlement":     {"GET", "/settlements/%SETTLEMENT%", nil, settlementReaders},
		"export-settlement":  {"GET", "/settlements/%SETTLEMENT%/export?format=xlsx&lang=en", nil, settlementReaders},
		"submit-settlement":  {"POST", "/settlements/%SETTLEMENT%/submit", nil, []policy.Role{policy.ProviderAdmin}},
		"approve-settlement": {"POST", "/settlements/%SETTLEMENT_SUBMITTED%/approve", nil, []policy.Role{policy.VendorAdmin}},
		"dispute-settlement-line": {"POST", "/settlements/%SETTLEMENT_SUBMITTED%/lines/%LINE%/dispute", func(*testutil.Fixture, policy.Role) any {
			return map[string]any{"reason": "the site is closer"}
		}, []policy.Role{policy.VendorAdmin}},
		"record-payment": {"POST", "/payments%SETTLE_PAY%", func(f *testutil.Fixture, _ policy.Role) any {
			return map[string]any{"statement_id": settleWalkOf(f).statementID, "amount_fen": 100, "paid_on": "2026-01-05"}
		}, []policy.Role{policy.VendorAdmin}},
		"record-settlement-invoice": {"POST", "/settlements/%SETTLEMENT_APPROVED%/invoice", func(f *testutil.Fixture, _ policy.Role) any {
			w := settleWalkOf(f)
			return map[string]any{"number": "26322000000012345678", "issued_on": "2026-01-05", "amount_fen": w.grossFen}
		}, []policy.Role{policy.ProviderAdmin}},
		"list-payments": {"GET", "/payments?statement_id=%SETTLEMENT%", nil, settlementReaders},
		"answer-settlement-line": {"POST", "/settlements/%SETTLEMENT_DISPUTED%/lines/%LINE%/answer", func(*testutil.Fixture, policy.Role) any {
			return map[string]any{"accept": true}
		}, []policy.Role{policy.ProviderAdmin}},
	}
}

// settleWalk is the walk's settlement state of one fixture.
type settleWalk struct {
	agreementID int64
	months      int
	period      string
	statementID int64
	grossFen    int64
}

var settleWalks sync.Map // *testutil.Fixture → *settleWalk

func settleWalkOf(f *testutil.Fixture) *settleWalk {
	w, _ := settleWalks.Load(f)
	return w.(*settleWalk)
}

// walkFeeTerms are complete terms with a fee schedule, in force since 2020.
func walkFeeTerms() agreement.Terms {
	return agreement.Terms{
		Term:          agreement.Term{Start: "2020-01-01", End: "2099-12-31"},
		CoveredModels: []string{"FX-100"}, ServiceArea: []string{"32"},
		ServiceItems:         []agreement.ServiceItem{agreement.Repair},
		Emergency:            agreement.EmergencyTerms{ResponseHours: 2, OnSiteHours: 8, CalendarID: "24x7"},
		General:              agreement.GeneralTerms{ResponseWorkingDays: 2, CalendarID: "cn"},
		SatisfactionPermille: 900, RetentionMonths: 36,
		Payment: agreement.PaymentTerms{SettlementPeriod: agreement.Monthly, PaymentDueDays: 30}, AdjustmentLeadDays: 30,
		Fees: &fees.Schedule{VisitFees: []fees.VisitFee{{ServiceItem: "repair", Priority: "general", Fen: 10000}},
			Labour: fees.Labour{HourlyFen: 12000, IncrementMinutes: 30}},
	}
}

// activeWalkAgreement is a fresh agreement of the fixture's vendor and
// provider on walkFeeTerms, numbered number and active.
func activeWalkAgreement(t *testing.T, app *testutil.App, f *testutil.Fixture, number string) int64 {
	t.Helper()
	ctx := context.Background()
	vendor := f.Users[policy.VendorAdmin].Actor()
	svc := testutil.Services(t, app.DB).Agreements
	d, err := svc.Create(ctx, vendor, agreement.NewAgreement{ProviderID: f.Provider.ID, Number: number, Terms: walkFeeTerms()})
	if err == nil {
		_, err = svc.ChangeStatus(ctx, vendor, d.ID, agreement.Transition{To: agreement.Active, Reason: "signed"}, d.Version)
	}
	if err != nil {
		t.Fatalf("agreement: %v", err)
	}
	return d.ID
}

// sealWalkVisit seals the record of a repair visit of request under the
// agreement numbered number, checked in at checkIn, on site for an hour.
func sealWalkVisit(t *testing.T, app *testutil.App, f *testutil.Fixture, agreementID int64, number, request string, checkIn time.Time) {
	t.Helper()
	ctx := context.Background()
	err := app.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		_, err := record.Seal(ctx, tx, checkIn.Add(time.Hour), record.New{AgreementID: agreementID, VendorID: f.Vendor.ID, ProviderID: f.Provider.ID,
			RetentionMonths: 36, Content: record.Content{Kind: record.KindVisit, Visit: &record.Visit{Request: request, Agreement: number,
				ServiceItem: "repair", Priority: "general", ReceivedAt: checkIn.Add(-time.Hour), CheckedIn: checkIn, CheckedOut: checkIn.Add(time.Hour), OnSiteSeconds: 3600,
				Clocks: []record.ClockOutcome{{Clock: sla.OnSite, State: sla.StateMet, DueAt: checkIn.Add(time.Hour), StoppedAt: &checkIn, MarginSeconds: 3600}}}}})
		return err
	})
	if err != nil {
		t.Fatalf("seal: %v", err)
	}
}

// withSettlements fills the settlement placeholders of a path.
func withSettlements(t *testing.T, app *testutil.App, f *testutil.Fixture, path string) string {
	t.Helper()
	if !strings.Contains(path, "%SETTLE") {
		return path
	}
	ctx := context.Background()
	v, _ := settleWalks.LoadOrStore(f, &settleWalk{})
	w := v.(*settleWalk)
	if w.agreementID == 0 {
		w.agreementID = activeWalkAgreement(t, app, f, "SETTLE-WALK")
	}
	// A month of its own with one visit sealed in it.
	month := time.Date(2020, time.January, 15, 2, 0, 0, 0, time.UTC).AddDate(0, w.months, 0)
	w.months++
	w.period = month.Format("2006-01")
	sealWalkVisit(t, app, f, w.agreementID, "SETTLE-WALK", "SR-WALK", month)
	if strings.Contains(path, "%SETTLE_GEN%") {
		return strings.ReplaceAll(path, "%SETTLE_GEN%", "")
	}
	svc := &settlement.Service{DB: app.DB, Now: time.Now, Calendars: registry.New(app.DB).Get}
	provider, vendor := f.Users[policy.ProviderAdmin].Actor(), f.Users[policy.VendorAdmin].Actor()
	st, err := svc.Generate(ctx, provider, w.agreementID, w.period)
	if err == nil {
		st, err = svc.Get(ctx, provider, st.ID)
	}
	if err == nil && !strings.Contains(path, "%SETTLEMENT%") {
		if _, err = svc.Submit(ctx, provider, st.ID); err == nil {
			st, err = svc.Get(ctx, provider, st.ID)
		}
	}
	if err == nil && strings.Contains(path, "%SETTLEMENT_APPROVED%") {
		st, err = svc.Approve(ctx, vendor, st.ID)
		w.grossFen = st.Totals.Fees.GrossFen
	}
	if err == nil && strings.Contains(path, "%SETTLE_PAY%") {
		st, err = svc.Approve(ctx, vendor, st.ID)
		w.statementID = st.ID
		path = strings.ReplaceAll(path, "%SETTLE_PAY%", "")
	}
	line := st.Lines[0].ID
	if err == nil && strings.Contains(path, "%SETTLEMENT_DISPUTED%") {
		st, err = svc.Dispute(ctx, vendor, st.ID, line, "too long on site")
	}
	if err != nil {
		t.Fatalf("prepare a statement: %v", err)
	}
	for _, p := range []string{"%SETTLEMENT%", "%SETTLEMENT_SUBMITTED%", "%SETTLEMENT_DISPUTED%", "%SETTLEMENT_APPROVED%"} {
		path = strings.ReplaceAll(path, p, fmt.Sprint(st.ID))
	}
	return strings.ReplaceAll(path, "%LINE%", fmt.Sprint(line))
}

// suspensionReaders: both parties' offices.
var suspensionReaders = []policy.Role{policy.VendorAdmin, policy.VendorAuditor, policy.ProviderAdmin, policy.Dispatcher}

// walkSuspension are the suspension operations of the authorization walk.
// %SUSPEND_AGR% makes a fresh agreement with an overdue statement (the body
// names them); %SUSPENSION% a fresh suspension announced for one.
func walkSuspension(f *testutil.Fixture) map[string]walkCase {
	return map[string]walkCase{
		"list-suspensions": {"GET", "/suspensions", nil, suspensionReaders},
		"get-suspension":   {"GET", "/suspensions/%SUSPENSION%", nil, suspensionReaders},
		"give-suspension-notice": {"POST", "/suspensions%SUSPEND_AGR%", func(f *testutil.Fixture, _ policy.Role) any {
			o := overdueOf(f)
			return map[string]any{"agreement_id": o.agreementID, "statement_ids": []int64{o.statementID}, "reason": "逾期未付"}
		}, []policy.Role{policy.ProviderAdmin}},
		"lift-suspension": {"POST", "/suspensions/%SUSPENSION%/lift", func(*testutil.Fixture, policy.Role) any {
			return map[string]any{"reason": "paid in cash"}
		}, []policy.Role{policy.ProviderAdmin}},
	}
}

// overdue is the walk's latest agreement with an overdue statement.
type overdue struct {
	agreementID, statementID int64
	n                        int
}

var overdues sync.Map // *testutil.Fixture → *overdue

func overdueOf(f *testutil.Fixture) *overdue {
	v, _ := overdues.LoadOrStore(f, &overdue{})
	return v.(*overdue)
}

// withSuspensions fills the suspension placeholders of a path.
func withSuspensions(t *testing.T, app *testutil.App, f *testutil.Fixture, path string) string {
	t.Helper()
	if !strings.Contains(path, "%SUSPEN") {
		return path
	}
	ctx := context.Background()
	o := overdueOf(f)
	o.n++
	vendor, provider := f.Users[policy.VendorAdmin].Actor(), f.Users[policy.ProviderAdmin].Actor()
	number := fmt.Sprintf("SUSPEND-WALK-%d", o.n)
	agreementID := activeWalkAgreement(t, app, f, number)
	sealWalkVisit(t, app, f, agreementID, number, "SR-SUSPEND", time.Date(2021, time.March, 15, 2, 0, 0, 0, time.UTC))
	// Approved 60 days ago with 30 days to pay: overdue today.
	past := &settlement.Service{DB: app.DB, Now: func() time.Time { return time.Now().AddDate(0, 0, -60) }, Calendars: registry.New(app.DB).Get}
	st, err := past.Generate(ctx, provider, agreementID, "2021-03")
	if err == nil {
		_, err = past.Submit(ctx, provider, st.ID)
	}
	if err == nil {
		_, err = past.Approve(ctx, vendor, st.ID)
	}
	if err != nil {
		t.Fatalf("an overdue statement: %v", err)
	}
	o.agreementID, o.statementID = agreementID, st.ID
	if strings.Contains(path, "%SUSPEND_AGR%") {
		return strings.ReplaceAll(path, "%SUSPEND_AGR%", "")
	}
	now := &settlement.Service{DB: app.DB, Now: time.Now}
	sp, err := now.Suspend(ctx, provider, settlement.NewSuspension{AgreementID: agreementID, StatementIDs: []int64{st.ID}, Reason: "逾期未付"})
	if err != nil {
		t.Fatalf("notice: %v", err)
	}
	return strings.ReplaceAll(path, "%SUSPENSION%", fmt.Sprint(sp.ID))
}
