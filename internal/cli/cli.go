// Package cli is the command line: one file per subcommand. Every command
// that touches data takes --db (or AFTERSALES_DB); flags and environment
// variables share names.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"aftersales/internal/app"
	"aftersales/internal/problem"
	"aftersales/internal/store"
)

// Version is the product version, set at build time with -ldflags.
var Version = "0.1.0-dev"

// DefaultDB is where the embedded database lives unless told otherwise.
const DefaultDB = "./data/aftersales.db"

type env struct {
	ctx    context.Context
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

type command struct {
	summary string
	run     func(e *env, args []string) error
}

func commands() map[string]command {
	return map[string]command{
		"serve":    {"start the web application and API", serve},
		"migrate":  {"apply database migrations and exit", migrate},
		"demo":     {"load the demo dataset into an empty database and print the demo logins", demoCmd},
		"org":      {"manage organizations (org add, org list)", orgCmd},
		"user":     {"manage users (user add, user list)", userCmd},
		"token":    {"create an API token for a user (token create)", tokenCmd},
		"backup":   {"write a consistent copy of the database to a file", backup},
		"calendar": {"working calendars: deadlines, holiday schedule imports, listing", calendarCmd},
		"records":  {"service records: verify the tamper-evident chains (records verify)", recordsCmd},
		"import":   {"import installed units from a CSV or XLSX file (import units)", importCmd},
		"route":    {"plan technicians' days and check plans (route solve, route check)", routeCmd},
		"generate": {"fill an empty database with the demo logins and a large generated service history (generate --requests N --units M)", generate},
		"stock":    {"parts stock: check on-hand against the ledger, or rebuild it (stock verify, stock rebuild)", stockCmd},
		"version":  {"print the version", func(e *env, _ []string) error { fmt.Fprintln(e.stdout, Version); return nil }},
	}
}

// Main runs the command line and returns the process exit code.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{ctx: ctx, stdin: stdin, stdout: stdout, stderr: stderr}
	cmds := commands()
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stdout, cmds)
		return 0
	}
	c, ok := cmds[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "aftersales: unknown command %q\n\n", args[0])
		usage(stderr, cmds)
		return 2
	}
	if err := c.run(e, args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		var ue usageError
		if errors.As(err, &ue) {
			fmt.Fprintf(stderr, "aftersales %s: %v\n", args[0], err)
			return 2
		}
		fmt.Fprintf(stderr, "aftersales %s: %s\n", args[0], describe(err))
		return 1
	}
	return 0
}

func usage(w io.Writer, cmds map[string]command) {
	fmt.Fprintln(w, "aftersales: localized after-sales service\n\nUsage: aftersales <command> [flags]\n\nCommands:")
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-9s %s\n", n, cmds[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'aftersales <command> --help' for its flags.")
}

// describe renders an error for a person: a problem with its fields, or the message.
func describe(err error) string {
	p, ok := problem.As(err)
	if !ok {
		return err.Error()
	}
	var b strings.Builder
	b.WriteString(p.Detail)
	for _, f := range p.Fields {
		fmt.Fprintf(&b, "\n  --%s: %s", strings.ReplaceAll(f.Field, "_", "-"), f.Message)
	}
	return b.String()
}

type usageError struct{ msg string }

func (u usageError) Error() string { return u.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// flags returns a flag set that prints its usage to stderr and returns errors.
func (e *env) flags(name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "Usage: aftersales %s\n\nFlags (each also read from the environment variable shown):\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// envDefault is the environment variable's value, or def.
func envDefault(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// dbFlags is flags with --db added, for a command on a database.
func (e *env) dbFlags(name, synopsis string) (*flag.FlagSet, *string) {
	fs := e.flags(name, synopsis)
	return fs, fs.String("db", envDefault("AFTERSALES_DB", DefaultDB), "SQLite file path or postgres:// URL (AFTERSALES_DB)")
}

// parse parses args, turning a flag error into a usage error.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	return nil
}

// parseDB parses a command's flags (parse) and opens the database its
// --db flag (dsn) names, migrated; the caller closes it.
func (e *env) parseDB(fs *flag.FlagSet, args []string, dsn *string) (*store.DB, error) {
	if err := parse(fs, args); err != nil {
		return nil, err
	}
	return e.openDB(*dsn)
}

// parseApp parses a command's flags (parse) and opens the services on the
// database its --db flag (dsn) names; the caller closes a.DB.
func (e *env) parseApp(fs *flag.FlagSet, args []string, dsn *string) (*app.App, error) {
	if err := parse(fs, args); err != nil {
		return nil, err
	}
	return e.openApp(*dsn)
}

// parseFileApp parses the flags of a command that reads one FILE
// (parseFileArgs), reads it, and opens the services on the database its
// --db flag (dsn) names; the caller closes a.DB.
func (e *env) parseFileApp(fs *flag.FlagSet, args []string, dsn *string) (file string, data []byte, a *app.App, err error) {
	if file, data, err = parseFileArgs(fs, args); err != nil {
		return "", nil, nil, err
	}
	a, err = e.openApp(*dsn)
	return file, data, a, err
}

// openDB opens and migrates the database.
func (e *env) openDB(dsn string) (*store.DB, error) {
	db, err := store.Open(e.ctx, dsn)
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(e.ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// openApp opens and migrates the database and builds the product's services
// on it, for a command other than serve; the caller closes a.DB.
func (e *env) openApp(dsn string) (*app.App, error) {
	db, err := e.openDB(dsn)
	if err != nil {
		return nil, err
	}
	a, err := e.services(db)
	if err != nil {
		db.Close()
		return nil, err
	}
	return a, nil
}

// services builds the product's services on db for a command other than
// serve, which reads its configuration from its own flags.
func (e *env) services(db *store.DB) (*app.App, error) {
	return app.New(db, app.Config{Log: e.logger()}, time.Now)
}

// table writes aligned columns to stdout; Flush ends it.
func (e *env) table() *tabwriter.Writer {
	return tabwriter.NewWriter(e.stdout, 2, 4, 2, ' ', 0)
}

func (e *env) logger() *slog.Logger {
	var h slog.Handler
	opts := &slog.HandlerOptions{Level: slog.LevelInfo}
	if envDefault("AFTERSALES_LOG_LEVEL", "") == "debug" {
		opts.Level = slog.LevelDebug
	}
	if envDefault("AFTERSALES_LOG_FORMAT", "text") == "json" {
		h = slog.NewJSONHandler(e.stderr, opts)
	} else {
		h = slog.NewTextHandler(e.stderr, opts)
	}
	return slog.New(h)
}
