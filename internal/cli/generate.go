package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/app"
	"aftersales/internal/calendar"
	"aftersales/internal/coverage"
	"aftersales/internal/demo"
	"aftersales/internal/installedbase"
	"aftersales/internal/record"
	"aftersales/internal/servicerequest"
	"aftersales/internal/sla"
	"aftersales/internal/store"
)

// generate fills an empty database with the demo's organizations, logins and
// agreements and then a large service history: units, requests of every
// status and age, their events, visits and sealed records, written through
// multi-row inserts in large transactions.
func generate(e *env, args []string) error {
	fs, dsn := e.dbFlags("generate", "generate --requests N --units M [--open SHARE] [--seed S] [--db ...]")
	requests := fs.Int("requests", 0, "how many service requests to generate (1 to 10,000,000)")
	units := fs.Int("units", 0, "how many installed units to generate (1 to 2,000,000)")
	open := fs.Float64("open", 0.05, "share of the requests still open (0 to 1); the rest are resolved or cancelled")
	seed := fs.Uint64("seed", 1, "seed of the pseudo-random choices, for a repeatable dataset")
	if err := parse(fs, args); err != nil {
		return err
	}
	switch {
	case *requests < 1 || *requests > 10_000_000:
		return usagef("--requests must be between 1 and 10000000, got %d", *requests)
	case *units < 1 || *units > 2_000_000:
		return usagef("--units must be between 1 and 2000000, got %d", *units)
	case !(*open >= 0 && *open <= 1):
		return usagef("--open must be a share between 0 and 1, got %v", *open)
	}
	db, err := e.openDB(*dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	a, err := e.services(db)
	if err != nil {
		return err
	}
	started := time.Now()
	g := &generator{a: a, db: db, ctx: e.ctx, rnd: rand.New(rand.NewPCG(*seed, 0x5eed)), now: a.Now().UTC().Truncate(time.Second),
		progress: func(format string, args ...any) {
			fmt.Fprintf(e.stderr, "generate %6.1fs  %s\n", time.Since(started).Seconds(), fmt.Sprintf(format, args...))
		}}
	if _, err := demo.Load(e.ctx, a); err != nil {
		if errors.Is(err, demo.ErrNotEmpty) {
			return fmt.Errorf("the database already has data; generate fills only an empty database")
		}
		return err
	}
	// The demo's own requests enter SQLite's search index now: it indexes
	// the ids above the highest it holds, and the generated ones come next.
	if _, err := a.Requests.IndexPending(e.ctx); err != nil {
		return err
	}
	g.progress("demo organizations, logins and agreements loaded")
	if err := g.prepare(); err != nil {
		return err
	}
	if err := g.units(*units); err != nil {
		return err
	}
	if err := g.requests(*requests, *open); err != nil {
		return err
	}
	if err := g.finish(); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "generated %d requests (%d open, %d breached), %d visits, %d sealed records and %d units in %.1fs\n",
		g.made.requests, g.made.open, g.made.breached, g.made.visits, g.made.records, *units, time.Since(started).Seconds())
	fmt.Fprintf(e.stdout, "sign in as any demo login with the password %s\n", demo.Password)
	return nil
}

// genAgreement is one of the demo's agreements with what generating
// requests on it needs.
type genAgreement struct {
	id, vendorID, providerID int64
	terms                    coverage.AgreementTerms
	since                    time.Time   // the first version's effective date
	sites                    []genSite   // the customers' sites inside its service area
	models                   []genModel  // the models it covers
	dispatchers, techs       []genPerson // who files and answers, who visits
	units                    []genUnit
	items                    []string
	seq                      int64
	hash                     string
}

type genSite struct {
	id, customerID   int64
	division, addr   string
	lat, lng         *float64
	contact, phone   string
	customerLoginID  *int64
	customerLoginTag string
}

type genModel struct {
	id   int64
	code string
}

type genPerson struct {
	id    int64
	email string
	name  string
}

type genUnit struct {
	id     int64
	serial string
	model  string
	site   *genSite
}

