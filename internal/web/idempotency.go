package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

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
func (s *Server) idempotency(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !isAPI(r) || r.Method == http.MethodGet || r.Method == http.MethodHead || r.Body == nil {
			next.ServeHTTP(w, r)
			return
		}
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
		key := r.Header.Get("Idempotency-Key")
		actor, ok := policy.ActorFrom(r.Context())
		if key == "" || r.Method != http.MethodPost || !ok || actor.UserID == 0 {
			next.ServeHTTP(w, r)
			return
		}
		if len(key) > 200 {
			api.WriteProblem(w, problem.Invalid, "Idempotency-Key must be at most 200 characters")
			return
		}
		sum := sha256.Sum256(append([]byte(r.Method+" "+r.URL.RequestURI()+"\n"), body...))
		hash := hex.EncodeToString(sum[:])
		ctx := r.Context()
		now := s.Now().UTC()
		reserved, err := s.reserveKey(ctx, actor.UserID, key, r, hash, now)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if !reserved {
			s.replay(w, r, actor.UserID, key, hash)
			return
		}
		rec := &captureWriter{ResponseWriter: w, header: http.Header{}}
		next.ServeHTTP(rec, r)
		rec.flush()
		ctx = context.WithoutCancel(ctx)
		if rec.status >= 500 || rec.status == 0 {
			_, _ = store.Exec(ctx, s.DB, `DELETE FROM idempotency_keys WHERE user_id = ? AND key = ?`, actor.UserID, key)
			return
		}
		if _, err := store.Exec(ctx, s.DB, `UPDATE idempotency_keys SET status = ?, content_type = ?, body = ? WHERE user_id = ? AND key = ?`,
			rec.status, rec.header.Get("Content-Type"), rec.body.Bytes(), actor.UserID, key); err != nil {
			s.Log.Error("store idempotent response", "err", err)
		}
	})
}

func (s *Server) reserveKey(ctx context.Context, userID int64, key string, r *http.Request, hash string, now time.Time) (bool, error) {
	// Expired keys are forgotten first so that they can be reused, and so is a
	// reservation whose request died without an answer (a crash mid-request).
	if _, err := store.Exec(ctx, s.DB, `DELETE FROM idempotency_keys WHERE user_id = ? AND key = ?
		AND (created_at < ? OR (status = 0 AND created_at < ?))`,
		userID, key, now.Add(-IdempotencyTTL), now.Add(-time.Minute)); err != nil {
		return false, err
	}
	_, err := store.Exec(ctx, s.DB, `INSERT INTO idempotency_keys (user_id, key, method, path, request_hash, status, content_type, body, created_at)
		VALUES (?, ?, ?, ?, ?, 0, '', ?, ?)`, userID, key, r.Method, r.URL.Path, hash, []byte{}, now)
	if store.IsUniqueViolation(err) {
		return false, nil
	}
	return err == nil, err
}

func (s *Server) replay(w http.ResponseWriter, r *http.Request, userID int64, key, hash string) {
	var row struct {
		Hash        string `db:"request_hash"`
		Status      int    `db:"status"`
		ContentType string `db:"content_type"`
		Body        []byte `db:"body"`
	}
	if err := store.Get(r.Context(), s.DB, &row, `SELECT request_hash, status, content_type, body FROM idempotency_keys
		WHERE user_id = ? AND key = ?`, userID, key); err != nil {
		s.fail(w, r, err)
		return
	}
	switch {
	case row.Hash != hash:
		api.WriteProblem(w, problem.IdempotencyReuse, "this Idempotency-Key was used for a different request")
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
