package demo

import (
	"context"
	"fmt"
	"time"

	"aftersales/internal/account"
	"aftersales/internal/app"
	"aftersales/internal/calendar"
	"aftersales/internal/installedbase"
	"aftersales/internal/parts"
	"aftersales/internal/policy"
	"aftersales/internal/servicerequest"
	"aftersales/internal/stock"
	"aftersales/internal/store"
	"aftersales/internal/workorder"
)

// Demo part numbers the README and the browser tests name.
const (
	PartBearing     = "HC-SP-850-BRG" // genuine, fits HC-CNC-850, returned to the vendor
	PartBelt        = "AP-BELT-850"   // approved without end, fits HC-CNC-850
	PartLubricant   = "AP-LUB-220"    // approved, but the approval has expired
	PartSeal        = "AP-SEAL-850"   // approved kind, not yet approved by the vendor nor listed for a model
	PartGripper     = "HC-RB-GRIP-6A" // genuine, fits only HC-ROBOT-6A
	PartEncoder     = "HC-ENC-2500"   // genuine, serialized
	DemoVanLi       = "李工的车"
	DemoStoreSuzhou = "苏州网点库"
)

type demoPart struct {
	in    parts.Input
	fits  []string
	state string // "" (genuine or pending), "approved", "approved_until", "expired"
}

// loadParts fills the catalog, the three levels of stock, and two visits
// whose replaced parts are owed back to the vendor (one of them overdue).
func loadParts(ctx context.Context, a *app.App, ids map[string]int64) error {
	db, now := a.DB, a.Now
	user := func(email string) (policy.Actor, error) {
		u, err := account.GetUserByEmail(ctx, db, email)
		return u.Actor(), err
	}
	vendor, err := user("admin@haichuan.example")
	if err != nil {
		return err
	}
	models := map[string]int64{}
	var ms []installedbase.ProductModel
	if err := store.Select(ctx, db, &ms, `SELECT id, code FROM product_models WHERE vendor_id = ?`, ids["haichuan"]); err != nil {
		return err
	}
	for _, m := range ms {
		models[m.Code] = m.ID
	}
	catalog := []demoPart{
		{parts.Input{PartNumber: PartBearing, Name: "主轴轴承组", NameEn: "Spindle bearing set", Kind: parts.Genuine, UnitCostFen: 128000, ReturnRequired: true}, []string{"HC-CNC-850"}, ""},
		{parts.Input{PartNumber: "HC-SP-850-MTR", Name: "主轴电机 7.5kW", NameEn: "Spindle motor 7.5 kW", Kind: parts.Genuine, UnitCostFen: 1860000, Serialized: true, ReturnRequired: true}, []string{"HC-CNC-850"}, ""},
		{parts.Input{PartNumber: PartEncoder, Name: "伺服编码器", NameEn: "Servo encoder", Kind: parts.Genuine, UnitCostFen: 320000, Serialized: true, ReturnRequired: true}, []string{"HC-CNC-850", "HC-ROBOT-6A"}, ""},
		{parts.Input{PartNumber: "HC-LS-NOZ-12", Name: "激光切割喷嘴 1.2mm", NameEn: "Cutting nozzle 1.2 mm", Kind: parts.Genuine, UnitCostFen: 4500}, []string{"HC-LASER-3015"}, ""},
		{parts.Input{PartNumber: "HC-LS-LENS-30", Name: "聚焦镜片", NameEn: "Focusing lens", Kind: parts.Genuine, UnitCostFen: 86000, ReturnRequired: true}, []string{"HC-LASER-3015"}, ""},
		{parts.Input{PartNumber: PartGripper, Name: "焊枪夹具", NameEn: "Torch gripper", Kind: parts.Genuine, UnitCostFen: 152000}, []string{"HC-ROBOT-6A"}, ""},
		{parts.Input{PartNumber: "AP-FLT-HY10", Name: "液压油滤芯（第三方）", NameEn: "Hydraulic filter (third party)", Kind: parts.Approved, UnitCostFen: 12000}, []string{"HC-PRESS-200", "HC-CNC-850"}, "approved_until"},
		{parts.Input{PartNumber: PartBelt, Name: "同步带（第三方）", NameEn: "Timing belt (third party)", Kind: parts.Approved, UnitCostFen: 26000}, []string{"HC-CNC-850"}, "approved"},
		{parts.Input{PartNumber: PartLubricant, Name: "导轨润滑油 4L（第三方）", NameEn: "Slideway oil 4 L (third party)", Kind: parts.Approved, UnitCostFen: 18000}, []string{"HC-CNC-850", "HC-PRESS-200"}, "expired"},
		{parts.Input{PartNumber: PartSeal, Name: "主轴密封圈组（第三方）", NameEn: "Spindle seal kit (third party)", Kind: parts.Approved, UnitCostFen: 9500}, nil, ""},
	}
	catalogSvc := a.Parts
	// The expired approval was granted a year ago for eleven months.
	yearAgo := func() time.Time { return now().AddDate(-1, 0, 0) }
	pastSvc := *a.Parts
	pastSvc.Now = yearAgo
	byNumber := map[string]parts.Part{}
	for _, dp := range catalog {
		for _, code := range dp.fits {
			dp.in.ModelIDs = append(dp.in.ModelIDs, models[code])
		}
		p, err := catalogSvc.Create(ctx, vendor, dp.in)
		if err != nil {
			return fmt.Errorf("demo part %s: %w", dp.in.PartNumber, err)
		}
		switch dp.state {
		case "approved":
			p, err = catalogSvc.Approve(ctx, vendor, p.ID, parts.Approval{}, p.Version)
		case "approved_until":
			p, err = catalogSvc.Approve(ctx, vendor, p.ID, parts.Approval{Until: calendar.LocalDate(now().AddDate(0, 6, 0))}, p.Version)
		case "expired":
			p, err = pastSvc.Approve(ctx, vendor, p.ID, parts.Approval{Until: calendar.LocalDate(now().AddDate(0, -1, 0))}, p.Version)
		}
		if err != nil {
			return fmt.Errorf("demo approval %s: %w", dp.in.PartNumber, err)
		}
		byNumber[p.PartNumber] = p
	}
	return loadStock(ctx, a, vendor, byNumber, user)
}

