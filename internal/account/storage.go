package account

import (
	"context"
	"time"

	"aftersales/internal/policy"
	"aftersales/internal/problem"
	"aftersales/internal/store"
)

const userColumns = `u.id, u.org_id, o.kind AS org_kind, u.email, u.name, u.role, u.password_hash, u.locale, u.active,
	u.session_epoch, u.version, u.created_at, u.updated_at`
const userFrom = ` FROM users u JOIN organizations o ON o.id = u.org_id`

// InsertUser stores a validated user with an already hashed password.
func InsertUser(ctx context.Context, q store.Queryer, n NewUser, hash string, now time.Time) (int64, error) {
	id, err := store.InsertID(ctx, q, `INSERT INTO users (org_id, email, name, role, password_hash, locale, active, version, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING id`, n.OrgID, n.Email, n.Name, n.Role, hash, n.Locale, true, now, now)
	if store.IsUniqueViolation(err) {
		return 0, problem.Field("email", "a user with this email already exists")
	}
	return id, err
}

// GetUser loads a user by id.
func GetUser(ctx context.Context, q store.Queryer, id int64) (User, error) {
	return store.ByID[User](ctx, q, `SELECT `+userColumns+userFrom+` WHERE u.id = ?`, id, userNotFound)
}

func userNotFound(id int64) error { return problem.New(problem.NotFound, "user %d not found", id) }

// GetUserByEmail loads a user by email.
func GetUserByEmail(ctx context.Context, q store.Queryer, email string) (User, error) {
	var u User
	err := store.Get(ctx, q, &u, `SELECT `+userColumns+userFrom+` WHERE u.email = ?`, NormalizeEmail(email))
	if err == store.ErrNotFound {
		return u, problem.New(problem.NotFound, "no user with email %q", email)
	}
	return u, err
}

// ListUsers returns the users of one organization.
func ListUsers(ctx context.Context, q store.Queryer, orgID int64) ([]User, error) {
	var out []User
	err := store.Select(ctx, q, &out, `SELECT `+userColumns+userFrom+` WHERE u.org_id = ? ORDER BY u.name, u.id`, orgID)
	return out, err
}

// UpdateUser saves a user's changeable fields if the version still matches.
func UpdateUser(ctx context.Context, q store.Queryer, u User, expected int64, now time.Time) error {
	res, err := store.Exec(ctx, q, `UPDATE users SET name = ?, role = ?, locale = ?, active = ?, password_hash = ?,
		session_epoch = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ?`,
		u.Name, u.Role, u.Locale, u.Active, u.PasswordHash, u.SessionEpoch, now, u.ID, expected)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return problem.New(problem.PreconditionFailed, "user %d was changed by someone else", u.ID)
	}
	return nil
}

// ActiveUserIDs are the ids of org's active users with one of roles, in
// order: who in an organization is told of something.
func ActiveUserIDs(ctx context.Context, q store.Queryer, org int64, roles ...policy.Role) ([]int64, error) {
	users, err := ActiveUsers(ctx, q, org, roles...)
	ids := make([]int64, len(users))
	for i, u := range users {
		ids[i] = u.ID
	}
	return ids, err
}

// Addressee is a user something is sent to, as a message names them.
type Addressee struct {
	ID    int64  `db:"id"`
	Name  string `db:"name"`
	Email string `db:"email"`
}

// ActiveUsers are org's active users with one of roles, in order of id.
func ActiveUsers(ctx context.Context, q store.Queryer, org int64, roles ...policy.Role) ([]Addressee, error) {
	var out []Addressee
	err := store.SelectIn(ctx, q, &out, `SELECT id, name, email FROM users WHERE org_id = ? AND active = ? AND role IN (?) ORDER BY id`, org, true, roles)
	return out, err
}
