package settlement

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/agreement"
	"aftersales/internal/audit"
	"aftersales/internal/calendar"
	"aftersales/internal/fees"
	"aftersales/internal/notify"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/store"
)

// Service holds the use cases on settlement statements: authorize, compute
// or check, then in one transaction store and audit in both parties' trails.
type Service struct {
	DB  *store.DB
	Now func() time.Time
	// Calendars finds the agreement's calendars (for out-of-hours and
	// holiday surcharges).
	Calendars func(ctx context.Context, id string) (*calendar.Calendar, error)
	// Satisfaction gives the period's satisfaction figure to the breach
	// rules; nil: no figure is known, and no satisfaction deduction is made.
	Satisfaction fees.SatisfactionSource
	// Clocks pauses and resumes the clocks of an agreement's requests when
	// a suspension for non-payment takes effect or ends; nil: none paused.
	Clocks Clocks
	// Notify tells both parties of suspensions; nil: nobody is told.
	Notify Publisher
}

// Clocks is what a suspension needs of the requests' clocks.
type Clocks interface {
	SuspendClocks(ctx context.Context, q store.Queryer, agreementID int64, at time.Time, actor, note string) (int, error)
	ResumeClocks(ctx context.Context, q store.Queryer, agreementID int64, at time.Time, actor, note string) (int, error)
}

// Publisher publishes notifications in the caller's transaction.
type Publisher interface {
	Publish(ctx context.Context, tx store.Queryer, now time.Time, ev notify.Event) (notify.Published, error)
}

func (s *Service) today() string { return calendar.LocalDate(s.Now()) }

func auditBoth(ctx context.Context, tx store.Queryer, now time.Time, actor policy.Actor, st Statement, action string, before, after any) error {
	for _, org := range []int64{st.VendorID, st.ProviderID} {
		if err := audit.Record(ctx, tx, now, actor, org, action, "settlement", st.ID, before, after); err != nil {
			return err
		}
	}
	return nil
}

