package store

import (
	"context"
	"strconv"
	"strings"
	"sync"

	"github.com/jmoiron/sqlx"
)

// InsertLater inserts a row into table whose id nothing in the transaction
// needs, and which nothing in the transaction reads again (an audit row, a
// notification). On PostgreSQL, inside DB.Tx, the row is held back and sent
// with the transaction's last statement: the rows of one table and columns
// as one multi-row INSERT, in the order they were given, each table a step
// of a WITH prefixed to the pending Idempotency-Key claim's statement (see
// Claim), or sent alone before COMMIT when no claim waits. Either way it
// commits or rolls back with the transaction, at the cost of no round trip
// of its own. Elsewhere (SQLite, which has no round trips, or outside
// DB.Tx) it is inserted at once.
func InsertLater(ctx context.Context, q Queryer, table, columns string, values ...any) error {
	if tx, ok := q.(*sqlx.Tx); ok {
		if l, ok := laters.Load(tx); ok {
			l.(*later).add(table, columns, values)
			return nil
		}
	}
	_, err := Exec(ctx, q, `INSERT INTO `+table+` (`+columns+`) VALUES `+placeholders(len(values)), values...)
	return err
}

// laters holds the pending rows of each PostgreSQL transaction DB.Tx runs.
var laters sync.Map // *sqlx.Tx → *later

// later is one transaction's rows held back, by table and columns in the
// order each was first given.
type later struct {
	mu     sync.Mutex
	groups []*laterGroup
	// final is set once the transaction's body has returned: the claim's
	// statement, which reads nothing the rows are in, may then carry them.
	final bool
}

type laterGroup struct {
	table, columns string
	rows           int
	width          int
	args           []any
}

func (l *later) add(table, columns string, values []any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, g := range l.groups {
		if g.table == table && g.columns == columns && g.width == len(values) {
			g.rows++
			g.args = append(g.args, values...)
			return
		}
	}
	l.groups = append(l.groups, &laterGroup{table: table, columns: columns, rows: 1, width: len(values), args: values})
}

// take returns the pending rows' groups, and forgets them.
func (l *later) take() []*laterGroup {
	l.mu.Lock()
	defer l.mu.Unlock()
	groups := l.groups
	l.groups = nil
	return groups
}

// withLater prefixes a claim's statement with the rows its transaction
// holds back, if its body has returned; the statement's own rows affected
// are still what it reports (PostgreSQL counts the main statement alone).
func withLater(q Queryer, query string, args []any) (string, []any) {
	tx, ok := q.(*sqlx.Tx)
	if !ok {
		return query, args
	}
	v, ok := laters.Load(tx)
	if !ok {
		return query, args
	}
	l := v.(*later)
	l.mu.Lock()
	final := l.final
	l.mu.Unlock()
	if !final {
		return query, args
	}
	groups := l.take()
	if len(groups) == 0 {
		return query, args
	}
	return carrying(groups, query, args)
}

// markFinal notes that tx's body has returned (see later.final).
func markFinal(tx *sqlx.Tx) {
	if v, ok := laters.Load(tx); ok {
		l := v.(*later)
		l.mu.Lock()
		l.final = true
		l.mu.Unlock()
	}
}

// flushLater sends what tx still holds back, in one statement.
func flushLater(ctx context.Context, tx *sqlx.Tx) error {
	v, ok := laters.Load(tx)
	if !ok {
		return nil
	}
	groups := v.(*later).take()
	if len(groups) == 0 {
		return nil
	}
	query, args := carrying(groups, "", nil)
	_, err := tx.ExecContext(ctx, Rebind(tx, query), args...)
	return err
}

// carrying is query prefixed with the steps of a WITH inserting the rows
// of groups ("w0 AS (INSERT ...), w1 AS (...)"), or those steps alone
// (SELECT 1) when query is "", with the rows' arguments before query's.
func carrying(groups []*laterGroup, query string, args []any) (string, []any) {
	n := len(args)
	for _, g := range groups {
		n += len(g.args)
	}
	all := make([]any, 0, n)
	for _, g := range groups {
		all = append(all, g.args...)
	}
	all = append(all, args...)
	s := laterStatement{query: query}
	if len(groups) > len(s.groups) {
		return laterText(s, groups), all
	}
	for i, g := range groups {
		if g.rows > laterKeptRows {
			return laterText(s, groups), all
		}
		s.groups[i] = laterShape{table: g.table, columns: g.columns, rows: g.rows, width: g.width}
	}
	return laterStatements.Of(s, func(s laterStatement) string { return laterText(s, nil) }), all
}

// laterShape is the shape of a group of rows held back: its table and
// columns, how many rows and how many values each.
type laterShape struct {
	table, columns string
	rows, width    int
}

// laterStatement is the shape of a statement carrying rows held back: up
// to four groups of up to laterKeptRows rows each (an audit row and a few
// notifications), and the statement they are sent with ("" for none).
// Those are built once (laterStatements); larger ones, such as an
// import's hundreds of audit rows, each time.
type laterStatement struct {
	groups [4]laterShape
	query  string
}

const laterKeptRows = 16

var laterStatements Statements[laterStatement]

// laterText is the text of statement s, whose groups are given (when too
// many or too large for s to hold) or are s's own.
func laterText(s laterStatement, groups []*laterGroup) string {
	var steps []string
	step := func(g laterShape) {
		rows := make([]string, g.rows)
		for j := range rows {
			rows[j] = placeholders(g.width)
		}
		steps = append(steps, "w"+strconv.Itoa(len(steps))+" AS (INSERT INTO "+g.table+" ("+g.columns+") VALUES "+strings.Join(rows, ", ")+")")
	}
	if groups != nil {
		for _, g := range groups {
			step(laterShape{table: g.table, columns: g.columns, rows: g.rows, width: g.width})
		}
	} else {
		for _, g := range s.groups {
			if g.rows > 0 {
				step(g)
			}
		}
	}
	with := strings.Join(steps, ", ")
	if s.query == "" {
		return "WITH " + with + " SELECT 1"
	}
	trimmed := strings.TrimSpace(s.query)
	if rest, ok := cutPrefixFold(trimmed, "WITH "); ok {
		return "WITH " + with + ", " + rest
	}
	return "WITH " + with + " " + trimmed
}

func placeholders(n int) string {
	if n == 0 {
		return "()"
	}
	return "(" + strings.Repeat("?, ", n-1) + "?)"
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):], true
	}
	return s, false
}
