package api_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"aftersales/internal/org"
	"aftersales/internal/policy"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// scalar is the one value query reads from db; the test fails if it
// cannot be read.
func scalar[T any](t testing.TB, db *store.DB, query string, args ...any) T {
	t.Helper()
	var v T
	if err := store.Get(t.Context(), db, &v, query, args...); err != nil {
		t.Fatal(err)
	}
	return v
}

// rowCounts are the rows of each of tables in db, for unchangedRows.
func rowCounts(t *testing.T, db *store.DB, tables ...string) map[string]int {
	t.Helper()
	rows := map[string]int{}
	for _, table := range tables {
		rows[table] = countRows(t, db, table)
	}
	return rows
}

// unchangedRows fails the test unless each table of before has the rows it
// had then.
func unchangedRows(t *testing.T, db *store.DB, before map[string]int) {
	t.Helper()
	for table, n := range before {
		if now := countRows(t, db, table); now != n {
			t.Fatalf("%s: %d rows, %d before", table, now, n)
		}
	}
}

func countRows(t *testing.T, db *store.DB, table string) int {
	t.Helper()
	return scalar[int](t, db, "SELECT COUNT(*) FROM "+table)
}

// seeded is the app on db with the fixture.
func seeded(t *testing.T, db *store.DB) (*testutil.App, *testutil.Fixture) {
	t.Helper()
	app := testutil.NewApp(t, db)
	return app, testutil.Seed(t, db)
}

// serving is the app on db with the fixture, its agreement and its unit.
func serving(t *testing.T, db *store.DB) (*testutil.App, *testutil.Fixture, testutil.ServiceFixture) {
	t.Helper()
	app, f := seeded(t, db)
	return app, f, testutil.SeedService(t, db, f)
}

// onSeeded runs fn in parallel on both engines, with the app serving the
// fixture.
func onSeeded(t *testing.T, fn func(t *testing.T, db *store.DB, app *testutil.App, f *testutil.Fixture)) {
	t.Helper()
	t.Parallel()
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		app, f := seeded(t, db)
		fn(t, db, app, f)
	})
}

// onServing runs fn in parallel on both engines, with the app serving the
// fixture, its agreement and its unit.
func onServing(t *testing.T, fn func(t *testing.T, db *store.DB, app *testutil.App, f *testutil.Fixture, sf testutil.ServiceFixture)) {
	t.Helper()
	t.Parallel()
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		app, f, sf := serving(t, db)
		fn(t, db, app, f, sf)
	})
}

// fileRepair files a repair of the fixture's unit through c and returns
// the request's id.
func fileRepair(t *testing.T, c *testutil.Client, priority, description string) int64 {
	t.Helper()
	res := c.Do("POST", "/service-requests", map[string]any{"serial_number": "FX100-0001", "service_item": "repair", "priority": priority, "description": description})
	var req struct{ ID int64 }
	res.JSON(t, &req)
	if req.ID == 0 {
		t.Fatalf("file a repair: %d %s", res.Status, res.Body)
	}
	return req.ID
}

// createdID is the id of what res created; the test fails, naming what,
// unless it answered 201.
func createdID(t testing.TB, res *testutil.Response, what string) int64 {
	t.Helper()
	var out struct{ ID int64 }
	res.JSON(t, &out)
	if res.Status != 201 {
		t.Fatalf("%s: %d %s", what, res.Status, res.Body)
	}
	return out.ID
}

// addTechnician adds a technician of the fixture's provider, named name,
// and answers their user id.
func addTechnician(t *testing.T, app *testutil.App, f *testutil.Fixture, email, name string) int64 {
	t.Helper()
	return createdID(t, app.API(t, f.Tokens[policy.ProviderAdmin]).Do("POST", "/users", map[string]any{"org_id": f.Provider.ID, "email": email,
		"name": name, "role": "technician", "password": "long-enough-1"}), "second technician")
}

