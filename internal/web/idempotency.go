package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/api"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/store"
)

// IdempotencyTTL is how long a key answers with its first result.
const IdempotencyTTL = 24 * time.Hour

// idempotency makes API creates safe to repeat. The first request with an
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
// A repeat is not looked up before it runs: repeats are rare, and the
// lookup cost every create an indexed read (measured: 5 to 8 % of a
// service request's time). Every write goes through the store, which takes
// the claim, so a repeat never writes twice. A request refused before it
// wrote anything stores the key and its answer in one statement at the end.
// See docs/DECISIONS.md.
//
// The answer of a request that wrote is stored after the response is sent,
// so that a repeat gets the very same answer; until it is, or if it never
// is (a crash in between), a repeat is answered from the resource
// (api.Replays). On SQLite that write does not hold up the connection (see
// pendingAnswers): it commits with whatever writes come next
// (store.DB.TxSoon). An answer that holds a secret (a token, a webhook's
// signing key) is never stored: its repeats are always answered from the
// resource, without the secret.
func (s *Server) idempotency(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !isAPI(r) || r.Method == http.MethodGet || r.Method == http.MethodHead || r.Body == nil {
			next.ServeHTTP(w, r)
			return
		}
		key := r.Header.Get("Idempotency-Key")
		actor, ok := policy.ActorFrom(r.Context())
		keyed := key != "" && r.Method == http.MethodPost && ok && actor.UserID != 0
		var sum [sha256.Size]byte
		if isStreamedUpload(r.Method, r.URL.Path) {
			// Uploads are read as a stream by their handlers, which check
			// their text; with a key, the body is hashed into a temporary file.
			if !keyed {
				next.ServeHTTP(w, r)
				return
			}
			spooled, err := spoolBody(r, &sum)
			if err != nil {
				s.fail(w, r, err)
				return
			}
			defer spooled.Close()
		} else {
			body, err := io.ReadAll(r.Body)
			if err != nil {
				s.fail(w, r, err)
				return
			}
			// Uploads (multipart forms) carry binary files; their text fields are checked by the domain.
			if !utf8.Valid(body) && !strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
				api.WriteProblem(w, problem.MalformedRequest, "the body is not valid UTF-8")
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
			api.WriteProblem(w, problem.Invalid, "Idempotency-Key must be at most 200 characters")
			return
		}
		k := idemKey{userID: actor.UserID, key: key, method: r.Method, path: r.URL.Path, hash: hex.EncodeToString(sum[:]), now: s.Now().UTC()}
		s.answers.wait(r.Context(), k)
		// The key is reserved by the request's first write, in its transaction.
		ctx, claim := store.WithClaim(r.Context(), func(ctx context.Context, q store.Queryer, written store.Written) error {
			return s.putKey(ctx, q, k, storedAnswer{written: written})
		})
		rec := &captureWriter{ResponseWriter: w, header: http.Header{}}
		next.ServeHTTP(rec, r.WithContext(ctx))
		// What follows writes outside the claim, and even if the client left.
		ctx = context.WithoutCancel(r.Context())
		switch {
		case errors.Is(claim.Err(), errKeyTaken):
			// A repeat running at the same time reserved the key first.
			s.replayStored(w, r, k)
		case claim.Held():
			rec.flush()
			if rec.status >= 500 {
				// A failure after the write committed (its deadline passed, say)
				// keeps the key: it names what was written, and a repeat is
				// answered from that, never made again.
				if claim.Written().Entity == "" {
					_, _ = store.Exec(ctx, s.DB, `DELETE FROM idempotency_keys WHERE user_id = ? AND key = ?`, k.userID, k.key)
				}
				return
			}
			if s.replays.Withheld(r.URL.Path) {
				// The answer holds a secret: repeats are answered from the
				// resource the reservation names.
				return
			}
			update := func(q store.Queryer) error {
				_, err := store.Exec(ctx, q, `UPDATE idempotency_keys SET status = ?, content_type = ?, body = ? WHERE user_id = ? AND key = ?`,
					rec.status, rec.header.Get("Content-Type"), rec.body.Bytes(), k.userID, k.key)
				return err
			}
			save := func() {
				var err error
				if s.DB.GroupsWrites() {
					err = s.DB.TxSoon(ctx, func(tx *sqlx.Tx) error { return update(tx) })
				} else {
					// One statement commits by itself: no BEGIN and COMMIT round trips.
					err = update(s.DB)
				}
				if err != nil {
					s.Log.Error("store idempotent response", "err", err)
				}
			}
			if s.DB.GroupsWrites() {
				s.answers.store(k, save)
			} else {
				// PostgreSQL commits it alone either way; in the background it
				// only competes with the next request (measured: the p99 doubled).
				save()
			}
		case rec.status >= 500 || rec.status == 0:
			rec.flush()
		default:
			// The request changed nothing (it was refused): its answer is
			// stored with the key in one statement.
			err := s.putKey(ctx, s.DB, k, storedAnswer{status: rec.status, contentType: rec.header.Get("Content-Type"), body: rec.body.Bytes()})
			if errors.Is(err, errKeyTaken) {
				s.replayStored(w, r, k)
				return
			}
			if err != nil {
				s.Log.Error("store idempotent response", "err", err)
			}
			rec.flush()
		}
	})
}

