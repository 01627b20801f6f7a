package stock_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"aftersales/internal/account"
	"aftersales/internal/calendar/registry"
	"aftersales/internal/coverage"
	"aftersales/internal/installedbase"
	"aftersales/internal/notify"
	"aftersales/internal/parts"
	"aftersales/internal/policy"
	"aftersales/internal/servicerequest"
	"aftersales/internal/stock"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
	"aftersales/internal/workorder"
)

// clock is a test clock that several goroutines may read.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// world is the fixture's vendor, provider and unit FX100-0001 (model
// FX-100), with a second technician, a store and a van per technician.
type world struct {
	db       *store.DB
	clock    *clock
	f        *testutil.Fixture
	parts    *parts.Service
	stock    *stock.Service
	requests *servicerequest.Service
	visits   *workorder.Service
	notify   *notify.Service

	vendor, providerAdmin, dispatcher, tech, tech2 policy.Actor
	modelID, otherModelID                          int64
	warehouse, store, van, van2                    stock.Location
}

func newWorld(t testing.TB, db *store.DB) *world {
	t.Helper()
	ctx := context.Background()
	w := &world{db: db, clock: &clock{now: time.Now().UTC().Truncate(time.Second)}}
	w.f = testutil.Seed(t, db)
	testutil.SeedService(t, db, w.f)
	w.notify = &notify.Service{DB: db, Now: w.clock.Now}
	w.parts = &parts.Service{DB: db, Now: w.clock.Now}
	w.stock = &stock.Service{DB: db, Now: w.clock.Now, Notify: w.notify}
	w.requests = &servicerequest.Service{DB: db, Now: w.clock.Now, Resolve: coverage.Resolver{Units: installedbase.Finder},
		Calendars: registry.New(db).Get, Parts: w.stock, Visits: workorder.RequestVisits{}}
	w.visits = &workorder.Service{DB: db, Now: w.clock.Now, Requests: w.requests, Parts: w.stock, Qualify: workorder.ActiveTechnician}
	w.vendor = w.f.Users[policy.VendorAdmin].Actor()
	w.providerAdmin = w.f.Users[policy.ProviderAdmin].Actor()
	w.dispatcher = w.f.Users[policy.Dispatcher].Actor()
	w.tech = w.f.Users[policy.Technician].Actor()
	u2, err := account.NewService(db, time.Now).CreateUser(ctx, policy.Actor{Operator: true}, account.NewUser{OrgID: w.f.Provider.ID,
		Email: "tech2@one.example", Name: "Tech Two", Role: policy.Technician, Password: testutil.Password, Locale: "en"})
	if err != nil {
		t.Fatal(err)
	}
	w.tech2 = u2.Actor()
	if err := store.Get(ctx, db, &w.modelID, `SELECT id FROM product_models WHERE code = 'FX-100'`); err != nil {
		t.Fatal(err)
	}
	other, err := (&installedbase.Service{DB: db, Now: time.Now}).CreateModel(ctx, w.vendor, installedbase.ModelInput{Code: "FX-200", Name: "Fixture 200", WarrantyMonths: 12})
	if err != nil {
		t.Fatal(err)
	}
	w.otherModelID = other.ID
	mk := func(a policy.Actor, in stock.LocationInput) stock.Location {
		l, err := w.stock.CreateLocation(ctx, a, in)
		if err != nil {
			t.Fatalf("location %s: %v", in.Name, err)
		}
		return l
	}
	w.warehouse = mk(w.vendor, stock.LocationInput{Kind: stock.Warehouse, Name: "Central"})
	w.store = mk(w.providerAdmin, stock.LocationInput{Kind: stock.Store, Name: "Suzhou store"})
	w.van = mk(w.providerAdmin, stock.LocationInput{Kind: stock.Van, Name: "Van 1", TechnicianID: &w.tech.UserID})
	w.van2 = mk(w.providerAdmin, stock.LocationInput{Kind: stock.Van, Name: "Van 2", TechnicianID: &w.tech2.UserID})
	return w
}

// part adds a part to the vendor's catalog.
func (w *world) part(t testing.TB, in parts.Input) parts.Part {
	t.Helper()
	p, err := w.parts.Create(context.Background(), w.vendor, in)
	if err != nil {
		t.Fatalf("part %s: %v", in.PartNumber, err)
	}
	return p
}

// receive books qty of a part into a location.
func (w *world) receive(t testing.TB, a policy.Actor, l stock.Location, p parts.Part, qty int64) {
	t.Helper()
	if _, err := w.stock.Move(context.Background(), a, stock.MoveInput{Kind: stock.Receive, PartID: p.ID, ToLocationID: l.ID, Qty: qty}); err != nil {
		t.Fatalf("receive %d %s: %v", qty, p.PartNumber, err)
	}
}

// visit files a request on the fixture's unit and assigns it to tech; with
// checkIn the technician is on site.
func (w *world) visit(t testing.TB, tech policy.Actor, checkIn bool) workorder.WorkOrder {
	t.Helper()
	ctx := context.Background()
	v, err := w.requests.Create(ctx, w.dispatcher, servicerequest.NewRequest{SerialNumber: "FX100-0001", ServiceItem: "repair", Priority: "general",
		Description: "spindle noise", Channel: servicerequest.Dispatcher})
	if err != nil {
		t.Fatal(err)
	}
	now := w.clock.Now()
	wo, err := w.visits.Book(ctx, w.dispatcher, workorder.ForRequest(v.ID), workorder.Assignment{TechnicianID: tech.UserID, WindowStart: now, WindowEnd: now.Add(2 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if checkIn {
		if wo, err = w.visits.Step(ctx, tech, wo.ID, workorder.Step{Kind: "check_in"}, wo.Version); err != nil {
			t.Fatal(err)
		}
	}
	return wo
}

// tb is what the helpers need of a test, so rapid's T serves too.
type tb interface {
	Helper()
	Fatal(args ...any)
}

func (w *world) onHand(t tb, l stock.Location, p parts.Part) int64 {
	t.Helper()
	var qty int64
	if err := store.Get(context.Background(), w.db, &qty, `SELECT COALESCE(MAX(qty), 0) FROM stock_on_hand WHERE location_id = ? AND part_id = ?`, l.ID, p.ID); err != nil {
		t.Fatal(err)
	}
	return qty
}

func (w *world) count(t tb, table string) int {
	t.Helper()
	var n int
	if err := store.Get(context.Background(), w.db, &n, `SELECT COUNT(*) FROM `+table); err != nil {
		t.Fatal(err)
	}
	return n
}

// inWorld runs test in parallel on each engine, in a fresh world.
func inWorld(t *testing.T, test func(t *testing.T, ctx context.Context, w *world)) {
	t.Parallel()
	testutil.Engines(t, func(t *testing.T, db *store.DB) { test(t, context.Background(), newWorld(t, db)) })
}
