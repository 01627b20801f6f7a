package form

import (
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"aftersales/internal/calendar"
	"aftersales/internal/problem"
)

func TestReadsValuesAndNamesBadOnes(t *testing.T) {
	t.Parallel()
	shanghai := calendar.Shanghai
	for _, c := range []struct {
		name  string
		value string
		read  func(f *Form) any
		want  any
		bad   bool
	}{
		{"whole number", " 42 ", func(f *Form) any { return f.Int64("x") }, int64(42), false},
		{"negative number", "-7", func(f *Form) any { return f.Int64("x") }, int64(-7), false},
		{"empty number is 0", "", func(f *Form) any { return f.Int64("x") }, int64(0), false},
		{"word for a number", "abc", func(f *Form) any { return f.Int64("x") }, int64(0), true},
		{"decimal for a whole number", "1.5", func(f *Form) any { return f.Int64("x") }, int64(0), true},
		{"number too large", "99999999999999999999", func(f *Form) any { return f.Int64("x") }, int64(0), true},
		{"int", "12", func(f *Form) any { return f.Int("x") }, 12, false},
		{"int beyond int32", "3000000000", func(f *Form) any { return f.Int("x") }, 0, true},
		{"optional absent", "", func(f *Form) any { return f.OptionalInt64("x") == nil }, true, false},
		{"optional given", "5", func(f *Form) any { return *f.OptionalInt64("x") }, int64(5), false},
		{"optional bad", "5x", func(f *Form) any { return f.OptionalInt64("x") == nil }, true, true},
		{"float with comma", "12,5", func(f *Form) any { return f.Float("x") }, 12.5, false},
		{"float NaN", "NaN", func(f *Form) any { return f.Float("x") }, 0.0, true},
		{"float infinite", "-Inf", func(f *Form) any { return f.Float("x") }, 0.0, true},
		{"checkbox on", "on", func(f *Form) any { return f.Bool("x") }, true, false},
		{"checkbox value 1", "1", func(f *Form) any { return f.Bool("x") }, true, false},
		{"checkbox absent", "", func(f *Form) any { return f.Bool("x") }, false, false},
		{"checkbox garbage", "maybe", func(f *Form) any { return f.Bool("x") }, false, true},
		{"date typed with slashes", "2026/12/7", func(f *Form) any { return f.Date("x") }, calendar.NewDate(2026, 12, 7), false},
		{"date in Chinese", "2026年12月7日", func(f *Form) any { return f.Date("x") }, calendar.NewDate(2026, 12, 7), false},
		{"no such day", "2026-02-30", func(f *Form) any { return f.Date("x") }, calendar.Date{}, true},
		{"a time for a date", "09:30", func(f *Form) any { return f.Date("x") }, calendar.Date{}, true},
		{"clock", "9点30", func(f *Form) any { m, _ := f.Clock("x"); return m }, 9*60 + 30, false},
		{"clock 24:00", "24:00", func(f *Form) any { m, _ := f.Clock("x"); return m }, 0, true},
		{"date and time", "2026/12/7 9:30", func(f *Form) any { return f.DateTime("x", shanghai) },
			time.Date(2026, 12, 7, 9, 30, 0, 0, shanghai), false},
		{"date without time", "2026-12-07", func(f *Form) any { return f.DateTime("x", shanghai) }, time.Time{}, true},
		{"instant", "2026-12-07T09:00:00+08:00", func(f *Form) any { return f.Instant("x").UTC() },
			time.Date(2026, 12, 7, 1, 0, 0, 0, time.UTC), false},
		{"instant without offset", "2026-12-07T09:00", func(f *Form) any { return f.Instant("x") }, time.Time{}, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := Values(url.Values{"x": {c.value}, "other": {"1"}})
			got := c.read(f)
			if got != c.want {
				if gt, ok := got.(time.Time); !ok || !gt.Equal(c.want.(time.Time)) {
					t.Errorf("read %q as %v, want %v", c.value, got, c.want)
				}
			}
			err := f.Err()
			if c.bad != (err != nil) {
				t.Fatalf("%q: err = %v, want bad %v", c.value, err, c.bad)
			}
			if c.bad {
				p, ok := problem.As(err)
				if !ok || p.Kind != problem.Invalid || len(p.Fields) != 1 || p.Fields[0].Field != "x" {
					t.Fatalf("%q: %v does not name the field x alone", c.value, err)
				}
			}
		})
	}
}

func TestOneProblemPerFieldAndAllFieldsNamed(t *testing.T) {
	t.Parallel()
	f := Values(url.Values{"qty": {"x"}, "ids": {"1", "", "b", "3"}, "day": {"soon"}})
	_ = f.Int("qty")
	_ = f.Int64("qty")
	f.Add("qty", "is required")
	ids := f.Int64s("ids")
	_ = f.Date("day")
	if len(ids) != 2 || ids[0] != 1 || ids[1] != 3 {
		t.Errorf("ids = %v, want [1 3]", ids)
	}
	p, ok := problem.As(f.Err())
	if !ok {
		t.Fatal("no problem")
	}
	var named []string
	for _, fe := range p.Fields {
		named = append(named, fe.Field+": "+fe.Message)
	}
	want := "qty: must be a whole number|ids: must be a whole number|day: must be a date like 2026-12-01"
	if got := strings.Join(named, "|"); got != want {
		t.Errorf("problems %q, want %q", got, want)
	}
	if !f.Failed("qty") || f.Failed("other") {
		t.Error("Failed does not tell the bad field from the others")
	}
}

// Whatever is posted, the reader never panics, and a value it reads as a
// number without a problem is that number; anything else is named.
func FuzzFormNumbers(f *testing.F) {
	for _, s := range []string{"1", " 12 ", "-3", "", "1e3", "0x10", "１２", "9223372036854775808", "12,5", "NaN", "on", "2026/12/7", "9点", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fm := Values(url.Values{"n": {s}})
		n := fm.Int64("n")
		err := fm.Err()
		trimmed := strings.TrimSpace(s)
		want, perr := strconv.ParseInt(trimmed, 10, 64)
		switch {
		case trimmed == "":
			if err != nil || n != 0 {
				t.Fatalf("empty %q read as %d, %v", s, n, err)
			}
		case perr != nil:
			if err == nil {
				t.Fatalf("%q accepted as the number %d", s, n)
			}
		case err != nil || n != want:
			t.Fatalf("%q read as %d, %v; want %d", s, n, err, want)
		}
		other := Values(url.Values{"x": {s}})
		_ = other.Int("x")
		_ = other.OptionalInt64("x")
		_ = other.Int64s("x")
		if v := other.Float("x"); v != v {
			t.Fatalf("%q read as NaN", s)
		}
		_ = other.Bool("x")
		if d := other.Date("x"); d != (calendar.Date{}) && !d.Valid() {
			t.Fatalf("%q read as no such day %v", s, d)
		}
		if m, ok := other.Clock("x"); ok && (m < 0 || m >= 24*60) {
			t.Fatalf("%q read as %d minutes", s, m)
		}
		_ = other.DateTime("x", calendar.Shanghai)
		_ = other.Instant("x")
		if p, ok := problem.As(other.Err()); ok {
			for _, fe := range p.Fields {
				if fe.Field != "x" {
					t.Fatalf("%q named the field %q", s, fe.Field)
				}
			}
		}
	})
}
