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
	"aftersales/internal/policy"
	"aftersales/internal/record"
	"aftersales/internal/settlement"
	"aftersales/internal/sla"
	"aftersales/internal/testutil"
)

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
	agreements := testutil.Services(t, app.DB).Agreements
	d, err := agreements.Create(ctx, vendor, agreement.NewAgreement{ProviderID: f.Provider.ID, Number: number, Terms: walkFeeTerms()})
	if err == nil {
		_, err = agreements.ChangeStatus(ctx, vendor, d.ID, agreement.Transition{To: agreement.Active, Reason: "signed"}, d.Version)
	}
	if err != nil {
		t.Fatalf("agreement: %v", err)
	}
	checkIn := time.Date(2021, time.March, 15, 2, 0, 0, 0, time.UTC)
	err = app.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		_, err := record.Seal(ctx, tx, checkIn.Add(time.Hour), record.New{AgreementID: d.ID, VendorID: f.Vendor.ID, ProviderID: f.Provider.ID,
			RetentionMonths: 36, Content: record.Content{Kind: record.KindVisit, Visit: &record.Visit{Request: "SR-SUSPEND", Agreement: number,
				ServiceItem: "repair", Priority: "general", ReceivedAt: checkIn.Add(-time.Hour), CheckedIn: checkIn, CheckedOut: checkIn.Add(time.Hour), OnSiteSeconds: 3600,
				Clocks: []record.ClockOutcome{{Clock: sla.OnSite, State: sla.StateMet, DueAt: checkIn.Add(time.Hour), StoppedAt: &checkIn, MarginSeconds: 3600}}}}})
		return err
	})
	if err != nil {
		t.Fatalf("seal: %v", err)
	}
	// Approved 60 days ago with 30 days to pay: overdue today.
	past := &settlement.Service{DB: app.DB, Now: func() time.Time { return time.Now().AddDate(0, 0, -60) }, Calendars: registry.New(app.DB).Get}
	st, err := past.Generate(ctx, provider, d.ID, "2021-03")
	if err == nil {
		_, err = past.Submit(ctx, provider, st.ID)
	}
	if err == nil {
		_, err = past.Approve(ctx, vendor, st.ID)
	}
	if err != nil {
		t.Fatalf("an overdue statement: %v", err)
	}
	o.agreementID, o.statementID = d.ID, st.ID
	if strings.Contains(path, "%SUSPEND_AGR%") {
		return strings.ReplaceAll(path, "%SUSPEND_AGR%", "")
	}
	now := &settlement.Service{DB: app.DB, Now: time.Now}
	sp, err := now.Suspend(ctx, provider, settlement.NewSuspension{AgreementID: d.ID, StatementIDs: []int64{st.ID}, Reason: "逾期未付"})
	if err != nil {
		t.Fatalf("notice: %v", err)
	}
	return strings.ReplaceAll(path, "%SUSPENSION%", fmt.Sprint(sp.ID))
}
