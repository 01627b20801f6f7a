package api

import (
	"cmp"
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"aftersales/internal/notify"
	"aftersales/internal/policy"
)

type notificationListInput struct {
	Cursor     string `query:"cursor" maxLength:"30" doc:"The next value of the previous page."`
	Limit      int    `query:"limit" minimum:"0" maximum:"200" doc:"Page size, default 50."`
	UnreadOnly bool   `query:"unread_only" doc:"Only unread notifications."`
}

type notificationListOutput struct {
	Body notify.Page
}

type notificationOutput struct {
	Body notify.Notification
}

type readAllOutput struct {
	Body struct {
		Marked int `json:"marked" doc:"How many notifications were unread."`
	}
}

type webhookCreateInput struct {
	Create
	Body struct {
		URL         string   `json:"url" minLength:"1" maxLength:"2000" doc:"http:// or https://, without user name or password."`
		Kinds       []string `json:"kinds,omitempty" maxItems:"20" doc:"Event kinds to receive, e.g. clock.breached or clock.*; empty: all."`
		Description string   `json:"description,omitempty" maxLength:"200"`
	}
}

type webhookCreateOutput struct {
	Body struct {
		Webhook notify.Webhook `json:"webhook"`
		Secret  string         `json:"secret" doc:"Signs every delivery (X-Aftersales-Signature). Shown only once, in the first answer: store it now. Empty when secret_withheld is true."`
		// SecretWithheld marks a repeat with the same Idempotency-Key: the
		// secret is never kept for replay.
		SecretWithheld bool `json:"secret_withheld,omitempty" doc:"True when this answers a repeat of the create (the same Idempotency-Key): the secret was shown once, in the first answer, and is not kept; disable the webhook and subscribe again if it was lost."`
	}
}

type webhookListOutput items[notify.Webhook]

type webhookOutput struct {
	Body notify.Webhook
}

type deliveryListInput struct {
	ID       int64 `path:"id" minimum:"1"`
	BeforeID int64 `query:"before_id" minimum:"0" doc:"Page backwards from this delivery id (exclusive)."`
	Limit    int   `query:"limit" minimum:"0" maximum:"200" doc:"Page size, default 50."`
}

type deliveryListOutput beforePage[notify.Delivery]

type deliveryOutput struct {
	Body notify.Delivery
}

func (h *handlers) registerNotifications(a huma.API) {
	register(h, a, op("list-notifications", http.MethodGet, "/notifications", "Your notifications, unread first, newest first", "Notifications"), h.listNotifications)

	register(h, a, op("read-notification", http.MethodPost, "/notifications/{id}/read", "Mark one of your notifications read", "Notifications"), h.readNotification)

	register(h, a, op("read-all-notifications", http.MethodPost, "/notifications/read-all", "Mark all your notifications read", "Notifications"), h.readAllNotifications)
}

func (h *handlers) listNotifications(ctx context.Context, act policy.Actor, in *notificationListInput) (*notificationListOutput, error) {
	return bodyAs[notificationListOutput](h.Notify.List(ctx, act, notify.ListInput{Cursor: in.Cursor, Limit: in.Limit, UnreadOnly: in.UnreadOnly}))
}

func (h *handlers) readNotification(ctx context.Context, act policy.Actor, in *idPath) (*notificationOutput, error) {
	return bodyAs[notificationOutput](h.Notify.MarkRead(ctx, act, in.ID))
}

func (h *handlers) readAllNotifications(ctx context.Context, act policy.Actor, _ *struct{}) (*readAllOutput, error) {
	n, err := h.Notify.MarkAllRead(ctx, act)
	if err != nil {
		return nil, err
	}
	out := &readAllOutput{}
	out.Body.Marked = n
	return out, nil
}

func (h *handlers) registerWebhooks(a huma.API) {
	register(h, a, op("list-webhooks", http.MethodGet, "/webhooks", "Your organization's webhook subscriptions", "Webhooks"), h.listWebhooks)

	register(h, a, created(described(op("create-webhook", http.MethodPost, "/webhooks", "Subscribe a URL to your organization's events", "Webhooks"),
		"Events are POSTed as JSON with `X-Aftersales-Event`, `X-Aftersales-Delivery` (the delivery id: "+
			"deliveries are at least once, so deduplicate on it) and `X-Aftersales-Signature: t=<unix>,v1=<hex>`, the HMAC-SHA256 "+
			"with the secret of `<unix>.<body>`. Non-2xx answers and network errors are retried with backoff.")), h.createWebhook)

	register(h, a, op("get-webhook", http.MethodGet, "/webhooks/{id}", "A webhook subscription", "Webhooks"), h.getWebhook)

	register(h, a, op("disable-webhook", http.MethodDelete, "/webhooks/{id}", "Disable a webhook subscription (kept with its delivery history)", "Webhooks"), h.disableWebhook)

	register(h, a, op("list-webhook-deliveries", http.MethodGet, "/webhooks/{id}/deliveries", "A subscription's deliveries, newest first", "Webhooks"), h.listWebhookDeliveries)

	register(h, a, op("get-webhook-delivery", http.MethodGet, "/webhook-deliveries/{id}", "A delivery with every attempt", "Webhooks"), h.getWebhookDelivery)

	register(h, a, withErrors(op("redeliver-webhook-delivery", http.MethodPost, "/webhook-deliveries/{id}/redeliver", "Send a finished delivery again, with the same id", "Webhooks"), 409), h.redeliverWebhookDelivery)
}

func (h *handlers) listWebhooks(ctx context.Context, act policy.Actor, _ *struct{}) (*webhookListOutput, error) {
	return listAs[webhookListOutput](h.Notify.Webhooks(ctx, act))
}

func (h *handlers) createWebhook(ctx context.Context, act policy.Actor, in *webhookCreateInput) (*webhookCreateOutput, error) {
	w, secret, err := h.Notify.CreateWebhook(ctx, act, notify.WebhookInput{URL: in.Body.URL, Kinds: in.Body.Kinds, Description: in.Body.Description})
	if err != nil {
		return nil, err
	}
	out := &webhookCreateOutput{}
	out.Body.Webhook, out.Body.Secret = w, secret
	return out, nil
}

func (h *handlers) getWebhook(ctx context.Context, act policy.Actor, in *idPath) (*webhookOutput, error) {
	return bodyAs[webhookOutput](h.Notify.Webhook(ctx, act, in.ID))
}

func (h *handlers) disableWebhook(ctx context.Context, act policy.Actor, in *idPath) (*webhookOutput, error) {
	return bodyAs[webhookOutput](h.Notify.DisableWebhook(ctx, act, in.ID))
}

func (h *handlers) listWebhookDeliveries(ctx context.Context, act policy.Actor, in *deliveryListInput) (*deliveryListOutput, error) {
	limit := cmp.Or(in.Limit, 50)
	items, err := h.Notify.Deliveries(ctx, act, in.ID, in.BeforeID, limit)
	if err != nil {
		return nil, err
	}
	out := &deliveryListOutput{}
	out.Body.Items, out.Body.NextBefore = items, nextBefore(items, limit, func(d notify.Delivery) int64 { return d.ID })
	return out, nil
}

func (h *handlers) getWebhookDelivery(ctx context.Context, act policy.Actor, in *idPath) (*deliveryOutput, error) {
	return bodyAs[deliveryOutput](h.Notify.Delivery(ctx, act, in.ID))
}

func (h *handlers) redeliverWebhookDelivery(ctx context.Context, act policy.Actor, in *idPath) (*deliveryOutput, error) {
	return bodyAs[deliveryOutput](h.Notify.Redeliver(ctx, act, in.ID))
}
