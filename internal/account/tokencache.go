package account

import (
	"sync"
	"time"
)

// TokenCacheTTL is how long a token's owner is remembered after it was read
// from the database. Revoking a token, or changing or deactivating a user or
// an organization, through this process forgets every remembered token at
// once; done by another process (the command line, another instance on the
// same PostgreSQL) it takes effect within this time.
const TokenCacheTTL = 5 * time.Second

// maxCachedTokens bounds the memory of the cache; when it is full the cache
// starts again.
const maxCachedTokens = 10000

// tokenCache remembers, by token hash, whom a bearer token authenticated,
// so that an API call costs no query for its credentials. Only tokens that
// were valid are kept; an entry is used until TokenCacheTTL has passed on
// the machine's clock (freshness of a copy, not business time) and never
// after the token's own expiry.
type tokenCache struct {
	ttl     time.Duration // zero: nothing is remembered
	mu      sync.Mutex
	entries map[string]cachedToken
	// gen counts forget calls: an owner read before the latest one (a
	// lookup racing a revocation) is not kept.
	gen uint64
}

type cachedToken struct {
	user      User
	expiresAt *time.Time
	loadedAt  time.Time
}

// get returns the remembered owner of a token, or the generation to pass
// to put after reading it from the database.
func (c *tokenCache) get(hash string, now time.Time) (User, uint64, bool) {
	c.mu.Lock()
	e, ok := c.entries[hash]
	gen := c.gen
	c.mu.Unlock()
	if !ok || time.Since(e.loadedAt) >= c.ttl || (e.expiresAt != nil && !e.expiresAt.After(now)) {
		return User{}, gen, false
	}
	return e.user, gen, true
}

func (c *tokenCache) put(hash string, u User, expiresAt *time.Time, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen || c.ttl <= 0 {
		return
	}
	if c.entries == nil || len(c.entries) >= maxCachedTokens {
		c.entries = map[string]cachedToken{}
	}
	c.entries[hash] = cachedToken{user: u, expiresAt: expiresAt, loadedAt: time.Now()}
}

// forget drops every entry.
func (c *tokenCache) forget() {
	c.mu.Lock()
	c.entries = nil
	c.gen++
	c.mu.Unlock()
}
