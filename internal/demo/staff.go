package demo

import (
	"context"
	"fmt"
	"time"

	"aftersales/internal/account"
	"aftersales/internal/agreement"
	"aftersales/internal/app"
	"aftersales/internal/calendar"
	"aftersales/internal/policy"
	"aftersales/internal/staff"
	"aftersales/internal/store"
)

// Demo certificate numbers the browser tests and the docs refer to.
const (
	// DemoCertExpiring is 李工's laser certificate, which expires in 12 days.
	DemoCertExpiring = "HC-LAS-2024-0131"
	// DemoCertExpired is 赵工's CNC certificate, expired five days ago.
	DemoCertExpired = "HC-CNC-2023-0088"
)

// loadStaff fills the staff register: the providers' service points with
// their stores, the technicians' profiles, certificates (one about to
// expire, one expired), trainings and assessments, and 海川's
// qualification rules. It runs last: the rules hold for visits booked
// from then on.
func loadStaff(ctx context.Context, a *app.App, ids map[string]int64) error {
	db, svc := a.DB, a.Staff
	user := func(email string) (account.User, error) { return account.GetUserByEmail(ctx, db, email) }
	storeID := func(org, name string) (*int64, error) {
		var id int64
		err := store.Get(ctx, db, &id, `SELECT id FROM stock_locations WHERE org_id = ? AND name = ?`, ids[org], name)
		return &id, err
	}
	today := calendar.DateOf(a.Now(), calendar.Shanghai)
	day := func(n int) string { return today.AddDays(n).String() }
	vendor := ids["haichuan"]

	type point struct {
		org   string
		admin string
		in    staff.PointInput
		store string
	}
	points := map[string]int64{}
	for _, p := range []point{
		{"hengxin", "admin@hengxin.example", staff.PointInput{Name: "苏州网点", Address: "苏州市虎丘区狮山路 88 号", Division: "320505", Lat: 31.2983, Lng: 120.5432,
			RadiusKm: 60, Phone: "0512-66881234"}, DemoStoreSuzhou},
		{"hengxin", "admin@hengxin.example", staff.PointInput{Name: "杭州网点", Address: "杭州市西湖区文三路 199 号", Division: "330106", Lat: 30.2766, Lng: 120.1215,
			RadiusKm: 50, Phone: "0571-88012399"}, "杭州网点库"},
		{"yuean", "admin@yuean.example", staff.PointInput{Name: "东莞网点", Address: "东莞市南城街道鸿福路 106 号", Division: "441900", Lat: 23.0207, Lng: 113.7518,
			RadiusKm: 80, Phone: "0769-22881234"}, "东莞网点库"},
	} {
		admin, err := user(p.admin)
		if err != nil {
			return err
		}
		if p.in.StockLocationID, err = storeID(p.org, p.store); err != nil {
			return fmt.Errorf("demo service point %s: store %s: %w", p.in.Name, p.store, err)
		}
		created, err := svc.CreatePoint(ctx, admin.Actor(), ids[p.org], p.in)
		if err != nil {
			return fmt.Errorf("demo service point %s: %w", p.in.Name, err)
		}
		points[p.in.Name] = created.ID
	}

	type tech struct {
		email, admin, point string
		efficiency          int
		skills              []staff.Skill
		certs               []staff.CertInput
	}
	vendorCert := func(line string, level int, number string, issued, expires string) staff.CertInput {
		return staff.CertInput{Kind: staff.VendorCert, VendorID: &vendor, ProductLine: line, Level: level, Number: number, IssuedOn: issued, ExpiresOn: expires}
	}
	for _, t := range []tech{
		{"tech.li@hengxin.example", "admin@hengxin.example", "苏州网点", 1150,
			[]staff.Skill{{ProductLine: "数控机床", Level: 4}, {ProductLine: "激光设备", Level: 3}},
			[]staff.CertInput{
				vendorCert("数控机床", 4, "HC-CNC-2024-0042", day(-400), day(700)),
				vendorCert("激光设备", 3, DemoCertExpiring, day(-718), day(12)),
				{Kind: staff.Permit, PermitType: "electrical", Number: "T320505198807120031", IssuedOn: day(-500)},
				{Kind: staff.Grade, Level: 4, Number: "HX-SG-0007", IssuedOn: day(-300), ExpiresOn: day(430)},
			}},
		{"tech.zhao@hengxin.example", "admin@hengxin.example", "苏州网点", 950,
			[]staff.Skill{{ProductLine: "数控机床", Level: 3}, {ProductLine: "激光设备", Level: 2}},
			[]staff.CertInput{
				vendorCert("数控机床", 3, DemoCertExpired, day(-1100), day(-5)),
				vendorCert("激光设备", 2, "HC-LAS-2025-0210", day(-200), day(530)),
				{Kind: staff.Grade, Level: 2, Number: "HX-SG-0019", IssuedOn: day(-300), ExpiresOn: day(430)},
			}},
		{"tech.he@yuean.example", "admin@yuean.example", "东莞网点", 1000,
			[]staff.Skill{{ProductLine: "工业机器人", Level: 4}, {ProductLine: "数控机床", Level: 3}, {ProductLine: "激光设备", Level: 3}},
			[]staff.CertInput{
				vendorCert("工业机器人", 4, "HC-ROB-2024-0007", day(-300), day(800)),
				vendorCert("数控机床", 3, "HC-CNC-2025-0101", day(-100), day(1000)),
				vendorCert("激光设备", 3, "HC-LAS-2025-0099", day(-100), day(1000)),
				{Kind: staff.Permit, PermitType: "electrical", Number: "T441900199003150052", IssuedOn: day(-900)},
			}},
	} {
		u, err := user(t.email)
		if err != nil {
			return err
		}
		adminUser, err := user(t.admin)
		if err != nil {
			return err
		}
		admin := adminUser.Actor()
		pointID := points[t.point]
		if _, err := svc.UpdateTechnician(ctx, admin, u.ID, staff.TechnicianInput{ServicePointID: &pointID, EfficiencyPermille: t.efficiency, Skills: t.skills}, 1); err != nil {
			return fmt.Errorf("demo technician %s: %w", t.email, err)
		}
		for _, c := range t.certs {
			if _, err := svc.AddCertification(ctx, admin, u.ID, c); err != nil {
				return fmt.Errorf("demo certificate %s of %s: %w", c.Number, t.email, err)
			}
		}
		if _, err := svc.AddTraining(ctx, admin, u.ID, staff.Training{Course: "海川数控系统维修（中级）", HeldOn: day(-60), HoursTenths: 160, Trainer: "海川培训中心", Result: "passed"}); err != nil {
			return err
		}
		if _, err := svc.AddAssessment(ctx, admin, u.ID, staff.Assessment{Period: lastQuarter(a.Now()), Score: 80 + len(t.certs)*3, Assessor: adminUser.Name,
			Comments: "响应及时，客户评价良好"}); err != nil {
			return err
		}
	}

	vendorAdmin, err := user("admin@haichuan.example")
	if err != nil {
		return err
	}
	for _, r := range []staff.RuleInput{
		{Kind: staff.CertificateRule, ProductLine: "数控机床", MinLevel: 2},
		{Kind: staff.CertificateRule, ProductLine: "激光设备", MinLevel: 2},
		{Kind: staff.CertificateRule, ProductLine: "工业机器人", MinLevel: 3},
		{Kind: staff.PermitRule, ProductLine: "成形设备", ServiceItem: "repair", PermitType: "electrical"},
	} {
		if _, err := svc.CreateRule(ctx, vendorAdmin.Actor(), vendor, r); err != nil {
			return fmt.Errorf("demo qualification rule %s: %w", r.ProductLine, err)
		}
	}
	return referPoints(ctx, a, vendorAdmin.Actor(), points)
}

