package servicerequest

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"aftersales/internal/calendar"
	"aftersales/internal/sla"
	"aftersales/internal/store"
)

// refresh recomputes a request's clocks from its events and stores the
// projection lists sort and filter on: the next deadline still running and
// whether any clock is breached.
func (s *Service) refresh(ctx context.Context, q store.Queryer, requestID int64, now time.Time) error {
	r, err := GetRequest(ctx, q, requestID)
	if err != nil {
		return err
	}
	events, err := Events(ctx, q, requestID)
	if err != nil {
		return err
	}
	clocks, err := s.clocks(ctx, q, r, events, now)
	if err != nil {
		return err
	}
	return saveProjection(ctx, q, r, clocks)
}

// saveProjection stores the projection of r's clocks (SetProjection) and
// its clock rows; r is the request as it now stands, its status included.
func saveProjection(ctx context.Context, q store.Queryer, r Request, clocks []sla.Clock) error {
	r.SetProjection(clocks)
	if _, err := store.Exec(ctx, q, `UPDATE service_requests SET next_due_at = ?, breached = ?, next_check_at = ? WHERE id = ?`,
		r.NextDueAt, r.Breached, r.NextCheckAt, r.ID); err != nil {
		return err
	}
	return saveClocks(ctx, q, r, clocks)
}

// SetProjection sets what r's row holds of its clocks for the lists and the
// clock job, from its status and clocks: the next deadline of a clock still
// running or paused, whether any clock is breached, and when the clock job
// must next look at it. A closed request (resolved or cancelled) has no
// next deadline and no next check, whatever its clocks still say (a
// cancelled request's clocks are left running, stored as cancelled): nothing
// is due of it and nothing more is raised. So only an open request has a
// next deadline, which the urgency order relies on (urgencyPage). Breached
// is history and stays as the clocks say. Every writer of a request's row
// goes through here; a closed request made open again (Reopen) is
// refreshed, which gives it its deadline back.
func (r *Request) SetProjection(clocks []sla.Clock) {
	r.NextDueAt, r.Breached = Projection(clocks)
	r.NextCheckAt = NextCheck(clocks)
	if !r.Status.Open() {
		r.NextDueAt, r.NextCheckAt = nil, nil
	}
}

// ClockCancelled is the stored state of a clock still running or paused
// when its request was cancelled: it counts as neither met nor breached.
const ClockCancelled = "cancelled"

// MonthOf is the month a request received at t belongs to on the homes
// (China time, YYYY-MM).
func MonthOf(t time.Time) string { return t.In(calendar.Shanghai).Format("2006-01") }

// ClockColumns are the columns of request_clocks, in the order ClockRows
// gives their values.
const ClockColumns = "request_id, kind, agreement_id, vendor_id, provider_id, period, state, due_at"

// ClockRows are the rows of request_clocks for a request's clocks: one per
// kind (a request escalated twice has two escalation clocks; the latest
// counts), a clock left running on a cancelled request stored as cancelled.
func ClockRows(r Request, clocks []sla.Clock) [][]any {
	var rows [][]any
	seen := map[sla.ClockKind]bool{}
	for i := len(clocks) - 1; i >= 0; i-- {
		c := clocks[i]
		if seen[c.Kind] {
			continue
		}
		seen[c.Kind] = true
		state := string(c.State)
		if r.Status == Cancelled && (c.State == sla.StateRunning || c.State == sla.StatePaused) {
			state = ClockCancelled
		}
		rows = append(rows, []any{r.ID, string(c.Kind), r.AgreementID, r.VendorID, r.ProviderID, MonthOf(r.ReceivedAt), state, c.DueAt.UTC()})
	}
	return rows
}

// saveClocks stores each clock's state beside the request (request_clocks),
// in one statement, for the homes' counts and the list filtered the same way.
func saveClocks(ctx context.Context, q store.Queryer, r Request, clocks []sla.Clock) error {
	return SaveClockRows(ctx, q, r.ID, ClockRows(r, clocks))
}

// insertClocks stores the clock rows of a request just inserted and adds
// them to the running totals: it has no stored rows to read first, nor to
// replace (SaveClockRows, for a request that may have them).
func insertClocks(ctx context.Context, q store.Queryer, r Request, clocks []sla.Clock) error {
	rows := ClockRows(r, clocks)
	if len(rows) == 0 {
		return nil
	}
	args := make([]any, 0, 8*len(rows))
	totals := ClockTotals{}
	for _, row := range rows {
		args = append(args, row...)
		totals.Add(row)
	}
	if _, err := store.Exec(ctx, q, clockInserts.Of(len(rows), clockInsert), args...); err != nil {
		return err
	}
	return totals.Apply(ctx, q)
}

