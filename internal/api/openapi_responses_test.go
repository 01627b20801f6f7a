package api_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"aftersales/internal/demo"
	"aftersales/internal/policy"
	"aftersales/internal/settlement"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// TestResponsesMatchTheDocument reads everything the demo data offers,
// as several roles, through every GET operation of the document: the lists,
// then each item they name, then what those name in turn. Every answer,
// errors included, is validated against the document by kin-openapi: its
// status must be documented, and its body must match the schema, which
// allows no property it does not declare. Every time in a JSON answer must
// be RFC 3339 at a whole offset, and never the zero time.
func TestResponsesMatchTheDocument(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := testutil.DemoDB(t)
	app := testutil.NewApp(t, db)
	_, doc := servedDocument(t, app)

	answered := &answeredOps{ops: map[string]bool{}}
	walker := func(t *testing.T, email string) *docWalk {
		return &docWalk{t: t, doc: doc, base: app.URL + "/api/v1", http: app.Client(), token: demoToken(t, db, email), who: email,
			answers: map[string][]answer{}, answered: answered}
	}
	// What the demo lacks: a webhook with a delivery, and a request with a
	// photo. These calls' answers are checked as the walk's are.
	admin, dispatcher := walker(t, "admin@haichuan.example"), walker(t, "dispatch@hengxin.example")
	if admin.call(http.MethodPost, "/webhooks", "/webhooks", "", map[string]any{"url": "https://hooks.example.com/aftersales"}) == nil {
		t.Fatal("create a webhook")
	}
	vendorID := scalar[int64](t, db, `SELECT id FROM organizations WHERE code = 'haichuan'`)
	publish(t, app, "walk-delivery", []int64{vendorID}) // a delivery to the webhook
	// A text message the gateway refused, for the office's list of texts.
	if _, err := store.Exec(ctx, db, `INSERT INTO sms_messages (org_id, vendor_id, provider_id, kind, ref, phone, sealed_text, state, attempts,
		max_attempts, last_status, last_error, created_at, updated_at)
		SELECT vendor_id, vendor_id, provider_id, 'complaint.filed', 'complaint:' || id, '+8613812345678', 'sealed', 'failed', 1, 5, 400,
			'number not reachable', filed_at, filed_at FROM complaints ORDER BY id LIMIT 1`); err != nil {
		t.Fatal(err)
	}
	// A dry run of an import answers 200, the import itself 201.
	csv := "序列号,型号,客户代码,站点名称,安装日期\nWALK-1,HC-CNC-850,sz-jinggong,苏州精工 一号厂房,2025/3/7\n"
	for _, dry := range []bool{true, false} {
		if admin.call(http.MethodPost, "/units/imports", "/units/imports", "", map[string]any{"filename": "units.csv", "content": csv, "dry_run": dry}) == nil {
			t.Fatalf("import units (dry run %v)", dry)
		}
	}
	created := dispatcher.call(http.MethodPost, "/service-requests", "/service-requests", "", map[string]any{
		"serial_number": demo.SerialInScope, "service_item": "repair", "priority": "emergency", "description": "主轴报警 SP-17，停机"})
	ids := values(created, "id")
	if len(ids) != 1 {
		t.Fatal("file a service request")
	}
	photo := dispatcher.call(http.MethodPost, "/service-requests/{id}/photos", "/service-requests/"+ids[0]+"/photos", "", map[string]any{
		"stage": "fault", "photos": []map[string]any{{"filename": "fault.png", "content": base64.StdEncoding.EncodeToString(tinyPNG())}}})
	if photo == nil {
		t.Fatal("add a photo")
	}

	// A visit booked and the candidates to take it over; a certificate's
	// scan attached and read back.
	var li, cert int64
	if err := store.Get(ctx, db, &li, `SELECT id FROM users WHERE email = 'tech.li@hengxin.example'`); err != nil {
		t.Fatal(err)
	}
	day := time.Now().In(time.FixedZone("CST", 8*3600)).AddDate(0, 0, 3)
	start := time.Date(day.Year(), day.Month(), day.Day(), 14, 0, 0, 0, day.Location())
	visit := dispatcher.call(http.MethodPost, "/service-requests/{id}/work-orders", "/service-requests/"+ids[0]+"/work-orders", "", map[string]any{
		"technician_id": li, "window_start": start.Format(time.RFC3339), "window_end": start.Add(2 * time.Hour).Format(time.RFC3339)})
	if wo := values(visit, "id"); len(wo) != 1 || dispatcher.call(http.MethodGet, "/work-orders/{id}/recommendations", "/work-orders/"+wo[0]+"/recommendations", "", nil) == nil {
		t.Fatal("book a visit and rank who could take it over")
	}
	if err := store.Get(ctx, db, &cert, `SELECT MIN(id) FROM certifications WHERE technician_id = ?`, li); err != nil {
		t.Fatal(err)
	}
	provider := walker(t, "admin@hengxin.example")
	scan := fmt.Sprintf("/technicians/%d/certifications/%d/scan", li, cert)
	if provider.call(http.MethodPost, "/technicians/{id}/certifications/{cert_id}/scan", scan, "", map[string]any{
		"filename": "cert.png", "content": base64.StdEncoding.EncodeToString(tinyPNG())}) == nil {
		t.Fatal("attach a scan")
	}
	provider.call(http.MethodGet, "/technicians/{id}/certifications/{cert_id}/scan", scan, "", nil)

	// A turn on the on-call rota and a plan of a day, beside the demo's.
	turn := time.Now().UTC().AddDate(1, 0, 0)
	if provider.call(http.MethodPost, "/technicians/{id}/on-call", fmt.Sprintf("/technicians/%d/on-call", li), "",
		map[string]any{"starts_at": turn.Format(time.RFC3339), "ends_at": turn.Add(24 * time.Hour).Format(time.RFC3339)}) == nil {
		t.Fatal("add an on-call turn")
	}
	if dispatcher.call(http.MethodPost, "/dispatch/plans", "/dispatch/plans", "", map[string]any{"day": "2030-01-09", "time_limit_seconds": 1}) == nil {
		t.Fatal("plan a day")
	}

	// A complaint filed with a photo, which the walk reads back.
	filed := postForm(app.API(t, demoToken(t, db, "dispatch@hengxin.example")), "/complaints/with-attachments", complaintForm(map[string]string{
		"category": "parts", "request_id": ids[0], "description": "配件迟迟未到"}, map[string][]byte{"part.png": tinyPNG()}))
	if filed.Status != http.StatusCreated {
		t.Fatalf("file a complaint with a photo: %d %s", filed.Status, filed.Body)
	}

	// A notice of suspension for the demo's settled month, given the day
	// after it falls due.
	if err := noticeOfSuspension(t, ctx, db); err != nil {
		t.Fatalf("a notice of suspension: %v", err)
	}

	// Each role walks on its own, side by side with the others (they only
	// read); what any of them was answered counts for all.
	t.Run("walk", func(t *testing.T) {
		for _, email := range []string{"admin@haichuan.example", "auditor@haichuan.example", "admin@hengxin.example",
			"dispatch@hengxin.example", "tech.li@hengxin.example", "service@sz-jinggong.example"} {
			t.Run(email, func(t *testing.T) {
				t.Parallel()
				walker(t, email).run()
			})
		}
	})

	for _, item := range doc.Paths.Map() {
		if op := item.Get; op != nil && !answered.ops[op.OperationID] {
			t.Errorf("%s was never answered with a success: the walk does not reach it", op.OperationID)
		}
	}
}

