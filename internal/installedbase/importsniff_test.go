package installedbase

import (
	"bytes"
	"image"
	"image/png"
	"strings"
	"testing"
)

func pngBytes(t testing.TB) []byte {
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewRGBA(image.Rect(0, 0, 4, 4))); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// A file that is not a spreadsheet is refused as what it is, on line 1,
// and never read as GBK text with a missing header.
func TestParseUnitsFileRefusesWhatIsNoSpreadsheet(t *testing.T) {
	t.Parallel()
	for name, c := range map[string]struct {
		data []byte
		want string
	}{
		"a photo renamed .csv": {pngBytes(t), "is an image (image/png)"},
		"a JPEG":               {[]byte("\xFF\xD8\xFF\xE0\x00\x10JFIF\x00"), "is an image (image/jpeg)"},
		"a PDF":                {[]byte("%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj"), "is a PDF document"},
		"an old .xls":          {[]byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\x00\x00"), "Excel 97-2003"},
		"binary":               {[]byte("serial\x00\x01\x02model"), "is not a spreadsheet"},
	} {
		p := ParseUnitsFile(c.data)
		if len(p.Errors) != 1 || p.Errors[0].Line != 1 || p.Errors[0].Field != "file" || !strings.Contains(p.Errors[0].Reason, c.want) || len(p.Rows) != 0 {
			t.Errorf("%s: %+v, want one file error saying %q", name, p.Errors, c.want)
		}
	}
	if p := ParseUnitsFile([]byte(csvChinese)); len(p.Errors) != 0 || len(p.Rows) != 3 {
		t.Errorf("a CSV refused: %+v", p.Errors)
	}
	utf16 := []byte{0xFF, 0xFE}
	for _, r := range "serial_number\tmodel\tcustomer_code\tsite_name\tinstall_date\nA\tB\tc\td\t2025/1/1\n" {
		utf16 = append(utf16, byte(r), byte(r>>8))
	}
	if p := ParseUnitsFile(utf16); len(p.Errors) != 0 || p.Encoding != "utf-16" || len(p.Rows) != 1 {
		t.Errorf("UTF-16 text refused: %+v", p)
	}
}

// Headers as vendors write them: Chinese, full-width, with spaces; columns
// the import does not use are listed, a column named twice is read once.
func TestParseUnitsHeadersAsVendorsWriteThem(t *testing.T) {
	t.Parallel()
	p := ParseUnitsCSV([]byte("ＳＥＲＩＡＬ　ＮＵＭＢＥＲ,产品型号,客户名称,安装地址,行政区划代码,安装日期,保修到期日,销售员,安装日期\n" +
		"A1,HC-CNC-850 数控加工中心,苏州精工,苏州市吴中区东吴北路1号,320506,2025/3/7,2028/3/6,张三,2020/1/1\n"))
	if len(p.Errors) != 0 || len(p.Rows) != 1 {
		t.Fatalf("parsed %+v", p)
	}
	r := p.Rows[0]
	if r.Serial != "A1" || r.Model != "HC-CNC-850 数控加工中心" || r.CustomerName != "苏州精工" || r.SiteAddress != "苏州市吴中区东吴北路1号" ||
		r.Division != "320506" || r.InstallDate != "2025/3/7" || r.WarrantyEnd != "2028/3/6" {
		t.Errorf("row %+v", r)
	}
	if strings.Join(p.Ignored, ",") != "销售员,安装日期" {
		t.Errorf("ignored %q, want 销售员 and the second 安装日期", p.Ignored)
	}
}

func TestModelAsVendorsWriteIt(t *testing.T) {
	t.Parallel()
	m := ProductModel{ID: 7, Code: "HC-CNC-850", Name: "数控加工中心", NameEn: "CNC machining centre"}
	l := importLookup{models: map[string]ProductModel{m.Code: m}, byName: map[string]ProductModel{MatchKey(m.Name): m, MatchKey(m.NameEn): m}}
	for _, s := range []string{"HC-CNC-850", " hc-cnc-850 ", "HC-CNC-850 数控加工中心", "ＨＣ－ＣＮＣ－８５０　数控加工中心", "数控 加工中心", "cnc machining centre"} {
		if got, ok := l.model(s); !ok || got.ID != 7 {
			t.Errorf("%q: not found", s)
		}
	}
	for _, s := range []string{"HC-CNC-851", "数控", "850 HC-CNC"} {
		if _, ok := l.model(s); ok {
			t.Errorf("%q found a model", s)
		}
	}
}

func TestMatchKey(t *testing.T) {
	t.Parallel()
	for a, b := range map[string]string{
		"苏州精工（一厂）":        "苏州精工(一厂)",
		"苏州市吴中区 东吴北路 1 号": "苏州市吴中区东吴北路１号",
		"Ｃｕｓｔｏｍｅｒ　Ｏｎｅ":    "customer one",
	} {
		if MatchKey(a) != MatchKey(b) {
			t.Errorf("%q and %q differ: %q, %q", a, b, MatchKey(a), MatchKey(b))
		}
	}
	if MatchKey("苏州精工") == MatchKey("苏州精工一厂") {
		t.Error("different names match")
	}
}

// FuzzParseUnitsFile: whatever bytes arrive, the parser answers rows or
// problems with their lines, never panics, and never both refuses the file
// and returns rows.
func FuzzParseUnitsFile(f *testing.F) {
	f.Add([]byte(csvChinese))
	f.Add(pngBytes(f))
	f.Add([]byte("序列号,型号,客户名称,安装地址,行政区划代码,安装日期,保修截止日期,备注\nA,B C,客户,地址,320506,2025/1/1,2026/1/1,x\n"))
	f.Add([]byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"))
	f.Add([]byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p := ParseUnitsFile(data)
		for _, e := range p.Errors {
			if e.Line < 1 || e.Field == "" || e.Reason == "" {
				t.Fatalf("error without line, field or reason: %+v", e)
			}
			if e.Field == "file" && e.Line == 1 && len(p.Rows) > 0 {
				t.Fatalf("the file refused and rows returned: %+v", p)
			}
		}
		if len(p.Rows) == 0 && len(p.Errors) == 0 && len(bytes.TrimSpace(data)) == 0 {
			t.Fatal("an empty file reported no problem")
		}
	})
}
