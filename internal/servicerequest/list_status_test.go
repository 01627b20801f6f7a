package servicerequest_test

import (
	"slices"
	"testing"
	"time"

	"aftersales/internal/policy"
	"aftersales/internal/servicerequest"
	"aftersales/internal/store"
	"aftersales/internal/testutil"
)

// The urgency order selects by status as asked, whether the statuses cover
// every open one (the run of requests with a deadline then reads no status)
// or not, and a page boundary inside the deadlines keeps the order.
func TestListSelectsByStatus(t *testing.T) {
	onWednesday(t, func(t *testing.T, db *store.DB, c *clock, svc *servicerequest.Service, f *testutil.Fixture) {
		ctx := t.Context()
		dispatcher := f.Users[policy.Dispatcher].Actor()
		var received, responded, cancelled []int64
		for i := range 6 {
			v := fileDispatched(t, svc, f, []string{"emergency", "general"}[i%2], "主轴异响")
			switch i % 3 {
			case 0:
				received = append(received, v.ID)
			case 1:
				if _, err := svc.Act(ctx, dispatcher, v.ID, servicerequest.Action{Kind: "responded"}, v.Version); err != nil {
					t.Fatal(err)
				}
				responded = append(responded, v.ID)
			case 2:
				if _, err := svc.Act(ctx, dispatcher, v.ID, servicerequest.Action{Kind: "cancelled", Note: "客户已自行处理"}, v.Version); err != nil {
					t.Fatal(err)
				}
				cancelled = append(cancelled, v.ID)
			}
			c.now = c.now.Add(time.Minute)
		}
		list := func(f servicerequest.Filter) []int64 {
			t.Helper()
			f.Limit = 1 // a page boundary after every request
			ids := idsOf(listed(t, svc, dispatcher, f))
			slices.Sort(ids)
			return ids
		}
		open := []servicerequest.Status{servicerequest.Received, servicerequest.Responded, servicerequest.Scheduled, servicerequest.OnSite}
		for _, tc := range []struct {
			name string
			f    servicerequest.Filter
			want []int64
		}{
			{"every open status", servicerequest.Filter{Status: open}, slices.Sorted(slices.Values(slices.Concat(received, responded)))},
			{"received only", servicerequest.Filter{Status: []servicerequest.Status{servicerequest.Received}}, received},
			{"responded only", servicerequest.Filter{Status: []servicerequest.Status{servicerequest.Responded}}, responded},
			{"cancelled", servicerequest.Filter{Status: []servicerequest.Status{servicerequest.Cancelled}}, cancelled},
			{"every status", servicerequest.Filter{Status: append(open, servicerequest.Resolved, servicerequest.Cancelled)},
				slices.Sorted(slices.Values(slices.Concat(received, responded, cancelled)))},
		} {
			if got := list(tc.f); !slices.Equal(got, tc.want) {
				t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
			}
		}
	})
}
