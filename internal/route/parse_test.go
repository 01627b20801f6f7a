package route

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"
)

const goodSolomon = `TINY

VEHICLE
NUMBER     CAPACITY
  2         10

CUSTOMER
CUST NO.  XCOORD.   YCOORD.    DEMAND   READY TIME  DUE DATE   SERVICE TIME

    0      0          0          0          0        100          0
    1      3          4          5          0         50         10
    2      6          8          5         20         60          5
`

func TestParseSolomon(t *testing.T) {
	t.Parallel()
	p, err := ParseSolomon(strings.NewReader(goodSolomon))
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "TINY" || len(p.Technicians) != 2 || len(p.Visits) != 2 {
		t.Fatalf("parsed %+v", p)
	}
	v := p.Visits[1]
	if v.ID != 2 || v.Location != (Location{6, 8}) || v.Demand != 5 || v.Windows[0] != (Window{20, 60}) || v.Duration != 5 {
		t.Fatalf("visit 2 = %+v", v)
	}
	if tech := p.Technicians[0]; tech.ShiftEnd != 100 || tech.Capacity != 10 || tech.Start != (Location{}) {
		t.Fatalf("technician = %+v", tech)
	}
}

func TestParseSolomonRejectsBadFilesWithTheLine(t *testing.T) {
	t.Parallel()
	replace := func(old, new string) string { return strings.Replace(goodSolomon, old, new, 1) }
	cases := []struct {
		name, text string
		line       int
		says       string
	}{
		{"empty", "", 0, "incomplete"},
		{"ends after vehicles", goodSolomon[:strings.Index(goodSolomon, "CUSTOMER")], 0, "incomplete"},
		{"no vehicle section", replace("VEHICLE", "TRUCKS"), 3, "expected VEHICLE"},
		{"no vehicle header", replace("NUMBER     CAPACITY", "N C"), 4, "NUMBER CAPACITY"},
		{"vehicle count not a number", replace("  2         10", "  two       10"), 5, "not a number"},
		{"no vehicles", replace("  2         10", "  0         10"), 5, "number of vehicles"},
		{"no capacity", replace("  2         10", "  2         0"), 5, "capacity"},
		{"missing field", replace("    1      3          4          5          0         50         10", "    1      3          4          5"), 11, "expected 7 numbers"},
		{"letters", replace(" 60 ", " soon "), 12, "field 6"},
		{"ready after due", replace(" 60 ", " 10 "), 12, "ready time"},
		{"negative demand", replace("6          8          5", "6          8         -5"), 12, "not be negative"},
		{"duplicate", replace("    2      6", "    1      6"), 12, "already given on line 11"},
		{"depot not first", replace("    0      0 ", "    9      0 "), 10, "depot"},
		{"NaN", replace("    1      3 ", "    1      NaN "), 11, "not a number"},
		{"fractional number", replace("    2      6", "    2.5    6"), 12, "whole number"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseSolomon(strings.NewReader(c.text))
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want a ParseError", err)
			}
			if pe.Line != c.line || !strings.Contains(pe.Error(), c.says) {
				t.Fatalf("err = %q (line %d), want line %d saying %q", pe, pe.Line, c.line, c.says)
			}
		})
	}
}

func TestParseDayRejectsBadFilesWithTheLineOrField(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, text string
		line       int
		field      string
	}{
		{"empty", "", 0, ""},
		{"syntax", "{\n \"visits\": [\n  {\"id\": 1,,}\n ]\n}", 3, ""},
		{"wrong type", "{\n \"visits\": [\n  {\"id\": \"one\"}\n ]\n}", 3, ""},
		{"unknown field", "{\n \"visits\": [],\n \"trucks\": 3\n}", 3, ""},
		{"cut short", "{\n \"visits\": [\n", 3, ""},
		{"trailing data", "{\"visits\": []}\n{}", 2, ""},
		{"window backwards", `{"visits": [{"id": 1, "windows": [{"open": 5, "close": 1}]}], "technicians": []}`, 0, "visits[0].windows[0]"},
		{"pin to nobody", `{"visits": [{"id": 1, "pin": {"technician": 4}}], "technicians": []}`, 0, "visits[0].pin.technician"},
		{"shift backwards", `{"visits": [], "technicians": [{"id": 1, "shift_start": 9, "shift_end": 1}]}`, 0, "technicians[0].shift_end"},
		{"under way unknown", `{"visits": [], "technicians": [{"id": 1, "shift_end": 9, "under_way": {"visit": 3}}]}`, 0, "technicians[0].under_way.visit"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseInstance(strings.NewReader(c.text))
			if c.field != "" {
				var ie *InvalidError
				if !errors.As(err, &ie) || ie.Field != c.field {
					t.Fatalf("err = %v, want one naming %s", err, c.field)
				}
				return
			}
			var pe *ParseError
			if c.text == "" {
				// An empty file is not JSON, so it is read as a Solomon file.
				if !errors.As(err, &pe) {
					t.Fatalf("err = %v", err)
				}
				return
			}
			if !errors.As(err, &pe) || pe.Line != c.line {
				t.Fatalf("err = %v, want a ParseError on line %d", err, c.line)
			}
		})
	}
}

