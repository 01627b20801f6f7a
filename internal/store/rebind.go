package store

import (
	"sync"
	"sync/atomic"

	"github.com/jmoiron/sqlx"
)

// Rebind is query with its ? placeholders as q's engine takes them: as it
// is on SQLite, with $1, $2, … on PostgreSQL. The PostgreSQL text of each
// query is kept (rebound), since sqlx builds it anew on every run: for the
// long statements of a create (the request with its event, clocks and
// totals; the notification's recipients; the key's reservation carrying
// the audit row), a few kilobytes of garbage each time, an eighth of what
// filing a request allocated.
func Rebind(q Queryer, query string) string {
	if q.DriverName() != "pgx" {
		return q.Rebind(query)
	}
	return rebound.of(query)
}

// reboundLimit bounds the bytes rebound keeps. The application's SQL is a
// fixed set of texts, a few hundred kilobytes rebound; texts built at run
// time with a varying number of placeholders (lists of ids) may pass it,
// and then everything kept is forgotten and kept again as it is used.
const reboundLimit = 4 << 20

// rebound is PostgreSQL's text of each query run, by its text as written.
var rebound reboundTexts

type reboundTexts struct {
	texts sync.Map // string → string
	bytes atomic.Int64
}

// of returns query rebound for PostgreSQL, rebinding it the first time.
func (r *reboundTexts) of(query string) string {
	if s, ok := r.texts.Load(query); ok {
		return s.(string)
	}
	s := sqlx.Rebind(sqlx.DOLLAR, query)
	if _, loaded := r.texts.LoadOrStore(query, s); !loaded {
		if r.bytes.Add(int64(len(query)+len(s))) > reboundLimit {
			r.texts.Clear()
			r.bytes.Store(0)
		}
	}
	return s
}

// Statements keeps the SQL texts that are built from a shape (how many
// rows of each kind a statement writes, say), each built once: building
// them on every run costs as much garbage as the statement is long. A
// shape's text must depend on nothing but the shape, and the shapes a
// caller uses must be few (they are kept for good).
type Statements[K comparable] struct {
	mu    sync.RWMutex
	texts map[K]string
}

// Of returns the text of shape k, built by build the first time.
func (s *Statements[K]) Of(k K, build func(K) string) string {
	s.mu.RLock()
	text, ok := s.texts[k]
	s.mu.RUnlock()
	if ok {
		return text
	}
	text = build(k)
	s.mu.Lock()
	if s.texts == nil {
		s.texts = map[K]string{}
	}
	s.texts[k] = text
	s.mu.Unlock()
	return text
}
