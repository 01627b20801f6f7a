// Package appointment agrees a visit's window with its customer (§3.3.2)
// by a link that opens without an account: a dispatcher sends it, the
// customer picks one of the technician's free windows, confirms the booked
// one, or asks to be called. The link's token is stored only as its hash;
// it works once and expires. The package also reminds the customer of a
// visit the day before, and tells them when the technician is on the way,
// by text message (notify.Texts) and in the app. Moving the visit is
// workorder's (Rebook, so the rule at booking holds); free time is the
// staff register's (working hours, leave); the other visits are read here.
package appointment

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/audit"
	"aftersales/internal/calendar"
	"aftersales/internal/notify"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/staff"
	"aftersales/internal/store"
	"aftersales/internal/workorder"
)

// Publisher records notifications inside a transaction (notify.Service).
type Publisher interface {
	Publish(ctx context.Context, tx store.Queryer, now time.Time, ev notify.Event) (notify.Published, error)
}

// Service holds the appointment links and the reminders.
type Service struct {
	DB     *store.DB
	Now    func() time.Time
	Staff  *staff.Service
	Visits *workorder.Service
	Texts  *notify.Texts
	Notify Publisher
}

// LinkLife is how long a link stays open (never past the booked window's
// start, when the customer could no longer move it in time).
const LinkLife = 72 * time.Hour

// LeadTime is the least time between now and a window offered: the
// technician needs to learn of the move.
const LeadTime = 2 * time.Hour

// Link is a sent appointment link, without its token.
type Link struct {
	ID          int64      `db:"id" json:"id"`
	WorkOrderID int64      `db:"work_order_id" json:"work_order_id"`
	Locale      string     `db:"locale" json:"locale"`
	CreatedAt   time.Time  `db:"created_at" json:"created_at"`
	ExpiresAt   time.Time  `db:"expires_at" json:"expires_at"`
	UsedAt      *time.Time `db:"used_at" json:"used_at,omitempty"`
	Outcome     *string    `db:"outcome" json:"outcome,omitempty" enum:"picked,confirmed,call_me,replaced"`
	PickedStart *time.Time `db:"picked_start" json:"picked_start,omitempty"`
	PickedEnd   *time.Time `db:"picked_end" json:"picked_end,omitempty"`
}

const linkColumns = `id, work_order_id, locale, created_at, expires_at, used_at, outcome, picked_start, picked_end`

// Sent is a link just made: Path (with its token) is shown once, to the
// dispatcher who sent it, besides the text message.
type Sent struct {
	Link
	Path string `json:"path"`
	// Texted says a text message with the link was queued to the contact.
	Texted bool `json:"texted"`
}

// Path is the page of a link's token.
func Path(token string) string { return "/appointment/" + token }

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// Send makes a fresh link for visit workOrderID, for actor who may move the
// visit, in locale ("zh-CN" or "en"; the customer may switch), and texts it
// to the request's contact. A link sent before and not used is replaced:
// only the newest works.
func (s *Service) Send(ctx context.Context, actor policy.Actor, workOrderID int64, locale string) (Sent, error) {
	if locale != "en" {
		locale = "zh-CN"
	}
	now := s.Now().UTC()
	var out Sent
	err := s.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		ap, err := s.Visits.ForAppointment(ctx, tx, actor, workOrderID)
		if err != nil {
			return err
		}
		if !ap.WorkOrder.WindowStart.After(now.Add(LeadTime)) {
			return problem.New(problem.Conflict, "work order %d starts within two hours; agree a change by phone", workOrderID)
		}
		b := make([]byte, 24)
		if _, err := rand.Read(b); err != nil {
			return err
		}
		token := base64.RawURLEncoding.EncodeToString(b)
		expires := now.Add(LinkLife)
		if ap.WorkOrder.WindowStart.Before(expires) {
			expires = ap.WorkOrder.WindowStart
		}
		if _, err := store.Exec(ctx, tx, `UPDATE appointment_links SET used_at = ?, outcome = 'replaced' WHERE work_order_id = ? AND used_at IS NULL`,
			now, workOrderID); err != nil {
			return err
		}
		id, err := store.InsertID(ctx, tx, `INSERT INTO appointment_links (work_order_id, token_hash, locale, created_by, created_at, expires_at)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, workOrderID, hashToken(token), locale, store.NullID(actor.UserID), now, expires)
		if err != nil {
			return err
		}
		if err := store.Get(ctx, tx, &out.Link, `SELECT `+linkColumns+` FROM appointment_links WHERE id = ?`, id); err != nil {
			return err
		}
		out.Path = Path(token)
		if s.Texts != nil {
			when := ap.WorkOrder.WindowStart.In(calendar.Shanghai).Format("01-02 15:04")
			if out.Texted, err = s.Texts.Queue(ctx, tx, now, notify.SMS{OrgID: ap.CustomerOrgID, Phone: ap.ContactPhone, Kind: "appointment.link",
				Ref: smsRef(workOrderID), DedupeKey: fmt.Sprintf("sms:appointment.link:%d", id), Locale: locale,
				Text: notify.Msg("notify.sms.appointment_link", "Reference", ap.Reference, "When", when), Link: out.Path}); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, now, actor, ap.ProviderID, "appointment.link_sent", "work_order", workOrderID, nil, out.Link)
	})
	return out, err
}

// Links lists the links sent for visit workOrderID, newest first, for an
// actor who may move it.
func (s *Service) Links(ctx context.Context, actor policy.Actor, workOrderID int64) ([]Link, error) {
	if _, err := s.Visits.ForAppointment(ctx, s.DB, actor, workOrderID); err != nil && !problem.Is(err, problem.Conflict) {
		return nil, err
	}
	out := []Link{}
	err := store.Select(ctx, s.DB, &out, `SELECT `+linkColumns+` FROM appointment_links WHERE work_order_id = ? ORDER BY id DESC`, workOrderID)
	return out, err
}

func smsRef(workOrderID int64) string { return fmt.Sprintf("work_order:%d", workOrderID) }

// linkByToken finds a link by its token; an unknown token is not found.
func linkByToken(ctx context.Context, q store.Queryer, token string) (Link, error) {
	var l Link
	err := store.Get(ctx, q, &l, `SELECT `+linkColumns+` FROM appointment_links WHERE token_hash = ?`, hashToken(token))
	if errors.Is(err, store.ErrNotFound) {
		return l, problem.New(problem.NotFound, "this appointment link does not exist")
	}
	return l, err
}

// State is what a link's page shows: open, or why not.
func (l Link) State(now time.Time) string {
	switch {
	case l.UsedAt != nil && l.Outcome != nil && *l.Outcome == "replaced":
		return "replaced"
	case l.UsedAt != nil:
		return "used"
	case !now.Before(l.ExpiresAt):
		return "expired"
	}
	return "open"
}

func itoa(n int64) string { return fmt.Sprint(n) }
