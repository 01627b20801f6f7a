package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/store"
)

// WebhookTimeout bounds one delivery attempt, connection to last byte.
const WebhookTimeout = 10 * time.Second

type webhookJob struct {
	DeliveryID int64 `json:"delivery_id"`
}

// NewWebhookClient returns the HTTP client deliveries use. It follows no
// redirects (a 3xx is a failed attempt), uses no proxy from the environment,
// and checks every address it connects to after name resolution, so that a
// host name cannot be pointed at a forbidden address later: unspecified,
// multicast and link-local addresses (which include cloud metadata
// endpoints) are always refused; loopback and private addresses only when
// allowPrivate is false.
func NewWebhookClient(allowPrivate bool) *http.Client {
	dialer := &net.Dialer{Timeout: WebhookTimeout, Control: func(_, address string, _ syscall.RawConn) error {
		host, _, err := net.SplitHostPort(address)
		if err != nil {
			return err
		}
		ip, err := netip.ParseAddr(host)
		if err != nil {
			return err
		}
		return checkAddress(ip, allowPrivate)
	}}
	tr := &http.Transport{
		Proxy:                 nil,
		DialContext:           dialer.DialContext,
		TLSHandshakeTimeout:   WebhookTimeout,
		ResponseHeaderTimeout: WebhookTimeout,
		MaxIdleConnsPerHost:   2,
		IdleConnTimeout:       90 * time.Second,
	}
	return &http.Client{Transport: tr, Timeout: WebhookTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// ErrAddressNotAllowed is the error of a connection the client refuses.
var ErrAddressNotAllowed = errors.New("webhook destination address not allowed")

func checkAddress(ip netip.Addr, allowPrivate bool) error {
	ip = ip.Unmap()
	switch {
	case ip.IsUnspecified() || ip.IsMulticast() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast():
		return fmt.Errorf("%w: %s", ErrAddressNotAllowed, ip)
	case !allowPrivate && (ip.IsLoopback() || ip.IsPrivate() || cgnat.Contains(ip)):
		return fmt.Errorf("%w: %s is a private address (start the server with --webhook-allow-private to deliver to it)", ErrAddressNotAllowed, ip)
	}
	return nil
}

var cgnat = netip.MustParsePrefix("100.64.0.0/10")

// WebhookBody is the JSON a receiver gets.
type WebhookBody struct {
	DeliveryID int64           `json:"delivery_id"`
	EventID    int64           `json:"event_id"`
	Event      string          `json:"event"`
	OrgID      int64           `json:"org_id" doc:"The subscribing organization."`
	CreatedAt  time.Time       `json:"created_at"`
	Link       string          `json:"link,omitempty"`
	Data       json.RawMessage `json:"data"`
}

type pendingDelivery struct {
	Delivery
	URL       string     `db:"url"`
	Secret    string     `db:"secret"`
	OrgID     int64      `db:"org_id"`
	Disabled  *time.Time `db:"disabled_at"`
	Link      string     `db:"link"`
	Data      string     `db:"data_json"`
	EventTime time.Time  `db:"event_created_at"`
}

// sendWebhook is the job of one delivery attempt. It returns an error only
// when the delivery should be tried again.
func (w *Workers) sendWebhook(ctx context.Context, payload json.RawMessage) error {
	var job webhookJob
	if err := json.Unmarshal(payload, &job); err != nil {
		return fmt.Errorf("webhook job: %w", err)
	}
	var d pendingDelivery
	err := store.Get(ctx, w.DB, &d, `SELECT `+deliveryColumns+`, h.url, h.secret, h.org_id, h.disabled_at, e.link, e.data_json,
		e.created_at AS event_created_at`+deliveryFrom+` JOIN webhooks h ON h.id = d.webhook_id WHERE d.id = ?`, job.DeliveryID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if d.State != Pending {
		return nil // already settled (a duplicate job, or re-sent and done)
	}
	if d.Disabled != nil {
		_, err := store.Exec(ctx, w.DB, `UPDATE webhook_deliveries SET state = 'failed', last_error = ?, updated_at = ? WHERE id = ?`,
			"webhook disabled", w.Now().UTC(), d.ID)
		return err
	}
	body, err := json.Marshal(WebhookBody{DeliveryID: d.ID, EventID: d.EventID, Event: d.EventKind, OrgID: d.OrgID,
		CreatedAt: d.EventTime.UTC(), Link: d.Link, Data: json.RawMessage(d.Data)})
	if err != nil {
		return err
	}
	at := w.Now()
	started := time.Now()
	status, sendErr := w.post(ctx, d, at, body)
	a := Attempt{Attempt: d.Attempts + 1, At: at.UTC(), DurationMS: time.Since(started).Milliseconds(), StatusCode: status}
	if sendErr != nil {
		a.Error = cleanText(sendErr.Error(), 500)
	}
	state := Pending
	switch {
	case sendErr == nil:
		state = Delivered
	case a.Attempt >= d.MaxAttempts:
		state = Failed
	}
	if err := w.recordAttempt(ctx, d.ID, a, state); err != nil {
		return err
	}
	if state == Pending {
		return fmt.Errorf("webhook delivery %d attempt %d: %s", d.ID, a.Attempt, a.Error)
	}
	return nil
}

func (w *Workers) post(ctx context.Context, d pendingDelivery, at time.Time, body []byte) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, WebhookTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.URL, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "aftersales-webhooks")
	req.Header.Set(EventHeader, d.EventKind)
	req.Header.Set(DeliveryHeader, strconv.FormatInt(d.ID, 10))
	secret, err := w.signingKey(d)
	if err != nil {
		return 0, err
	}
	req.Header.Set(SignatureHeader, Sign(secret, at, body))
	res, err := w.Webhooks.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(res.Body, 300))
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	if res.StatusCode < 200 || res.StatusCode > 299 {
		msg := "HTTP " + strconv.Itoa(res.StatusCode)
		if s := strings.TrimSpace(string(snippet)); s != "" {
			msg += ": " + s
		}
		return res.StatusCode, errors.New(msg)
	}
	return res.StatusCode, nil
}

