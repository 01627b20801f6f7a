package registry_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"aftersales/internal/calendar"
	"aftersales/internal/calendar/registry"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

func at(date string, hour int) time.Time {
	d, err := time.ParseInLocation(time.DateOnly, date, calendar.CN().Location())
	if err != nil {
		panic(err)
	}
	return d.Add(time.Duration(hour) * time.Hour)
}

// A year the national calendar has no official schedule for is warned about
// while it is current, and from 90 days before it starts; importing and
// applying its schedule ends the warning, on this instance at once and on
// another instance sharing the database once its cache expires.
func TestMissingYearWarnsUntilItsScheduleIsApplied(t *testing.T) {
	t.Parallel()
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := testutil.Seed(t, db)
		ny := testutil.UncoveredYear()
		svc := &registry.Service{Reg: registry.New(db), Now: time.Now}
		other := registry.New(db) // another instance of the product
		other.TTL = 0

		for _, tc := range []struct {
			name string
			now  time.Time
			want []int
		}{
			{"mid-year before: nothing missing", at(fmt.Sprintf("%d-06-01", ny.Year-1), 12), nil},
			{"December before: the year starts within 90 days", at(fmt.Sprintf("%d-12-01", ny.Year-1), 12), []int{ny.Year}},
			{"in the year", at(fmt.Sprintf("%d-03-01", ny.Year), 12), []int{ny.Year}},
		} {
			if got := svc.MissingYears(ctx, tc.now); !slices.Equal(got, tc.want) {
				t.Errorf("%s: missing %v, want %v", tc.name, got, tc.want)
			}
			warnings := svc.Warnings(ctx, tc.now)
			if len(warnings) != len(tc.want) || len(tc.want) > 0 && !strings.Contains(warnings[0], fmt.Sprint(ny.Year)) {
				t.Errorf("%s: warnings %q", tc.name, warnings)
			}
		}

		// A schedule with days off is the year's official data.
		in := at(fmt.Sprintf("%d-03-01", ny.Year), 12)
		admin := f.Users[policy.VendorAdmin].Actor()
		csv := "date,kind,name\n" + ny.FirstWeekday + ",holiday,元旦\n" + ny.Saturday + ",workday,春节调休\n"
		imp, err := svc.PreviewImport(ctx, admin, calendar.CNID, fmt.Sprint(ny.Year, ".csv"), []byte(csv))
		if err != nil {
			t.Fatalf("preview: %v", err)
		}
		if len(imp.Preview.Exceptions) != 2 || imp.State != "pending" {
			t.Fatalf("preview: %+v", imp)
		}
		if got := svc.MissingYears(ctx, in); !slices.Equal(got, []int{ny.Year}) {
			t.Fatalf("a pending import changed the calendar: missing %v", got)
		}
		if _, err := svc.DecideImport(ctx, admin, calendar.CNID, imp.ID, true); err != nil {
			t.Fatalf("apply: %v", err)
		}
		if got := svc.Warnings(ctx, in); len(got) != 0 {
			t.Errorf("after the import: warnings %q", got)
		}
		cal, err := other.Get(ctx, calendar.CNID)
		if err != nil {
			t.Fatal(err)
		}
		first := calendar.MustParseDate(ny.FirstWeekday)
		if !cal.Covers(ny.Year) || cal.IsWorkingDay(first) || !cal.IsWorkingDay(calendar.MustParseDate(ny.Saturday)) {
			t.Errorf("another instance does not see the import: covers %v, %s working %v", cal.Covers(ny.Year), first, cal.IsWorkingDay(first))
		}
		// The year after is the next one missing.
		if got := svc.MissingYears(ctx, at(fmt.Sprintf("%d-12-15", ny.Year), 12)); !slices.Equal(got, []int{ny.Year + 1}) {
			t.Errorf("December of the imported year: missing %v", got)
		}
		// Deciding twice is a conflict; only the vendor admin imports into cn.
		if _, err := svc.DecideImport(ctx, admin, calendar.CNID, imp.ID, false); !problem.Is(err, problem.Conflict) {
			t.Errorf("second decision: %v", err)
		}
		if _, err := svc.PreviewImport(ctx, f.Users[policy.ProviderAdmin].Actor(), calendar.CNID, "x.csv", []byte(csv)); !problem.Is(err, problem.Forbidden) {
			t.Errorf("provider admin imports into cn: %v", err)
		}
	})
}