// together posts body to path n times at once with the Idempotency-Key
// key, and answers the statuses.
func together(n int, cl *testutil.Client, path string, body any, key string) []int {
	statuses := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { statuses[i] = cl.Do("POST", path, body, "Idempotency-Key", key).Status })
	}
	wg.Wait()
	return statuses
}

// problemOf decodes a problem+json answer and checks its envelope.
func problemOf(t *testing.T, res *testutil.Response, status int, typ string) map[string]any {
	t.Helper()
	if res.Status != status {
		t.Fatalf("status %d, want %d: %s", res.Status, status, res.Body)
	}
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		t.Fatalf("content type %q, want problem+json: %s", ct, res.Body)
	}
	p := res.Map(t)
	if p["type"] != "/problems/"+typ {
		t.Fatalf("type %v, want /problems/%s: %s", p["type"], typ, res.Body)
	}
	if int(p["status"].(float64)) != status {
		t.Fatalf("status field %v", p["status"])
	}
	return p
}

func locations(p map[string]any) []string {
	var out []string
	errs, _ := p["errors"].([]any)
	for _, e := range errs {
		if m, ok := e.(map[string]any); ok {
			out = append(out, fmt.Sprint(m["location"]))
		}
	}
	return out
}

func TestBadInputIsAProblemAndChangesNothing(t *testing.T) {
	onSeeded(t, func(t *testing.T, db *store.DB, app *testutil.App, f *testutil.Fixture) {
		cl := app.API(t, f.Tokens[policy.VendorAdmin])
		before := rowCounts(t, db, "users", "audit_events")
		valid := map[string]any{"org_id": f.Customer.ID, "email": "x@customer.example", "name": "X", "role": "customer", "password": "long-enough-1"}
		with := func(k string, v any) map[string]any {
			m := map[string]any{}
			for a, b := range valid {
				m[a] = b
			}
			if v == nil {
				delete(m, k)
			} else {
				m[k] = v
			}
			return m
		}
		cases := []struct {
			name     string
			body     any
			headers  []string
			status   int
			typ      string
			location string
		}{
			{"malformed json", `{"org_id": `, nil, 400, "malformed-request", ""},
			{"not utf-8", []byte("{\"name\":\"\xff\xfe\"}"), nil, 400, "malformed-request", ""},
			{"wrong type", with("org_id", "seven"), nil, 422, "validation", "body.org_id"},
			{"missing field", with("email", nil), nil, 422, "validation", "body.email"},
			{"unknown enum", with("role", "overlord"), nil, 422, "validation", "body.role"},
			{"unknown field", with("shoe_size", 44), nil, 422, "validation", "body.shoe_size"},
			{"short password", with("password", "short"), nil, 422, "validation", "body.password"},
			{"bad email", with("email", "not-an-email"), nil, 422, "validation", "body.email"},
			{"nul in text", with("name", "a\u0000b"), nil, 422, "validation", "body.name"},
			{"role of another kind", with("role", "technician"), nil, 422, "validation", "body.role"},
			{"unknown org", with("org_id", 99999), nil, 422, "validation", "body.org_id"},
			{"wrong content type", `x`, []string{"Content-Type", "text/plain"}, 415, "unsupported-media-type", ""},
			{"too large", `{"name":"` + strings.Repeat("a", 2<<20) + `"}`, nil, 413, "payload-too-large", ""},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				res := cl.Do("POST", "/users", c.body, c.headers...)
				p := problemOf(t, res, c.status, c.typ)
				if c.location != "" && !strings.Contains(strings.Join(locations(p), " "), c.location) {
					t.Fatalf("errors %v do not name %s: %s", locations(p), c.location, res.Body)
				}
				if len(res.Body) > 4096 {
					t.Fatalf("problem echoes %d bytes", len(res.Body))
				}
			})
		}
		unchangedRows(t, db, before)
	})
}

