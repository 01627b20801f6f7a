package installedbase

import (
	"strconv"
	"strings"
	"testing"

	"aftersales/internal/problem"
)

func TestParseIDs(t *testing.T) {
	t.Parallel()
	ids, err := ParseIDs("ids", "12, 15,,17", "3")
	if err != nil || len(ids) != 4 || ids[0] != 12 || ids[3] != 3 {
		t.Fatalf("ParseIDs: %v %v", ids, err)
	}
	for _, bad := range []string{"x", "-1", "0", "1.5", "99999999999999999999"} {
		if _, err := ParseIDs("ids", bad); !problem.Is(err, problem.Invalid) {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

func FuzzParseIDs(f *testing.F) {
	f.Add("1,2,3")
	f.Add(" 7 ,,x")
	f.Fuzz(func(t *testing.T, s string) {
		ids, err := ParseIDs("ids", s)
		if err != nil {
			if !problem.Is(err, problem.Invalid) {
				t.Fatalf("%q: %v", s, err)
			}
			return
		}
		n := 0
		for _, part := range strings.Split(s, ",") {
			if strings.TrimSpace(part) != "" {
				n++
			}
		}
		if len(ids) != n {
			t.Fatalf("%q: %d ids from %d parts", s, len(ids), n)
		}
		for _, id := range ids {
			if id <= 0 || !strings.Contains(s, strconv.FormatInt(id, 10)) {
				t.Fatalf("%q: id %d", s, id)
			}
		}
	})
}