// Calendars by id: the built-in ones, an unknown one, and custom calendars,
// which their organization and its partners see and nobody else does.
func TestCustomCalendarsAndLookups(t *testing.T) {
	t.Parallel()
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := testutil.Seed(t, db)
		reg := registry.New(db)
		svc := &registry.Service{Reg: reg, Now: time.Now}
		for _, id := range []string{calendar.CNID, registry.AlwaysOpenID} {
			if ok, err := reg.Exists(ctx, id); !ok || err != nil {
				t.Errorf("built-in %s: %v %v", id, ok, err)
			}
		}
		if _, err := reg.Get(ctx, "mars"); !errors.Is(err, registry.ErrUnknown) {
			t.Errorf("unknown calendar: %v", err)
		}
		if ok, err := reg.Exists(ctx, "mars"); ok || err != nil {
			t.Errorf("unknown calendar exists: %v %v", ok, err)
		}

		provider := f.Users[policy.ProviderAdmin].Actor()
		// Bad input names each field, and nothing is stored.
		_, err := svc.CreateCustom(ctx, provider, registry.CustomInput{ID: "CN", Name: " ", BaseID: "mars"})
		p, ok := problem.As(err)
		if !ok || p.Kind != problem.Invalid {
			t.Fatalf("bad custom calendar: %v", err)
		}
		var fields []string
		for _, fe := range p.Fields {
			fields = append(fields, fe.Field)
		}
		for _, want := range []string{"id", "name"} {
			if !slices.Contains(fields, want) {
				t.Errorf("fields %v lack %s", fields, want)
			}
		}
		var n int
		if err := store.Get(ctx, db, &n, `SELECT COUNT(*) FROM calendars`); err != nil || n != 0 {
			t.Fatalf("%d calendars stored after bad input (%v)", n, err)
		}
		if _, err := svc.CreateCustom(ctx, f.Users[policy.Dispatcher].Actor(), registry.CustomInput{ID: "nope", Name: "x", BaseID: "cn"}); !problem.Is(err, problem.Forbidden) {
			t.Errorf("a dispatcher creates a calendar: %v", err)
		}

		// Shorter hours over the national holidays.
		info, err := svc.CreateCustom(ctx, provider, registry.CustomInput{ID: "suzhou-late", Name: "苏州 晚班", BaseID: calendar.CNID,
			TimeZone: "Asia/Shanghai", Week: calendar.OfficeWeek(calendar.Hours(13, 21))})
		if err != nil {
			t.Fatalf("create: %v", err)
		}
		if info.OwnerOrgID == nil || *info.OwnerOrgID != f.Provider.ID || info.BaseID != calendar.CNID || !slices.Contains(info.CoveredYears, 2026) {
			t.Fatalf("created %+v", info)
		}
		cal, err := reg.Get(ctx, "suzhou-late")
		if err != nil {
			t.Fatal(err)
		}
		if cal.IsWorkingDay(calendar.MustParseDate("2026-10-01")) || !cal.IsWorkingDay(calendar.MustParseDate("2026-09-30")) {
			t.Error("the derived calendar lost the national holidays")
		}
		if _, err := svc.CreateCustom(ctx, provider, registry.CustomInput{ID: "suzhou-late", Name: "again", BaseID: calendar.CNID}); err == nil {
			t.Error("a second calendar with the same id was created")
		}

		// The provider's partner (the vendor) sees it; another vendor does not.
		if _, _, err := svc.Visible(ctx, f.Users[policy.VendorAdmin].Actor(), "suzhou-late"); err != nil {
			t.Errorf("the partner vendor: %v", err)
		}
		if _, _, err := svc.Visible(ctx, f.OtherAdmin.Actor(), "suzhou-late"); !problem.Is(err, problem.NotFound) {
			t.Errorf("another vendor: %v", err)
		}
		list := func(a policy.Actor) []string {
			infos, err := svc.List(ctx, a)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, i := range infos {
				ids = append(ids, i.ID)
			}
			return ids
		}
		if got := list(f.Users[policy.Dispatcher].Actor()); !slices.Equal(got, []string{registry.AlwaysOpenID, calendar.CNID, "suzhou-late"}) {
			t.Errorf("the provider's dispatcher lists %v", got)
		}
		if got := list(f.OtherAdmin.Actor()); !slices.Equal(got, []string{registry.AlwaysOpenID, calendar.CNID}) {
			t.Errorf("another vendor lists %v", got)
		}
	})
}

// Merge lays additions over a base: a date's entry is replaced, covered
// years are united, and the additions' hours replace the base's.
func TestMerge(t *testing.T) {
	t.Parallel()
	d := calendar.MustParseDate
	base := calendar.Spec{TimeZone: "Asia/Shanghai", Week: calendar.OfficeWeek(calendar.Hours(9, 18)), CoveredYears: []int{2025, 2026},
		Exceptions: []calendar.Exception{{Date: d("2026-10-01"), Kind: calendar.Holiday}, {Date: d("2026-10-10"), Kind: calendar.Workday}}}
	add := calendar.Spec{CoveredYears: []int{2027, 2026}, Week: calendar.OfficeWeek(calendar.Hours(8, 12)),
		Exceptions: []calendar.Exception{{Date: d("2026-10-10"), Kind: calendar.Holiday, Name: "local"}, {Date: d("2027-01-01"), Kind: calendar.Holiday}}}
	got := registry.Merge(base, add)
	if !slices.Equal(got.CoveredYears, []int{2025, 2026, 2027}) {
		t.Errorf("covered years %v", got.CoveredYears)
	}
	if len(got.Exceptions) != 3 || got.Exceptions[1].Date != d("2026-10-10") || got.Exceptions[1].Kind != calendar.Holiday || got.Exceptions[1].Name != "local" {
		t.Errorf("exceptions %+v", got.Exceptions)
	}
	if got.Week[time.Monday][0] != calendar.Hours(8, 12) || got.TimeZone != "Asia/Shanghai" {
		t.Errorf("week %v zone %s", got.Week, got.TimeZone)
	}
	if base.Week[time.Monday][0] != calendar.Hours(9, 18) || len(base.CoveredYears) != 2 {
		t.Error("Merge changed its base")
	}
}