type generator struct {
	a        *app.App
	db       *store.DB
	ctx      context.Context
	rnd      *rand.Rand
	now      time.Time
	progress func(format string, args ...any)

	agreements []*genAgreement
	calendars  map[string]*calendar.Calendar
	nextID     struct{ request, workOrder, record, unit int64 }
	made       struct{ requests, open, breached, visits, records int }
}

// The demo's agreements and the provinces (division prefixes) each serves.
var genAreas = map[string][]string{"HC-HX-2026-001": {"32", "33", "31"}, "HC-YA-2026-002": {"44"}}

func (g *generator) prepare() error {
	ctx, db := g.ctx, g.db
	var ags []struct {
		ID         int64  `db:"id"`
		Number     string `db:"number"`
		VendorID   int64  `db:"vendor_id"`
		ProviderID int64  `db:"provider_id"`
		Since      string `db:"since"`
	}
	if err := store.Select(ctx, db, &ags, `SELECT a.id, a.number, a.vendor_id, a.provider_id,
		(SELECT MIN(v.effective_from) FROM agreement_versions v WHERE v.agreement_id = a.id) AS since FROM agreements a ORDER BY a.id`); err != nil {
		return err
	}
	var sites []struct {
		ID         int64    `db:"id"`
		CustomerID int64    `db:"customer_org_id"`
		Division   string   `db:"division"`
		Address    string   `db:"address"`
		Lat        *float64 `db:"lat"`
		Lng        *float64 `db:"lng"`
		Contact    string   `db:"contact_name"`
		Phone      string   `db:"contact_phone"`
	}
	if err := store.Select(ctx, db, &sites, `SELECT id, customer_org_id, division, address, lat, lng, contact_name, contact_phone FROM sites ORDER BY id`); err != nil {
		return err
	}
	var models []struct {
		ID   int64  `db:"id"`
		Code string `db:"code"`
	}
	if err := store.Select(ctx, db, &models, `SELECT id, code FROM product_models ORDER BY id`); err != nil {
		return err
	}
	var users []struct {
		ID    int64  `db:"id"`
		OrgID int64  `db:"org_id"`
		Email string `db:"email"`
		Name  string `db:"name"`
		Role  string `db:"role"`
	}
	if err := store.Select(ctx, db, &users, `SELECT id, org_id, email, name, role FROM users ORDER BY id`); err != nil {
		return err
	}
	var heads []struct {
		AgreementID int64  `db:"agreement_id"`
		Seq         int64  `db:"last_seq"`
		Hash        string `db:"last_hash"`
	}
	if err := store.Select(ctx, db, &heads, `SELECT agreement_id, last_seq, last_hash FROM record_chains`); err != nil {
		return err
	}
	for _, ag := range ags {
		areas, ok := genAreas[ag.Number]
		if !ok {
			continue
		}
		since, err := time.ParseInLocation(time.DateOnly, ag.Since, calendar.Shanghai)
		if err != nil {
			return fmt.Errorf("agreement %s: effective date %q: %w", ag.Number, ag.Since, err)
		}
		terms, err := g.a.Requests.Resolve.Agreement(ctx, db, ag.ID, since)
		if err != nil {
			return err
		}
		ga := &genAgreement{id: ag.ID, vendorID: ag.VendorID, providerID: ag.ProviderID, terms: terms, since: since.UTC(), hash: record.Genesis,
			items: []string{"repair", "repair", "repair", "repair", "repair", "repair", "maintenance", "maintenance", "part_replacement", "consultation"}}
		if ag.Number == "HC-YA-2026-002" {
			ga.items = ga.items[:9] // 粤安's agreement covers no consultations
		}
		for _, h := range heads {
			if h.AgreementID == ag.ID {
				ga.seq, ga.hash = h.Seq, h.Hash
			}
		}
		for _, m := range models {
			if m.Code == "HC-CNC-850" || m.Code == "HC-LASER-3015" {
				ga.models = append(ga.models, genModel{m.ID, m.Code})
			}
		}
		for _, s := range sites {
			for _, p := range areas {
				if strings.HasPrefix(s.Division, p) {
					site := &genSite{id: s.ID, customerID: s.CustomerID, division: s.Division, addr: s.Address, lat: s.Lat, lng: s.Lng, contact: s.Contact, phone: s.Phone}
					for _, u := range users {
						if u.OrgID == s.CustomerID && u.Role == "customer" {
							id := u.ID
							site.customerLoginID, site.customerLoginTag = &id, u.Email
						}
					}
					ga.sites = append(ga.sites, *site)
				}
			}
		}
		for _, u := range users {
			if u.OrgID != ag.ProviderID {
				continue
			}
			switch u.Role {
			case "dispatcher", "provider_admin":
				ga.dispatchers = append(ga.dispatchers, genPerson{u.ID, u.Email, u.Name})
			case "technician":
				ga.techs = append(ga.techs, genPerson{u.ID, u.Email, u.Name})
			}
		}
		if len(ga.sites) == 0 || len(ga.models) == 0 || len(ga.dispatchers) == 0 || len(ga.techs) == 0 {
			return fmt.Errorf("agreement %s: the demo dataset lacks sites, models or staff to generate requests on", ag.Number)
		}
		g.agreements = append(g.agreements, ga)
	}
	if len(g.agreements) == 0 {
		return errors.New("the demo dataset has none of the agreements generate knows")
	}
	g.calendars = map[string]*calendar.Calendar{}
	for table, next := range map[string]*int64{"service_requests": &g.nextID.request, "work_orders": &g.nextID.workOrder,
		"service_records": &g.nextID.record, "units": &g.nextID.unit} {
		if err := store.Get(ctx, db, next, `SELECT COALESCE(MAX(id), 0) + 1 FROM `+table); err != nil {
			return err
		}
	}
	return nil
}

