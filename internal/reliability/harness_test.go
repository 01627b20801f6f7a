package reliability

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// The short form runs in CI on every test run; the long form (AFTERSALES_PROOF=long,
// or the flags below) is the one whose figures docs/RELIABILITY.md records.
var (
	long      = os.Getenv("AFTERSALES_PROOF") == "long"
	killsFlag = flag.Int("kills", 0, "crash suite: SIGKILLs per engine (default 3, 20 with AFTERSALES_PROOF=long)")
	seedFlag  = flag.Int64("seed", 0, "random seed of the kill moments and the fuzzing sample (default: from the clock, printed)")
)

func kills() int {
	switch {
	case *killsFlag > 0:
		return *killsFlag
	case long:
		return 20
	}
	return 3
}

func seed(t *testing.T) int64 {
	s := *seedFlag
	if s == 0 {
		s = time.Now().UnixNano()
	}
	t.Logf("seed %d (rerun with -seed %d)", s, s)
	return s
}

func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// install is a fresh database on one engine with the demo data loaded by
// the binary, and API tokens of the demo's people.
type install struct {
	t      *testing.T
	bin    string
	engine store.Engine
	dsn    string
	tokens map[string]string // by email
}

func newInstall(t *testing.T, engine store.Engine, emails ...string) *install {
	t.Helper()
	in := &install{t: t, bin: binary(t), engine: engine, tokens: map[string]string{}}
	if engine == store.SQLite {
		in.dsn = filepath.Join(t.TempDir(), "aftersales.db")
	} else {
		in.dsn = testutil.NewDSN(t, store.Postgres)
	}
	in.run("demo")
	for _, e := range emails {
		in.tokens[e] = strings.TrimSpace(in.run("token", "create", "--email", e, "--name", "proof"))
	}
	return in
}