// pendingAnswers are the answers being stored, on SQLite, after their
// responses were sent. Storing one is a write of its own; waiting for it
// would keep the connection from its next request until a group of writes
// commits, while in the background it joins the group of the next requests.
// A crash before it commits leaves the key reserved without an answer but
// naming the resource, which repeats are then answered from.
type pendingAnswers struct {
	mu      sync.Mutex
	pending map[answerKey]chan struct{}
	running sync.WaitGroup
}

type answerKey struct {
	userID int64
	key    string
}

// store runs save in the background, noting the key as pending until it ends.
func (p *pendingAnswers) store(k idemKey, save func()) {
	ak := answerKey{k.userID, k.key}
	done := make(chan struct{})
	p.mu.Lock()
	if p.pending == nil {
		p.pending = map[answerKey]chan struct{}{}
	}
	p.pending[ak] = done
	p.mu.Unlock()
	p.running.Add(1)
	go func() {
		defer p.running.Done()
		save()
		p.mu.Lock()
		if p.pending[ak] == done {
			delete(p.pending, ak)
		}
		p.mu.Unlock()
		close(done)
	}()
}

// wait returns once the key's answer, if pending, is stored (or ctx ends).
func (p *pendingAnswers) wait(ctx context.Context, k idemKey) {
	p.mu.Lock()
	done := p.pending[answerKey{k.userID, k.key}]
	p.mu.Unlock()
	if done == nil {
		return
	}
	select {
	case <-done:
	case <-ctx.Done():
	}
}

// Drain waits for the answers still being stored; the server calls it
// after it stops taking requests, before the database closes.
func (s *Server) Drain() { s.answers.running.Wait() }

// idemKey is an Idempotency-Key as one request presents it.
type idemKey struct {
	userID       int64
	key          string
	method, path string
	hash         string // of the method, URI and body
	now          time.Time
}

// storedKeyRow is a key's row: the request it was first used for, the
// entity its first write created or changed (committed with it), and,
// once that request has finished, its answer (status 0 until then, and
// for ever if the answer holds a secret or the process died first).
type storedKeyRow struct {
	Hash        string    `db:"request_hash"`
	Status      int       `db:"status"`
	ContentType string    `db:"content_type"`
	Body        []byte    `db:"body"`
	Entity      string    `db:"entity"`
	EntityID    string    `db:"entity_id"`
	CreatedAt   time.Time `db:"created_at"`
}

// storedAnswer is what a key is stored with: the answer of a request that
// wrote nothing, or the reservation of one that writes (status 0) naming
// what it wrote.
type storedAnswer struct {
	status      int
	contentType string
	body        []byte
	written     store.Written
}

