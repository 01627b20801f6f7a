package notify

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/audit"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/store"
)

// Webhook is a subscription of an organization: events of the matching kinds
// that the organization may see are POSTed, signed, to URL.
type Webhook struct {
	ID          int64      `db:"id" json:"id"`
	OrgID       int64      `db:"org_id" json:"org_id"`
	URL         string     `db:"url" json:"url"`
	KindsText   string     `db:"kinds" json:"-"`
	Kinds       []string   `db:"-" json:"kinds" doc:"Event kinds delivered; empty: all. \"clock.*\" takes every kind under clock."`
	Description string     `db:"description" json:"description,omitempty"`
	CreatedAt   time.Time  `db:"created_at" json:"created_at"`
	DisabledAt  *time.Time `db:"disabled_at" json:"disabled_at,omitempty"`
}

// Active reports whether the subscription still receives events.
func (w Webhook) Active() bool { return w.DisabledAt == nil }

// WebhookInput creates a subscription.
type WebhookInput struct {
	URL         string
	Kinds       []string
	Description string
}

var kindFilterPattern = regexp.MustCompile(`^(\*|[a-z][a-z0-9_]*(\.[a-z0-9_]+)*(\.\*)?)$`)

// Validate checks the input; the URL must be http(s), without credentials
// (the signature authenticates the sender; a password in a URL ends up in
// logs) and without a fragment.
func (in *WebhookInput) Validate() error {
	var fs problem.Fields
	in.URL = strings.TrimSpace(in.URL)
	in.Description = strings.TrimSpace(in.Description)
	problem.CheckText(&fs, "url", in.URL, true, 2000)
	if len(fs) == 0 {
		if msg := checkWebhookURL(in.URL); msg != "" {
			fs.Add("url", "%s", msg)
		}
	}
	if len(in.Kinds) > 20 {
		fs.Add("kinds", "lists more than 20 kinds")
	}
	for i, k := range in.Kinds {
		if len(k) > 100 || !kindFilterPattern.MatchString(k) {
			fs.Add(fmt.Sprintf("kinds[%d]", i), "must be an event kind such as clock.breached, or clock.* for all under clock")
		}
	}
	problem.CheckText(&fs, "description", in.Description, false, 200)
	return fs.Err()
}

func checkWebhookURL(raw string) string {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return "is not a URL"
	case u.Scheme != "http" && u.Scheme != "https":
		return "must start with http:// or https://"
	case u.User != nil:
		return "must not contain a user name or password"
	case u.Hostname() == "":
		return "has no host"
	case u.Fragment != "" || strings.Contains(raw, "#"):
		return "must not contain a fragment (#)"
	}
	if p := u.Port(); p != "" && (len(p) > 5 || p == "0") {
		return "has an invalid port"
	}
	return ""
}

const webhookColumns = `id, org_id, url, kinds, description, created_at, disabled_at`

func newSecret() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return "whsec_" + base64.RawURLEncoding.EncodeToString(b), nil
}

