package idempotency

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"aftersales/internal/problem"
	"aftersales/internal/store"
)

// Replays answer a repeated create from the resource its first request
// created, when no answer is stored for it (the API's api.Replays).
type Replays interface {
	// Withheld reports whether the answer of a POST to path holds a
	// secret and must not be kept.
	Withheld(path string) bool
	// Answer renders the answer to a repeat of the POST to path whose
	// request created the entity id; ok is false if that create has no
	// replay.
	Answer(ctx context.Context, path, entity, id string) (out Replayed, ok bool, err error)
}

// A Replayed answer: what a repeat of the create is told.
type Replayed struct {
	Status int
	Header http.Header
	Body   []byte
}

// replayStored answers with what the key holds now.
func (m *Middleware) replayStored(w http.ResponseWriter, r *http.Request, k requestKey) {
	row, err := storedKey(context.WithoutCancel(r.Context()), m.DB, k)
	switch {
	case errors.Is(err, store.ErrNotFound):
		// The request holding it failed and gave it back: try again.
		row = storedKeyRow{Hash: k.hash}
	case err != nil:
		m.Fail(w, r, err)
		return
	}
	if row.finished(k.now) {
		m.recent.remember(k)
	}
	m.replay(w, r, k, row)
}

func (m *Middleware) replay(w http.ResponseWriter, r *http.Request, k requestKey, row storedKeyRow) {
	switch {
	case row.Hash != k.hash:
		m.Problem(w, problem.IdempotencyReuse, "this Idempotency-Key was used for a different request")
	case row.Status == 0 && row.Entity != "":
		// The first request committed its resource; its answer is not
		// stored (yet, or ever): answer from the resource.
		out, ok, err := m.Replays.Answer(r.Context(), k.path, row.Entity, row.EntityID)
		switch {
		case err != nil:
			w.Header().Set("Idempotent-Replayed", "true")
			m.Fail(w, r, err)
		case ok:
			for name, v := range out.Header {
				w.Header()[name] = v
			}
			w.Header().Set("Idempotent-Replayed", "true")
			w.WriteHeader(out.Status)
			_, _ = w.Write(out.Body)
		default:
			w.Header().Set("Retry-After", "1")
			m.Problem(w, problem.Conflict, fmt.Sprintf("the request with this Idempotency-Key was carried out (%s %s); its answer is not stored yet",
				row.Entity, row.EntityID))
		}
	case row.Status == 0:
		w.Header().Set("Retry-After", "1")
		m.Problem(w, problem.Conflict, "a request with this Idempotency-Key is still being processed")
	default:
		w.Header().Set("Content-Type", row.ContentType)
		w.Header().Set("Idempotent-Replayed", "true")
		w.WriteHeader(row.Status)
		_, _ = w.Write(row.Body)
	}
}
