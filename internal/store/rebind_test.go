package store

import (
	"strings"
	"testing"
	"unsafe"

	"github.com/jmoiron/sqlx"
)

// PostgreSQL's text of a query is sqlx's, built once and kept; past the
// limit, what was kept is forgotten and the texts are built again.
func TestReboundTextsAreKept(t *testing.T) {
	var r reboundTexts
	query := `SELECT a FROM t WHERE b = ? AND c IN (?, ?)`
	first := r.of(query)
	if want := sqlx.Rebind(sqlx.DOLLAR, query); first != want {
		t.Fatalf("rebound %q, want %q", first, want)
	}
	if again := r.of(query); unsafe.StringData(again) != unsafe.StringData(first) {
		t.Error("the text was rebound again")
	}
	long := strings.Repeat("x", reboundLimit/2) + " ?"
	r.of(long + "1")
	if _, ok := r.texts.Load(query); ok {
		t.Fatalf("kept %d bytes, past the limit of %d, without forgetting", r.bytes.Load(), reboundLimit)
	}
	if got := r.of(query); got != first {
		t.Errorf("rebound after forgetting: %q", got)
	}
}

// A shape's statement is built once.
func TestStatementsAreBuiltOnce(t *testing.T) {
	var s Statements[int]
	builds := 0
	build := func(n int) string {
		builds++
		return strings.Repeat("?", n)
	}
	for range 3 {
		if got := s.Of(2, build); got != "??" {
			t.Fatalf("shape 2: %q", got)
		}
	}
	if got := s.Of(3, build); got != "???" || builds != 2 {
		t.Errorf("shape 3: %q after %d builds, want ??? after 2", got, builds)
	}
}
