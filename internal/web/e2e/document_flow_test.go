package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"aftersales/internal/demo"
	"aftersales/internal/document"
	"aftersales/internal/policy"
	"aftersales/internal/servicerequest"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
	"aftersales/internal/workorder"
)

// fetchStatus requests path from the page, with its cookies, and returns
// "status content-type": how a click on a download link ends.
const fetchStatus = `(() => { const x = new XMLHttpRequest(); x.open('GET', %q, false); x.send(); return x.status + ' ' + x.getResponseHeader('Content-Type'); })()`

// The vendor uploads a manual (a fake PDF first, refused); a technician sees
// it on the job for a unit of that model and opens it; a customer of that
// model sees only the public documents.
func TestDocumentLibraryInTheBrowser(t *testing.T) {
	t.Parallel()
	app := demoApp(t)
	db, ctx := app.DB, context.Background()
	dir := t.TempDir()
	fake := filepath.Join(dir, "诊断手册.pdf")
	good := filepath.Join(dir, "HC-CNC-850-diagnostics.pdf")
	if err := os.WriteFile(fake, []byte("这不是 PDF，只是改了扩展名的文本"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(good, document.SimplePDF("HC-CNC-850 Fault Diagnosis Handbook", []string{
		"AL-203 spindle over-temperature: check the chiller flow and the thermistor.",
		"AL-410 Z axis servo overload: check the counterweight cylinder pressure."}), 0o644); err != nil {
		t.Fatal(err)
	}

	// 1. The vendor's admin uploads.
	br := newBrowser(t, app)
	v := br.signedIn(t, desktop, "zh-CN", "admin@haichuan.example")
	v.open("/documents")
	v.see("body", "技术文档", "HC-CNC-850 立式加工中心 操作手册", "HC-PRESS-200 液压系统维护规程")
	v.shotBoth("documents-vendor")
	v.do(chromedp.Click(`a[href="/documents/new"]`), chromedp.WaitVisible(`input[type=file]`))
	fill := func(file string) {
		v.do(chromedp.SetUploadFiles(`input[type=file]`, []string{file}),
			chromedp.SetValue(`input[name=title]`, "HC-CNC-850 故障诊断手册"),
			chromedp.SetValue(`select[name=category]`, "technical_handbook"),
			chromedp.SetValue(`textarea[name=part_numbers]`, "HC-SP-0315"),
			chromedp.SetValue(`textarea[name=description]`, "常见报警的原因和处理步骤，供服务商技术人员现场使用。"))
	}
	fill(fake)
	v.do(chromedp.Click(`input[name=models][value="HC-CNC-850"]`))
	v.press(`form[action="/documents"] button[type=submit]`, `.err`)
	v.see("body", "不是可识别的文件类型")
	v.shot("document-upload-refused")
	fill(good)
	v.press(`form[action="/documents"] button[type=submit]`, `#open-current`)
	v.see("body", "HC-CNC-850 故障诊断手册", "HC-SP-0315", "HC-CNC-850-diagnostics.pdf", "当前版本")
	v.shotBoth("document-vendor")
	var docID int64
	if err := store.Get(ctx, db, &docID, `SELECT id FROM documents WHERE title = 'HC-CNC-850 故障诊断手册'`); err != nil {
		t.Fatalf("the handbook was not stored: %v", err)
	}
	fakes := testutil.SelectOne[int](t, db, `SELECT COUNT(*) FROM files WHERE name = '诊断手册.pdf'`)
	if fakes != 0 {
		t.Fatal("the refused fake PDF was stored")
	}
	// Search finds it by a word of its text (when pdftotext is here) and by Chinese in its title.
	v.open("/documents?q=" + "诊断")
	v.see("body", "HC-CNC-850 故障诊断手册")
	v.shot("documents-search")

	// 2. A visit on a unit of that model, assigned to 李工.
	woID := assignDemoVisit(t, app, db)
	tc := br.signedIn(t, phone, "zh-CN", "tech.li@hengxin.example")
	tc.open(fmt.Sprintf("/work-orders/%d", woID))
	tc.see("body", "本设备的技术文档", "HC-CNC-850 故障诊断手册", "HC-CNC-850 立式加工中心 操作手册")
	if strings.Contains(tc.text("body"), "液压系统维护规程") {
		t.Fatal("the job shows documents of another model")
	}
	tc.shot("work-order-documents")
	link := fmt.Sprintf("/documents/%d/versions/1/file", docID)
	got, err := chromedp.Run(tc.ctx, chromedp.Evaluate[string](fmt.Sprintf(fetchStatus, link)))
	if err != nil || got != "200 application/pdf" {
		t.Fatalf("the technician opens the handbook: %q %v", got, err)
	}
	audited := testutil.SelectOne[int](t, db, `SELECT COUNT(*) FROM audit_events WHERE action = 'document.download' AND actor = 'tech.li@hengxin.example' AND entity_id = ?`, fmt.Sprint(docID))
	if audited != 1 {
		t.Fatalf("the download was audited %d times", audited)
	}

	// 3. The customer who owns HC-CNC-850 units sees only the public documents of its models.
	c := br.signedIn(t, phone, "zh-CN", "service@sz-jinggong.example")
	c.open("/documents")
	c.see("body", "HC-CNC-850 立式加工中心 操作手册")
	for _, hidden := range []string{"故障诊断手册", "液压系统维护规程", "SB-2026-07"} {
		if strings.Contains(c.text("body"), hidden) {
			t.Fatalf("the customer sees %q", hidden)
		}
	}
	c.shot("documents-customer")
	got, err = chromedp.Run(c.ctx, chromedp.Evaluate[string](fmt.Sprintf(fetchStatus, link)))
	if err != nil || !strings.HasPrefix(got, "404") {
		t.Fatalf("the customer fetches the partner handbook: %q %v", got, err)
	}
}

// assignDemoVisit files a repair on DEMO-IN-SCOPE-1 (an HC-CNC-850) as the
// dispatcher and books 李工 for it; it returns the work order's id.
func assignDemoVisit(t *testing.T, app *testutil.App, db *store.DB) int64 {
	t.Helper()
	ctx := context.Background()
	var dispatcher, tech policy.Actor
	for email, a := range map[string]*policy.Actor{"dispatch@hengxin.example": &dispatcher, "tech.li@hengxin.example": &tech} {
		if err := store.Get(ctx, db, a, `SELECT u.id AS userid, u.org_id AS orgid, o.kind AS orgkind, u.role, u.email FROM users u
			JOIN organizations o ON o.id = u.org_id WHERE u.email = ?`, email); err != nil {
			t.Fatal(err)
		}
	}
	svc := app.Server.Requests
	view, err := svc.Create(ctx, dispatcher, servicerequest.NewRequest{SerialNumber: demo.SerialInScope, ServiceItem: "repair", Priority: "general",
		Description: "主轴报警 AL-203", ContactName: "刘经理", ContactPhone: "13912345678", Channel: servicerequest.Dispatcher})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now().Add(2 * time.Hour).Truncate(time.Hour)
	wo, err := app.Server.WorkOrders.Book(ctx, dispatcher, workorder.ForRequest(view.Request.ID), workorder.Assignment{TechnicianID: tech.UserID, WindowStart: start, WindowEnd: start.Add(2 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	return wo.ID
}