func TestCredentials(t *testing.T) {
	onSeeded(t, func(t *testing.T, db *store.DB, app *testutil.App, f *testutil.Fixture) {
		for name, token := range map[string]string{
			"none": "", "forged": "ast_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "malformed": "hello",
		} {
			res := app.API(t, token).Do("GET", "/me", nil)
			problemOf(t, res, 401, "unauthorized")
			_ = name
		}
		res := app.API(t, "").Do("GET", "/me", nil, "Authorization", "Basic dTpw")
		problemOf(t, res, 401, "unauthorized")

		// A revoked token stops working at once.
		cl := app.API(t, f.Tokens[policy.Technician])
		created := cl.Do("POST", "/tokens", map[string]any{"name": "short-lived"})
		var out struct {
			Token  struct{ ID int64 }
			Secret string
		}
		created.JSON(t, &out)
		if created.Status != 201 || !strings.HasPrefix(out.Secret, "ast_") {
			t.Fatalf("create token: %d %s", created.Status, created.Body)
		}
		if res := app.API(t, out.Secret).Do("GET", "/me", nil); res.Status != 200 {
			t.Fatalf("new token: %d", res.Status)
		}
		if res := cl.Do("DELETE", fmt.Sprintf("/tokens/%d", out.Token.ID), nil); res.Status != 200 {
			t.Fatalf("revoke: %d %s", res.Status, res.Body)
		}
		problemOf(t, app.API(t, out.Secret).Do("GET", "/me", nil), 401, "unauthorized")

		// A deactivated user's tokens stop working.
		admin := app.API(t, f.Tokens[policy.ProviderAdmin])
		tech := f.Users[policy.Technician]
		get := admin.Do("GET", fmt.Sprintf("/users/%d", tech.ID), nil)
		res = admin.Do("PATCH", fmt.Sprintf("/users/%d", tech.ID), map[string]any{"active": false}, "If-Match", get.Header.Get("ETag"))
		if res.Status != 200 {
			t.Fatalf("deactivate: %d %s", res.Status, res.Body)
		}
		problemOf(t, cl.Do("GET", "/me", nil), 401, "unauthorized")

		// So do the tokens of a deactivated organization's users, although
		// tokens are remembered for a few seconds.
		customer := app.API(t, f.Tokens[policy.Customer])
		if res := customer.Do("GET", "/me", nil); res.Status != 200 {
			t.Fatalf("customer token: %d", res.Status)
		}
		off := false
		if _, err := app.Server.Orgs.Update(context.Background(), policy.Actor{Operator: true}, f.Customer.ID, org.Patch{Active: &off}, f.Customer.Version); err != nil {
			t.Fatal(err)
		}
		problemOf(t, customer.Do("GET", "/me", nil), 401, "unauthorized")
	})
}

func TestIfMatchPreventsLostUpdates(t *testing.T) {
	onSeeded(t, func(t *testing.T, db *store.DB, app *testutil.App, f *testutil.Fixture) {
		cl := app.API(t, f.Tokens[policy.VendorAdmin])
		path := fmt.Sprintf("/organizations/%d", f.Vendor.ID)
		etag := cl.Do("GET", path, nil).Header.Get("ETag")
		if etag == "" {
			t.Fatal("no ETag on GET")
		}
		problemOf(t, cl.Do("PATCH", path, map[string]any{"name": "No version"}), 428, "precondition-required")
		first := cl.Do("PATCH", path, map[string]any{"name": "First"}, "If-Match", etag)
		if first.Status != 200 || first.Header.Get("ETag") == etag {
			t.Fatalf("first update: %d etag %q", first.Status, first.Header.Get("ETag"))
		}
		problemOf(t, cl.Do("PATCH", path, map[string]any{"name": "Second"}, "If-Match", etag), 412, "precondition-failed")
		problemOf(t, cl.Do("PATCH", path, map[string]any{"name": "Garbage"}, "If-Match", "W/xyz"), 412, "precondition-failed")
		var o struct{ Name string }
		cl.Do("GET", path, nil).JSON(t, &o)
		if o.Name != "First" {
			t.Fatalf("name %q after a stale update, want First", o.Name)
		}
	})
}

