package servicerequest_test

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"aftersales/internal/policy"
	"aftersales/internal/servicerequest"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

func TestSearchTokens(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"主轴报警", []string{"主轴", "轴报", "报警"}},
		{"Spindle alarm SP-17，已停机", []string{"spindle", "alarm", "sp", "17", "已停", "停机"}},
		{"报", []string{"报"}},
		{"", nil},
	} {
		if got := servicerequest.SearchTokens(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("%q: %q, want %q", tc.in, got, tc.want)
		}
	}
}

func FuzzSearchTokens(f *testing.F) {
	for _, s := range []string{"主轴报警 SP-17", "a\"b'c*", "\x00\xff", "ＡＢＣ１２３"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, tok := range servicerequest.SearchTokens(s) {
			if tok == "" {
				t.Fatalf("empty token from %q", s)
			}
		}
	})
}

// Search finds words and any two-character piece of Chinese text, on both
// engines, and pages through the matches with the cursor.
func TestFullTextSearch(t *testing.T) {
	onWednesday(t, func(t *testing.T, db *store.DB, c *clock, svc *servicerequest.Service, f *testutil.Fixture) {
		ctx := t.Context()
		dispatcher := f.Users[policy.Dispatcher].Actor()
		descs := []string{"主轴异响并报警 SP-17，已停机", "Spindle alarm after restart", "冷却液泄漏", "主轴温度过高", "Coolant 'leak' 50%"}
		for _, d := range descs {
			fileRepair(t, svc, f, d)
			c.now = c.now.Add(time.Minute)
		}
		find := func(q string) []string {
			var out []string
			for _, r := range listed(t, svc, dispatcher, servicerequest.Filter{Query: q, Limit: 1}) {
				out = append(out, r.Description)
			}
			return out
		}
		for q, want := range map[string]int{
			"主轴": 2, "异响": 1, "轴异响": 1, "报": 1, "泄漏": 1, "spindle": 1, "SPIN": 1, "sp-17": 1, "alarm restart": 1,
			"液": 1, "报警 停机": 1, "齿轮": 0, "'leak'": 1, "50%": 1, `"`: 0, "*": 0,
		} {
			if got := find(q); len(got) != want {
				t.Errorf("%q found %d (%q), want %d", q, len(got), got, want)
			}
		}
		// Another tenant's query finds nothing of ours.
		if p, err := svc.List(ctx, f.OtherAdmin.Actor(), servicerequest.Filter{Query: "主轴"}); err != nil || len(p.Items) != 0 {
			t.Fatalf("other tenant: %d %v", len(p.Items), err)
		}
		// SQLite indexes in batches: what the searches above indexed is not
		// indexed again, and a request filed since is pending until the next
		// search or run, which finds it.
		if n, err := svc.IndexPending(ctx); err != nil || n != 0 {
			t.Fatalf("nothing pending, yet indexed %d: %v", n, err)
		}
		fileRepair(t, svc, f, "齿轮磨损")
		wantPending := map[store.Engine]int{store.SQLite: 1, store.Postgres: 0}[db.Engine]
		if n, err := svc.IndexPending(ctx); err != nil || n != wantPending {
			t.Fatalf("indexed %d pending, want %d: %v", n, wantPending, err)
		}
		if got := find("齿轮"); len(got) != 1 {
			t.Errorf("the newest request is not found: %q", got)
		}
	})
}

// A search lists its matches newest first, a page at a time, each once; it
// finds a request by its number and by its serial number in any case, and
// takes no cursor of the urgency-ordered list.
func TestSearchNewestFirstByNumberAndSerial(t *testing.T) {
	onWednesday(t, func(t *testing.T, db *store.DB, c *clock, svc *servicerequest.Service, f *testutil.Fixture) {
		ctx := t.Context()
		dispatcher := f.Users[policy.Dispatcher].Actor()
		var ids []int64
		var numbers []string
		for i := range 7 {
			desc := "主轴报警"
			if i%3 == 2 {
				desc = "冷却液泄漏"
			}
			v := fileRepair(t, svc, f, desc)
			ids, numbers = append(ids, v.ID), append(numbers, v.Number)
			c.now = c.now.Add(time.Minute)
		}
		pages := func(q string, limit int) []int64 {
			return idsOf(listed(t, svc, dispatcher, servicerequest.Filter{Query: q, Limit: limit}))
		}
		newestFirst := func(xs ...int64) []int64 {
			out := slices.Clone(xs)
			slices.Reverse(out)
			return out
		}
		for _, limit := range []int{1, 2, 50} {
			if got, want := pages("主轴", limit), newestFirst(ids[0], ids[1], ids[3], ids[4], ids[6]); !slices.Equal(got, want) {
				t.Errorf("主轴, pages of %d: %v, want %v", limit, got, want)
			}
			if got, want := pages("in-scope-1", limit), newestFirst(ids...); !slices.Equal(got, want) {
				t.Errorf("serial in small letters, pages of %d: %v, want %v", limit, got, want)
			}
		}
		if got := pages(numbers[2], 50); !slices.Equal(got, []int64{ids[2]}) {
			t.Errorf("number %s found %v, want [%d]", numbers[2], got, ids[2])
		}
		if got := pages(strings.ToLower(numbers[5]), 50); !slices.Equal(got, []int64{ids[5]}) {
			t.Errorf("number %s in small letters found %v, want [%d]", numbers[5], got, ids[5])
		}
		// The urgency-ordered list's cursor is no cursor of a search.
		p, err := svc.List(ctx, dispatcher, servicerequest.Filter{Limit: 1})
		if err != nil || p.Next == "" {
			t.Fatalf("list: %v %q", err, p.Next)
		}
		if _, err := svc.List(ctx, dispatcher, servicerequest.Filter{Query: "主轴", Cursor: p.Next}); err == nil {
			t.Error("a search took the urgency list's cursor")
		}
	})
}

