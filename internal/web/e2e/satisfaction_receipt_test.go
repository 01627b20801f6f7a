package e2e

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"aftersales/internal/demo"
	"aftersales/internal/testutil"
)

// The provider prints the service receipt with the survey's QR code and the
// customer opens the survey from it on a phone; the customer files a
// complaint with a photo from the product's QR page, naming the request by
// its number; the dispatcher sees the complaint with the request's number
// and the photo.
func TestSurveyReceiptAndComplaintFromTheQRPage(t *testing.T) {
	t.Parallel()
	app := demoApp(t)
	db := app.DB
	v, wo := demoRepairWorked(t, app, "液压站漏油", "更换油封")

	// The dispatcher prints the receipt with the survey's QR code.
	br := newBrowser(t, app)
	office := br.signedIn(t, desktop, "zh-CN", "dispatch@hengxin.example")
	office.open(fmt.Sprintf("/records/%d", *wo.RecordID))
	office.see("#survey-receipt-card", "满意度回访二维码")
	office.press(`#survey-receipt-card button`, `#survey-qr`)
	office.see("#survey-receipt", v.Number, "扫码评价本次服务", "刘经理")
	if w := office.eval(`String(document.querySelector("#survey-qr").naturalWidth)`); w == "0" {
		t.Fatal("the QR code is not drawn")
	}
	office.shotBoth("survey-receipt")
	link := office.text("#survey-link")
	i := strings.Index(link, "/survey/")
	if i < 0 {
		t.Fatalf("the receipt's link %q", link)
	}
	customer := br.visit(t, phone, "zh-CN")
	customer.open(link[i:])
	customer.see("h1", "请评价本次服务")

	// From the product's QR label: a complaint about this request, with a photo.
	token := testutil.SelectOne[string](t, db, `SELECT qr_token FROM units WHERE serial_number = ?`, demo.SerialInScope)
	photo := filepath.Join(t.TempDir(), "漏油.png")
	img := image.NewRGBA(image.Rect(0, 0, 40, 30))
	for x := range 40 {
		img.Set(x, 15, color.RGBA{200, 30, 30, 255})
	}
	var b bytes.Buffer
	_ = png.Encode(&b, img)
	if err := os.WriteFile(photo, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	customer.open("/q/" + token)
	customer.do(chromedp.Click(`#complain summary`), chromedp.WaitVisible(`#complain input[name=request_number]`))
	customer.do(chromedp.SendKeys(`#complain input[name=request_number]`, v.Number), chromedp.SetValue(`#complain select[name=category]`, "repair_quality"),
		chromedp.SendKeys(`#complain textarea[name=description]`, "换了油封第二天又漏"), chromedp.SendKeys(`#complain input[name=contact_phone]`, "13812345678"),
		chromedp.SetUploadFiles(`#complain input[type=file]`, []string{photo}))
	customer.shot("qr-complaint")
	customer.press(`#complain button[type=submit]`, `#complaint .alert.success`)
	customer.see("#complaint", v.Number, "已受理")
	customer.shot("qr-complaint-filed")
	complaintID := testutil.SelectOne[int64](t, db, `SELECT id FROM complaints WHERE channel = 'qr' AND request_id = ?`, v.ID)

	office.open(fmt.Sprintf("/complaints/%d", complaintID))
	office.see("body", v.Number, "漏油.png", "客户（产品二维码）")
	office.shotBoth("complaint-attachment")
	if n := office.count(`a[href^="/complaints/` + fmt.Sprint(complaintID) + `/files/"]`); n != 1 {
		t.Fatalf("%d attachment links", n)
	}
}