// Generate computes the draft statement of an agreement for a period from
// the prices kept for the records sealed in it, replacing the draft's own
// lines if one exists. The draft refers to those prices (up to the last
// record it counted) rather than copying their lines; it stores its cap and
// deduction lines and its totals. A statement that was submitted is no
// longer regenerated.
// The statement returned carries its totals but not its lines (a month of
// a large agreement has hundreds of thousands): Get reads them.
func (s *Service) Generate(ctx context.Context, actor policy.Actor, agreementID int64, periodKey string) (Statement, error) {
	if len(policy.Granted(actor.Role, policy.SettlementPrepare)) == 0 && !actor.Operator {
		return Statement{}, problem.New(problem.Forbidden, "role %s does not prepare settlement statements", problem.Enum("role.", actor.Role))
	}
	now := s.Now().UTC()
	var out Statement
	err := s.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		a, err := agreementFor(ctx, tx, actor, agreementID, policy.SettlementRead, policy.SettlementPrepare)
		if err != nil {
			return err
		}
		p, err := ParsePeriod("period", periodKey)
		if err != nil {
			return err
		}
		if p.From.String() > s.today() {
			return problem.Field("period", "period %s has not started yet", p.Key)
		}
		existing, err := findStatement(ctx, tx, agreementID, p.Key)
		if err != nil {
			return err
		}
		if existing != nil && existing.Status != Draft {
			return because("statement_submitted", problem.New(problem.Conflict, "statement %s was submitted: it is no longer generated again", existing.Number))
		}
		versions, err := agreement.Versions(ctx, tx, a.ID)
		if err != nil {
			return err
		}
		if err := periodAgreed(versions, a.Number, p); err != nil {
			return err
		}
		if err := noOverlap(ctx, tx, a.ID, p); err != nil {
			return err
		}
		if err := s.ensurePriced(ctx, tx, a, versions, p, now); err != nil {
			return err
		}
		st := Statement{StatementHeader: StatementHeader{AgreementID: a.ID, VendorID: a.VendorID, ProviderID: a.ProviderID, Number: "JS-" + a.Number + "-" + p.Key,
			Period: p.Key, PeriodFrom: p.From.String(), PeriodTo: p.To.String(), Status: Draft, GeneratedAt: now, CreatedAt: now, UpdatedAt: now, Version: 1}}
		ks, err := sumKept(ctx, tx, p, a.ID, math.MaxInt64)
		if err != nil {
			return err
		}
		through := ks.through
		st.RecordsThrough = &through
		if existing == nil {
			st.ID, err = store.InsertID(ctx, tx, `INSERT INTO settlement_statements (agreement_id, vendor_id, provider_id, number, period,
					period_from, period_to, status, generated_at, version, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,1,?,?) RETURNING id`,
				st.AgreementID, st.VendorID, st.ProviderID, st.Number, st.Period, st.PeriodFrom, st.PeriodTo, st.Status, now, now, now)
			if err != nil {
				return err
			}
		} else {
			st.ID, st.CreatedAt, st.Version = existing.ID, existing.CreatedAt, existing.Version+1
			if _, err := store.Exec(ctx, tx, `DELETE FROM settlement_lines WHERE statement_id = ?`, st.ID); err != nil {
				return err
			}
		}
		c, err := s.closing(ctx, tx, a, versions, p, through, ks)
		if err != nil {
			return err
		}
		for i := range c.lines {
			c.lines[i].Position += ks.lines
		}
		if err := insertLines(ctx, tx, st.ID, c.lines); err != nil {
			return err
		}
		st.Totals = Sum(append(ks.groups, c.lines...))
		st.TermsVersion, st.CustomerRecords, st.SatisfactionKnown = c.termsVersion, c.customer, c.satisfactionKnown
		st.TotalFen, st.TaxFen = st.Totals.TotalFen, st.Totals.Fees.TaxFen
		if _, err := store.Exec(ctx, tx, `UPDATE settlement_statements SET terms_version = ?, total_fen = ?, tax_fen = ?,
				customer_records = ?, satisfaction_known = ?, generated_at = ?, version = ?, records_through = ?, updated_at = ?
				WHERE id = ? AND status = 'draft'`, st.TermsVersion, st.TotalFen, st.TaxFen, st.CustomerRecords,
			st.SatisfactionKnown, now, st.Version, through, now, st.ID); err != nil {
			return err
		}
		out = st
		return auditBoth(ctx, tx, now, actor, st, "settlement.generate", nil,
			map[string]any{"number": st.Number, "lines": ks.lines + len(c.lines), "total_fen": st.TotalFen})
	})
	if err != nil {
		return Statement{}, err
	}
	return out, nil
}

func (s *Service) reload(ctx context.Context, id int64) (Statement, error) {
	return GetStatement(ctx, s.DB, id)
}

// computed is what closes a period's statement after its records' lines:
// the period cap and the deductions.
type computed struct {
	lines             []StatementLine
	termsVersion      int
	customer          int
	satisfactionKnown bool
}

