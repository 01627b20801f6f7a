package e2e

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"aftersales/internal/calendar"
	"aftersales/internal/cli"
	"aftersales/internal/demo"
	"aftersales/internal/record"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// drawSignature draws a signature on the pad with pointer events, as a
// finger would.
const drawSignature = `(() => {
  const c = document.getElementById('signature-pad');
  const r = c.getBoundingClientRect();
  const ev = (type, x, y) => c.dispatchEvent(new PointerEvent(type, {clientX: r.left + x, clientY: r.top + y, pointerId: 7, bubbles: true}));
  ev('pointerdown', 20, 120);
  for (let i = 0; i <= 40; i++) ev('pointermove', 20 + i * 6, 120 - 60 * Math.sin(i / 4));
  ev('pointerup', 260, 100);
  return document.getElementById('signature-field').value.length;
})()`

// sign draws a signature on the visit's signature pad.
func (v *visitor) sign() {
	v.t.Helper()
	ctx, cancel := context.WithTimeout(v.ctx, 30*time.Second)
	defer cancel()
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](drawSignature)); err != nil || n < 100 {
		v.t.Fatalf("signature pad: %d %v", n, err)
	}
}

// The whole flow: a customer scans the QR label and files an emergency; the
// dispatcher sees the clocks and assigns; the technician on a phone checks
// in, records the work and gets a signature; the record is sealed and
// verifies; a tampered record is detected.
func TestServiceFlowFromQRCodeToSealedRecord(t *testing.T) {
	t.Parallel()
	app := demoApp(t)
	db, ctx := app.DB, context.Background()
	demoRecords := rowCount(t, db, "service_records")
	token := testutil.SelectOne[string](t, db, `SELECT qr_token FROM units WHERE serial_number = ?`, demo.SerialInScope)

	// 1. Anyone holding the product scans its label, on a phone.
	br := newBrowser(t, app)
	b := br.visit(t, phone, "zh-CN")
	b.open("/q/" + token)
	b.see("body", "HC-CNC-850", demo.SerialInScope, "在保")
	if strings.Contains(b.text("body"), "苏州精工") {
		t.Fatal("the public QR page shows the owner")
	}
	b.shot("qr-page")
	faultPhoto := writePhoto(t, "fault.png", 640, 480)
	b.do(chromedp.SendKeys(`textarea[name=description]`, "主轴异响并报警 SP-17，已停机"), chromedp.Click(`input[name=stopped]`),
		chromedp.SetUploadFiles(`input[name=photos]`, []string{faultPhoto}),
		chromedp.SendKeys(`input[name=contact_name]`, "刘经理"), chromedp.SendKeys(`input[name=contact_phone]`, "13912345678"))
	b.shot("qr-form")
	b.do(chromedp.Click(`form button[type=submit]`), chromedp.WaitVisible(`.alert.success`))
	b.see("body", "已收到")
	b.shot("qr-filed")

	// 2. The dispatcher sees it first in the list, with its clocks, and assigns.
	d := br.signedIn(t, desktop, "zh-CN", "dispatch@hengxin.example")
	d.open("/requests")
	d.see("body", "紧急", demo.SerialInScope)
	d.shotBoth("requests-dispatcher")
	d.do(chromedp.Click(`table a[href^="/requests/"]`), chromedp.WaitVisible(`.clocks`))
	d.see("body", "响应时限", "到场时限", "计时中", "主轴异响", "照片")
	d.waitImages(1)
	today := calendar.LocalDate(time.Now())
	d.do(chromedp.SetValue(`input[name=date]`, today), chromedp.SetValue(`input[name=from]`, "14:00"), chromedp.SetValue(`input[name=to]`, "16:00"))
	d.press(`form[action$="/assign"] button[type=submit]`, `.flash`)
	d.see("body", "已预约")
	d.see("section:has(> h2.pad)", "李工")
	// The history says in Chinese what the product noted itself.
	d.see(".timeline", "来自扫码报修", "已预约上门")
	d.notSee(".timeline", "visit booked", "— qr", "qr-code")
	d.see(".timeline", "扫码报修人")
	d.shot("request-assigned")
	// The fault looks complex: the dispatcher asks the vendor's second line.
	d.do(chromedp.SendKeys(`textarea[name=reason]`, "SP-17 反复出现，疑似编码器问题"))
	d.press(`form[action$="/escalations"] button[type=submit]`, `.flash`)
	d.see("body", "已升级", "升级答复时限")
	d.shot("request-escalated")

	// 3. The technician, on a phone.
	tc := br.signedIn(t, phone, "zh-CN", "tech.li@hengxin.example")
	tc.open("/work-orders")
	tc.see("body", "我的工单", demo.SerialInScope)
	tc.shot("work-orders")
	tc.do(chromedp.Click(`.work-order-link`), chromedp.WaitVisible(`#checkin-form`))
	tc.shot("work-order")
	tc.press(`#checkin-form button`, `textarea[name=actions_taken]`)
	tc.see("body", "已到场签到")
	// A photo of the work, from the phone's camera input.
	tc.do(chromedp.SetUploadFiles(`#photos input[name=photos]`, []string{writePhoto(t, "after.png", 480, 640)}))
	tc.press(`#photos button[type=submit]`, `.flash`)
	tc.see("body", "照片已添加")
	tc.waitImages(2)
	tc.do(chromedp.ScrollIntoView(`#photos`))
	tc.shot("work-order-photos")
	tc.do(chromedp.SendKeys(`textarea[name=diagnosis]`, "主轴前轴承磨损"), chromedp.SendKeys(`input[name=fault_codes]`, "SP-17"),
		chromedp.SendKeys(`textarea[name=actions_taken]`, "更换主轴前轴承并重新校准"))
	tc.press(`form:has(textarea[name=actions_taken]) button[type=submit]`, `.flash`)
	tc.sign()
	tc.shot("signature")
	tc.do(chromedp.SendKeys(`input[name=signoff_name]`, "刘经理"))
	tc.press(`form:has(#signature-field) button[type=submit]`, `.flash`)
	tc.see("body", "签名已保存", "刘经理")
	tc.press(`form:has(select[name=result]) button[type=submit]`, `.flash`)
	tc.see("body", "服务记录已封存")
	// The open escalation ended with the request; it no longer waits for an answer.
	tc.see("#escalations", "报修单已结束，升级随之结束")
	tc.shot("checked-out")

	// 4. The request is resolved and its record sealed.
	d.open("/requests?view=closed")
	d.see("body", demo.SerialInScope, "已解决")
	res, err := record.Verify(ctx, db, 0)
	if err != nil || res.Records != demoRecords+1 || len(res.Breaks) != 0 {
		t.Fatalf("verify: %+v %v", res, err)
	}
	content := testutil.SelectOne[string](t, db, `SELECT content_json FROM service_records ORDER BY id DESC LIMIT 1`)
	for _, want := range []string{"更换主轴前轴承", "刘经理", demo.SerialInScope, "signature_sha256", `"stage":"fault"`, `"stage":"work"`} {
		if !strings.Contains(content, want) {
			t.Errorf("sealed record lacks %q", want)
		}
	}

	// 4b. The dispatcher finds the record and corrects the diagnosis: the
	// correction is a record of its own, and the chain still verifies.
	d.open("/records")
	d.see("main", "服务记录", demo.SerialInScope)
	d.shotBoth("records")
	d.press(`table a[href^="/records/"]`, `#chain-state`)
	d.see("main", "记录链校验通过", "更换主轴前轴承并重新校准")
	d.do(chromedp.SendKeys(`textarea[name=reason]`, "诊断写错了部件"), chromedp.SendKeys(`textarea[name=diagnosis]`, "主轴后轴承磨损"))
	d.press(`form[action$="/corrections"] button[type=submit]`, `.flash`)
	d.see("main", "更正已封存", "诊断写错了部件", "主轴后轴承磨损")
	d.shotBoth("record-corrected")
	if res, err := record.Verify(ctx, db, 0); err != nil || res.Records != demoRecords+2 || len(res.Breaks) != 0 {
		t.Fatalf("verify after the correction: %+v %v", res, err)
	}
	// The vendor's auditor reads both, in English.
	a := br.signedIn(t, desktop, "en", "auditor@haichuan.example")
	a.open("/records")
	a.see("main", "Service records", "corrects #")
	a.shot("records-auditor-en")

	// 5. Someone edits the record behind the application's back; the check finds it.
	if _, err := db.ExecContext(ctx, `DROP TRIGGER service_records_no_update`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `UPDATE service_records SET content_json = replace(content_json, '更换', '检查')`); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	code := cli.Main(ctx, []string{"records", "verify", "--db", db.Source}, strings.NewReader(""), &out, &errOut)
	if code != 1 || !strings.Contains(out.String(), "BROKEN") {
		t.Fatalf("tampering not detected: exit %d\n%s%s", code, out.String(), errOut.String())
	}
}

// writePhoto writes a PNG of the given size, a gradient like a picture.
func writePhoto(t *testing.T, name string, w, h int) string {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{uint8(40 + x*180/w), uint8(90 + y*120/h), 160, 255})
		}
	}
	path := filepath.Join(t.TempDir(), name)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
	return path
}

// waitImages waits until at least n photo thumbnails have loaded.
func (v *visitor) waitImages(n int) {
	v.t.Helper()
	ctx, cancel := context.WithTimeout(v.ctx, 20*time.Second)
	defer cancel()
	js := `Array.from(document.querySelectorAll('.photo-grid img')).filter(i => i.complete && i.naturalWidth > 0).length`
	for {
		got, err := chromedp.Run(ctx, chromedp.Evaluate[int](js))
		if err == nil && got >= n {
			return
		}
		select {
		case <-ctx.Done():
			v.t.Fatalf("%d of %d photos shown: %v", got, n, err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func rowCount(t *testing.T, db *store.DB, table string) int {
	t.Helper()
	return testutil.SelectOne[int](t, db, `SELECT COUNT(*) FROM `+table)
}
