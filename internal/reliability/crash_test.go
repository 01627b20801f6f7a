package reliability

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"aftersales/internal/store"
)

// The crash suite: a write load on the API of the real binary while it is
// killed with SIGKILL at random moments; after each restart the requests
// left unanswered are sent again with the same Idempotency-Key. At the end:
// every acknowledged create is there exactly once, a repeat of any key
// answers the resource it first answered, no retry made a second one, the
// sealed records' chains verify, the database's own integrity check passes,
// and the outbox delivered every notification to a webhook at least once.
//
//	go test ./internal/reliability -run Crash -v                   (short: 3 kills per engine)
//	AFTERSALES_PROOF=long go test ./internal/reliability -run Crash -v -timeout 60m   (20 kills)
//	go test ./internal/reliability -run Crash -v -kills 50 -seed 7
func TestCrash(t *testing.T) {
	onEachEngine(t, crashRun)
}

const (
	dispatcher    = "dispatch@hengxin.example"
	providerAdmin = "admin@hengxin.example"
	technician    = "tech.li@hengxin.example"
	// jobLease is how long the job runner reserves a claimed job
	// (jobs.NewRunner): a job held by a killed process waits this long.
	jobLease = 5 * time.Minute
)

// create is one create request of the load, with what became of it.
type create struct {
	kind      string // "request" or "work_order"
	key       string // its Idempotency-Key
	path      string
	body      []byte
	status    int   // of its answer (0: none yet)
	id        int64 // of the resource it answered
	etag      string
	conflicts int  // answers "still being processed" after a restart
	retried   bool // sent again after a restart
	replayed  bool // answered as a replay of a stored answer
}

func (c *create) acked() bool { return c.status >= 200 && c.status < 300 }

type crashLoad struct {
	t        *testing.T
	base     string
	disp     *client
	techID   int64
	run      string
	mu       sync.Mutex // guards what follows, and the fields of every create
	creates  []*create
	answers  map[int64]int // request id -> status of answering its consultation
	other    map[int]int   // unexpected answers during the load, by status
	lastBody map[int]string
	busy     int // answers 503 with Retry-After, each sent again
}

func (l *crashLoad) add(c *create) {
	l.mu.Lock()
	l.creates = append(l.creates, c)
	l.mu.Unlock()
}

func (l *crashLoad) unexpected(a answer) {
	l.mu.Lock()
	l.other[a.Status]++
	l.lastBody[a.Status] = a.String()
	l.mu.Unlock()
}

// send sends c until it is answered with something other than "busy, try
// again" (503 with Retry-After); false if no answer came.
func (l *crashLoad) send(ctx context.Context, c *create) bool {
	a, ok := l.do(ctx, c.path, map[string]string{"Idempotency-Key": c.key}, c.body)
	if ok {
		l.record(c, a)
	}
	return ok
}

// do posts to path, sending the request again while it is answered 503 with
// Retry-After: the server saved nothing and asks for a retry, as after a
// request that got no answer. false if no answer came.
func (l *crashLoad) do(ctx context.Context, path string, header map[string]string, body []byte) (answer, bool) {
	for {
		a, err := l.disp.do(ctx, http.MethodPost, l.base+path, header, body)
		if err != nil {
			return answer{}, false
		}
		if !retryLater(a) {
			return a, true
		}
		l.mu.Lock()
		l.busy++
		l.mu.Unlock()
		select {
		case <-ctx.Done():
			return answer{}, false
		case <-time.After(time.Second):
		}
	}
}

func (l *crashLoad) record(c *create, a answer) {
	l.mu.Lock()
	defer l.mu.Unlock()
	c.status, c.id, c.etag = a.Status, a.id(), a.Header.Get("ETag")
	c.replayed = a.Header.Get("Idempotent-Replayed") == "true"
}

