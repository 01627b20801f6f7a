package account

import (
	"context"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"aftersales/internal/audit"
	"aftersales/internal/org"
	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/store"
)

// Service holds the use cases on users and tokens.
type Service struct {
	DB  *store.DB
	Now func() time.Time
	// SignIns slows down failed sign-ins (and wrong current passwords) per
	// account.
	SignIns *Backoff
	tokens  tokenCache
}

// ForgetTokens makes the next use of every API token read its owner from
// the database again. The service calls it itself when it revokes a token or
// changes a user; whoever changes an organization's active state calls it too.
func (s *Service) ForgetTokens() { s.tokens.forget() }

// NewService returns a service with the default sign-in backoff: 5 failures
// of an account pass, then each attempt waits 1 s, 2 s, 4 s, ... up to 15
// minutes; failures are forgotten a day after the latest.
func NewService(db *store.DB, now func() time.Time) *Service {
	return &Service{DB: db, Now: now, SignIns: NewBackoff(5, time.Second, 15*time.Minute, 24*time.Hour),
		tokens: tokenCache{ttl: TokenCacheTTL}}
}

// userScope tells how a user relates to the actor, and the user's organization.
func userScope(ctx context.Context, q store.Queryer, actor policy.Actor, target User) (policy.Scope, error) {
	if target.ID == actor.UserID && !actor.Operator {
		return policy.Self, nil
	}
	return org.ScopeOf(ctx, q, actor, target.OrgID)
}

// CreateUser adds a user to an organization.
func (s *Service) CreateUser(ctx context.Context, actor policy.Actor, n NewUser) (User, error) {
	o, err := org.Get(ctx, s.DB, n.OrgID)
	if err != nil {
		if problem.Is(err, problem.NotFound) {
			return User{}, problem.Field("org_id", "no such organization")
		}
		return User{}, err
	}
	scope, err := org.ScopeOf(ctx, s.DB, actor, o.ID)
	if err != nil {
		return User{}, err
	}
	if err := policy.Allow(actor, policy.UserCreate, scope); err != nil {
		return User{}, err
	}
	if scope == policy.Partner && o.Kind != org.Customer {
		return User{}, problem.New(problem.Forbidden, "users of a partner %s are managed by that organization", problem.Enum("orgkind.", o.Kind))
	}
	if err := n.Validate(string(o.Kind)); err != nil {
		return User{}, err
	}
	hash, err := HashPassword(ctx, n.Password)
	if err != nil {
		return User{}, err
	}
	now := s.Now().UTC()
	var u User
	err = s.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		id, err := InsertUser(ctx, tx, n, hash, now)
		if err != nil {
			return err
		}
		if u, err = GetUser(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, actor, o.ID, "user.create", "user", id, nil, u)
	})
	return u, err
}

// GetUser returns a user the actor may read.
func (s *Service) GetUser(ctx context.Context, actor policy.Actor, id int64) (User, error) {
	return policy.Load(actor, policy.UserRead, policy.UserRead, userNotFound(id),
		func() (User, error) { return GetUser(ctx, s.DB, id) },
		func(u User) (policy.Scope, error) { return userScope(ctx, s.DB, actor, u) })
}

// ListUsers returns an organization's users if the actor may read them.
func (s *Service) ListUsers(ctx context.Context, actor policy.Actor, orgID int64) ([]User, error) {
	scope, err := org.ScopeOf(ctx, s.DB, actor, orgID)
	if err != nil {
		return nil, err
	}
	if err := policy.Allow(actor, policy.UserRead, scope); err != nil {
		return nil, err
	}
	return ListUsers(ctx, s.DB, orgID)
}

// UserPatch is a change to a user; nil fields stay.
type UserPatch struct {
	Name     *string
	Role     *policy.Role
	Locale   *string
	Active   *bool
	Password *string
	// CurrentPassword is required when users change their own password.
	CurrentPassword *string
}

func (p UserPatch) adminOnly() bool { return p.Role != nil || p.Active != nil }

