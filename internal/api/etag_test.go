package api

import (
	"strconv"
	"testing"
)

func TestIfMatch(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]int64{`"3"`: 3, `W/"12"`: 12, ` "7" `: 7} {
		if got, err := ifMatch(in); err != nil || got != want {
			t.Errorf("ifMatch(%q) = %d, %v", in, got, err)
		}
	}
	for _, in := range []string{"", `"0"`, `"-1"`, `"abc"`, `*`} {
		if _, err := ifMatch(in); err == nil {
			t.Errorf("ifMatch(%q) accepted", in)
		}
	}
}

func FuzzIfMatch(f *testing.F) {
	for _, s := range []string{`"1"`, `W/"2"`, "", `"`, "*", `"99999999999999999999"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ifMatch(s)
		if err == nil {
			if v <= 0 {
				t.Fatalf("accepted non-positive version %d from %q", v, s)
			}
			if etag(v) != `"`+strconv.FormatInt(v, 10)+`"` {
				t.Fatal("etag does not round-trip")
			}
		}
	})
}
