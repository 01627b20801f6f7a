package store

import (
	"context"
	"sync"

	"github.com/jmoiron/sqlx"
)

// A Claim is a write that must commit together with the first write a
// request makes, or not at all. The API's idempotency keys use it: the key
// is reserved by the same transaction that creates the resource, so a
// request that fails leaves no reservation behind and a request that
// succeeds costs no commit of its own for the reservation.
//
// DB.Tx runs a pending claim first thing in the transaction; Exec and
// InsertID on the pool (a write outside any transaction) become a
// transaction of the claim and their statement. If the claim's statement fails,
// the write it would have joined fails with the same error and is not made.
// A transaction that rolls back gives the claim back, to be taken by the
// next write of the request, if any.
type Claim struct {
	run func(ctx context.Context, q Queryer) error

	mu    sync.Mutex
	state claimState
	err   error
}

type claimState int

const (
	claimPending claimState = iota
	claimTaking
	claimHeld
)

type claimKey struct{}

// WithClaim returns a context whose first write also runs run.
func WithClaim(ctx context.Context, run func(ctx context.Context, q Queryer) error) (context.Context, *Claim) {
	c := &Claim{run: run}
	return context.WithValue(ctx, claimKey{}, c), c
}

// Held reports whether the claim was committed with a write of the request.
func (c *Claim) Held() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.state == claimHeld
}

// Err is the error of the last failed attempt to take the claim.
func (c *Claim) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// pendingClaim returns the context's claim if no write has taken it yet,
// and marks it as being taken.
func pendingClaim(ctx context.Context) *Claim {
	c, _ := ctx.Value(claimKey{}).(*Claim)
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.state != claimPending {
		return nil
	}
	c.state = claimTaking
	return c
}

// hasPendingClaim reports whether ctx carries a claim no write has taken.
func hasPendingClaim(ctx context.Context) bool {
	c, _ := ctx.Value(claimKey{}).(*Claim)
	if c == nil {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.state == claimPending
}

// before returns fn preceded by the claim's statement in the same transaction.
func (c *Claim) before(ctx context.Context, fn func(tx *sqlx.Tx) error) func(tx *sqlx.Tx) error {
	return func(tx *sqlx.Tx) error {
		err := c.run(ctx, tx)
		c.mu.Lock()
		c.err = err
		c.mu.Unlock()
		if err != nil {
			return err
		}
		return fn(tx)
	}
}

// settle records whether the write that took the claim committed.
func (c *Claim) settle(committed bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if committed {
		c.state = claimHeld
	} else {
		c.state = claimPending
	}
}
