package calendar

import (
	"time"
)

// Shanghai is the zone of the product's civil dates and shown times: the
// date an agreement version takes effect, a warranty's last day, a part's
// approval, a record's retention, the times in notifications and on pages.
// Every package reads dates through it (and LocalDate) rather than loading
// the zone itself. The zone database is embedded (see calendar.go), so
// loading cannot fail on a host without one.
var Shanghai = func() *time.Location {
	l, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		panic(err) // time/tzdata is linked in
	}
	return l
}()

// LocalDate is the civil date of instant t in Shanghai, YYYY-MM-DD: from
// 16:00 UTC on it is already the next day.
func LocalDate(t time.Time) string { return t.In(Shanghai).Format(time.DateOnly) }

// LocalMidnight reads a civil date YYYY-MM-DD as the instant its day starts
// in Shanghai. It is the inverse of LocalDate.
func LocalMidnight(date string) (time.Time, error) {
	return time.ParseInLocation(time.DateOnly, date, Shanghai)
}

// LocalMinute is instant t as a person in Shanghai reads it in a sentence:
// the civil date and the minute, YYYY-MM-DD HH:MM.
func LocalMinute(t time.Time) string { return t.In(Shanghai).Format("2006-01-02 15:04") }
