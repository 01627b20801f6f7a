package installedbase

import (
	"context"
	"errors"
	"time"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/audit"
	"aftersales/internal/calendar"
	"aftersales/internal/org"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/store"
)

// Service holds the use cases of the installed base: authorize, validate,
// store and audit in one transaction.
type Service struct {
	DB  *store.DB
	Now func() time.Time
}

// today is the civil date in China: install dates and warranties are days there.
func (s *Service) today() string { return calendar.LocalDate(s.Now()) }

// vendorOf is the vendor the actor manages models and units of.
func vendorOf(a policy.Actor, action policy.Action) (int64, error) {
	if err := policy.Allow(a, action, policy.Own); err != nil {
		return 0, err
	}
	if a.OrgKind != "vendor" {
		return 0, problem.New(problem.Forbidden, "only a vendor registers product models and units")
	}
	return a.OrgID, nil
}

// ListModels returns the product models the actor may see, by code.
func (s *Service) ListModels(ctx context.Context, a policy.Actor) ([]ProductModel, error) {
	cond, args, err := visibleModels(a)
	if err != nil {
		return nil, err
	}
	return listModels(ctx, s.DB, cond, args)
}

// CreateModel adds a model to the actor's vendor.
func (s *Service) CreateModel(ctx context.Context, a policy.Actor, in ModelInput) (ProductModel, error) {
	vendorID, err := vendorOf(a, policy.ModelManage)
	if err != nil {
		return ProductModel{}, err
	}
	if err := in.Validate(); err != nil {
		return ProductModel{}, err
	}
	now := s.Now().UTC()
	var m ProductModel
	err = s.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		if m, err = insertModel(ctx, tx, vendorID, in, now); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, a, vendorID, "model.create", "product_model", m.ID, nil, m)
	})
	return m, err
}

// GetModel returns a model the actor may see.
func (s *Service) GetModel(ctx context.Context, a policy.Actor, id int64) (ProductModel, error) {
	return readable(ctx, s.DB, a, id, models, policy.ModelRead)
}

// UpdateModel changes a model if expectedVersion still matches.
func (s *Service) UpdateModel(ctx context.Context, a policy.Actor, id int64, p ModelPatch, expectedVersion int64) (ProductModel, error) {
	return update(ctx, s, a, id, expectedVersion, updater[ProductModel]{
		read: func(ctx context.Context, q store.Queryer) (ProductModel, error) {
			return readable(ctx, q, a, id, models, policy.ModelManage)
		},
		change: func(_ context.Context, _ store.Queryer, m ProductModel) (ProductModel, error) { return p.apply(m) },
		save:   updateModel,
		org:    func(m ProductModel) int64 { return m.VendorID },
		action: "model.update", entity: "product_model",
	})
}

// ListSites returns the sites the actor may see (of one customer when customerID > 0).
func (s *Service) ListSites(ctx context.Context, a policy.Actor, customerID int64) ([]Site, error) {
	cond, args, err := visibleSites(a)
	if err != nil {
		return nil, err
	}
	return listSites(ctx, s.DB, cond, args, customerID)
}

// CreateSite adds a site to a customer: by the customer itself or a partner serving it.
func (s *Service) CreateSite(ctx context.Context, a policy.Actor, in SiteInput) (Site, error) {
	if in.CustomerOrgID <= 0 {
		if a.OrgKind != "customer" {
			return Site{}, problem.Field("customer_id", "is required")
		}
		in.CustomerOrgID = a.OrgID
	}
	scope, err := org.ScopeOf(ctx, s.DB, a, in.CustomerOrgID)
	if err != nil {
		return Site{}, err
	}
	if scope == policy.Unrelated {
		return Site{}, problem.Field("customer_id", "no customer %d among your partners", in.CustomerOrgID)
	}
	if err := policy.Allow(a, policy.SiteManage, scope); err != nil {
		return Site{}, err
	}
	customer, err := org.Get(ctx, s.DB, in.CustomerOrgID)
	if err != nil {
		return Site{}, err
	}
	if customer.Kind != org.Customer {
		return Site{}, problem.Field("customer_id", "%s is not a customer", customer.Name)
	}
	site := Site{CustomerOrgID: in.CustomerOrgID, Name: in.Name, Address: in.Address, Division: in.Division, Lat: in.Lat, Lng: in.Lng,
		ContactName: in.ContactName, ContactPhone: in.ContactPhone}
	if err := site.validate(); err != nil {
		return Site{}, err
	}
	now := s.Now().UTC()
	var out Site
	err = s.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		if out, err = insertSite(ctx, tx, site, now); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, a, a.OrgID, "site.create", "site", out.ID, nil, out)
	})
	return out, err
}

// GetSite returns a site the actor may see.
func (s *Service) GetSite(ctx context.Context, a policy.Actor, id int64) (Site, error) {
	return readable(ctx, s.DB, a, id, sites, policy.SiteRead)
}

