package edge

import (
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"net/http"
	"time"

	"github.com/alexedwards/scs/postgresstore"
	"github.com/alexedwards/scs/sqlite3store"
	"github.com/alexedwards/scs/v2"

	"aftersales/internal/store"
)

// hashedTokens keeps sessions under the SHA-256 of their token, so that the
// sessions table holds no token a reader of the database (or of a backup)
// could present as a cookie. The token is 256 random bits: a hash without
// salt cannot be reversed. Sessions stored in clear by earlier versions are
// not found under their hash: their users sign in again once.
type hashedTokens struct {
	scs.Store
}

func sessionKey(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

func (h hashedTokens) Find(token string) ([]byte, bool, error) {
	return h.Store.Find(sessionKey(token))
}

func (h hashedTokens) Commit(token string, b []byte, expiry time.Time) error {
	return h.Store.Commit(sessionKey(token), b, expiry)
}

func (h hashedTokens) Delete(token string) error {
	return h.Store.Delete(sessionKey(token))
}

// Keys of what a session holds about its user.
const (
	SessionUserKey = "user_id"
	// SessionEpochKey: the user's session epoch at sign-in (account.User.SessionEpoch).
	SessionEpochKey = "epoch"
)

// newSessions keeps sessions in the database, under the hash of their token.
func newSessions(db *store.DB, secure bool, log *slog.Logger) *scs.SessionManager {
	m := scs.New()
	if db.Dialect().Postgres() {
		m.Store = postgresstore.NewWithCleanupInterval(db.DB.DB, 30*time.Minute)
	} else {
		m.Store = sqlite3store.NewWithCleanupInterval(db.DB.DB, 30*time.Minute)
	}
	m.Store = hashedTokens{m.Store}
	m.Lifetime = 7 * 24 * time.Hour
	m.IdleTimeout = 12 * time.Hour
	m.Cookie.Name = "session"
	m.Cookie.HttpOnly = true
	m.Cookie.SameSite = http.SameSiteLaxMode
	m.Cookie.Secure = secure
	m.ErrorFunc = func(w http.ResponseWriter, r *http.Request, err error) {
		log.Error("session", "err", err, "request_id", RequestID(r.Context()))
		http.Error(w, "session error", http.StatusInternalServerError)
	}
	return m
}
