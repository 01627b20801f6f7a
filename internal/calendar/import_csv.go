package calendar

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"

	"aftersales/internal/problem"
)

// ParseCSV reads holiday rows "date,kind,name" (the header row is optional,
// lines starting with # are comments). It accepts UTF-8 with or without a
// byte order mark and GBK/GB18030 as saved by Chinese Excel and WPS; dates
// as 2025-03-07 or 2025/3/7; kind as holiday/workday or 休/班 (also 放假,
// 假日, 上班, 补班). Errors name the line and the field; a date given once
// as holiday and once as workday is an error naming both lines.
func ParseCSV(data []byte) (ImportResult, error) {
	var col collector
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(data) {
		decoded, err := simplifiedchinese.GB18030.NewDecoder().Bytes(data)
		if err != nil {
			col.fail(0, "", problem.Msg("the file is neither UTF-8 nor GBK text"))
			return col.finish()
		}
		data = bytes.TrimPrefix(decoded, []byte("\xef\xbb\xbf"))
		col.warn(0, WarnEncoding, "gbk", nil, "the file is not UTF-8; read it as GBK")
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.Comment = '#'
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	r.TrimLeadingSpace = true
	first, warnedExtra := true, false
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				col.fail(pe.Line, "", problem.Msg("%v", pe.Err))
			} else {
				col.fail(0, "", problem.Msg("%v", err))
			}
			break
		}
		line, _ := r.FieldPos(0)
		isHeader := first && isCSVHeader(rec[0])
		first = false
		if isHeader || (len(rec) == 1 && strings.TrimSpace(rec[0]) == "") {
			continue
		}
		if len(rec) > 3 && !warnedExtra {
			col.warn(line, WarnExtraColumns, "extra_columns", nil, "columns after date,kind,name are ignored")
			warnedExtra = true
		}
		e, ok := parseCSVRecord(&col, line, rec)
		if ok {
			col.add(e, line)
		}
	}
	return col.finish()
}

func isCSVHeader(field string) bool {
	f := strings.ToLower(strings.TrimSpace(field))
	return f == "date" || f == "日期"
}

func parseCSVRecord(col *collector, line int, rec []string) (Exception, bool) {
	d, err := parseLooseDate(strings.TrimSpace(rec[0]))
	if err != nil {
		col.failErr(line, "date", err)
		return Exception{}, false
	}
	if len(rec) < 2 || strings.TrimSpace(rec[1]) == "" {
		col.fail(line, "kind", problem.Msg("missing: want holiday or workday"))
		return Exception{}, false
	}
	kind, ok := parseKind(rec[1])
	if !ok {
		col.fail(line, "kind", problem.Msg("%q: want holiday or workday", strings.TrimSpace(rec[1])))
		return Exception{}, false
	}
	e := Exception{Date: d, Kind: kind}
	if len(rec) > 2 {
		e.Name = strings.TrimSpace(rec[2])
	}
	return e, true
}

func parseKind(s string) (ExceptionKind, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "holiday", "off", "休", "假", "放假", "假日", "节假日", "休息":
		return Holiday, true
	case "workday", "work", "班", "上班", "补班", "调休上班", "工作日":
		return Workday, true
	}
	return "", false
}

// parseLooseDate accepts YYYY-M-D, YYYY/M/D and YYYY.M.D with one- or
// two-digit month and day.
func parseLooseDate(s string) (Date, error) {
	var parts []string
	for _, sep := range []string{"-", "/", "."} {
		if strings.Count(s, sep) == 2 {
			parts = strings.Split(s, sep)
			break
		}
	}
	if len(parts) != 3 || len(parts[0]) != 4 || len(parts[1]) < 1 || len(parts[1]) > 2 || len(parts[2]) < 1 || len(parts[2]) > 2 {
		return Date{}, problem.Msg("%q: want a date like 2025-03-07 or 2025/3/7", s)
	}
	var n [3]int
	for i, p := range parts {
		v, err := strconv.Atoi(p)
		if err != nil || v < 0 {
			return Date{}, problem.Msg("%q: want a date like 2025-03-07 or 2025/3/7", s)
		}
		n[i] = v
	}
	d := Date{n[0], time.Month(n[1]), n[2]}
	if !d.Valid() {
		return Date{}, problem.Msg("%q: no such day", s)
	}
	return d, nil
}