// signingKey opens the webhook's sealed signing key. A key still in clear
// (stored by an earlier version, not yet sealed by SealWebhookSecrets) is
// used as it is. A key that cannot be opened fails the attempt, which is
// tried again: restarting with the right key lets it through.
func (w *Workers) signingKey(d pendingDelivery) (string, error) {
	if !IsSealed(d.Secret) {
		return d.Secret, nil
	}
	if w.Secrets == nil {
		return "", errNoSecretBox
	}
	return w.Secrets.Open(d.Secret, webhookSecretAbout(d.OrgID))
}

func (w *Workers) recordAttempt(ctx context.Context, id int64, a Attempt, state string) error {
	return w.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		if _, err := store.Exec(ctx, tx, `INSERT INTO webhook_attempts (delivery_id, attempt, at, duration_ms, status_code, error)
			VALUES (?, ?, ?, ?, ?, ?)`, id, a.Attempt, a.At, a.DurationMS, a.StatusCode, a.Error); err != nil {
			return err
		}
		var deliveredAt *time.Time
		if state == Delivered {
			deliveredAt = &a.At
		}
		_, err := store.Exec(ctx, tx, `UPDATE webhook_deliveries SET state = ?, attempts = ?, last_status = ?, last_error = ?,
			updated_at = ?, delivered_at = COALESCE(?, delivered_at) WHERE id = ?`, state, a.Attempt, a.StatusCode, a.Error, a.At, deliveredAt, id)
		return err
	})
}

// cleanText makes outside text safe to store on both engines: valid UTF-8,
// no NUL, at most max bytes.
func cleanText(s string, max int) string {
	s = strings.ToValidUTF8(strings.ReplaceAll(s, "\x00", ""), "?")
	if len(s) > max {
		s = strings.ToValidUTF8(s[:max], "")
	}
	return s
}
