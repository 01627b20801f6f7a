package dispatch

import (
	"context"
	"time"

	"aftersales/internal/calendar"
	"aftersales/internal/store"
)

// The day a board opens on when none is asked for: the first day, from
// today, on which working time is left, the day a dispatcher plans. At
// 21:00 today's hours are over and the board opens on the next working
// day; before a weekend or a holiday, on the first day after it on which
// a technician works.

// lookAhead bounds the search for a day with working time left: past the
// longest run of days off on the calendar (the Spring Festival's).
const lookAhead = 14

// WorkLeft says the lane has working time left after now on the day that
// starts at midnight: its working hours after the calendar's holidays and
// make-up workdays, less its leave and what is past. It is the plan's own
// rule (technicianOf): a lane without working time left has no technician
// in the plan of the day.
func WorkLeft(l Lane, midnight, now time.Time) bool {
	p := &Problem{Midnight: midnight}
	_, ok := technicianOf(p, l, p.minutes(now))
	return ok
}

// DefaultDay is the first local day from now's on which some technician
// of the provider has working time left (WorkLeft); today when none has
// within lookAhead days.
func (s *Service) DefaultDay(ctx context.Context, q store.Queryer, providerID int64, now time.Time) (calendar.Date, error) {
	today := calendar.DateOf(now, calendar.Shanghai)
	for d := today; d.Before(today.AddDays(lookAhead)); d = d.AddDays(1) {
		days, err := s.Staff.Days(ctx, q, providerID, d)
		if err != nil {
			return today, err
		}
		midnight, _ := dayBounds(d)
		for _, av := range days {
			if WorkLeft(Lane{Shift: av.Shift, Leave: av.Leave, EfficiencyPermille: 1000}, midnight, now) {
				return d, nil
			}
		}
	}
	return today, nil
}

// dayOf reads the day of a board or a plan: the one asked for, else the
// provider's DefaultDay.
func (s *Service) dayOf(ctx context.Context, q store.Queryer, providerID int64, day string) (calendar.Date, error) {
	if day != "" {
		return ParseDay(day, s.Now())
	}
	return s.DefaultDay(ctx, q, providerID, s.Now())
}
