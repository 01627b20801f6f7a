package web

import (
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/alexedwards/scs/v2"
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
