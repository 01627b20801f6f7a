// Package account owns users, their passwords and API tokens, and turns a
// presented credential into a policy.Actor. Sessions live in the web layer;
// what a user may do lives in policy.
package account

import (
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"aftersales/internal/policy"
	"aftersales/internal/problem"
)

// User is a person who signs in.
type User struct {
	ID           int64       `db:"id" json:"id"`
	OrgID        int64       `db:"org_id" json:"org_id"`
	OrgKind      string      `db:"org_kind" json:"-"`
	Email        string      `db:"email" json:"email"`
	Name         string      `db:"name" json:"name"`
	Role         policy.Role `db:"role" json:"role"`
	PasswordHash string      `db:"password_hash" json:"-"`
	Locale       string      `db:"locale" json:"locale"`
	Active       bool        `db:"active" json:"active"`
	// SessionEpoch moves on with every password change or reset; a session
	// signed in under an earlier epoch is over.
	SessionEpoch int64     `db:"session_epoch" json:"-"`
	Version      int64     `db:"version" json:"version"`
	CreatedAt    time.Time `db:"created_at" json:"created_at"`
	UpdatedAt    time.Time `db:"updated_at" json:"updated_at"`
}

// Actor is the user as the policy sees them.
func (u User) Actor() policy.Actor {
	return policy.Actor{UserID: u.ID, OrgID: u.OrgID, OrgKind: u.OrgKind, Role: u.Role, Email: u.Email}
}

// Locales are the languages of the user interface.
var Locales = []string{"zh-CN", "en"}

// NewUser is the input for creating a user.
type NewUser struct {
	OrgID    int64
	Email    string
	Name     string
	Role     policy.Role
	Password string
	Locale   string
}

// MinPasswordLen is the shortest password accepted.
const MinPasswordLen = 10

// Validate checks a new user against the kind of its organization.
func (n *NewUser) Validate(orgKind string) error {
	var fs problem.Fields
	n.Email = NormalizeEmail(n.Email)
	n.Name = strings.TrimSpace(n.Name)
	if err := checkEmail(n.Email); err != "" {
		fs.Add("email", "%s", err)
	}
	problem.CheckText(&fs, "name", n.Name, true, 200)
	switch {
	case !n.Role.Valid():
		fs.Add("role", "must be one of vendor_admin, vendor_auditor, provider_admin, dispatcher, technician, customer")
	case n.Role.OrgKind() != orgKind:
		fs.Add("role", "a %s organization cannot have the role %s", problem.Enum("orgkind.", orgKind), problem.Enum("role.", n.Role))
	}
	checkPassword(&fs, "password", n.Password)
	checkLocale(&fs, n.Locale)
	return fs.Err()
}

// NormalizeEmail lowercases and trims an email address.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

func checkEmail(s string) string {
	if s == "" {
		return "is required"
	}
	if len(s) > 254 {
		return "is longer than 254 characters"
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || !strings.Contains(s[strings.IndexByte(s, '@'):], ".") {
		return "is not an email address"
	}
	return ""
}

func checkPassword(fs *problem.Fields, field, p string) {
	switch {
	case utf8.RuneCountInString(p) < MinPasswordLen:
		fs.Add(field, "must be at least %d characters", MinPasswordLen)
	case len(p) > 256:
		fs.Add(field, "must be at most 256 bytes")
	case !utf8.ValidString(p):
		fs.Add(field, "is not valid UTF-8 text")
	}
}

func checkLocale(fs *problem.Fields, l string) {
	if l == "" {
		return
	}
	for _, x := range Locales {
		if l == x {
			return
		}
	}
	fs.Add("locale", "must be zh-CN or en")
}
