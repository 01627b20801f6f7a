package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"aftersales/internal/calendar"
	"aftersales/internal/settlement"
	"aftersales/internal/testutil"
)

// The demo's open month is settled in the browser: the provider reads the
// statement with its late-arrival deduction and submits it; the vendor
// disputes a line; the provider explains it; the vendor approves, and the
// statement is locked. On a desk and on a phone.
func TestSettlementInTheBrowser(t *testing.T) {
	t.Parallel()
	app := demoApp(t)
	ctx := context.Background()
	settled := testutil.SelectOne[int64](t, app.DB, `SELECT id FROM settlement_statements WHERE status = 'approved'`)
	open := testutil.SelectOne[int64](t, app.DB, `SELECT id FROM settlement_statements WHERE status = 'draft'`)
	br := newBrowser(t, app)

	p := br.signedIn(t, desktop, "zh-CN", "admin@hengxin.example")
	p.open("/settlements")
	p.see("body", "结算单", "已审批", "草稿")
	p.shotBoth("settlements-provider")
	p.open(fmt.Sprintf("/settlements/%d", settled))
	p.see("#total-in-words", "人民币")
	p.see("#statement-lines", "到场超时", "已答复异议")
	p.shotBoth("settlement-approved")

	p.open(fmt.Sprintf("/settlements/%d", open))
	p.see("#statement-status", "草稿")
	p.press(`#submit-statement`, `.flash`)
	p.see("#statement-status", "已提交")
	p.shot("settlement-submitted")

	v := br.signedIn(t, desktop, "zh-CN", "admin@haichuan.example")
	v.open(fmt.Sprintf("/settlements/%d", open))
	v.see("#statement-status", "已提交")
	v.do(chromedp.Evaluate[chromedp.Void](`document.querySelector('#statement-lines details').open = true`))
	v.fill(`form[action$="/dispute"]`, "reason", "紧急上门费只适用于紧急请求")
	v.press(`form[action$="/dispute"] button[type=submit]`, `.flash`)
	v.see("#statement-status", "有异议")
	v.see("#open-disputes", "1")
	v.shotBoth("settlement-disputed")

	p.open(fmt.Sprintf("/settlements/%d", open))
	p.fill(`form.answer`, "text", "该请求按紧急优先级受理，按协议收费")
	p.press(`form.answer button[type=submit]`, `.flash`)
	p.see("#statement-status", "已提交")
	p.shot("settlement-answered")

	v.open(fmt.Sprintf("/settlements/%d", open))
	v.press(`#approve-statement`, `.flash`)
	v.see("#statement-status", "已审批")
	v.shotBoth("settlement-locked")

	// The vendor downloads the approved statement from its page, with the
	// browser's session: the workbook carries the statement's number, its
	// lines and its total in words; the PDF's first page is looked at.
	st, err := settlement.GetStatement(ctx, app.DB, open)
	if err != nil {
		t.Fatal(err)
	}
	book, err := excelize.OpenReader(bytes.NewReader(v.download("#export-xlsx", st.Number+".xlsx")))
	if err != nil {
		t.Fatalf("the downloaded workbook: %v", err)
	}
	rows, err := book.GetRows(book.GetSheetName(0))
	if err != nil {
		t.Fatal(err)
	}
	var number, words bool
	for _, r := range rows {
		joined := strings.Join(r, "|")
		number = number || strings.Contains(joined, st.Number)
		words = words || strings.Contains(joined, st.Totals.TotalInWords)
	}
	if !number || !words || len(rows) < len(st.Lines)+8 {
		t.Fatalf("the downloaded workbook: number %v, words %v (%s), %d rows for %d lines", number, words, st.Totals.TotalInWords, len(rows), len(st.Lines))
	}
	pdf := v.download("#export-pdf", st.Number+".pdf")
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("the downloaded PDF: %.20q", pdf)
	}
	if _, err := exec.LookPath("pdftoppm"); err != nil {
		if os.Getenv("AFTERSALES_TEST_BROWSER") == "require" {
			t.Fatal("pdftoppm is not installed (Debian package poppler-utils)")
		}
		return
	}
	in := filepath.Join(t.TempDir(), "statement.pdf")
	if err := os.WriteFile(in, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	shot := filepath.Join(v.dir, "settlement-locked-pdf")
	if out, err := exec.Command("pdftoppm", "-f", "1", "-l", "1", "-singlefile", "-png", "-r", "80", in, shot).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v %s", err, out)
	}
	if fi, err := os.Stat(shot + ".png"); err != nil || fi.Size() < 10_000 {
		t.Fatalf("the PDF's first page: %v", err)
	}
}

// download fetches the link of the first element matching sel in the page,
// with the page's cookies, and returns its body; the response must be 200
// and name wantFile as its attachment.
func (v *visitor) download(sel, wantFile string) []byte {
	v.t.Helper()
	got := run(v, "download "+sel, chromedp.Evaluate[string](`(async () => {
		const r = await fetch(document.querySelector(`+jsString(sel)+`).href);
		const b = new Uint8Array(await r.arrayBuffer());
		let s = "";
		for (let i = 0; i < b.length; i += 0x8000) s += String.fromCharCode.apply(null, b.subarray(i, i + 0x8000));
		return r.status + "\n" + (r.headers.get("Content-Disposition") || "") + "\n" + btoa(s);
	})()`, chromedp.EvalAwaitPromise))
	status, rest, _ := strings.Cut(got, "\n")
	disposition, data, _ := strings.Cut(rest, "\n")
	if status != "200" || !strings.Contains(disposition, "attachment") || !strings.Contains(disposition, wantFile) {
		v.t.Fatalf("download %s: %s, %q", sel, status, disposition)
	}
	b, err := base64.StdEncoding.DecodeString(data)
	if err != nil {
		v.t.Fatalf("download %s: %v", sel, err)
	}
	return b
}

// The settled month falls overdue: the provider gives notice of a
// suspension from the settlement page; both parties see the banner; the
// provider lifts it.
func TestSuspensionInTheBrowser(t *testing.T) {
	t.Parallel()
	app := demoApp(t)
	number := testutil.SelectOne[string](t, app.DB, `SELECT number FROM settlement_statements WHERE status = 'approved'`)
	due := testutil.SelectOne[string](t, app.DB, `SELECT due_on FROM settlement_statements WHERE status = 'approved'`)
	day, err := time.ParseInLocation(time.DateOnly, due, calendar.Shanghai)
	if err != nil {
		t.Fatal(err)
	}
	app.Clock.Set(day.Add(34 * time.Hour)) // 10:00 the day after the due day
	br := newBrowser(t, app)

	p := br.signedIn(t, phone, "zh-CN", "admin@hengxin.example")
	p.open("/settlements")
	p.see(".suspension-notice", "因欠款暂停服务", number)
	p.fill(`.suspension-notice form`, "reason", "结算款逾期未付，经催告仍未支付")
	p.press(`.suspension-notice button[type=submit]`, `.flash`)
	p.see(".suspension-banner", "暂停", number)
	p.shotBoth("suspension-noticed-provider")

	v := br.signedIn(t, desktop, "zh-CN", "admin@haichuan.example")
	v.open("/")
	v.see(".suspension-banner", "暂停", number)
	v.shot("suspension-noticed-vendor")

	p.open("/")
	p.press(`.suspension-banner button[type=submit]`, `.flash`)
	p.see(".flash", "已解除")
}
