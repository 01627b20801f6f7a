// Package demo loads a realistic demonstration dataset into an empty
// database: a vendor of industrial equipment, two local service providers
// and their customers, with a user for every role.
package demo

import (
	"context"
	"errors"

	"aftersales/internal/account"
	"aftersales/internal/app"
	"aftersales/internal/org"
	"aftersales/internal/policy"
	"aftersales/internal/store"
)

// ErrNotEmpty is returned when the database already holds organizations.
var ErrNotEmpty = errors.New("the database already has data; the demo loads only into an empty database")

// Password is the password of every demo login.
const Password = "demo-pass-2026"

// Login is one demo account to print.
type Login struct {
	Email string
	Role  policy.Role
	Org   string
}

type demoOrg struct {
	in    org.Input
	users []demoUser
	// registrar is the code of the organization that registered it ("" for none).
	registrar string
}

type demoUser struct {
	email, name string
	role        policy.Role
	locale      string
}

var dataset = []demoOrg{
	{in: org.Input{Kind: org.Vendor, Name: "海川智能装备有限公司", Code: "haichuan", Address: "江苏省苏州市工业园区星湖街 328 号"}, users: []demoUser{
		{"admin@haichuan.example", "周海川", policy.VendorAdmin, "zh-CN"},
		{"auditor@haichuan.example", "Lin Auditor", policy.VendorAuditor, "en"},
	}},
	{in: org.Input{Kind: org.Provider, Name: "华东恒信技术服务有限公司", Code: "hengxin", Address: "上海市闵行区莘庄工业区春东路 508 号"}, registrar: "haichuan", users: []demoUser{
		{"admin@hengxin.example", "陈恒信", policy.ProviderAdmin, "zh-CN"},
		{"dispatch@hengxin.example", "王调度", policy.Dispatcher, "zh-CN"},
		{"tech.li@hengxin.example", "李工", policy.Technician, "zh-CN"},
		{"tech.zhao@hengxin.example", "赵工", policy.Technician, "zh-CN"},
	}},
	{in: org.Input{Kind: org.Provider, Name: "粤安机电服务有限公司", Code: "yuean", Address: "广东省东莞市松山湖高新区工业北路 6 号"}, registrar: "haichuan", users: []demoUser{
		{"admin@yuean.example", "黄粤安", policy.ProviderAdmin, "zh-CN"},
		{"tech.he@yuean.example", "何工", policy.Technician, "zh-CN"},
	}},
	{in: org.Input{Kind: org.Customer, Name: "苏州精工制造有限公司", Code: "sz-jinggong"}, registrar: "hengxin", users: []demoUser{
		{"service@sz-jinggong.example", "刘经理", policy.Customer, "zh-CN"},
	}},
	{in: org.Input{Kind: org.Customer, Name: "杭州明德医院", Code: "hz-mingde"}, registrar: "hengxin", users: []demoUser{
		{"equipment@hz-mingde.example", "孙主任", policy.Customer, "zh-CN"},
	}},
	{in: org.Input{Kind: org.Customer, Name: "Dongguan Precision Plastics Co.", Code: "dg-precision"}, registrar: "yuean", users: []demoUser{
		{"ops@dg-precision.example", "Grace Ho", policy.Customer, "en"},
	}},
}

// Load fills an empty database and returns the logins it created.
func Load(ctx context.Context, a *app.App) ([]Login, error) {
	db, now := a.DB, a.Now
	var n int
	if err := store.Get(ctx, db, &n, `SELECT COUNT(*) FROM organizations`); err != nil {
		return nil, err
	}
	if n > 0 {
		return nil, ErrNotEmpty
	}
	operator := policy.Actor{Operator: true}
	orgs, accounts := a.Orgs, a.Accounts
	ids := map[string]int64{}
	admins := map[string]policy.Actor{} // organization code -> its admin
	var logins []Login
	for _, d := range dataset {
		o, err := orgs.Register(ctx, operator, d.in)
		if err != nil {
			return nil, err
		}
		ids[d.in.Code] = o.ID
		if d.registrar != "" {
			if err := org.Link(ctx, db, ids[d.registrar], o.ID, now().UTC()); err != nil {
				return nil, err
			}
			// A vendor also knows its providers' customers.
			if d.in.Kind == org.Customer {
				if err := org.Link(ctx, db, ids["haichuan"], o.ID, now().UTC()); err != nil {
					return nil, err
				}
			}
		}
		for _, u := range d.users {
			created, err := accounts.CreateUser(ctx, operator, account.NewUser{OrgID: o.ID, Email: u.email, Name: u.name, Role: u.role,
				Password: Password, Locale: u.locale})
			if err != nil {
				return nil, err
			}
			if u.role.IsAdmin() {
				admins[d.in.Code] = created.Actor()
			}
			logins = append(logins, Login{Email: u.email, Role: u.role, Org: d.in.Name})
		}
	}
	if err := loadAgreements(ctx, a.Agreements, ids, admins); err != nil {
		return nil, err
	}
	if err := loadUnits(ctx, db, now().UTC(), ids); err != nil {
		return nil, err
	}
	if err := loadParts(ctx, a, ids); err != nil {
		return nil, err
	}
	if err := loadDocuments(ctx, a.Documents, admins["haichuan"]); err != nil {
		return nil, err
	}
	if err := loadSettlements(ctx, a); err != nil {
		return nil, err
	}
	if err := loadRecords(ctx, a); err != nil {
		return nil, err
	}
	if err := loadSatisfaction(ctx, a); err != nil {
		return nil, err
	}
	if err := loadStaff(ctx, a, ids); err != nil {
		return nil, err
	}
	if err := loadDispatch(ctx, a); err != nil {
		return nil, err
	}
	return logins, nil
}

// users reads the demo's users by their e-mails, in that order.
func users(ctx context.Context, db *store.DB, emails ...string) ([]account.User, error) {
	out := make([]account.User, len(emails))
	for i, email := range emails {
		u, err := account.GetUserByEmail(ctx, db, email)
		if err != nil {
			return nil, err
		}
		out[i] = u
	}
	return out, nil
}