// closing evaluates the period cap and the breach rules over the period's
// kept prices, up to record id through, and their sums.
func (s *Service) closing(ctx context.Context, q store.Queryer, a agreement.Agreement, versions []agreement.Version, p Period,
	through int64, ks keptSums) (computed, error) {
	var c computed
	pf, err := readPeriodFacts(ctx, q, p, a.ID, through, ks)
	if err != nil {
		return c, err
	}
	parts, err := unreturnedParts(ctx, q, a.ID, p, s.today())
	if err != nil {
		return c, err
	}
	c.customer = pf.customer
	facts := fees.Facts{UnreturnedParts: parts, Late: pf.late}
	var rules fees.BreachRules
	var schedule *fees.Schedule
	if v, ok := agreement.InForce(versions, p.Last().String()); ok {
		c.termsVersion, facts.TermsVersion, facts.ThresholdPermille = v.Number, v.Number, v.Terms.SatisfactionPermille
		schedule = v.Terms.Fees
		if v.Terms.Breach != nil {
			rules = *v.Terms.Breach
		}
	}
	if s.Satisfaction != nil && rules.Satisfaction != nil {
		fig, ok, err := s.Satisfaction.PeriodSatisfaction(ctx, fmt.Sprint(a.ID), p.From, p.Last())
		if err != nil {
			return c, err
		}
		if ok {
			facts.Satisfaction, c.satisfactionKnown = &fig, true
		}
	}
	var caps []fees.Line
	if schedule != nil {
		caps = schedule.PeriodCap(pf.byCategory, p.Last())
	}
	facts.PeriodFeesFen = pf.grossFen + fees.Sum(caps).GrossFen
	c.lines = Build(p, nil, caps, c.termsVersion, fees.Evaluate(rules, facts))
	return c, nil
}

// assemble is generation as one pure function: price every record, cap
// the period, evaluate the breach rules, lay out the lines. Generate does
// the same over prices kept since sealing, in the database; the tests
// hold the two to the same statement.
func assemble(p Period, inputs []Input, versions []agreement.Version, cals Calendars, schedule *fees.Schedule, version int,
	rules fees.BreachRules, facts fees.Facts) ([]StatementLine, int, error) {
	priced := make([]Priced, 0, len(inputs))
	var vendorLines []fees.Line
	customer := 0
	for _, in := range inputs {
		pr, ok := Price(in, versions, cals)
		if !ok {
			continue
		}
		facts.Late = append(facts.Late, pr.Late...)
		if pr.Payer == PayerCustomer {
			customer++
			continue
		}
		vendorLines = append(vendorLines, pr.Lines...)
		priced = append(priced, pr)
	}
	var caps []fees.Line
	if schedule != nil {
		caps = schedule.PeriodCap(vendorLines, p.Last())
		vendorLines = append(vendorLines, caps...)
	}
	facts.PeriodFeesFen = fees.Sum(vendorLines).GrossFen
	ds := fees.Evaluate(rules, facts)
	return Build(p, priced, caps, version, ds), customer, nil
}

// loadFor loads a statement and authorizes action on it: a statement of
// another organization's agreement does not exist for the actor.
func loadFor(ctx context.Context, q store.Queryer, actor policy.Actor, id int64, action policy.Action) (Statement, error) {
	return policy.Load(actor, policy.SettlementRead, action, statementNotFound(id),
		func() (Statement, error) { return GetStatement(ctx, q, id) },
		policy.ByParties[Statement](actor))
}

// agreementFor loads an agreement whose parties may read it (read) and do
// action on it; to anyone else it is not found.
func agreementFor(ctx context.Context, q store.Queryer, actor policy.Actor, id int64, read, action policy.Action) (agreement.Agreement, error) {
	return policy.Load(actor, read, action, problem.New(problem.NotFound, "agreement %d not found", id),
		func() (agreement.Agreement, error) { return agreement.Get(ctx, q, id) },
		policy.ByParties[agreement.Agreement](actor))
}

// headerFor is loadFor without the statement's lines and totals.
func headerFor(ctx context.Context, q store.Queryer, actor policy.Actor, id int64, action policy.Action) (StatementHeader, error) {
	return policy.Load(actor, policy.SettlementRead, action, statementNotFound(id),
		func() (StatementHeader, error) { return getHeader(ctx, q, id) },
		policy.ByParties[StatementHeader](actor))
}

// Parties are the statement's vendor and provider.
func (h StatementHeader) Parties() []int64 { return []int64{h.VendorID, h.ProviderID} }

// Get returns a statement the actor may read.
func (s *Service) Get(ctx context.Context, actor policy.Actor, id int64) (Statement, error) {
	return loadFor(ctx, s.DB, actor, id, policy.SettlementRead)
}

