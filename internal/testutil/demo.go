package testutil

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"aftersales/internal/app"
	"aftersales/internal/calendar"
	"aftersales/internal/demo"
	"aftersales/internal/notify"
	"aftersales/internal/store"
)

// DemoDB returns a fresh SQLite database holding the demo data, closed when
// t ends. Each call gets a database of its own, copied from a template
// that demo.Load filled once per test process (and again when the date in
// Asia/Shanghai has changed since, as the demo's stories are told relative
// to today). Loading costs about a second of CPU, most of it hashing the
// demo users' passwords with argon2id and writing every row; a copy costs
// a few milliseconds. Its users' passwords are hashed cheaply (cheapHash).
// Tests of demo.Load itself call it, not this.
func DemoDB(t testing.TB) *store.DB {
	t.Helper()
	image, err := demoImage()
	if err != nil {
		t.Fatalf("load demo data: %v", err)
	}
	return openImage(t, image)
}

var demoTemplate struct {
	sync.Mutex
	day   calendar.Date
	image []byte
}

// demoImage is the bytes of an SQLite database file with the demo loaded
// today, made on first use.
func demoImage() ([]byte, error) {
	demoTemplate.Lock()
	defer demoTemplate.Unlock()
	today := calendar.DateOf(time.Now(), calendar.Shanghai)
	if demoTemplate.image != nil && demoTemplate.day == today {
		return demoTemplate.image, nil
	}
	image, err := loadDemoImage()
	if err != nil {
		return nil, err
	}
	demoTemplate.day, demoTemplate.image = today, image
	return image, nil
}

// loadDemoImage loads the demo into a new database file and returns the
// file's bytes.
func loadDemoImage() ([]byte, error) {
	return sqliteImage(fillDemo)
}

// fillDemo migrates db and loads the demo into it.
func fillDemo(ctx context.Context, db *store.DB) error {
	if err := db.Migrate(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	box, err := notify.NewSecretBox(SecretKey)
	if err != nil {
		return err
	}
	a, err := app.New(db, app.Config{Secrets: box}, time.Now)
	if err != nil {
		return err
	}
	if _, err := demo.Load(ctx, a); err != nil {
		return err
	}
	// The demo's users sign in in many tests: their hashes are swapped for
	// cheap ones of the same password (see cheapHash).
	hash, err := demoPasswordHash()
	if err != nil {
		return err
	}
	_, err = store.Exec(ctx, db, `UPDATE users SET password_hash = ?`, hash)
	return err
}

// DemoEngines is Engines with the demo data in each database, a copy of
// a template loaded once per test process on each engine: DemoDB on
// SQLite, DemoPostgres on PostgreSQL.
func DemoEngines(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	for _, e := range EngineList {
		t.Run(string(e), func(t *testing.T) {
			t.Parallel()
			if e == store.SQLite {
				fn(t, DemoDB(t))
				return
			}
			fn(t, DemoPostgres(t))
		})
	}
}
