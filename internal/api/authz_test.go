package api_test

import (
	"crypto/sha256"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"aftersales/internal/policy"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// walkCase is one API operation called by every role.
type walkCase struct {
	method, path string
	body         func(f *testutil.Fixture, role policy.Role) any
	// allowed roles get 2xx; every other role is refused (see refusal) and
	// the refused call changes nothing.
	allowed []policy.Role
}

var (
	all    = policy.Roles
	admins = []policy.Role{policy.VendorAdmin, policy.ProviderAdmin}
)

// walk lists, per OpenAPI operation id, how to call it and who may. The test
// fails when the API has an operation missing here, so none escapes review.
func walk(f *testutil.Fixture) map[string]walkCase {
	uid := func(r policy.Role) int64 { return f.Users[r].ID }
	return map[string]walkCase{
		"get-me":             {"GET", "/me", nil, all},
		"list-organizations": {"GET", "/organizations", nil, all},
		"get-organization": {"GET", fmt.Sprintf("/organizations/%d", f.Vendor.ID), nil,
			[]policy.Role{policy.VendorAdmin, policy.VendorAuditor, policy.ProviderAdmin, policy.Dispatcher}},
		"create-organization": {"POST", "/organizations", func(_ *testutil.Fixture, r policy.Role) any {
			return map[string]any{"kind": "customer", "name": "New customer", "code": "new-cust-" + strings.ReplaceAll(string(r), "_", "-")}
		}, admins},
		"update-organization": {"PATCH", fmt.Sprintf("/organizations/%d", f.Customer.ID), func(*testutil.Fixture, policy.Role) any {
			return map[string]any{"name": "Customer One Ltd."}
		}, nil}, // a partner's organization is changed by its own admins only
		"list-users": {"GET", fmt.Sprintf("/users?org_id=%d", f.Vendor.ID), nil,
			[]policy.Role{policy.VendorAdmin, policy.VendorAuditor, policy.ProviderAdmin}},
		"get-user": {"GET", fmt.Sprintf("/users/%d", uid(policy.Technician)), nil,
			[]policy.Role{policy.VendorAdmin, policy.VendorAuditor, policy.ProviderAdmin, policy.Dispatcher, policy.Technician}},
		"create-user": {"POST", "/users", func(f *testutil.Fixture, r policy.Role) any {
			return map[string]any{"org_id": f.Customer.ID, "email": string(r) + "-new@customer.example", "name": "New", "role": "customer", "password": "long-enough-1"}
		}, admins},
		"update-user": {"PATCH", fmt.Sprintf("/users/%d", uid(policy.Customer)), func(*testutil.Fixture, policy.Role) any {
			return map[string]any{"name": "Renamed customer"}
		}, append(slices.Clone(admins), policy.Customer)},
		"create-token": {"POST", "/tokens", func(*testutil.Fixture, policy.Role) any { return map[string]any{"name": "walk"} }, all},
		"list-tokens":  {"GET", "/tokens", nil, all},
		"revoke-token": {"DELETE", "/tokens/%TOKEN%", nil, all},
		"list-audit-events": {"GET", "/audit-events", nil,
			[]policy.Role{policy.VendorAdmin, policy.VendorAuditor, policy.ProviderAdmin}},
		"list-calendars":    {"GET", "/calendars", nil, all},
		"get-calendar":      {"GET", "/calendars/cn", nil, all},
		"calendar-deadline": {"GET", "/calendars/cn/deadline?from=2026-09-30T10:00:00%2B08:00&working_days=2", nil, all},
		"create-calendar": {"POST", "/calendars", func(_ *testutil.Fixture, r policy.Role) any {
			return map[string]any{"id": "cal-" + strings.ReplaceAll(string(r), "_", "-"), "name": "Regional", "base_id": "cn"}
		}, admins},
		"list-calendar-imports": {"GET", "/calendars/cn/imports", nil, all},
		"create-calendar-import": {"POST", "/calendars/cn/imports", func(*testutil.Fixture, policy.Role) any {
			return map[string]any{"filename": "2027.csv", "content": "2027-01-01,holiday,元旦\n"}
		}, []policy.Role{policy.VendorAdmin}},
		"apply-calendar-import":   {"POST", "/calendars/cn/imports/%IMPORT%/apply", nil, []policy.Role{policy.VendorAdmin}},
		"discard-calendar-import": {"POST", "/calendars/cn/imports/%IMPORT%/discard", nil, []policy.Role{policy.VendorAdmin}},
		// Agreements: %AGREEMENT% is a fresh active agreement between Vendor
		// and Provider, %ADJUSTMENT% a pending request the provider proposed.
		"list-agreements":              {method: "GET", path: "/agreements", allowed: all},
		"get-agreement":                {method: "GET", path: "/agreements/%AGREEMENT%", allowed: agreementReaders},
		"list-agreement-versions":      {method: "GET", path: "/agreements/%AGREEMENT%/versions", allowed: agreementReaders},
		"diff-agreement-versions":      {method: "GET", path: "/agreements/%AGREEMENT%/diff?from=1&to=1", allowed: agreementReaders},
		"list-agreement-status-events": {method: "GET", path: "/agreements/%AGREEMENT%/status-events", allowed: agreementReaders},
		"create-agreement": {method: "POST", path: "/agreements", body: func(f *testutil.Fixture, r policy.Role) any {
			return agreementBody(f, "WALK-"+string(r))
		}, allowed: []policy.Role{policy.VendorAdmin}},
		"create-agreement-version": {method: "POST", path: "/agreements/%AGREEMENT%/versions", body: func(*testutil.Fixture, policy.Role) any {
			return map[string]any{"terms": agreementTerms(), "effective_from": today(0), "note": "walk"}
		}, allowed: []policy.Role{policy.VendorAdmin}},
		"change-agreement-status": {method: "POST", path: "/agreements/%AGREEMENT%/status", body: func(*testutil.Fixture, policy.Role) any {
			return map[string]any{"status": "suspended", "reason": "walk"}
		}, allowed: admins},
		"list-adjustments": {method: "GET", path: "/agreements/%AGREEMENT%/adjustments", allowed: adjustmentReaders},
		"create-adjustment": {method: "POST", path: "/agreements/%AGREEMENT%/adjustments", body: func(*testutil.Fixture, policy.Role) any {
			return map[string]any{"changes": map[string]any{"emergency": map[string]any{"onsite_hours": 6}}, "reason": "walk", "effective_from": today(30)}
		}, allowed: admins},
		"get-adjustment":      {method: "GET", path: "/adjustments/%ADJUSTMENT%", allowed: adjustmentReaders},
		"accept-adjustment":   {method: "POST", path: "/adjustments/%ADJUSTMENT%/accept", allowed: []policy.Role{policy.VendorAdmin}},
		"reject-adjustment":   {method: "POST", path: "/adjustments/%ADJUSTMENT%/reject", body: func(*testutil.Fixture, policy.Role) any { return map[string]any{"comment": "no"} }, allowed: []policy.Role{policy.VendorAdmin}},
		"withdraw-adjustment": {method: "POST", path: "/adjustments/%ADJUSTMENT%/withdraw", allowed: []policy.Role{policy.ProviderAdmin}},
		// Notifications: %NOTIFICATION% is a fresh one of the caller; %WEBHOOK%
		// a subscription of the Vendor, %DELIVERY% a failed delivery to it.
		"list-notifications":     {method: "GET", path: "/notifications", allowed: all},
		"read-notification":      {method: "POST", path: "/notifications/%NOTIFICATION%/read", allowed: all},
		"read-all-notifications": {method: "POST", path: "/notifications/read-all", allowed: all},
		"list-webhooks":          {method: "GET", path: "/webhooks", allowed: admins},
		"create-webhook": {method: "POST", path: "/webhooks", body: func(*testutil.Fixture, policy.Role) any {
			return map[string]any{"url": "https://hooks.example/in", "kinds": []string{"clock.*"}}
		}, allowed: admins},
		"get-webhook":                {method: "GET", path: "/webhooks/%WEBHOOK%", allowed: []policy.Role{policy.VendorAdmin}},
		"disable-webhook":            {method: "DELETE", path: "/webhooks/%WEBHOOK%", allowed: []policy.Role{policy.VendorAdmin}},
		"list-webhook-deliveries":    {method: "GET", path: "/webhooks/%WEBHOOK%/deliveries", allowed: []policy.Role{policy.VendorAdmin}},
		"get-webhook-delivery":       {method: "GET", path: "/webhook-deliveries/%DELIVERY%", allowed: []policy.Role{policy.VendorAdmin}},
		"redeliver-webhook-delivery": {method: "POST", path: "/webhook-deliveries/%DELIVERY%/redeliver", allowed: []policy.Role{policy.VendorAdmin}},
		// Service requests: %REQUEST% is a fresh repair request on the
		// fixture's unit, %CONSULT% a consultation, %WO% a visit assigned to
		// the fixture's technician; all filed by the dispatcher.
		"list-service-requests": {method: "GET", path: "/service-requests", allowed: all},
		"create-service-request": {method: "POST", path: "/service-requests", body: func(*testutil.Fixture, policy.Role) any {
			return map[string]any{"serial_number": "FX100-0001", "service_item": "repair", "priority": "general", "description": "walk"}
		}, allowed: []policy.Role{policy.VendorAdmin, policy.ProviderAdmin, policy.Dispatcher, policy.Customer}},
		"get-service-request": {method: "GET", path: "/service-requests/%REQUEST%", allowed: requestReaders},
		"act-on-service-request": {method: "POST", path: "/service-requests/%REQUEST%/actions", body: func(*testutil.Fixture, policy.Role) any {
			return map[string]any{"kind": "note", "note": "walk"}
		}, allowed: []policy.Role{policy.ProviderAdmin, policy.Dispatcher}},
		"answer-consultation": {method: "POST", path: "/service-requests/%CONSULT%/answer", body: func(*testutil.Fixture, policy.Role) any {
			return map[string]any{"answer": "See the manual, chapter 7."}
		}, allowed: []policy.Role{policy.ProviderAdmin, policy.Dispatcher}},
		"create-work-order": {method: "POST", path: "/service-requests/%REQUEST%/work-orders", body: func(f *testutil.Fixture, _ policy.Role) any {
			return freshVisit(f.Users[policy.Technician].ID)
		}, allowed: []policy.Role{policy.ProviderAdmin, policy.Dispatcher}},
		"book-maintenance-visit": {method: "POST", path: "/units/%UNIT%/work-orders", body: func(f *testutil.Fixture, _ policy.Role) any {
			return freshVisit(f.Users[policy.Technician].ID)
		}, allowed: []policy.Role{policy.ProviderAdmin, policy.Dispatcher}},
		"get-work-order": {method: "GET", path: "/work-orders/%WO%", allowed: all},
		"record-field-step": {method: "POST", path: "/work-orders/%WO%/steps", body: func(*testutil.Fixture, policy.Role) any {
			return map[string]any{"kind": "check_in"}
		}, allowed: []policy.Role{policy.Technician}},
		"grant-scope-exception": {method: "POST", path: "/scope-exceptions", body: func(*testutil.Fixture, policy.Role) any {
			return map[string]any{"serial_number": "FX100-0001", "reason": "goodwill", "valid_days": 7}
		}, allowed: []policy.Role{policy.VendorAdmin}},
		// A unit's history, its QR labels and the export of units: everyone
		// who sees the fixture's unit (%UNIT%); history rows are filtered further.
		"get-unit-history":  {method: "GET", path: "/units/%UNIT%/history", allowed: all},
		"print-unit-labels": {method: "GET", path: "/units/labels?ids=%UNIT%&layout=a4-2x7&hotline=400-820-1234", allowed: all},
		"export-units":      {method: "GET", path: "/units/export?format=xlsx", allowed: all},
		// Photos, sign-off codes, escalations, reassignment: %PHOTO% is a
		// photo's path on a fresh request, %ONSITE% a visit checked in by
		// the fixture's technician, %ESCALATION% one sent to the second line.
		"add-service-request-photos": {method: "POST", path: "/service-requests/%REQUEST%/photos", body: func(*testutil.Fixture, policy.Role) any {
			return map[string]any{"stage": "fault", "photos": []map[string]any{{"filename": "fault.png", "content": walkPNG}}}
		}, allowed: []policy.Role{policy.VendorAdmin, policy.ProviderAdmin, policy.Dispatcher, policy.Customer}},
		"list-service-request-photos": {method: "GET", path: "/service-requests/%REQUEST%/photos", allowed: requestReaders},
		"get-service-request-photo":   {method: "GET", path: "%PHOTO%", allowed: requestReaders},
		"send-signoff-code":           {method: "POST", path: "/work-orders/%ONSITE%/signoff-code", allowed: []policy.Role{policy.Technician}},
		"reassign-work-order": {method: "POST", path: "/work-orders/%WO%/reassign", body: func(f *testutil.Fixture, _ policy.Role) any {
			return freshVisit(f.Users[policy.Technician].ID)
		}, allowed: []policy.Role{policy.ProviderAdmin, policy.Dispatcher}},
		"escalate-service-request": {method: "POST", path: "/service-requests/%REQUEST%/escalations", body: func(*testutil.Fixture, policy.Role) any {
			return map[string]any{"target": "second_line", "reason": "spindle vibration beyond the manual"}
		}, allowed: []policy.Role{policy.ProviderAdmin, policy.Dispatcher}},
		"answer-escalation": {method: "POST", path: "/escalations/%ESCALATION%/answer", body: func(*testutil.Fixture, policy.Role) any {
			return map[string]any{"answer": "replace the encoder"}
		}, allowed: []policy.Role{policy.VendorAdmin}},
		"list-escalations": {method: "GET", path: "/escalations?open=true",
			allowed: []policy.Role{policy.VendorAdmin, policy.VendorAuditor, policy.ProviderAdmin, policy.Dispatcher, policy.Technician}},
		// Service records: %RECORD% is the record sealed by answering a fresh consultation.
		"list-service-records": {method: "GET", path: "/service-records", allowed: recordReaders},
		"get-service-record":   {method: "GET", path: "/service-records/%RECORD%", allowed: recordReaders},
		"correct-service-record": {method: "POST", path: "/service-records/%RECORD%/corrections", body: func(*testutil.Fixture, policy.Role) any {
			return map[string]any{"reason": "the answer named the wrong menu", "actions_taken": "Menu > Machine > Zero axes"}
		}, allowed: []policy.Role{policy.ProviderAdmin, policy.Dispatcher}},
	}
}

// recordReaders: the vendor's and the provider's office people.
var recordReaders = []policy.Role{policy.VendorAdmin, policy.VendorAuditor, policy.ProviderAdmin, policy.Dispatcher}

// requestReaders: the parties of the request; a technician only once assigned.
var requestReaders = []policy.Role{policy.VendorAdmin, policy.VendorAuditor, policy.ProviderAdmin, policy.Dispatcher, policy.Customer}

// withRequests fills the service request placeholders of a path.
func withRequests(t *testing.T, app *testutil.App, f *testutil.Fixture, path string) string {
	t.Helper()
	dispatcher := app.API(t, f.Tokens[policy.Dispatcher])
	file := func(item string) int64 {
		return createdID(t, dispatcher.Do("POST", "/service-requests", map[string]any{"serial_number": "FX100-0001", "service_item": item, "priority": "general", "description": "walk"}), "file a request")
	}
	if strings.Contains(path, "%REQUEST%") {
		path = strings.ReplaceAll(path, "%REQUEST%", fmt.Sprint(file("repair")))
	}
	if strings.Contains(path, "%CONSULT%") {
		path = strings.ReplaceAll(path, "%CONSULT%", fmt.Sprint(file("consultation")))
	}
	if strings.Contains(path, "%RECORD%") {
		path = strings.ReplaceAll(path, "%RECORD%", fmt.Sprint(testutil.SealRecord(t, app, f, "FX100-0001")))
	}
	if strings.Contains(path, "%WO%") {
		res := dispatcher.Do("POST", fmt.Sprintf("/service-requests/%d/work-orders", file("repair")), freshVisit(f.Users[policy.Technician].ID))
		var out struct{ ID int64 }
		res.JSON(t, &out)
		path = strings.ReplaceAll(path, "%WO%", fmt.Sprint(out.ID))
	}
	return path
}

// walkShards: the walk's cases are spread over this many databases per
// engine, walked at once. A refused write is checked by reading every table
// before and after it, which costs with the size of the database, so
// smaller databases make the whole walk cheaper, not only parallel.
const walkShards = 4

func TestAuthorizationWalk(t *testing.T) {
	t.Parallel()
	for _, engine := range testutil.EngineList {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			for shard := range walkShards {
				t.Run(fmt.Sprint(shard), func(t *testing.T) {
					t.Parallel()
					walkShard(t, testutil.NewDB(t, engine), shard)
				})
			}
		})
	}
}