// List returns the statements of the actor's organization, of one
// agreement when agreementID is not 0.
func (s *Service) List(ctx context.Context, actor policy.Actor, agreementID int64) ([]StatementHeader, error) {
	if len(policy.Granted(actor.Role, policy.SettlementRead)) == 0 && !actor.Operator {
		return nil, problem.New(problem.Forbidden, "role %s does not read settlement statements", problem.Enum("role.", actor.Role))
	}
	org := actor.OrgID
	if actor.Operator {
		org = 0
	}
	return ListStatements(ctx, s.DB, org, agreementID)
}

// change runs one workflow step on a statement in a transaction: load and
// authorize, let step change the statement and its lines, store the
// statement's status and every line step reports, audit.
func (s *Service) change(ctx context.Context, actor policy.Actor, id int64, action policy.Action, verb string,
	step func(q store.Queryer, st *Statement, now time.Time) ([]int, error)) (Statement, error) {
	now := s.Now().UTC()
	err := s.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		st, err := loadFor(ctx, tx, actor, id, action)
		if err != nil {
			return err
		}
		before := st.Status
		changed, err := step(tx, &st, now)
		if err != nil {
			return err
		}
		for _, i := range changed {
			if err := saveLine(ctx, tx, st.ID, st.Lines[i]); err != nil {
				return err
			}
		}
		st.Totals = Sum(st.Lines)
		res, err := store.Exec(ctx, tx, `UPDATE settlement_statements SET status = ?, total_fen = ?, tax_fen = ?, submitted_at = ?,
				submitted_by = ?, approved_at = ?, approved_by = ?, due_on = ?, version = version + 1, updated_at = ?
				WHERE id = ? AND version = ?`, st.Status, st.Totals.TotalFen, st.Totals.Fees.TaxFen, st.SubmittedAt, st.SubmittedBy,
			st.ApprovedAt, st.ApprovedBy, st.DueOn, now, st.ID, st.Version)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return problem.New(problem.Conflict, "statement %s changed meanwhile: try again", st.Number)
		}
		return auditBoth(ctx, tx, now, actor, st, "settlement."+verb, map[string]any{"status": before},
			map[string]any{"status": st.Status, "total_fen": st.Totals.TotalFen})
	})
	if err != nil {
		return Statement{}, err
	}
	return s.reload(ctx, id)
}

// Submit hands the draft to the vendor: from now on it is not regenerated.
// The draft's record lines are copied from the kept prices inside the
// database (one INSERT ... SELECT), and the totals are summed there: no
// line passes through the process. Like Generate, the statement returned
// carries its totals but not its lines: Get reads them.
func (s *Service) Submit(ctx context.Context, actor policy.Actor, id int64) (Statement, error) {
	now := s.Now().UTC()
	var out Statement
	err := s.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		h, err := headerFor(ctx, tx, actor, id, policy.SettlementPrepare)
		if err != nil {
			return err
		}
		if h.Status != Draft {
			return because("status_transition", problem.New(problem.Conflict, "statement %s was already submitted: only a draft is submitted", h.Number))
		}
		if h.RecordsThrough != nil {
			if err := copyKept(ctx, tx, h); err != nil {
				return err
			}
			h.RecordsThrough = nil
		}
		totals, err := statementTotals(ctx, tx, h)
		if err != nil {
			return err
		}
		h.Status, h.SubmittedAt, h.SubmittedBy = Submitted, &now, actor.Label()
		h.TotalFen, h.TaxFen = totals.TotalFen, totals.Fees.TaxFen
		res, err := store.Exec(ctx, tx, `UPDATE settlement_statements SET status = ?, total_fen = ?, tax_fen = ?, submitted_at = ?,
				submitted_by = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ?`,
			h.Status, h.TotalFen, h.TaxFen, h.SubmittedAt, h.SubmittedBy, now, h.ID, h.Version)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return problem.New(problem.Conflict, "statement %s changed meanwhile: try again", h.Number)
		}
		h.Version++
		h.UpdatedAt = now
		out = Statement{StatementHeader: h, Totals: totals}
		return auditBoth(ctx, tx, now, actor, out, "settlement.submit", map[string]any{"status": Draft},
			map[string]any{"status": h.Status, "total_fen": totals.TotalFen})
	})
	if err != nil {
		return Statement{}, err
	}
	return out, nil
}

