package installedbase

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/width"

	"aftersales/internal/problem"
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
	CustomerName    string
	SiteName        string
	SiteAddress     string
	Division        string
	InstallDate     string
	WarrantyEnd     string
	AgreementNumber string
}

// value is the text of one of the row's columns, by field name.
func (r ImportRow) value(field string) string {
	switch field {
	case "serial_number":
		return r.Serial
	case "model":
		return r.Model
	case "customer_code":
		return r.CustomerCode
	case "customer_name":
		return r.CustomerName
	case "site_name":
		return r.SiteName
	case "site_address":
		return r.SiteAddress
	case "division":
		return r.Division
	case "install_date":
		return r.InstallDate
	case "warranty_end":
		return r.WarrantyEnd
	case "agreement_number":
		return r.AgreementNumber
	}
	return ""
}

// RowError is what is wrong with one line of an import file. Reason is
// English; Translate renders it in another language.
type RowError struct {
	Line   int    `json:"line"`
	Field  string `json:"field"`
	Reason string `json:"reason"`
	Value  string `json:"value,omitempty"`

	fe problem.FieldError // the message's format and arguments
}

// Translate returns e with its reason in another language: tr maps an
// English message format to that language's (i18n.Bundle.ProblemFormat).
func (e RowError) Translate(tr func(format string) (string, bool)) RowError {
	if e.fe.Message == "" {
		return e
	}
	p := (&problem.Error{Fields: []problem.FieldError{e.fe}}).Translate(tr)
	e.Reason = p.Fields[0].Message
	return e
}

// rowErrors collects the problems of import lines, each made by Add with a
// message format that the zh-CN problem catalog translates.
type rowErrors struct {
	list *[]RowError
	row  ImportRow
}

// Add records that field of the row is wrong; the value is the row's own.
func (c rowErrors) Add(field, format string, args ...any) {
	var fs problem.Fields
	fs.Add(field, format, args...)
	*c.list = append(*c.list, RowError{Line: c.row.Line, Field: field, Reason: fs[0].Message, Value: c.row.value(field), fe: fs[0]})
}

// fileErrors records problems of the file as a whole, on the line given.
func fileErrors(list *[]RowError, line int) rowErrors {
	return rowErrors{list: list, row: ImportRow{Line: line}}
}

// Parsed is an import file read into rows.
type Parsed struct {
	Format   string // csv or xlsx
	Encoding string // utf-8, utf-8-bom, gbk, utf-16 (csv only)
	Rows     []ImportRow
	Errors   []RowError
	// Ignored are the headers of columns the import does not use.
	Ignored []string
}

// MaxImportRows bounds one import.
const MaxImportRows = 200_000

// columns maps each column to the header names accepted for it, compared
// after folding full-width characters, lower-casing and removing spaces,
// underscores and hyphens. Vendors' lists come out of ERP and sales
// spreadsheets with Chinese headers; the English ones are the export's.
var columns = []struct {
	field string
	names []string
}{
	{"serial_number", []string{"serialnumber", "serial", "sn", "serialno", "序列号", "设备序列号", "出厂编号", "机身号", "机器序列号", "产品序列号"}},
	{"model", []string{"model", "modelcode", "型号", "产品型号", "设备型号", "规格型号"}},
	{"customer_code", []string{"customercode", "客户代码", "客户编码", "客户编号"}},
	{"customer_name", []string{"customername", "customer", "客户名称", "客户", "客户全称", "用户名称", "使用单位", "单位名称"}},
	{"site_name", []string{"sitename", "site", "网点/站点名称", "网点名称", "站点名称", "网点", "站点", "安装网点", "安装地点名称"}},
	{"site_address", []string{"siteaddress", "address", "installaddress", "安装地址", "地址", "详细地址", "安装地点"}},
	{"division", []string{"division", "divisioncode", "行政区划代码", "区划代码", "行政区划", "行政区域代码"}},
	{"install_date", []string{"installdate", "installedon", "安装日期", "安装时间"}},
	{"warranty_end", []string{"warrantyend", "warrantyenddate", "warrantyuntil", "保修截止日期", "保修截止", "保修到期日", "保修到期日期", "保修期至"}},
	{"agreement_number", []string{"agreementnumber", "agreement", "协议编号", "服务协议编号", "服务协议"}},
}

