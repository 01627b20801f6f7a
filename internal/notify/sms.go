package notify

import (
	"context"
	"crypto/cipher"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"aftersales/internal/i18n"
	"aftersales/internal/jobs"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/store"
)

// SMSJob is the job kind of one attempt to hand a text message to the gateway.
const SMSJob = "notify.sms"

// SMSAttempts before a message is marked failed (about half an hour with
// jobs.Backoff).
const SMSAttempts = 8

// SMS message states.
const (
	SMSPending     = "pending"
	SMSSent        = "sent"
	SMSDelivered   = "delivered"
	SMSUndelivered = "undelivered"
	SMSFailed      = "failed"
)

// SMSConfig is the outbound SMS gateway: an HTTP endpoint that takes a
// signed JSON request per message (docs/NOTIFICATIONS.md, "SMS gateway").
// The secret signs the requests, checks the gateway's delivery receipts and
// seals the stored texts; it comes from the environment and is never stored.
type SMSConfig struct {
	URL    string
	Secret string
}

// Enabled reports whether text messages are sent at all.
func (c SMSConfig) Enabled() bool { return c.URL != "" }

// MinSMSSecret is the shortest gateway secret accepted.
const MinSMSSecret = 16

// ParseSMSConfig checks --sms-url and the secret. An empty URL is no SMS at
// all: the zero config and no error.
func ParseSMSConfig(rawURL, secret string) (SMSConfig, error) {
	rawURL = strings.TrimSpace(rawURL)
	if rawURL == "" {
		return SMSConfig{}, nil
	}
	u, err := url.Parse(rawURL)
	switch {
	case err != nil:
		return SMSConfig{}, errors.New("sms url: not a URL")
	case u.Scheme != "http" && u.Scheme != "https":
		return SMSConfig{}, fmt.Errorf("sms url: scheme must be http or https, not %q", u.Scheme)
	case u.Hostname() == "":
		return SMSConfig{}, errors.New("sms url: no host")
	case u.User != nil:
		return SMSConfig{}, errors.New("sms url: must not carry a user name or password (requests are signed with AFTERSALES_SMS_SECRET)")
	}
	if len(secret) < MinSMSSecret {
		return SMSConfig{}, fmt.Errorf("sms: AFTERSALES_SMS_SECRET must be set to at least %d characters with --sms-url", MinSMSSecret)
	}
	return SMSConfig{URL: rawURL, Secret: secret}, nil
}

var (
	phoneNoise  = strings.NewReplacer(" ", "", "-", "", "(", "", ")", "", "\u00a0", "", "\u3000", "")
	mainlandMob = regexp.MustCompile(`^1[3-9][0-9]{9}$`)
)

// MobileNumber returns a mainland China mobile number in E.164 (+86…), or ""
// when s is not one (a landline, an extension, a foreign number): texts go
// only to numbers that can receive them.
func MobileNumber(s string) string {
	s = phoneNoise.Replace(strings.TrimSpace(s))
	for _, p := range []string{"+86", "0086", "86"} {
		if rest, ok := strings.CutPrefix(s, p); ok && len(rest) == 11 {
			s = rest
			break
		}
	}
	if !mainlandMob.MatchString(s) {
		return ""
	}
	return "+86" + s
}

// Texts queues text messages; the Workers send them.
type Texts struct {
	Gateway SMSConfig
	// BaseURL is the public address of the app: a message with a link
	// needs it, and is not sent without it.
	BaseURL string
}

// SMS is one text message to queue.
type SMS struct {
	// OrgID is the organization the recipient belongs to; VendorID and
	// ProviderID those it is sent for (their office lists it).
	OrgID, VendorID, ProviderID int64
	Phone                       string
	// Kind names what it says, e.g. "survey.sent"; Ref what it is about,
	// e.g. "survey:12".
	Kind, Ref string
	// DedupeKey makes queueing the same message twice a no-op.
	DedupeKey string
	Locale    string
	Text      Text
	// Link, a path in the app, is appended as an absolute address.
	Link string
}