func (l *crashLoad) worker(ctx context.Context, w int, round int) {
	for n := 0; ctx.Err() == nil; n++ {
		key := fmt.Sprintf("%s-r%d-w%d-%d", l.run, round, w, n)
		item := "repair"
		if n%3 == 2 {
			item = "consultation"
		}
		body, _ := json.Marshal(map[string]string{"serial_number": "DEMO-IN-SCOPE-1", "service_item": item,
			"priority": "general", "description": "proof " + key})
		sr := &create{kind: "request", key: key, path: "/api/v1/service-requests", body: body}
		l.add(sr)
		if !l.send(ctx, sr) {
			return
		}
		if sr.status != http.StatusCreated {
			l.unexpected(answer{Status: sr.status})
			continue
		}
		if item == "consultation" {
			// Answering seals a record into the agreement's chain.
			a, ok := l.do(ctx, fmt.Sprintf("/api/v1/service-requests/%d/answer", sr.id),
				map[string]string{"If-Match": sr.etag}, []byte(`{"answer":"proof answer `+key+`"}`))
			if !ok {
				return
			}
			l.mu.Lock()
			l.answers[sr.id] = a.Status
			l.mu.Unlock()
			if a.Status != http.StatusOK {
				l.unexpected(a)
			}
			continue
		}
		start := time.Date(2027, 1, 4, 1, 0, 0, 0, time.UTC).Add(time.Duration(n) * time.Hour)
		wb, _ := json.Marshal(map[string]any{"technician_id": l.techID, "window_start": start, "window_end": start.Add(2 * time.Hour)})
		wo := &create{kind: "work_order", key: "wo-" + key, path: fmt.Sprintf("/api/v1/service-requests/%d/work-orders", sr.id), body: wb}
		l.add(wo)
		if !l.send(ctx, wo) {
			return
		}
		if wo.status != http.StatusCreated {
			l.unexpected(answer{Status: wo.status})
		}
	}
}

// pending are the creates that have no answer yet, or were told to wait.
func (l *crashLoad) pending() []*create {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []*create
	for _, c := range l.creates {
		if c.status == 0 || c.status == http.StatusConflict {
			out = append(out, c)
		}
	}
	return out
}

// retry sends every pending create again, with its key, until it is
// answered with something other than "still being processed" (409) or
// "busy, try again" (503 with Retry-After), or the window closes.
func (l *crashLoad) retry(window time.Duration) {
	deadline := time.Now().Add(window)
	var wg sync.WaitGroup
	for _, c := range l.pending() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) {
				a, err := l.disp.do(context.Background(), http.MethodPost, l.base+c.path, map[string]string{"Idempotency-Key": c.key}, c.body)
				if err != nil {
					time.Sleep(200 * time.Millisecond)
					continue
				}
				l.mu.Lock()
				c.retried = true
				if retryLater(a) {
					l.busy++
					l.mu.Unlock()
					time.Sleep(time.Second)
					continue
				}
				l.mu.Unlock()
				l.record(c, a)
				if a.Status != http.StatusConflict {
					return
				}
				l.mu.Lock()
				c.conflicts++
				l.mu.Unlock()
				time.Sleep(time.Second)
			}
		}()
	}
	wg.Wait()
}

