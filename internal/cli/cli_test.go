package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/record"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// run executes the command line and returns exit code, stdout and stderr.
func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Main(context.Background(), args, strings.NewReader(""), &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestCommandLine(t *testing.T) {
	t.Parallel()
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		dsn := db.Source
		if db.Engine == store.Postgres {
			dsn = testutil.NewDSN(t, store.Postgres)
		}
		steps := []struct {
			args     []string
			code     int
			contains string
		}{
			{[]string{"migrate", "--db", dsn}, 0, "up to date"},
			{[]string{"org", "add", "--db", dsn, "--kind", "vendor", "--name", "Acme 机械", "--code", "acme"}, 0, "created"},
			{[]string{"org", "add", "--db", dsn, "--kind", "alien", "--name", "X", "--code", "x1"}, 1, "--kind"},
			{[]string{"org", "add", "--db", dsn, "--kind", "vendor", "--name", "Dup", "--code", "acme"}, 1, "taken"},
			{[]string{"org", "add", "--db", dsn, "--kind", "provider", "--name", "Fixit", "--code", "fixit", "--partner", "acme"}, 0, "created"},
			{[]string{"user", "add", "--db", dsn, "--org", "acme", "--email", "boss@acme.example", "--password", "long-enough-1", "--role", "vendor_admin"}, 0, "added"},
			{[]string{"user", "add", "--db", dsn, "--org", "acme", "--email", "tech@acme.example", "--password", "long-enough-1", "--role", "technician"}, 1, "--role"},
			{[]string{"user", "add", "--db", dsn, "--org", "nope", "--email", "a@b.example", "--password", "long-enough-1", "--role", "customer"}, 1, "not found"},
			{[]string{"user", "list", "--db", dsn, "--org", "acme"}, 0, "boss@acme.example"},
			{[]string{"org", "list", "--db", dsn}, 0, "fixit"},
			{[]string{"token", "create", "--db", dsn, "--email", "boss@acme.example"}, 0, "ast_"},
			{[]string{"token", "create", "--db", dsn, "--email", "ghost@acme.example"}, 1, "no user"},
			{[]string{"token", "create", "--db", dsn}, 2, "--email"},
			{[]string{"demo", "--db", dsn}, 1, "already has data"},
			{[]string{"user", "add", "--db", dsn, "--bogus"}, 2, "bogus"},
			{[]string{"frobnicate"}, 2, "unknown command"},
			{[]string{"serve", "--help"}, 0, "--addr"},
			{[]string{"version"}, 0, Version},
		}
		for _, s := range steps {
			code, out, errOut := run(t, s.args...)
			if code != s.code || !strings.Contains(out+errOut, s.contains) {
				t.Fatalf("%v: exit %d (want %d)\nstdout: %s\nstderr: %s\nwant text %q", s.args, code, s.code, out, errOut, s.contains)
			}
		}
	})
}

