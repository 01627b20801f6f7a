package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"aftersales/internal/cli"
)

func runRoute(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := cli.Main(context.Background(), args, strings.NewReader(""), &out, &errOut)
	return code, out.String(), errOut.String()
}

const routeTestdata = "../route/testdata/"

func TestRouteSolveWritesACheckedSolution(t *testing.T) {
	t.Parallel()
	out := filepath.Join(t.TempDir(), "r101.json")
	code, stdout, stderr := runRoute(t, "route", "solve", routeTestdata+"r101.txt", "--time-limit", "2s", "--iterations", "300", "--seed", "4", "--out", out)
	if code != 0 {
		t.Fatalf("solve: %d %s", code, stderr)
	}
	if !strings.HasPrefix(stdout, "R101: ") || !strings.Contains(stdout, "route 1 (technician") {
		t.Fatalf("solve printed %q", stdout)
	}
	var sol struct {
		Vehicles int       `json:"vehicles"`
		Distance float64   `json:"distance"`
		Routes   [][]int64 `json:"routes"`
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &sol); err != nil || sol.Vehicles != len(sol.Routes) || sol.Vehicles < 19 {
		t.Fatalf("solution file: %v %+v", err, sol)
	}
	code, stdout, stderr = runRoute(t, "route", "check", routeTestdata+"r101.txt", out)
	if code != 0 || !strings.Contains(stdout, "valid") {
		t.Fatalf("check: %d %s %s", code, stdout, stderr)
	}
}

func TestRouteSolveADayInJSON(t *testing.T) {
	t.Parallel()
	code, stdout, stderr := runRoute(t, "route", "solve", "--objective", "distance", "--iterations", "200", routeTestdata+"day.json")
	if code != 0 || !strings.Contains(stdout, "unplaced 106: no_qualified_technician") {
		t.Fatalf("%d %s %s", code, stdout, stderr)
	}
}

func TestRouteCheckBestKnown(t *testing.T) {
	t.Parallel()
	code, stdout, _ := runRoute(t, "route", "check", routeTestdata+"c101.txt", routeTestdata+"c101.best.json")
	if code != 0 || stdout != "C101: valid, 10 vehicles, distance 828.94\n" {
		t.Fatalf("%d %q", code, stdout)
	}
}

func TestRouteCommandsRejectBadInput(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	badSolomon := write("bad.txt", "X\n\nVEHICLE\nNUMBER CAPACITY\n 3 abc\n")
	badJSON := write("bad.json", "{\n \"visits\": [\n  {\"id\": 1,}\n ]\n}\n")
	broken := write("broken.sol", `{"routes": [[1, 2, 3]]}`)
	cases := []struct {
		name string
		args []string
		code int
		says string
	}{
		{"no subcommand", []string{"route"}, 2, "route solve FILE"},
		{"unknown subcommand", []string{"route", "plan"}, 2, "unknown subcommand"},
		{"no file", []string{"route", "solve"}, 2, "needs the instance FILE"},
		{"bad objective", []string{"route", "solve", routeTestdata + "r101.txt", "--objective", "speed"}, 2, "--objective"},
		{"bad time limit", []string{"route", "solve", routeTestdata + "r101.txt", "--time-limit", "-1s"}, 2, "--time-limit"},
		{"missing file", []string{"route", "solve", filepath.Join(dir, "none.txt")}, 1, "no such file"},
		{"bad Solomon file", []string{"route", "solve", badSolomon}, 1, "bad.txt: line 5: field 2"},
		{"bad JSON file", []string{"route", "solve", badJSON}, 1, "bad.json: line 3"},
		{"check wants two files", []string{"route", "check", routeTestdata + "r101.txt"}, 2, "route check INSTANCE SOLUTION"},
		{"check a broken solution", []string{"route", "check", routeTestdata + "r101.txt", broken}, 1, "visit 4 is on no route"},
		{"check a bad solution file", []string{"route", "check", routeTestdata + "r101.txt", badJSON}, 1, "bad.json: line 3"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			code, _, stderr := runRoute(t, c.args...)
			if code != c.code || !strings.Contains(stderr, c.says) {
				t.Fatalf("exit %d, stderr %q; want %d saying %q", code, stderr, c.code, c.says)
			}
		})
	}
}
