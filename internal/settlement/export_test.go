package settlement_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"aftersales/internal/i18n"
	"aftersales/internal/labels"
	"aftersales/internal/settlement"
	"aftersales/internal/store"
)

// zhT renders the catalogs' texts in Chinese, as the export does.
func zhT(id string, args ...any) string {
	data := map[string]any{}
	for i := 0; i+1 < len(args); i += 2 {
		data[fmt.Sprint(args[i])] = args[i+1]
	}
	return i18n.Default().T("zh-CN", id, data)
}

// The exports carry the payee's bank account from the payment terms and the
// balance block: what earlier statements left open, this period's fees and
// deductions, what was paid, and what is outstanding. The workbook is read
// back and its figures checked against the statements and their payments.
func TestStatementExportsCarryPayeeAndBalance(t *testing.T) {
	inWorld(t, newWorld, func(t *testing.T, ctx context.Context, w *world) {
		approve := func(id int64) settlement.Statement {
			t.Helper()
			if _, err := w.svc.Submit(ctx, w.provider, id); err != nil {
				t.Fatal(err)
			}
			st, err := w.svc.Approve(ctx, w.vendor, id)
			if err != nil {
				t.Fatal(err)
			}
			return st
		}
		pay := func(id, amount int64) {
			t.Helper()
			if _, err := w.svc.Pay(ctx, w.vendor, settlement.NewPayment{StatementID: id, AmountFen: amount, PaidOn: "2026-12-05"}); err != nil {
				t.Fatal(err)
			}
		}
		// October approved and paid in part: its rest is carried into November.
		w.visit(t, "SR-10", "repair", "general", "2026-10-12 10:00", 90, 0)
		oct := approve(w.generate(t, "2026-10").ID)
		pay(oct.ID, 4000)
		// November with a late arrival (a deduction), approved, paid in part.
		w.visit(t, "SR-11", "repair", "emergency", "2026-11-18 10:00", 60, 130)
		nov := approve(w.generate(t, "2026-11").ID)
		if nov.Totals.DeductionsFen <= 0 {
			t.Fatalf("November has no deduction: %+v", nov.Totals)
		}
		pay(nov.ID, 2500)

		addresses := map[int64]string{w.f.Vendor.ID: "江苏省苏州市工业园区星湖街 328 号", w.f.Provider.ID: "上海市闵行区春东路 508 号"}
		for id, address := range addresses {
			if _, err := store.Exec(ctx, w.db, `UPDATE organizations SET address = ? WHERE id = ?`, address, id); err != nil {
				t.Fatal(err)
			}
		}
		d, err := w.svc.Document(ctx, w.provider, nov.ID, zhT)
		if err != nil {
			t.Fatal(err)
		}
		want := settlement.Balance{OpeningFen: oct.TotalFen - 4000, BilledFen: nov.Totals.Fees.GrossFen, DeductionsFen: nov.Totals.DeductionsFen,
			PeriodFen: nov.TotalFen, PaidFen: 2500, OutstandingFen: oct.TotalFen - 4000 + nov.TotalFen - 2500}
		if got := d.Balance(); got != want {
			t.Fatalf("balance %+v, want %+v", got, want)
		}
		if d.Payee != (settlement.Payee{Name: "恒信设备服务有限公司", Bank: "中国工商银行苏州分行", Account: "1102 0203 0900 1234 567"}) {
			t.Fatalf("payee %+v", d.Payee)
		}

		var buf bytes.Buffer
		if err := d.Write(&buf, settlement.ExportXLSX, nil); err != nil {
			t.Fatal(err)
		}
		book, err := excelize.OpenReader(&buf)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := book.GetRows("Sheet1")
		if err != nil {
			t.Fatal(err)
		}
		// The amount in the last column of the row labelled label, in fen.
		amount := func(label string) int64 {
			t.Helper()
			for _, r := range rows {
				if len(r) > 1 && r[1] == label {
					v, err := strconv.ParseFloat(strings.ReplaceAll(r[len(r)-1], ",", ""), 64)
					if err != nil {
						t.Fatalf("%s: %q", label, r[len(r)-1])
					}
					if v < 0 {
						return int64(v*100 - 0.5)
					}
					return int64(v*100 + 0.5)
				}
			}
			t.Fatalf("no row %q in %q", label, rows)
			return 0
		}
		for label, fen := range map[string]int64{
			"上期未付": want.OpeningFen, "本期价税合计": want.BilledFen, "本期应付": want.PeriodFen,
			"已付款": -want.PaidFen, "期末应付余额": want.OutstandingFen,
		} {
			if got := amount(label); got != fen {
				t.Errorf("%s: %d fen in the workbook, want %d", label, got, fen)
			}
		}
		var deductions []int64
		for _, r := range rows {
			if len(r) > 1 && r[1] == "违约扣款" {
				v, _ := strconv.ParseFloat(strings.ReplaceAll(r[len(r)-1], ",", ""), 64)
				deductions = append(deductions, int64(v*100-0.5))
			}
		}
		if len(deductions) != 2 || deductions[0] != -want.DeductionsFen || deductions[1] != -want.DeductionsFen {
			t.Errorf("deductions in the totals and the balance: %v, want -%d twice", deductions, want.DeductionsFen)
		}
		text := fmt.Sprint(rows)
		// Both parties with their addresses, in the heading.
		for _, party := range [][3]string{{"vendor", d.Vendor, addresses[w.f.Vendor.ID]}, {"provider", d.Provider, addresses[w.f.Provider.ID]}} {
			found := false
			for _, r := range rows[:8] {
				found = found || len(r) >= 3 && r[1] == party[1] && r[2] == party[2]
			}
			if !found {
				t.Errorf("the workbook's heading lacks %s %s %s: %q", party[0], party[1], party[2], rows[:8])
			}
		}
		for _, s := range []string{"收款方：恒信设备服务有限公司", "开户行：中国工商银行苏州分行", "账号：1102 0203 0900 1234 567"} {
			if !strings.Contains(text, s) {
				t.Errorf("the workbook lacks %q", s)
			}
		}

		// The PDF, rendered to PNG (kept in AFTERSALES_SCREENSHOTS when set).
		fonts := &labels.FontSource{Path: labels.DefaultFontPath}
		if _, err := fonts.Font(); err != nil {
			t.Skipf("no CJK font for the PDF: %v", err)
		}
		buf.Reset()
		if err := d.Write(&buf, settlement.ExportPDF, fonts); err != nil {
			t.Fatal(err)
		}
		if _, err := exec.LookPath("pdftoppm"); err != nil || w.db.Engine != store.SQLite {
			return
		}
		dir := os.Getenv("AFTERSALES_SCREENSHOTS")
		if dir == "" {
			dir = t.TempDir()
		}
		in := filepath.Join(t.TempDir(), "statement.pdf")
		if err := os.WriteFile(in, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command("pdftoppm", "-png", "-r", "80", in, filepath.Join(dir, "statement-balance")).CombinedOutput(); err != nil {
			t.Fatalf("pdftoppm: %v %s", err, out)
		}
		if _, err := exec.LookPath("pdftotext"); err == nil {
			out, err := exec.Command("pdftotext", in, "-").Output()
			if err != nil {
				t.Fatalf("pdftotext: %v", err)
			}
			flat := strings.Join(strings.Fields(string(out)), "")
			for _, address := range addresses {
				if !strings.Contains(flat, strings.Join(strings.Fields(address), "")) {
					t.Errorf("the PDF lacks the address %s: %s", address, out)
				}
			}
		}
	})
}