func TestDemoAndBackupOnSQLite(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	dsn := filepath.Join(dir, "demo.db")
	code, out, errOut := run(t, "demo", "--db", dsn)
	if code != 0 || !strings.Contains(out, "admin@haichuan.example") || !strings.Contains(out, "demo-pass-2026") {
		t.Fatalf("demo: %d %s %s", code, out, errOut)
	}
	to := filepath.Join(dir, "backup.db")
	if code, out, errOut := run(t, "backup", "--db", dsn, "--to", to); code != 0 || !strings.Contains(out, "written") {
		t.Fatalf("backup: %d %s %s", code, out, errOut)
	}
	ownerOnly(t, to)
	// The backup is a working database with the same data.
	if code, out, _ := run(t, "user", "list", "--db", to, "--org", "haichuan"); code != 0 || !strings.Contains(out, "auditor@haichuan.example") {
		t.Fatalf("backup content: %d %s", code, out)
	}
	if code, _, errOut := run(t, "backup", "--db", dsn, "--to", to); code != 1 || !strings.Contains(errOut, "exists") {
		t.Fatalf("backup over an existing file: %d %s", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(dir, "demo.db")); err != nil {
		t.Fatal(err)
	}
}

func TestBackupOnPostgres(t *testing.T) {
	t.Parallel()
	dsn := testutil.NewDSN(t, store.Postgres)
	to := filepath.Join(t.TempDir(), "backup.dump")
	code, out, errOut := run(t, "backup", "--db", dsn, "--to", to)
	if code != 0 {
		if strings.Contains(errOut, "executable file not found") {
			if os.Getenv("AFTERSALES_TEST_PG") == "require" {
				t.Fatal("pg_dump is not installed (Debian package postgresql-client), and PostgreSQL is required")
			}
			t.Skip("pg_dump is not installed (Debian package postgresql-client)")
		}
		t.Fatalf("backup: %d %s %s", code, out, errOut)
	}
	if st, err := os.Stat(to); err != nil || st.Size() == 0 {
		t.Fatalf("backup file: %v", err)
	}
	ownerOnly(t, to)
}

// ownerOnly fails unless the file is readable and writable by its owner alone:
// a backup holds every record and credential hash of the database.
func ownerOnly(t *testing.T, name string) {
	t.Helper()
	st, err := os.Stat(name)
	if err != nil {
		t.Fatal(err)
	}
	if m := st.Mode().Perm(); m != 0o600 {
		t.Fatalf("%s has mode %v, want -rw-------", name, m)
	}
}

func TestCalendarCommands(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	dsn := filepath.Join(dir, "cal.db")
	due := func(args ...string) string {
		t.Helper()
		code, out, errOut := run(t, append([]string{"calendar", "due", "--db", dsn}, args...)...)
		if code != 0 {
			t.Fatalf("calendar due %v: %d %s", args, code, errOut)
		}
		return strings.TrimSpace(out)
	}
	if got := due("--calendar", "cn", "--from", "2026-11-25T15:30:00+08:00", "--working-days", "2"); got != "2026-11-27T18:00:00+08:00" {
		t.Fatalf("working days: %s", got)
	}
	if got := due("--from", "2025-09-30T17:00:00+08:00", "--hours", "2"); got != "2025-10-09T10:00:00+08:00" {
		t.Fatalf("hours: %s", got)
	}
	for _, bad := range [][]string{
		{"--from", "yesterday", "--hours", "1"},
		{"--from", "2026-11-25T10:00:00+08:00"},
		{"--from", "2026-11-25T10:00:00+08:00", "--hours", "1", "--working-days", "1"},
		{"--from", "0001-01-01T00:00:00Z", "--hours", "0"},
	} {
		if code, _, _ := run(t, append([]string{"calendar", "due", "--db", dsn}, bad...)...); code != 2 {
			t.Errorf("calendar due %v: exit %d, want 2", bad, code)
		}
	}
	if code, _, errOut := run(t, "calendar", "due", "--db", dsn, "--calendar", "mars", "--from", "2026-11-25T10:00:00+08:00", "--hours", "1"); code != 1 || !strings.Contains(errOut, "mars") {
		t.Errorf("unknown calendar: %d %s", code, errOut)
	}

	// An iCalendar file as public calendars publish it: CRLF, a folded line,
	// a make-up workday marked only in words.
	// The year is one the built-in data does not hold yet.
	ny := testutil.UncoveredYear()
	compact := func(d string) string { return strings.ReplaceAll(d, "-", "") }
	first, _ := time.Parse(time.DateOnly, ny.FirstWeekday)
	ics := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:" + compact(ny.FirstWeekday) + "\r\nDTEND;VALUE=DATE:" + first.AddDate(0, 0, 1).Format("20060102") + "\r\nSUMMARY:元旦\r\n  假期\r\nEND:VEVENT\r\n" +
		"BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:" + compact(ny.Saturday) + "\r\nSUMMARY:春节调休（班）\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
	file := filepath.Join(dir, fmt.Sprint(ny.Year, ".ics"))
	if err := os.WriteFile(file, []byte(ics), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	code := Main(context.Background(), []string{"calendar", "import", file, "--db", dsn}, strings.NewReader("n\n"), &out, &errOut)
	if code != 0 || !strings.Contains(out.String(), fmt.Sprint(ny.Year, ": 1 day off, 1 make-up workday")) || !strings.Contains(out.String(), "Not applied") {
		t.Fatalf("declined import: %d\n%s\n%s", code, out.String(), errOut.String())
	}
	if got := due("--from", ny.Eve+"T10:00:00+08:00", "--working-days", "1"); got != ny.FirstWeekday+"T18:00:00+08:00" {
		t.Fatalf("a declined import changed the calendar: %s", got)
	}
	// Flags on both sides of the file, as the usage line shows them.
	if code, out, errOut := run(t, "calendar", "import", "--db", dsn, file, "--yes"); code != 0 || !strings.Contains(out, "Applied") {
		t.Fatalf("import FILE --yes: %d %s %s", code, out, errOut)
	}
	if got := due("--from", ny.Eve+"T10:00:00+08:00", "--working-days", "1"); got != ny.SecondWeekday+"T18:00:00+08:00" {
		t.Fatalf("after import: %s", got)
	}
	if code, out, _ := run(t, "calendar", "show", "--db", dsn, "--year", fmt.Sprint(ny.Year)); code != 0 || !strings.Contains(out, ny.Saturday) {
		t.Fatalf("show: %d %s", code, out)
	}
	bad := filepath.Join(dir, "bad.csv")
	_ = os.WriteFile(bad, []byte("2027-02-30,holiday,nope\n"), 0o600)
	if code, _, errOut := run(t, "calendar", "import", "--db", dsn, "--yes", bad); code != 1 || !strings.Contains(errOut, "line[1]") {
		t.Fatalf("bad file: %d %s", code, errOut)
	}
}

func TestRecordsVerify(t *testing.T) {
	t.Parallel()
	dsn := filepath.Join(t.TempDir(), "r.db")
	if code, out, _ := run(t, "records", "verify", "--db", dsn); code != 0 || !strings.Contains(out, "0 broken") {
		t.Fatalf("empty: %d %s", code, out)
	}
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	for _, k := range []string{"vendor", "provider"} {
		if _, err := store.Exec(ctx, db, `INSERT INTO organizations (kind, name, code, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`, k, k, k, time.Now(), time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	var ids []int64
	for i := range 3 {
		err := db.Tx(ctx, func(tx *sqlx.Tx) error {
			r, err := record.Seal(ctx, tx, time.Now(), record.New{AgreementID: 1, VendorID: 1, ProviderID: 2,
				Content: record.Content{Kind: record.KindConsultation, Consultation: &record.Consultation{Question: fmt.Sprint(i)}}, RetentionMonths: 12})
			ids = append(ids, r.ID)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if code, out, _ := run(t, "records", "verify", "--db", dsn); code != 0 || !strings.Contains(out, "3 records in 1 chains checked, 0 broken") {
		t.Fatalf("clean: %d %s", code, out)
	}
	if _, err := db.ExecContext(ctx, `DROP TRIGGER service_records_no_update`); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Exec(ctx, db, `UPDATE service_records SET content_json = '99' WHERE id = ?`, ids[1]); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := run(t, "records", "verify", "--db", dsn)
	if code != 1 || !strings.Contains(out, "BROKEN") || !strings.Contains(errOut, fmt.Sprintf("first break at record %d", ids[1])) {
		t.Fatalf("tampered: %d %s %s", code, out, errOut)
	}
}
