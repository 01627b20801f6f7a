package testutil

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"aftersales/internal/store"
)

// sqliteImage fills a new SQLite database file with fill, folds the
// write-ahead log into the file, so that the file alone is the whole
// database, and returns the file's bytes: a template that openImage copies
// for each test.
func sqliteImage(fill func(context.Context, *store.DB) error) ([]byte, error) {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "aftersales-template-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "template.db")
	db, err := store.Open(ctx, path)
	if err != nil {
		return nil, err
	}
	err = fill(ctx, db)
	if err == nil {
		if _, err = db.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
			err = fmt.Errorf("checkpoint: %w", err)
		}
	}
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	return os.ReadFile(path)
}

// openImage writes image into a database file of t's own and opens it,
// closed when t ends.
func openImage(t testing.TB, image []byte) *store.DB {
	t.Helper()
	path := filepath.Join(t.TempDir(), "test.db")
	if err := os.WriteFile(path, image, 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// migratedImage is the bytes of an SQLite database file with every
// migration applied, made once per test process: running the migrations
// for each test's database was about a seventh of the CPU of the page
// tests.
var migratedImage = sync.OnceValues(func() ([]byte, error) {
	return sqliteImage(func(ctx context.Context, db *store.DB) error {
		if err := db.Migrate(ctx); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		return nil
	})
})