func TestIdempotencyKey(t *testing.T) {
	onSeeded(t, func(t *testing.T, db *store.DB, app *testutil.App, f *testutil.Fixture) {
		cl := app.API(t, f.Tokens[policy.VendorAdmin])
		body := map[string]any{"kind": "customer", "name": "Idem Co", "code": "idem-co"}
		orgs := countRows(t, db, "organizations")
		first := cl.Do("POST", "/organizations", body, "Idempotency-Key", "k-1")
		if first.Status != 201 {
			t.Fatalf("first: %d %s", first.Status, first.Body)
		}
		again := cl.Do("POST", "/organizations", body, "Idempotency-Key", "k-1")
		if again.Status != 201 || string(again.Body) != string(first.Body) || again.Header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("replay: %d %s (replayed=%q)", again.Status, again.Body, again.Header.Get("Idempotent-Replayed"))
		}
		if n := countRows(t, db, "organizations"); n != orgs+1 {
			t.Fatalf("organizations: %d, want %d", n, orgs+1)
		}
		body["name"] = "Different"
		problemOf(t, cl.Do("POST", "/organizations", body, "Idempotency-Key", "k-1"), 422, "idempotency-key-reused")
		// Keys are per user: another user's same key is a different request.
		other := app.API(t, f.Tokens[policy.ProviderAdmin])
		res := other.Do("POST", "/organizations", map[string]any{"kind": "customer", "name": "P Co", "code": "p-co"}, "Idempotency-Key", "k-1")
		if res.Status != 201 {
			t.Fatalf("other user's key: %d %s", res.Status, res.Body)
		}
		// Concurrent repeats create exactly one.
		for _, s := range together(8, cl, "/organizations", map[string]any{"kind": "customer", "name": "Race", "code": "race"}, "race") {
			if s != 201 && s != 409 {
				t.Fatalf("concurrent repeat answered %d", s)
			}
		}
		var n int
		if err := store.Get(context.Background(), db, &n, `SELECT COUNT(*) FROM organizations WHERE code = 'race'`); err != nil || n != 1 {
			t.Fatalf("race: %d organizations (%v)", n, err)
		}
	})
}

func TestUnknownRoutesAndMethods(t *testing.T) {
	t.Parallel()
	db := testutil.NewDB(t, store.SQLite)
	app, f := seeded(t, db)
	cl := app.API(t, f.Tokens[policy.VendorAdmin])
	problemOf(t, cl.Do("GET", "/no-such-thing", nil), 404, "not-found")
	res := cl.Do("PUT", "/organizations", `{}`)
	problemOf(t, res, 405, "method-not-allowed")
	if !strings.Contains(res.Header.Get("Allow"), "POST") {
		t.Fatalf("Allow: %q", res.Header.Get("Allow"))
	}
	problemOf(t, cl.Do("GET", "/organizations?shoe=44", nil), 422, "validation")
	problemOf(t, cl.Do("GET", "/organizations/abc", nil), 422, "validation")
}

func TestOpenAPIDocument(t *testing.T) {
	t.Parallel()
	db := testutil.NewDB(t, store.SQLite)
	app := testutil.NewApp(t, db)
	res := app.API(t, "").Do("GET", "/openapi.json", nil)
	if res.Status != 200 {
		t.Fatalf("openapi.json: %d", res.Status)
	}
	var doc struct {
		OpenAPI string `json:"openapi"`
		Paths   map[string]map[string]struct {
			Responses map[string]any `json:"responses"`
		} `json:"paths"`
	}
	res.JSON(t, &doc)
	if !strings.HasPrefix(doc.OpenAPI, "3.1") {
		t.Fatalf("openapi %q", doc.OpenAPI)
	}
	for path, ops := range doc.Paths {
		for method, op := range ops {
			for _, code := range []string{"401", "422"} {
				if _, ok := op.Responses[code]; !ok {
					t.Errorf("%s %s does not document %s", method, path, code)
				}
			}
		}
	}
	if _, ok := doc.Paths["/organizations/{id}"]["patch"].Responses["412"]; !ok {
		t.Error("PATCH does not document 412")
	}
}
