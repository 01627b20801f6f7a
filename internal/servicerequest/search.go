package servicerequest

import (
	"cmp"
	"context"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/problem"
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

// indexBatch is how many requests IndexPending indexes per transaction.
const indexBatch = 500

// lastIndexed is the highest request id in SQLite's search index.
const lastIndexed = `COALESCE((SELECT rowid FROM request_fts ORDER BY rowid DESC LIMIT 1), 0)`

// IndexPending indexes, on SQLite, the requests filed since the last run:
// those with an id above the highest in the index (ids only grow, as
// SQLite writes one transaction at a time). It returns how many it indexed.
// PostgreSQL has nothing pending.
func (s *Service) IndexPending(ctx context.Context) (int, error) {
	if s.DB.Dialect().Postgres() {
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

// SearchIndex is the table of the search index on the dialect's engine, its
// columns (the request's id, then its terms joined by spaces) and the values
// of one row, for writers that fill the index in bulk: PostgreSQL makes the
// tsvector as the row is inserted.
func SearchIndex(d store.Dialect) (table, columns, row string) {
	if d.Postgres() {
		return "request_search", "request_id, tokens", "(?, to_tsvector('simple', ?))"
	}
	return "request_fts", "rowid, tokens", "(?, ?)"
}

// numberPattern is a request's number as Number writes it; the id is its
// last part.
var numberPattern = regexp.MustCompile(`^(?i)SR\d{4}-(\d{1,18})$`)

// search returns one page of the requests matching query among those conds
// select, newest first (by id, descending), with a cursor on the id.
//
// The order is the index's own: FTS5 keeps each term's requests in rowid
// order and reads them backwards lazily, so a page is read up to its last
// row and no further, however many requests match; on PostgreSQL a bounded
// walk of request_search's primary key finds the newest matches of a
// common term, and the GIN index the few matches of a rare one (termsPage). Ranking the matches by anything other
// than an order the index holds would read every match to rank them (in
// urgency order: a sort of all matches) before the first page.
//
// A request is found by the terms of its description, by its number (the
// id within it: the primary key) or by its serial number (exactly, in
// capitals as serial numbers are stored: an index on it). These are merged by id. A single
// Chinese character, which the index holds only inside its pairs, is looked
// for in the descriptions themselves, read newest first until the page is
// full (every description, when the character is rare).
func (s *Service) search(ctx context.Context, query string, conds []string, args []any, c *cursor, limit int) (Page, error) {
	if c != nil && c.hasDue {
		return Page{}, problem.Field("query.cursor", "is not a cursor from a previous page")
	}
	if _, err := s.IndexPending(ctx); err != nil {
		return Page{}, err
	}
	before := int64(math.MaxInt64)
	if c != nil {
		before = c.id
	}
	where := strings.Join(conds, " AND ")
	q := strings.ToLower(strings.TrimSpace(query))
	terms := SearchTokens(q)

	// By number or serial number.
	direct := []string{`r.serial_number = ?`}
	dargs := []any{strings.ToUpper(strings.TrimSpace(query))}
	if m := numberPattern.FindStringSubmatch(strings.TrimSpace(query)); m != nil {
		if id, err := strconv.ParseInt(m[1], 10, 64); err == nil {
			direct = append(direct, `r.id = ?`)
			dargs = append(dargs, id)
		}
	}
	var items []Request
	err := store.Select(ctx, s.DB, &items, `SELECT `+prefixed(requestColumns)+` FROM service_requests r
		WHERE (`+strings.Join(direct, " OR ")+`) AND r.id < ? AND `+where+` ORDER BY r.id DESC LIMIT ?`,
		append(append(dargs, before), append(slices.Clone(args), limit+1)...)...)
	if err != nil {
		return Page{}, err
	}

	// By the terms of the description.
	var text []Request
	hanOnly := len(terms) == 1 && len([]rune(terms[0])) == 1 && unicode.Is(unicode.Han, []rune(terms[0])[0])
	switch {
	case hanOnly:
		err = store.Select(ctx, s.DB, &text, `SELECT `+prefixed(requestColumns)+` FROM service_requests r
			WHERE r.description LIKE ? AND r.id < ? AND `+where+` ORDER BY r.id DESC LIMIT ?`,
			append([]any{"%" + terms[0] + "%", before}, append(slices.Clone(args), limit+1)...)...)
	case len(terms) > 0:
		text, err = s.termsPage(ctx, where, matchExpr(s.DB.Dialect(), terms), before, args, limit+1)
	}
	if err != nil {
		return Page{}, err
	}

	// Both runs are newest first: merged, without repeats, to one page.
	items = append(items, text...)
	slices.SortFunc(items, func(a, b Request) int { return cmp.Compare(b.ID, a.ID) })
	items = slices.CompactFunc(items, func(a, b Request) bool { return a.ID == b.ID })
	p := Page{Items: items}
	if len(items) > limit {
		p.Items = items[:limit]
		p.Next = cursor{id: p.Items[limit-1].ID}.String()
	}
	if p.Items == nil {
		p.Items = []Request{}
	}
	return p, nil
}

// How PostgreSQL's search reads the matches of its terms, in up to two
// statements, so that the cost follows the page and not the planner's
// estimate of the terms (an estimate of thousands of matches for a term
// with none had it walk the whole table backwards):
//   - first the newest searchWindow requests below the cursor are walked
//     backwards by the primary key, checking the terms: a common term fills
//     its page there;
//   - when it met the terms often enough to fill the page within
//     searchReach more requests, those are walked too;
//   - when that did not fill it, at most searchProbe older matches
//     are taken from the GIN index alone. Fewer than that, and they are all
//     there is: sorted and paged. As many, and the term is common enough
//     for the walk to go on, without bound, to meet the rest of the page.
const (
	searchWindow = 2000
	searchReach  = 8000
	searchProbe  = 4000
)

// termsPage returns the requests whose description has every term (match,
// the engine's expression), below the id before, among those where (with
// its args) selects, newest first, at most limit.
func (s *Service) termsPage(ctx context.Context, where, match string, before int64, args []any, limit int) ([]Request, error) {
	var out []Request
	if !s.DB.Dialect().Postgres() {
		// CROSS JOIN keeps the index as the outer loop, read in its own order.
		err := store.Select(ctx, s.DB, &out, `SELECT `+prefixed(requestColumns)+` FROM request_fts f CROSS JOIN service_requests r ON r.id = f.rowid
			WHERE f.request_fts MATCH ? AND f.rowid < ? AND `+where+` ORDER BY f.rowid DESC LIMIT ?`,
			slices.Concat([]any{match, before}, args, []any{limit})...)
		return out, err
	}
	walk := func(extra, matches string) string {
		return `SELECT ` + prefixed(requestColumns) + ` FROM request_search t JOIN service_requests r ON r.id = t.request_id
			WHERE ` + extra + matches + ` AND t.request_id < ? AND ` + where + ` ORDER BY t.request_id DESC LIMIT ?`
	}
	if s.unprobed {
		err := store.Select(ctx, s.DB, &out, walk("", `t.tokens @@ to_tsquery('simple', ?)`), slices.Concat([]any{match, before}, args, []any{limit})...)
		return out, err
	}
	// The walks check the terms with ts_match_vq, the function behind @@,
	// which no index serves: a cached generic plan, not knowing the terms,
	// would otherwise read every match from the GIN index to intersect it
	// with the window.
	const walkMatch = `ts_match_vq(t.tokens, to_tsquery('simple', ?))`
	window, reach, probe := searchWindow, searchReach, searchProbe
	if s.probe > 0 {
		window, reach, probe = s.window, s.reach, s.probe
	}
	// The oldest id of the window: an index-only read of window entries.
	const bottom = `COALESCE((SELECT request_id FROM request_search WHERE request_id < ? ORDER BY request_id DESC OFFSET ? LIMIT 1), 0)`
	err := store.Select(ctx, s.DB, &out, walk(`t.request_id >= `+bottom+` AND `, walkMatch),
		slices.Concat([]any{before, window - 1, match, before}, args, []any{limit})...)
	if err != nil || len(out) == limit {
		return out, err
	}
	// A term the window met often enough to fill the page within reach
	// more requests is walked on that far: the probe would read its
	// matches from the GIN index in the table's order, up to probe of them
	// (two common terms at a million requests: a second).
	if k := len(out); k > 0 && (limit-k)*window <= k*reach {
		var more []Request
		err := store.Select(ctx, s.DB, &more, walk(`t.request_id >= `+bottom+` AND t.request_id < `+bottom+` AND `, walkMatch),
			slices.Concat([]any{before, window + reach - 1, before, window - 1, match, before}, args, []any{limit - k})...)
		out = append(out, more...)
		if err != nil || len(out) == limit {
			return out, err
		}
		window += reach
	}
	// The probe is MATERIALIZED: read once, from the GIN index (see
	// request_search_probe, migration 00040); of the two branches only the
	// one its count picks runs.
	var older []Request
	err = store.Select(ctx, s.DB, &older, `WITH hits AS MATERIALIZED (SELECT h AS request_id FROM request_search_probe(to_tsquery('simple', ?), `+bottom+`, ?) AS h)
		(SELECT `+prefixed(requestColumns)+` FROM hits t JOIN service_requests r ON r.id = t.request_id
			WHERE (SELECT count(*) FROM hits) < ? AND `+where+` ORDER BY r.id DESC LIMIT ?)
		UNION ALL
		(`+walk(`(SELECT count(*) FROM hits) >= ? AND t.request_id < `+bottom+` AND `, walkMatch)+`)
		ORDER BY id DESC`,
		slices.Concat([]any{match, before, window - 1, probe, probe}, args, []any{limit - len(out), probe, before, window - 1, match, before}, args, []any{limit - len(out)})...)
	return append(out, older...), err
}

// matchExpr is the dialect's full-text query for terms, all of which must
// match; the last Latin word matches as a prefix while the user types.
func matchExpr(d store.Dialect, terms []string) string {
	lastLatin := !unicode.Is(unicode.Han, []rune(terms[len(terms)-1])[0])
	parts := make([]string, len(terms))
	if d.Postgres() {
		for i, t := range terms {
			parts[i] = "'" + strings.ReplaceAll(t, "'", "''") + "'"
			if i == len(terms)-1 && lastLatin {
				parts[i] += ":*"
			}
		}
		return strings.Join(parts, " & ")
	}
	for i, t := range terms {
		parts[i] = `"` + strings.ReplaceAll(t, `"`, `""`) + `"`
		if i == len(terms)-1 && lastLatin {
			parts[i] += "*"
		}
	}
	return strings.Join(parts, " AND ")
}