// UpdateSite changes a site if expectedVersion still matches.
func (s *Service) UpdateSite(ctx context.Context, a policy.Actor, id int64, p SitePatch, expectedVersion int64) (Site, error) {
	return update(ctx, s, a, id, expectedVersion, updater[Site]{
		read: func(ctx context.Context, q store.Queryer) (Site, error) {
			return readable(ctx, q, a, id, sites, policy.SiteManage)
		},
		change: func(_ context.Context, _ store.Queryer, site Site) (Site, error) { return p.apply(site) },
		save:   updateSite,
		org:    func(Site) int64 { return a.OrgID },
		action: "site.update", entity: "site",
	})
}

// ListUnits returns a page of the units the actor may see, by id, and the
// id to continue after (0 on the last page).
func (s *Service) ListUnits(ctx context.Context, a policy.Actor, f UnitFilter) ([]Unit, int64, error) {
	cond, args, err := visibleUnits(a)
	if err != nil {
		return nil, 0, err
	}
	if f.Limit <= 0 || f.Limit > MaxPage {
		f.Limit = 50
	}
	out, err := listUnits(ctx, s.DB, cond, args, f)
	if err != nil {
		return nil, 0, err
	}
	var next int64
	if len(out) > f.Limit {
		out = out[:f.Limit]
		next = out[len(out)-1].ID
	}
	return out, next, nil
}

// GetUnit returns a unit the actor may see.
func (s *Service) GetUnit(ctx context.Context, a policy.Actor, id int64) (Unit, error) {
	return ReadUnit(ctx, s.DB, a, id)
}

// ReadUnit returns unit id read through q if a may see it; one a may not
// see is not found.
func ReadUnit(ctx context.Context, q store.Queryer, a policy.Actor, id int64) (Unit, error) {
	return readable(ctx, q, a, id, units, policy.UnitRead)
}

// UnitBySerial returns the unit with a serial number among those the actor may see.
func (s *Service) UnitBySerial(ctx context.Context, a policy.Actor, serial string) (Unit, error) {
	serial = NormalizeSerial(serial)
	if msg := CheckSerial(serial); msg != "" {
		return Unit{}, problem.Field("serial", "%s", msg)
	}
	cond, args, err := visibleUnits(a)
	if err != nil {
		return Unit{}, err
	}
	us, err := unitsBySerial(ctx, s.DB, cond, args, serial)
	if err != nil {
		return Unit{}, err
	}
	switch len(us) {
	case 0:
		return Unit{}, problem.New(problem.NotFound, "no product with serial number %s", serial)
	case 2:
		return Unit{}, problem.New(problem.Conflict, "serial number %s is used by more than one vendor's products; list /units?serial=%s", serial, serial)
	}
	return us[0], nil
}

// CreateUnit registers a unit of the actor's vendor at a customer's site.
func (s *Service) CreateUnit(ctx context.Context, a policy.Actor, in UnitInput) (Unit, error) {
	vendorID, err := vendorOf(a, policy.UnitManage)
	if err != nil {
		return Unit{}, err
	}
	fs := in.validate(s.today())
	now := s.Now().UTC()
	var out Unit
	err = s.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		var m ProductModel
		if in.ModelCode != "" && CheckModelCode(in.ModelCode) == "" {
			var err error
			if m, err = modelByCode(ctx, tx, vendorID, in.ModelCode); problem.Is(err, problem.Invalid) {
				fs.Add("model", "no model %s; add it under product models first", in.ModelCode)
			} else if err != nil {
				return err
			}
		}
		if in.SiteID > 0 {
			if err := s.checkUnitSite(ctx, tx, a, in.SiteID); err != nil {
				fs.Add("site_id", "%s", err)
			}
		}
		if err := checkAgreement(ctx, tx, vendorID, in.AgreementID); err != nil {
			fs.Add("agreement_id", "%s", err)
		}
		if err := fs.Err(); err != nil {
			return err
		}
		row := unitRow{VendorID: vendorID, ModelID: m.ID, SiteID: in.SiteID, Serial: in.SerialNumber, InstallDate: in.InstallDate,
			WarrantyEnd: in.WarrantyEnd, AgreementID: in.AgreementID}
		if row.WarrantyEnd == "" {
			install, _ := time.Parse(time.DateOnly, in.InstallDate)
			row.WarrantyEnd = WarrantyEnd(install, m.WarrantyMonths).Format(time.DateOnly)
		}
		var err error
		if row.Token, err = NewToken(); err != nil {
			return err
		}
		id, err := insertUnit(ctx, tx, row, now)
		if err != nil {
			return err
		}
		if out, err = Get(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, a, vendorID, "unit.create", "unit", id, nil, out)
	})
	return out, err
}

// checkUnitSite: a vendor installs units at the sites of customers it works with.
func (s *Service) checkUnitSite(ctx context.Context, q store.Queryer, a policy.Actor, siteID int64) error {
	site, err := getSite(ctx, q, siteID)
	if err != nil && !problem.Is(err, problem.NotFound) {
		return err
	}
	if err == nil {
		scope, err := siteScope(ctx, q, a, site)
		if err != nil {
			return err
		}
		if policy.Allowed(a, policy.SiteRead, scope) {
			return nil
		}
	}
	return errors.New("no such site among your customers' sites")
}

