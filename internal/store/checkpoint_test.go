package store_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"aftersales/internal/store"
)

// Commits leave the log to the checkpointer, which copies it into the
// database file in the background.
func TestCheckpointerCopiesTheLog(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db, path := fillerDB(t, "TEXT")
	row := strings.Repeat("x", 4000)
	for range 500 {
		if _, err := store.Exec(ctx, db, `INSERT INTO filler (body) VALUES (?)`, row); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		st, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if st.Size() >= 500*4000 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("database file still %d bytes: the log was not copied", st.Size())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// fillerDB opens a SQLite database in a file of its own, closed when the
// test ends, with a table filler of bodies of the column type given; it
// returns the file's path beside it.
func fillerDB(t *testing.T, bodyType string) (*store.DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "filler.db")
	db, err := store.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := store.Exec(t.Context(), db, `CREATE TABLE filler (body `+bodyType+` NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	return db, path
}
