package idempotency

import (
	"hash/maphash"
	"strconv"
	"sync"
)

// recentPerGeneration bounds the keys recentKeys holds: two generations of
// this many, about 4.5 MiB at most (measured).
const recentPerGeneration = 1 << 16

// recentKeys are the keys whose request finished in this process lately.
// A repeat of one is answered from what its key holds before it runs (one
// read, finishedRepeat), while a first request, which no key holds yet,
// costs a lookup in memory and no read: looking every key up in the
// database before running cost every create an indexed read
// (docs/DECISIONS.md). A repeat not remembered here (another instance ran
// the first request, this process restarted since, or many keys finished
// since) runs as it always did: its first write finds the key taken, rolls
// back, and it is answered from the key.
//
// A key is kept as a hash of its user and itself: two keys that share a
// hash cost one read for nothing, never a wrong answer, since the read is
// by user and key. When the current generation is full it becomes the
// previous one and the oldest is forgotten.
type recentKeys struct {
	mu                sync.Mutex
	seed              maphash.Seed
	current, previous map[uint64]struct{}
}

func newRecentKeys() *recentKeys {
	return &recentKeys{seed: maphash.MakeSeed(), current: map[uint64]struct{}{}}
}

func (s *recentKeys) hash(k requestKey) uint64 {
	var h maphash.Hash
	h.SetSeed(s.seed)
	var id [20]byte
	_, _ = h.Write(strconv.AppendInt(id[:0], k.userID, 10))
	_ = h.WriteByte(0)
	_, _ = h.WriteString(k.key)
	return h.Sum64()
}

// remember notes that the key's request finished: the key holds its answer,
// or names what it wrote.
func (s *recentKeys) remember(k requestKey) {
	h := s.hash(k)
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.current) >= recentPerGeneration {
		s.previous, s.current = s.current, make(map[uint64]struct{}, recentPerGeneration)
	}
	s.current[h] = struct{}{}
}

// seen reports whether the key's request may have finished in this process.
func (s *recentKeys) seen(k requestKey) bool {
	h := s.hash(k)
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.current[h]
	if !ok {
		_, ok = s.previous[h]
	}
	return ok
}