// clockInserts are insertClocks' statements by the number of rows (a
// request has at most one clock of each kind), built once.
var clockInserts store.Statements[int]

func clockInsert(rows int) string {
	values := make([]string, rows)
	for i := range values {
		values[i] = "(?, ?, ?, ?, ?, ?, ?, ?)"
	}
	return `INSERT INTO request_clocks (` + ClockColumns + `) VALUES ` + strings.Join(values, ", ")
}

// SaveClockRows stores a request's clock rows (ClockRows) and keeps the
// running totals the homes read (request_clock_totals) in step, in q's
// transaction: the stored rows of the request are read first (the request
// locked on PostgreSQL), and each total moves by the difference. A stored row keeps
// the parties and month it was first stored with; only its state and due
// time change.
func SaveClockRows(ctx context.Context, q store.Queryer, requestID int64, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	var before []struct {
		Kind        string `db:"kind"`
		AgreementID int64  `db:"agreement_id"`
		VendorID    int64  `db:"vendor_id"`
		ProviderID  int64  `db:"provider_id"`
		Period      string `db:"period"`
		State       string `db:"state"`
	}
	if store.DialectOf(q).Postgres() {
		// One writer of a request's clocks at a time, so that what is read
		// here is what the upsert replaces (an UPDATE of the request takes
		// the same lock: where one came first, this waits for nothing).
		if _, err := store.Exec(ctx, q, `SELECT id FROM service_requests WHERE id = ? FOR NO KEY UPDATE`, requestID); err != nil {
			return err
		}
	}
	if err := store.Select(ctx, q, &before, `SELECT kind, agreement_id, vendor_id, provider_id, period, state FROM request_clocks WHERE request_id = ?`,
		requestID); err != nil {
		return err
	}
	delta := ClockTotals{}
	slot := ClockSlot(requestID)
	stored := map[string]ClockTotal{}
	for _, b := range before {
		stored[b.Kind] = ClockTotal{AgreementID: b.AgreementID, VendorID: b.VendorID, ProviderID: b.ProviderID, Period: b.Period, Kind: b.Kind, State: b.State,
			Slot: slot}
	}
	values := make([]string, len(rows))
	var args []any
	for i, row := range rows {
		if row[0] != any(requestID) {
			return fmt.Errorf("clock row of request %v stored for request %d", row[0], requestID)
		}
		values[i] = "(?, ?, ?, ?, ?, ?, ?, ?)"
		args = append(args, row...)
		k, ok := stored[row[1].(string)]
		if ok {
			delta[k]-- // the stored row's state, replaced
		} else {
			k = ClockTotal{Kind: row[1].(string), AgreementID: row[2].(int64), VendorID: row[3].(int64), ProviderID: row[4].(int64), Period: row[5].(string),
				Slot: slot}
		}
		k.State = row[6].(string)
		delta[k]++
	}
	if _, err := store.Exec(ctx, q, `INSERT INTO request_clocks (`+ClockColumns+`) VALUES `+strings.Join(values, ", ")+`
		ON CONFLICT (request_id, kind) DO UPDATE SET state = excluded.state, due_at = excluded.due_at`, args...); err != nil {
		return err
	}
	return delta.Apply(ctx, q)
}

// ClockSlots is the number of slots each running total is spread over. A
// total (an agreement's clocks of one month, kind and state) is the sum of
// its slots, and a request's clocks are counted in the slot of its id
// (ClockSlot). Every create of an agreement moves the same few totals and
// holds their row locks until its commit has reached the disk; with one
// row a total, creates of one agreement were filed one at a time through
// the disk's flush. Consecutive ids fall in different slots, so up to
// ClockSlots creates of one agreement move different rows at once. Any
// slot gives the right sums: the choice only spreads the locks, so a slot
// alone may even be negative (a request counted in slot 0 before 00057
// leaves its own slot when its clocks change). The homes read a few rows
// more a total; 16 is more than the creates of one agreement that two
// cores run at once.
const ClockSlots = 16

// ClockSlot is the slot of request_clock_totals that counts the clocks of
// request id.
func ClockSlot(id int64) int {
	return int(id % ClockSlots)
}

// ClockTotal is one running total of request_clock_totals, in one of its
// slots: the stored clocks of an agreement's requests received in a
// month, of one kind, in one state.
type ClockTotal struct {
	AgreementID, VendorID, ProviderID int64
	Period, Kind, State               string
	Slot                              int
}

