package testutil

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"aftersales/internal/calendar"
	"aftersales/internal/store"
)

// DemoPostgres returns a fresh PostgreSQL database holding the demo data,
// closed when t ends: a copy (CREATE DATABASE … TEMPLATE) of a template
// database that demo.Load filled once per test process, and again when the
// date in Asia/Shanghai has changed since, as DemoDB does on SQLite.
// Loading costs about a second of CPU (eleven password hashes with the
// product's parameters, and every row); a copy is the server's work.
func DemoPostgres(t testing.TB) *store.DB {
	t.Helper()
	requirePostgres(t)
	conf := pgCopy(t, demoMigrator{day: calendar.DateOf(time.Now(), calendar.Shanghai)})
	db, err := store.Open(context.Background(), conf.URL())
	if err != nil {
		t.Fatalf("open %s: %v", store.Postgres, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// demoProcess tells this process's demo templates from those of other
// processes: a template is loaded by the process that uses it, as the
// demo's stories are told relative to the time it was loaded.
var demoProcess = fmt.Sprintf("%d %d", os.Getpid(), time.Now().UnixNano())

// demoTemplateComment starts the comment a demo template database carries,
// followed by the Unix time it was loaded at.
const demoTemplateComment = "aftersales demo loaded at "

// staleDemoTemplate is the age past which a demo template left by another
// test process is dropped: no test process runs that long.
const staleDemoTemplate = time.Hour

// demoMigrator fills the template database of the demo, loaded on
// day by this process.
type demoMigrator struct{ day calendar.Date }

func (m demoMigrator) Hash() (string, error) {
	migrations, err := store.MigrationsHash(store.Postgres)
	if err != nil {
		return "", err
	}
	return strings.Join([]string{"demo", migrations, m.day.String(), demoProcess}, " "), nil
}

func (demoMigrator) Fill(ctx context.Context, template *sql.DB, conf pgServer) error {
	dropStaleDemoTemplates(ctx)
	db, err := store.Open(ctx, conf.URL())
	if err != nil {
		return err
	}
	err = fillDemo(ctx, db)
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	comment := demoTemplateComment + strconv.FormatInt(time.Now().Unix(), 10)
	_, err = template.ExecContext(ctx, fmt.Sprintf(`COMMENT ON DATABASE "%s" IS '%s'`, conf.Database, comment))
	return err
}

// dropStaleDemoTemplates drops the demo templates that test processes
// left on the server more than staleDemoTemplate ago (each process loads
// its own, and templates are kept), as far as it can: a template
// left behind costs only room on the server.
func dropStaleDemoTemplates(ctx context.Context) {
	admin, err := pgConf.Connect()
	if err != nil {
		return
	}
	defer admin.Close()
	rows, err := admin.QueryContext(ctx, `SELECT datname, shobj_description(oid, 'pg_database') FROM pg_database
		WHERE datistemplate AND shobj_description(oid, 'pg_database') LIKE $1`, demoTemplateComment+"%")
	if err != nil {
		return
	}
	var stale []string
	for rows.Next() {
		var name, comment string
		if rows.Scan(&name, &comment) != nil {
			continue
		}
		loaded, err := strconv.ParseInt(strings.TrimPrefix(comment, demoTemplateComment), 10, 64)
		if err == nil && time.Since(time.Unix(loaded, 0)) > staleDemoTemplate {
			stale = append(stale, name)
		}
	}
	rows.Close()
	for _, name := range stale {
		if _, err := admin.ExecContext(ctx, `UPDATE pg_database SET datistemplate = false WHERE datname = $1`, name); err == nil {
			_, _ = admin.ExecContext(ctx, fmt.Sprintf(`DROP DATABASE IF EXISTS "%s" WITH (FORCE)`, name))
		}
	}
}
