package account

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/audit"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/store"
)

// preparePassword checks a password change before its transaction and
// hashes the new password; checked is the hash the current password was
// checked against (empty when none was needed), which must still be the
// user's when the change is saved.
//
// No password changes over an API token: a stolen token must not become
// the account (nor, for an admin's token, a colleague's account). Users
// changing their own password give the current one, and a wrong one counts
// as a failed sign-in of the account. An admin setting another user's
// password, and the operator, need none.
func (s *Service) preparePassword(ctx context.Context, actor policy.Actor, id int64, p UserPatch) (hash, checked string, err error) {
	if actor.ByToken {
		return "", "", problem.New(problem.Forbidden, "a password cannot be changed with an API token; sign in to change it")
	}
	self := id == actor.UserID && !actor.Operator
	var fs problem.Fields
	checkPassword(&fs, "password", *p.Password)
	if self && (p.CurrentPassword == nil || *p.CurrentPassword == "") {
		fs.Add("current_password", "is required to change your own password")
	}
	if err := fs.Err(); err != nil {
		return "", "", err
	}
	if self {
		u, err := GetUser(ctx, s.DB, id)
		if err != nil {
			return "", "", err
		}
		if err := s.checkCurrentPassword(ctx, u, *p.CurrentPassword); err != nil {
			return "", "", err
		}
		checked = u.PasswordHash
	}
	hash, err = HashPassword(ctx, *p.Password)
	return hash, checked, err
}

// checkCurrentPassword is a sign-in of u inside a session: throttled and
// counted like one.
func (s *Service) checkCurrentPassword(ctx context.Context, u User, current string) error {
	now := s.Now()
	if wait := s.SignIns.Wait(u.Email, now); wait > 0 {
		return throttled(wait)
	}
	ok, err := CheckPassword(ctx, u.PasswordHash, current)
	if err != nil {
		return err
	}
	if !ok {
		s.SignIns.Fail(u.Email, now)
		return problem.Field("current_password", "is not your current password")
	}
	s.SignIns.Reset(u.Email)
	return nil
}

// throttled refuses an attempt on an account that must wait.
func throttled(wait time.Duration) error {
	secs := int64((wait + time.Second - 1) / time.Second)
	p := problem.New(problem.TooManyRequests, "too many failed sign-ins for this account; try again in %d seconds", secs)
	p.RetryAfter = wait
	return p
}

// revokeTokensOf revokes every API token of u still in use, each audited:
// whoever knew the old password may have made one.
func revokeTokensOf(ctx context.Context, tx *sqlx.Tx, actor policy.Actor, u User, now time.Time) error {
	tokens, err := ListTokens(ctx, tx, u.ID)
	if err != nil {
		return err
	}
	for _, t := range tokens {
		if t.RevokedAt != nil {
			continue
		}
		if _, err := store.Exec(ctx, tx, `UPDATE api_tokens SET revoked_at = ? WHERE id = ?`, now, t.ID); err != nil {
			return err
		}
		after := t
		after.RevokedAt = &now
		if err := audit.Record(ctx, tx, now, actor, u.OrgID, "token.revoke", "api_token", t.ID, t, after); err != nil {
			return err
		}
	}
	return nil
}