// run runs a command of the binary on the install's database and returns
// its standard output; a non-zero exit fails the test.
func (in *install) run(args ...string) string {
	in.t.Helper()
	out, err := in.try(args...)
	if err != nil {
		in.t.Fatalf("aftersales %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

func (in *install) try(args ...string) (string, error) {
	args = append(args, "--db", in.dsn)
	cmd := exec.Command(in.bin, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if err != nil {
		return stdout.String() + stderr.String(), err
	}
	return stdout.String(), nil
}

// open connects to the install's database from the test.
func (in *install) open() *store.DB {
	in.t.Helper()
	db, err := store.Open(context.Background(), in.dsn)
	if err != nil {
		in.t.Fatalf("open %s: %v", in.engine, err)
	}
	in.t.Cleanup(func() { db.Close() })
	return db
}

// server is one `aftersales serve` process on a fixed loopback port, so
// that clients keep their address across restarts.
type server struct {
	in      *install
	name    string
	addr    string
	extra   []string
	logPath string

	mu     sync.Mutex
	cmd    *exec.Cmd
	exited chan struct{}
	starts int
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func (in *install) server(name string, extra ...string) *server {
	s := &server{in: in, name: name, addr: freePort(in.t), extra: extra,
		logPath: filepath.Join(in.t.TempDir(), name+".log")}
	in.t.Cleanup(func() {
		s.stop()
		if in.t.Failed() {
			in.t.Logf("log of server %s (last 2 KiB):\n%s", name, s.logTail(2048))
		}
	})
	return s
}

func (s *server) URL() string { return "http://" + s.addr }

// start launches the process and waits until /healthz answers.
func (s *server) start() {
	t := s.in.t
	t.Helper()
	f, err := os.OpenFile(s.logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	args := append([]string{"serve", "--db", s.in.dsn, "--addr", s.addr}, s.extra...)
	cmd := exec.Command(s.in.bin, args...)
	// Every instance of one install seals and opens stored secrets with the
	// same key (on PostgreSQL it must be given).
	cmd.Env = append(os.Environ(), "AFTERSALES_SECRET_KEY=reliability suite key, the same on every instance")
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		f.Close()
		t.Fatalf("start server %s: %v", s.name, err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); f.Close(); close(exited) }()
	s.mu.Lock()
	s.cmd, s.exited = cmd, exited
	s.starts++
	s.mu.Unlock()
	deadline := time.Now().Add(60 * time.Second)
	for {
		select {
		case <-exited:
			t.Fatalf("server %s exited at start:\n%s", s.name, s.logTail(4096))
		default:
		}
		resp, err := http.Get(s.URL() + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("server %s not healthy within a minute:\n%s", s.name, s.logTail(4096))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// kill ends the process with SIGKILL and waits until it is gone.
func (s *server) kill() { s.signal(syscall.SIGKILL) }

// stop ends the process gracefully (SIGTERM) and waits until it is gone.
func (s *server) stop() { s.signal(syscall.SIGTERM) }

func (s *server) signal(sig syscall.Signal) {
	s.mu.Lock()
	cmd, exited := s.cmd, s.exited
	s.cmd = nil
	s.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Signal(sig)
	select {
	case <-exited:
	case <-time.After(60 * time.Second):
		_ = cmd.Process.Kill()
		<-exited
		s.in.t.Errorf("server %s did not end within a minute of %v", s.name, sig)
	}
}

func (s *server) logTail(n int64) string {
	b, err := os.ReadFile(s.logPath)
	if err != nil {
		return err.Error()
	}
	if int64(len(b)) > n {
		b = b[int64(len(b))-n:]
	}
	return string(b)
}

// client sends API requests as one person.
type client struct {
	http  *http.Client
	token string
}

func newClient(token string) *client {
	return &client{token: token, http: &http.Client{Timeout: 60 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: 16, IdleConnTimeout: 30 * time.Second}}}
}

// answer is an HTTP answer, read whole.
type answer struct {
	Status int
	Header http.Header
	Body   []byte
}

func (a answer) String() string {
	b := bytes.TrimSpace(a.Body)
	if len(b) > 300 {
		b = b[:300]
	}
	return fmt.Sprintf("%d %s", a.Status, b)
}

// id is the "id" field of a JSON answer (0 if none).
func (a answer) id() int64 {
	var v struct {
		ID int64 `json:"id"`
	}
	_ = json.Unmarshal(a.Body, &v)
	return v.ID
}

// do sends one request; an error means no answer came (the server was
// down or died while answering).
func (c *client) do(ctx context.Context, method, url string, header map[string]string, body []byte) (answer, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return answer{}, err
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	return c.exchange(req)
}

// exchange sends req and reads the whole answer.
func (c *client) exchange(req *http.Request) (answer, error) {
	resp, err := c.http.Do(req)
	if err != nil {
		return answer{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return answer{}, err
	}
	return answer{Status: resp.StatusCode, Header: resp.Header, Body: b}, nil
}

// retryLater tells an answer that asks to be sent again: 503 with
// Retry-After (the server was busy, or the request ran out of its
// deadline), which saved nothing. A client retries it as a request that got
// no answer; the suites count these apart from failures.
func retryLater(a answer) bool {
	return a.Status == http.StatusServiceUnavailable && a.Header.Get("Retry-After") != ""
}

// must sends a request that has to succeed with want.
func (c *client) must(t *testing.T, method, url string, header map[string]string, body any, want int) answer {
	t.Helper()
	var b []byte
	if body != nil {
		var err error
		if b, err = json.Marshal(body); err != nil {
			t.Fatal(err)
		}
	}
	a, err := c.do(context.Background(), method, url, header, b)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	if a.Status != want {
		t.Fatalf("%s %s: want %d, got %s", method, url, want, a)
	}
	return a
}

// webhookReceiver counts the deliveries it receives, by event and by
// delivery id.
type webhookReceiver struct {
	mu         sync.Mutex
	byEvent    map[int64]int
	byDelivery map[int64]int
	total      int
}

func (w *webhookReceiver) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}
	var v struct {
		DeliveryID int64 `json:"delivery_id"`
		EventID    int64 `json:"event_id"`
	}
	if err := json.Unmarshal(body, &v); err != nil || v.EventID == 0 {
		rw.WriteHeader(http.StatusBadRequest)
		return
	}
	if h, _ := strconv.ParseInt(r.Header.Get("X-Aftersales-Delivery"), 10, 64); h != v.DeliveryID {
		rw.WriteHeader(http.StatusBadRequest)
		return
	}
	w.mu.Lock()
	if w.byEvent == nil {
		w.byEvent, w.byDelivery = map[int64]int{}, map[int64]int{}
	}
	w.byEvent[v.EventID]++
	w.byDelivery[v.DeliveryID]++
	w.total++
	w.mu.Unlock()
	rw.WriteHeader(http.StatusNoContent)
}

func (w *webhookReceiver) seen(eventID int64) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.byEvent[eventID]
}

// repeats returns the deliveries received more than once, with how often.
func (w *webhookReceiver) repeats() map[int64]int {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := map[int64]int{}
	for id, c := range w.byDelivery {
		if c > 1 {
			out[id] = c
		}
	}
	return out
}

// repeatedDeliveries counts the deliveries received more than once.
func (w *webhookReceiver) repeatedDeliveries() (n int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, c := range w.byDelivery {
		if c > 1 {
			n++
		}
	}
	return n
}

// userID looks up a demo user's id.
func userID(t *testing.T, db *store.DB, email string) int64 {
	t.Helper()
	var id int64
	if err := store.Get(context.Background(), db, &id, `SELECT id FROM users WHERE email = ?`, email); err != nil {
		t.Fatalf("user %s: %v", email, err)
	}
	return id
}

// isConnError tells a request that got no answer from one refused by the client itself.
func isConnError(err error) bool {
	return err != nil && !errors.Is(err, context.Canceled)
}

// onEachEngine runs run in parallel on each engine, as a subtest named
// after it.
func onEachEngine(t *testing.T, run func(t *testing.T, engine store.Engine)) {
	t.Parallel()
	for _, engine := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			run(t, engine)
		})
	}
}

// proofRequest is what the requests filed for one key hold: the key
// (their description less "proof "), how many there are, the first id.
type proofRequest struct {
	Key string
	N   int
	ID  int64
}

// proofRequests reads the requests filed for the keys LIKE pattern, a row
// a key.
func proofRequests(t *testing.T, db *store.DB, pattern string) []proofRequest {
	t.Helper()
	var rows []struct {
		Description string `db:"description"`
		N           int    `db:"n"`
		ID          int64  `db:"id"`
	}
	if err := store.Select(context.Background(), db, &rows, `SELECT description, COUNT(*) AS n, MIN(id) AS id FROM service_requests
		WHERE description LIKE ? GROUP BY description`, "proof "+pattern); err != nil {
		t.Fatal(err)
	}
	out := make([]proofRequest, 0, len(rows))
	for _, r := range rows {
		out = append(out, proofRequest{Key: strings.TrimPrefix(r.Description, "proof "), N: r.N, ID: r.ID})
	}
	return out
}
