package cli

import (
	"path/filepath"
	"strings"
	"testing"
)

// A wrong email configuration stops serve at start, before it listens.
func TestServeRefusesBadSMTPConfiguration(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "a.db")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--smtp-url", "http://mail.example"}, "scheme"},
		{[]string{"--smtp-url", "smtp://mail.example:25"}, "--smtp-from"},
		{[]string{"--smtp-url", "smtp://mail.example:25", "--smtp-from", "not an address"}, "smtp from"},
	} {
		code, _, errOut := run(t, append([]string{"serve", "--db", db, "--addr", "127.0.0.1:0"}, tc.args...)...)
		if code == 0 || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, %q", tc.args, code, errOut)
		}
	}
}

// A bad --trusted-proxies entry stops serve at start, naming the entry.
func TestServeRefusesBadTrustedProxies(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "a.db")
	code, _, errOut := run(t, "serve", "--db", db, "--addr", "127.0.0.1:0", "--trusted-proxies", "10.0.0.0/8, proxy.example")
	if code == 0 || !strings.Contains(errOut, "--trusted-proxies") || !strings.Contains(errOut, `"proxy.example"`) {
		t.Errorf("exit %d, %q", code, errOut)
	}
}
