// Package calendar owns working calendars: the weekly business hours, the
// statutory holidays and make-up workdays (法定节假日, 调休上班日) and the
// arithmetic that SLA clocks are built on (add working hours, find the close
// of business of the Nth working day, measure working time between instants).
//
// It is plain Go over values. It never reads a clock (callers pass the
// instants), never touches storage and never talks HTTP. Importers take bytes
// and return a preview; saving it is the caller's business.
//
// Times: every input and output is a time.Time instant; results are returned
// in UTC. Business hours are wall-clock minutes in the calendar's own time
// zone, so a calendar in a zone with daylight saving time is measured in real
// elapsed time (a 09:00–17:00 slot on a day the clocks move is 7 or 9 hours
// long, and a 24/7 day is 23 or 25 hours long).
package calendar