func demoToken(t *testing.T, db *store.DB, email string) string {
	t.Helper()
	var id int64
	if err := store.Get(context.Background(), db, &id, `SELECT id FROM users WHERE email = ?`, email); err != nil {
		t.Fatalf("demo user %s: %v", email, err)
	}
	_, secret, err := testutil.Services(t, db).Accounts.CreateToken(context.Background(), policy.Actor{Operator: true}, id, "walk", 0)
	if err != nil {
		t.Fatal(err)
	}
	return secret
}

type answer struct {
	path string // the request's path, its parameters filled in
	body any    // decoded JSON
}

type docWalk struct {
	t        *testing.T
	doc      *openapi3.T
	base     string
	http     *http.Client
	token    string
	who      string
	answers  map[string][]answer // by path template
	answered *answeredOps
	sent     int // requests with a body, each with its own Idempotency-Key
}

// answeredOps are the operations answered with a success at least once,
// by operation id, by any of the walks.
type answeredOps struct {
	sync.Mutex
	ops map[string]bool
}

func (a *answeredOps) add(op string) {
	a.Lock()
	defer a.Unlock()
	a.ops[op] = true
}

// sources says where the walk finds the values of a parameter, by
// template and parameter: the answers to which template (its parameters
// being the same as the ones filled in before), and which field of them.
// Unlisted, a parameter takes the ids of the items listed by the path
// before it (/agreements/{id} the items of /agreements).
var sources = map[string]struct{ template, field string }{
	"/adjustments/{id} id":                          {"/agreements/{id}/adjustments", "items.*.id"},
	"/webhook-deliveries/{id} id":                   {"/webhooks/{id}/deliveries", "items.*.id"},
	"/units/{id}/history id":                        {"/service-requests", "items.*.unit_id"},
	"/work-orders/{id} id":                          {"/units/{id}/history", "items.*.visits.*.id"},
	"/work-orders/{id}/parts id":                    {"/units/{id}/history", "items.*.visits.*.id"},
	"/work-orders/{id}/recommendations id":          {"/units/{id}/history", "items.*.visits.*.id"},
	"/work-orders/{id}/appointment-links id":        {"/units/{id}/history", "items.*.visits.*.id"},
	"/documents/{id}/versions/{number}/file number": {"/documents/{id}", "versions.*.number"},
	"/on-call/{id} id":                              {"/on-call", "items.*.id"},
	"/complaints/{id}/attachments/{file} file":      {"/complaints/{id}", "attachments.*.id"},
}

