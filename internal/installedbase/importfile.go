package installedbase

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"

	"aftersales/internal/spreadsheet"
)

// Reading the spreadsheets of units that vendors and customers keep:
// CSV as Excel and WPS save it (UTF-8 with or without BOM, GBK, UTF-16) and
// XLSX. Parsing knows nothing of the database; it returns rows with their
// line numbers and what could not be read.

// ImportRow is one line of an import file, as text.
type ImportRow struct {
	Line            int
	Serial          string
	Model           string
	CustomerCode    string
	SiteName        string
	InstallDate     string
	AgreementNumber string
}

// RowError is what is wrong with one line of an import file.
type RowError struct {
	Line   int    `json:"line"`
	Field  string `json:"field"`
	Reason string `json:"reason"`
	Value  string `json:"value,omitempty"`
}

// Parsed is an import file read into rows.
type Parsed struct {
	Format   string // csv or xlsx
	Encoding string // utf-8, utf-8-bom, gbk, utf-16 (csv only)
	Rows     []ImportRow
	Errors   []RowError
}

// MaxImportRows bounds one import.
const MaxImportRows = 200_000

// columns maps each column to the header names accepted for it, compared
// after lower-casing and removing spaces, underscores and hyphens.
var columns = []struct {
	field    string
	required bool
	names    []string
}{
	{"serial_number", true, []string{"serialnumber", "serial", "sn", "序列号", "设备序列号", "出厂编号"}},
	{"model", true, []string{"model", "modelcode", "型号", "产品型号", "设备型号"}},
	{"customer_code", true, []string{"customercode", "customer", "客户代码", "客户编码", "客户编号"}},
	{"site_name", true, []string{"sitename", "site", "网点/站点名称", "网点名称", "站点名称", "网点", "站点", "安装网点"}},
	{"install_date", true, []string{"installdate", "installedon", "安装日期", "安装时间"}},
	{"agreement_number", false, []string{"agreementnumber", "agreement", "协议编号", "服务协议编号", "服务协议"}},
}

func headerKey(s string) string {
	s = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(s, "\ufeff")))
	return strings.NewReplacer(" ", "", "_", "", "-", "", "\u3000", "").Replace(s)
}

// mapHeader finds each column's index in a header row (-1 when absent).
func mapHeader(header []string) (map[string]int, []RowError) {
	idx := map[string]int{}
	for _, c := range columns {
		idx[c.field] = -1
	}
	for i, h := range header {
		k := headerKey(h)
		for _, c := range columns {
			for _, n := range c.names {
				if k == n && idx[c.field] < 0 {
					idx[c.field] = i
				}
			}
		}
	}
	var errs []RowError
	for _, c := range columns {
		if c.required && idx[c.field] < 0 {
			errs = append(errs, RowError{Line: 1, Field: c.field, Reason: fmt.Sprintf("the header has no %s column (accepted names: %s)",
				c.field, strings.Join(c.names, ", "))})
		}
	}
	return idx, errs
}

// cellText cleans a value: trims it, unwraps ="00123", the way people keep
// leading zeros in a CSV that Excel opens, and drops the apostrophe that
// keeps text from being read as a formula (spreadsheet.Guard).
func cellText(s string) string {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, `="`) && strings.HasSuffix(s, `"`) && len(s) >= 3 {
		return strings.TrimSpace(s[2 : len(s)-1])
	}
	return spreadsheet.Unguard(s)
}

func rowFrom(line int, rec []string, idx map[string]int) ImportRow {
	get := func(field string) string {
		i := idx[field]
		if i < 0 || i >= len(rec) {
			return ""
		}
		return cellText(rec[i])
	}
	return ImportRow{Line: line, Serial: get("serial_number"), Model: get("model"), CustomerCode: get("customer_code"),
		SiteName: get("site_name"), InstallDate: get("install_date"), AgreementNumber: get("agreement_number")}
}

func blank(rec []string) bool {
	for _, v := range rec {
		if strings.TrimSpace(v) != "" {
			return false
		}
	}
	return true
}

// decodeText turns the bytes of a CSV into UTF-8 and names the encoding:
// a UTF-8 BOM is dropped, UTF-16 (Excel's "Unicode text") is decoded by its
// BOM, and bytes that are not UTF-8 are read as GBK (GB18030, of which GBK
// is a part), which is what Chinese Excel and WPS write.
func decodeText(data []byte) (string, string, error) {
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		data = data[3:]
		if !utf8.Valid(data) {
			return "", "", errors.New("the file starts as UTF-8 but is not valid UTF-8")
		}
		return string(data), "utf-8-bom", nil
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}) || bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		out, err := unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder().Bytes(data)
		if err != nil {
			return "", "", fmt.Errorf("the file is not valid UTF-16: %w", err)
		}
		return string(out), "utf-16", nil
	case utf8.Valid(data):
		return string(data), "utf-8", nil
	}
	out, err := simplifiedchinese.GB18030.NewDecoder().Bytes(data)
	if err != nil || !utf8.Valid(out) {
		return "", "", errors.New("the file is neither UTF-8 nor GBK text")
	}
	return string(out), "gbk", nil
}

// delimiter guesses the separator from the header line: comma, or the tab
// and semicolon some exports use.
func delimiter(text string) rune {
	first, _, _ := strings.Cut(text, "\n")
	best, n := ',', strings.Count(first, ",")
	for _, d := range []rune{'\t', ';'} {
		if c := strings.Count(first, string(d)); c > n {
			best, n = d, c
		}
	}
	return best
}