func loadStock(ctx context.Context, a *app.App, vendor policy.Actor, ps map[string]parts.Part, user func(string) (policy.Actor, error)) error {
	svc := silentStock(a)
	hx, err := user("admin@hengxin.example")
	if err != nil {
		return err
	}
	ya, err := user("admin@yuean.example")
	if err != nil {
		return err
	}
	li, _ := user("tech.li@hengxin.example")
	zhao, _ := user("tech.zhao@hengxin.example")
	he, _ := user("tech.he@yuean.example")
	loc := func(a policy.Actor, kind stock.LocationKind, name string, tech *policy.Actor) (stock.Location, error) {
		in := stock.LocationInput{Kind: kind, Name: name}
		if tech != nil {
			in.TechnicianID = &tech.UserID
		}
		return svc.CreateLocation(ctx, a, in)
	}
	var locs [7]stock.Location
	for i, l := range []struct {
		a    policy.Actor
		kind stock.LocationKind
		name string
		tech *policy.Actor
	}{
		{vendor, stock.Warehouse, "海川上海中心仓", nil},
		{hx, stock.Store, DemoStoreSuzhou, nil}, {hx, stock.Store, "杭州网点库", nil},
		{hx, stock.Van, DemoVanLi, &li}, {hx, stock.Van, "赵工的车", &zhao},
		{ya, stock.Store, "东莞网点库", nil}, {ya, stock.Van, "何工的车", &he},
	} {
		if locs[i], err = loc(l.a, l.kind, l.name, l.tech); err != nil {
			return fmt.Errorf("demo location %s: %w", l.name, err)
		}
	}
	warehouse, suzhou, hangzhou, vanLi, vanZhao, dongguan, vanHe := locs[0], locs[1], locs[2], locs[3], locs[4], locs[5], locs[6]
	move := func(a policy.Actor, kind stock.MovementKind, number string, from, to stock.Location, qty int64, ref string) error {
		in := stock.MoveInput{Kind: kind, PartID: ps[number].ID, FromLocationID: from.ID, ToLocationID: to.ID, Qty: qty, Reference: ref}
		if _, err := svc.Move(ctx, a, in); err != nil {
			return fmt.Errorf("demo %s %s: %w", kind, number, err)
		}
		return nil
	}
	none := stock.Location{}
	steps := []error{}
	for number, qty := range map[string]int64{PartBearing: 40, "HC-SP-850-MTR": 6, PartEncoder: 20, "HC-LS-NOZ-12": 300, "HC-LS-LENS-30": 30,
		PartGripper: 12, "AP-FLT-HY10": 80, PartBelt: 50, PartLubricant: 24, PartSeal: 30} {
		steps = append(steps, move(vendor, stock.Receive, number, none, warehouse, qty, "PO-2026-0815"))
	}
	// The vendor supplies the providers' stores.
	for _, t := range []struct {
		number string
		to     stock.Location
		qty    int64
	}{{PartBearing, suzhou, 8}, {PartEncoder, suzhou, 4}, {"HC-LS-NOZ-12", suzhou, 60}, {"AP-FLT-HY10", suzhou, 20}, {PartBelt, suzhou, 6},
		{PartLubricant, suzhou, 6}, {PartSeal, suzhou, 4}, {"HC-LS-LENS-30", hangzhou, 3}, {"HC-LS-NOZ-12", hangzhou, 40}, {PartBearing, hangzhou, 2},
		{PartGripper, dongguan, 3}, {PartBearing, dongguan, 5}} {
		steps = append(steps, move(vendor, stock.Transfer, t.number, warehouse, t.to, t.qty, "DN-2026-1101"))
	}
	// Each provider loads its technicians' vans.
	for _, t := range []struct {
		a        policy.Actor
		number   string
		from, to stock.Location
		qty      int64
	}{{hx, PartBearing, suzhou, vanLi, 3}, {hx, PartBelt, suzhou, vanLi, 2}, {hx, PartLubricant, suzhou, vanLi, 2}, {hx, PartSeal, suzhou, vanLi, 2},
		{hx, PartEncoder, suzhou, vanLi, 1}, {hx, "HC-LS-NOZ-12", suzhou, vanZhao, 10}, {hx, PartBearing, suzhou, vanZhao, 1},
		{ya, PartGripper, dongguan, vanHe, 1}, {ya, PartBearing, dongguan, vanHe, 3}} {
		steps = append(steps, move(t.a, stock.Transfer, t.number, t.from, t.to, t.qty, ""))
	}
	for _, err := range steps {
		if err != nil {
			return err
		}
	}
	// Safety stock; the Hangzhou store's lens stock is already below it.
	for _, s := range []struct {
		a      policy.Actor
		l      stock.Location
		number string
		qty    int64
	}{{hx, suzhou, PartBearing, 4}, {hx, suzhou, "AP-FLT-HY10", 10}, {hx, hangzhou, "HC-LS-LENS-30", 5}, {hx, vanLi, PartBearing, 2},
		{vendor, warehouse, PartBearing, 10}, {ya, dongguan, PartGripper, 2}} {
		if _, err := svc.SetSafety(ctx, s.a, s.l.ID, ps[s.number].ID, s.qty); err != nil {
			return fmt.Errorf("demo safety stock: %w", err)
		}
	}
	return loadVisits(ctx, a, svc, ps, vanHe, user)
}

