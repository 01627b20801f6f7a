// Package idempotency makes the API's creates safe to repeat: the
// Idempotency-Key middleware, the keys' storage and the pruning of expired
// keys. It knows nothing of the routes or of how an error is answered; the
// server hands it those (Deps), and the API hands it the answers rebuilt
// from the resource a key names (Replays).
package idempotency

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/store"
)

// TTL is how long a key answers with its first result.
const TTL = 24 * time.Hour

// DB is the database the keys are kept in (a *store.DB).
type DB interface {
	store.Queryer
	// GroupsWrites reports whether writes are committed in groups (SQLite).
	GroupsWrites() bool
	// TxSoon runs fn in a transaction that may wait briefly for others to join.
	TxSoon(ctx context.Context, fn func(tx *sqlx.Tx) error) error
}

// Deps are what the middleware works with.
type Deps struct {
	DB  DB
	Now func() time.Time
	Log *slog.Logger
	// Replays answer a repeat from the resource its key names.
	Replays Replays
	// Applies reports whether the middleware looks at a request at all (the API's).
	Applies func(r *http.Request) bool
	// Streamed reports whether a request is an upload its handler reads as
	// a stream; Spool then hashes its body into sum as it puts it in a
	// temporary file, in the body's place, which the returned Closer removes.
	Streamed func(method, path string) bool
	Spool    func(r *http.Request, sum *[sha256.Size]byte) (io.Closer, error)
	// Fail answers an error.
	Fail func(w http.ResponseWriter, r *http.Request, err error)
	// Problem answers a problem of the kind with the detail (problem+json).
	Problem func(w http.ResponseWriter, kind problem.Kind, detail string)
}

// Middleware holds the answers being stored after their responses were
// sent, and the keys whose requests finished here lately.
type Middleware struct {
	Deps
	answers pendingAnswers
	recent  *recentKeys
}

// New returns the middleware working with d.
func New(d Deps) *Middleware { return &Middleware{Deps: d, recent: newRecentKeys()} }

// Drain waits for the answers still being stored; the server calls it
// after it stops taking requests, before the database closes.
func (m *Middleware) Drain() { m.answers.running.Wait() }

// Wrap makes API creates safe to repeat. The first request with an
// Idempotency-Key reserves the key, runs, and stores its response; a repeat
// with the same body gets the stored response; a repeat with another body is
// refused; a repeat while the first still runs is told to wait. It also
// rejects JSON bodies that are not UTF-8 (the JSON decoder would silently
// replace the bad bytes).
//
// The key is reserved by the request's first write, inside its transaction
// (a store.Claim), so that creating the resource and reserving its key are
// one commit: a repeat, at the same time or later, finds the key taken when
// it comes to write and is answered with what the key holds, and a request
// that fails leaves no reservation. The reservation names the resource the
// write created (the first entity it audited), so the key leads to that
// resource from the commit on, whatever happens to the process afterwards.
// A first request is not looked up before it runs: repeats are rare, and
// the lookup cost every create an indexed read (measured: 5 to 8 % of a
// service request's time). A repeat of a key whose request finished in this
// process is (recentKeys): it is answered from what the key holds with one
// read, before it runs. Any other repeat runs, and every write goes through
// the store, which takes the claim, so a repeat never writes twice. A
// request refused before it wrote anything stores the key and its answer in
// one statement at the end. See docs/DECISIONS.md.
//
// The answer of a request that wrote is stored after the response is sent,
// so that a repeat gets the very same answer; until it is, or if it never
// is (a crash in between), a repeat is answered from the resource
// (Replays). On SQLite that write does not hold up the connection (see
// pendingAnswers): it commits with whatever writes come next
// (store.DB.TxSoon). An answer that holds a secret (a token, a webhook's
// signing key) is never stored: its repeats are always answered from the
// resource, without the secret.
func (m *Middleware) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !m.Applies(r) || r.Method == http.MethodGet || r.Method == http.MethodHead || r.Body == nil {
			next.ServeHTTP(w, r)
			return
		}
		key := r.Header.Get("Idempotency-Key")
		actor, ok := policy.ActorFrom(r.Context())
		keyed := key != "" && r.Method == http.MethodPost && ok && actor.UserID != 0
		var sum [sha256.Size]byte
		if m.Streamed(r.Method, r.URL.Path) {
			// Uploads are read as a stream by their handlers, which check
			// their text; with a key, the body is hashed into a temporary file.
			if !keyed {
				next.ServeHTTP(w, r)
				return
			}
			spooled, err := m.Spool(r, &sum)
			if err != nil {
				m.Fail(w, r, err)
				return
			}
			defer spooled.Close()
		} else {
			body, err := io.ReadAll(r.Body)
			if err != nil {
				m.Fail(w, r, err)
				return
			}
			// Uploads (multipart forms) carry binary files; their text fields are checked by the domain.
			if !utf8.Valid(body) && !strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
				m.Problem(w, problem.MalformedRequest, "the body is not valid UTF-8")
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
			sum = sha256.Sum256(append([]byte(r.Method+" "+r.URL.RequestURI()+"\n"), body...))
		}
		if !keyed {
			next.ServeHTTP(w, r)
			return
		}
		if len(key) > 200 {
			m.Problem(w, problem.Invalid, "Idempotency-Key must be at most 200 characters")
			return
		}
		k := requestKey{userID: actor.UserID, key: key, method: r.Method, path: r.URL.Path, hash: hex.EncodeToString(sum[:]), now: m.Now().UTC()}
		m.answers.wait(r.Context(), k)
		if m.finishedRepeat(w, r, k) {
			return
		}
		// The key is reserved by the request's first write, in its transaction.
		ctx, claim := store.WithClaim(r.Context(), func(ctx context.Context, q store.Queryer, written store.Written) error {
			return putKey(ctx, q, k, storedAnswer{written: written})
		})
		rec := &captureWriter{ResponseWriter: w, header: http.Header{}}
		next.ServeHTTP(rec, r.WithContext(ctx))
		// What follows writes outside the claim, and even if the client left.
		ctx = context.WithoutCancel(r.Context())
		switch {
		case errors.Is(claim.Err(), errKeyTaken):
			// A repeat running at the same time reserved the key first.
			m.replayStored(w, r, k)
		case claim.Held():
			rec.flush()
			if rec.status >= 500 {
				// A failure after the write committed (its deadline passed, say)
				// keeps the key: it names what was written, and a repeat is
				// answered from that, never made again.
				if claim.Written().Entity == "" {
					_ = dropKey(ctx, m.DB, k)
				} else {
					m.recent.remember(k)
				}
				return
			}
			if !m.Replays.Withheld(r.URL.Path) {
				m.storeAnswer(ctx, k, rec)
			}
			// An answer that holds a secret is not stored: repeats are
			// answered from the resource the reservation names.
			m.recent.remember(k)
		case rec.status >= 500 || rec.status == 0:
			rec.flush()
		default:
			// The request changed nothing (it was refused): its answer is
			// stored with the key in one statement.
			err := putKey(ctx, m.DB, k, storedAnswer{status: rec.status, contentType: rec.header.Get("Content-Type"), body: rec.body.Bytes()})
			if errors.Is(err, errKeyTaken) {
				m.replayStored(w, r, k)
				return
			}
			if err != nil {
				m.Log.Error("store idempotent response", "err", err)
			} else {
				m.recent.remember(k)
			}
			rec.flush()
		}
	})
}