// requiredColumns are the columns a file must have: each entry is
// satisfied by any one of its fields.
var requiredColumns = [][]string{
	{"serial_number"}, {"model"}, {"customer_name", "customer_code"}, {"site_address", "site_name"}, {"install_date"},
}

func headerKey(s string) string {
	s = strings.ToLower(strings.TrimSpace(width.Fold.String(strings.TrimPrefix(s, "\ufeff"))))
	return strings.NewReplacer(" ", "", "_", "", "-", "", "\u3000", "").Replace(s)
}

// headerNames lists the accepted headers of a column for a message: the
// English one and the first Chinese one.
func headerNames(field string) string {
	for _, c := range columns {
		if c.field == field {
			zh := c.names[0]
			for _, n := range c.names {
				if n[0] >= 0x80 {
					zh = n
					break
				}
			}
			return field + " / " + zh
		}
	}
	return field
}

// mapHeader finds each column's index in a header row (-1 when absent) and
// the headers of columns the import does not use (a column named twice is
// read the first time).
func mapHeader(header []string, line int) (map[string]int, []string, []RowError) {
	idx := map[string]int{}
	for _, c := range columns {
		idx[c.field] = -1
	}
	var ignored []string
	for i, h := range header {
		k := headerKey(h)
		if k == "" {
			continue
		}
		used := false
		for _, c := range columns {
			if slices.Contains(c.names, k) && idx[c.field] < 0 {
				idx[c.field], used = i, true
				break
			}
		}
		if !used {
			ignored = append(ignored, strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		}
	}
	var errs []RowError
	add := fileErrors(&errs, line)
	for _, alt := range requiredColumns {
		found := false
		for _, f := range alt {
			found = found || idx[f] >= 0
		}
		switch {
		case found:
		case len(alt) == 1:
			add.Add(alt[0], "the header has no %s column", headerNames(alt[0]))
		default:
			add.Add(alt[0], "the header has neither a %s nor a %s column", headerNames(alt[0]), headerNames(alt[1]))
		}
	}
	return idx, ignored, errs
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
		CustomerName: get("customer_name"), SiteName: get("site_name"), SiteAddress: get("site_address"), Division: get("division"),
		InstallDate: get("install_date"), WarrantyEnd: get("warranty_end"), AgreementNumber: get("agreement_number")}
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
func decodeText(data []byte) (string, string, func(rowErrors)) {
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		data = data[3:]
		if !utf8.Valid(data) {
			return "", "", func(e rowErrors) { e.Add("file", "the file starts as UTF-8 but is not valid UTF-8") }
		}
		return string(data), "utf-8-bom", nil
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}) || bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		out, err := unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder().Bytes(data)
		if err != nil {
			return "", "", func(e rowErrors) { e.Add("file", "the file is not valid UTF-16: %s", err.Error()) }
		}
		return string(out), "utf-16", nil
	case utf8.Valid(data):
		return string(data), "utf-8", nil
	}
	out, err := simplifiedchinese.GB18030.NewDecoder().Bytes(data)
	if err != nil || !utf8.Valid(out) {
		return "", "", func(e rowErrors) { e.Add("file", "the file is neither UTF-8 nor GBK text") }
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
	text, enc, refuse := decodeText(data)
	if refuse != nil {
		refuse(fileErrors(&p.Errors, 1))
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
			fileErrors(&p.Errors, line).Add("file", "cannot read this line as CSV: %s", err.Error())
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
			if idx, p.Ignored, errs = mapHeader(rec, line); len(errs) > 0 {
				p.Errors = append(p.Errors, errs...)
				return p
			}
			continue
		}
		if blank(rec) {
			continue
		}
		if len(p.Rows) == MaxImportRows {
			fileErrors(&p.Errors, line).Add("file", "more than %d rows: split the file", MaxImportRows)
			return p
		}
		p.Rows = append(p.Rows, rowFrom(line, rec, idx))
	}
	if idx == nil {
		fileErrors(&p.Errors, 1).Add("file", "the file is empty: the first line must name the columns")
	}
	return p
}

