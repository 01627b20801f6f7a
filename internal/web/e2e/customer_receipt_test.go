package e2e

import (
	"context"
	"fmt"
	"testing"

	"aftersales/internal/demo"
	"aftersales/internal/store"
)

// The demo's visits to a unit whose warranty had ended are the customer's:
// the customer opens a receipt (收费明细) from the request page, on a desk
// and on a phone.
func TestCustomerReceiptInTheBrowser(t *testing.T) {
	t.Parallel()
	app := demoApp(t)
	ctx := context.Background()
	var visit struct {
		RecordID  int64  `db:"record_id"`
		RequestID int64  `db:"request_id"`
		Email     string `db:"email"`
	}
	if err := store.Get(ctx, app.DB, &visit, `SELECT p.record_id, r.request_id, u.email
		FROM record_prices p JOIN service_records r ON r.id = p.record_id JOIN service_requests sr ON sr.id = r.request_id
		JOIN users u ON u.org_id = sr.customer_org_id AND u.role = 'customer'
		WHERE p.payer = 'customer' AND p.line_count > 0 AND p.unpriced_reason = '' AND r.corrects_id IS NULL
		ORDER BY p.line_count DESC, p.record_id, u.id LIMIT 1`); err != nil {
		t.Fatal(err)
	}
	br := newBrowser(t, app)
	c := br.visit(t, phone, "zh-CN")
	c.signIn(visit.Email, demo.Password)
	c.open(fmt.Sprintf("/requests/%d", visit.RequestID))
	c.press(`#receipt-link`, fmt.Sprintf(`#receipt-%d`, visit.RecordID))
	c.see(fmt.Sprintf(`#receipt-%d`, visit.RecordID), "服务收费明细", "上门服务费", "应付合计", "人民币")
	c.shot("customer-receipt")
	c.resize(desktop)
	c.shot("customer-receipt")
}
