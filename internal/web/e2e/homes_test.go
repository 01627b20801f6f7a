package e2e

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"aftersales/internal/servicerequest"
	"aftersales/internal/workorder"
)

// Each role's home shows its work: the technician today's visits and the
// work completed; the customer its open requests, its products and a
// button to report a fault, and no link to API tokens; the dispatcher what
// waits for a visit and what is about to miss a deadline; admins what needs
// them. No count of partner organizations where the role has none to see.
func TestHomesShowEachRoleItsWork(t *testing.T) {
	t.Parallel()
	app := demoApp(t)
	db, ctx := app.DB, context.Background()
	dispatcher, tech := demoCrew(t, db)
	booked := fileRepair(t, app, dispatcher, "主轴异响")
	now := time.Now()
	if _, err := app.Server.WorkOrders.Book(ctx, dispatcher.Actor(), workorder.ForRequest(booked.ID), workorder.Assignment{TechnicianID: tech.ID,
		WindowStart: now.Add(time.Hour), WindowEnd: now.Add(3 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	waiting, err := app.Server.Requests.Create(ctx, dispatcher.Actor(), servicerequest.NewRequest{SerialNumber: "HC850-2024-000121", ServiceItem: "repair",
		Priority: "emergency", Description: "停机", Channel: servicerequest.Dispatcher})
	if err != nil {
		t.Fatal(err)
	}
	br := newBrowser(t, app)

	tc := br.signedIn(t, phone, "zh-CN", "tech.li@hengxin.example")
	tc.open("/")
	tc.see("#home-today", booked.Number)
	tc.see("#home-done", "HCL3015-2025-00301") // the demo's visit he completed
	tc.notSee(".stats", "厂商", "客户", "服务商")
	tc.shot("home-technician")

	c := br.signedIn(t, phone, "zh-CN", "service@sz-jinggong.example")
	c.open("/")
	c.see("#home-open", booked.Number, waiting.Number)
	c.see("#home-report", "报修故障", "台设备")
	if n := c.count(`a[href^="/profile#tokens"], .linklist a[href="/api/docs"]`); n != 0 {
		t.Errorf("the customer's home links to API tokens: %d links", n)
	}
	c.notSee(".stats", "厂商", "服务商")
	c.shot("home-customer")

	d := br.signedIn(t, desktop, "zh-CN", "dispatch@hengxin.example")
	d.open("/")
	d.see("#home-unassigned", waiting.Number, "紧急")
	d.notSee("#home-unassigned", booked.Number)
	d.see("#home-standing", "及此前十二个月的时限", "响应", "超时", "计时中", "不到 1 天")
	d.see("#home-provider-today", booked.Number)
	d.see("#home-satisfaction", "本月满意度")
	d.shotBoth("home-dispatcher")

	v := br.signedIn(t, desktop, "zh-CN", "admin@haichuan.example")
	v.open("/")
	v.see("#home-decide", "逾期未返还的旧件：1", "待决定的调整申请")
	v.see("#home-standing", "未结报修单（按受理时长）", "1 件旧件返还已逾期", "服务商", "协议", "逐月明细")
	// Each line's months drawn as a chart (its figures also in the table).
	v.do(chromedp.WaitVisible(`#home-standing .chart canvas`))
	// One line per kind of clock, each drawn its own way (not by colour alone).
	series := v.eval(`echarts.getInstanceByDom(document.querySelector('#home-standing .chart')).getOption().series
		.map(function (s) { return s.name + '|' + s.lineStyle.type + '|' + s.symbol; }).join(',')`)
	if want := "响应时限|solid|circle,到场时限|dashed|triangle,解决时限|dotted|diamond"; series != want {
		t.Fatalf("the chart's series: %s, want %s", series, want)
	}
	if n := v.count(`#home-standing .standing-table .standing-in-time`); n == 0 {
		t.Fatal("the month-by-month table gives no share met in time")
	}
	// A figure opens the requests it counts: as many as it says.
	met := `.standing-line .standing-now a[href*="clock_state=met"]`
	label := v.text(met)
	n, err := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(label), "达成")))
	if err != nil {
		t.Fatalf("figure %q: %v", label, err)
	}
	v.follow(chromedp.Click(chromedp.CSS(met)))
	v.see("#requests-home-filter", "首页")
	if rows := v.count(`table.table tbody a[href^="/requests/"]`); rows != n {
		t.Fatalf("the figure says %d, the list has %d (%s)", n, rows, v.path())
	}
	v.open("/")
	v.see("#home-satisfaction", "低于标准")
	v.shotBoth("home-vendor-admin")
}