// UpdateUser changes a user. Anyone may change their own name, language and
// password (giving the current one); admins may also change role and active
// state of their users and set a new password for them. A password change
// ends the user's sessions and revokes their API tokens (changePassword).
func (s *Service) UpdateUser(ctx context.Context, actor policy.Actor, id int64, p UserPatch, expectedVersion int64) (User, error) {
	var hash, checked string
	if p.Password != nil {
		var err error
		if hash, checked, err = s.preparePassword(ctx, actor, id, p); err != nil {
			return User{}, err
		}
	}
	var out User
	now := s.Now().UTC()
	err := s.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		before, err := GetUser(ctx, tx, id)
		if err != nil {
			return err
		}
		scope, err := userScope(ctx, tx, actor, before)
		if err != nil {
			return err
		}
		action := policy.UserUpdate
		if scope == policy.Self && !p.adminOnly() {
			action = policy.ProfileWrite
		}
		if err := policy.Check(actor, policy.UserRead, action, scope, userNotFound(id)); err != nil {
			return err
		}
		if scope == policy.Partner && before.OrgKind != string(org.Customer) {
			return problem.New(problem.Forbidden, "users of a partner %s are managed by that organization", problem.Enum("orgkind.", before.OrgKind))
		}
		if checked != "" && before.PasswordHash != checked {
			return problem.New(problem.PreconditionFailed, "user %d was changed by someone else", id)
		}
		next, err := applyUserPatch(before, p, hash, actor)
		if err != nil {
			return err
		}
		if err := UpdateUser(ctx, tx, next, expectedVersion, now); err != nil {
			return err
		}
		if out, err = GetUser(ctx, tx, id); err != nil {
			return err
		}
		event := "user.update"
		if hash != "" {
			event = "user.password_change"
			if err := revokeTokensOf(ctx, tx, actor, out, now); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, now, actor, out.OrgID, event, "user", id, before, out)
	})
	s.ForgetTokens()
	return out, err
}

func applyUserPatch(u User, p UserPatch, hash string, actor policy.Actor) (User, error) {
	var fs problem.Fields
	if p.Name != nil {
		name := strings.TrimSpace(*p.Name)
		problem.CheckText(&fs, "name", name, true, 200)
		u.Name = name
	}
	if p.Locale != nil {
		checkLocale(&fs, *p.Locale)
		u.Locale = *p.Locale
	}
	if p.Role != nil {
		switch {
		case !p.Role.Valid() || p.Role.OrgKind() != u.OrgKind:
			fs.Add("role", "is not a role of a %s organization", problem.Enum("orgkind.", u.OrgKind))
		case u.ID == actor.UserID && *p.Role != u.Role:
			fs.Add("role", "you cannot change your own role")
		}
		u.Role = *p.Role
	}
	if p.Active != nil {
		if u.ID == actor.UserID && !*p.Active {
			fs.Add("active", "you cannot deactivate yourself")
		}
		u.Active = *p.Active
	}
	if hash != "" {
		u.PasswordHash = hash
		u.SessionEpoch++
	}
	return u, fs.Err()
}

// Authenticate checks an email and password. Failures slow down further
// attempts on that account (SignIns); an attempt made before its wait is
// over is refused before the password is checked.
func (s *Service) Authenticate(ctx context.Context, email, password string) (User, error) {
	now := s.Now()
	email = NormalizeEmail(email)
	if wait := s.SignIns.Wait(email, now); wait > 0 {
		return User{}, throttled(wait)
	}
	u, err := GetUserByEmail(ctx, s.DB, email)
	hash := u.PasswordHash
	if err != nil {
		if !problem.Is(err, problem.NotFound) {
			return User{}, err
		}
		hash = dummyHash()
	}
	ok, err := CheckPassword(ctx, hash, password)
	if err != nil {
		return User{}, err
	}
	if !ok || u.ID == 0 || !u.Active {
		s.SignIns.Fail(email, now)
		return User{}, problem.New(problem.Unauthorized, "wrong email or password")
	}
	active, err := orgActive(ctx, s.DB, u.OrgID)
	if err != nil {
		return User{}, err
	}
	if !active {
		return User{}, problem.New(problem.Unauthorized, "the organization of this account is deactivated")
	}
	s.SignIns.Reset(email)
	return u, nil
}

func orgActive(ctx context.Context, q store.Queryer, orgID int64) (bool, error) {
	o, err := org.Get(ctx, q, orgID)
	return o.Active, err
}

// CurrentUser reloads a signed-in user, failing if they were deactivated.
func (s *Service) CurrentUser(ctx context.Context, id int64) (User, error) {
	u, err := GetUser(ctx, s.DB, id)
	if err != nil {
		if problem.Is(err, problem.NotFound) {
			return User{}, problem.New(problem.Unauthorized, "the session's account no longer exists")
		}
		return User{}, err
	}
	active, err := orgActive(ctx, s.DB, u.OrgID)
	if err != nil {
		return User{}, err
	}
	if !u.Active || !active {
		return User{}, problem.New(problem.Unauthorized, "this account is deactivated")
	}
	return u, nil
}