// after says which templates' answers the queries of a template are made from.
var after = map[string][]string{
	"/agreements/{id}/diff": {"/agreements/{id}/versions"},
	"/units/by-serial":      {"/units"},
	"/units/labels":         {"/units"},
}

// queries are the query strings to call an operation with, made from the
// answers so far ("" for none).
var queries = map[string]func(w *docWalk, path string) []string{
	"/calendars/{id}/deadline": func(*docWalk, string) []string {
		return []string{"from=2026-09-30T16:00:00%2B08:00&working_days=2", "from=2026-09-30T16:00:00Z&hours=1.5",
			"from=1900-06-01T00:00:00Z&hours=0"} // in Shanghai's local mean time
	},
	"/calendars/{id}": func(*docWalk, string) []string { return []string{"", "year=2026"} },
	"/agreements/{id}/diff": func(w *docWalk, path string) []string {
		var out []string
		for _, a := range w.answers["/agreements/{id}/versions"] {
			if a.path == strings.TrimSuffix(path, "/diff")+"/versions" {
				vs := values(a.body, "items.*.version")
				if len(vs) > 0 {
					out = append(out, "from="+vs[0]+"&to="+vs[len(vs)-1])
				}
			}
		}
		return out
	},
	"/units/by-serial": func(w *docWalk, _ string) []string {
		var out []string
		for _, a := range w.answers["/units"] {
			for _, s := range first(values(a.body, "items.*.serial_number"), 2) {
				out = append(out, "serial="+url.QueryEscape(s))
			}
		}
		return append(out, "serial=NO-SUCH-SERIAL")
	},
	"/units/labels": func(w *docWalk, _ string) []string {
		var out []string
		for _, a := range w.answers["/units"] {
			for _, id := range first(values(a.body, "items.*.id"), 1) {
				out = append(out, "ids="+id)
			}
		}
		return out
	},
	"/units/export": func(*docWalk, string) []string { return []string{"", "format=xlsx"} },
	"/settlements/{id}/export": func(*docWalk, string) []string {
		return []string{"", "format=xlsx&lang=en"}
	},
	"/on-call": func(*docWalk, string) []string {
		now := time.Now().UTC()
		return []string{"from=" + now.AddDate(0, 0, -1).Format(time.RFC3339) + "&to=" + now.AddDate(0, 0, 30).Format(time.RFC3339)}
	},
	"/service-records": func(*docWalk, string) []string { return []string{"", "limit=1"} },
}

func (w *docWalk) run() {
	var templates []string
	for p, item := range w.doc.Paths.Map() {
		if item.Get != nil {
			templates = append(templates, p)
		}
	}
	slices.Sort(templates)
	done := map[string]bool{}
	// A template is walked once every template its values come from is.
	for progress := true; progress; {
		progress = false
		for _, tmpl := range templates {
			if done[tmpl] || !w.ready(tmpl, done) {
				continue
			}
			done[tmpl], progress = true, true
			for _, path := range w.expand(tmpl) {
				qs := []string{""}
				if q, ok := queries[tmpl]; ok {
					qs = q(w, path)
				}
				for _, q := range qs {
					w.get(tmpl, path, q)
				}
			}
		}
	}
	for _, tmpl := range templates {
		if !done[tmpl] {
			w.t.Errorf("%s: the walk cannot reach it", tmpl)
		}
	}
}

