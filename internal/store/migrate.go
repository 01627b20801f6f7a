package store

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

//go:embed migrations
var migrations embed.FS

// Migrate applies every pending migration of the engine. On PostgreSQL a
// session-level advisory lock makes concurrent starts of several instances
// safe: one migrates, the others wait and then find nothing to do.
func (db *DB) Migrate(ctx context.Context) error {
	p, err := db.migrationProvider()
	if err != nil {
		return err
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate %s: %w", db.Engine, err)
	}
	return nil
}

// MigrationStatus reports applied and pending migrations.
func (db *DB) MigrationStatus(ctx context.Context) (applied, pending int, err error) {
	p, err := db.migrationProvider()
	if err != nil {
		return 0, 0, err
	}
	st, err := p.Status(ctx)
	if err != nil {
		return 0, 0, err
	}
	for _, s := range st {
		if s.State == goose.StateApplied {
			applied++
		} else {
			pending++
		}
	}
	return applied, pending, nil
}

func (db *DB) migrationProvider() (*goose.Provider, error) {
	sub, err := fs.Sub(migrations, "migrations/"+string(db.Engine))
	if err != nil {
		return nil, err
	}
	var opts []goose.ProviderOption
	dialect := goose.DialectSQLite3
	if db.Engine == Postgres {
		dialect = goose.DialectPostgres
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return nil, err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	return goose.NewProvider(dialect, db.DB.DB, sub, opts...)
}

// MigrationsHash identifies the schema the embedded migrations produce on an
// engine; test harnesses use it to reuse a migrated template database.
func MigrationsHash(engine Engine) (string, error) {
	h := sha256.New()
	err := fs.WalkDir(migrations, "migrations/"+string(engine), func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := migrations.ReadFile(path)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s\x00%d\x00", path, len(b))
		h.Write(b)
		return nil
	})
	if err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
