package web

import (
	"context"

	"aftersales/internal/parts"
	"aftersales/internal/policy"
)

// partApprovals is how the approval of every part the actor sees stands
// today, so that lists of stock can badge a part that may not be fitted
// (never approved, approval expired or revoked) before anyone picks it.
func (s *Server) partApprovals(ctx context.Context, a policy.Actor) (map[int64]parts.ApprovalState, error) {
	ps, err := s.Parts.List(ctx, a, parts.Filter{})
	if err != nil {
		return nil, err
	}
	today := s.Parts.Today()
	out := make(map[int64]parts.ApprovalState, len(ps))
	for _, p := range ps {
		out[p.ID] = p.ApprovalOn(today)
	}
	return out, nil
}
