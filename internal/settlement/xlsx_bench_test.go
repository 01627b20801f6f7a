package settlement_test

import (
	"fmt"
	"io"
	"testing"

	"aftersales/internal/fees"
	"aftersales/internal/settlement"
)

// xlsxDocument is a statement of n visits, each with a visit fee and a
// labour line, as the workbook export receives it.
func xlsxDocument(n int) settlement.Document {
	st := settlement.Statement{}
	st.Number, st.Period, st.PeriodFrom, st.PeriodTo, st.Status = "JS-HX-2026-01-2026-11", "2026-11", "2026-11-01", "2026-11-30", settlement.Approved
	st.Lines = make([]settlement.StatementLine, 0, 2*n)
	for i := range n {
		rec := int64(i + 1)
		req := fmt.Sprintf("SR-2026-%06d", i+1)
		st.Lines = append(st.Lines,
			settlement.StatementLine{Position: 2*i + 1, RecordID: &rec, Request: req, TermsVersion: 1,
				Line: fees.Line{Kind: fees.LineVisitFee, Category: fees.CategoryLabour, Ref: "repair/general", Quantity: 1, UnitFen: 10000, NetFen: 10000, TaxRateBP: 1300, TaxFen: 1300, GrossFen: 11300}},
			settlement.StatementLine{Position: 2*i + 2, RecordID: &rec, Request: req, TermsVersion: 1,
				Line: fees.Line{Kind: fees.LineLabour, Category: fees.CategoryLabour, Quantity: 90, UnitFen: 12000, NetFen: 18000, TaxRateBP: 1300, TaxFen: 2340, GrossFen: 20340}})
	}
	st.Totals = settlement.Sum(st.Lines)
	st.TotalFen = st.Totals.TotalFen
	return settlement.Document{S: st, Vendor: "海川数控", Provider: "恒信服务", DueOn: "2027-01-05",
		T: func(id string, _ ...any) string { return id }}
}

// BenchmarkStatementXLSX writes the workbook of a month of 10,000 and of
// 100,000 visits through excelize's stream writer.
func BenchmarkStatementXLSX(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		d := xlsxDocument(n)
		b.Run(fmt.Sprintf("visits=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := settlement.WriteXLSX(io.Discard, d); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(2*n)*float64(b.N)/b.Elapsed().Seconds(), "lines/s")
		})
	}
}