// errKeyTaken means another request holds the key. It is a problem, not an
// internal error, because a handler whose write took the claim returns it
// (and the middleware then answers with the stored response instead).
var errKeyTaken = problem.New(problem.Conflict, "a request with this Idempotency-Key is still being processed")

func (s *Server) storedKey(ctx context.Context, k idemKey) (storedKeyRow, error) {
	var row storedKeyRow
	err := store.Get(ctx, s.DB, &row, `SELECT request_hash, status, content_type, body, entity, entity_id, created_at FROM idempotency_keys
		WHERE user_id = ? AND key = ?`, k.userID, k.key)
	return row, err
}

// putKey stores the key with an answer (status 0: none yet), replacing a
// stored key that is no longer live; errKeyTaken if a live one holds it.
// Keys expire after the TTL. A reservation that names no entity and has no
// answer is given up after a minute: its write audited nothing (a write
// that creates or changes a resource always does), so running it again
// duplicates nothing. One that names its resource lives its whole TTL.
func (s *Server) putKey(ctx context.Context, q store.Queryer, k idemKey, a storedAnswer) error {
	body := a.body
	if body == nil {
		body = []byte{}
	}
	res, err := store.Exec(ctx, q, `INSERT INTO idempotency_keys (user_id, key, method, path, request_hash, status, content_type, body, entity, entity_id, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (user_id, key) DO UPDATE SET method = excluded.method, path = excluded.path, request_hash = excluded.request_hash,
			status = excluded.status, content_type = excluded.content_type, body = excluded.body,
			entity = excluded.entity, entity_id = excluded.entity_id, created_at = excluded.created_at
		WHERE idempotency_keys.created_at < ? OR (idempotency_keys.status = 0 AND idempotency_keys.entity = '' AND idempotency_keys.created_at < ?)`,
		k.userID, k.key, k.method, k.path, k.hash, a.status, a.contentType, body, a.written.Entity, a.written.ID, k.now,
		k.now.Add(-IdempotencyTTL), k.now.Add(-time.Minute))
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return errKeyTaken
	}
	return nil
}

// replayStored answers with what the key holds now.
func (s *Server) replayStored(w http.ResponseWriter, r *http.Request, k idemKey) {
	row, err := s.storedKey(context.WithoutCancel(r.Context()), k)
	switch {
	case errors.Is(err, store.ErrNotFound):
		// The request holding it failed and gave it back: try again.
		row = storedKeyRow{Hash: k.hash}
	case err != nil:
		s.fail(w, r, err)
		return
	}
	s.replay(w, r, k, row)
}

func (s *Server) replay(w http.ResponseWriter, r *http.Request, k idemKey, row storedKeyRow) {
	switch {
	case row.Hash != k.hash:
		api.WriteProblem(w, problem.IdempotencyReuse, "this Idempotency-Key was used for a different request")
	case row.Status == 0 && row.Entity != "":
		// The first request committed its resource; its answer is not
		// stored (yet, or ever): answer from the resource.
		out, ok, err := s.replays.Answer(r.Context(), k.path, row.Entity, row.EntityID)
		switch {
		case err != nil:
			w.Header().Set("Idempotent-Replayed", "true")
			s.fail(w, r, err)
		case ok:
			for name, v := range out.Header {
				w.Header()[name] = v
			}
			w.Header().Set("Idempotent-Replayed", "true")
			w.WriteHeader(out.Status)
			_, _ = w.Write(out.Body)
		default:
			w.Header().Set("Retry-After", "1")
			api.WriteProblem(w, problem.Conflict, fmt.Sprintf("the request with this Idempotency-Key was carried out (%s %s); its answer is not stored yet",
				row.Entity, row.EntityID))
		}
	case row.Status == 0:
		w.Header().Set("Retry-After", "1")
		api.WriteProblem(w, problem.Conflict, "a request with this Idempotency-Key is still being processed")
	default:
		w.Header().Set("Content-Type", row.ContentType)
		w.Header().Set("Idempotent-Replayed", "true")
		w.WriteHeader(row.Status)
		_, _ = w.Write(row.Body)
	}
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
