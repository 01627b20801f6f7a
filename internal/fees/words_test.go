package fees

import (
	"testing"

	"pgregory.net/rapid"
)

func TestAmountInWords(t *testing.T) {
	t.Parallel()
	cases := []struct {
		fen  int64
		want string
	}{
		{100530, "人民币壹仟零伍元叁角"},
		{1000, "人民币壹拾元整"},
		{5, "人民币伍分"},
		{0, "人民币零元整"},
		{30, "人民币叁角"},
		{35, "人民币叁角伍分"},
		{100, "人民币壹元整"},
		{140902, "人民币壹仟肆佰零玖元零贰分"},
		{32504, "人民币叁佰贰拾伍元零肆分"},
		{168032, "人民币壹仟陆佰捌拾元叁角贰分"},
		{10700053, "人民币壹拾万零柒仟元伍角叁分"},
		{1100000, "人民币壹万壹仟元整"},
		{11000000, "人民币壹拾壹万元整"},
		{21000, "人民币贰佰壹拾元整"},
		{1000000000000, "人民币壹佰亿元整"},
		{10000000100, "人民币壹亿零壹元整"},
		{10001000000, "人民币壹亿零壹万元整"},
		{123456789012, "人民币壹拾贰亿叁仟肆佰伍拾陆万柒仟捌佰玖拾元壹角贰分"},
		{-1050, "人民币负壹拾元伍角"},
	}
	for _, c := range cases {
		if got := AmountInWords(c.fen); got != c.want {
			t.Errorf("AmountInWords(%d) = %s, want %s", c.fen, got, c.want)
		}
		back, err := ParseAmountInWords(c.want)
		if err != nil || back != c.fen {
			t.Errorf("ParseAmountInWords(%s) = %d, %v; want %d", c.want, back, err, c.fen)
		}
	}
}

func TestParseAmountInWordsRefusesOtherForms(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"壹拾元整", "人民币拾元整", "人民币壹拾元", "人民币壹拾元零", "人民币壹元叁角整x", "人民币伍"} {
		if v, err := ParseAmountInWords(s); err == nil {
			t.Errorf("ParseAmountInWords(%s) = %d, want an error", s, v)
		}
	}
}

// Every amount up to 10^12 fen is written in a form that reads back.
func TestAmountInWordsRoundTrips(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		fen := rapid.OneOf(
			rapid.Int64Range(0, 1_000_000_000_000),
			rapid.Int64Range(0, 100_000),
			// amounts with many zeros: a few nonzero digits anywhere
			rapid.Custom(func(t *rapid.T) int64 {
				var v int64
				for _, p := range rapid.SliceOfN(rapid.IntRange(0, 12), 1, 4).Draw(t, "places") {
					v += int64(rapid.IntRange(1, 9).Draw(t, "digit")) * pow10(p)
				}
				return min(v, 1_000_000_000_000)
			}),
		).Draw(t, "fen")
		w := AmountInWords(fen)
		back, err := ParseAmountInWords(w)
		if err != nil || back != fen {
			t.Fatalf("%d -> %s -> %d, %v", fen, w, back, err)
		}
	})
}

func pow10(n int) int64 {
	v := int64(1)
	for range n {
		v *= 10
	}
	return v
}
