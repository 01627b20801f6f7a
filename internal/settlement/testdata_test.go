package settlement_test

import (
	"context"
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
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

func fen(v int64) *int64 { return &v }

// feeTerms are complete terms with a fee schedule and breach rules.
func feeTerms() agreement.Terms {
	return agreement.Terms{
		Term:          agreement.Term{Start: "2026-01-01", End: "2027-12-31"},
		CoveredModels: []string{"FX-100"}, ServiceArea: []string{"32"},
		ServicePoints:        []agreement.ServicePoint{{Name: "苏州网点", Lat: 31.30, Lng: 120.60, RadiusKM: 50}},
		ServiceItems:         []agreement.ServiceItem{agreement.Repair, agreement.Maintenance, agreement.Consultation},
		Emergency:            agreement.EmergencyTerms{ResponseHours: 2, OnSiteHours: 8, CalendarID: "24x7"},
		General:              agreement.GeneralTerms{ResponseWorkingDays: 2, CalendarID: "cn"},
		SatisfactionPermille: 900, RetentionMonths: 36,
		Payment: agreement.PaymentTerms{SettlementPeriod: agreement.Monthly, PaymentDueDays: 30,
			BankName: "中国工商银行苏州分行", AccountName: "恒信设备服务有限公司", AccountNumber: "1102 0203 0900 1234 567"},
		AdjustmentLeadDays: 30,
		Fees: &fees.Schedule{
			VisitFees:       []fees.VisitFee{{ServiceItem: "repair", Priority: "emergency", Fen: 20000}, {ServiceItem: "repair", Priority: "general", Fen: 10000}},
			Labour:          fees.Labour{HourlyFen: 12000, IncrementMinutes: 30, MinimumMinutes: 60},
			Travel:          fees.Travel{RoadFactorPermille: 1300, Bands: []fees.TravelBand{{UpToKM: 25, FixedFen: 5000}, {UpToKM: 200, FixedFen: 5000, PerKMFen: 200}}},
			ConsultationFen: fen(3000),
			PartMarkups:     []fees.PartMarkup{{Kind: "genuine", MarkupBP: 1500}},
			Surcharges:      fees.Surcharges{OutOfHoursBP: 5000, HolidayBP: 10000},
		},
		Breach: &fees.BreachRules{LateOnSite: &fees.LateRule{Per: fees.PerStartedHour, AmountFen: 5000, PeriodCapFen: 100000}},
	}
}

type world struct {
	db          *store.DB
	f           *testutil.Fixture
	svc         *settlement.Service
	agreementID int64
	provider    policy.Actor
	vendor      policy.Actor
}

// newWorld makes an agreement with fees in force since 2026-01-01 and a
// settlement service whose today is 2026-12-06.
func newWorld(t *testing.T, db *store.DB) *world { return newBenchWorld(t, db) }

// inWorld runs test in parallel on each engine, in a fresh world made by
// newW.
func inWorld[W any](t *testing.T, newW func(*testing.T, *store.DB) W, test func(t *testing.T, ctx context.Context, w W)) {
	t.Parallel()
	testutil.Engines(t, func(t *testing.T, db *store.DB) { test(t, context.Background(), newW(t, db)) })
}

func newBenchWorld(t testing.TB, db *store.DB) *world {
	t.Helper()
	ctx := context.Background()
	f := testutil.Seed(t, db)
	w := &world{db: db, f: f, provider: f.Users[policy.ProviderAdmin].Actor(), vendor: f.Users[policy.VendorAdmin].Actor()}
	svc := testutil.Services(t, db).Agreements
	d, err := svc.Create(ctx, w.vendor, agreement.NewAgreement{ProviderID: f.Provider.ID, Number: "HX-2026-01", Terms: feeTerms()})
	if err != nil {
		t.Fatalf("create agreement: %v", err)
	}
	if _, err := svc.ChangeStatus(ctx, w.vendor, d.ID, agreement.Transition{To: agreement.Active, Reason: "signed"}, d.Version); err != nil {
		t.Fatalf("activate: %v", err)
	}
	w.agreementID = d.ID
	today := time.Date(2026, 12, 6, 2, 0, 0, 0, time.UTC)
	w.svc = &settlement.Service{DB: db, Now: func() time.Time { return today }, Calendars: registry.New(db).Get}
	return w
}

func shanghai(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, time.FixedZone("CST", 8*3600))
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

// visit seals a visit record checked in at in (Shanghai) for minutes, with
// the on-site clock late by lateMinutes (0: met).
func (w *world) visit(t *testing.T, no, item, priority, in string, minutes int, lateMinutes int, parts ...record.FittedPart) int64 {
	t.Helper()
	c := w.visitContent(no, item, priority, in, minutes, lateMinutes, parts...)
	return w.seal(t, c, c.Visit.CheckedOut)
}

// novemberVisits seals the visits most statements here are made of: SR-1,
// on a Friday in hours, 95 minutes, on-site 90 minutes late, one part;
// SR-2, on a Saturday, out of hours; SR-3, maintenance, which the schedule
// does not price (listed, never at zero).
func (w *world) novemberVisits(t *testing.T) {
	t.Helper()
	w.visit(t, "SR-1", "repair", "emergency", "2026-11-20 10:00", 95, 90,
		record.FittedPart{PartNumber: "P-1", Name: "Encoder", Kind: "genuine", Quantity: 1, UnitPriceFen: fen(40000)})
	w.visit(t, "SR-2", "repair", "general", "2026-11-21 10:00", 30, 0)
	w.visit(t, "SR-3", "maintenance", "general", "2026-11-23 10:00", 60, 0)
}

// visitContent is the content of the sealed visit visit makes.
func (w *world) visitContent(no, item, priority, in string, minutes int, lateMinutes int, parts ...record.FittedPart) record.Content {
	checkIn := shanghai(in)
	checkOut := checkIn.Add(time.Duration(minutes) * time.Minute)
	due := checkIn.Add(-time.Duration(lateMinutes) * time.Minute)
	state := sla.StateMet
	if lateMinutes > 0 {
		state = sla.StateBreached
	} else {
		due = checkIn.Add(time.Hour)
	}
	lat, lng := 31.40, 120.60 // 11.1 km north of the service point
	c := record.Content{Kind: record.KindVisit, Visit: &record.Visit{Request: no, Agreement: "HX-2026-01", ServiceItem: item, Priority: priority,
		ReceivedAt: checkIn.Add(-3 * time.Hour), CustomerOrg: w.f.Customer.ID, Product: record.Product{SerialNumber: "FX100-0001", Model: "FX-100"},
		Place: record.Place{Division: "320505", Lat: &lat, Lng: &lng}, CheckedIn: checkIn, CheckedOut: checkOut,
		OnSiteSeconds: int64(minutes) * 60, Result: "fixed", Parts: parts,
		Clocks: []record.ClockOutcome{{Clock: sla.OnSite, State: state, DueAt: due, StoppedAt: &checkIn, MarginSeconds: int64(due.Sub(checkIn) / time.Second)}}}}
	return c
}

func (w *world) seal(t testing.TB, c record.Content, at time.Time) int64 {
	t.Helper()
	var id int64
	err := w.db.Tx(context.Background(), func(tx *sqlx.Tx) error {
		r, err := record.Seal(context.Background(), tx, at, record.New{AgreementID: w.agreementID, VendorID: w.f.Vendor.ID,
			ProviderID: w.f.Provider.ID, Content: c, RetentionMonths: 36})
		if err != nil {
			return err
		}
		id = r.ID
		// As a visit's check-out does: the record is priced as it is sealed.
		return w.svc.RecordSealed(context.Background(), tx, r, at)
	})
	if err != nil {
		t.Fatalf("seal: %v", err)
	}
	return id
}
