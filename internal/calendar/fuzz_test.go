package calendar

import (
	"testing"
	"unicode/utf8"
)

// The importers take files from users: whatever the bytes, they must return
// a result or an error, never panic, and what they return must be usable.

func FuzzParseICS(f *testing.F) {
	for _, seed := range []string{icsBlocks, icsPerDay, icsApple, icsEmoji,
		"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
		"BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:春节（休）\nDTSTART:20250128T090000Z\nDURATION:P2DT3H\nEND:VEVENT\nEND:VCALENDAR\n",
		"BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY;X=\"a:b\":补班\n \xe8\x8a\nDTSTART:20250128\nEND:VEVENT\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		res, _ := ParseICS(data, nil)
		checkImportResult(t, res)
	})
}

func FuzzParseCSV(f *testing.F) {
	for _, seed := range []string{
		"date,kind,name\n2025-10-01,holiday,国庆节\n2025-10-11,workday,国庆节\n",
		"\ufeff2025/3/7,休,x\r\n2025/3/8,班,y\r\n",
		"\xc8\xd5\xc6\xda,\xc0\xe0\xd0\xcd\r\n2025/10/1,\xd0\xdd\r\n", // GBK
		"2025-10-01,holiday\n2025-10-01,workday\n",
		"\"2025-01-01\",\"holiday\",\"a \"\"quoted\"\" name\"\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		res, _ := ParseCSV(data)
		checkImportResult(t, res)
	})
}

func checkImportResult(t *testing.T, res ImportResult) {
	t.Helper()
	seen := map[Date]bool{}
	for i, e := range res.Exceptions {
		if !e.Date.Valid() || (e.Kind != Holiday && e.Kind != Workday) || !utf8.ValidString(e.Name) {
			t.Fatalf("bad exception %+v", e)
		}
		if seen[e.Date] {
			t.Fatalf("date %s twice", e.Date)
		}
		seen[e.Date] = true
		if i > 0 && !res.Exceptions[i-1].Date.Before(e.Date) {
			t.Fatalf("not sorted at %d", i)
		}
	}
	if len(res.Exceptions) > 0 {
		spec := Spec{ID: "fuzz", TimeZone: "Asia/Shanghai", Week: OfficeWeek(Hours(9, 17)), Exceptions: res.Exceptions}
		if err := spec.Validate(); err != nil {
			t.Fatalf("imported exceptions do not make a valid calendar: %v", err)
		}
	}
}
