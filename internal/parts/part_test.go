package parts

import (
	"testing"
	"time"
	"unicode/utf8"

	"aftersales/internal/problem"
)

func TestCheckUse(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	until := "2026-06-30"
	past := "2026-05-31"
	base := Part{ID: 1, VendorID: 7, PartNumber: "X-1", Active: true, ModelIDs: []int64{10, 11}}
	with := func(f func(p *Part)) Part { p := base; f(&p); return p }
	for _, c := range []struct {
		name   string
		p      Part
		vendor int64
		model  int64
		date   string
		want   string
	}{
		{"genuine and fits", with(func(p *Part) { p.Kind = Genuine }), 7, 10, "2026-06-01", ""},
		{"genuine, other model", with(func(p *Part) { p.Kind = Genuine }), 7, 12, "2026-06-01", ReasonNotCompatible},
		{"other vendor", with(func(p *Part) { p.Kind = Genuine }), 8, 10, "2026-06-01", ReasonOtherVendor},
		{"withdrawn", with(func(p *Part) { p.Kind = Genuine; p.Active = false }), 7, 10, "2026-06-01", ReasonInactive},
		{"never approved", with(func(p *Part) { p.Kind = Approved }), 7, 10, "2026-06-01", ReasonNotApproved},
		{"approved, no end", with(func(p *Part) { p.Kind = Approved; p.ApprovedAt = &at }), 7, 11, "2030-01-01", ""},
		{"approved, last day", with(func(p *Part) { p.Kind = Approved; p.ApprovedAt = &at; p.ApprovedUntil = &until }), 7, 10, "2026-06-30", ""},
		{"approved, day after", with(func(p *Part) { p.Kind = Approved; p.ApprovedAt = &at; p.ApprovedUntil = &until }), 7, 10, "2026-07-01", ReasonApprovalExpired},
		{"expired beats incompatible", with(func(p *Part) { p.Kind = Approved; p.ApprovedAt = &at; p.ApprovedUntil = &past }), 7, 99, "2026-06-01", ReasonApprovalExpired},
		{"revoked", with(func(p *Part) { p.Kind = Approved; p.ApprovedAt = &at; p.RevokedAt = &at }), 7, 10, "2026-06-01", ReasonNotApproved},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := c.p.CheckUse(c.vendor, c.model, c.date)
			got := ""
			if err != nil {
				pr, ok := problem.As(err)
				if !ok || pr.Kind != problem.PartRefused {
					t.Fatalf("not a part-refused problem: %v", err)
				}
				got = pr.Reason
			}
			if got != c.want {
				t.Errorf("got %q, want %q (%v)", got, c.want, err)
			}
		})
	}
}

func FuzzApprovalUntil(f *testing.F) {
	for _, s := range []string{"2027-06-30", "2027/6/30", "", " 2027-01-01 ", "2026-02-30", "昨天", "\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a := Approval{Until: s}
		if err := a.CheckUntil("2026-11-25"); err == nil && a.Until != "" {
			d, perr := time.Parse(time.DateOnly, a.Until)
			if perr != nil || d.Format(time.DateOnly) != a.Until || a.Until < "2026-11-25" {
				t.Fatalf("accepted %q as %q", s, a.Until)
			}
		}
	})
}

func FuzzPartInput(f *testing.F) {
	f.Add("sp-100", "主轴轴承", int64(128000))
	f.Add(" ", "", int64(-1))
	f.Add("a/b.c_d-e", "\xff", int64(1<<40))
	f.Fuzz(func(t *testing.T, number, name string, cost int64) {
		in := Input{PartNumber: number, Name: name, Kind: Genuine, UnitCostFen: cost}
		if err := in.Validate(); err == nil {
			if !partNumberPattern.MatchString(in.PartNumber) || !utf8.ValidString(in.Name) || in.Name == "" || cost < 0 || cost > MaxUnitCostFen {
				t.Fatalf("accepted %+v", in)
			}
		}
	})
}
