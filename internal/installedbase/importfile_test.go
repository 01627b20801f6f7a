package installedbase

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

const csvChinese = "序列号,型号,客户代码,网点名称,安装日期\r\n" +
	"hc850-2024-000123,HC-CNC-850,sz-jinggong,一号厂房,2025/3/7\r\n" +
	"=\"000456\",HC-CNC-850,sz-jinggong,一号厂房,2025-03-08\r\n" +
	",,,,\r\n" +
	"HC850-2024-000789,HC-CNC-850,sz-jinggong,一号厂房,2025年3月9日\r\n"

func TestParseUnitsCSVEncodings(t *testing.T) {
	t.Parallel()
	gbk, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(csvChinese))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(gbk, []byte(csvChinese)) {
		t.Fatal("the GBK fixture is no different from UTF-8")
	}
	for _, c := range []struct {
		name, encoding string
		data           []byte
	}{
		{"utf-8", "utf-8", []byte(csvChinese)},
		{"utf-8 with BOM", "utf-8-bom", append([]byte{0xEF, 0xBB, 0xBF}, csvChinese...)},
		{"gbk as Excel saves it", "gbk", gbk},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := ParseUnitsCSV(c.data)
			if len(p.Errors) > 0 {
				t.Fatalf("errors: %+v", p.Errors)
			}
			if p.Encoding != c.encoding {
				t.Errorf("encoding %q, want %q", p.Encoding, c.encoding)
			}
			if len(p.Rows) != 3 {
				t.Fatalf("%d rows, want 3 (the blank line skipped): %+v", len(p.Rows), p.Rows)
			}
			first := p.Rows[0]
			if first.Line != 2 || first.Serial != "hc850-2024-000123" || first.SiteName != "一号厂房" || first.InstallDate != "2025/3/7" {
				t.Errorf("first row %+v", first)
			}
			if p.Rows[1].Serial != "000456" {
				t.Errorf(`="000456" read as %q, want the leading zeros kept`, p.Rows[1].Serial)
			}
			if p.Rows[2].Line != 5 {
				t.Errorf("third row on line %d, want 5", p.Rows[2].Line)
			}
		})
	}
}

func TestParseUnitsCSVHeaders(t *testing.T) {
	t.Parallel()
	p := ParseUnitsCSV([]byte("Serial Number;Model;Customer_Code;Site Name;Install Date;Agreement\nA1;M;c;s;2025-01-01;HX-1\n"))
	if len(p.Errors) > 0 || len(p.Rows) != 1 || p.Rows[0].AgreementNumber != "HX-1" || p.Rows[0].CustomerCode != "c" {
		t.Fatalf("semicolon CSV with English headers: %+v", p)
	}
	p = ParseUnitsCSV([]byte("serial_number,model,site_name\nA1,M,s\n"))
	fields := map[string]bool{}
	for _, e := range p.Errors {
		fields[e.Field] = e.Line == 1
	}
	if !fields["customer_name"] || !fields["install_date"] || len(p.Rows) != 0 {
		t.Fatalf("missing columns not reported on line 1: %+v", p.Errors)
	}
	if p := ParseUnitsCSV(nil); len(p.Errors) != 1 || p.Errors[0].Line != 1 {
		t.Fatalf("empty file: %+v", p.Errors)
	}
	if p := ParseUnitsCSV([]byte{0x81, 0x20, 0xFF, 0xFE, 0x00}); len(p.Errors) == 0 {
		t.Fatalf("bytes that are neither UTF-8 nor GBK accepted: %+v", p)
	}
}

// xlsxFixture builds a workbook as a person fills it: a date cell displayed
// with a two-digit year, a serial number typed as a long number.
func xlsxFixture(t testing.TB) []byte {
	f := excelize.NewFile()
	defer f.Close()
	sh := f.GetSheetName(0)
	rows := [][]any{
		{"序列号", "型号", "客户代码", "站点名称", "安装日期"},
		{"HC850-2024-000900", "HC-CNC-850", "customer-one", "Plant", time.Date(2025, 3, 7, 0, 0, 0, 0, time.UTC)},
		{float64(202606000000000123), "HC-CNC-850", "customer-one", "Plant", "2025/3/8"},
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow(sh, cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	style, err := f.NewStyle(&excelize.Style{CustomNumFmt: strPtr("yy/m/d")})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.SetCellStyle(sh, "E2", "E2", style); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func strPtr(s string) *string { return &s }

func TestParseUnitsXLSX(t *testing.T) {
	t.Parallel()
	p := ParseUnitsFile(xlsxFixture(t))
	if p.Format != "xlsx" || len(p.Errors) > 0 || len(p.Rows) != 2 {
		t.Fatalf("parsed %+v", p)
	}
	if got := p.Rows[0].InstallDate; got != "2025-03-07" {
		t.Errorf("date cell shown as 25/3/7 read as %q, want the full date it holds", got)
	}
	if got := NormalizeSerial(p.Rows[1].Serial); got != "2.02606E+17" || !strings.Contains(CheckSerial(got), "scientific notation") {
		t.Errorf("a serial number typed as a long number reads %q; the check says %q", got, CheckSerial(got))
	}
	if p.Rows[1].Line != 3 {
		t.Errorf("second data row on line %d, want 3", p.Rows[1].Line)
	}
	if p := ParseUnitsFile([]byte("PK\x03\x04 broken")); len(p.Errors) != 1 || p.Format != "xlsx" {
		t.Errorf("a broken workbook: %+v", p)
	}
}

func FuzzParseUnitsCSV(f *testing.F) {
	f.Add([]byte(csvChinese))
	gbk, _ := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(csvChinese))
	f.Add(gbk)
	f.Add([]byte("serial_number,model,customer_code,site_name,install_date\n\"a\"\"b,c\n"))
	f.Add([]byte("\xEF\xBB\xBFserial_number\tmodel\tcustomer_code\tsite_name\tinstall_date\nX\tY\tZ\tW\t2025/1/1\n"))
	f.Add([]byte{0xFF, 0xFE, 's', 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		p := ParseUnitsCSV(data)
		lines := bytes.Count(data, []byte("\n")) + bytes.Count(data, []byte("\r")) + 1
		if len(p.Rows) > lines {
			t.Fatalf("%d rows from %d lines", len(p.Rows), lines)
		}
		last := 0
		for _, r := range p.Rows {
			if r.Line <= last || r.Line < 2 {
				t.Fatalf("row lines not increasing after the header: %d after %d", r.Line, last)
			}
			last = r.Line
		}
		for _, e := range p.Errors {
			if e.Line < 1 || e.Field == "" || e.Reason == "" {
				t.Fatalf("error without line, field or reason: %+v", e)
			}
		}
		if len(p.Rows) == 0 && len(p.Errors) == 0 && len(bytes.TrimSpace(data)) == 0 {
			t.Fatalf("an empty file reported no problem")
		}
	})
}
