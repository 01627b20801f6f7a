package demo

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/account"
	"aftersales/internal/app"
	"aftersales/internal/calendar"
	"aftersales/internal/fees"
	"aftersales/internal/org"
	"aftersales/internal/record"
	"aftersales/internal/settlement"
	"aftersales/internal/sla"
	"aftersales/internal/store"
)

func fenOf(v int64) *int64 { return &v }

// hengxinFees is 恒信's fee schedule: a fixed fee per visit, labour per
// started half hour (at least one hour), travel by distance band from the
// nearest service point, parts at cost plus a markup, surcharges out of
// hours and on statutory holidays; VAT at the general rates.
func hengxinFees() *fees.Schedule {
	return &fees.Schedule{
		VisitFees: []fees.VisitFee{
			{ServiceItem: "repair", Priority: "emergency", Fen: 30000}, {ServiceItem: "repair", Priority: "general", Fen: 18000},
			{ServiceItem: "maintenance", Priority: "general", Fen: 15000}, {ServiceItem: "part_replacement", Priority: "general", Fen: 12000},
			{ServiceItem: "part_replacement", Priority: "emergency", Fen: 20000},
		},
		Labour: fees.Labour{HourlyFen: 15000, IncrementMinutes: 30, MinimumMinutes: 60},
		Travel: fees.Travel{RoadFactorPermille: 1300, Bands: []fees.TravelBand{
			{UpToKM: 30, FixedFen: 8000}, {UpToKM: 150, FixedFen: 8000, PerKMFen: 250}}},
		ConsultationFen: fenOf(5000),
		PartMarkups:     []fees.PartMarkup{{Kind: "genuine", MarkupBP: 1500}, {Kind: "approved", MarkupBP: 1000}},
		Surcharges:      fees.Surcharges{OutOfHoursBP: 3000, HolidayBP: 10000},
		Caps:            fees.Caps{PerVisitFen: 300000},
	}
}

// hengxinBreach: a late response costs 100 yuan a case, a late arrival 200
// yuan per started hour, each capped per month; an unreturned part costs
// its value; satisfaction under the threshold 2 % of the month's fees.
func hengxinBreach() *fees.BreachRules {
	return &fees.BreachRules{
		LateResponse:    &fees.LateRule{Per: fees.PerCase, AmountFen: 10000, PeriodCapFen: 200000},
		LateOnSite:      &fees.LateRule{Per: fees.PerStartedHour, AmountFen: 20000, PeriodCapFen: 500000},
		Satisfaction:    &fees.SatisfactionRule{DeductionBP: 200},
		UnreturnedParts: true,
	}
}

// demoVisit is a visit of the demo's settled and open months.
type demoVisit struct {
	no, item, priority, serial, model string
	day                               int // of the month
	at                                string
	minutes                           int
	lateMinutes                       int // on-site clock; 0: met
	lat, lng                          float64
	parts                             []record.FittedPart
}

