package servicerequest

import (
	"context"
	"strings"
	"unicode"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/store"
)

// Full-text search over descriptions. Both engines index the same terms,
// made here: each run of letters and digits becomes one lowercased word,
// and each run of Chinese (Han) characters, which has no spaces, becomes
// its overlapping character pairs ("主轴报警" → 主轴 轴报 报警), so that any
// substring of two or more characters is found. A query is tokenized the
// same way and every term must match; the last Latin word matches as a
// prefix while the user types. A one-character Chinese query has no pair
// to look up and falls back to a substring scan (LIKE) of the descriptions
// the actor may see. SQLite keeps the terms in an FTS5 table, PostgreSQL in
// a tsvector with the 'simple' configuration and a GIN index; that choice is
// the only engine-specific SQL of the package and lives in this file.
//
// PostgreSQL indexes a request in the transaction that files it. SQLite
// indexes new requests in batches instead (IndexPending): FTS5 writes a new
// index segment for every transaction (indeed for every statement after an
// insert into it), which was a sixth of the writer's time for filing a
// request, while a batch shares one segment. A search first indexes what is
// pending, so that it always finds the newest requests; the clock job's
// schedule keeps the backlog small.

// SearchTokens returns the index terms of a text.
func SearchTokens(text string) []string {
	var out []string
	var word []rune
	var han []rune
	flushWord := func() {
		if len(word) > 0 {
			out = append(out, string(word))
			word = word[:0]
		}
	}
	flushHan := func() {
		switch {
		case len(han) == 1:
			out = append(out, string(han))
		case len(han) > 1:
			for i := 0; i+1 < len(han); i++ {
				out = append(out, string(han[i:i+2]))
			}
		}
		han = han[:0]
	}
	for _, r := range strings.ToLower(text) {
		switch {
		case unicode.Is(unicode.Han, r):
			flushWord()
			han = append(han, r)
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			flushHan()
			word = append(word, r)
		default:
			flushWord()
			flushHan()
		}
	}
	flushWord()
	flushHan()
	return out
}

// indexRequest stores the search terms of a request's description in tx,
// on PostgreSQL; SQLite indexes in batches (IndexPending).
func indexRequest(ctx context.Context, q store.Queryer, engine store.Engine, id int64, description string) error {
	if engine != store.Postgres {
		return nil
	}
	_, err := store.Exec(ctx, q, `INSERT INTO request_search (request_id, tokens) VALUES (?, to_tsvector('simple', ?))
		ON CONFLICT (request_id) DO UPDATE SET tokens = excluded.tokens`, id, strings.Join(SearchTokens(description), " "))
	return err
}

// indexBatch is how many requests IndexPending indexes per transaction.
const indexBatch = 500

// lastIndexed is the highest request id in SQLite's search index.
const lastIndexed = `COALESCE((SELECT rowid FROM request_fts ORDER BY rowid DESC LIMIT 1), 0)`

// IndexPending indexes, on SQLite, the requests filed since the last run:
// those with an id above the highest in the index (ids only grow, as
// SQLite writes one transaction at a time). It returns how many it indexed.
// PostgreSQL has nothing pending.
func (s *Service) IndexPending(ctx context.Context) (int, error) {
	if s.DB.Engine != store.SQLite {
		return 0, nil
	}
	total := 0
	for {
		var pending bool
		err := store.Get(ctx, s.DB, &pending, `SELECT EXISTS (SELECT 1 FROM service_requests WHERE id > `+lastIndexed+`)`)
		if err != nil || !pending {
			return total, err
		}
		n := 0
		err = s.DB.Tx(ctx, func(tx *sqlx.Tx) error {
			// Read again in the write: another indexer may have run meanwhile.
			var rows []struct {
				ID          int64  `db:"id"`
				Description string `db:"description"`
			}
			if err := store.Select(ctx, tx, &rows, `SELECT id, description FROM service_requests WHERE id > `+lastIndexed+` ORDER BY id LIMIT ?`, indexBatch); err != nil {
				return err
			}
			for _, r := range rows {
				if _, err := store.Exec(ctx, tx, `INSERT INTO request_fts (rowid, tokens) VALUES (?, ?)`, r.ID, strings.Join(SearchTokens(r.Description), " ")); err != nil {
					return err
				}
			}
			n = len(rows)
			return nil
		})
		total += n
		if err != nil || n < indexBatch {
			return total, err
		}
	}
}

// searchCondition is the SQL condition (on alias r) matching a query, with
// its arguments: the number or serial number contains it, or the
// description's terms match; ok is false for a query with no terms.
func searchCondition(engine store.Engine, query string) (string, []any) {
	q := strings.ToLower(strings.TrimSpace(query))
	like := "%" + escapeLike(q) + "%"
	direct := `LOWER(r.number) LIKE ? ESCAPE '\' OR LOWER(r.serial_number) LIKE ? ESCAPE '\'`
	terms := SearchTokens(q)
	hanOnly := len(terms) == 1 && len([]rune(terms[0])) == 1 && unicode.Is(unicode.Han, []rune(terms[0])[0])
	if len(terms) == 0 || hanOnly {
		return "(" + direct + ` OR LOWER(r.description) LIKE ? ESCAPE '\')`, []any{like, like, like}
	}
	lastLatin := !unicode.Is(unicode.Han, []rune(terms[len(terms)-1])[0])
	parts := make([]string, len(terms))
	if engine == store.Postgres {
		for i, t := range terms {
			parts[i] = "'" + strings.ReplaceAll(t, "'", "''") + "'"
			if i == len(terms)-1 && lastLatin {
				parts[i] += ":*"
			}
		}
		return "(" + direct + ` OR r.id IN (SELECT request_id FROM request_search WHERE tokens @@ to_tsquery('simple', ?)))`,
			[]any{like, like, strings.Join(parts, " & ")}
	}
	for i, t := range terms {
		parts[i] = `"` + strings.ReplaceAll(t, `"`, `""`) + `"`
		if i == len(terms)-1 && lastLatin {
			parts[i] += "*"
		}
	}
	return "(" + direct + ` OR r.id IN (SELECT rowid FROM request_fts WHERE request_fts MATCH ?))`, []any{like, like, strings.Join(parts, " AND ")}
}