var param = regexp.MustCompile(`\{([^}]+)\}`)

func (w *docWalk) source(tmpl string, i int, name string) (string, string) {
	if s, ok := sources[tmpl+" "+name]; ok {
		return s.template, s.field
	}
	loc := param.FindAllStringIndex(tmpl, -1)[i]
	return strings.TrimSuffix(tmpl[:loc[0]], "/"), "items.*.id"
}

func (w *docWalk) ready(tmpl string, done map[string]bool) bool {
	for _, dep := range after[tmpl] {
		if !done[dep] {
			return false
		}
	}
	for i, m := range param.FindAllStringSubmatch(tmpl, -1) {
		if src, _ := w.source(tmpl, i, m[1]); !done[src] {
			return false
		}
	}
	return true
}

// expand fills in the template's parameters with at most three values
// each, from the answers their sources gave. An answer serves only the
// paths whose parameters filled so far are the ones it was asked with
// (the photos of request 5 name photos of request 5).
func (w *docWalk) expand(tmpl string) []string {
	type partial struct {
		path string
		vals map[string]string
	}
	paths := []partial{{tmpl, map[string]string{}}}
	for i, m := range param.FindAllStringSubmatch(tmpl, -1) {
		src, field := w.source(tmpl, i, m[1])
		var next []partial
		seen := map[string]bool{}
		for _, p := range paths {
		answers:
			for _, a := range w.answers[src] {
				for k, v := range pathParams(src, a.path) {
					if filled, ok := p.vals[k]; ok && filled != v {
						continue answers
					}
				}
				for _, v := range first(values(a.body, field), 3) {
					q := partial{strings.Replace(p.path, m[0], url.PathEscape(v), 1), maps.Clone(p.vals)}
					q.vals[m[1]] = v
					if !seen[q.path] {
						seen[q.path] = true
						next = append(next, q)
					}
				}
			}
		}
		paths = next
	}
	out := make([]string, 0, len(paths))
	for _, p := range paths {
		out = append(out, p.path)
	}
	return out
}

func (w *docWalk) get(tmpl, path, query string) { w.call(http.MethodGet, tmpl, path, query, nil) }

// call makes one request and checks its answer against the document;
// it returns the decoded JSON of a success (nil otherwise).
func (w *docWalk) call(method, tmpl, path, query string, body any) any {
	t := w.t
	t.Helper()
	u := w.base + path
	if query != "" {
		u += "?" + query
	}
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+w.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
		w.sent++
		req.Header.Set("Idempotency-Key", fmt.Sprintf("walk-%d", w.sent))
	}
	res, err := w.http.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	reply, _ := io.ReadAll(res.Body)
	res.Body.Close()
	what := fmt.Sprintf("%s %s %s?%s: %d", w.who, method, path, query, res.StatusCode)
	if res.StatusCode >= 500 {
		t.Errorf("%s %s", what, reply)
		return nil
	}

	v, ok := checkAnswer(t, w.doc, req, tmpl, res.StatusCode, res.Header, reply)
	if !ok || res.StatusCode >= 300 {
		if ok && method != http.MethodGet {
			t.Logf("%s %.300s", what, reply)
		}
		return nil
	}
	w.answered.add(w.doc.Paths.Find(tmpl).GetOperation(method).OperationID)
	if method == http.MethodGet && v != nil {
		w.answers[tmpl] = append(w.answers[tmpl], answer{path: path, body: v})
	}
	return v
}