// walkShard walks the cases whose place in the sorted list of operation
// ids falls to shard, on a database of their own; shard 0 also checks that
// every operation of the API has its case.
func walkShard(t *testing.T, db *store.DB, shard int) {
	app, f, _ := serving(t, db)
	cases := walk(f)
	maps.Copy(cases, installedBaseWalk())
	maps.Copy(cases, partsWalk())
	maps.Copy(cases, documentWalk())
	maps.Copy(cases, walkSatisfaction(f))
	maps.Copy(cases, walkSettlement(f))
	maps.Copy(cases, walkSuspension(f))
	maps.Copy(cases, walkStaff(f))
	maps.Copy(cases, walkDispatch(f))
	maps.Copy(cases, walkAppointments(f))
	spec := app.Server.API.OpenAPI()
	templates := map[string]string{} // operation id → path template
	readable := map[string]bool{}    // path templates that have a GET
	for path, item := range spec.Paths {
		if item.Get != nil {
			readable[path] = true
		}
		for _, op := range []*huma.Operation{item.Get, item.Post, item.Put, item.Patch, item.Delete} {
			if op == nil {
				continue
			}
			templates[op.OperationID] = path
			if _, ok := cases[op.OperationID]; !ok && shard == 0 {
				t.Errorf("operation %s (%s %s) is missing from the authorization walk", op.OperationID, op.Method, path)
			}
		}
	}
	// Every answer, allowed or refused, is also checked against the document.
	_, doc := servedDocument(t, app)
	tables := newDigests(t, app.DB)
	for i, id := range slices.Sorted(maps.Keys(cases)) {
		if i%walkShards != shard {
			continue
		}
		c := cases[id]
		for _, role := range policy.Roles {
			t.Run(id+"/"+string(role), func(t *testing.T) {
				cl := app.API(t, f.Tokens[role])
				path := c.path
				if strings.Contains(path, "%TOKEN%") {
					// Revoke a fresh token of one's own (allowed to everyone).
					res := cl.Do("POST", "/tokens", map[string]any{"name": "to revoke"})
					var out struct{ Token struct{ ID int64 } }
					res.JSON(t, &out)
					path = strings.ReplaceAll(path, "%TOKEN%", fmt.Sprint(out.Token.ID))
				}
				if strings.Contains(path, "%IMPORT%") {
					// A pending import made by the one role that may.
					res := app.API(t, f.Tokens[policy.VendorAdmin]).Do("POST", "/calendars/cn/imports",
						map[string]any{"filename": "2027.csv", "content": "2027-01-01,holiday,元旦\n"})
					var out struct{ ID int64 }
					res.JSON(t, &out)
					path = strings.ReplaceAll(path, "%IMPORT%", fmt.Sprint(out.ID))
				}
				path = withAgreements(t, app, f, path)
				path = withRequestMedia(t, app, f, path)
				path = withRequests(t, app, f, path)
				path = withNotifications(t, app, f, role, path)
				path = withInstalledBase(t, app, f, path)
				path = withParts(t, app, f, path)
				path = withDocuments(t, app, f, path)
				path = withSatisfaction(t, app, f, path)
				path = withSettlements(t, app, f, path)
				path = withSuspensions(t, app, f, path)
				path = withStaff(t, app, f, path)
				path = withDispatch(t, app, f, path)
				path = withAppointments(t, app, f, path)
				var body any
				if c.body != nil {
					body = c.body(f, role)
				}
				headers := []string{}
				if c.method == "PATCH" || postWithIfMatch[id] {
					getPath := path
					if postWithIfMatch[id] {
						// The ETag of the resource the path is under (/agreements/7 for /agreements/7/status).
						getPath = strings.Join(strings.SplitN(path, "/", 4)[:3], "/")
					}
					get := app.API(t, f.Tokens[policy.VendorAdmin]).Do("GET", getPath, nil)
					if get.Status != 200 {
						// The operator reads it directly: the If-Match must be right for the check to be about authorization.
						get = app.API(t, f.Tokens[role]).Do("GET", getPath, nil)
					}
					headers = append(headers, "If-Match", get.Header.Get("ETag"))
					if headers[1] == "" {
						headers[1] = `"1"`
					}
				}
				if fb, ok := body.(formBody); ok { // a multipart upload
					body, headers = fb.Data, append(headers, "Content-Type", fb.ContentType)
				}
				allowed := slices.Contains(c.allowed, role)
				var want int
				var before map[string]string
				if !allowed {
					want = refusal(c.method, templates[id], path, readable, func(target string) bool {
						return cl.Do("GET", target, nil).Status == http.StatusOK
					})
					if status, ok := refusalExceptions[id+"/"+string(role)]; ok {
						want = status
					}
					if c.method != "GET" {
						before = tables.snapshot(t)
					}
				}
				res := cl.Do(c.method, path, body, headers...)
				req, err := http.NewRequest(c.method, cl.Base+path, nil)
				if err != nil {
					t.Fatal(err)
				}
				checkAnswer(t, doc, req, templates[id], res.Status, res.Header, res.Body)
				switch {
				case allowed && (res.Status < 200 || res.Status > 299):
					t.Fatalf("%s may %s %s but got %d: %.300s", role, c.method, path, res.Status, res.Body)
				case !allowed && res.Status != want:
					t.Fatalf("%s may not %s %s: got %d, want %d: %.300s", role, c.method, path, res.Status, want, res.Body)
				case before != nil:
					if changed := changedTables(before, tables.snapshot(t)); len(changed) > 0 {
						t.Fatalf("%s was refused %s %s (%d) but it changed %v", role, c.method, path, res.Status, changed)
					}
				}
			})
		}
	}
}

