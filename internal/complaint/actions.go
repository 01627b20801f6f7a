package complaint

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/audit"
	"aftersales/internal/files"
	"aftersales/internal/notify"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/store"
)

// change runs fn on a complaint the actor may do action on, at the version
// they read, saves it and records the event; fn returns the event's kind.
func (s *Service) change(ctx context.Context, a policy.Actor, id, expected int64, action policy.Action, text string,
	fn func(c *Complaint, now time.Time) (kind string, err error)) (Detail, error) {
	return s.changeIn(ctx, a, id, expected, action, text, func(_ *sqlx.Tx, c *Complaint, now time.Time) (string, error) { return fn(c, now) })
}

// changeIn is change with fn writing in the change's transaction too.
func (s *Service) changeIn(ctx context.Context, a policy.Actor, id, expected int64, action policy.Action, text string,
	fn func(tx *sqlx.Tx, c *Complaint, now time.Time) (kind string, err error)) (Detail, error) {
	var out Detail
	err := s.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		now := s.Now().UTC()
		c, err := s.load(ctx, tx, a, id, action)
		if err != nil {
			return err
		}
		if expected > 0 && c.Version != expected {
			return problem.New(problem.PreconditionFailed, "complaint %d was changed by someone else", c.ID)
		}
		before := c
		kind, err := fn(tx, &c, now)
		if err != nil {
			return err
		}
		if err := save(ctx, tx, c, now); err != nil {
			return err
		}
		if err := addEvent(ctx, tx, c.ID, kind, now, a, text); err != nil {
			return err
		}
		if c, err = Get(ctx, tx, c.ID); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, now, a, c.ProviderID, "complaint."+kind, "complaint", c.ID, before, c); err != nil {
			return err
		}
		if err := s.announce(ctx, tx, c, kind, now); err != nil {
			return err
		}
		out, err = detail(ctx, tx, c, now)
		return err
	})
	return out, err
}

func save(ctx context.Context, q store.Queryer, c Complaint, now time.Time) error {
	_, err := store.Exec(ctx, q, `UPDATE complaints SET status = ?, first_answered_at = ?, reply = ?, replied_at = ?, closed_at = ?, close_kind = ?,
		reopened = ?, escalated_at = ?, alerts = ?, updated_at = ?, version = version + 1 WHERE id = ?`,
		c.Status, c.FirstAnsweredAt, c.Reply, c.RepliedAt, c.ClosedAt, c.CloseKind, c.Reopened, c.EscalatedAt, c.Alerts, now, c.ID)
	return err
}

func checkText(field, text string, max int) (string, error) {
	text = strings.TrimSpace(text)
	var fs problem.Fields
	problem.CheckText(&fs, field, text, true, max)
	return text, fs.Err()
}

// Note adds an investigation note; it changes nothing else.
func (s *Service) Note(ctx context.Context, a policy.Actor, id int64, text string) (Detail, error) {
	text, err := checkText("text", text, 4000)
	if err != nil {
		return Detail{}, err
	}
	return s.change(ctx, a, id, 0, policy.ComplaintNote, text, func(c *Complaint, now time.Time) (string, error) {
		return "note", nil
	})
}

// AddAttachments adds files (photos, PDF) to a complaint or suggestion not
// yet closed, by any of its parties who may file one, with the checks of
// filing: each file's type read from its bytes and its size, and at most
// MaxAttachments files in all. A refused file refuses them all, naming
// attachments[i]; nothing is stored then. The history names the files.
func (s *Service) AddAttachments(ctx context.Context, a policy.Actor, id int64, in []*files.Incoming) (Detail, error) {
	var fs problem.Fields
	if len(in) == 0 {
		fs.Add("attachments", "choose at least one photo or PDF file")
	}
	types := checkAttachments(&fs, in)
	if err := fs.Err(); err != nil {
		return Detail{}, err
	}
	names := make([]string, len(in))
	for i, f := range in {
		names[i] = f.Name
	}
	return s.changeIn(ctx, a, id, 0, policy.ComplaintFile, strings.Join(names, ", "), func(tx *sqlx.Tx, c *Complaint, now time.Time) (string, error) {
		if c.Status == Closed {
			return "", problem.New(problem.Conflict, "complaint %d is closed; reopen it first", c.ID)
		}
		var held int
		if err := store.Get(ctx, tx, &held, `SELECT COUNT(*) FROM complaint_files WHERE complaint_id = ?`, c.ID); err != nil {
			return "", err
		}
		if held+len(in) > MaxAttachments {
			return "", problem.Field("attachments", "a complaint holds at most %d files; it has %d, so %d more at most", MaxAttachments, held, MaxAttachments-held)
		}
		return "files", storeAttachments(ctx, tx, *c, a, in, types, now)
	})
}

