package cli

import (
	"bufio"
	"fmt"
	"strings"
	"time"

	"aftersales/internal/calendar"
)

func calendarCmd(e *env, args []string) error {
	if len(args) == 0 {
		return usagef("calendar due | calendar import | calendar list | calendar show")
	}
	switch args[0] {
	case "due":
		return calendarDue(e, args[1:])
	case "import":
		return calendarImport(e, args[1:])
	case "list":
		return calendarList(e, args[1:])
	case "show":
		return calendarShow(e, args[1:])
	}
	return usagef("unknown subcommand %q: calendar due | import | list | show", args[0])
}

// calendarDue prints one deadline, in the calendar's time zone, on one line.
func calendarDue(e *env, args []string) error {
	fs, dsn := e.dbFlags("calendar due", "calendar due --calendar ID --from RFC3339 (--working-days N | --hours N) [--db ...]")
	id := fs.String("calendar", "cn", "calendar id")
	fromText := fs.String("from", "", "start instant, RFC 3339 with offset (e.g. 2026-11-25T15:30:00+08:00)")
	days := fs.Int("working-days", -1, "respond within N working days (close of business of the Nth working day after the day of --from)")
	hours := fs.Float64("hours", -1, "N working hours after --from (decimals allowed)")
	if err := parse(fs, args); err != nil {
		return err
	}
	from, err := time.Parse(time.RFC3339, *fromText)
	if err != nil {
		return usagef("--from must be an RFC 3339 instant with offset, e.g. 2026-11-25T15:30:00+08:00")
	}
	if !calendar.Supports(from) {
		return usagef("--from must be from 1900 to 2199: calendars compute no deadline outside these years")
	}
	if (*days < 0) == (*hours < 0) {
		return usagef("give exactly one of --working-days and --hours (not negative)")
	}
	if *days > 366 || *hours > 10000 {
		return usagef("--working-days at most 366, --hours at most 10000")
	}
	a, err := e.openApp(*dsn)
	if err != nil {
		return err
	}
	defer a.DB.Close()
	cal, err := a.Calendars.Reg.Get(e.ctx, *id)
	if err != nil {
		return err
	}
	var due time.Time
	if *days >= 0 {
		due = cal.WorkingDaysDeadline(from, *days)
	} else {
		due = cal.AddWorkingDuration(from, time.Duration(*hours*float64(time.Hour)).Round(time.Second))
	}
	fmt.Fprintln(e.stdout, calendar.Shown(due, cal.Location()).Format(time.RFC3339))
	return nil
}

// calendarImport previews a holiday schedule and, confirmed, applies it.
func calendarImport(e *env, args []string) error {
	fs, dsn := e.dbFlags("calendar import", "calendar import FILE.ics|FILE.csv [--calendar ID] [--yes] [--db ...]")
	id := fs.String("calendar", "cn", "calendar to import into")
	yes := fs.Bool("yes", false, "apply without asking")
	file, data, a, err := e.parseFileApp(fs, args, dsn)
	if err != nil {
		return err
	}
	defer a.DB.Close()
	svc := a.Calendars
	imp, err := svc.PreviewImport(e.ctx, operator, *id, file, data)
	if err != nil {
		return err
	}
	p := imp.Preview
	fmt.Fprintf(e.stdout, "%s (%s) for calendar %s:\n", imp.Filename, imp.Format, *id)
	for _, y := range p.Years {
		fmt.Fprintf(e.stdout, "  %d: %s, %s\n", y.Year, counted(y.Holidays, "day off", "days off"), counted(y.Workdays, "make-up workday", "make-up workdays"))
	}
	tw := e.table()
	for _, x := range p.Exceptions {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", x.Date, x.Date.Weekday().String()[:3], x.Kind, x.Name)
	}
	tw.Flush()
	for _, w := range p.Warnings {
		fmt.Fprintf(e.stdout, "  warning (line %d): %s\n", w.Line, w.Message)
	}
	if len(p.AlreadyCovered) > 0 {
		fmt.Fprintf(e.stdout, "  note: the calendar already has official data for %v; entries on the same dates will be replaced\n", p.AlreadyCovered)
	}
	fmt.Fprintf(e.stdout, "%s.\n", counted(p.Changes, "date changes", "dates change"))
	if !*yes {
		fmt.Fprint(e.stdout, "Apply? [y/N] ")
		answer, _ := bufio.NewReader(e.stdin).ReadString('\n')
		if a := strings.ToLower(strings.TrimSpace(answer)); a != "y" && a != "yes" {
			if _, err := svc.DecideImport(e.ctx, operator, *id, imp.ID, false); err != nil {
				return err
			}
			fmt.Fprintln(e.stdout, "\nNot applied (run again with --yes to apply without asking).")
			return nil
		}
	}
	if _, err := svc.DecideImport(e.ctx, operator, *id, imp.ID, true); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Applied import %d to calendar %s.\n", imp.ID, *id)
	return nil
}

func calendarList(e *env, args []string) error {
	fs, dsn := e.dbFlags("calendar list", "calendar list [--db ...]")
	a, err := e.parseApp(fs, args, dsn)
	if err != nil {
		return err
	}
	defer a.DB.Close()
	svc := a.Calendars
	infos, err := svc.List(e.ctx, operator)
	if err != nil {
		return err
	}
	tw := e.table()
	fmt.Fprintln(tw, "ID\tNAME\tZONE\tOFFICIAL DATA")
	for _, c := range infos {
		years := "-"
		if n := len(c.CoveredYears); n > 0 {
			years = fmt.Sprintf("%d-%d", c.CoveredYears[0], c.CoveredYears[n-1])
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", c.ID, c.Name, c.TimeZone, years)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, w := range svc.Warnings(e.ctx, time.Now()) {
		fmt.Fprintln(e.stdout, "warning:", w)
	}
	return nil
}

func calendarShow(e *env, args []string) error {
	fs, dsn := e.dbFlags("calendar show", "calendar show [--calendar ID] [--year YYYY] [--db ...]")
	id := fs.String("calendar", "cn", "calendar id")
	year := fs.Int("year", time.Now().Year(), "year to list")
	a, err := e.parseApp(fs, args, dsn)
	if err != nil {
		return err
	}
	defer a.DB.Close()
	cal, err := a.Calendars.Reg.Get(e.ctx, *id)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s, %d", cal, *year)
	if !cal.Covers(*year) && len(cal.CoveredYears()) > 0 {
		fmt.Fprint(e.stdout, " (no official holiday data: weekends only)")
	}
	fmt.Fprintln(e.stdout)
	tw := e.table()
	for _, x := range cal.Exceptions() {
		if x.Date.Year == *year {
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", x.Date, x.Date.Weekday().String()[:3], x.Kind, x.Name)
		}
	}
	return tw.Flush()
}

// counted is "1 make-up workday" or "3 make-up workdays".
func counted(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
