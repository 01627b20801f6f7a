package installedbase

import (
	"bufio"
	"context"
	"io"
	"strings"

	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/spreadsheet"
)

// Export of units in the import's own formats and columns, so that an
// exported file can be edited and imported again (into another vendor's
// account, or after the units were removed).

// MaxExportRows bounds one export: what one import accepts.
const MaxExportRows = MaxImportRows

// ExportFormats are the formats an export is written in.
var ExportFormats = []string{"csv", "xlsx"}

// exportColumns are the import's columns, in its field names and in the
// Chinese names it also accepts.
var exportColumns = [][2]string{
	{"serial_number", "序列号"}, {"model", "型号"}, {"customer_code", "客户代码"},
	{"site_name", "网点名称"}, {"install_date", "安装日期"}, {"agreement_number", "协议编号"},
}

// ExportRow is one unit as the import reads it.
type ExportRow struct {
	ID              int64  `db:"id"`
	Serial          string `db:"serial_number"`
	Model           string `db:"model_code"`
	CustomerCode    string `db:"customer_code"`
	SiteName        string `db:"site_name"`
	InstallDate     string `db:"install_date"`
	AgreementNumber string `db:"agreement_number"`
}

func (r ExportRow) cells() []string {
	return []string{r.Serial, r.Model, r.CustomerCode, r.SiteName, r.InstallDate, r.AgreementNumber}
}

// Export is a checked export, ready to be written.
type Export struct {
	Format  string
	Chinese bool // Chinese column names
	Count   int
	svc     *Service
	cond    string
	args    []any
}

// ExportUnits checks an export of the units matching f that the actor may
// see: the format must be csv or xlsx, and at most MaxExportRows may match.
// Nothing is written until Write.
func (s *Service) ExportUnits(ctx context.Context, a policy.Actor, f UnitFilter, format string, chinese bool) (*Export, error) {
	format = strings.ToLower(strings.TrimSpace(format))
	if format != "csv" && format != "xlsx" {
		return nil, problem.Field("format", "must be csv or xlsx")
	}
	cond, args, err := s.filtered(a, f)
	if err != nil {
		return nil, err
	}
	n, err := countUnits(ctx, s.DB, cond, args)
	if err != nil {
		return nil, err
	}
	if n > MaxExportRows {
		return nil, problem.Field("filter", "%d products match; one export holds at most %d (as one import does): narrow the filter", n, MaxExportRows)
	}
	return &Export{Format: format, Chinese: chinese, Count: n, svc: s, cond: cond, args: args}, nil
}

// filtered is the visibility condition of the actor and the filter, without paging.
func (s *Service) filtered(a policy.Actor, f UnitFilter) (string, []any, error) {
	cond, args, err := visibleUnits(a)
	if err != nil {
		return "", nil, err
	}
	f.After = 0
	if extra, more := f.where(); extra != "" {
		cond, args = cond+` AND `+extra, append(args, more...)
	}
	return cond, args, nil
}

// ContentType and Filename describe the file for a download.
func (e *Export) ContentType() string {
	if e.Format == "xlsx" {
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	return "text/csv; charset=utf-8"
}

// Filename is units-YYYY-MM-DD.csv or .xlsx (the day in China).
func (e *Export) Filename() string { return "units-" + e.svc.today() + "." + e.Format }

// each calls fn for every row, a thousand rows per query, by id.
func (e *Export) each(ctx context.Context, fn func(ExportRow) error) error {
	const batch = 1000
	var after int64
	for {
		rows, err := exportRows(ctx, e.svc.DB, e.cond, e.args, after, batch)
		if err != nil {
			return err
		}
		for _, r := range rows {
			if err := fn(r); err != nil {
				return err
			}
		}
		if len(rows) < batch {
			return nil
		}
		after = rows[len(rows)-1].ID
	}
}

func (e *Export) header() []string {
	h := make([]string, len(exportColumns))
	for i, c := range exportColumns {
		if e.Chinese {
			h[i] = c[1]
		} else {
			h[i] = c[0]
		}
	}
	return h
}

// Write writes the file. CSV is UTF-8 with a BOM, so that Chinese Excel
// opens it as UTF-8, and CRLF line ends; a serial number of digits only is
// written ="00123", which Excel keeps as text (it would drop the leading
// zeros or round a long number) and the import unwraps.
func (e *Export) Write(ctx context.Context, w io.Writer) error {
	if e.Format == "xlsx" {
		return e.writeXLSX(ctx, w)
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	if _, err := bw.WriteString("\ufeff"); err != nil {
		return err
	}
	writeCSVLine(bw, e.header())
	err := e.each(ctx, func(r ExportRow) error {
		writeCSVLine(bw, r.cells())
		return nil
	})
	if err != nil {
		return err
	}
	return bw.Flush()
}

// writeCSVLine writes one CRLF-ended line, quoting as RFC 4180 asks, except
// a serial number of digits only, written ="00123" unquoted: quoted, Excel
// would read it as text with the quotes and equals sign in it. Text a
// spreadsheet would run as a formula is guarded (spreadsheet.Guard); the
// import unguards it.
func writeCSVLine(w *bufio.Writer, cells []string) {
	for i, c := range cells {
		if i > 0 {
			w.WriteByte(',')
		}
		if !(i == 0 && isDigits(c)) {
			c = spreadsheet.Guard(c)
		}
		switch {
		case i == 0 && isDigits(c):
			w.WriteString(`="` + c + `"`)
		case c == "" || !strings.ContainsAny(c, ",\"\r\n") && c[0] != ' ':
			w.WriteString(c)
		default:
			w.WriteString(`"` + strings.ReplaceAll(c, `"`, `""`) + `"`)
		}
	}
	w.WriteString("\r\n")
}

func isDigits(s string) bool { return s != "" && strings.Trim(s, "0123456789") == "" }

// writeXLSX streams the rows into one sheet as text cells, so that a
// serial number is never turned into a number.
func (e *Export) writeXLSX(ctx context.Context, w io.Writer) error {
	sheet, err := spreadsheet.NewTextSheet(len(exportColumns), 18)
	if err != nil {
		return err
	}
	defer sheet.Close()
	if err := sheet.Header(e.header()); err != nil {
		return err
	}
	if err := e.each(ctx, func(r ExportRow) error { return sheet.Row(r.cells()) }); err != nil {
		return err
	}
	_, err = sheet.WriteTo(w)
	return err
}