// Reply gives the customer the provider's answer. The first reply meets the
// first-answer clock; a suggestion is closed with its reply.
func (s *Service) Reply(ctx context.Context, a policy.Actor, id int64, text string, expected int64) (Detail, error) {
	text, err := checkText("reply", text, 4000)
	if err != nil {
		return Detail{}, err
	}
	return s.change(ctx, a, id, expected, policy.ComplaintHandle, text, func(c *Complaint, now time.Time) (string, error) {
		if c.Status == Closed {
			return "", problem.New(problem.Conflict, "complaint %d is closed; reopen it first", c.ID)
		}
		c.Reply, c.RepliedAt = text, &now
		if c.FirstAnsweredAt == nil {
			c.FirstAnsweredAt = &now
		}
		c.Status = Answered
		if c.Kind == KindSuggestion {
			c.Status, c.ClosedAt, c.CloseKind = Closed, &now, ClosedReplied
		}
		return "reply", nil
	})
}

// Close closes an answered complaint with the customer's acceptance: the
// customer accepts in the app, or the provider records the acceptance the
// customer gave on the phone. A complaint without a reply cannot be closed.
func (s *Service) Close(ctx context.Context, a policy.Actor, id int64, customerAccepted bool, note string, expected int64) (Detail, error) {
	action := policy.ComplaintHandle
	if a.OrgKind == "customer" {
		action, customerAccepted = policy.ComplaintAccept, true
	}
	note = strings.TrimSpace(note)
	var fs problem.Fields
	problem.CheckText(&fs, "note", note, false, 2000)
	if !customerAccepted {
		fs.Add("customer_accepted", "a complaint is closed with the customer's acceptance; record it, or wait: it closes unanswered after the agreement's days")
	}
	if err := fs.Err(); err != nil {
		return Detail{}, err
	}
	return s.change(ctx, a, id, expected, action, note, func(c *Complaint, now time.Time) (string, error) {
		switch {
		case c.Status == Closed:
			return "", problem.New(problem.Conflict, "complaint %d is already closed", c.ID)
		case c.Reply == "":
			return "", problem.Field("reply", "complaint %d has no reply yet: reply to the customer before closing it", c.ID)
		}
		c.Status, c.ClosedAt, c.CloseKind = Closed, &now, ClosedAccepted
		return "closed", nil
	})
}

// Reopen opens an answered or closed complaint again: the customer does not
// accept the reply, or the vendor is not satisfied with it. The close clock
// runs again against its original due time.
func (s *Service) Reopen(ctx context.Context, a policy.Actor, id int64, reason string, expected int64) (Detail, error) {
	reason, err := checkText("reason", reason, 2000)
	if err != nil {
		return Detail{}, err
	}
	return s.change(ctx, a, id, expected, policy.ComplaintAccept, reason, func(c *Complaint, now time.Time) (string, error) {
		if c.Status == Open {
			return "", problem.New(problem.Conflict, "complaint %d is open", c.ID)
		}
		if c.Kind == KindSuggestion {
			return "", problem.New(problem.Conflict, "a suggestion is not reopened; file a new one")
		}
		c.Status, c.ClosedAt, c.CloseKind, c.Reopened = Open, nil, "", c.Reopened+1
		return "reopened", nil
	})
}

// Recipients of a complaint's news.
type audience int

const (
	providerStaff audience = iota
	customerUsers
	vendorStaff
)

// announce tells the people concerned what happened.
func (s *Service) announce(ctx context.Context, tx *sqlx.Tx, c Complaint, kind string, now time.Time) error {
	switch kind {
	case "reply":
		return s.tell(ctx, tx, c, now, kind, customerUsers, "notify.complaint.reply.subject", "notify.complaint.reply.body")
	case "reopened":
		return s.tell(ctx, tx, c, now, kind, providerStaff, "notify.complaint.reopened.subject", "")
	}
	return nil
}

// tell publishes a complaint's news to an audience; without a notifier or
// recipients it does nothing.
func (s *Service) tell(ctx context.Context, tx *sqlx.Tx, c Complaint, now time.Time, kind string, to audience, subject, body string) error {
	if s.Notify == nil {
		return nil
	}
	org, roles := c.ProviderID, []string{"provider_admin", "dispatcher"}
	link := fmt.Sprintf("/complaints/%d", c.ID)
	switch to {
	case customerUsers:
		org, roles = c.CustomerOrgID, []string{"customer"}
	case vendorStaff:
		org, roles = c.VendorID, []string{"vendor_admin", "vendor_auditor"}
	}
	var ids []int64
	if err := store.SelectIn(ctx, tx, &ids, `SELECT id FROM users WHERE org_id = ? AND role IN (?) AND active = ? ORDER BY id`, org, roles, true); err != nil || len(ids) == 0 {
		return err
	}
	ev := notify.Event{Kind: "complaint." + kind, OrgIDs: []int64{org}, UserIDs: ids, Link: link,
		Subject:   notify.Msg(subject, "ID", c.ID, "Category", notify.Msg("notify.complaint.category."+c.Category)),
		DedupeKey: fmt.Sprintf("complaint.%s:%d:%d", kind, c.ID, now.UnixNano()),
		Data:      map[string]any{"complaint_id": c.ID, "kind": c.Kind, "category": c.Category, "status": c.Status}}
	if body != "" {
		ev.Body = notify.Msg(body, "Description", c.Description, "Reply", c.Reply)
	}
	_, err := s.Notify.Publish(ctx, tx, now, ev)
	return err
}
