package staff_test

import (
	"strings"
	"testing"

	"aftersales/internal/staff"
)

func TestQualify(t *testing.T) {
	t.Parallel()
	vendor, other := int64(1), int64(2)
	rules := []staff.Rule{
		{VendorID: vendor, Kind: staff.CertificateRule, ProductLine: "CNC", MinLevel: 2},
		{VendorID: vendor, Kind: staff.PermitRule, ServiceItem: "repair", PermitType: "electrical"},
		{VendorID: other, Kind: staff.CertificateRule, ProductLine: "PRESS", MinLevel: 5},
	}
	cert := func(level int, issued, expires string) staff.Certification {
		return staff.Certification{Kind: staff.VendorCert, VendorID: &vendor, ProductLine: "CNC", Level: level, Number: "V-1", IssuedOn: issued, ExpiresOn: expires}
	}
	permit := func(issued, review, expires string) staff.Certification {
		return staff.Certification{Kind: staff.Permit, PermitType: "electrical", Number: "T-1", IssuedOn: issued, ReviewDueOn: review, ExpiresOn: expires}
	}
	good, goodPermit := cert(3, "2025-01-01", "2027-12-31"), permit("2024-01-01", "2027-01-01", "2030-01-01")
	visit := staff.Visit{VendorID: vendor, ProductLine: "CNC", ServiceItem: "repair", From: "2026-12-07", To: "2026-12-07"}
	cases := []struct {
		name  string
		certs []staff.Certification
		visit staff.Visit
		want  string
	}{
		{"qualified", []staff.Certification{good, goodPermit}, visit, ""},
		{"no certificate", []staff.Certification{goodPermit}, visit, staff.NotCertified},
		{"certificate of another vendor", []staff.Certification{{Kind: staff.VendorCert, VendorID: &other, ProductLine: "CNC", Level: 5, IssuedOn: "2025-01-01", ExpiresOn: "2030-01-01"}, goodPermit}, visit, staff.NotCertified},
		{"certificate of another line", []staff.Certification{{Kind: staff.VendorCert, VendorID: &vendor, ProductLine: "PRESS", Level: 5, IssuedOn: "2025-01-01", ExpiresOn: "2030-01-01"}, goodPermit}, visit, staff.NotCertified},
		{"expired the day before", []staff.Certification{cert(3, "2024-01-01", "2026-12-06"), goodPermit}, visit, staff.CertificationExpired},
		{"expires on the visit's day", []staff.Certification{cert(3, "2024-01-01", "2026-12-07"), goodPermit}, visit, ""},
		{"expires during a visit over midnight", []staff.Certification{cert(3, "2024-01-01", "2026-12-07"), goodPermit}, staff.Visit{VendorID: vendor, ProductLine: "CNC", ServiceItem: "repair", From: "2026-12-07", To: "2026-12-08"}, staff.CertificationExpired},
		{"renewed beside the expired one", []staff.Certification{cert(3, "2020-01-01", "2023-01-01"), good, goodPermit}, visit, ""},
		{"not valid yet", []staff.Certification{cert(3, "2027-01-01", "2029-01-01"), goodPermit}, visit, staff.NotCertified},
		{"level too low", []staff.Certification{cert(1, "2025-01-01", "2027-12-31"), goodPermit}, visit, staff.LevelTooLow},
		{"no permit", []staff.Certification{good}, visit, staff.PermitMissing},
		{"permit review overdue", []staff.Certification{good, permit("2020-01-01", "2023-01-01", "2026-12-31")}, visit, staff.ReviewOverdue},
		{"permit expired", []staff.Certification{good, permit("2018-01-01", "2021-01-01", "2024-01-01")}, visit, staff.CertificationExpired},
		{"maintenance needs no permit", []staff.Certification{good}, staff.Visit{VendorID: vendor, ProductLine: "CNC", ServiceItem: "maintenance", From: "2026-12-07", To: "2026-12-07"}, ""},
		{"a line without a rule needs nothing", nil, staff.Visit{VendorID: vendor, ProductLine: "LASER", ServiceItem: "maintenance", From: "2026-12-07", To: "2026-12-07"}, ""},
		{"another vendor's rule does not apply", nil, staff.Visit{VendorID: vendor, ProductLine: "PRESS", ServiceItem: "consultation", From: "2026-12-07", To: "2026-12-07"}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got := staff.Qualify(rules, c.certs, c.visit)
			switch {
			case c.want == "" && got != nil:
				t.Fatalf("refused: %+v", got)
			case c.want != "" && got == nil:
				t.Fatalf("let through; want %s", c.want)
			case got != nil && got.Reason != c.want:
				t.Fatalf("reason %s (%s); want %s", got.Reason, got.Detail, c.want)
			}
		})
	}
}

func TestPermitDatesFollowTheIssueDate(t *testing.T) {
	t.Parallel()
	in := staff.CertInput{Kind: staff.Permit, PermitType: "electrical", Number: "T123", IssuedOn: "2024-02-29"}
	if err := in.Validate(); err != nil {
		t.Fatal(err)
	}
	if in.ExpiresOn != "2030-02-28" || in.ReviewDueOn != "2027-02-28" {
		t.Fatalf("expires %s, review %s", in.ExpiresOn, in.ReviewDueOn)
	}
	bad := staff.CertInput{Kind: staff.VendorCert, Number: "V1", Level: 7, IssuedOn: "2026-05-01", ExpiresOn: "2026-04-01"}
	err := bad.Validate()
	for _, field := range []string{"vendor_id", "product_line", "level", "expires_on"} {
		if err == nil || !strings.Contains(err.Error(), field) {
			t.Errorf("%s not named in %v", field, err)
		}
	}
}
