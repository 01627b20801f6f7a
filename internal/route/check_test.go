package route

import (
	"bufio"
	"bytes"
	"errors"
	"strconv"
	"strings"
	"testing"
)

func bestKnown(t *testing.T) map[string][2]float64 {
	t.Helper()
	out := map[string][2]float64{}
	sc := bufio.NewScanner(bytes.NewReader(readTestdata(t, "best-known.tsv")))
	for sc.Scan() {
		f := strings.Split(sc.Text(), "\t")
		v, err1 := strconv.ParseFloat(f[1], 64)
		d, err2 := strconv.ParseFloat(f[2], 64)
		if err1 == nil && err2 == nil {
			out[f[0]] = [2]float64{v, d}
		}
	}
	return out
}

func loadBest(t *testing.T, name string) *SolutionFile {
	t.Helper()
	s, err := ParseSolution(bytes.NewReader(readTestdata(t, name+".best.json")))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestCheckerAcceptsBestKnownSolutions(t *testing.T) {
	t.Parallel()
	known := bestKnown(t)
	for _, name := range []string{"r101", "c101", "rc105", "r201"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			res, err := Check(loadSolomon(t, name), loadBest(t, name))
			if err != nil {
				t.Fatal(err)
			}
			want := known[name]
			if float64(res.Vehicles) != want[0] || abs(res.Distance-want[1]) > 0.005 {
				t.Fatalf("%d vehicles, %.3f; best-known.tsv says %v", res.Vehicles, res.Distance, want)
			}
		})
	}
}

func TestCheckerFindsViolations(t *testing.T) {
	t.Parallel()
	p := loadSolomon(t, "r101")
	cases := []struct {
		name   string
		change func(s *SolutionFile)
		says   string
	}{
		{"visit twice", func(s *SolutionFile) { s.Routes[0] = append(s.Routes[0], s.Routes[1][0]) }, "is on route 1 and on route 2"},
		{"visit missing", func(s *SolutionFile) { s.Routes[0] = s.Routes[0][1:] }, "is on no route"},
		{"unknown visit", func(s *SolutionFile) { s.Routes[0] = append(s.Routes[0], 999) }, "visit 999 does not exist"},
		{"window missed", func(s *SolutionFile) {
			r := s.Routes[0]
			r[0], r[len(r)-1] = r[len(r)-1], r[0]
		}, "after its last window closes"},
		{"too many routes", func(s *SolutionFile) {
			for len(s.Routes) <= 25 {
				s.Routes = append(s.Routes, []int64{})
			}
			s.Routes = append(s.Routes, []int64{1})
		}, "has no technician"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			s := loadBest(t, "r101")
			c.change(s)
			_, err := Check(p, s)
			var ve *ViolationError
			if !errors.As(err, &ve) || !strings.Contains(err.Error(), c.says) {
				t.Fatalf("err = %v, want a violation saying %q", err, c.says)
			}
		})
	}
}

func TestCheckerFindsOverload(t *testing.T) {
	t.Parallel()
	p, err := ParseSolomon(strings.NewReader(strings.Replace(goodSolomon, "  2         10", "  2         9", 1)))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Check(p, &SolutionFile{Routes: [][]int64{{1, 2}}})
	var ve *ViolationError
	if !errors.As(err, &ve) || len(ve.Violations) != 1 || !strings.Contains(err.Error(), "load 10.00 exceeds the capacity 9.00") {
		t.Fatalf("err = %v", err)
	}
	if res, err := Check(p, &SolutionFile{Routes: [][]int64{{1}, {2}}}); err != nil || res.Vehicles != 2 || abs(res.Distance-30) > 1e-9 {
		t.Fatalf("two routes: %+v %v", res, err)
	}
}

func TestCheckerHoldsSkillsPinsAndBreaks(t *testing.T) {
	t.Parallel()
	p := loadDay(t)
	cases := []struct {
		name string
		sol  SolutionFile
		says string
	}{
		{"pinned elsewhere", SolutionFile{Routes: [][]int64{{104}}, Technicians: []int64{3}}, "pinned to technician 1"},
		{"unqualified", SolutionFile{Routes: [][]int64{{107, 103}}, Technicians: []int64{2}}, "lacks a skill"},
		{"under way not first", SolutionFile{Routes: [][]int64{{101, 107}}, Technicians: []int64{2}}, "under way and must come first"},
		{"two routes", SolutionFile{Routes: [][]int64{{101}, {102}}, Technicians: []int64{1, 1}}, "has two routes"},
	}
	for _, c := range cases {
		if _, err := Check(p, &c.sol); err == nil || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%s: err = %v, want %q", c.name, err, c.says)
		}
	}
}
