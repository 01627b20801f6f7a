package api

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/humatest"

	"aftersales/internal/policy"
	"aftersales/internal/problem"
)

type adapterIn struct {
	Fail string `query:"fail"`
}

type adapterOut struct {
	Body struct {
		UserID int64 `json:"user_id"`
	}
}

// TestRegisterGivesTheCallerAndMapsErrors: register hands the handler the
// caller, refuses a request that carries none before the handler runs, and
// answers what the handler returns as problems: a domain problem with its
// kind and field, anything else as an internal error that echoes nothing.
func TestRegisterGivesTheCallerAndMapsErrors(t *testing.T) {
	t.Parallel()
	_, api := humatest.New(t)
	api.UseMiddleware(func(ctx huma.Context, next func(huma.Context)) {
		if id := ctx.Header("X-User"); id != "" {
			ctx = huma.WithContext(ctx, policy.WithActor(ctx.Context(), policy.Actor{UserID: 7}))
		}
		next(ctx)
	})
	h := &handlers{Deps: Deps{Log: slog.New(slog.DiscardHandler)}}
	calls := 0
	register(h, api, op("adapter", http.MethodGet, "/adapter", "adapter"), func(ctx context.Context, ac policy.Actor, in *adapterIn) (*adapterOut, error) {
		calls++
		switch in.Fail {
		case "field":
			return nil, problem.Field("query.fail", "is refused")
		case "plain":
			return nil, errors.New("secret database detail")
		}
		out := &adapterOut{}
		out.Body.UserID = ac.UserID
		return out, nil
	})

	res := api.Get("/adapter")
	if res.Code != http.StatusUnauthorized || !strings.Contains(res.Body.String(), problem.Unauthorized.TypeURI()) || calls != 0 {
		t.Fatalf("without a caller: %d %s, handler called %d times", res.Code, res.Body, calls)
	}

	res = api.Get("/adapter", "X-User: 7")
	var out struct {
		UserID int64 `json:"user_id"`
	}
	if err := json.Unmarshal(res.Body.Bytes(), &out); res.Code != http.StatusOK || err != nil || out.UserID != 7 {
		t.Fatalf("with a caller: %d %s", res.Code, res.Body)
	}

	res = api.Get("/adapter?fail=field", "X-User: 7")
	var p Problem
	if err := json.Unmarshal(res.Body.Bytes(), &p); err != nil || res.Code != http.StatusUnprocessableEntity ||
		p.Type != problem.Invalid.TypeURI() || len(p.Errors) != 1 || p.Errors[0].Location != "query.fail" {
		t.Fatalf("a domain problem: %d %s", res.Code, res.Body)
	}

	res = api.Get("/adapter?fail=plain", "X-User: 7")
	if res.Code != http.StatusInternalServerError || !strings.Contains(res.Body.String(), problem.Internal.TypeURI()) ||
		strings.Contains(res.Body.String(), "secret") {
		t.Fatalf("an internal error: %d %s", res.Code, res.Body)
	}
}