// AuthenticateToken resolves a bearer token to its user.
func (s *Service) AuthenticateToken(ctx context.Context, secret string) (User, error) {
	if !strings.HasPrefix(secret, TokenPrefix) || len(secret) > 100 {
		return User{}, problem.New(problem.Unauthorized, "malformed API token")
	}
	now := s.Now().UTC()
	hash := hashToken(secret)
	u, gen, ok := s.tokens.get(hash, now)
	if ok {
		return u, nil
	}
	u, tokenID, expiresAt, err := userByTokenHash(ctx, s.DB, hash, now)
	if err == store.ErrNotFound {
		return User{}, problem.New(problem.Unauthorized, "unknown, expired or revoked API token")
	}
	if err != nil {
		return User{}, err
	}
	// Last use is informational; precise to the minute is enough and saves a write per request.
	_, _ = store.Exec(ctx, s.DB, `UPDATE api_tokens SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)`,
		now, tokenID, now.Add(-time.Minute))
	s.tokens.put(hash, u, expiresAt, gen)
	return u, nil
}

// CreateToken issues an API token for the actor's own account (or, for the
// operator, any account) and returns its secret once.
func (s *Service) CreateToken(ctx context.Context, actor policy.Actor, userID int64, name string, ttl time.Duration) (Token, string, error) {
	u, err := GetUser(ctx, s.DB, userID)
	if err != nil {
		return Token{}, "", err
	}
	scope, err := userScope(ctx, s.DB, actor, u)
	if err != nil {
		return Token{}, "", err
	}
	if err := policy.Allow(actor, policy.TokenCreate, scope); err != nil {
		return Token{}, "", err
	}
	var fs problem.Fields
	name = strings.TrimSpace(name)
	problem.CheckText(&fs, "name", name, true, 100)
	if ttl < 0 {
		fs.Add("expires_in_days", "must not be negative")
	}
	if err := fs.Err(); err != nil {
		return Token{}, "", err
	}
	secret, hash, err := newTokenSecret()
	if err != nil {
		return Token{}, "", err
	}
	now := s.Now().UTC()
	var expires *time.Time
	if ttl > 0 {
		e := now.Add(ttl)
		expires = &e
	}
	var t Token
	err = s.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		if t, err = insertToken(ctx, tx, u.ID, name, hash, secret[:len(TokenPrefix)+4], expires, now); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, actor, u.OrgID, "token.create", "api_token", t.ID, nil, t)
	})
	return t, secret, err
}

// ListTokens lists a user's tokens if the actor may see them.
func (s *Service) ListTokens(ctx context.Context, actor policy.Actor, userID int64) ([]Token, error) {
	u, err := s.GetUser(ctx, actor, userID)
	if err != nil {
		return nil, err
	}
	scope, err := userScope(ctx, s.DB, actor, u)
	if err != nil {
		return nil, err
	}
	if err := policy.Allow(actor, policy.TokenRead, scope); err != nil {
		return nil, err
	}
	return ListTokens(ctx, s.DB, userID)
}

// RevokeToken revokes a token; revoking twice is harmless.
func (s *Service) RevokeToken(ctx context.Context, actor policy.Actor, tokenID int64) (Token, error) {
	now := s.Now().UTC()
	var out Token
	err := s.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		t, err := GetToken(ctx, tx, tokenID)
		if err != nil {
			return err
		}
		u, err := GetUser(ctx, tx, t.UserID)
		if err != nil {
			return err
		}
		scope, err := userScope(ctx, tx, actor, u)
		if err != nil {
			return err
		}
		if err := policy.Check(actor, policy.TokenRead, policy.TokenRevoke, scope, tokenNotFound(tokenID)); err != nil {
			return err
		}
		if t.RevokedAt != nil {
			out = t
			return nil
		}
		if _, err := store.Exec(ctx, tx, `UPDATE api_tokens SET revoked_at = ? WHERE id = ?`, now, t.ID); err != nil {
			return err
		}
		out = t
		out.RevokedAt = &now
		return audit.Record(ctx, tx, now, actor, u.OrgID, "token.revoke", "api_token", t.ID, t, out)
	})
	s.ForgetTokens()
	return out, err
}