// Queue stores m and its sending job inside the caller's transaction. It
// reports false, and queues nothing, when SMS is off, the phone is not a
// mobile number, a link cannot be made absolute, or it was queued before.
func (t *Texts) Queue(ctx context.Context, tx store.Queryer, now time.Time, m SMS) (bool, error) {
	if t == nil || !t.Gateway.Enabled() {
		return false, nil
	}
	phone := MobileNumber(m.Phone)
	if phone == "" {
		return false, nil
	}
	if m.Text == nil {
		return false, errors.New("sms: no text")
	}
	if err := m.Text.check(i18n.Default()); err != nil {
		return false, fmt.Errorf("sms %s: %w", m.Kind, err)
	}
	text := render(i18n.Default(), m.Text, i18n.Match(m.Locale))
	if m.Link != "" {
		if t.BaseURL == "" || !strings.HasPrefix(m.Link, "/") {
			return false, nil
		}
		text += " " + t.BaseURL + m.Link
	}
	sealed, err := sealText(t.Gateway.Secret, text)
	if err != nil {
		return false, err
	}
	var key *string
	if m.DedupeKey != "" {
		key = &m.DedupeKey
	}
	id, err := store.InsertID(ctx, tx, `INSERT INTO sms_messages (org_id, vendor_id, provider_id, kind, ref, dedupe_key, phone, sealed_text, state,
		max_attempts, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?) ON CONFLICT (dedupe_key) DO NOTHING RETURNING id`,
		m.OrgID, nullID(m.VendorID), nullID(m.ProviderID), m.Kind, m.Ref, key, phone, sealed, SMSAttempts, now.UTC(), now.UTC())
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("sms %s: %w", m.Kind, err)
	}
	if err := jobs.Enqueue(ctx, tx, now, SMSJob, smsJob{MessageID: id}, jobs.Options{MaxAttempts: SMSAttempts + jobSlack}); err != nil {
		return false, err
	}
	return true, nil
}

// SMSMessage is a stored message as listed, without its text.
type SMSMessage struct {
	ID          int64      `db:"id" json:"id"`
	OrgID       int64      `db:"org_id" json:"org_id"`
	Kind        string     `db:"kind" json:"kind"`
	Ref         string     `db:"ref" json:"ref"`
	Phone       string     `db:"phone" json:"phone"`
	State       string     `db:"state" json:"state"`
	Attempts    int        `db:"attempts" json:"attempts"`
	MaxAttempts int        `db:"max_attempts" json:"-"`
	LastStatus  int        `db:"last_status" json:"last_status,omitempty"`
	LastError   string     `db:"last_error" json:"last_error,omitempty"`
	GatewayID   string     `db:"gateway_id" json:"gateway_id,omitempty"`
	CreatedAt   time.Time  `db:"created_at" json:"created_at"`
	SentAt      *time.Time `db:"sent_at" json:"sent_at,omitempty"`
	ReceiptAt   *time.Time `db:"receipt_at" json:"receipt_at,omitempty"`
}

const smsColumns = `id, org_id, kind, ref, phone, state, attempts, max_attempts, last_status, last_error, gateway_id, created_at, sent_at, receipt_at`

func nullID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

// SMSFilter narrows the list of text messages.
type SMSFilter struct {
	// State is pending, sent, delivered, undelivered or failed; Kind what
	// it says (survey.sent, complaint.filed, suggestion.filed).
	State, Kind string
	// Before lists the messages older than this id (the next page).
	Before int64
	Limit  int
}

// SMSStates are the states a message can be in.
var SMSStates = []string{SMSPending, SMSSent, SMSDelivered, SMSUndelivered, SMSFailed}

