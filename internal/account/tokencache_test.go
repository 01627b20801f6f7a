package account

import (
	"testing"
	"time"
)

func TestTokenCacheForgetsInTimeAndOnChange(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)
	alice := User{ID: 7, Email: "alice@example.com"}

	c := tokenCache{ttl: 50 * time.Millisecond}
	_, gen, ok := c.get("h", now)
	if ok {
		t.Fatal("empty cache answered")
	}
	c.put("h", alice, nil, gen)
	if u, _, ok := c.get("h", now); !ok || u.ID != alice.ID {
		t.Fatalf("remembered: %v %v", u, ok)
	}
	time.Sleep(60 * time.Millisecond)
	if _, _, ok := c.get("h", now); ok {
		t.Fatal("entry outlived the TTL")
	}

	// Forgetting drops every entry, and an owner read before the forget
	// (a lookup racing a revocation) is not kept.
	_, gen, _ = c.get("h", now)
	c.put("h", alice, nil, gen)
	_, racing, _ := c.get("other", now)
	c.forget()
	if _, _, ok := c.get("h", now); ok {
		t.Fatal("entry survived forget")
	}
	c.put("other", alice, nil, racing)
	if _, _, ok := c.get("other", now); ok {
		t.Fatal("an owner read before forget was kept")
	}

	// Never past the token's own expiry, whatever the TTL.
	c = tokenCache{ttl: time.Hour}
	expires := now.Add(time.Minute)
	_, gen, _ = c.get("h", now)
	c.put("h", alice, &expires, gen)
	if _, _, ok := c.get("h", now.Add(59*time.Second)); !ok {
		t.Fatal("valid token not remembered")
	}
	if _, _, ok := c.get("h", expires); ok {
		t.Fatal("expired token answered from the cache")
	}

	// A zero TTL remembers nothing.
	c = tokenCache{}
	_, gen, _ = c.get("h", now)
	c.put("h", alice, nil, gen)
	if _, _, ok := c.get("h", now); ok {
		t.Fatal("zero TTL remembered")
	}
}
