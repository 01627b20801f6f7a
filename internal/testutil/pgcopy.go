package testutil

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
)

// A test's PostgreSQL database is a copy of a template database, filled
// once per server (the migrated schema) or once per test process (the
// demo). The tests connect as testRole, which owns the copies and may not
// create databases or roles: the product must run without those rights.
// The server's own user (pgConf) creates the role, the templates and the
// copies, and drops each copy when its test ends.
//
// A copy is made with STRATEGY FILE_COPY where the server has it (version
// 15 and later): the files are copied as they are, where the default
// (WAL_LOG) writes every page of the template, system catalogs included,
// to the write-ahead log, about twice the server's CPU per copy.

// pgServer is where the tests' databases are made: the address, and the
// user to make them as (or, with the user set to testRole, to use them as).
type pgServer struct {
	Host, Port, User, Password, Database, Options string
}

// URL is the server's address with its database.
func (c pgServer) URL() string {
	u := url.URL{Scheme: "postgres", Host: c.Host + ":" + c.Port, Path: "/" + c.Database, RawQuery: c.Options}
	if c.Password != "" {
		u.User = url.UserPassword(c.User, c.Password)
	} else {
		u.User = url.User(c.User)
	}
	return u.String()
}

// Connect opens a pool on the server's database.
func (c pgServer) Connect() (*sql.DB, error) { return sql.Open("pgx", c.URL()) }

// testRole is the role the tests connect as (its password matters only
// where the server asks for one).
const testRole, testRolePassword = "aftersales_test", "aftersales-test"

// as is c for the database named, connected to as the tests' role.
func (c pgServer) as(database string) pgServer {
	c.User, c.Password, c.Database = testRole, testRolePassword, database
	return c
}

// templateFiller fills a template database. Hash names what it fills in:
// a template is made once per distinct hash and server.
type templateFiller interface {
	Hash() (string, error)
	Fill(ctx context.Context, template *sql.DB, conf pgServer) error
}

var pgAdmin struct {
	once     sync.Once
	db       *sql.DB
	fileCopy bool // the server knows CREATE DATABASE … STRATEGY FILE_COPY
	err      error

	mu        sync.Mutex
	templates map[string]error // made in this process, by name
}

// admin is the process's pool on the server as its own user, and whether
// the server copies files. The role the tests use is made on first use.
func admin(ctx context.Context) (*sql.DB, bool, error) {
	pgAdmin.once.Do(func() {
		db, err := pgConf.Connect()
		if err != nil {
			pgAdmin.err = err
			return
		}
		var version int
		if err := db.QueryRowContext(ctx, `SELECT current_setting('server_version_num')::int`).Scan(&version); err != nil {
			db.Close()
			pgAdmin.err = err
			return
		}
		err = withSessionLock(ctx, db, "role "+testRole, func(conn *sql.Conn) error {
			var exists bool
			if err := conn.QueryRowContext(ctx, `SELECT EXISTS (SELECT FROM pg_roles WHERE rolname = $1)`, testRole).Scan(&exists); err != nil || exists {
				return err
			}
			_, err := conn.ExecContext(ctx, fmt.Sprintf(`CREATE ROLE %s LOGIN PASSWORD '%s' NOSUPERUSER NOCREATEDB NOCREATEROLE`,
				pgx.Identifier{testRole}.Sanitize(), testRolePassword))
			return err
		})
		if err != nil {
			db.Close()
			pgAdmin.err = fmt.Errorf("create the tests' role %s: %w", testRole, err)
			return
		}
		pgAdmin.db, pgAdmin.fileCopy = db, version >= 150000
		pgAdmin.templates = map[string]error{}
	})
	return pgAdmin.db, pgAdmin.fileCopy, pgAdmin.err
}

// withSessionLock runs fn on one connection holding a session advisory
// lock named key, so that test processes running side by side do one
// thing at a time (make a role, fill a template).
func withSessionLock(ctx context.Context, db *sql.DB, key string, fn func(*sql.Conn) error) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(hashtext($1))`, key); err != nil {
		return err
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(hashtext($1))`, key) //nolint:errcheck // the session's end releases it too
	return fn(conn)
}

// pgCopy makes a database for t, a copy of f's template, and drops it
// when t ends (after the closes t's own cleanups make, as cleanups run
// last first). It returns where the copy is, for the tests' role.
func pgCopy(t testing.TB, f templateFiller) pgServer {
	t.Helper()
	ctx := context.Background()
	db, fileCopy, err := admin(ctx)
	if err != nil {
		t.Fatalf("PostgreSQL at %s: %v", pgConf.Host+":"+pgConf.Port, err)
	}
	template, err := ensureTemplate(ctx, db, f)
	if err != nil {
		t.Fatal(err)
	}
	id := make([]byte, 6)
	_, _ = rand.Read(id)
	name := "aftersales_test_" + hex.EncodeToString(id)
	create := fmt.Sprintf(`CREATE DATABASE %s TEMPLATE %s OWNER %s`,
		pgx.Identifier{name}.Sanitize(), pgx.Identifier{template}.Sanitize(), pgx.Identifier{testRole}.Sanitize())
	if fileCopy {
		create += ` STRATEGY FILE_COPY`
	}
	if _, err := db.ExecContext(ctx, create); err != nil {
		t.Fatalf("copy the template %s: %v", template, err)
	}
	t.Cleanup(func() {
		if _, err := db.ExecContext(ctx, `DROP DATABASE IF EXISTS `+pgx.Identifier{name}.Sanitize()+` WITH (FORCE)`); err != nil {
			t.Errorf("drop %s: %v", name, err)
		}
	})
	return pgConf.as(name)
}

// ensureTemplate makes f's template database unless this process or
// another made it before, and returns its name. A template is marked as
// one only once it is filled, so that one whose filling failed (or whose
// process died) is dropped and made again.
func ensureTemplate(ctx context.Context, db *sql.DB, f templateFiller) (string, error) {
	hash, err := f.Hash()
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256([]byte(hash))
	name := "aftersales_template_" + hex.EncodeToString(sum[:10])
	pgAdmin.mu.Lock()
	defer pgAdmin.mu.Unlock()
	if err, done := pgAdmin.templates[name]; done {
		return name, err
	}
	quoted := pgx.Identifier{name}.Sanitize()
	err = withSessionLock(ctx, db, name, func(conn *sql.Conn) error {
		var ready bool
		if err := conn.QueryRowContext(ctx, `SELECT EXISTS (SELECT FROM pg_database WHERE datname = $1 AND datistemplate)`, name).Scan(&ready); err != nil || ready {
			return err
		}
		for _, q := range []string{`DROP DATABASE IF EXISTS ` + quoted + ` WITH (FORCE)`,
			`CREATE DATABASE ` + quoted + ` OWNER ` + pgx.Identifier{testRole}.Sanitize()} {
			if _, err := conn.ExecContext(ctx, q); err != nil {
				return err
			}
		}
		conf := pgConf.as(name)
		template, err := conf.Connect()
		if err != nil {
			return err
		}
		err = f.Fill(ctx, template, conf)
		if cerr := template.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("fill the template %s: %w", name, err)
		}
		_, err = conn.ExecContext(ctx, `ALTER DATABASE `+quoted+` IS_TEMPLATE true`)
		return err
	})
	pgAdmin.templates[name] = err
	return name, err
}