// calendar returns a working calendar, read once per run.
func (g *generator) calendar(id string) (*calendar.Calendar, error) {
	if c, ok := g.calendars[id]; ok {
		return c, nil
	}
	c, err := g.a.Requests.Calendars(g.ctx, id)
	if err != nil {
		return nil, err
	}
	g.calendars[id] = c
	return c, nil
}

// units installs n units, three in four under the first agreement.
func (g *generator) units(n int) error {
	const chunk = 20_000
	for done := 0; done < n; {
		size := min(chunk, n-done)
		err := g.db.TxCopy(g.ctx, func(tx *sqlx.Tx, cp store.CopyFunc) error {
			b := newBulk(g.ctx, tx, "units", "id, vendor_id, model_id, site_id, serial_number, install_date, warranty_end, agreement_id, qr_token, created_at, updated_at", "").copying(cp)
			for i := 0; i < size; i++ {
				ga := g.agreements[0]
				if len(g.agreements) > 1 && g.rnd.IntN(4) == 0 {
					ga = g.agreements[1+g.rnd.IntN(len(g.agreements)-1)]
				}
				m, site := ga.models[g.rnd.IntN(len(ga.models))], &ga.sites[g.rnd.IntN(len(ga.sites))]
				install := ga.since.AddDate(0, 0, -g.rnd.IntN(900))
				serial := fmt.Sprintf("GEN%d-%07d", install.Year(), g.nextID.unit)
				token, err := installedbase.NewToken()
				if err != nil {
					return err
				}
				if err := b.add(g.nextID.unit, ga.vendorID, m.id, site.id, serial, install.Format(time.DateOnly),
					installedbase.WarrantyEnd(install, 24).Format(time.DateOnly), ga.id, token, g.now, g.now); err != nil {
					return err
				}
				ga.units = append(ga.units, genUnit{id: g.nextID.unit, serial: serial, model: m.code, site: site})
				g.nextID.unit++
			}
			return b.flush()
		})
		if err != nil {
			return fmt.Errorf("units: %w", err)
		}
		done += size
		g.progress("units %d/%d", done, n)
	}
	for _, ga := range g.agreements {
		if len(ga.units) == 0 {
			// Every agreement gets a unit, so that the requests spread over all of them.
			g.agreements = nil
			return fmt.Errorf("--units is too small to give every agreement a unit; use at least %d", 4*len(genAreas))
		}
	}
	return nil
}

