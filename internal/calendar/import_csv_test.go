package calendar

import (
	"errors"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"
)

func TestParseCSV(t *testing.T) {
	t.Parallel()
	gbk, err := simplifiedchinese.GBK.NewEncoder().String("日期,类型,名称\r\n2025/10/1,休,国庆节\r\n2025/10/11,班,国庆节\r\n")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		input    string
		want     []string // "date kind name"
		warnings []string // codes
	}{
		{"with header", "date,kind,name\n2025-10-01,holiday,国庆节\n2025-10-11,workday,国庆节\n",
			[]string{"2025-10-01 holiday 国庆节", "2025-10-11 workday 国庆节"}, nil},
		{"without header, slashes, CRLF", "2025/3/7,holiday,x\r\n2025/03/08,workday,y\r\n",
			[]string{"2025-03-07 holiday x", "2025-03-08 workday y"}, nil},
		{"UTF-8 BOM and comments", "\ufeff# notice 2025\ndate,kind,name\n2025-01-01,holiday,元旦\n",
			[]string{"2025-01-01 holiday 元旦"}, nil},
		{"GBK from Excel", gbk, []string{"2025-10-01 holiday 国庆节", "2025-10-11 workday 国庆节"}, []string{WarnEncoding}},
		{"name optional, blank lines", "2025-01-01,holiday\n\n2025-01-26,workday\n",
			[]string{"2025-01-01 holiday ", "2025-01-26 workday "}, nil},
		{"duplicate same kind warns", "2025-01-01,holiday,a\n2025-01-01,holiday,b\n",
			[]string{"2025-01-01 holiday a"}, []string{WarnDuplicate}},
		{"extra columns warn", "2025-01-01,holiday,a,extra\n", []string{"2025-01-01 holiday a"}, []string{WarnExtraColumns}},
		{"empty file", "", nil, []string{WarnEmpty}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := ParseCSV([]byte(tc.input))
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			var got []string
			for _, e := range res.Exceptions {
				got = append(got, e.Date.String()+" "+string(e.Kind)+" "+e.Name)
			}
			if strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Errorf("got %q, want %q", got, tc.want)
			}
			var codes []string
			for _, w := range res.Warnings {
				codes = append(codes, w.Code)
			}
			if strings.Join(codes, "|") != strings.Join(tc.warnings, "|") {
				t.Errorf("warnings %v, want %v", res.Warnings, tc.warnings)
			}
		})
	}
}

func TestParseCSVErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		input string
		want  []LineError // Line and Field must match; Reason must contain the text given
	}{
		{"bad date", "date,kind,name\n2025-02-30,holiday,x\n", []LineError{{Line: 2, Field: "date", Reason: "no such day"}}},
		{"unreadable date", "2025.13,holiday,x\n", []LineError{{Line: 1, Field: "date", Reason: "want a date"}}},
		{"bad kind", "2025-01-01,vacation,x\n", []LineError{{Line: 1, Field: "kind", Reason: "vacation"}}},
		{"missing kind", "2025-01-01\n", []LineError{{Line: 1, Field: "kind", Reason: "missing"}}},
		{"contradiction names both lines", "2025-10-01,holiday,a\n2025-10-02,holiday,b\n2025-10-01,workday,c\n",
			[]LineError{{Line: 3, Field: "kind", Reason: "line 1"}}},
		{"every bad line", "x,holiday\n2025-01-01,?\n", []LineError{{Line: 1, Field: "date", Reason: ""}, {Line: 2, Field: "kind", Reason: ""}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseCSV([]byte(tc.input))
			var ie *ImportErrors
			if !errors.As(err, &ie) {
				t.Fatalf("want *ImportErrors, got %v", err)
			}
			if len(ie.Errors) != len(tc.want) {
				t.Fatalf("got %v, want %v", ie.Errors, tc.want)
			}
			for i, w := range tc.want {
				g := ie.Errors[i]
				if g.Line != w.Line || g.Field != w.Field || !strings.Contains(g.Reason, w.Reason) {
					t.Errorf("error %d = %+v, want %+v", i, g, w)
				}
			}
		})
	}
}
