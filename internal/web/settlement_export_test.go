package web_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"aftersales/internal/fees"
	"aftersales/internal/policy"
	"aftersales/internal/testutil"
)

// The demo's settled month downloads as a PDF (rendered to PNG with
// pdftoppm, kept in AFTERSALES_SCREENSHOTS when set) and as a workbook
// whose totals and words are the statement's.
func TestSettlementExports(t *testing.T) {
	t.Parallel()
	db := testutil.DemoDB(t)
	ctx := context.Background()
	app := testutil.NewApp(t, db)
	svc := testutil.Services(t, db)
	list := demoStatements(t, db)
	settled := list[1]
	st, err := svc.Settlements.Get(ctx, policy.Actor{Operator: true}, settled.ID)
	if err != nil {
		t.Fatal(err)
	}
	c := signInDemo(t, app, "admin@haichuan.example")
	download := func(kind string) []byte {
		res := get(t, c, app.URL+fmt.Sprintf("/settlements/%d/statement.%s", settled.ID, kind))
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		if res.StatusCode != 200 || !strings.Contains(res.Header.Get("Content-Disposition"), st.Number) {
			t.Fatalf("%s: %d %.300s", kind, res.StatusCode, b)
		}
		return b
	}

	pdf := download("pdf")
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("not a PDF: %.20q", pdf)
	}
	if _, err := exec.LookPath("pdftoppm"); err == nil {
		dir := os.Getenv("AFTERSALES_SCREENSHOTS")
		if dir == "" {
			dir = t.TempDir()
		}
		in := filepath.Join(t.TempDir(), "statement.pdf")
		if err := os.WriteFile(in, pdf, 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command("pdftoppm", "-png", "-r", "70", in, filepath.Join(dir, "settlement-pdf")).CombinedOutput()
		if err != nil {
			t.Fatalf("pdftoppm: %v %s", err, out)
		}
		pages, _ := filepath.Glob(filepath.Join(dir, "settlement-pdf*.png"))
		if len(pages) == 0 {
			t.Fatal("pdftoppm rendered no page")
		}
	} else if os.Getenv("AFTERSALES_TEST_BROWSER") == "require" {
		t.Fatal("pdftoppm is not installed (Debian package poppler-utils)")
	}

	f, err := excelize.OpenReader(bytes.NewReader(download("xlsx")))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	var words, number bool
	for _, r := range rows {
		joined := strings.Join(r, "|")
		words = words || strings.Contains(joined, st.Totals.TotalInWords)
		number = number || strings.Contains(joined, st.Number)
	}
	if !words || !number || len(rows) < len(st.Lines)+8 {
		t.Fatalf("workbook: words %v, number %v, %d rows for %d lines", words, number, len(rows), len(st.Lines))
	}
	if fees.AmountInWords(st.TotalFen) != st.Totals.TotalInWords {
		t.Fatal("the statement's words are not its total's")
	}
}
