package staff_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"aftersales/internal/policy"
	"aftersales/internal/servicerequest"
	"aftersales/internal/staff"
	"aftersales/internal/store"
	"aftersales/internal/workorder"
)

func TestDueDates(t *testing.T) {
	t.Parallel()
	c := staff.Certification{ID: 1, Kind: staff.Permit, IssuedOn: "2020-01-01", ReviewDueOn: "2026-12-14", ExpiresOn: "2027-01-05"}
	got := staff.DueDates([]staff.Certification{c}, "2026-12-07")
	if len(got) != 2 || got[0].What != "expiry" || got[0].DaysLeft != 29 || got[0].Warn != 30 || got[1].What != "review" || got[1].DaysLeft != 7 || got[1].Warn != 7 {
		t.Fatalf("due dates %+v", got)
	}
	if got := staff.DueDates([]staff.Certification{c}, "2027-01-06"); len(got) != 0 {
		t.Fatalf("a past expiry is not warned of: %+v", got)
	}
	if got := staff.DueDates([]staff.Certification{c}, "2026-11-01"); len(got) != 0 {
		t.Fatalf("nothing is due 65 days ahead: %+v", got)
	}
}

// A certificate 10 days from expiry warns the technician and the provider's
// admin once; the visit booked after it expires is listed to the
// dispatchers.
func TestExpiryWarnings(t *testing.T) {
	inWorld(t, func(t *testing.T, ctx context.Context, w world) {
		s, admin, dispatcher := w.a.Staff, w.actor(policy.ProviderAdmin), w.actor(policy.Dispatcher)
		now := time.Now()
		today := now.In(time.FixedZone("CST", 8*3600))
		cert, err := s.AddCertification(ctx, admin, w.tech, staff.CertInput{Kind: staff.VendorCert, VendorID: &w.f.Vendor.ID, ProductLine: "CNC", Level: 3,
			Number: "HC-CNC-0009", IssuedOn: today.AddDate(-2, 0, 0).Format(time.DateOnly), ExpiresOn: today.AddDate(1, 0, 0).Format(time.DateOnly)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateRule(ctx, w.actor(policy.VendorAdmin), w.f.Vendor.ID, staff.RuleInput{Kind: staff.CertificateRule, ProductLine: "CNC", MinLevel: 2}); err != nil {
			t.Fatal(err)
		}
		v, err := w.a.Requests.Create(ctx, dispatcher, servicerequest.NewRequest{SerialNumber: w.sf.Serial, ServiceItem: "repair", Priority: "general",
			Description: "保养后异响", Channel: servicerequest.Dispatcher})
		if err != nil {
			t.Fatal(err)
		}
		start := now.Add(20 * 24 * time.Hour)
		if _, err := w.a.WorkOrders.Book(ctx, dispatcher, workorder.ForRequest(v.ID), workorder.Assignment{TechnicianID: w.tech, WindowStart: start, WindowEnd: start.Add(2 * time.Hour)}); err != nil {
			t.Fatal(err)
		}
		// The certificate turns out to expire sooner: in ten days.
		if _, err := s.UpdateCertification(ctx, admin, w.tech, cert.ID, staff.CertInput{Kind: staff.VendorCert, VendorID: &w.f.Vendor.ID, ProductLine: "CNC", Level: 3,
			Number: "HC-CNC-0009", IssuedOn: cert.IssuedOn, ExpiresOn: today.AddDate(0, 0, 10).Format(time.DateOnly)}, cert.Version); err != nil {
			t.Fatal(err)
		}
		sent, err := s.WarnExpiries(ctx, now)
		if err != nil || sent != 2 {
			t.Fatalf("sent %d warnings (%v), want the expiry and the visits at risk", sent, err)
		}
		if again, err := s.WarnExpiries(ctx, now.Add(time.Hour)); err != nil || again != 0 {
			t.Fatalf("warned again: %d %v", again, err)
		}
		var got []struct {
			UserID int64  `db:"user_id"`
			Kind   string `db:"kind"`
			Body   string `db:"body"`
		}
		if err := store.Select(ctx, w.db, &got, `SELECT user_id, kind, body FROM notifications ORDER BY id`); err != nil {
			t.Fatal(err)
		}
		to := map[int64][]string{}
		for _, n := range got {
			to[n.UserID] = append(to[n.UserID], n.Kind)
			if n.Kind == "certification.visits_at_risk" && !strings.Contains(n.Body, v.Number) {
				t.Errorf("the warning does not list the visit %s: %s", v.Number, n.Body)
			}
		}
		if !has(to[w.tech], "certification.expiry_due") || !has(to[w.f.Users[policy.ProviderAdmin].ID], "certification.expiry_due") ||
			!has(to[w.f.Users[policy.Dispatcher].ID], "certification.visits_at_risk") {
			t.Fatalf("notifications by user: %v", to)
		}
		// A week before, the 7-day warning goes out.
		if sent, err := s.WarnExpiries(ctx, now.Add(4*24*time.Hour)); err != nil || sent != 1 {
			t.Fatalf("7-day warning: %d %v", sent, err)
		}
	})
}

func has(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
