package cli

import (
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// The README's first command: stopping the PID the shell shows for it
// stops the server and frees its port (go run would leave the server
// running under a child process).
func TestServeScriptStopsWithItsPID(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	cmd := exec.Command("../../scripts/serve", "--addr", addr, "--db", filepath.Join(t.TempDir(), "s.db"))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	up := false
	for deadline := time.Now().Add(5 * time.Minute); time.Now().Before(deadline) && !up; time.Sleep(200 * time.Millisecond) {
		select {
		case err := <-done:
			t.Fatalf("scripts/serve ended before serving: %v", err)
		default:
		}
		if res, err := http.Get("http://" + addr + "/login"); err == nil {
			res.Body.Close()
			up = true
		}
	}
	if !up {
		t.Fatal("the server did not answer")
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("the PID did not end on SIGTERM")
	}
	if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		c.Close()
		t.Fatal("the port still answers after the PID ended: the server outlived it")
	}
}
