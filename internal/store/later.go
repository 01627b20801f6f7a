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

// take returns the pending rows as steps of a WITH ("w0 AS (INSERT ...),
// w1 AS (...)") with their arguments, and forgets them; "" if none.
func (l *later) take() (string, []any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.groups) == 0 {
		return "", nil
	}
	steps := make([]string, len(l.groups))
	var args []any
	for i, g := range l.groups {
		rows := make([]string, g.rows)
		for j := range rows {
			rows[j] = placeholders(g.width)
		}
		steps[i] = "w" + strconv.Itoa(i) + " AS (INSERT INTO " + g.table + " (" + g.columns + ") VALUES " + strings.Join(rows, ", ") + ")"
		args = append(args, g.args...)
	}
	l.groups = nil
	return strings.Join(steps, ", "), args
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
	steps, pending := l.take()
	if steps == "" {
		return query, args
	}
	trimmed := strings.TrimSpace(query)
	if rest, ok := cutPrefixFold(trimmed, "WITH "); ok {
		return "WITH " + steps + ", " + rest, append(pending, args...)
	}
	return "WITH " + steps + " " + trimmed, append(pending, args...)
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
	steps, args := v.(*later).take()
	if steps == "" {
		return nil
	}
	_, err := tx.ExecContext(ctx, tx.Rebind("WITH "+steps+" SELECT 1"), args...)
	return err
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
