package stock_test

import (
	"testing"

	"aftersales/internal/notify"
	"aftersales/internal/parts"
	"aftersales/internal/stock"
)

// The safety stock alert names the part in the recipient's language.
func TestSafetyAlertTextsInEachLanguage(t *testing.T) {
	t.Parallel()
	l := stock.Location{ID: 3, OrgID: 2, Name: "苏州服务站"}
	p := parts.Part{ID: 7, PartNumber: "SP-17", Name: "主轴轴承", NameEn: "Spindle bearing"}
	ev, ok := stock.SafetyAlert(l, p, 3, 1, 2, 99)
	if !ok {
		t.Fatal("no alert crossing below safety stock")
	}
	for locale, want := range map[string][2]string{
		"en":    {"苏州服务站: SP-17 below safety stock", "Spindle bearing (SP-17) at 苏州服务站: 1 on hand, safety stock 2."},
		"zh-CN": {"苏州服务站：SP-17 低于安全库存", "主轴轴承（SP-17）在苏州服务站的现存 1，安全库存 2。"},
	} {
		if got := notify.Render(ev.Subject, locale); got != want[0] {
			t.Errorf("subject (%s) = %q, want %q", locale, got, want[0])
		}
		if got := notify.Render(ev.Body, locale); got != want[1] {
			t.Errorf("body (%s) = %q, want %q", locale, got, want[1])
		}
	}
}
