package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"aftersales/internal/store"
)

// The key that seals stored secrets comes from the environment, a key file,
// or on SQLite a key file made beside the database on first start, readable
// by its owner alone and the same at every later start. On PostgreSQL it
// must be given.
func TestSecretKeySources(t *testing.T) {
	dir := t.TempDir()
	lite := &store.DB{Engine: store.SQLite, Source: filepath.Join(dir, "a.db")}
	first, source, err := secretBox(lite, "")
	if err != nil || source != lite.Source+".key" {
		t.Fatalf("first start: %q %v", source, err)
	}
	info, err := os.Stat(lite.Source + ".key")
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", info, err)
	}
	sealed, err := first.Seal("whsec_x", "about")
	if err != nil {
		t.Fatal(err)
	}
	again, _, err := secretBox(lite, "")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := again.Open(sealed, "about"); err != nil || got != "whsec_x" {
		t.Errorf("the second start's key does not open the first's: %q %v", got, err)
	}

	pg := &store.DB{Engine: store.Postgres, Source: "postgres://db.example/x"}
	if _, _, err := secretBox(pg, ""); err == nil || !strings.Contains(err.Error(), "AFTERSALES_SECRET_KEY") {
		t.Errorf("PostgreSQL without a key: %v", err)
	}
	short := filepath.Join(dir, "short.key")
	if err := os.WriteFile(short, []byte("too short\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := secretBox(pg, short); err == nil || !strings.Contains(err.Error(), "32") {
		t.Errorf("a short key file: %v", err)
	}
	if _, _, err := secretBox(pg, filepath.Join(dir, "missing.key")); err == nil {
		t.Error("a missing key file named by the flag was made up")
	}
	if _, source, err := secretBox(pg, lite.Source+".key"); err != nil || source != lite.Source+".key" {
		t.Errorf("key file: %q %v", source, err)
	}

	t.Setenv("AFTERSALES_SECRET_KEY", "short")
	if _, _, err := secretBox(pg, ""); err == nil || !strings.Contains(err.Error(), "AFTERSALES_SECRET_KEY") {
		t.Errorf("a short key in the environment: %v", err)
	}
	t.Setenv("AFTERSALES_SECRET_KEY", strings.Repeat("s", 40))
	if _, source, err := secretBox(pg, ""); err != nil || source != "AFTERSALES_SECRET_KEY" {
		t.Errorf("key in the environment: %q %v", source, err)
	}
}
