package web

import (
	"regexp"
	"strings"
	"testing"

	"aftersales/internal/agreement"
	"aftersales/internal/i18n"
)

// Every term a diff or an adjustment can list has a name in both languages:
// a term added to Terms without one fails here, not on a vendor's page.
func TestEveryTermIsNamed(t *testing.T) {
	t.Parallel()
	for _, lang := range []string{"en", "zh-CN"} {
		catalog, err := i18n.Catalog("messages", lang)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range agreement.TermPaths() {
			if catalog["term."+p] == "" {
				t.Errorf("%s: term %q has no name (message term.%s)", lang, p, p)
			}
		}
	}
}

var regexpKey = regexp.MustCompile(`[a-z]+_[a-z_]+|[a-z]+\.[a-z_]+`)

func zhView() *view { return &view{Lang: "zh-CN", bundle: i18n.Default()} }

// A diff reads as names and words of the page's language, not the terms'
// keys: a scalar, a list item's field, a word of the vocabulary, a yes/no,
// a service point added whole.
func TestDiffReadsInChinese(t *testing.T) {
	t.Parallel()
	v := zhView()
	a := agreement.Terms{ServicePoints: []agreement.ServicePoint{{Name: "苏州网点", RadiusKM: 100}}, ServiceItems: []agreement.ServiceItem{agreement.Repair}}
	a.Emergency.OnSiteHours = 8
	a.Payment.SettlementPeriod = agreement.Monthly
	b := a
	b.Emergency.OnSiteHours = 12
	b.ServicePoints = []agreement.ServicePoint{{Name: "苏州网点", RadiusKM: 150}, {Name: "杭州网点", RadiusKM: 80}}
	b.ServiceItems = []agreement.ServiceItem{agreement.Repair, agreement.Maintenance}
	b.Payment.SettlementPeriod = agreement.Quarterly
	b.Term.AutoRenew = true
	var got []string
	for _, c := range agreement.Diff(a, b) {
		got = append(got, v.Term(c.Field)+": "+v.TermValue(c.Field, c.From)+" → "+v.TermValue(c.Field, c.To))
	}
	text := strings.Join(got, "\n")
	for _, want := range []string{
		"自动续期: 否 → 是",
		"服务半径（公里） · 苏州网点: 100 → 150",
		"服务网点:  → 网点名称 杭州网点；服务半径（公里） 80", // fields absent from the stored terms (no coordinates, no register id) are not listed
		"服务项目:  → 保养维护",
		"紧急：到场时限（小时）: 8 → 12",
		"结算周期: 按月 → 按季度",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("diff lacks %q:\n%s", want, text)
		}
	}
	if m := regexpKey.FindString(text); m != "" {
		t.Errorf("diff shows the key %q:\n%s", m, text)
	}
}

// A list item read back from an adjustment's stored JSON is named too; a
// term the catalog does not know shows its path rather than nothing.
func TestStoredItemAndUnknownTerm(t *testing.T) {
	t.Parallel()
	v := zhView()
	got := v.TermValue("fees.travel.bands", map[string]any{"up_to_km": 30.0, "fixed_fen": 5000.0, "per_km_fen": 0.0})
	if got != "固定金额（分） 5000；每公里（分） 0；至（公里） 30" {
		t.Errorf("stored band = %q", got)
	}
	if got := v.Term("brand_new.term"); got != "brand_new.term" {
		t.Errorf("unknown term = %q", got)
	}
}
