package installedbase

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
)

// Text a spreadsheet would run as a formula is exported guarded, and the
// import reads back what was exported.
func TestExportGuardsFormulas(t *testing.T) {
	t.Parallel()
	cells := []string{"SN-1", "=HYPERLINK(\"x\")", "-Plant", "@SUM(A1)", "'quoted", "+86", "plain, with comma"}
	var buf bytes.Buffer
	w := bufio.NewWriter(&buf)
	writeCSVLine(w, cells)
	w.Flush()
	line := buf.String()
	for _, bad := range []string{",=", ",\"=", ",-", ",@", ",+"} {
		if strings.Contains(line, bad) {
			t.Errorf("a cell starts a formula (%q) in %q", bad, line)
		}
	}
	rec, err := csv.NewReader(strings.NewReader(line)).Read()
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range rec {
		if got := cellText(c); got != cells[i] {
			t.Errorf("cell %d: exported %q, read back %q, want %q", i, c, got, cells[i])
		}
	}
}
