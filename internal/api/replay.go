package api

import (
	"bytes"
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"aftersales/internal/idempotency"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
)

// Replays answer a repeated create (the same Idempotency-Key) from the
// resource the first request created, when no answer was stored for it:
// the process died between committing the resource and storing its answer,
// or the answer held a secret, which is never stored. The key's
// reservation commits with the resource and names it (the first entity the
// transaction audited), so the repeat reads the resource again and answers
// it as the create did, with its current state.
type Replays struct {
	api   huma.API
	kinds []replayKind
}

// replayKind is how one create operation is answered from its resource.
type replayKind struct {
	path   string // under Prefix; a segment in braces matches any segment
	entity string // as the audit trail names it
	status int
	// withheld: the answer holds a secret, so it is never stored and
	// every repeat is answered from the resource, without the secret
	// (such a create's path has no segment in braces).
	withheld bool
	render   func(ctx context.Context, act policy.Actor, id int64) (etag string, body any, err error)
}

// NewReplays returns the replays of the creates registered on a.
func NewReplays(a huma.API, d Deps) *Replays {
	h := &handlers{Deps: d}
	r := &Replays{api: a}
	type render = func(ctx context.Context, act policy.Actor, id int64) (string, any, error)
	add := func(path, entity string, fn render) {
		r.kinds = append(r.kinds, replayKind{path: path, entity: entity, status: http.StatusCreated, render: fn})
	}
	// The answers of these hold a secret: never kept, always rebuilt.
	withheld := func(path, entity string, fn render) {
		r.kinds = append(r.kinds, replayKind{path: path, entity: entity, status: http.StatusCreated, render: fn, withheld: true})
	}
	withheld("/tokens", "api_token", h.replayToken)
	withheld("/webhooks", "webhook", h.replayWebhook)
	add("/organizations", "organization", replayGet(h.getOrganization))
	add("/users", "user", replayGet(h.getUser))
	add("/service-requests", "service_request", replayGet(h.getServiceRequest))
	add("/service-requests/{id}/work-orders", "work_order", replayGet(h.getWorkOrder))
	add("/units/{id}/work-orders", "work_order", replayGet(h.getWorkOrder))
	add("/product-models", "product_model", replayGet(h.getProductModel))
	add("/sites", "site", replayGet(h.getSite))
	add("/units", "unit", replayGet(h.getUnit))
	add("/parts", "part", replayGet(h.getPart))
	add("/stock-locations", "stock_location", replayGet(h.getStockLocation))
	return r
}

// replayGet renders a create's answer as get answers the resource now.
func replayGet[T any](get func(context.Context, policy.Actor, *idPath) (*tagged[T], error)) func(context.Context, policy.Actor, int64) (string, any, error) {
	return func(ctx context.Context, act policy.Actor, id int64) (string, any, error) {
		t, err := get(ctx, act, &idPath{ID: id})
		if err != nil {
			return "", nil, err
		}
		return t.ETag, t.Body, nil
	}
}

// replayToken answers a repeated token creation: the token, never its secret.
func (h *handlers) replayToken(ctx context.Context, act policy.Actor, id int64) (string, any, error) {
	ts, err := h.Accounts.ListTokens(ctx, act, act.UserID)
	if err != nil {
		return "", nil, err
	}
	out := tokenCreateOutput{}
	for _, t := range ts {
		if t.ID == id {
			out.Body.Token = t
		}
	}
	if out.Body.Token.ID == 0 {
		return "", nil, problem.New(problem.NotFound, "API token %d not found", id)
	}
	out.Body.SecretWithheld = true
	return "", out.Body, nil
}

// replayWebhook answers a repeated subscription: the webhook, never its secret.
func (h *handlers) replayWebhook(ctx context.Context, act policy.Actor, id int64) (string, any, error) {
	w, err := h.Notify.Webhook(ctx, act, id)
	if err != nil {
		return "", nil, err
	}
	out := webhookCreateOutput{}
	out.Body.Webhook, out.Body.SecretWithheld = w, true
	return "", out.Body, nil
}

func (r *Replays) find(path, entity string) (replayKind, bool) {
	rel, ok := strings.CutPrefix(path, Prefix)
	if !ok {
		return replayKind{}, false
	}
	for _, k := range r.kinds {
		if (entity == "" || k.entity == entity) && pathMatches(k.path, rel) {
			return k, true
		}
	}
	return replayKind{}, false
}

// pathMatches reports whether path fits the pattern, whose segments in
// braces match any one segment.
func pathMatches(pattern, path string) bool {
	ps, xs := strings.Split(pattern, "/"), strings.Split(path, "/")
	if len(ps) != len(xs) {
		return false
	}
	for i, p := range ps {
		if !strings.HasPrefix(p, "{") && p != xs[i] {
			return false
		}
	}
	return true
}

// Withheld reports whether the answer of a POST to path holds a secret
// and must not be kept for replay. It is asked on every create, so it
// compares the path with the few such creates only, without allocating.
func (r *Replays) Withheld(path string) bool {
	rel, ok := strings.CutPrefix(path, Prefix)
	if !ok {
		return false
	}
	for _, k := range r.kinds {
		if k.withheld && k.path == rel {
			return true
		}
	}
	return false
}

// Answer renders the answer to a repeat of the POST to path whose request
// created the entity id; ok is false if that create has no replay. An
// error is the domain's answer to reading the resource now (e.g. it is
// gone, or out of the caller's reach).
func (r *Replays) Answer(ctx context.Context, path, entity, id string) (out idempotency.Replayed, ok bool, err error) {
	k, found := r.find(path, entity)
	n, perr := strconv.ParseInt(id, 10, 64)
	act, signedIn := policy.ActorFrom(ctx)
	if !found || perr != nil || n <= 0 || !signedIn {
		return idempotency.Replayed{}, false, nil
	}
	tag, body, err := k.render(ctx, act, n)
	if err != nil {
		return idempotency.Replayed{}, true, err
	}
	var buf bytes.Buffer
	if err := r.api.Marshal(&buf, "application/json", body); err != nil {
		return idempotency.Replayed{}, true, err
	}
	out.Header = http.Header{}
	out.Status = k.status
	out.Header.Set("Content-Type", "application/json")
	if tag != "" {
		out.Header.Set("ETag", tag)
	}
	out.Body = buf.Bytes()
	return out, true, nil
}