// ClockTotals are changes of the running totals, by how much each moves.
type ClockTotals map[ClockTotal]int

// Add counts one more stored clock row (as ClockRows gives it), in the
// slot of its request.
func (t ClockTotals) Add(row []any) {
	t[ClockTotal{Kind: row[1].(string), AgreementID: row[2].(int64), VendorID: row[3].(int64), ProviderID: row[4].(int64),
		Period: row[5].(string), State: row[6].(string), Slot: ClockSlot(row[0].(int64))}]++
}

// Apply moves the stored totals by t in one statement, the totals taken in
// one order whatever the transaction (so that two transactions moving the
// same totals wait for each other rather than deadlock). Totals that do
// not move are not written.
func (t ClockTotals) Apply(ctx context.Context, q store.Queryer) error {
	query, args := t.upsert()
	if query == "" {
		return nil
	}
	_, err := store.Exec(ctx, q, query, args...)
	return err
}

// upsert is the statement that moves the stored totals by t, with its
// arguments; "" if no total moves. Each total is written to its Slot.
func (t ClockTotals) upsert() (string, []any) {
	n, args := t.upsertArgs(true)
	if n == 0 {
		return "", nil
	}
	if n > keptTotals {
		return totalsUpsert(totalsShape{totals: n}), args
	}
	return totalsUpserts.Of(totalsShape{totals: n}, totalsUpsert), args
}

// keptTotals is the most totals a statement moving them is kept for
// (totalsUpserts): a request's clocks move a few; the clock job's pages
// of requests more, in statements built each time.
const keptTotals = 16

// totalsUpserts are the statements moving up to keptTotals totals, by
// their shape, built once.
var totalsUpserts store.Statements[totalsShape]

// upsertArgs are the arguments of the statement that moves the stored
// totals by t, in the order they are locked in, and how many totals move.
// Without slots, the statement computes each total's slot itself
// (totalsShape.slotSQL).
func (t ClockTotals) upsertArgs(slots bool) (int, []any) {
	keys := make([]ClockTotal, 0, len(t))
	for k, n := range t {
		if n != 0 {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return 0, nil
	}
	slices.SortFunc(keys, func(a, b ClockTotal) int {
		return cmp.Or(cmp.Compare(a.AgreementID, b.AgreementID), cmp.Compare(a.Period, b.Period), cmp.Compare(a.Kind, b.Kind),
			cmp.Compare(a.State, b.State), cmp.Compare(a.VendorID, b.VendorID), cmp.Compare(a.ProviderID, b.ProviderID), cmp.Compare(a.Slot, b.Slot))
	})
	args := make([]any, 0, 8*len(keys))
	for _, k := range keys {
		args = append(args, k.AgreementID, k.Period, k.Kind, k.State, k.VendorID, k.ProviderID)
		if slots {
			args = append(args, k.Slot)
		}
		args = append(args, t[k])
	}
	return len(keys), args
}

// totalsShape is the shape of the statement moving the stored totals: how
// many move, and the SQL computing their slot where the arguments do not
// give it (filing on PostgreSQL takes the request's id in the same
// statement, so its slot is only known there).
type totalsShape struct {
	totals  int
	slotSQL string
}

func totalsUpsert(s totalsShape) string {
	values := make([]string, s.totals)
	for i := range values {
		if s.slotSQL == "" {
			values[i] = "(?, ?, ?, ?, ?, ?, ?, ?)"
		} else {
			values[i] = "(?, ?, ?, ?, ?, ?, " + s.slotSQL + ", ?)"
		}
	}
	return `INSERT INTO request_clock_totals (agreement_id, period, kind, state, vendor_id, provider_id, slot, n)
		VALUES ` + strings.Join(values, ", ") + `
		ON CONFLICT (agreement_id, period, kind, state, vendor_id, provider_id, slot) DO UPDATE SET n = request_clock_totals.n + excluded.n`
}

// Projection is the earliest deadline of a clock still running or paused,
// and whether any clock is breached, whatever the request's status (what
// is stored is SetProjection's).
func Projection(clocks []sla.Clock) (*time.Time, bool) {
	var next *time.Time
	breached := false
	for _, c := range clocks {
		if c.State == sla.StateBreached {
			breached = true
		}
		if c.State == sla.StateRunning || c.State == sla.StatePaused {
			if next == nil || c.DueAt.Before(*next) {
				d := c.DueAt.UTC()
				next = &d
			}
		}
	}
	return next, breached
}