func lineIndex(st *Statement, lineID int64) (int, error) {
	for i := range st.Lines {
		if lineID != 0 && st.Lines[i].ID == lineID {
			return i, nil
		}
	}
	return 0, problem.New(problem.NotFound, "statement %s has no line %d", st.Number, lineID)
}

// Dispute objects to one line of a submitted statement, with a reason.
func (s *Service) Dispute(ctx context.Context, actor policy.Actor, id, lineID int64, reason string) (Statement, error) {
	return s.change(ctx, actor, id, policy.SettlementReview, "dispute", func(q store.Queryer, st *Statement, now time.Time) ([]int, error) {
		var fs problem.Fields
		problem.CheckText(&fs, "reason", reason, true, 2000)
		if err := fs.Err(); err != nil {
			return nil, err
		}
		i, err := lineIndex(st, lineID)
		if err != nil {
			return nil, err
		}
		if err := DisputeLine(st.Status, &st.Lines[i], strings.TrimSpace(reason), actor.Label(), now); err != nil {
			return nil, err
		}
		st.Status = Disputed
		return []int{i}, nil
	})
}

// AnswerDispute is the provider's answer to a disputed line. When no
// dispute is left open the statement goes back to the vendor.
func (s *Service) AnswerDispute(ctx context.Context, actor policy.Actor, id, lineID int64, a Answer) (Statement, error) {
	return s.change(ctx, actor, id, policy.SettlementPrepare, "answer", func(q store.Queryer, st *Statement, now time.Time) ([]int, error) {
		var fs problem.Fields
		problem.CheckText(&fs, "text", a.Text, false, 2000)
		if err := fs.Err(); err != nil {
			return nil, err
		}
		i, err := lineIndex(st, lineID)
		if err != nil {
			return nil, err
		}
		a.Text = strings.TrimSpace(a.Text)
		if err := AnswerDispute(st.Status, &st.Lines[i], a, actor.Label(), now); err != nil {
			return nil, err
		}
		if OpenDisputes(st.Lines) == 0 {
			st.Status = Submitted
		}
		return []int{i}, nil
	})
}

// Approve locks a submitted statement with no open dispute.
func (s *Service) Approve(ctx context.Context, actor policy.Actor, id int64) (Statement, error) {
	return s.change(ctx, actor, id, policy.SettlementReview, "approve", func(q store.Queryer, st *Statement, now time.Time) ([]int, error) {
		switch st.Status {
		case Submitted:
		case Disputed:
			return nil, because("status_transition", problem.New(problem.Conflict, "statement %s has %d disputed lines waiting for the provider's answer", st.Number, OpenDisputes(st.Lines)))
		case Approved:
			return nil, because("status_transition", problem.New(problem.Conflict, "statement %s is already approved", st.Number))
		default:
			return nil, because("status_transition", problem.New(problem.Conflict, "statement %s is a draft: only a submitted statement is approved", st.Number))
		}
		st.Status, st.ApprovedAt, st.ApprovedBy = Approved, &now, actor.Label()
		day := calendar.LocalDate(now)
		versions, err := agreement.Versions(ctx, q, st.AgreementID)
		if err != nil {
			return nil, err
		}
		st.DueOn = day
		if v, ok := agreement.InForce(versions, day); ok {
			st.DueOn = agreement.AddDays(day, v.Terms.Payment.PaymentDueDays)
		}
		return nil, nil
	})
}