// On PostgreSQL a search walks the newest requests first, then takes a
// bounded set of older matches from the GIN index: when they are all there
// is, it pages them itself; when the bound is reached, it walks on. All find the same requests in the
// same order, a page at a time, as the walk alone did.
func TestSearchProbeFindsWhatTheWalkFinds(t *testing.T) {
	t.Parallel()
	db := testutil.NewDB(t, store.Postgres)
	ctx := context.Background()
	c, svc, f := setupWednesday(t, db)
	dispatcher := f.Users[policy.Dispatcher].Actor()
	for i := range 12 {
		d := []string{"主轴异响", "冷却液泄漏", "主轴报警停机"}[i%3]
		fileRepair(t, svc, f, d)
		c.now = c.now.Add(time.Minute)
	}
	ids := func(s *servicerequest.Service, q string) []int64 {
		return idsOf(listed(t, s, dispatcher, servicerequest.Filter{Query: q, Limit: 3}))
	}
	for q, want := range map[string]int{"主轴": 8, "报警 停机": 4, "泄漏": 4, "齿轮": 0} {
		walked := ids(svc.WithoutSearchProbe(), q)
		if len(walked) != want || !slices.IsSortedFunc(walked, func(a, b int64) int { return cmp.Compare(b, a) }) {
			t.Fatalf("%q walked: %v, want %d newest first", q, walked, want)
		}
		for _, window := range []int{1, 4, 100} { // a page never, sometimes, always within the window
			for _, reach := range []int{0, 3, 100} { // never walked on, walked on part of the way, to the end
				for _, probe := range []int{2, 5, 100} { // reached, reached on later pages only, never
					if got := ids(svc.WithSearchProbe(window, reach, probe), q); !slices.Equal(got, walked) {
						t.Errorf("%q with a window of %d, a reach of %d and a probe of %d: %v, want %v", q, window, reach, probe, got, walked)
					}
				}
			}
		}
	}
	// Another tenant's search finds none of them, whichever way.
	for _, probe := range []int{2, 100} {
		p, err := svc.WithSearchProbe(1, 0, probe).List(ctx, f.OtherAdmin.Actor(), servicerequest.Filter{Query: "主轴"})
		if err != nil || len(p.Items) != 0 {
			t.Errorf("other tenant with a probe of %d: %d %v", probe, len(p.Items), err)
		}
	}
}

// BenchmarkSearch measures a first page of a full-text search among 5,000
// requests, for a Chinese pair, a Latin prefix and the one-character
// fallback to LIKE.
func BenchmarkSearch(b *testing.B) {
	db := testutil.NewDB(b, store.SQLite)
	ctx := context.Background()
	c := &clock{now: time.Date(2026, 11, 25, 1, 0, 0, 0, time.UTC)}
	svc, f := setup(b, db, c)
	dispatcher := f.Users[policy.Dispatcher].Actor()
	words := []string{"主轴异响并报警", "冷却液泄漏", "伺服驱动器过热", "spindle alarm", "coolant leak", "导轨润滑不足", "刀库换刀失败"}
	for i := 0; i < 5000; i++ {
		d := fmt.Sprintf("%s，第 %d 台，%s", words[i%len(words)], i, words[(i/7)%len(words)])
		fileRepair(b, svc, f, d)
	}
	for _, q := range []string{"", "换刀", "spind", "漏"} {
		b.Run(q, func(b *testing.B) {
			for b.Loop() {
				if _, err := svc.List(ctx, dispatcher, servicerequest.Filter{Query: q, Limit: 50}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
