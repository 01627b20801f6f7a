package e2e

import (
	"fmt"
	"testing"

	"aftersales/internal/account"
	"aftersales/internal/demo"
	"aftersales/internal/store"
)

// signedIn opens a fresh tab as visit does and signs in there as the demo's
// user email.
func (b *browser) signedIn(t *testing.T, dev device, acceptLanguage, email string) *visitor {
	t.Helper()
	v := b.visit(t, dev, acceptLanguage)
	v.signIn(email, demo.Password)
	return v
}

// demoCrew is the demo's dispatcher and technician of 恒信: 王调度 and 李工.
func demoCrew(t *testing.T, db *store.DB) (dispatcher, tech account.User) {
	t.Helper()
	return demoUser(t, db, "dispatch@hengxin.example"), demoUser(t, db, "tech.li@hengxin.example")
}

// techOnSite is 李工 on a phone, in Chinese, checked in on the page of the
// visit with id; the page then shows wait.
func (b *browser) techOnSite(t *testing.T, id int64, wait string) *visitor {
	t.Helper()
	tc := b.signedIn(t, phone, "zh-CN", "tech.li@hengxin.example")
	tc.open(fmt.Sprintf("/work-orders/%d", id))
	tc.press(`#checkin-form button`, wait)
	return tc
}