// referPoints records 恒信's agreement's service points as the staff
// register's: the versions signed before keep theirs written inline.
func referPoints(ctx context.Context, a *app.App, vendor policy.Actor, points map[string]int64) error {
	var id int64
	if err := store.Get(ctx, a.DB, &id, `SELECT id FROM agreements WHERE number = 'HC-HX-2026-001'`); err != nil {
		return err
	}
	d, err := a.Agreements.Get(ctx, vendor, id)
	if err != nil {
		return err
	}
	versions, err := a.Agreements.Versions(ctx, vendor, id)
	if err != nil {
		return err
	}
	latest := versions[len(versions)-1]
	terms := latest.Terms.Clone()
	for i, p := range terms.ServicePoints {
		if pid, ok := points[p.Name]; ok {
			terms.ServicePoints[i] = agreement.ServicePoint{ServicePointID: pid, RadiusKM: p.RadiusKM}
		}
	}
	// From the latest version's date, or from today when the load began
	// on the day before (a demo loaded across midnight in Shanghai): a new
	// version never takes effect in the past.
	from := max(latest.EffectiveFrom, calendar.LocalDate(a.Now()))
	if _, err := a.Agreements.AddVersion(ctx, vendor, id, agreement.NewVersion{Terms: terms, EffectiveFrom: from,
		Note: "服务网点改为引用人员网点登记"}, d.Version); err != nil {
		return fmt.Errorf("demo agreement points: %w", err)
	}
	return nil
}

// lastQuarter names the quarter before the one t falls in, e.g. 2026-Q3.
func lastQuarter(t time.Time) string {
	t = t.In(calendar.Shanghai)
	q := (int(t.Month())-1)/3 - 1
	y := t.Year()
	if q < 0 {
		q, y = 3, y-1
	}
	return fmt.Sprintf("%d-Q%d", y, q+1)
}