func TestParseSolutionReadsBothNamings(t *testing.T) {
	t.Parallel()
	f, err := ParseSolution(strings.NewReader(`{"instance": "X", "solution": [[1, 2], [], [3]]}`))
	if err != nil || len(f.Routes) != 2 {
		t.Fatalf("best-known naming: %+v %v", f, err)
	}
	f, err = ParseSolution(strings.NewReader(`{"vehicles": 1, "routes": [[3, 1]], "technicians": [7]}`))
	if err != nil || f.Technicians[0] != 7 {
		t.Fatalf("own naming: %+v %v", f, err)
	}
	for _, bad := range []string{`{}`, `{"routes": [[1]], "technicians": [1, 2]}`, `{"routes": [["a"]]}`, `[`} {
		if _, err := ParseSolution(strings.NewReader(bad)); err == nil {
			t.Errorf("%s is accepted", bad)
		}
	}
}

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// FuzzParseInstance: no input makes the parsers panic, and any instance they
// accept (small enough to solve here) is solved into a plan the checker passes.
func FuzzParseInstance(f *testing.F) {
	f.Add([]byte(goodSolomon))
	f.Add(readTestdata(f, "day.json"))
	f.Add(readTestdata(f, "c101.txt"))
	f.Add([]byte("{\"visits\": [{\"id\": 1}], \"technicians\": [{\"id\": 2, \"shift_end\": 5}]}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParseInstance(bytes.NewReader(data))
		if err != nil {
			return
		}
		if len(p.Visits) > 30 || len(p.Technicians) > 30 {
			return
		}
		plan, err := Solve(t.Context(), p, Options{Iterations: 20, Workers: 1})
		var ie *InvalidError
		if errors.As(err, &ie) {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Check(p, SolutionFromPlan(plan)); err != nil {
			t.Fatalf("plan fails the checker: %v", err)
		}
	})
}

// FuzzParseSolution: no solution file makes the parser or checker panic.
func FuzzParseSolution(f *testing.F) {
	f.Add(readTestdata(f, "c101.best.json"))
	f.Add([]byte(`{"routes": [[1, 1, 2]], "technicians": [1], "unplaced": [9]}`))
	p, err := ParseSolomon(strings.NewReader(goodSolomon))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseSolution(bytes.NewReader(data))
		if err != nil {
			return
		}
		_, _ = Check(p, s)
	})
}

func bytesOf(t testing.TB, name string) *bytes.Reader { return bytes.NewReader(readTestdata(t, name)) }

func TestWriteSolutionReadsBack(t *testing.T) {
	t.Parallel()
	for _, f := range []*SolutionFile{
		{Vehicles: 2, Distance: 12.5, Routes: [][]int64{{3, 1}, {2}}, Technicians: []int64{4, 5}, Unplaced: []int64{9}},
		{Vehicles: 1, Distance: 3, Routes: [][]int64{{1}}},
		{Routes: [][]int64{}},
	} {
		var b bytes.Buffer
		if err := WriteSolution(&b, f); err != nil {
			t.Fatal(err)
		}
		got, err := ParseSolution(&b)
		if err != nil {
			t.Fatalf("%s: %v", b.String(), err)
		}
		if got.Vehicles != f.Vehicles || got.Distance != f.Distance || len(got.Routes) != len(f.Routes) || len(got.Unplaced) != len(f.Unplaced) {
			t.Fatalf("wrote %+v, read %+v", f, got)
		}
	}
}
