package demo

import (
	"context"
	"fmt"
	"time"

	"aftersales/internal/account"
	"aftersales/internal/app"
	"aftersales/internal/calendar"
	"aftersales/internal/dispatch"
	"aftersales/internal/problem"
	"aftersales/internal/servicerequest"
	"aftersales/internal/staff"
	"aftersales/internal/workorder"
)

// DemoBoardDay is the day the demo books visits on: the load's day, in
// Shanghai, which is the day the board opens on.
func DemoBoardDay(now time.Time) calendar.Date { return calendar.DateOf(now, calendar.Shanghai) }

// DemoPlanDay is the day of the demo's proposed plan for the provider: the
// day its board opens on now (dispatch.Service.DefaultDay: the first day
// with working time left, the day a dispatcher plans, the next one in the
// evening), asked of the board's own rule so that the demo's plan is
// always the one its board shows.
func DemoPlanDay(ctx context.Context, a *app.App, providerID int64) (calendar.Date, error) {
	return a.Dispatch.DefaultDay(ctx, a.DB, providerID, a.Now())
}

// loadDispatch makes 恒信's board alive: working hours at the service
// points that keep office hours (杭州, and 粤安's 东莞; 苏州 works the
// default 08:00–20:00), on-call turns for the night and the weekend, a day
// of booked visits for 赵工 today (laser cutters at 杭州明德医院, which his
// certificate covers; 李工's day is left to the stories and the tests that
// book him around now), and a proposed plan of the day for the
// dispatcher to look at. It runs after loadStaff, so the bookings pass the
// qualification rules.
func loadDispatch(ctx context.Context, a *app.App) error {
	user := func(email string) (account.User, error) { return account.GetUserByEmail(ctx, a.DB, email) }
	us, err := users(ctx, a.DB, "admin@hengxin.example", "dispatch@hengxin.example", "tech.li@hengxin.example", "tech.zhao@hengxin.example")
	if err != nil {
		return err
	}
	admin, dispatcher, li, zhao := us[0], us[1], us[2], us[3]
	weekday := []string{"08:30-12:00", "13:00-17:30"}
	for _, email := range []string{"admin@hengxin.example", "admin@yuean.example"} {
		pa, err := user(email)
		if err != nil {
			return err
		}
		points, err := a.Staff.ListPoints(ctx, pa.Actor(), pa.OrgID)
		if err != nil {
			return err
		}
		for _, p := range points {
			if p.Name == "苏州网点" {
				continue
			}
			if _, err := a.Staff.SetPointHours(ctx, pa.Actor(), p.ID, staff.HoursInput{CalendarID: "cn", Week: map[string][]string{
				"mon": weekday, "tue": weekday, "wed": weekday, "thu": weekday, "fri": weekday, "sat": {"09:00-12:00"}}}); err != nil {
				return fmt.Errorf("demo hours of %s: %w", p.Name, err)
			}
		}
	}
	day := DemoBoardDay(a.Now())
	at := func(d calendar.Date, hh, mm int) time.Time {
		return d.At(hh, mm, calendar.Shanghai)
	}
	// On call: 李工 tonight, 赵工 the coming weekend.
	sat := day.AddDays(1)
	for sat.Weekday() != time.Saturday {
		sat = sat.AddDays(1)
	}
	for _, turn := range []struct {
		tech       account.User
		start, end time.Time
		note       string
	}{
		{li, at(day, 20, 0), at(day.AddDays(1), 8, 0), "夜间值班"},
		{zhao, at(sat, 0, 0), at(sat.AddDays(2), 0, 0), "周末值班"},
	} {
		if _, err := a.Staff.AddOnCall(ctx, admin.Actor(), turn.tech.ID, staff.OnCall{StartsAt: turn.start, EndsAt: turn.end, Note: turn.note}); err != nil {
			return fmt.Errorf("demo on-call of %s: %w", turn.tech.Name, err)
		}
	}

	visits := silentWorkOrders(a)
	d := dispatcher.Actor()
	file := func(serial, description, contact, phone string) (int64, error) {
		v, err := receivedAgo(a, 20*time.Hour).Create(ctx, d, servicerequest.NewRequest{SerialNumber: serial, ServiceItem: "repair", Priority: "general",
			Description: description, ContactName: contact, ContactPhone: phone, Channel: servicerequest.Dispatcher})
		if err != nil {
			return 0, fmt.Errorf("demo board request %s: %w", serial, err)
		}
		return v.ID, nil
	}
	for _, b := range []struct {
		serial, description, contact, phone string
		tech                                account.User
		hh, mm                              int
	}{
		{"HCL3015-2025-00302", "激光功率下降约 15%", "孙主任", "0571-88012345", zhao, 9, 0},
		{"HCL3015-2025-00303", "切割气压不稳，报警 G-11", "孙主任", "0571-88012345", zhao, 11, 30},
		{"HCL3015-2025-00304", "冷水机流量报警，需检查水路", "孙主任", "0571-88012345", zhao, 14, 30},
	} {
		id, err := file(b.serial, b.description, b.contact, b.phone)
		if err != nil {
			return err
		}
		// The window asked for, or the next free one that day (the demo's
		// earlier stories may have booked the technician already).
		start := at(day, b.hh, b.mm)
		for {
			_, err := visits.Book(ctx, d, workorder.ForRequest(id), workorder.Assignment{TechnicianID: b.tech.ID, WindowStart: start, WindowEnd: start.Add(2 * time.Hour)})
			if err == nil {
				break
			}
			p, ok := problem.As(err)
			if !ok || p.Reason != staff.OverlappingVisit || start.Hour() >= 16 {
				return fmt.Errorf("demo board visit %s: %w", b.serial, err)
			}
			start = start.Add(30 * time.Minute)
		}
	}
	planDay, err := DemoPlanDay(ctx, a, dispatcher.OrgID)
	if err != nil {
		return fmt.Errorf("demo plan day: %w", err)
	}
	if _, err := a.Dispatch.MakePlan(ctx, d, dispatch.PlanInput{ProviderID: dispatcher.OrgID, Day: planDay.String(), TimeLimit: time.Second, Seed: 1}); err != nil {
		return fmt.Errorf("demo plan of %s: %w", planDay, err)
	}
	return nil
}