// finishedRepeat answers a repeat whose key's request finished from what
// the key holds (its answer, or the resource it names), before the request
// runs: one read. It reports false when the request must run: the key is
// not one this process saw finish, or it is no longer found, has expired,
// or is held by a request that has not finished.
func (m *Middleware) finishedRepeat(w http.ResponseWriter, r *http.Request, k requestKey) bool {
	if !m.recent.seen(k) {
		return false
	}
	row, err := storedKey(r.Context(), m.DB, k)
	if err != nil || !row.finished(k.now) {
		return false
	}
	m.replay(w, r, k, row)
	return true
}

// storeAnswer stores the answer of a request that wrote with its key's
// reservation: on SQLite in the background (pendingAnswers), on PostgreSQL
// at once.
func (m *Middleware) storeAnswer(ctx context.Context, k requestKey, rec *captureWriter) {
	update := func(q store.Queryer) error {
		return saveAnswer(ctx, q, k, rec.status, rec.header.Get("Content-Type"), rec.body.Bytes())
	}
	save := func() {
		var err error
		if m.DB.GroupsWrites() {
			err = m.DB.TxSoon(ctx, func(tx *sqlx.Tx) error { return update(tx) })
		} else {
			// One statement commits by itself: no BEGIN and COMMIT round trips.
			err = update(m.DB)
		}
		if err != nil {
			m.Log.Error("store idempotent response", "err", err)
		}
	}
	if m.DB.GroupsWrites() {
		m.answers.store(k, save)
	} else {
		// PostgreSQL commits it alone either way; in the background it
		// only competes with the next request (measured: the p99 doubled).
		save()
	}
}

// requestKey is an Idempotency-Key as one request presents it.
type requestKey struct {
	userID       int64
	key          string
	method, path string
	hash         string // of the method, URI and body
	now          time.Time
}

// captureWriter buffers a response so that it can be stored, then sends it.
type captureWriter struct {
	http.ResponseWriter
	header http.Header
	status int
	body   bytes.Buffer
}

func (c *captureWriter) Header() http.Header { return c.header }
func (c *captureWriter) WriteHeader(code int) {
	if c.status == 0 {
		c.status = code
	}
}
func (c *captureWriter) Write(b []byte) (int, error) {
	if c.status == 0 {
		c.status = http.StatusOK
	}
	return c.body.Write(b)
}

func (c *captureWriter) flush() {
	for k, v := range c.header {
		c.ResponseWriter.Header()[k] = v
	}
	if c.status == 0 {
		c.status = http.StatusOK
	}
	c.ResponseWriter.WriteHeader(c.status)
	_, _ = c.ResponseWriter.Write(c.body.Bytes())
}
