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
	agreementID, vendorID, providerID int64
	months                            int
	period                            string
	statementID                       int64
	grossFen                          int64
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
		vendor := f.Users[policy.VendorAdmin].Actor()
		svc := testutil.Services(t, app.DB).Agreements
		d, err := svc.Create(ctx, vendor, agreement.NewAgreement{ProviderID: f.Provider.ID, Number: "SETTLE-WALK", Terms: walkFeeTerms()})
		if err != nil {
			t.Fatalf("create agreement: %v", err)
		}
		if _, err := svc.ChangeStatus(ctx, vendor, d.ID, agreement.Transition{To: agreement.Active, Reason: "signed"}, d.Version); err != nil {
			t.Fatalf("activate: %v", err)
		}
		w.agreementID, w.vendorID, w.providerID = d.ID, f.Vendor.ID, f.Provider.ID
	}
	// A month of its own with one visit sealed in it.
	month := time.Date(2020, time.January, 15, 2, 0, 0, 0, time.UTC).AddDate(0, w.months, 0)
	w.months++
	w.period = month.Format("2006-01")
	checkIn := month
	err := app.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		_, err := record.Seal(ctx, tx, checkIn.Add(time.Hour), record.New{AgreementID: w.agreementID, VendorID: w.vendorID, ProviderID: w.providerID,
			RetentionMonths: 36, Content: record.Content{Kind: record.KindVisit, Visit: &record.Visit{Request: "SR-WALK", Agreement: "SETTLE-WALK",
				ServiceItem: "repair", Priority: "general", ReceivedAt: checkIn.Add(-time.Hour), CheckedIn: checkIn, CheckedOut: checkIn.Add(time.Hour), OnSiteSeconds: 3600,
				Clocks: []record.ClockOutcome{{Clock: sla.OnSite, State: sla.StateMet, DueAt: checkIn.Add(time.Hour), StoppedAt: &checkIn, MarginSeconds: 3600}}}}})
		return err
	})
	if err != nil {
		t.Fatalf("seal: %v", err)
	}
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
