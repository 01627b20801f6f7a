package reliability

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
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
// The build goes to a folder kept between runs, one per checkout (under
// os.UserCacheDir), so that `go build -o` finds the binary of the last run
// and, when it is up to date, skips the link (about 2 s of CPU instead of
// 10 to 19). Up to date means what `go build` decides from the binary's
// build ID: the sources, the go tool and the flags; a checkout with other
// sources gets a link of its own in its own folder. A lock file makes two
// test processes of one checkout take turns building, and each then runs a
// copy of its own, so that the next build cannot change the binary under a
// process that is running it.
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
	dir, err := checkoutBuildDir()
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

// checkoutBuildDir is the folder kept between runs for the binary of the
// checkout these tests run in, named by a hash of the checkout's path.
func checkoutBuildDir() (string, error) {
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	sum := sha256.Sum256([]byte(root))
	dir := filepath.Join(cache, "aftersales-test", hex.EncodeToString(sum[:8]))
	return dir, os.MkdirAll(dir, 0o755)
}

// moduleRoot is the folder of the go.mod above the test's working folder.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the test's folder")
		}
		dir = parent
	}
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
