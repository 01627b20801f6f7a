package testutil

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"aftersales/internal/agreement"
	"aftersales/internal/policy"
	"aftersales/internal/store"
)

// BenchSize is the whole number in the environment variable name, or def
// when it is unset or not a positive number: a benchmark's size, which a
// quick run lowers.
func BenchSize(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// MoreAgreements adds agreements FIX-2 to FIX-n between the fixture's
// Vendor and Provider on the terms of the service fixture's agreement, and
// returns the ids of all n, the fixture's first. They stay drafts.
func MoreAgreements(b testing.TB, svc *agreement.Service, f *Fixture, sf ServiceFixture, n int) []int64 {
	b.Helper()
	ctx := context.Background()
	vendor := f.Users[policy.VendorAdmin].Actor()
	base, err := svc.Get(ctx, vendor, sf.AgreementID)
	if err != nil {
		b.Fatal(err)
	}
	ids := []int64{sf.AgreementID}
	for i := 2; i <= n; i++ {
		d, err := svc.Create(ctx, vendor, agreement.NewAgreement{ProviderID: f.Provider.ID, Number: fmt.Sprintf("FIX-%d", i), Terms: base.Current.Terms})
		if err != nil {
			b.Fatal(err)
		}
		ids = append(ids, d.ID)
	}
	return ids
}

// GeneratedDB opens and migrates the database made by `aftersales generate`
// that AFTERSALES_BENCH_DB names (a file or a postgres:// URL), and closes
// it when b ends; without it, b is skipped.
func GeneratedDB(b *testing.B) *store.DB {
	b.Helper()
	dsn := os.Getenv("AFTERSALES_BENCH_DB")
	if dsn == "" {
		b.Skip("AFTERSALES_BENCH_DB names no generated database")
	}
	return openMigrated(b, dsn)
}

// GeneratedCopy opens and migrates a copy of the generated database that
// AFTERSALES_BENCH_DB names, for a benchmark that writes, and removes the
// copy when t ends; without it, t is skipped. A file is copied (with its
// write-ahead log) into t's temporary folder. A PostgreSQL database is
// copied by CREATE DATABASE … TEMPLATE, which PostgreSQL refuses while
// anyone is connected to the original.
func GeneratedCopy(t testing.TB) *store.DB {
	t.Helper()
	src := os.Getenv("AFTERSALES_BENCH_DB")
	if src == "" {
		t.Skip("AFTERSALES_BENCH_DB names no generated database")
	}
	dsn, err := copyDatabase(t, src)
	if err != nil {
		t.Fatalf("copy %s: %v", src, err)
	}
	return openMigrated(t, dsn)
}

// openMigrated opens and migrates the database dsn names, and closes it
// when t ends.
func openMigrated(t testing.TB, dsn string) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return db
}

// copyDatabase copies the database src names and returns the copy's
// address; the copy is removed when t ends.
func copyDatabase(t testing.TB, src string) (string, error) {
	if !store.IsPostgresURL(src) {
		dst := filepath.Join(t.TempDir(), "copy.db")
		for _, suffix := range []string{"", "-wal"} {
			if err := copyFile(src+suffix, dst+suffix); err != nil && (suffix == "" || !errors.Is(err, fs.ErrNotExist)) {
				return "", err
			}
		}
		return dst, nil
	}
	u, err := url.Parse(src)
	if err != nil {
		return "", err
	}
	name := strings.TrimPrefix(u.Path, "/")
	copyName := fmt.Sprintf("%s_copy_%d", name, os.Getpid())
	// The statements run on the server's maintenance database, so that no
	// connection of ours holds the original.
	admin := *u
	admin.Path = "/postgres"
	conn, err := sql.Open("pgx", admin.String())
	if err != nil {
		return "", err
	}
	t.Cleanup(func() {
		if _, err := conn.Exec(`DROP DATABASE IF EXISTS ` + pgx.Identifier{copyName}.Sanitize() + ` WITH (FORCE)`); err != nil {
			t.Errorf("drop the copy %s: %v", copyName, err)
		}
		conn.Close()
	})
	create := `CREATE DATABASE ` + pgx.Identifier{copyName}.Sanitize() + ` TEMPLATE ` + pgx.Identifier{name}.Sanitize()
	// From PostgreSQL 15 on, the default copies a database page by page
	// through the log; FILE_COPY copies its files, much faster for gigabytes.
	var version int
	if err := conn.QueryRow(`SELECT current_setting('server_version_num')::int`).Scan(&version); err != nil {
		return "", err
	}
	if version >= 150000 {
		create += ` STRATEGY FILE_COPY`
	}
	if _, err := conn.Exec(create); err != nil {
		return "", err
	}
	dst := *u
	dst.Path = "/" + copyName
	return dst.String(), nil
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// ProcessCPU is the user and system CPU time this process has used: a
// benchmark reports it per operation beside the wall time, which on a
// shared machine measures the load as much as the code.
func ProcessCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// HeapPeak samples the heap (live and not yet swept objects) every few
// milliseconds from now on; the function it returns stops the sampling and
// says how far the heap rose above where it stood at the start, in MiB.
func HeapPeak() (stop func() float64) {
	runtime.GC()
	base := heapBytes()
	var peak atomic.Uint64
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		for {
			select {
			case <-done:
				return
			case <-time.After(5 * time.Millisecond):
				if h := heapBytes(); h > peak.Load() {
					peak.Store(h)
				}
			}
		}
	}()
	return func() float64 {
		close(done)
		<-finished
		return float64(max(peak.Load(), base)-base) / (1 << 20)
	}
}

func heapBytes() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// ServerCPU is the user and system CPU time the PostgreSQL server
// processes serving db's connections have used so far, by process id (read
// from /proc: the server must run on this machine); nil on SQLite or when
// it cannot be read. A benchmark subtracts the figures before from those
// after (ServerCPUSince) to tell the database's share of an operation from
// its own process's (ProcessCPU).
func ServerCPU(db *store.DB) map[int]time.Duration {
	if db.Engine != store.Postgres {
		return nil
	}
	var pids []int
	if err := db.SelectContext(context.Background(), &pids,
		`SELECT pid FROM pg_stat_activity WHERE datname = current_database()`); err != nil {
		return nil
	}
	out := map[int]time.Duration{}
	for _, pid := range pids {
		if cpu, ok := procCPU(pid); ok {
			out[pid] = cpu
		}
	}
	return out
}

// ServerCPUSince is the CPU time the server processes of db used since
// before (ServerCPU), those started since counted from zero; 0 if it
// cannot be read.
func ServerCPUSince(db *store.DB, before map[int]time.Duration) time.Duration {
	var total time.Duration
	for pid, cpu := range ServerCPU(db) {
		total += cpu - before[pid]
	}
	return total
}

// procCPU reads a process's user and system time from /proc/<pid>/stat.
func procCPU(pid int) (time.Duration, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, false
	}
	// The command, in parentheses, may hold spaces: fields count from its end.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, false
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 13 {
		return 0, false
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	// Clock ticks of 1/100 s (USER_HZ on Linux).
	return time.Duration(utime+stime) * 10 * time.Millisecond, true
}