// ListSMS lists, newest first, the text messages sent for the actor's
// organization (as vendor or provider; every message for the operator),
// without their text.
func ListSMS(ctx context.Context, q store.Queryer, a policy.Actor, f SMSFilter) ([]SMSMessage, error) {
	if err := policy.Allow(a, policy.SMSRead, policy.Own); err != nil {
		return nil, err
	}
	var fs problem.Fields
	if f.State != "" && !slices.Contains(SMSStates, f.State) {
		fs.Add("state", "must be pending, sent, delivered, undelivered or failed")
	}
	if f.Kind != "" && !slices.Contains(SMSKinds, f.Kind) {
		fs.Add("kind", "must be survey.sent, complaint.filed or suggestion.filed")
	}
	if err := fs.Err(); err != nil {
		return nil, err
	}
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	conds, args := []string{"1 = 1"}, []any{}
	switch {
	case a.Operator:
	case a.OrgKind == "vendor":
		conds, args = append(conds, "vendor_id = ?"), append(args, a.OrgID)
	default:
		conds, args = append(conds, "provider_id = ?"), append(args, a.OrgID)
	}
	if f.State != "" {
		conds, args = append(conds, "state = ?"), append(args, f.State)
	}
	if f.Kind != "" {
		conds, args = append(conds, "kind = ?"), append(args, f.Kind)
	}
	if f.Before > 0 {
		conds, args = append(conds, "id < ?"), append(args, f.Before)
	}
	out := []SMSMessage{}
	err := store.Select(ctx, q, &out, `SELECT `+smsColumns+` FROM sms_messages WHERE `+strings.Join(conds, " AND ")+` ORDER BY id DESC LIMIT ?`,
		append(args, f.Limit)...)
	return out, err
}

// SMSKinds are the text messages the product sends.
var SMSKinds = []string{"survey.sent", "complaint.filed", "suggestion.filed"}

// MaskPhone hides the middle of a phone number: enough to tell which, not
// enough to copy (+86 138****5678).
func MaskPhone(p string) string {
	r := []rune(p)
	if len(r) < 8 {
		return p
	}
	return string(r[:len(r)-8]) + "****" + string(r[len(r)-4:])
}

// SMSMessagesAbout lists the messages about ref (e.g. "survey:12"), oldest
// first, without their text.
func SMSMessagesAbout(ctx context.Context, q store.Queryer, ref string) ([]SMSMessage, error) {
	out := []SMSMessage{}
	err := store.Select(ctx, q, &out, `SELECT `+smsColumns+` FROM sms_messages WHERE ref = ? ORDER BY id`, ref)
	return out, err
}

// TextOf is the text of queued message id as the customer reads it,
// opened with the gateway's secret.
func (t *Texts) TextOf(ctx context.Context, q store.Queryer, id int64) (string, error) {
	var sealed string
	if err := store.Get(ctx, q, &sealed, `SELECT sealed_text FROM sms_messages WHERE id = ?`, id); err != nil {
		return "", err
	}
	return openText(t.Gateway.Secret, sealed)
}

// sealText encrypts text with AES-256-GCM under a key derived from secret:
// base64 of nonce and ciphertext.
func sealText(secret, text string) (string, error) {
	aead, err := textAEAD(secret)
	if err != nil {
		return "", err
	}
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(aead.Seal(nonce, nonce, []byte(text), nil)), nil
}

// errSealedText: a stored text that the current secret cannot open (the
// secret was changed since it was queued).
var errSealedText = errors.New("the stored text cannot be opened with the current gateway secret (was AFTERSALES_SMS_SECRET changed?)")

func openText(secret, sealed string) (string, error) {
	aead, err := textAEAD(secret)
	if err != nil {
		return "", err
	}
	b, err := base64.StdEncoding.DecodeString(sealed)
	if err != nil || len(b) < aead.NonceSize() {
		return "", errSealedText
	}
	plain, err := aead.Open(nil, b[:aead.NonceSize()], b[aead.NonceSize():], nil)
	if err != nil {
		return "", errSealedText
	}
	return string(plain), nil
}

// textAEAD is the box of stored texts, keyed by the gateway secret.
func textAEAD(secret string) (cipher.AEAD, error) {
	return newAEAD(secret, "aftersales sms text v1")
}
