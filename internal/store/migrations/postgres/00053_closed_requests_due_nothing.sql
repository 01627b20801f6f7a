-- +goose Up
-- A closed request (resolved or cancelled) has no next deadline and no
-- next check: nothing is due of it, and the clock job has nothing more to
-- raise (servicerequest.Request.SetProjection). Requests closed before
-- kept the deadline of a clock left running (a cancelled request's, an
-- escalation's), which put them in the run of the urgency order that only
-- open requests are meant to fill. The rows to clear are found through
-- indexes, not by reading every request: the deadlines through
-- (status, next_due_at), the next checks left through the partial index of
-- next checks (one statement with OR read every closed request on SQLite).
UPDATE service_requests SET next_due_at = NULL, next_check_at = NULL
WHERE status IN ('resolved', 'cancelled') AND next_due_at IS NOT NULL;
UPDATE service_requests SET next_check_at = NULL
WHERE next_check_at IS NOT NULL AND status IN ('resolved', 'cancelled');

-- +goose Down
-- Nothing to undo: a cleared deadline was due of nothing, and the clocks
-- themselves are recomputed from the request's events.