// ParseUnitsCSV reads a CSV of units. It never fails: what it cannot read
// is reported as row errors (line 1 for the file as a whole).
func ParseUnitsCSV(data []byte) Parsed {
	p := Parsed{Format: "csv"}
	text, enc, err := decodeText(data)
	if err != nil {
		p.Errors = append(p.Errors, RowError{Line: 1, Field: "file", Reason: err.Error()})
		return p
	}
	p.Encoding = enc
	r := csv.NewReader(strings.NewReader(text))
	r.Comma = delimiter(text)
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	r.ReuseRecord = true
	var idx map[string]int
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			line := 1
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.StartLine
			}
			p.Errors = append(p.Errors, RowError{Line: line, Field: "file", Reason: "cannot read this line as CSV: " + err.Error()})
			if idx == nil {
				return p
			}
			continue
		}
		line, _ := r.FieldPos(0)
		if idx == nil {
			if blank(rec) {
				continue
			}
			var errs []RowError
			if idx, errs = mapHeader(rec); len(errs) > 0 {
				for i := range errs {
					errs[i].Line = line
				}
				p.Errors = append(p.Errors, errs...)
				return p
			}
			continue
		}
		if blank(rec) {
			continue
		}
		if len(p.Rows) == MaxImportRows {
			p.Errors = append(p.Errors, RowError{Line: line, Field: "file", Reason: fmt.Sprintf("more than %d rows: split the file", MaxImportRows)})
			return p
		}
		p.Rows = append(p.Rows, rowFrom(line, rec, idx))
	}
	if idx == nil {
		p.Errors = append(p.Errors, RowError{Line: 1, Field: "file", Reason: "the file is empty: the first line must name the columns"})
	}
	return p
}

// ParseUnitsXLSX reads the first sheet of a workbook. Cells are read as the
// values they hold, not as displayed: a date cell shown as 25/3/7 holds a
// full date, and a long number shown in scientific notation is caught by
// the serial number check.
func ParseUnitsXLSX(data []byte) Parsed {
	p := Parsed{Format: "xlsx", Encoding: "xlsx"}
	fail := func(reason string) Parsed {
		p.Errors = append(p.Errors, RowError{Line: 1, Field: "file", Reason: reason})
		return p
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: 512 << 20, UnzipXMLSizeLimit: 256 << 20})
	if err != nil {
		return fail("cannot open the workbook: " + err.Error())
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return fail("the workbook has no sheet")
	}
	date1904 := false
	if props, err := f.GetWorkbookProps(); err == nil && props.Date1904 != nil {
		date1904 = *props.Date1904
	}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		return fail("cannot read the first sheet: " + err.Error())
	}
	defer rows.Close()
	var idx map[string]int
	line := 0
	for rows.Next() {
		line++
		rec, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			p.Errors = append(p.Errors, RowError{Line: line, Field: "file", Reason: "cannot read this row: " + err.Error()})
			continue
		}
		if blank(rec) {
			continue
		}
		if idx == nil {
			var errs []RowError
			if idx, errs = mapHeader(rec); len(errs) > 0 {
				for i := range errs {
					errs[i].Line = line
				}
				p.Errors = append(p.Errors, errs...)
				return p
			}
			continue
		}
		if len(p.Rows) == MaxImportRows {
			return fail(fmt.Sprintf("more than %d rows: split the file", MaxImportRows))
		}
		row := rowFrom(line, rec, idx)
		row.InstallDate = excelDate(row.InstallDate, date1904)
		if longNumber(row.Serial) {
			cell, _ := excelize.CoordinatesToCellName(idx["serial_number"]+1, line)
			if typ, err := f.GetCellType(sheets[0], cell); err == nil && (typ == excelize.CellTypeNumber || typ == excelize.CellTypeUnset) {
				row.Serial = excelShown(row.Serial)
			}
		}
		p.Rows = append(p.Rows, row)
	}
	if idx == nil {
		return fail("the first sheet is empty: its first row must name the columns")
	}
	return p
}

// longNumber reports whether v is a number Excel cannot hold exactly: it
// keeps 15 significant digits.
func longNumber(v string) bool {
	if _, err := strconv.ParseFloat(v, 64); err != nil {
		return false
	}
	return strings.ContainsAny(v, "Ee") || len(strings.Trim(v, "+-.0123456789")) == 0 && len(strings.Trim(v, "+-.")) > 15
}

// excelShown is how Excel shows a long number in a General cell
// (2.02606E+17): the serial number check then explains what happened.
func excelShown(v string) string {
	n, _ := strconv.ParseFloat(v, 64)
	return strconv.FormatFloat(n, 'E', 5, 64)
}

// excelDate turns a date cell's serial number into 2006-01-02; text stays.
func excelDate(v string, date1904 bool) string {
	n, err := strconv.ParseFloat(v, 64)
	if err != nil || n < 1 || n > 2958465 {
		return v
	}
	t, err := excelize.ExcelDateToTime(n, date1904)
	if err != nil {
		return v
	}
	return t.Format(time.DateOnly)
}

// ParseUnitsFile reads a CSV or XLSX file, told apart by content (an XLSX
// is a zip archive).
func ParseUnitsFile(data []byte) Parsed {
	if bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		return ParseUnitsXLSX(data)
	}
	return ParseUnitsCSV(data)
}