// refusal is the status a refused call must get, derived from what the
// policy lets the caller see: 404 when the resource the call is about is
// hidden from the caller (they may not read it), so that a refusal does not
// tell them it exists; 403 when they may see it but not do this to it, or
// when the call is about no resource in particular (a list, a create).
//
// The resource a call is about is the longest prefix of its path template
// that ends in a parameter and has a GET operation (/agreements/{id} for
// POST /agreements/{id}/status); canRead tells whether the caller gets it.
// A refused GET of the resource itself means it is hidden.
func refusal(method, template, path string, readable map[string]bool, canRead func(path string) bool) int {
	tpl := strings.Split(strings.SplitN(template, "?", 2)[0], "/")
	concrete := strings.Split(strings.SplitN(path, "?", 2)[0], "/")
	for n := len(tpl); n > 1; n-- {
		last := tpl[n-1]
		prefix := strings.Join(tpl[:n], "/")
		if !strings.HasPrefix(last, "{") || !readable[prefix] || n > len(concrete) {
			continue
		}
		if method == "GET" && n == len(tpl) {
			return http.StatusNotFound
		}
		if canRead(strings.Join(concrete[:n], "/")) {
			return http.StatusForbidden
		}
		return http.StatusNotFound
	}
	return http.StatusForbidden
}