// checkAnswer validates an answer to req, a request to the template tmpl,
// against the document: its status must be documented, and its body must
// match the schema (which allows no property it does not declare) or, if
// not JSON, be of a documented type. It returns the decoded JSON body, and
// false after reporting a mismatch.
func checkAnswer(t *testing.T, doc *openapi3.T, req *http.Request, tmpl string, status int, header http.Header, body []byte) (any, bool) {
	t.Helper()
	what := fmt.Sprintf("%s %s: %d", req.Method, req.URL.RequestURI(), status)
	item := doc.Paths.Find(tmpl)
	if item == nil || item.GetOperation(req.Method) == nil {
		t.Errorf("%s: the document has no such operation", what)
		return nil, false
	}
	op := item.GetOperation(req.Method)
	ct, _, _ := mime.ParseMediaType(header.Get("Content-Type"))
	isJSON := ct == "application/json" || strings.HasSuffix(ct, "+json")
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: pathParams(tmpl, strings.TrimPrefix(req.URL.Path, "/api/v1")),
			Route: &routers.Route{Spec: doc, Path: tmpl, PathItem: item, Method: req.Method, Operation: op}},
		Status: status, Header: header,
		Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true, ExcludeResponseBody: !isJSON},
	}
	in.SetBodyBytes(body)
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		t.Errorf("%s: the answer does not match the document: %v\n%.600s", what, err, body)
		return nil, false
	}
	if status == http.StatusNoContent {
		return nil, true
	}
	if !isJSON {
		if !documentedContentType(op, status, ct) {
			t.Errorf("%s: content type %q is not documented", what, ct)
			return nil, false
		}
		return nil, true
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Errorf("%s: %v", what, err)
		return nil, false
	}
	if !checkTimes(t, what, v) {
		return nil, false
	}
	return v, true
}

func documentedContentType(op *openapi3.Operation, status int, ct string) bool {
	r := op.Responses.Status(status)
	if r == nil || r.Value == nil {
		return false
	}
	for key := range r.Value.Content {
		if key == ct || strings.HasSuffix(key, "/*") && strings.HasPrefix(ct, strings.TrimSuffix(key, "*")) {
			return true
		}
	}
	return false
}

func pathParams(tmpl, path string) map[string]string {
	out := map[string]string{}
	ts, ps := strings.Split(tmpl, "/"), strings.Split(path, "/")
	for i := range ts {
		if strings.HasPrefix(ts[i], "{") && i < len(ps) {
			v, _ := url.PathUnescape(ps[i])
			out[strings.Trim(ts[i], "{}")] = v
		}
	}
	return out
}

var dateTime = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d`)

// checkTimes fails on a time that is the zero time or at an offset no zone
// keeps today (a local mean time such as +08:05).
func checkTimes(t *testing.T, what string, v any) bool {
	t.Helper()
	ok := true
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if s, isString := e.(string); isString && dateTime.MatchString(s) {
				tm, err := time.Parse(time.RFC3339Nano, s)
				_, off := tm.Zone()
				switch {
				case err != nil:
					t.Errorf("%s: %s = %q is not RFC 3339: %v", what, k, s, err)
				case tm.Year() <= 1:
					t.Errorf("%s: %s = %q is the zero time: leave it out", what, k, s)
				case off%(15*60) != 0:
					t.Errorf("%s: %s = %q is at a local mean time offset", what, k, s)
				default:
					continue
				}
				ok = false
				continue
			}
			ok = checkTimes(t, what, e) && ok
		}
	case []any:
		for _, e := range x {
			ok = checkTimes(t, what, e) && ok
		}
	}
	return ok
}

// values are the scalar values at a dotted path, * going through an array.
func values(v any, path string) []string {
	cur := []any{v}
	for _, step := range strings.Split(path, ".") {
		var next []any
		for _, c := range cur {
			switch x := c.(type) {
			case map[string]any:
				if step != "*" {
					if e, ok := x[step]; ok {
						next = append(next, e)
					}
				}
			case []any:
				if step == "*" {
					next = append(next, x...)
				}
			}
		}
		cur = next
	}
	var out []string
	for _, c := range cur {
		switch x := c.(type) {
		case string:
			out = append(out, x)
		case float64:
			out = append(out, fmt.Sprint(int64(x)))
		}
	}
	return uniq(out)
}

func first(xs []string, n int) []string { return xs[:min(n, len(xs))] }

func uniq(xs []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// noticeOfSuspension gives the provider's notice for the demo's approved
// statement as on the day after its due day.
func noticeOfSuspension(t *testing.T, ctx context.Context, db *store.DB) error {
	op := policy.Actor{Operator: true}
	list, err := testutil.Services(t, db).Settlements.List(ctx, op, 0)
	if err != nil {
		return err
	}
	for _, h := range list {
		if h.Status != settlement.Approved || h.DueOn == "" {
			continue
		}
		due, _ := time.Parse(time.DateOnly, h.DueOn)
		later := &settlement.Service{DB: db, Now: func() time.Time { return due.Add(36 * time.Hour) }}
		_, err := later.Suspend(ctx, op, settlement.NewSuspension{AgreementID: h.AgreementID, StatementIDs: []int64{h.ID}, Reason: "逾期未付"})
		return err
	}
	return fmt.Errorf("the demo has no approved statement")
}
