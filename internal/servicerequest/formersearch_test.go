package servicerequest

import (
	"context"
	"strings"
	"unicode"

	"aftersales/internal/policy"
	"aftersales/internal/store"
)

// The search as it ran before it read its index in the index's order: the
// matches' ids collected from the index (or number and serial number
// scanned with LIKE), then the urgency order over them. BenchmarkLists
// compares it with List in the same run.

func (s *Service) SearchInUrgencyOrder(ctx context.Context, actor policy.Actor, query string, limit int) (Page, error) {
	if _, err := s.IndexPending(ctx); err != nil {
		return Page{}, err
	}
	where, args := s.visibility(actor)
	cond, qargs := formerSearchCondition(s.DB.Dialect(), query)
	all := selection{[]string{where, cond}, append(args, qargs...)}
	return s.urgencyPage(ctx, all, all, nil, limit)
}

func formerSearchCondition(d store.Dialect, query string) (string, []any) {
	q := strings.ToLower(strings.TrimSpace(query))
	like := "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(q) + "%"
	direct := `LOWER(r.number) LIKE ? ESCAPE '\' OR LOWER(r.serial_number) LIKE ? ESCAPE '\'`
	terms := SearchTokens(q)
	hanOnly := len(terms) == 1 && len([]rune(terms[0])) == 1 && unicode.Is(unicode.Han, []rune(terms[0])[0])
	if len(terms) == 0 || hanOnly {
		return "(" + direct + ` OR LOWER(r.description) LIKE ? ESCAPE '\')`, []any{like, like, like}
	}
	if d.Postgres() {
		return "(" + direct + ` OR r.id IN (SELECT request_id FROM request_search WHERE tokens @@ to_tsquery('simple', ?)))`,
			[]any{like, like, matchExpr(d, terms)}
	}
	return "(" + direct + ` OR r.id IN (SELECT rowid FROM request_fts WHERE request_fts MATCH ?))`, []any{like, like, matchExpr(d, terms)}
}