// refusalExceptions are the refusals whose status today differs from what
// refusal derives, by operation/role. Each is a place where the product
// decides visibility otherwise than "may read the resource":
//   - a vendor auditor may not manage webhooks, and is told so (403) about
//     its own organization's subscriptions rather than having them hidden;
//   - a visit's fitted parts, the fitting of parts, reassigning and
//     answering an escalation are answered 404 to a party who can read the
//     visit or the request but has no part in that action.
//
// A change of either kind makes the walk fail here, to be decided on.
var refusalExceptions = map[string]int{
	"get-webhook/vendor_auditor":                403,
	"disable-webhook/vendor_auditor":            403,
	"list-webhook-deliveries/vendor_auditor":    403,
	"get-webhook-delivery/vendor_auditor":       403,
	"redeliver-webhook-delivery/vendor_auditor": 403,
	"list-work-order-parts/customer":            404,
	"consume-part/vendor_admin":                 404,
	"consume-part/vendor_auditor":               404,
	"consume-part/customer":                     404,
	"reassign-work-order/technician":            404,
	"answer-escalation/technician":              404,
}

// volatileTables change on their own while the app runs (background jobs,
// sessions, webhook deliveries being attempted): they are left out of
// snapshots, or compared by their number of rows only.
var volatileTables = map[string]string{
	"jobs": "skip", "sessions": "skip", "goose_db_version": "skip", "webhook_attempts": "skip",
	"webhook_deliveries": "count",
}