func crashRun(t *testing.T, engine store.Engine) {
	rng := rand.New(rand.NewPCG(uint64(seed(t)), 1))
	in := newInstall(t, engine, dispatcher, providerAdmin)
	db := in.open()
	receiver := &webhookReceiver{}
	hook := httptest.NewServer(receiver)
	t.Cleanup(hook.Close)
	srv := in.server("crash", "--webhook-allow-private")
	srv.start()
	admin := newClient(in.tokens[providerAdmin])
	hookCreated := time.Now().UTC()
	webhook := admin.must(t, http.MethodPost, srv.URL()+"/api/v1/webhooks", nil,
		map[string]any{"url": hook.URL + "/hook", "kinds": []string{"request.assigned"}, "description": "proof"}, http.StatusCreated)
	var wh struct {
		Webhook struct {
			ID int64 `json:"id"`
		} `json:"webhook"`
	}
	if err := json.Unmarshal(webhook.Body, &wh); err != nil || wh.Webhook.ID == 0 {
		t.Fatalf("webhook answer: %s", webhook)
	}
	l := &crashLoad{t: t, base: srv.URL(), disp: newClient(in.tokens[dispatcher]), techID: userID(t, db, technician),
		run: "crash-" + string(engine), answers: map[int64]int{}, other: map[int]int{}, lastBody: map[int]string{}}

	n := kills()
	maxGap := 1500 * time.Millisecond
	if long {
		maxGap = 3 * time.Second
	}
	unansweredAtKill := map[*create]bool{} // left without an answer by a kill
	var lastStart time.Time
	for round := range n {
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		for w := range 4 {
			wg.Add(1)
			go func() { defer wg.Done(); l.worker(ctx, w, round) }()
		}
		time.Sleep(200*time.Millisecond + time.Duration(rng.Int64N(int64(maxGap))))
		srv.kill()
		cancel()
		wg.Wait()
		for _, c := range l.pending() {
			unansweredAtKill[c] = true
		}
		lastStart = time.Now()
		srv.start()
		l.retry(2 * time.Second)
	}
	// Whatever is still unanswered gets a last, longer chance. A key names
	// its resource for its whole lifetime (24 hours), so a retry is answered
	// at once; the window only bounds a server that cannot answer.
	window := 5 * time.Second
	if long {
		window = 30 * time.Second
	}
	l.retry(window)

	// A repeat of every acknowledged key answers what it answered first.
	var replayMismatch, replayConflict []string
	for _, c := range l.creates {
		if !c.acked() {
			continue
		}
		a, ok := l.do(context.Background(), c.path, map[string]string{"Idempotency-Key": c.key}, c.body)
		switch {
		case !ok:
			t.Fatalf("replay %s: no answer", c.key)
		case a.Status == http.StatusConflict:
			replayConflict = append(replayConflict, fmt.Sprintf("%s (%s %d)", c.key, c.kind, c.id))
		case a.Status != c.status || a.id() != c.id:
			replayMismatch = append(replayMismatch, fmt.Sprintf("%s: first %d id %d, now %d id %d", c.key, c.status, c.id, a.Status, a.id()))
		}
	}

	// The outbox: every work order's event reaches the webhook. Jobs that
	// a killed process had claimed wait for their lease to run out; the
	// suite ages those leases rather than waiting five minutes.
	res, err := store.Exec(context.Background(), db, `UPDATE jobs SET locked_until = ? WHERE state = 'running' AND locked_until < ?`,
		time.Now().UTC().Add(-time.Second), lastStart.UTC().Add(jobLease))
	if err != nil {
		t.Fatal(err)
	}
	stranded, _ := res.RowsAffected()
	var events []struct {
		WorkOrder int64  `db:"work_order_id"`
		Event     *int64 `db:"event_id"`
		Delivery  *int64 `db:"delivery_id"`
	}
	eventsQuery := `SELECT w.id AS work_order_id, e.id AS event_id, d.id AS delivery_id FROM work_orders w
		LEFT JOIN notify_events e ON e.kind = 'request.assigned' AND e.link = '/work-orders/' || CAST(w.id AS TEXT)
		LEFT JOIN webhook_deliveries d ON d.event_id = e.id AND d.webhook_id = ?
		WHERE w.technician_id = ? AND w.created_at > ?`
	if err := store.Select(context.Background(), db, &events, eventsQuery, wh.Webhook.ID, l.techID, hookCreated); err != nil {
		t.Fatal(err)
	}
	var noEvent, undelivered []int64
	deadline := time.Now().Add(90 * time.Second)
	for _, e := range events {
		if e.Event == nil || e.Delivery == nil {
			noEvent = append(noEvent, e.WorkOrder)
			continue
		}
		for receiver.seen(*e.Event) == 0 && time.Now().Before(deadline) {
			time.Sleep(100 * time.Millisecond)
		}
		if receiver.seen(*e.Event) == 0 {
			undelivered = append(undelivered, *e.Event)
		}
	}
	srv.stop()

	verify, verr := in.try("records", "verify")
	checked := integrity(t, in, db)

	// Exactly once: each key's description names one request, each request one work order.
	reqByKey := map[string]int{}
	reqID := map[string]int64{}
	for _, r := range proofRequests(t, db, "%") {
		reqByKey[r.Key], reqID[r.Key] = r.N, r.ID
	}
	var orders []struct {
		Request int64 `db:"request_id"`
		N       int   `db:"n"`
		ID      int64 `db:"id"`
	}
	if err := store.Select(context.Background(), db, &orders, `SELECT request_id, COUNT(*) AS n, MIN(id) AS id FROM work_orders
		WHERE technician_id = ? GROUP BY request_id`, l.techID); err != nil {
		t.Fatal(err)
	}
	woByRequest := map[int64]int{}
	woID := map[int64]int64{}
	for _, o := range orders {
		woByRequest[o.Request], woID[o.Request] = o.N, o.ID
	}
	var sealed []int64
	if err := store.Select(context.Background(), db, &sealed, `SELECT request_id FROM service_records WHERE request_id IS NOT NULL`); err != nil {
		t.Fatal(err)
	}
	records := map[int64]int{}
	for _, id := range sealed {
		records[id]++
	}

	var acked, retried, conflicts, retriedAcked int
	var lost, duplicates, wrongID, unresolved []string
	for _, c := range l.creates {
		if c.retried {
			retried++
		}
		conflicts += c.conflicts
		if c.acked() {
			acked++
			if c.retried {
				retriedAcked++
			}
		}
		var have int
		var haveID int64
		switch c.kind {
		case "request":
			have, haveID = reqByKey[c.key], reqID[c.key]
		case "work_order":
			var rid int64
			fmt.Sscanf(c.path, "/api/v1/service-requests/%d/work-orders", &rid)
			have, haveID = woByRequest[rid], woID[rid]
		}
		switch {
		case have > 1:
			duplicates = append(duplicates, fmt.Sprintf("%s (%s): %d rows", c.key, c.kind, have))
		case c.acked() && have == 0:
			lost = append(lost, fmt.Sprintf("%s (%s %d)", c.key, c.kind, c.id))
		case c.acked() && haveID != c.id:
			wrongID = append(wrongID, fmt.Sprintf("%s (%s): answered %d, stored %d", c.key, c.kind, c.id, haveID))
		}
		if c.status == 0 || c.status == http.StatusConflict {
			unresolved = append(unresolved, fmt.Sprintf("%s (%s, %d answers 409 after restarts)", c.key, c.kind, c.conflicts))
		}
	}
	var answered, answerLost, answerTwice int
	for id, status := range l.answers {
		if status == http.StatusOK {
			answered++
			if records[id] == 0 {
				answerLost++
			}
		}
		if records[id] > 1 {
			answerTwice++
		}
	}

	t.Logf("figures %s: %d kills, %d creates sent (%d acknowledged), %d unanswered at a kill, %d sent again after a restart "+
		"(%d then acknowledged), %d answers 409 after a restart, %d still unanswered; %d consultations answered; "+
		"duplicates %d, lost %d, replays answering 409 %d, replays answering another resource %d; "+
		"%d work orders, %d webhook deliveries received (%d delivery ids more than once), %d jobs stranded by kills; "+
		"%d answers 503 with Retry-After (sent again); checks: %s",
		engine, n, len(l.creates), acked, len(unansweredAtKill), retried, retriedAcked, conflicts, len(unresolved), answered,
		len(duplicates), len(lost), len(replayConflict), len(replayMismatch),
		len(events), receiver.total, receiver.repeatedDeliveries(), stranded, l.busy, checked)
	if len(l.other) > 0 {
		t.Logf("unexpected answers during the load: %v, e.g. %v", l.other, l.lastBody)
	}
	report := func(what string, items []string) {
		if len(items) > 0 {
			t.Errorf("%s: %d, e.g. %s", what, len(items), strings.Join(items[:min(5, len(items))], "; "))
		}
	}
	report("acknowledged creates missing", lost)
	report("keys that created more than one resource", duplicates)
	report("acknowledged creates whose stored resource is another", wrongID)
	report("repeats of an acknowledged key answered 409 instead of the stored answer", replayConflict)
	report("repeats of an acknowledged key answered something else", replayMismatch)
	report("requests still without an answer after restarts (409: key reserved without its answer)", unresolved)
	if answerLost > 0 || answerTwice > 0 {
		t.Errorf("answered consultations: %d acknowledged without a sealed record, %d sealed twice", answerLost, answerTwice)
	}
	if len(noEvent) > 0 {
		t.Errorf("%d work orders without a request.assigned event or webhook delivery, e.g. %v", len(noEvent), noEvent[:min(5, len(noEvent))])
	}
	if len(undelivered) > 0 {
		t.Errorf("%d events never reached the webhook, e.g. %v", len(undelivered), undelivered[:min(5, len(undelivered))])
	}
	if verr != nil {
		t.Errorf("records verify: %v\n%s", verr, verify)
	}
	if acked == 0 || len(events) == 0 {
		t.Errorf("the load wrote nothing (%d acknowledged, %d work orders): the suite proved nothing", acked, len(events))
	}
}
