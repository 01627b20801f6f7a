package e2e

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// vendorList is a vendor's list of installed products as its ERP writes
// it: Chinese headers, customers by name (one the demo holds, written with
// a full-width space; one new), addresses, division codes, a model as code
// and name, warranty ends and a column the product does not use.
var vendorList = [][]string{
	{"序列号", "型号", "客户名称", "安装地址", "行政区划代码", "安装日期", "保修截止日期", "销售员"},
	{"ERP-%s-01", "HC-CNC-850 数控加工中心", "苏州精工制造有限公司", "江苏省苏州市虎丘区科灵路 78 号", "320505", "2025/3/7", "2028/3/6", "张三"},
	{"ERP-%s-02", "HC-CNC-850", "无锡重机　股份有限公司", "无锡市新吴区长江路 9 号", "320214", "2025/4/1", "", "李四"},
	{"ERP-%s-03", "HC-CNC-850", "无锡重机 股份有限公司", "无锡市新吴区长江路9号", "320214", "2025/4/2", "", "李四"},
}

func vendorListRows(tag string) [][]string {
	out := make([][]string, len(vendorList))
	for i, r := range vendorList {
		out[i] = append([]string(nil), r...)
		out[i][0] = strings.Replace(out[i][0], "%s", tag, 1)
	}
	return out
}

// A vendor admin uploads the list as it comes from the ERP, first as a
// GBK CSV and then as an XLSX: one check shows what matched, what will be
// created and the column left out; one import stores it all.
func TestVendorListImportsOnThePage(t *testing.T) {
	t.Parallel()
	app := demoApp(t)
	dir := t.TempDir()
	var csv strings.Builder
	for _, r := range vendorListRows("CSV") {
		csv.WriteString(strings.Join(r, ",") + "\r\n")
	}
	gbk, err := simplifiedchinese.GBK.NewEncoder().String(csv.String())
	if err != nil {
		t.Fatal(err)
	}
	csvFile := filepath.Join(dir, "装机清单.csv")
	xlsxFile := filepath.Join(dir, "装机清单.xlsx")
	photo := filepath.Join(dir, "照片.csv")
	f := excelize.NewFile()
	for i, r := range vendorListRows("XLSX") {
		cells := make([]any, len(r))
		for j, v := range r {
			cells[j] = v
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &cells); err != nil {
			t.Fatal(err)
		}
	}
	var xlsx bytes.Buffer
	if err := f.Write(&xlsx); err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{csvFile: []byte(gbk), xlsxFile: xlsx.Bytes(),
		photo: {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'}} {
		if err := os.WriteFile(name, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	br := newBrowser(t, app)
	b := br.signedIn(t, desktop, "zh-CN", "admin@haichuan.example")

	b.open("/units/import")
	b.do(chromedp.SetUploadFiles(`input[name=file]`, []string{photo}))
	b.press(`form[action="/units/import"] button[type=submit]`, `.table`)
	b.see("body", "该文件是图片（image/png），不是表格")

	b.open("/units/import")
	b.do(chromedp.SetUploadFiles(`input[name=file]`, []string{csvFile}))
	b.press(`form[action="/units/import"] button[type=submit]`, `form[action="/units/import/confirm"]`)
	b.see("#import-ignored", "销售员")
	b.see("#import-parties", "已有客户", "苏州精工制造有限公司", "新建客户", "无锡重机", "新建站点", "320214", "已有站点", "苏州精工 一号厂房")
	b.shotBoth("vendor-list-checked")
	b.press(`form[action="/units/import/confirm"] button[type=submit]`, `.flash`)
	b.see(".flash", "已导入 3 台设备", "1 个客户和 1 个站点")

	// The XLSX names the customer created by the CSV: it matches now.
	b.open("/units/import")
	b.do(chromedp.SetUploadFiles(`input[name=file]`, []string{xlsxFile}))
	b.press(`form[action="/units/import"] button[type=submit]`, `form[action="/units/import/confirm"]`)
	b.notSee("#import-parties", "新建")
	b.press(`form[action="/units/import/confirm"] button[type=submit]`, `.flash`)
	b.see(".flash", "已导入 3 台设备")
	b.open("/units?serial=ERP-XLSX-03")
	b.see("body", "ERP-XLSX-03", "无锡重机")
}