// volatileColumns change on every authenticated call.
var volatileColumns = map[string]bool{"api_tokens.last_used_at": true}

// snapshot returns a digest of every table's rows, by table name.
func snapshot(t *testing.T, db *store.DB) map[string]string {
	t.Helper()
	ctx := t.Context()
	var tables []string
	q := `SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`
	if db.Engine == store.Postgres {
		q = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`
	}
	if err := store.Select(ctx, db, &tables, q); err != nil {
		t.Fatalf("list tables: %v", err)
	}
	if db.Engine == store.Postgres {
		return snapshotPostgres(t, db, tables)
	}
	out := map[string]string{}
	for _, table := range tables {
		mode := volatileTables[table]
		if mode == "skip" || strings.HasPrefix(table, "sqlite_") {
			continue
		}
		if mode == "count" {
			var n int
			if err := store.Get(ctx, db, &n, `SELECT COUNT(*) FROM `+table); err != nil {
				t.Fatalf("count %s: %v", table, err)
			}
			out[table] = fmt.Sprint(n, " rows")
			continue
		}
		rows, err := db.QueryxContext(ctx, `SELECT * FROM `+table)
		if err != nil {
			t.Fatalf("read %s: %v", table, err)
		}
		cols, _ := rows.Columns()
		var lines []string
		for rows.Next() {
			vals, err := rows.SliceScan()
			if err != nil {
				t.Fatalf("read %s: %v", table, err)
			}
			var b strings.Builder
			for i, v := range vals {
				if volatileColumns[table+"."+cols[i]] {
					continue
				}
				if bs, ok := v.([]byte); ok {
					v = string(bs)
				}
				fmt.Fprintf(&b, "%s=%v;", cols[i], v)
			}
			lines = append(lines, b.String())
		}
		if err := rows.Err(); err != nil {
			t.Fatalf("read %s: %v", table, err)
		}
		rows.Close()
		slices.Sort(lines)
		sum := sha256.Sum256([]byte(strings.Join(lines, "\n")))
		out[table] = fmt.Sprintf("%d rows %x", len(lines), sum[:8])
	}
	return out
}

// snapshotPostgres is snapshot on PostgreSQL, where a statement is a round
// trip to the server: the server digests every table's rows (as JSON, the
// volatile columns left out) and answers for all tables in one statement,
// instead of sending every row of every table, one statement per table.
func snapshotPostgres(t *testing.T, db *store.DB, tables []string) map[string]string {
	t.Helper()
	var parts []string
	for _, table := range tables {
		name := quoteIdent(table)
		switch volatileTables[table] {
		case "skip":
			continue
		case "count":
			parts = append(parts, fmt.Sprintf(`SELECT %s, COUNT(*) || ' rows' FROM %s`, quoteLiteral(table), name))
			continue
		}
		row := `to_jsonb(x)`
		for col := range volatileColumns {
			if c, ok := strings.CutPrefix(col, table+"."); ok {
				row += ` - ` + quoteLiteral(c)
			}
		}
		parts = append(parts, fmt.Sprintf(`SELECT %s, COUNT(*) || ' rows ' || md5(COALESCE(string_agg(r, E'\n' ORDER BY r), ''))
			FROM (SELECT (%s)::text AS r FROM %s x) d`, quoteLiteral(table), row, name))
	}
	var digests []struct {
		Table  string `db:"table_name"`
		Digest string `db:"digest"`
	}
	q := `SELECT * FROM (` + strings.Join(parts, "\nUNION ALL ") + `) AS digests (table_name, digest)`
	if err := store.Select(t.Context(), db, &digests, q); err != nil {
		t.Fatalf("digest the tables: %v", err)
	}
	out := make(map[string]string, len(digests))
	for _, d := range digests {
		out[d.Table] = d.Digest
	}
	return out
}

func quoteLiteral(s string) string { return `'` + strings.ReplaceAll(s, `'`, `''`) + `'` }

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// changedTables names the tables whose digest differs between two snapshots.
func changedTables(before, after map[string]string) []string {
	var out []string
	for table, a := range after {
		if before[table] != a {
			out = append(out, fmt.Sprintf("%s (%s → %s)", table, before[table], a))
		}
	}
	slices.Sort(out)
	return out
}

func TestOtherTenantSeesNothing(t *testing.T) {
	onSeeded(t, func(t *testing.T, db *store.DB, app *testutil.App, f *testutil.Fixture) {
		cl := app.API(t, f.OtherToken)
		for _, p := range []string{
			fmt.Sprintf("/organizations/%d", f.Vendor.ID),
			fmt.Sprintf("/organizations/%d", f.Customer.ID),
			fmt.Sprintf("/users/%d", f.Users[policy.VendorAdmin].ID),
			fmt.Sprintf("/users?org_id=%d", f.Vendor.ID),
			fmt.Sprintf("/tokens?user_id=%d", f.Users[policy.VendorAdmin].ID),
			fmt.Sprintf("/audit-events?org_id=%d", f.Vendor.ID),
		} {
			if res := cl.Do("GET", p, nil); res.Status != 404 && res.Status != 403 {
				t.Errorf("GET %s by another vendor: %d %s", p, res.Status, res.Body)
			}
		}
		res := cl.Do("GET", "/organizations", nil)
		var list struct{ Items []struct{ ID int64 } }
		res.JSON(t, &list)
		for _, o := range list.Items {
			if o.ID != f.OtherVendor.ID && o.ID != f.OtherProvider.ID {
				t.Errorf("another vendor sees organization %d", o.ID)
			}
		}
		if len(list.Items) != 2 {
			t.Errorf("another vendor sees %d organizations, want 2", len(list.Items))
		}
	})
}

// windowSeq numbers the appointment windows the tests book.
var windowSeq atomic.Int64

// freshVisit is a booking of technician tech in a window of one hour that
// no other booking of these tests shares: a technician cannot be booked
// into two overlapping visits, and the walk books the fixture's technician
// many times.
func freshVisit(tech int64) map[string]any {
	start := time.Date(2026, 12, 1, 8, 0, 0, 0, time.FixedZone("CST", 8*3600)).Add(time.Duration(windowSeq.Add(1)) * time.Hour)
	return map[string]any{"technician_id": tech, "window_start": start.Format(time.RFC3339), "window_end": start.Add(time.Hour).Format(time.RFC3339)}
}

// The walk's snapshot sees a changed row in any table, on both engines,
// and not the volatile columns; so does the walk's reader of snapshots,
// which reads the tables again only after a commit.
func TestSnapshotSeesEveryChange(t *testing.T) {
	t.Parallel()
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		f := testutil.Seed(t, db)
		ctx := t.Context()
		tables := newDigests(t, db)
		readers := map[string]func() map[string]string{
			"snapshot": func() map[string]string { return snapshot(t, db) },
			"digests":  func() map[string]string { return tables.snapshot(t) },
		}
		before := map[string]map[string]string{}
		for name, read := range readers {
			before[name] = read()
		}
		if _, err := db.ExecContext(ctx, db.Rebind(`UPDATE api_tokens SET last_used_at = ? WHERE user_id = ?`),
			time.Now().UTC(), f.Users[policy.VendorAdmin].ID); err != nil {
			t.Fatal(err)
		}
		for name, read := range readers {
			if changed := changedTables(before[name], read()); len(changed) > 0 {
				t.Errorf("%s: a token's last use changed %v", name, changed)
			}
		}
		if _, err := db.ExecContext(ctx, db.Rebind(`UPDATE organizations SET name = ? WHERE id = ?`), "Vendor One Ltd", f.Vendor.ID); err != nil {
			t.Fatal(err)
		}
		for name, read := range readers {
			changed := changedTables(before[name], read())
			if len(changed) != 1 || !strings.HasPrefix(changed[0], "organizations ") {
				t.Errorf("%s: a renamed organization changed %v, want organizations alone", name, changed)
			}
		}
	})
}