// CreateWebhook subscribes the actor's organization. The secret is returned
// once; it is stored sealed (Service.Secrets) because every delivery is
// signed with it.
func (s *Service) CreateWebhook(ctx context.Context, act policy.Actor, in WebhookInput) (Webhook, string, error) {
	var w Webhook
	if err := policy.Allow(act, policy.WebhookManage, policy.Own); err != nil {
		return w, "", err
	}
	if err := in.Validate(); err != nil {
		return w, "", err
	}
	secret, err := newSecret()
	if err != nil {
		return w, "", err
	}
	if s.Secrets == nil {
		return w, "", errNoSecretBox
	}
	sealed, err := s.Secrets.Seal(secret, webhookSecretAbout(act.OrgID))
	if err != nil {
		return w, "", err
	}
	now := s.Now().UTC()
	var createdBy *int64
	if act.UserID != 0 {
		createdBy = &act.UserID
	}
	err = s.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		id, err := store.InsertID(ctx, tx, `INSERT INTO webhooks (org_id, url, kinds, description, secret, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, act.OrgID, in.URL, strings.Join(in.Kinds, " "), in.Description, sealed, createdBy, now)
		if err != nil {
			return err
		}
		if w, err = getWebhook(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, act, act.OrgID, "webhook.create", "webhook", id, nil, w)
	})
	return w, secret, err
}

// errNoSecretBox: the server was built without a secret key, so a new
// signing key could only be stored in clear.
var errNoSecretBox = errors.New("webhooks: no secret key to seal signing keys with (AFTERSALES_SECRET_KEY or --secret-key-file)")

// webhookSecretAbout binds a sealed signing key to its organization.
func webhookSecretAbout(orgID int64) string {
	return fmt.Sprintf("webhook secret of organization %d", orgID)
}

// SealWebhookSecrets seals the signing keys that earlier versions stored in
// clear, and reports how many it sealed. The server runs it at start-up;
// two instances starting at once seal each key once.
func SealWebhookSecrets(ctx context.Context, db *store.DB, box *SecretBox) (int, error) {
	var clear []struct {
		ID     int64  `db:"id"`
		OrgID  int64  `db:"org_id"`
		Secret string `db:"secret"`
	}
	if err := store.Select(ctx, db, &clear, `SELECT id, org_id, secret FROM webhooks WHERE secret NOT LIKE ? ORDER BY id`, sealedPrefix+"%"); err != nil {
		return 0, fmt.Errorf("seal webhook secrets: %w", err)
	}
	if len(clear) > 0 && box == nil {
		return 0, errNoSecretBox
	}
	n := 0
	for _, h := range clear {
		sealed, err := box.Seal(h.Secret, webhookSecretAbout(h.OrgID))
		if err != nil {
			return n, err
		}
		res, err := store.Exec(ctx, db, `UPDATE webhooks SET secret = ? WHERE id = ? AND secret = ?`, sealed, h.ID, h.Secret)
		if err != nil {
			return n, fmt.Errorf("seal the secret of webhook %d: %w", h.ID, err)
		}
		if c, _ := res.RowsAffected(); c > 0 {
			n++
		}
	}
	return n, nil
}

func getWebhook(ctx context.Context, q store.Queryer, id int64) (Webhook, error) {
	var w Webhook
	if err := store.Get(ctx, q, &w, `SELECT `+webhookColumns+` FROM webhooks WHERE id = ?`, id); err != nil {
		return w, err
	}
	w.Kinds = splitKinds(w.KindsText)
	return w, nil
}

// Webhooks lists the subscriptions of the actor's organization, newest first.
func (s *Service) Webhooks(ctx context.Context, act policy.Actor) ([]Webhook, error) {
	if err := policy.Allow(act, policy.WebhookManage, policy.Own); err != nil {
		return nil, err
	}
	out := []Webhook{}
	if err := store.Select(ctx, s.DB, &out, `SELECT `+webhookColumns+` FROM webhooks WHERE org_id = ? ORDER BY id DESC`, act.OrgID); err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Kinds = splitKinds(out[i].KindsText)
	}
	return out, nil
}

// Webhook returns one subscription of the actor's organization. Another
// organization's is not found rather than forbidden: its existence is not
// the actor's business.
func (s *Service) Webhook(ctx context.Context, act policy.Actor, id int64) (Webhook, error) {
	return s.webhookIn(ctx, s.DB, act, id)
}

func (s *Service) webhookIn(ctx context.Context, q store.Queryer, act policy.Actor, id int64) (Webhook, error) {
	w, err := getWebhook(ctx, q, id)
	if errors.Is(err, store.ErrNotFound) || err == nil && w.OrgID != act.OrgID && !act.Operator {
		return Webhook{}, problem.New(problem.NotFound, "no webhook %d", id)
	}
	if err != nil {
		return w, err
	}
	return w, policy.Allow(act, policy.WebhookManage, policy.Own)
}

// DisableWebhook stops deliveries to a subscription; it stays listed with
// its delivery history. Disabling twice is a no-op.
func (s *Service) DisableWebhook(ctx context.Context, act policy.Actor, id int64) (Webhook, error) {
	var w Webhook
	err := s.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		before, err := s.webhookIn(ctx, tx, act, id)
		if err != nil {
			return err
		}
		if !before.Active() {
			w = before
			return nil
		}
		now := s.Now().UTC()
		if _, err := store.Exec(ctx, tx, `UPDATE webhooks SET disabled_at = ? WHERE id = ?`, now, id); err != nil {
			return err
		}
		if w, err = getWebhook(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, act, w.OrgID, "webhook.disable", "webhook", id, before, w)
	})
	return w, err
}
