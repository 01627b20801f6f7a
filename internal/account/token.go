package account

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"strings"
	"time"

	"aftersales/internal/problem"
	"aftersales/internal/store"
)

// Token is an API token as listed; its secret is shown once at creation and
// only its SHA-256 is stored.
type Token struct {
	ID         int64      `db:"id" json:"id"`
	UserID     int64      `db:"user_id" json:"user_id"`
	Name       string     `db:"name" json:"name"`
	Hint       string     `db:"hint" json:"hint"`
	CreatedAt  time.Time  `db:"created_at" json:"created_at"`
	ExpiresAt  *time.Time `db:"expires_at" json:"expires_at,omitempty"`
	LastUsedAt *time.Time `db:"last_used_at" json:"last_used_at,omitempty"`
	RevokedAt  *time.Time `db:"revoked_at" json:"revoked_at,omitempty"`
}

// TokenPrefix starts every API token, so that a leaked one is recognisable.
const TokenPrefix = "ast_"

// newTokenSecret returns a fresh random token and its stored hash.
func newTokenSecret() (secret, hash string, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", "", err
	}
	secret = TokenPrefix + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
	return secret, hashToken(secret), nil
}

func hashToken(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}

const tokenColumns = `id, user_id, name, hint, created_at, expires_at, last_used_at, revoked_at`

func insertToken(ctx context.Context, q store.Queryer, userID int64, name, hash, hint string, expires *time.Time, now time.Time) (Token, error) {
	t := Token{UserID: userID, Name: name, Hint: hint, CreatedAt: now, ExpiresAt: expires}
	id, err := store.InsertID(ctx, q, `INSERT INTO api_tokens (user_id, name, hash, hint, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, userID, name, hash, hint, now, expires)
	t.ID = id
	return t, err
}

// GetToken loads one token.
func GetToken(ctx context.Context, q store.Queryer, id int64) (Token, error) {
	return store.ByID[Token](ctx, q, `SELECT `+tokenColumns+` FROM api_tokens WHERE id = ?`, id, tokenNotFound)
}

func tokenNotFound(id int64) error { return problem.New(problem.NotFound, "token %d not found", id) }

// ListTokens returns a user's tokens, newest first.
func ListTokens(ctx context.Context, q store.Queryer, userID int64) ([]Token, error) {
	var out []Token
	err := store.Select(ctx, q, &out, `SELECT `+tokenColumns+` FROM api_tokens WHERE user_id = ? ORDER BY id DESC`, userID)
	return out, err
}

// userByTokenHash finds the active user owning an unrevoked, unexpired token.
func userByTokenHash(ctx context.Context, q store.Queryer, hash string, now time.Time) (User, int64, *time.Time, error) {
	var row struct {
		User
		TokenID   int64      `db:"token_id"`
		ExpiresAt *time.Time `db:"token_expires_at"`
	}
	err := store.Get(ctx, q, &row, `SELECT `+userColumns+`, t.id AS token_id, t.expires_at AS token_expires_at`+userFrom+`
		JOIN api_tokens t ON t.user_id = u.id
		WHERE t.hash = ? AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > ?) AND u.active AND o.active`, hash, now)
	return row.User, row.TokenID, row.ExpiresAt, err
}