// Texts of the generated history, in Chinese as the customers write them.
var (
	genFaults = []string{"主轴异响，加工精度下降", "切割头报警 E-203，切口挂渣", "液压系统压力不稳，保压失败", "伺服驱动器过载报警",
		"冷却液泄漏，机床底部积水", "激光功率衰减，切不透 10 毫米钢板", "换刀时刀库卡死", "X 轴回零偏差约 0.2 毫米",
		"数控系统开机黑屏", "导轨润滑不足报警", "焊缝偏移，机器人示教点丢失", "气压不足，夹具松不开"}
	genContext = []string{"，夜班停线", "，客户要求今天到场", "，已停机两天", "，影响交货", "，间歇出现", "，操作员已重启无效", "", ""}
	genActions = []string{"更换轴承并重新调整预紧力，试运行正常", "清洁保护镜片、重新校准焦点，试切合格", "更换密封件，压力测试合格",
		"调整伺服参数，更换编码器线缆", "紧固冷却管接头，更换老化软管", "更换激光器光纤接头，功率恢复"}
	genCodes = []string{"E-203", "AL-1021", "SV-0430", "OT-0500", "", "PS-0011"}
)

// requests files n requests over the time the agreements have been in
// force, oldest first: a share still open (mostly the newest, some old and
// breached), the others resolved by a visit with a sealed record, answered
// as a consultation, or cancelled.
func (g *generator) requests(n int, openShare float64) error {
	const chunk = 10_000
	end := g.now.Add(-10 * time.Minute)
	recentOpen := int(float64(n) * openShare * 0.7) // the newest requests still open
	oldOpen := openShare * 0.3 / max(1-openShare*0.7, 1e-9)
	for done := 0; done < n; {
		size := min(chunk, n-done)
		err := g.db.TxCopy(g.ctx, func(tx *sqlx.Tx, cp store.CopyFunc) error {
			w := g.writers(tx, cp)
			for i := done; i < done+size; i++ {
				ga := g.agreements[0]
				if len(g.agreements) > 1 && g.rnd.IntN(4) == 0 {
					ga = g.agreements[1+g.rnd.IntN(len(g.agreements)-1)]
				}
				span := end.Sub(ga.since)
				received := ga.since.Add(time.Duration(float64(span) * (float64(i) + g.rnd.Float64()) / float64(n))).Truncate(time.Second)
				open := i >= n-recentOpen || g.rnd.Float64() < oldOpen
				if err := g.request(w, ga, received, open); err != nil {
					return err
				}
			}
			if err := w.flush(); err != nil {
				return err
			}
			if err := w.totals.Apply(g.ctx, tx); err != nil {
				return err
			}
			for _, ga := range g.agreements {
				if ga.seq == 0 {
					continue
				}
				if _, err := store.Exec(g.ctx, tx, `INSERT INTO record_chains (agreement_id, last_seq, last_hash) VALUES (?, ?, ?)
					ON CONFLICT (agreement_id) DO UPDATE SET last_seq = excluded.last_seq, last_hash = excluded.last_hash`, ga.id, ga.seq, ga.hash); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("requests: %w", err)
		}
		done += size
		if err := g.db.TruncateLog(g.ctx); err != nil {
			g.progress("write-ahead log not emptied: %v", err)
		}
		g.progress("requests %d/%d (%d open, %d visits, %d records)", done, n, g.made.open, g.made.visits, g.made.records)
	}
	return nil
}

// genWriters are the bulk inserts of one transaction.
type genWriters struct {
	requests, events, clocks, workOrders, records, search *bulk
	// totals are the running totals of the clocks written (request_clock_totals).
	totals servicerequest.ClockTotals
}

func (g *generator) writers(tx *sqlx.Tx, cp store.CopyFunc) *genWriters {
	w := &genWriters{
		totals: servicerequest.ClockTotals{},
		requests: newBulk(g.ctx, tx, "service_requests", `id, number, vendor_id, provider_id, customer_org_id, agreement_id, unit_id,
			serial_number, model, site_division, site_address, site_lat, site_lng, channel, service_item, priority, status, description,
			contact_name, contact_phone, scope_exception, created_by_id, received_at, updated_at, next_due_at, breached, version, next_check_at`, ""),
		events: newBulk(g.ctx, tx, "request_events", "request_id, seq, kind, at, actor_id, actor, priority, reason, note", ""),
		clocks: newBulk(g.ctx, tx, "request_clocks", servicerequest.ClockColumns, ""),
		records: newBulk(g.ctx, tx, "service_records", `id, agreement_id, seq, vendor_id, provider_id, request_id, corrects_id,
			content_json, sealed_at, retain_until, prev_hash, hash`, ""),
		workOrders: newBulk(g.ctx, tx, "work_orders", `id, request_id, technician_id, assigned_by, window_start, window_end, status,
			checked_in_at, check_in_lat, check_in_lng, checked_out_at, diagnosis, fault_codes, actions_taken, result, signoff_kind,
			signoff_name, record_id, created_at, updated_at, version, signoff_sent_to, origin`, ""),
	}
	table, cols, row := servicerequest.SearchIndex(store.DialectOf(tx))
	w.search = newBulk(g.ctx, tx, table, cols, row)
	// On PostgreSQL the tables are written with COPY, the search terms
	// excepted (each is made by to_tsvector as it is inserted).
	for _, b := range []*bulk{w.requests, w.events, w.clocks, w.records, w.workOrders} {
		b.copying(cp)
	}
	// Rows that refer to others are written after them.
	w.events.parents = []*bulk{w.requests}
	w.clocks.parents = []*bulk{w.requests}
	w.search.parents = []*bulk{w.requests}
	w.workOrders.parents = []*bulk{w.requests, w.records}
	return w
}

// flush writes what is left, parents before the rows that refer to them.
func (w *genWriters) flush() error {
	for _, b := range []*bulk{w.requests, w.events, w.clocks, w.records, w.workOrders, w.search} {
		if err := b.flush(); err != nil {
			return err
		}
	}
	return nil
}

func (g *generator) pick(xs []string) string { return xs[g.rnd.IntN(len(xs))] }

// request writes one request with its history.
func (g *generator) request(w *genWriters, ga *genAgreement, received time.Time, open bool) error {
	u := ga.units[g.rnd.IntN(len(ga.units))]
	item := g.pick(ga.items)
	priority := string(sla.General)
	if g.rnd.IntN(5) == 0 {
		priority = string(sla.Emergency)
	}
	channel := []servicerequest.Channel{servicerequest.Dispatcher, servicerequest.Dispatcher, servicerequest.Portal,
		servicerequest.Portal, servicerequest.QRCode, servicerequest.API}[g.rnd.IntN(6)]
	dispatcher, tech := ga.dispatchers[g.rnd.IntN(len(ga.dispatchers))], ga.techs[g.rnd.IntN(len(ga.techs))]
	var createdBy *int64
	label := servicerequest.QRActor
	switch {
	case channel == servicerequest.Portal && u.site.customerLoginID != nil:
		createdBy, label = u.site.customerLoginID, u.site.customerLoginTag
	case channel != servicerequest.QRCode:
		createdBy, label = &dispatcher.id, dispatcher.email
	}
	desc := g.pick(genFaults) + g.pick(genContext)
	if item == "consultation" {
		desc = "请问" + strings.TrimPrefix(g.pick(genFaults), "") + "时应如何处理？"
	}
	id := g.nextID.request
	g.nextID.request++
	r := servicerequest.Request{ID: id, Number: servicerequest.Number(received, id), VendorID: ga.vendorID, ProviderID: ga.providerID,
		CustomerOrgID: u.site.customerID, AgreementID: ga.id, UnitID: u.id, SerialNumber: u.serial, Model: u.model,
		SiteDivision: u.site.division, SiteAddress: u.site.addr, SiteLat: u.site.lat, SiteLng: u.site.lng, Channel: channel,
		ServiceItem: item, Priority: priority, Description: desc, ContactName: u.site.contact, ContactPhone: u.site.phone,
		CreatedByID: createdBy, ReceivedAt: received, Version: 1}
	events := []servicerequest.RequestEvent{{Kind: string(sla.Received), At: received, ActorID: createdBy, Actor: label, Priority: priority, Note: string(channel)}}
	add := func(kind string, at time.Time, who genPerson, note string) {
		id := who.id
		events = append(events, servicerequest.RequestEvent{Kind: kind, At: at, ActorID: &id, Actor: who.email, Note: note})
	}
	// How quickly things happen: emergencies within hours, the rest within days.
	step := func(base time.Duration) time.Duration {
		if priority == string(sla.Emergency) {
			base /= 8
		}
		return time.Duration(float64(base) * (0.2 + 1.6*g.rnd.Float64())).Truncate(time.Second)
	}
	responded := received.Add(step(6 * time.Hour))
	visitStart := responded.Add(step(30 * time.Hour))
	checkIn := visitStart.Add(time.Duration(g.rnd.IntN(90)) * time.Minute)
	checkOut := checkIn.Add(time.Duration(40+g.rnd.IntN(200)) * time.Minute)
	status := servicerequest.Resolved
	var visitStatus string
	switch {
	case open:
		// Where an open request stands follows from how long ago it came in.
		switch {
		case responded.After(g.now) || g.rnd.IntN(3) == 0:
			status = servicerequest.Received
		case visitStart.After(g.now) || g.rnd.IntN(3) == 0:
			status = servicerequest.Responded
		case checkIn.After(g.now) || g.rnd.IntN(2) == 0:
			status, visitStatus = servicerequest.Scheduled, "assigned"
		default:
			status, visitStatus = servicerequest.OnSite, "on_site"
		}
	case item == "consultation":
		visitStatus = ""
	case g.rnd.IntN(25) == 0:
		status = servicerequest.Cancelled
	default:
		visitStatus = "completed"
	}
	if status != servicerequest.Received {
		add(string(sla.Responded), responded, dispatcher, "")
	}
	if visitStatus != "" {
		add(servicerequest.EventAssigned, responded, dispatcher, tech.name+" "+visitStart.In(calendar.Shanghai).Format("01-02 15:04"))
		if visitStatus != "assigned" {
			add(string(sla.CheckedIn), checkIn, tech, "")
		}
		if visitStatus == "completed" {
			add(string(sla.Resolved), checkOut, tech, "")
		}
	}
	switch {
	case status == servicerequest.Cancelled:
		add(servicerequest.EventCancelled, responded.Add(time.Hour), dispatcher, "客户已自行处理")
	case item == "consultation" && !open:
		add(string(sla.Resolved), responded.Add(time.Duration(g.rnd.IntN(120))*time.Minute), dispatcher, "已电话指导客户完成操作，详见操作手册")
	}
	for i := range events {
		events[i].RequestID, events[i].Seq = id, int64(i+1)
	}
	last := events[len(events)-1].At
	r.Status, r.UpdatedAt = status, last
	// The clocks as they stand now (open) or stood when it closed.
	at := g.now
	if !open {
		at = last
	}
	st, err := sla.Compute(ga.terms.Terms, servicerequest.SLAEvents(events), g.calendar, at)
	if err != nil {
		return fmt.Errorf("request %d: %w", id, err)
	}
	r.SetProjection(st.Clocks)
	g.made.requests++
	if open {
		g.made.open++
	}
	if r.Breached {
		g.made.breached++
	}
	if err := w.requests.add(r.ID, r.Number, r.VendorID, r.ProviderID, r.CustomerOrgID, r.AgreementID, r.UnitID, r.SerialNumber, r.Model,
		r.SiteDivision, r.SiteAddress, r.SiteLat, r.SiteLng, r.Channel, r.ServiceItem, r.Priority, r.Status, r.Description, r.ContactName,
		r.ContactPhone, false, r.CreatedByID, r.ReceivedAt, r.UpdatedAt, r.NextDueAt, r.Breached, 1, r.NextCheckAt); err != nil {
		return err
	}
	for _, row := range servicerequest.ClockRows(r, st.Clocks) {
		if err := w.clocks.add(row...); err != nil {
			return err
		}
		w.totals.Add(row)
	}
	for _, ev := range events {
		if err := w.events.add(ev.RequestID, ev.Seq, ev.Kind, ev.At, ev.ActorID, ev.Actor, ev.Priority, ev.Reason, ev.Note); err != nil {
			return err
		}
	}
	if err := w.search.add(id, strings.Join(servicerequest.SearchTokens(desc), " ")); err != nil {
		return err
	}
	var content *record.Content
	var recordID, woID *int64
	sealed := last
	if visitStatus != "" {
		v := g.nextID.workOrder
		g.nextID.workOrder++
		woID = &v
		g.made.visits++
	}
	switch {
	case visitStatus == "completed":
		fault, action := g.pick(genFaults), g.pick(genActions)
		content = &record.Content{Kind: record.KindVisit, Visit: &record.Visit{Request: r.Number, Agreement: ga.terms.Number,
			ServiceItem: item, Priority: priority, ReceivedAt: received, CustomerOrg: r.CustomerOrgID,
			Product: record.Product{SerialNumber: r.SerialNumber, Model: r.Model}, Place: record.Place{Division: r.SiteDivision, Lat: r.SiteLat, Lng: r.SiteLng},
			WorkOrder: *woID, Technician: record.Person{ID: tech.id, Name: tech.name}, CheckedIn: checkIn, CheckedOut: checkOut,
			OnSiteSeconds: int64(checkOut.Sub(checkIn) / time.Second), Description: desc, Diagnosis: fault, FaultCodes: g.pick(genCodes),
			Actions: action, Result: "fixed", SignOff: record.SignOff{Kind: "code", Name: r.ContactName, CodeSentTo: r.ContactPhone,
				ConfirmedBy: &record.Person{ID: tech.id, Name: tech.name}},
			Photos: []record.PhotoDigest{}, Parts: []record.FittedPart{}, Clocks: record.ClockOutcomes(st.Clocks, checkOut)}}
	case item == "consultation" && status == servicerequest.Resolved:
		content = &record.Content{Kind: record.KindConsultation, Consultation: &record.Consultation{Request: r.Number, Agreement: ga.terms.Number,
			ServiceItem: item, ReceivedAt: received, CustomerOrg: r.CustomerOrgID, Product: record.Product{SerialNumber: r.SerialNumber, Model: r.Model},
			Question: desc, Answer: events[len(events)-1].Note, AnsweredBy: record.Person{ID: dispatcher.id, Name: dispatcher.name}, AnsweredAt: last,
			Clocks: record.ClockOutcomes(st.Clocks, last)}}
	}
	if content != nil {
		content.Version = record.Version
		raw, err := json.Marshal(content)
		if err != nil {
			return err
		}
		rid := g.nextID.record
		g.nextID.record++
		recordID = &rid
		ga.seq++
		prev := ga.hash
		sealed = sealed.UTC().Truncate(time.Microsecond)
		ga.hash = record.Hash(ga.seq, prev, sealed, string(raw))
		if err := w.records.add(rid, ga.id, ga.seq, ga.vendorID, ga.providerID, id, nil, string(raw), sealed,
			sealed.AddDate(0, ga.terms.RetentionMonths, 0).Format(time.DateOnly), prev, ga.hash); err != nil {
			return err
		}
		g.made.records++
	}
	if woID != nil {
		var in, out *time.Time
		var lat, lng *float64
		diagnosis, codes, actions, result, signoff, signName, sentTo := "", "", "", "", "", "", ""
		if visitStatus != "assigned" {
			in, lat, lng = &checkIn, r.SiteLat, r.SiteLng
		}
		if visitStatus == "completed" {
			out = &checkOut
			v := content.Visit
			diagnosis, codes, actions, result, signoff, signName, sentTo = v.Diagnosis, v.FaultCodes, v.Actions, v.Result, "code", v.SignOff.Name, v.SignOff.CodeSentTo
		}
		if err := w.workOrders.add(*woID, id, tech.id, dispatcher.id, visitStart, visitStart.Add(2*time.Hour), visitStatus, in, lat, lng, out,
			diagnosis, codes, actions, result, signoff, signName, recordID, responded, last, 1, sentTo, "request"); err != nil {
			return err
		}
	}
	return nil
}

// finish moves PostgreSQL's sequences past the ids written, and has the
// planner's statistics read the new rows.
func (g *generator) finish() error {
	if err := g.db.Dialect().SyncIDs(g.ctx, g.db, "service_requests", "request_events", "work_orders", "service_records", "units"); err != nil {
		return err
	}
	if _, err := store.Exec(g.ctx, g.db, `ANALYZE`); err != nil {
		return err
	}
	g.progress("statistics analyzed")
	return nil
}

// bulk gathers rows for one table and writes them as multi-row INSERTs, or
// with COPY on PostgreSQL (copying).
type bulk struct {
	ctx   context.Context
	tx    *sqlx.Tx
	table string
	cols  string
	row   string // the placeholders of one row
	n     int    // columns per row
	per   int    // rows per statement
	args  []any
	rows  int
	// parents are flushed first: the tables this one's rows refer to.
	parents []*bulk
	// copy, when set, writes the rows with COPY.
	copy store.CopyFunc
}

// copyRows is how many rows a COPY writes at most.
const copyRows = 5000

// copying has the rows written with cp (store.TxCopy) when it is set.
func (b *bulk) copying(cp store.CopyFunc) *bulk {
	if cp != nil {
		b.copy, b.per = cp, copyRows
	}
	return b
}

// newBulk prepares inserts into table; row is the placeholder list of a
// row ("" for one ? per column).
func newBulk(ctx context.Context, tx *sqlx.Tx, table, cols, row string) *bulk {
	n := len(strings.Split(cols, ","))
	if row == "" {
		row = "(" + strings.TrimSuffix(strings.Repeat("?, ", n), ", ") + ")"
	}
	// Both engines take well over 30,000 parameters in a statement.
	return &bulk{ctx: ctx, tx: tx, table: table, cols: cols, row: row, n: n, per: min(1000, 30000/n)}
}

func (b *bulk) add(values ...any) error {
	if len(values) != b.n {
		return fmt.Errorf("insert into %s: %d values for %d columns", b.table, len(values), b.n)
	}
	b.args = append(b.args, values...)
	b.rows++
	if b.rows >= b.per {
		return b.flush()
	}
	return nil
}

func (b *bulk) flush() error {
	if b.rows == 0 {
		return nil
	}
	for _, p := range b.parents {
		if err := p.flush(); err != nil {
			return err
		}
	}
	if b.copy != nil {
		cols := strings.Split(b.cols, ",")
		for i := range cols {
			cols[i] = strings.TrimSpace(cols[i])
		}
		rows := make([][]any, b.rows)
		for i := range rows {
			rows[i] = b.args[i*b.n : (i+1)*b.n : (i+1)*b.n]
		}
		if err := b.copy(b.table, cols, rows); err != nil {
			return fmt.Errorf("copy into %s: %w", b.table, err)
		}
		b.args, b.rows = b.args[:0], 0
		return nil
	}
	q := "INSERT INTO " + b.table + " (" + b.cols + ") VALUES " + strings.TrimSuffix(strings.Repeat(b.row+", ", b.rows), ", ")
	if _, err := b.tx.ExecContext(b.ctx, b.tx.Rebind(q), b.args...); err != nil {
		return fmt.Errorf("insert into %s: %w", b.table, err)
	}
	b.args, b.rows = b.args[:0], 0
	return nil
}
