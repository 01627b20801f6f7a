package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"aftersales/internal/store"
)

type smsJob struct {
	MessageID int64 `json:"message_id"`
}

// SMSRequest is the JSON the gateway receives, signed like a webhook
// delivery (SignatureHeader over the raw body with the gateway secret).
type SMSRequest struct {
	MessageID int64  `json:"message_id"`
	To        string `json:"to" doc:"E.164, e.g. +8613800138000."`
	Text      string `json:"text"`
	// ReceiptURL is where the gateway POSTs the delivery receipt (SMSReceipt),
	// signed the same way; empty when the app has no public URL.
	ReceiptURL string `json:"receipt_url,omitempty"`
}

// SMSAccepted is what the gateway may answer with a 2xx: its own id of the
// message.
type SMSAccepted struct {
	ID string `json:"id"`
}

// SMSReceipt is the gateway's delivery receipt of one message.
type SMSReceipt struct {
	MessageID int64  `json:"message_id"`
	Status    string `json:"status" doc:"delivered or undelivered."`
	Error     string `json:"error,omitempty"`
}

// SMSReceiptPath is where receipts are posted.
const SMSReceiptPath = "/sms/receipts"

// SMSMessageHeader names the message a gateway request is about.
const SMSMessageHeader = "X-Aftersales-Message"

// NewSMSClient returns the HTTP client of the gateway. The address is the
// operator's own configuration, so private addresses are allowed; redirects
// are not followed and no proxy is read from the environment.
func NewSMSClient() *http.Client {
	return &http.Client{Transport: &http.Transport{Proxy: nil, ResponseHeaderTimeout: WebhookTimeout, MaxIdleConnsPerHost: 2},
		Timeout: WebhookTimeout, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

type pendingSMS struct {
	SMSMessage
	Sealed string `db:"sealed_text"`
}

// sendSMS is the job of one attempt: it hands the message to the gateway.
// It returns an error only when the message should be tried again. A 4xx
// answer other than 408 and 429 is final: the gateway refused the message
// itself, and the same request would be refused again.
func (w *Workers) sendSMS(ctx context.Context, payload json.RawMessage) error {
	var job smsJob
	if err := json.Unmarshal(payload, &job); err != nil {
		return fmt.Errorf("sms job: %w", err)
	}
	var m pendingSMS
	err := store.Get(ctx, w.DB, &m, `SELECT `+smsColumns+`, sealed_text FROM sms_messages WHERE id = ?`, job.MessageID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if m.State != SMSPending {
		return nil
	}
	now := w.Now().UTC()
	if !w.SMS.Enabled() {
		return w.settleSMS(ctx, m.ID, m.Attempts, 0, "SMS gateway not configured", SMSFailed, "", now)
	}
	text, err := openText(w.SMS.Secret, m.Sealed)
	if err != nil {
		return w.settleSMS(ctx, m.ID, m.Attempts, 0, err.Error(), SMSFailed, "", now)
	}
	req := SMSRequest{MessageID: m.ID, To: m.Phone, Text: text}
	if w.BaseURL != "" {
		req.ReceiptURL = w.BaseURL + SMSReceiptPath
	}
	body, err := json.Marshal(req)
	if err != nil {
		return err
	}
	status, gatewayID, final, sendErr := w.postSMS(ctx, m.ID, now, body)
	attempt := m.Attempts + 1
	state, msg := SMSSent, ""
	if sendErr != nil {
		msg = cleanText(sendErr.Error(), 500)
		state = SMSPending
		if final || attempt >= m.MaxAttempts {
			state = SMSFailed
		}
	}
	if err := w.settleSMS(ctx, m.ID, attempt, status, msg, state, gatewayID, now); err != nil {
		return err
	}
	if state == SMSPending {
		return fmt.Errorf("sms %d attempt %d: %s", m.ID, attempt, msg)
	}
	return nil
}

func (w *Workers) postSMS(ctx context.Context, id int64, at time.Time, body []byte) (status int, gatewayID string, final bool, err error) {
	ctx, cancel := context.WithTimeout(ctx, WebhookTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.SMS.URL, bytes.NewReader(body))
	if err != nil {
		return 0, "", true, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "aftersales-sms")
	req.Header.Set(SMSMessageHeader, strconv.FormatInt(id, 10))
	req.Header.Set(SignatureHeader, Sign(w.SMS.Secret, at, body))
	client := w.SMSClient
	if client == nil {
		client = NewSMSClient()
	}
	res, err := client.Do(req)
	if err != nil {
		return 0, "", false, err
	}
	defer res.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(res.Body, 4<<10))
	if res.StatusCode < 200 || res.StatusCode > 299 {
		msg := "HTTP " + strconv.Itoa(res.StatusCode)
		if s := strings.TrimSpace(string(answer)); s != "" {
			msg += ": " + s
		}
		final = res.StatusCode >= 400 && res.StatusCode < 500 && res.StatusCode != http.StatusRequestTimeout && res.StatusCode != http.StatusTooManyRequests
		return res.StatusCode, "", final, errors.New(msg)
	}
	var ok SMSAccepted
	if json.Unmarshal(answer, &ok) == nil {
		gatewayID = cleanText(ok.ID, 100)
	}
	return res.StatusCode, gatewayID, false, nil
}

func (w *Workers) settleSMS(ctx context.Context, id int64, attempt, status int, msg, state, gatewayID string, now time.Time) error {
	var sentAt *time.Time
	if state == SMSSent {
		sentAt = &now
	}
	_, err := store.Exec(ctx, w.DB, `UPDATE sms_messages SET state = ?, attempts = ?, last_status = ?, last_error = ?, gateway_id = ?,
		updated_at = ?, sent_at = COALESCE(?, sent_at) WHERE id = ? AND state = 'pending'`, state, attempt, status, msg, gatewayID, now, sentAt, id)
	return err
}

// Errors of Receipt.
var (
	ErrReceiptInvalid = errors.New("the receipt is not a JSON object with message_id and status delivered or undelivered")
	ErrReceiptUnknown = errors.New("no such message")
)

// ReceiptTolerance is how far a receipt's signature time may be from now.
const ReceiptTolerance = 5 * time.Minute

// Receipt records the gateway's delivery receipt posted to SMSReceiptPath:
// the signature must verify with the gateway secret within
// ReceiptTolerance; the message must have been handed to the gateway. A
// repeated receipt changes nothing.
func (w *Workers) Receipt(ctx context.Context, signature string, body []byte) error {
	if !w.SMS.Enabled() {
		return ErrReceiptUnknown
	}
	now := w.Now().UTC()
	if err := VerifySignature(w.SMS.Secret, signature, body, now, ReceiptTolerance); err != nil {
		return err
	}
	var r SMSReceipt
	if err := json.Unmarshal(body, &r); err != nil || r.MessageID <= 0 || (r.Status != SMSDelivered && r.Status != SMSUndelivered) {
		return ErrReceiptInvalid
	}
	res, err := store.Exec(ctx, w.DB, `UPDATE sms_messages SET state = ?, last_error = ?, receipt_at = ?, updated_at = ?
		WHERE id = ? AND state IN ('sent', 'delivered', 'undelivered') AND receipt_at IS NULL`, r.Status, cleanText(r.Error, 500), now, now, r.MessageID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		var state string
		if err := store.Get(ctx, w.DB, &state, `SELECT state FROM sms_messages WHERE id = ?`, r.MessageID); errors.Is(err, store.ErrNotFound) || err == nil && state == SMSPending {
			return ErrReceiptUnknown
		} else if err != nil {
			return err
		}
	}
	return nil
}