// loadVisits: 何工 of 粤安 is on site at Dongguan Precision, where two
// spindle bearing sets were replaced from his van; both are owed back to
// the vendor. (The visit stays open, so no service record is sealed yet.)
func loadVisits(ctx context.Context, a *app.App, svc *stock.Service, ps map[string]parts.Part, van stock.Location, user func(string) (policy.Actor, error)) error {
	db, now := a.DB, a.Now
	admin, err := user("admin@yuean.example")
	if err != nil {
		return err
	}
	tech, err := user("tech.he@yuean.example")
	if err != nil {
		return err
	}
	visits := silentWorkOrders(a)
	// Received three weeks ago, the day the first bearing set was
	// replaced (see below), and still open.
	v, err := receivedAgo(a, 22*24*time.Hour).Create(ctx, admin, servicerequest.NewRequest{SerialNumber: "HC850-2025-000881", ServiceItem: "repair", Priority: "general",
		Description: "Spindle noise and chatter marks on the finished surface", ContactName: "Grace Ho", ContactPhone: "13800138000", Channel: servicerequest.Dispatcher})
	if err != nil {
		return fmt.Errorf("demo request: %w", err)
	}
	// The provider answered within the hour; the visit is today.
	if _, err := receivedAgo(a, 22*24*time.Hour-time.Hour).Act(ctx, admin, v.ID, servicerequest.Action{Kind: "responded",
		Note: "Customer called back; spindle to be inspected on site"}, v.Version); err != nil {
		return fmt.Errorf("demo response: %w", err)
	}
	start := now().Add(-2 * time.Hour)
	wo, err := visits.Book(ctx, admin, workorder.ForRequest(v.ID), workorder.Assignment{TechnicianID: tech.UserID, WindowStart: start, WindowEnd: start.Add(3 * time.Hour)})
	if err != nil {
		return err
	}
	if wo, err = visits.Step(ctx, tech, wo.ID, workorder.Step{Kind: "check_in"}, wo.Version); err != nil {
		return err
	}
	var returns []int64
	for _, old := range []string{"BRG-2025-0412", "BRG-2025-0413"} {
		c, err := svc.Consume(ctx, tech, stock.ConsumeInput{WorkOrderID: wo.ID, LocationID: van.ID, PartID: ps[PartBearing].ID, Qty: 1, SerialRemoved: old})
		if err != nil {
			return fmt.Errorf("demo consumption: %w", err)
		}
		returns = append(returns, c.Return.ID)
	}
	// The first return is shown as it would stand had the part been
	// replaced three weeks ago: its due date has passed, so it is on the
	// overdue lists. (Only the return's due date is backdated; the ledger
	// stays as booked.)
	due := calendar.LocalDate(now().AddDate(0, 0, -6))
	_, err = store.Exec(ctx, db, `UPDATE part_returns SET due_date = ? WHERE id = ?`, due, returns[0])
	return err
}