// checkAgreement: a unit is covered only by an agreement of its own vendor.
func checkAgreement(ctx context.Context, q store.Queryer, vendorID int64, id *int64) error {
	if id == nil || *id == 0 {
		return nil
	}
	ours, err := agreementOf(ctx, q, vendorID, *id)
	if err != nil {
		return err
	}
	if !ours {
		return errors.New("no such agreement of yours")
	}
	return nil
}

// UpdateUnit changes a unit if expectedVersion still matches.
func (s *Service) UpdateUnit(ctx context.Context, a policy.Actor, id int64, p UnitPatch, expectedVersion int64) (Unit, error) {
	return update(ctx, s, a, id, expectedVersion, updater[Unit]{
		read: func(ctx context.Context, q store.Queryer) (Unit, error) { return s.manageUnit(ctx, q, a, id) },
		change: func(ctx context.Context, q store.Queryer, before Unit) (Unit, error) {
			return s.patchUnit(ctx, q, a, before, p)
		},
		save:   updateUnit,
		org:    func(u Unit) int64 { return u.VendorID },
		action: "unit.update", entity: "unit",
	})
}

// patchUnit is before with p applied, each field checked; what fails is
// refused naming its field.
func (s *Service) patchUnit(ctx context.Context, q store.Queryer, a policy.Actor, before Unit, p UnitPatch) (Unit, error) {
	next := before
	var fs problem.Fields
	if p.SiteID != nil {
		if err := s.checkUnitSite(ctx, q, a, *p.SiteID); err != nil {
			fs.Add("site_id", "%s", err)
		}
		next.SiteID = *p.SiteID
	}
	if p.InstallDate != nil {
		next.InstallDate = checkInstallDate(&fs, "install_date", *p.InstallDate, s.today())
	}
	if p.WarrantyEnd != nil {
		if t, ok := ParseDate(*p.WarrantyEnd); ok {
			next.WarrantyEnd = t.Format(time.DateOnly)
		} else {
			fs.Add("warranty_end", "must be a date such as 2027-03-06")
		}
	}
	if next.InstallDate != "" && next.WarrantyEnd < next.InstallDate && len(fs) == 0 {
		fs.Add("warranty_end", "is before the install date")
	}
	if p.AgreementID != nil {
		if *p.AgreementID == 0 {
			next.AgreementID = nil
		} else if err := checkAgreement(ctx, q, before.VendorID, p.AgreementID); err != nil {
			fs.Add("agreement_id", "%s", err)
		} else {
			next.AgreementID = p.AgreementID
		}
	}
	return next, fs.Err()
}

// updater says how update changes one kind of thing: read loads it and
// refuses an actor who may not change it; change makes the next version,
// reading through the transaction what it checks; save writes it if the
// expected version still matches; the change is audited as action on
// entity, under the organization org names.
type updater[T any] struct {
	read   func(ctx context.Context, q store.Queryer) (T, error)
	change func(ctx context.Context, q store.Queryer, before T) (T, error)
	save   func(ctx context.Context, q store.Queryer, next T, expected int64, now time.Time) (T, error)
	org    func(before T) int64
	action string
	entity string
}

// update changes the model, site or unit id as u says, in one transaction
// that reads, checks, saves and audits.
func update[T any](ctx context.Context, s *Service, a policy.Actor, id, expectedVersion int64, u updater[T]) (T, error) {
	now := s.Now().UTC()
	var out T
	err := s.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		before, err := u.read(ctx, tx)
		if err != nil {
			return err
		}
		next, err := u.change(ctx, tx, before)
		if err != nil {
			return err
		}
		if out, err = u.save(ctx, tx, next, expectedVersion, now); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, a, u.org(before), u.action, u.entity, id, before, out)
	})
	return out, err
}

// manageUnit loads a unit the actor may change.
func (s *Service) manageUnit(ctx context.Context, q store.Queryer, a policy.Actor, id int64) (Unit, error) {
	u, err := ReadUnit(ctx, q, a, id)
	if err != nil {
		return u, err
	}
	if a.Operator || a.OrgID == u.VendorID {
		return u, policy.Allow(a, policy.UnitManage, policy.Own)
	}
	return u, policy.Allow(a, policy.UnitManage, policy.Partner)
}

// RotateQRToken gives a unit a new QR token: every label printed before
// stops working (a label stolen or copied), and a new one must be printed.
func (s *Service) RotateQRToken(ctx context.Context, a policy.Actor, id int64) (Unit, error) {
	now := s.Now().UTC()
	var out Unit
	err := s.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		before, err := s.manageUnit(ctx, tx, a, id)
		if err != nil {
			return err
		}
		token, err := NewToken()
		if err != nil {
			return err
		}
		if out, err = rotateToken(ctx, tx, id, token, now); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, a, before.VendorID, "unit.rotate_qr_token", "unit", id, nil, map[string]any{"serial_number": out.SerialNumber})
	})
	return out, err
}
