package fees

import "testing"

// BenchmarkPrice prices a typical visit (visit fee, labour, travel, a
// surcharge, two parts: six lines) and reports lines per second.
func BenchmarkPrice(b *testing.B) {
	s := sample()
	j := Job{ServiceItem: "repair", Priority: "general", OnSiteSeconds: 95 * 60, Distance: Distance{Known: true, Metres: 30_500},
		Timing: OutOfHours, SaleDay: day, Parts: []JobPart{{PartNumber: "P-1", Kind: "genuine", Quantity: 2, UnitCostFen: fen(3333)}, {PartNumber: "P-2", Kind: "approved", Quantity: 1, UnitCostFen: fen(12000)}}}
	lines := make([]Line, 0, 64)
	var n int
	b.ReportAllocs()
	for b.Loop() {
		var u *Unpriced
		lines, u = s.Price(&j, lines[:0])
		if u != nil {
			b.Fatal(u)
		}
		n += len(lines)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "lines/s")
}
