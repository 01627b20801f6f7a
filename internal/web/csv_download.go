package web

import (
	"encoding/csv"
	"net/http"

	"aftersales/internal/spreadsheet"
)

// csvDownload is a CSV file sent as a download for Excel and WPS: UTF-8
// with a byte order mark, so that they do not read it as GBK, and no cell
// that a spreadsheet would run as a formula (descriptions come from the
// public QR page, for one).
type csvDownload struct{ w *csv.Writer }

// startCSV sends the headers and the header row of a download.
func startCSV(w http.ResponseWriter, filename string, header ...string) *csvDownload {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+filename+`"`)
	_, _ = w.Write([]byte("\xef\xbb\xbf"))
	d := &csvDownload{csv.NewWriter(w)}
	d.row(header...)
	return d
}

// row writes one row, every cell guarded.
func (d *csvDownload) row(cells ...string) {
	for i := range cells {
		cells[i] = spreadsheet.Guard(cells[i])
	}
	_ = d.w.Write(cells)
}

// end sends what is buffered.
func (d *csvDownload) end() { d.w.Flush() }
