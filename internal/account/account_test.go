package account

import (
	"context"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"

	"aftersales/internal/policy"
	"aftersales/internal/problem"
)

func TestPasswordHashRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h, err := HashPassword(ctx, "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q", h)
	}
	h2, _ := HashPassword(ctx, "correct horse battery")
	if h == h2 {
		t.Fatal("two hashes of one password are equal: no salt")
	}
	for pw, want := range map[string]bool{"correct horse battery": true, "correct horse batterY": false, "": false} {
		ok, err := CheckPassword(ctx, h, pw)
		if err != nil || ok != want {
			t.Errorf("check %q: %v %v, want %v", pw, ok, err, want)
		}
	}
	if _, err := CheckPassword(ctx, "$bcrypt$nonsense", "x"); err == nil {
		t.Error("unknown hash format accepted")
	}
	if ok, err := CheckPassword(ctx, dummyHash(), "anything"); ok || err != nil {
		t.Errorf("dummy hash: %v %v", ok, err)
	}
}

func TestThrottle(t *testing.T) {
	t.Parallel()
	th := NewThrottle(3, time.Minute)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 3 {
		if b, _ := th.Blocked("k", t0); b {
			t.Fatalf("blocked after %d failures", i)
		}
		th.Fail("k", t0.Add(time.Duration(i)*time.Second))
	}
	b, until := th.Blocked("k", t0.Add(3*time.Second))
	if !b || !until.Equal(t0.Add(time.Minute)) {
		t.Fatalf("blocked=%v until %v", b, until)
	}
	if b, _ := th.Blocked("other", t0); b {
		t.Fatal("another key is blocked")
	}
	if b, _ := th.Blocked("k", t0.Add(time.Minute+time.Second)); b {
		t.Fatal("still blocked after the window")
	}
	th.Fail("k", t0)
	th.Reset("k")
	if b, _ := th.Blocked("k", t0); b {
		t.Fatal("blocked after reset")
	}
}

// Property: the throttle blocks exactly when limit failures fall in the window.
func TestThrottleProperty(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		limit := rapid.IntRange(1, 6).Draw(t, "limit")
		th := NewThrottle(limit, time.Minute)
		t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		offsets := rapid.SliceOfN(rapid.IntRange(0, 180), 0, 20).Draw(t, "offsets")
		var at []time.Time
		cur := t0
		for _, o := range offsets {
			cur = cur.Add(time.Duration(o) * time.Second)
			th.Fail("k", cur)
			at = append(at, cur)
		}
		now := cur.Add(time.Duration(rapid.IntRange(0, 90).Draw(t, "wait")) * time.Second)
		inWindow := 0
		for _, a := range at {
			if now.Sub(a) < time.Minute {
				inWindow++
			}
		}
		if b, _ := th.Blocked("k", now); b != (inWindow >= limit) {
			t.Fatalf("blocked=%v with %d failures in window, limit %d", b, inWindow, limit)
		}
	})
}

func TestNewUserValidation(t *testing.T) {
	t.Parallel()
	base := NewUser{OrgID: 1, Email: " Ops@Example.COM ", Name: "Ops", Role: policy.Dispatcher, Password: "long-enough-1"}
	if err := base.Validate("provider"); err != nil {
		t.Fatalf("valid user: %v", err)
	}
	if base.Email != "ops@example.com" {
		t.Fatalf("email not normalized: %q", base.Email)
	}
	for name, c := range map[string]struct {
		mut     func(*NewUser)
		orgKind string
		field   string
	}{
		"no email":       {func(n *NewUser) { n.Email = "" }, "provider", "email"},
		"display form":   {func(n *NewUser) { n.Email = "Ops <ops@example.com>" }, "provider", "email"},
		"no domain dot":  {func(n *NewUser) { n.Email = "ops@localhost" }, "provider", "email"},
		"blank name":     {func(n *NewUser) { n.Name = "   " }, "provider", "name"},
		"wrong org kind": {func(n *NewUser) {}, "vendor", "role"},
		"unknown role":   {func(n *NewUser) { n.Role = "root" }, "provider", "role"},
		"short password": {func(n *NewUser) { n.Password = "123456789" }, "provider", "password"},
		"locale":         {func(n *NewUser) { n.Locale = "fr" }, "provider", "locale"},
	} {
		t.Run(name, func(t *testing.T) {
			n := base
			c.mut(&n)
			err := n.Validate(c.orgKind)
			p, ok := problem.As(err)
			if !ok || p.Kind != problem.Invalid || len(p.Fields) == 0 || p.Fields[0].Field != c.field {
				t.Fatalf("got %v, want a problem on %s", err, c.field)
			}
		})
	}
}
