package store_test

import (
	"context"
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
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "c.db")
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := store.Exec(ctx, db, `CREATE TABLE filler (body TEXT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
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
