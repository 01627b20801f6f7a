package calendar

import (
	_ "embed"
	"fmt"
	"sync"
)

// CNID is the identifier of the built-in mainland China calendar.
const CNID = "cn"

//go:embed cn/holidays.csv
var cnHolidaysCSV []byte

// CNFirstYear and CNLastYear bound the years of official data in the
// built-in calendar. A year after CNLastYear has only weekends off until its
// notice is imported.
const (
	CNFirstYear = 2004
	CNLastYear  = 2026
)

var cnOnce = sync.OnceValues(func() (*Calendar, error) {
	res, err := ParseCSV(cnHolidaysCSV)
	if err != nil {
		return nil, fmt.Errorf("built-in calendar %s: %w", CNID, err)
	}
	years := make([]int, 0, CNLastYear-CNFirstYear+1)
	for y := CNFirstYear; y <= CNLastYear; y++ {
		years = append(years, y)
	}
	return New(Spec{
		ID:           CNID,
		Name:         "中国大陆法定工作日",
		TimeZone:     "Asia/Shanghai",
		Week:         OfficeWeek(Hours(9, 12), Hours(13, 18)),
		Exceptions:   res.Exceptions,
		CoveredYears: years,
	})
})

// CN returns the built-in calendar "cn": mainland China's statutory holidays
// and make-up workdays 2004–2026 as announced by the State Council General
// Office, Monday–Friday 09:00–12:00 and 13:00–18:00, Asia/Shanghai. The
// calendar is built once and shared; it is immutable.
func CN() *Calendar {
	c, err := cnOnce()
	if err != nil {
		panic(err) // the embedded file is checked by the package's tests
	}
	return c
}

// CNExceptions returns a copy of the built-in holiday data, e.g. to seed
// storage or to derive a regional calendar.
func CNExceptions() []Exception { return CN().Exceptions() }

// Builtin returns a built-in calendar by id.
func Builtin(id string) (*Calendar, bool) {
	if id == CNID {
		return CN(), true
	}
	return nil, false
}
