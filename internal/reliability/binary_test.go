package reliability

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"syscall"
	"testing"
)

var (
	buildOnce sync.Once
	buildDir  string
	buildErr  error
)

// binary builds cmd/aftersales once per test run, with the go tool that
// runs the tests, and returns its path.
//
// The build goes to a folder kept between runs (under os.UserCacheDir), so
// that `go build -o` finds the binary of the last run and, when it is up to
// date, skips the link (about 2 s of CPU instead of 10 to 19). Up to date
// means what `go build` decides from the binary's build ID: the sources, the
// go tool and the flags, not the checkout's folder (the test command builds
// with -trimpath), so a new clone of the same sources finds it too, and a
// checkout with other sources links it again. A lock file makes test
// processes take turns building, and each then runs a copy of its own, so
// that the next build cannot change the binary under a process that is
// running it.
func binary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "aftersales-proof-")
		if buildErr != nil {
			return
		}
		buildErr = buildCached(filepath.Join(buildDir, "aftersales"))
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return filepath.Join(buildDir, "aftersales")
}

// buildCached builds cmd/aftersales into this checkout's build folder,
// holding its lock, and copies the binary to dst.
func buildCached(dst string) error {
	dir, err := buildCacheDir()
	if err != nil {
		return err
	}
	lock, err := os.OpenFile(filepath.Join(dir, "lock"), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return fmt.Errorf("lock %s: %w", lock.Name(), err)
	}
	defer syscall.Flock(int(lock.Fd()), syscall.LOCK_UN)

	goTool, err := exec.LookPath("go")
	if err != nil {
		goTool = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	built := filepath.Join(dir, "aftersales")
	cmd := exec.Command(goTool, "build", "-o", built, "aftersales/cmd/aftersales")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build: %v\n%s", err, out)
	}
	return copyExecutable(dst, built)
}

// buildCacheDir is the folder kept between runs for the binary.
func buildCacheDir() (string, error) {
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	dir := filepath.Join(cache, "aftersales", "proof-binary")
	return dir, os.MkdirAll(dir, 0o755)
}

func copyExecutable(dst, src string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return fmt.Errorf("copy %s: %w", src, err)
	}
	return out.Close()
}
