package reliability

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"aftersales/internal/store"
)

// The instances suite: two servers of the real binary on one PostgreSQL
// database. Periodic jobs are scheduled once per period and every job runs
// once; a session started on one works on the other and ends on both; a
// token made on one works on the other and, revoked there, stops working
// on the first; and a rolling restart (A stops gracefully while the load
// goes to B, A starts, B stops, B starts) loses no request.
//
//	go test ./internal/reliability -run Instances -v
func TestInstances(t *testing.T) {
	t.Parallel()
	in := newInstall(t, store.Postgres, dispatcher, providerAdmin)
	db := in.open()
	receiver := &webhookReceiver{}
	hook := httptest.NewServer(receiver)
	t.Cleanup(hook.Close)
	a := in.server("A", "--webhook-allow-private")
	b := in.server("B", "--webhook-allow-private")
	a.start()
	b.start()
	newClient(in.tokens[providerAdmin]).must(t, http.MethodPost, a.URL()+"/api/v1/webhooks", nil,
		map[string]any{"url": hook.URL + "/hook", "kinds": []string{"request.assigned"}}, http.StatusCreated)

	t.Run("sessions", func(t *testing.T) { sessionsOnBoth(t, a, b) })
	t.Run("tokens", func(t *testing.T) { tokensOnBoth(t, in, a, b) })
	t.Run("rolling restart", func(t *testing.T) { rollingRestart(t, in, db, receiver, a, b) })
	t.Run("periodic jobs", func(t *testing.T) { periodicOnce(t, db) })
}

