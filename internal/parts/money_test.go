package parts

import (
	"testing"

	"pgregory.net/rapid"
)

func TestParseYuan(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]int64{"1280": 128000, "1,280.5": 128050, "¥12.05": 1205, " 0.01 ": 1, ".5": 50, "￥3": 300} {
		if got, err := ParseYuan(in); err != nil || got != want {
			t.Errorf("%q: %d %v, want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "1.234", "-1", "1e3", "12.", "abc", "1 000", "9999999999999"} {
		if _, err := ParseYuan(in); err == nil {
			t.Errorf("%q accepted", in)
		}
	}
}

// Formatting then parsing gives the same fen, for every amount.
func TestYuanRoundTrip(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		fen := rapid.Int64Range(0, MaxUnitCostFen*100).Draw(t, "fen")
		got, err := ParseYuan(FormatYuan(fen))
		if err != nil || got != fen {
			t.Fatalf("%d -> %s -> %d %v", fen, FormatYuan(fen), got, err)
		}
	})
}

func FuzzParseYuan(f *testing.F) {
	for _, s := range []string{"1280", "1,280.50", "¥0.01", "", ".", "1..2", "１２"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fen, err := ParseYuan(s)
		if err == nil {
			if fen < 0 {
				t.Fatalf("%q gave %d", s, fen)
			}
			if again, err := ParseYuan(FormatYuan(fen)); err != nil || again != fen {
				t.Fatalf("%q: %d does not round-trip", s, fen)
			}
		}
	})
}
