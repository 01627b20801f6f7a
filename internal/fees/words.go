package fees

import (
	"fmt"
	"strings"
)

// The characters of amounts in words, as the People's Bank of China's
// rules for bills and vouchers write them (《支付结算办法》 and the
// 正确填写票据和结算凭证的基本规定).
var (
	upperDigits = []rune("零壹贰叁肆伍陆柒捌玖")
	// smallUnits are the places within a group of four digits.
	smallUnits = []string{"", "拾", "佰", "仟"}
	// groupUnits name the groups of four digits: yuan, 万, 亿, 万亿.
	groupUnits = []string{"", "万", "亿", "万亿"}
)

// MaxWordsFen is the largest amount AmountInWords writes: just under
// 10^16 yuan (four groups of four digits).
const MaxWordsFen = 1e18 - 1

// AmountInWords writes an amount of fen in uppercase Chinese the way the
// People's Bank's rules ask for it on a bill:
//
//   - 人民币 first; whole yuan end in 元, and an amount with no jiao and no
//     fen ends in 整 (人民币壹拾元整); an amount ending in jiao has no 整
//     (人民币壹仟零伍元叁角); an amount under one yuan has no 元 (人民币伍分);
//   - ten is written 壹拾, also at the front (壹拾元, 壹拾万);
//   - a run of zeros between two written digits is one 零, also across a
//     group (壹仟零伍元, 壹拾万零柒仟元, 壹亿零壹元); trailing zeros are not
//     written;
//   - yuan followed by fen with no jiao writes 零 before the fen
//     (壹仟肆佰零玖元零贰分); yuan followed by jiao writes none.
//
// Where the rules allow a 零 to be written or left out, this function
// always does the same, so that ParseAmountInWords reads every result back.
// A negative amount is written with 负 in front. Amounts beyond
// MaxWordsFen are written in figures, which never happens for money the
// product holds.
func AmountInWords(fen int64) string {
	var b strings.Builder
	b.WriteString("人民币")
	if fen < 0 {
		b.WriteString("负")
		if fen == -fen { // math.MinInt64
			return fmt.Sprintf("人民币%d分", fen)
		}
		fen = -fen
	}
	if fen > MaxWordsFen {
		return fmt.Sprintf("人民币%d分", fen)
	}
	yuan, jiao, f := fen/100, (fen/10)%10, fen%10
	if yuan > 0 {
		writeYuan(&b, yuan)
		b.WriteString("元")
	}
	switch {
	case jiao == 0 && f == 0:
		if yuan == 0 {
			b.WriteString("零元")
		}
		b.WriteString("整")
	case jiao == 0:
		if yuan > 0 {
			b.WriteString("零")
		}
		b.WriteRune(upperDigits[f])
		b.WriteString("分")
	default:
		b.WriteRune(upperDigits[jiao])
		b.WriteString("角")
		if f > 0 {
			b.WriteRune(upperDigits[f])
			b.WriteString("分")
		}
	}
	return b.String()
}

// writeYuan writes a positive number of yuan without the 元.
func writeYuan(b *strings.Builder, yuan int64) {
	var digits [16]int
	n := 0
	for v := yuan; v > 0; v /= 10 {
		digits[n] = int(v % 10)
		n++
	}
	pendingZero := false
	for pos := n - 1; pos >= 0; pos-- {
		d := digits[pos]
		if d == 0 {
			pendingZero = true
		} else {
			if pendingZero {
				b.WriteRune(upperDigits[0])
				pendingZero = false
			}
			b.WriteRune(upperDigits[d])
			b.WriteString(smallUnits[pos%4])
		}
		if pos%4 == 0 && pos > 0 && groupHasDigit(digits[pos:pos+4]) {
			b.WriteString(groupUnits[pos/4])
		}
	}
}

func groupHasDigit(g []int) bool {
	for _, d := range g {
		if d != 0 {
			return true
		}
	}
	return false
}

// ParseAmountInWords reads back an amount AmountInWords wrote. It accepts
// exactly that form, so that a test can check every amount round-trips.
func ParseAmountInWords(s string) (int64, error) {
	rest, ok := strings.CutPrefix(s, "人民币")
	if !ok {
		return 0, fmt.Errorf("amount in words %q does not start with 人民币", s)
	}
	neg := false
	if r, ok := strings.CutPrefix(rest, "负"); ok {
		neg, rest = true, r
	}
	var yuanPart, fracPart string
	if i := strings.Index(rest, "元"); i >= 0 {
		yuanPart, fracPart = rest[:i], rest[i+len("元"):]
	} else {
		fracPart = rest
	}
	var yuan int64
	if yuanPart != "零" && yuanPart != "" {
		v, err := parseYuan(yuanPart)
		if err != nil {
			return 0, fmt.Errorf("amount in words %q: %w", s, err)
		}
		yuan = v
	}
	frac, err := parseFraction(fracPart)
	if err != nil {
		return 0, fmt.Errorf("amount in words %q: %w", s, err)
	}
	total := yuan*100 + frac
	if neg {
		total = -total
	}
	if AmountInWords(total) != s {
		return 0, fmt.Errorf("amount in words %q is not in the form this product writes", s)
	}
	return total, nil
}

func digitOf(r rune) int {
	for i, d := range upperDigits {
		if d == r {
			return i
		}
	}
	return -1
}

// parseYuan reads digits with their place units; groups end at 万, 亿 or
// 万亿, and a 零 stands for skipped places.
func parseYuan(s string) (int64, error) {
	var total, group int64
	runes := []rune(s)
	for i := 0; i < len(runes); i++ {
		r := runes[i]
		d := digitOf(r)
		switch {
		case d == 0:
			continue
		case d > 0:
			mul := int64(1)
			if i+1 < len(runes) {
				switch runes[i+1] {
				case '拾':
					mul, i = 10, i+1
				case '佰':
					mul, i = 100, i+1
				case '仟':
					mul, i = 1000, i+1
				}
			}
			group += int64(d) * mul
		case r == '万' && i+1 < len(runes) && runes[i+1] == '亿':
			total += group * 1e12
			group, i = 0, i+1
		case r == '亿':
			total += group * 1e8
			group = 0
		case r == '万':
			// 万 after 亿 in the same number belongs to the 万 group.
			total += group * 1e4
			group = 0
		default:
			return 0, fmt.Errorf("unexpected %q", r)
		}
	}
	return total + group, nil
}

func parseFraction(s string) (int64, error) {
	if s == "整" {
		return 0, nil
	}
	s = strings.TrimPrefix(s, "零")
	var fen int64
	runes := []rune(s)
	for i := 0; i < len(runes); i += 2 {
		if i+1 >= len(runes) {
			return 0, fmt.Errorf("unexpected end after %q", runes[i])
		}
		d := digitOf(runes[i])
		if d <= 0 {
			return 0, fmt.Errorf("unexpected %q", runes[i])
		}
		switch runes[i+1] {
		case '角':
			fen += int64(d) * 10
		case '分':
			fen += int64(d)
		default:
			return 0, fmt.Errorf("unexpected %q", runes[i+1])
		}
	}
	return fen, nil
}