// signIn signs in on s with the sign-in form and returns the session cookie.
func signIn(t *testing.T, s *server, email string) *http.Cookie {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.PostForm(s.URL()+"/login", url.Values{"email": {email}, "password": {"demo-pass-2026"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in on %s: %d", s.name, resp.StatusCode)
	}
	for _, ck := range resp.Cookies() {
		if ck.Name == "session" {
			return ck
		}
	}
	t.Fatalf("sign in on %s: no session cookie", s.name)
	return nil
}

func withCookie(t *testing.T, method, u string, ck *http.Cookie) int {
	t.Helper()
	req, _ := http.NewRequest(method, u, nil)
	req.AddCookie(ck)
	resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func sessionsOnBoth(t *testing.T, a, b *server) {
	ck := signIn(t, a, dispatcher)
	for _, s := range []*server{a, b} {
		if got := withCookie(t, http.MethodGet, s.URL()+"/api/v1/service-requests", ck); got != http.StatusOK {
			t.Errorf("session from A on %s's API: %d", s.name, got)
		}
		if got := withCookie(t, http.MethodGet, s.URL()+"/requests", ck); got != http.StatusOK {
			t.Errorf("session from A on %s's pages: %d", s.name, got)
		}
	}
	withCookie(t, http.MethodPost, b.URL()+"/logout", ck)
	for _, s := range []*server{a, b} {
		if got := withCookie(t, http.MethodGet, s.URL()+"/api/v1/service-requests", ck); got != http.StatusUnauthorized {
			t.Errorf("session signed out on B, on %s: %d, want 401", s.name, got)
		}
	}
}

func tokensOnBoth(t *testing.T, in *install, a, b *server) {
	made := newClient(in.tokens[dispatcher]).must(t, http.MethodPost, a.URL()+"/api/v1/tokens", nil,
		map[string]any{"name": "on A"}, http.StatusCreated)
	var tok struct {
		Token struct {
			ID int64 `json:"id"`
		} `json:"token"`
		Secret string `json:"secret"`
	}
	if err := json.Unmarshal(made.Body, &tok); err != nil || tok.Secret == "" {
		t.Fatalf("token answer: %s", made)
	}
	c := newClient(tok.Secret)
	for _, s := range []*server{a, b} {
		c.must(t, http.MethodGet, s.URL()+"/api/v1/service-requests", nil, nil, http.StatusOK)
	}
	c.must(t, http.MethodDelete, fmt.Sprintf("%s/api/v1/tokens/%d", b.URL(), tok.Token.ID), nil, nil, http.StatusOK)
	// Made by another instance, a revocation applies within 5 seconds.
	deadline := time.Now().Add(10 * time.Second)
	for {
		got, err := c.do(context.Background(), http.MethodGet, a.URL()+"/api/v1/service-requests", nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status == http.StatusUnauthorized {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("token revoked on B still works on A after 10 s: %s", got)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// rollingRestart files requests through whichever instance is up, the way
// a load balancer would: a request that gets no answer goes to the other
// instance with the same Idempotency-Key.
func rollingRestart(t *testing.T, in *install, db *store.DB, receiver *webhookReceiver, a, b *server) {
	disp := newClient(in.tokens[dispatcher])
	techID := userID(t, db, technician)
	servers := []*server{a, b}
	var sent, failovers, busy, serverErrors atomic.Int64
	var mu sync.Mutex
	results := map[string]answer{}
	lost := map[string]string{}

	post := func(w, n int, path, key string, body []byte) (answer, bool) {
		for try := 0; try < 40; try++ {
			s := servers[(w+n+try)%2]
			got, err := disp.do(context.Background(), http.MethodPost, s.URL()+path, map[string]string{"Idempotency-Key": key}, body)
			if err != nil || got.Status == http.StatusServiceUnavailable {
				// No answer, or 503 (busy, out of its deadline, or
				// stopping), which saved nothing: the other instance.
				if err == nil {
					busy.Add(1)
				}
				failovers.Add(1)
				time.Sleep(25 * time.Millisecond)
				continue
			}
			if got.Status >= 500 {
				serverErrors.Add(1)
			}
			return got, true
		}
		return answer{}, false
	}
	ctx, stopLoad := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; ctx.Err() == nil; n++ {
				key := fmt.Sprintf("roll-w%d-%d", w, n)
				body, _ := json.Marshal(map[string]string{"serial_number": "DEMO-IN-SCOPE-1", "service_item": "repair",
					"priority": "general", "description": "proof " + key})
				sent.Add(1)
				got, ok := post(w, n, "/api/v1/service-requests", key, body)
				mu.Lock()
				if !ok {
					lost[key] = "no instance answered"
				} else {
					results[key] = got
				}
				mu.Unlock()
				if !ok || got.Status != http.StatusCreated {
					continue
				}
				// Each visit in a window of its own: the technician is never
				// booked twice at once.
				start := time.Date(2027, 2, 1, 1, 0, 0, 0, time.UTC).Add(time.Duration(4*n+w) * time.Hour)
				wb, _ := json.Marshal(map[string]any{"technician_id": techID, "window_start": start, "window_end": start.Add(time.Hour)})
				sent.Add(1)
				wo, ok := post(w, n, fmt.Sprintf("/api/v1/service-requests/%d/work-orders", got.id()), "wo-"+key, wb)
				mu.Lock()
				if !ok {
					lost["wo-"+key] = "no instance answered"
				} else {
					results["wo-"+key] = wo
				}
				mu.Unlock()
			}
		}()
	}
	pause := func() { time.Sleep(time.Second) }
	pause()
	a.stop()
	pause()
	a.start()
	pause()
	b.stop()
	pause()
	b.start()
	pause()
	stopLoad()
	wg.Wait()

	stored := map[string]int64{}
	for _, r := range proofRequests(t, db, "roll-%") {
		stored[r.Key] = r.ID
		if r.N != 1 {
			t.Errorf("%s: %d requests", r.Key, r.N)
		}
	}
	var statuses = map[int]int{}
	for key, got := range results {
		statuses[got.Status]++
		if got.Status != http.StatusCreated {
			t.Errorf("%s: %s", key, got)
			continue
		}
		if !strings.HasPrefix(key, "wo-") && stored[key] != got.id() {
			t.Errorf("%s: answered request %d, stored %d", key, got.id(), stored[key])
		}
	}
	for key, why := range lost {
		t.Errorf("%s lost: %s", key, why)
	}
	// Every work order's event reaches the webhook; no delivery is sent twice.
	var deliveries []int64
	deadline := time.Now().Add(60 * time.Second)
	for {
		deliveries = nil
		if err := store.Select(context.Background(), db, &deliveries, `SELECT id FROM webhook_deliveries WHERE state <> 'delivered'`); err != nil {
			t.Fatal(err)
		}
		if len(deliveries) == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if len(deliveries) > 0 {
		var stuck []struct {
			ID       int64      `db:"id"`
			State    string     `db:"state"`
			Attempts int        `db:"attempts"`
			Error    string     `db:"last_error"`
			Job      string     `db:"job_state"`
			Tries    int        `db:"job_attempts"`
			Locked   *time.Time `db:"locked_until"`
		}
		_ = store.Select(context.Background(), db, &stuck, `SELECT d.id, d.state, d.attempts, d.last_error, j.state AS job_state,
			j.attempts AS job_attempts, j.locked_until FROM webhook_deliveries d
			JOIN jobs j ON j.kind = 'notify.webhook' AND j.payload LIKE '%:' || CAST(d.id AS TEXT) || '}'
			WHERE d.state <> 'delivered'`)
		t.Errorf("%d webhook deliveries not delivered a minute after the load: %+v", len(deliveries), stuck)
	}
	t.Logf("figures rolling restart: %d requests sent, answers by status %v, %d sent again to the other instance (%d of them after a 503), %d 5xx, %d lost; "+
		"%d webhook deliveries received, %d delivery ids more than once",
		sent.Load(), statuses, failovers.Load(), busy.Load(), serverErrors.Load(), len(lost), receiver.total, receiver.repeatedDeliveries())
	// A delivery may come again after a run of its job that failed (a
	// stop cut it short after the receiver had it): at least once. Received
	// more often than its job was claimed, one claim ran in two workers.
	for id, n := range receiver.repeats() {
		var claims int
		if err := store.Get(context.Background(), db, &claims, `SELECT MAX(attempts) FROM jobs WHERE kind = 'notify.webhook'
			AND payload = ?`, fmt.Sprintf(`{"delivery_id":%d}`, id)); err != nil {
			t.Fatal(err)
		}
		if n > claims {
			t.Errorf("webhook delivery %d received %d times, its job claimed %d times: a claim ran twice", id, n, claims)
		} else {
			t.Logf("webhook delivery %d received %d times, its job claimed %d times (a run cut short by a stop is retried)", id, n, claims)
		}
	}
	if len(results) == 0 {
		t.Error("the load wrote nothing")
	}
}

// periodicOnce: the two instances schedule each periodic job once per
// period, and it runs once.
func periodicOnce(t *testing.T, db *store.DB) {
	var rows []struct {
		Key      string `db:"unique_key"`
		N        int    `db:"n"`
		Attempts int    `db:"attempts"`
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		rows = nil
		if err := store.Select(context.Background(), db, &rows, `SELECT unique_key, COUNT(*) AS n, MAX(attempts) AS attempts FROM jobs
			WHERE unique_key LIKE 'periodic:%' AND state <> 'done' GROUP BY unique_key`); err != nil {
			t.Fatal(err)
		}
		if len(rows) == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	for _, r := range rows {
		t.Errorf("periodic job %s not done after 30 s", r.Key)
	}
	if err := store.Select(context.Background(), db, &rows, `SELECT unique_key, COUNT(*) AS n, MAX(attempts) AS attempts FROM jobs
		WHERE unique_key LIKE 'periodic:%' GROUP BY unique_key`); err != nil {
		t.Fatal(err)
	}
	if len(rows) == 0 {
		t.Fatal("no periodic job was scheduled")
	}
	for _, r := range rows {
		if r.N != 1 || r.Attempts != 1 {
			t.Errorf("periodic job %s: %d rows, %d attempts; want one row run once", r.Key, r.N, r.Attempts)
		}
	}
	t.Logf("figures periodic jobs: %d scheduled by two instances (four starts), each once", len(rows))
}
