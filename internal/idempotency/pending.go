package idempotency

import (
	"context"
	"sync"
)

// pendingAnswers are the answers being stored, on SQLite, after their
// responses were sent. Storing one is a write of its own; waiting for it
// would keep the connection from its next request until a group of writes
// commits, while in the background it joins the group of the next requests.
// A crash before it commits leaves the key reserved without an answer but
// naming the resource, which repeats are then answered from.
type pendingAnswers struct {
	mu      sync.Mutex
	pending map[answerKey]chan struct{}
	running sync.WaitGroup
}

type answerKey struct {
	userID int64
	key    string
}

// store runs save in the background, noting the key as pending until it ends.
func (p *pendingAnswers) store(k requestKey, save func()) {
	ak := answerKey{k.userID, k.key}
	done := make(chan struct{})
	p.mu.Lock()
	if p.pending == nil {
		p.pending = map[answerKey]chan struct{}{}
	}
	p.pending[ak] = done
	p.mu.Unlock()
	p.running.Add(1)
	go func() {
		defer p.running.Done()
		save()
		p.mu.Lock()
		if p.pending[ak] == done {
			delete(p.pending, ak)
		}
		p.mu.Unlock()
		close(done)
	}()
}

// wait returns once the key's answer, if pending, is stored (or ctx ends).
func (p *pendingAnswers) wait(ctx context.Context, k requestKey) {
	p.mu.Lock()
	done := p.pending[answerKey{k.userID, k.key}]
	p.mu.Unlock()
	if done == nil {
		return
	}
	select {
	case <-done:
	case <-ctx.Done():
	}
}
