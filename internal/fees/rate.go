package fees

// BP is a rate in basis points, hundredths of a percent: 1300 is 13 %,
// 50 is 0.5 %. Integers keep every rate exact.
type BP = int64

// WholeBP is 100 %.
const WholeBP BP = 10000

// MaxFen bounds every amount a schedule holds: one hundred million yuan.
// With rates of at most 100 % and quantities bounded, no product of an
// amount and a rate can overflow an int64.
const MaxFen int64 = 10_000_000_000

// ofRate is amount × rate, rounded half away from zero to the fen.
func ofRate(amount int64, rate BP) int64 {
	p := amount * rate
	if p >= 0 {
		return (p + WholeBP/2) / WholeBP
	}
	return -((-p + WholeBP/2) / WholeBP)
}

// divRound is a / b rounded half away from zero (b > 0).
func divRound(a, b int64) int64 {
	if a >= 0 {
		return (a + b/2) / b
	}
	return -((-a + b/2) / b)
}

// TaxOf is the VAT of a net amount at rate, rounded half up to the fen.
func TaxOf(net int64, rate BP) int64 { return ofRate(net, rate) }
