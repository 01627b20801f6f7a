package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"aftersales/internal/demo"
	"aftersales/internal/policy"
	"aftersales/internal/servicerequest"
	"aftersales/internal/testutil"
	"aftersales/internal/workorder"
)

// serviceHistory gives the demo's in-scope unit a history: an emergency
// repaired on site with a sealed record, and a maintenance request still
// waiting for its response.
func serviceHistory(t *testing.T, app *testutil.App) {
	t.Helper()
	ctx := context.Background()
	actor := func(email string) policy.Actor {
		u, err := app.Server.Accounts.Authenticate(ctx, email, demo.Password)
		if err != nil {
			t.Fatal(err)
		}
		return u.Actor()
	}
	dispatcher, tech := actor("dispatch@hengxin.example"), actor("tech.li@hengxin.example")
	svc := app.Server.Requests
	first, err := svc.Create(ctx, dispatcher, servicerequest.NewRequest{SerialNumber: demo.SerialInScope, ServiceItem: "repair", Priority: "emergency",
		Description: "主轴异响并报警 SP-17，已停机", ContactName: "刘经理", ContactPhone: "13912345678", Channel: servicerequest.Dispatcher})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now().Add(-time.Hour)
	wo, err := app.Server.WorkOrders.Book(ctx, dispatcher, workorder.ForRequest(first.ID), workorder.Assignment{TechnicianID: tech.UserID, WindowStart: start, WindowEnd: start.Add(2 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	sig := image.NewGray(image.Rect(0, 0, 60, 20))
	for x := 5; x < 55; x++ {
		sig.Set(x, 10+x%5, color.White)
	}
	var sigPNG bytes.Buffer
	png.Encode(&sigPNG, sig)
	for _, st := range []workorder.Step{
		{Kind: "check_in"},
		{Kind: "record", Diagnosis: "主轴前轴承磨损", FaultCodes: "SP-17", ActionsTaken: "更换主轴前轴承并重新校准"},
		{Kind: "sign_off", SignoffName: "刘经理", SignaturePNG: sigPNG.Bytes()},
		{Kind: "check_out", Result: "fixed"},
	} {
		if wo, err = app.Server.WorkOrders.Step(ctx, tech, wo.ID, st, wo.Version); err != nil {
			t.Fatalf("%s: %v", st.Kind, err)
		}
	}
	if _, err := svc.Create(ctx, dispatcher, servicerequest.NewRequest{SerialNumber: demo.SerialInScope, ServiceItem: "maintenance", Priority: "general",
		Description: "半年保养", Channel: servicerequest.Dispatcher}); err != nil {
		t.Fatal(err)
	}
}

// A vendor admin prints QR labels for two products from the list and gets a
// PDF whose text and codes are right; then opens a product's service history.
func TestPrintLabelsAndUnitHistory(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"pdftotext", "pdftoppm"} {
		if _, err := exec.LookPath(name); err != nil {
			if os.Getenv("AFTERSALES_TEST_BROWSER") == "require" {
				t.Fatalf("%s is required; scripts/test installs poppler-utils", name)
			}
			t.Skipf("%s not installed", name)
		}
	}
	app := demoApp(t)
	serviceHistory(t, app)
	br := newBrowser(t, app)
	b := br.signedIn(t, desktop, "zh-CN", "admin@haichuan.example")
	b.open("/units?model=HC-CNC-850")
	b.see("body", "打印二维码标签", "导出")
	first, second := `#labels-form tbody tr:nth-child(1) input[name=id]`, `#labels-form tbody tr:nth-child(2) input[name=id]`
	b.do(chromedp.Click(first), chromedp.Click(second), chromedp.SendKeys(`input[name=hotline]`, "400-820-1234"))
	b.shotBoth("units-labels")
	b.do(chromedp.Click(first), chromedp.Click(second), chromedp.SendKeys(`input[name=hotline]`, "400-820-1234"))

	// Submit the form as the button would, and keep what comes back.
	ctx, cancel := context.WithTimeout(b.ctx, 60*time.Second)
	defer cancel()
	got, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`(async () => {
	  const form = document.getElementById('labels-form');
	  const url = form.action + '?' + new URLSearchParams(new FormData(form, document.getElementById('print-chosen')));
	  const res = await fetch(url, {credentials: 'same-origin'});
	  const bytes = new Uint8Array(await res.arrayBuffer());
	  let bin = ''; for (const x of bytes) bin += String.fromCharCode(x);
	  const serials = [...form.querySelectorAll('input[name=id]:checked')].map(i => i.closest('tr').querySelector('code').textContent);
	  return [String(res.status), res.headers.get('Content-Type'), res.headers.get('Content-Disposition'), btoa(bin), ...serials];
	})()`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 6 || got[0] != "200" || got[1] != "application/pdf" || !strings.HasPrefix(got[2], "attachment") {
		t.Fatalf("print labels: %q", got[:min(3, len(got))])
	}
	pdf, _ := base64.StdEncoding.DecodeString(got[3])
	dir := t.TempDir()
	file := filepath.Join(dir, "labels.pdf")
	os.WriteFile(file, pdf, 0o644)
	out, err := exec.Command("pdftotext", file, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v %s", err, out)
	}
	for _, want := range []string{got[4], got[5], "扫码报修", "请勿撕毁", "400-820-1234", "HC-CNC-850"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("the labels lack %q:\n%s", want, out)
		}
	}
	if out, err := exec.Command("pdftoppm", "-png", "-r", "100", "-f", "1", "-l", "1", file, filepath.Join(b.dir, "labels-pdf")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v %s", err, out)
	}

	// The product's page: its lifelong service history, newest first.
	unitID := testutil.SelectOne[int64](t, app.DB, `SELECT id FROM units WHERE serial_number = ?`, demo.SerialInScope)
	b.open(fmt.Sprintf("/units/%d", unitID))
	b.see("body", "服务履历", "半年保养", "主轴异响", "已解决", "李", "已封存服务记录")
	txt := b.text("body")
	if strings.Index(txt, "半年保养") > strings.Index(txt, "主轴异响") {
		t.Error("the history is not newest first")
	}
	b.shotBoth("unit-history")
	b.do(chromedp.Click(`.record-ref a`), chromedp.WaitVisible(`.clocks`))
	b.see("body", "主轴异响")

	// The customer sees the same history of its own product, in English.
	c := br.signedIn(t, desktop, "zh-CN", "service@sz-jinggong.example")
	c.open("/lang/en")
	c.open(fmt.Sprintf("/units/%d", unitID))
	c.see("body", "Service history", "Sealed service record", "Emergency")
	c.shot("unit-history-customer-en")
}