// loadSettlements gives 恒信 and 海川 a settled month and an open one: the
// visits of last month are sealed as their records, the statement is
// generated, submitted, one travel line disputed and explained, and
// approved; this month's statement is a draft.
func loadSettlements(ctx context.Context, a *app.App) error {
	var agr struct {
		ID         int64 `db:"id"`
		VendorID   int64 `db:"vendor_id"`
		ProviderID int64 `db:"provider_id"`
	}
	if err := store.Get(ctx, a.DB, &agr, `SELECT id, vendor_id, provider_id FROM agreements WHERE number = 'HC-HX-2026-001'`); err != nil {
		return err
	}
	var customers struct {
		Jinggong int64 `db:"jinggong"`
		Mingde   int64 `db:"mingde"`
	}
	if err := store.Get(ctx, a.DB, &customers, `SELECT (SELECT id FROM organizations WHERE code = 'sz-jinggong') AS jinggong,
		(SELECT id FROM organizations WHERE code = 'hz-mingde') AS mingde`); err != nil {
		return err
	}
	encoder, lens := record.FittedPart{PartNumber: PartEncoder, Name: "伺服编码器", Kind: "genuine", Quantity: 1, UnitPriceFen: fenOf(320000)},
		record.FittedPart{PartNumber: "HC-LS-LENS-30", Name: "聚焦镜片", Kind: "genuine", Quantity: 1, UnitPriceFen: fenOf(86000)}
	belt := record.FittedPart{PartNumber: PartBelt, Name: "同步带（第三方）", Kind: "approved", Quantity: 2, UnitPriceFen: fenOf(26000)}
	last := []demoVisit{
		{"SR-DEMO-1101", "repair", "emergency", "HC850-2024-000121", "HC-CNC-850", 3, "10:20", 140, 0, 31.3146, 120.5434, []record.FittedPart{encoder}},
		{"SR-DEMO-1102", "repair", "general", "HCL3015-2025-00302", "HC-LASER-3015", 6, "14:00", 75, 0, 30.2775, 120.1296, []record.FittedPart{lens}},
		{"SR-DEMO-1103", "repair", "emergency", "HC850-2024-000122", "HC-CNC-850", 11, "21:30", 190, 95, 31.3146, 120.5434, nil},
		{"SR-DEMO-1104", "maintenance", "general", "HC850-2024-000123", "HC-CNC-850", 17, "09:30", 120, 0, 31.3146, 120.5434, []record.FittedPart{belt}},
		{"SR-DEMO-1105", "part_replacement", "general", "HCL3015-2025-00303", "HC-LASER-3015", 24, "13:10", 50, 0, 30.2775, 120.1296, nil},
	}
	this := []demoVisit{
		{"SR-DEMO-1201", "repair", "general", "HC850-2024-000124", "HC-CNC-850", 1, "10:00", 95, 0, 31.3146, 120.5434, nil},
	}
	now := a.Now().In(calendar.Shanghai)
	thisMonth := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, calendar.Shanghai)
	lastMonth := thisMonth.AddDate(0, -1, 0)
	tech, err := account.GetUserByEmail(ctx, a.DB, "tech.li@hengxin.example")
	if err != nil {
		return err
	}
	seal := func(month time.Time, v demoVisit) error {
		clock, err := time.ParseInLocation("15:04", v.at, calendar.Shanghai)
		if err != nil {
			return err
		}
		in := month.AddDate(0, 0, v.day-1).Add(time.Duration(clock.Hour())*time.Hour + time.Duration(clock.Minute())*time.Minute).UTC()
		if in.After(a.Now()) {
			return nil // not yet this month
		}
		out := in.Add(time.Duration(v.minutes) * time.Minute)
		due, state := in.Add(90*time.Minute), sla.StateMet
		if v.lateMinutes > 0 {
			due, state = in.Add(-time.Duration(v.lateMinutes)*time.Minute), sla.StateBreached
		}
		customer := customers.Jinggong
		if v.model == "HC-LASER-3015" {
			customer = customers.Mingde
		}
		cust, err := org.Get(ctx, a.DB, customer)
		if err != nil {
			return err
		}
		var site struct {
			Site    string `db:"site"`
			Address string `db:"address"`
		}
		if err := store.Get(ctx, a.DB, &site, `SELECT s.name AS site, s.address FROM units u JOIN sites s ON s.id = u.site_id
			WHERE u.serial_number = ?`, v.serial); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		lat, lng := v.lat, v.lng
		c := record.Content{Kind: record.KindVisit, Visit: &record.Visit{Request: v.no, Agreement: "HC-HX-2026-001", ServiceItem: v.item,
			Priority: v.priority, ReceivedAt: in.Add(-4 * time.Hour), CustomerOrg: customer, Customer: cust.Name, Product: record.Product{SerialNumber: v.serial, Model: v.model},
			Place: record.Place{Division: "320505", Site: site.Site, Address: site.Address, Lat: &lat, Lng: &lng}, Technician: record.Person{ID: tech.ID, Name: tech.Name},
			CheckedIn: in, CheckedOut: out, OnSiteSeconds: int64(v.minutes) * 60, Description: "设备报修", Result: "fixed",
			SignOff: record.SignOff{Kind: "signature", Name: "刘经理"}, Parts: v.parts, Photos: []record.PhotoDigest{},
			Clocks: []record.ClockOutcome{{Clock: sla.OnSite, State: state, DueAt: due, StoppedAt: &in, MarginSeconds: int64(due.Sub(in) / time.Second)}}}}
		return a.DB.Tx(ctx, func(tx *sqlx.Tx) error {
			_, err := record.Seal(ctx, tx, out.Add(20*time.Minute), record.New{AgreementID: agr.ID, VendorID: agr.VendorID,
				ProviderID: agr.ProviderID, Content: c, RetentionMonths: 36})
			return err
		})
	}
	for _, v := range last {
		if err := seal(lastMonth, v); err != nil {
			return fmt.Errorf("demo visit %s: %w", v.no, err)
		}
	}
	for _, v := range this {
		if err := seal(thisMonth, v); err != nil {
			return fmt.Errorf("demo visit %s: %w", v.no, err)
		}
	}
	provider, err := account.GetUserByEmail(ctx, a.DB, "admin@hengxin.example")
	if err != nil {
		return err
	}
	vendor, err := account.GetUserByEmail(ctx, a.DB, "admin@haichuan.example")
	if err != nil {
		return err
	}
	p, v := provider.Actor(), vendor.Actor()
	svc := a.Settlements
	st, err := svc.Generate(ctx, p, agr.ID, lastMonth.Format("2006-01"))
	if err != nil {
		return fmt.Errorf("demo statement: %w", err)
	}
	if _, err = svc.Submit(ctx, p, st.ID); err != nil {
		return err
	}
	if st, err = svc.Get(ctx, p, st.ID); err != nil {
		return err
	}
	for _, l := range st.Lines {
		if l.Kind == fees.LineTravel && l.Request == "SR-DEMO-1102" {
			if st, err = svc.Dispute(ctx, v, st.ID, l.ID, "明德医院距杭州网点不足 10 公里，路程费请核实"); err != nil {
				return err
			}
			if st, err = svc.AnswerDispute(ctx, p, st.ID, l.ID, settlement.Answer{Text: "按协议路程费第一档（30 公里以内）固定收取 80 元，与实际距离无关"}); err != nil {
				return err
			}
			break
		}
	}
	if _, err := svc.Approve(ctx, v, st.ID); err != nil {
		return fmt.Errorf("demo approval: %w", err)
	}
	if _, err := svc.Generate(ctx, p, agr.ID, thisMonth.Format("2006-01")); err != nil {
		return fmt.Errorf("demo open statement: %w", err)
	}
	return nil
}
