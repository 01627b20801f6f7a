package store

import (
	"context"
	"sync"

	"github.com/jmoiron/sqlx"
)

// A Claim is a write that must commit together with the first write a
// request makes, or not at all. The API's idempotency keys use it: the key
// is reserved by the same transaction that creates the resource, so a
// request that fails leaves no reservation behind, a request that
// succeeds costs no commit of its own for the reservation, and the
// reservation can name the resource it created (see Written).
//
// DB.Tx runs a pending claim last thing in the transaction, after the
// caller's body, so that it knows what the body wrote; Exec and InsertID on
// the pool (a write outside any transaction) become a transaction of their
// statement and the claim. If the claim's statement fails, the write it
// would have joined fails with the same error and is not made. A
// transaction that rolls back gives the claim back, to be taken by the next
// write of the request, if any.
type Claim struct {
	run func(ctx context.Context, q Queryer, w Written) error

	mu      sync.Mutex
	state   claimState
	err     error
	written Written
}

// Written names the first entity a transaction wrote, as its audit row
// names it (e.g. service_request 42); empty if it wrote none.
type Written struct {
	Entity, ID string
}

// NoteWritten tells the claim being taken in ctx, if any, that its
// transaction writes the entity; the first one noted counts. The audit
// trail calls it for every change it records.
func NoteWritten(ctx context.Context, entity, id string) {
	c, _ := ctx.Value(claimKey{}).(*Claim)
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.state == claimTaking && c.written.Entity == "" {
		c.written = Written{Entity: entity, ID: id}
	}
}

type claimState int

const (
	claimPending claimState = iota
	claimTaking
	claimHeld
)

type claimKey struct{}

// WithClaim returns a context whose first write also runs run, at its end,
// with what the write noted (NoteWritten).
func WithClaim(ctx context.Context, run func(ctx context.Context, q Queryer, w Written) error) (context.Context, *Claim) {
	c := &Claim{run: run}
	return context.WithValue(ctx, claimKey{}, c), c
}

// Held reports whether the claim was committed with a write of the request.
func (c *Claim) Held() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.state == claimHeld
}

// Written is what the write that took the claim noted it wrote.
func (c *Claim) Written() Written {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.written
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

// after returns fn followed by the claim's statement in the same transaction.
func (c *Claim) after(ctx context.Context, fn func(tx *sqlx.Tx) error) func(tx *sqlx.Tx) error {
	return func(tx *sqlx.Tx) error {
		c.mu.Lock()
		c.written, c.err = Written{}, nil
		c.mu.Unlock()
		if err := fn(tx); err != nil {
			return err
		}
		markFinal(tx)
		c.mu.Lock()
		w := c.written
		c.mu.Unlock()
		err := c.run(ctx, tx, w)
		c.mu.Lock()
		c.err = err
		c.mu.Unlock()
		return err
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