// ParseUnitsXLSX reads the first sheet of a workbook. Cells are read as the
// values they hold, not as displayed: a date cell shown as 25/3/7 holds a
// full date, and a long number shown in scientific notation is caught by
// the serial number check.
func ParseUnitsXLSX(data []byte) Parsed {
	p := Parsed{Format: "xlsx", Encoding: "xlsx"}
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: 512 << 20, UnzipXMLSizeLimit: 256 << 20})
	if err != nil {
		fileErrors(&p.Errors, 1).Add("file", "the file is a zip archive but not an Excel workbook (XLSX): %s", err.Error())
		return p
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		fileErrors(&p.Errors, 1).Add("file", "the workbook has no sheet")
		return p
	}
	date1904 := false
	if props, err := f.GetWorkbookProps(); err == nil && props.Date1904 != nil {
		date1904 = *props.Date1904
	}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		fileErrors(&p.Errors, 1).Add("file", "cannot read the first sheet: %s", err.Error())
		return p
	}
	defer rows.Close()
	var idx map[string]int
	line := 0
	for rows.Next() {
		line++
		rec, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			fileErrors(&p.Errors, line).Add("file", "cannot read this row: %s", err.Error())
			continue
		}
		if blank(rec) {
			continue
		}
		if idx == nil {
			var errs []RowError
			if idx, p.Ignored, errs = mapHeader(rec, line); len(errs) > 0 {
				p.Errors = append(p.Errors, errs...)
				return p
			}
			continue
		}
		if len(p.Rows) == MaxImportRows {
			fileErrors(&p.Errors, line).Add("file", "more than %d rows: split the file", MaxImportRows)
			return p
		}
		row := rowFrom(line, rec, idx)
		row.InstallDate = excelDate(row.InstallDate, date1904)
		row.WarrantyEnd = excelDate(row.WarrantyEnd, date1904)
		if longNumber(row.Serial) {
			cell, _ := excelize.CoordinatesToCellName(idx["serial_number"]+1, line)
			if typ, err := f.GetCellType(sheets[0], cell); err == nil && (typ == excelize.CellTypeNumber || typ == excelize.CellTypeUnset) {
				row.Serial = excelShown(row.Serial)
			}
		}
		p.Rows = append(p.Rows, row)
	}
	if idx == nil {
		fileErrors(&p.Errors, 1).Add("file", "the first sheet is empty: its first row must name the columns")
		return p
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
// is a zip archive). Anything else (a photo renamed .csv, a PDF, an old
// .xls workbook) is refused as what it is, not read as text.
func ParseUnitsFile(data []byte) Parsed {
	if bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		return ParseUnitsXLSX(data)
	}
	if refuse := notSpreadsheet(data); refuse != nil {
		p := Parsed{}
		refuse(fileErrors(&p.Errors, 1))
		return p
	}
	return ParseUnitsCSV(data)
}

// notSpreadsheet tells why a file that is neither CSV text nor XLSX is
// refused, or returns nil. Text in GBK, UTF-8 or UTF-16 with a BOM passes;
// bytes a text never holds (NUL, most control characters) or a known file
// signature do not.
func notSpreadsheet(data []byte) func(rowErrors) {
	if bytes.HasPrefix(data, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}) {
		return func(e rowErrors) {
			e.Add("file", "the file is an Excel 97-2003 workbook (.xls), which is not read: save it as XLSX or CSV and upload that")
		}
	}
	ct, _, _ := strings.Cut(http.DetectContentType(data), ";")
	switch {
	case ct == "text/plain":
		return nil
	case strings.HasPrefix(ct, "image/"):
		return func(e rowErrors) {
			e.Add("file", "the file is an image (%s), not a spreadsheet: save the list as CSV or XLSX and upload that", ct)
		}
	case ct == "application/pdf":
		return func(e rowErrors) {
			e.Add("file", "the file is a PDF document, not a spreadsheet: save the list as CSV or XLSX and upload that")
		}
	}
	return func(e rowErrors) {
		e.Add("file", "the file is not a spreadsheet (its content reads as %s): save the list as CSV or XLSX and upload that", ct)
	}
}
