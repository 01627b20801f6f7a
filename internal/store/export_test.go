package store

import "context"

// MigrateTo moves the schema to version v, up or down (for tests of a migration).
func (db *DB) MigrateTo(ctx context.Context, v int64) error {
	p, err := db.migrationProvider()
	if err != nil {
		return err
	}
	cur, err := p.GetDBVersion(ctx)
	if err != nil {
		return err
	}
	if v < cur {
		_, err = p.DownTo(ctx, v)
	} else {
		_, err = p.UpTo(ctx, v)
	}
	return err
}
