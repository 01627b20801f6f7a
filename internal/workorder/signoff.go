package workorder

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/account"
	"aftersales/internal/audit"
	"aftersales/internal/calendar"
	"aftersales/internal/notify"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/store"
)

// SignoffCode is the sign-off kind of a visit confirmed by a code the
// customer received and read out, instead of a drawn signature.
const SignoffCode = "code"

// A sign-off code lives CodeTTL and allows CodeAttempts wrong entries;
// then a new code is needed. Six digits with five attempts give a guesser
// one chance in 200,000.
const (
	CodeTTL      = 15 * time.Minute
	CodeAttempts = 5
)

// SentCode says where a sign-off code went and until when it holds.
type SentCode struct {
	SentTo    string    `db:"sent_to" json:"sent_to"`
	ExpiresAt time.Time `db:"expires_at" json:"expires_at"`
}

// fieldWorkOrder loads a work order and what it is for, for the
// technician assigned to it; anyone else is refused without learning more
// than what the visit is for tells them.
func fieldWorkOrder(ctx context.Context, q store.Queryer, actor policy.Actor, id int64) (WorkOrder, subject, error) {
	w, sub, err := withSubject(ctx, q, id)
	if err != nil {
		return w, sub, err
	}
	scope := policy.Unrelated
	if w.TechnicianID == actor.UserID {
		scope = policy.Self
	}
	if !policy.Allowed(actor, policy.FieldWork, scope) {
		if policy.Allowed(actor, policy.RequestRead, sub.scope(actor, false)) {
			return w, sub, problem.New(problem.Forbidden, "only the technician assigned to work order %d records its field work", w.ID)
		}
		return w, sub, workOrderNotFound(id)
	}
	return w, sub, nil
}

// SendSignoffCode sends a new six-digit code to the customer's portal
// users (in the app, and by email to those who have email on) for the
// technician on site to enter. Only a salted hash of the code is kept; a
// new code replaces the previous one.
func (s *Service) SendSignoffCode(ctx context.Context, actor policy.Actor, workOrderID int64) (SentCode, error) {
	now := s.Now().UTC()
	var out SentCode
	err := s.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		w, sub, err := fieldWorkOrder(ctx, tx, actor, workOrderID)
		if err != nil {
			return err
		}
		if w.Status != WOOnSite {
			return problem.New(problem.Conflict, "the customer signs off a visit in progress")
		}
		recipients, err := account.ActiveUsers(ctx, tx, sub.CustomerOrgID, policy.Customer)
		if err != nil {
			return err
		}
		if len(recipients) == 0 {
			return problem.New(problem.Conflict, "the customer has no portal user to send a code to; get a drawn signature instead")
		}
		if s.Notify == nil {
			return errors.New("sign-off codes need notifications, which are not configured")
		}
		code, err := newCode()
		if err != nil {
			return err
		}
		salt, err := newSalt()
		if err != nil {
			return err
		}
		ids := make([]int64, len(recipients))
		names := make([]string, len(recipients))
		for i, u := range recipients {
			ids[i] = u.ID
			names[i] = strings.TrimSpace(u.Name + " <" + u.Email + ">")
		}
		out = SentCode{SentTo: strings.Join(names, ", "), ExpiresAt: now.Add(CodeTTL)}
		if err := putCode(ctx, tx, w.ID, salt, codeHash(salt, code), out, now); err != nil {
			return err
		}
		until := out.ExpiresAt.In(calendar.Shanghai).Format("15:04")
		// The code travels in the message, which is its delivery channel;
		// the event's data for webhooks does not carry it.
		if _, err := s.Notify.Publish(ctx, tx, now, notify.Event{Kind: "signoff.code", OrgIDs: []int64{sub.CustomerOrgID}, UserIDs: ids,
			Link:    sub.Link,
			Subject: notify.Msg("notify.signoff_code.subject", "Number", sub.Reference, "Code", code),
			Body:    notify.Msg("notify.signoff_code.body", "Model", sub.Model, "Serial", sub.Serial, "Code", code, "Until", until),
			Data:    sub.data(w, "expires_at", out.ExpiresAt)}); err != nil {
			return err
		}
		if sub.request != nil {
			if err := s.Requests.SignoffCodeSent(ctx, tx, actor, *sub.request, out.SentTo, now); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, now, actor, sub.ProviderID, "workorder.signoff_code", "work_order", w.ID, nil, out)
	})
	return out, err
}

// verifyCode checks a code entered for a visit and returns whom it was
// sent to. A wrong code is counted even though the caller fails.
func (s *Service) verifyCode(ctx context.Context, actor policy.Actor, workOrderID int64, code string, now time.Time) (string, error) {
	var sentTo string
	var refusal error
	err := s.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		if _, _, err := fieldWorkOrder(ctx, tx, actor, workOrderID); err != nil {
			return err
		}
		c, err := getCode(ctx, tx, workOrderID)
		code = strings.TrimSpace(code)
		switch {
		case errors.Is(err, store.ErrNotFound):
			refusal = problem.Field("signoff_code", "no code was sent for this visit; send one to the customer first")
			return nil
		case err != nil:
			return err
		case !now.Before(c.ExpiresAt):
			refusal = problem.Field("signoff_code", "the code expired at %s; send a new one", c.ExpiresAt.In(calendar.Shanghai).Format("15:04"))
			return nil
		case c.Attempts >= CodeAttempts:
			refusal = problem.Field("signoff_code", "too many wrong codes; send a new one")
			return nil
		}
		if len(code) != 6 || subtle.ConstantTimeCompare([]byte(codeHash(c.Salt, code)), []byte(c.Hash)) != 1 {
			if err := countWrongCode(ctx, tx, workOrderID); err != nil {
				return err
			}
			left := CodeAttempts - c.Attempts - 1
			if left == 0 {
				refusal = problem.Field("signoff_code", "wrong code; no attempts left, send a new one")
			} else {
				refusal = problem.Field("signoff_code", "wrong code; %d attempt(s) left", left)
			}
			return nil
		}
		sentTo = c.SentTo
		return nil
	})
	if err != nil {
		return "", err
	}
	return sentTo, refusal
}

func newCode() (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%06d", n.Int64()), nil
}

func newSalt() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

func codeHash(salt, code string) string {
	h := sha256.Sum256([]byte(salt + ":" + code))
	return hex.EncodeToString(h[:])
}
