package demo_test

import (
	"context"
	"testing"

	"aftersales/internal/document"
	"aftersales/internal/policy"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

func TestDemoLibraryIsSearchable(t *testing.T) {
	t.Parallel()
	db := loaded(t)
	ctx := context.Background()
	var vendor policy.Actor
	if err := store.Get(ctx, db, &vendor.OrgID, `SELECT id FROM organizations WHERE code = 'haichuan'`); err != nil {
		t.Fatal(err)
	}
	vendor.OrgKind, vendor.Role = "vendor", policy.VendorAuditor
	svc := testutil.Services(t, db).Documents
	all, _, err := svc.List(ctx, vendor, document.Filter{})
	if err != nil || len(all) != 4 {
		t.Fatalf("demo documents: %d, %v", len(all), err)
	}
	queries := []string{"液压油", "第六轴", "HC-SP-850-BRG"}
	if document.NewExtractor().PDFToText != "" {
		queries = append(queries, "spindle bearings", "protective lens")
	}
	for _, q := range queries {
		if got, _, err := svc.List(ctx, vendor, document.Filter{Query: q}); err != nil || len(got) != 1 {
			t.Errorf("search %q: %d results, %v", q, len(got), err)
		}
	}
}
