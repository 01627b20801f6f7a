package satisfaction

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strings"
)

// Sampled decides, the same way every time, whether the visit sealed in
// record joins a sample of permille tenths of a percent. Each purpose
// ("survey", "callback") draws on its own, so a visit picked for one is not
// thereby picked for the other. The hash spreads consecutive ids evenly.
func Sampled(purpose string, recordID int64, permille int) bool {
	if permille >= 1000 {
		return true
	}
	if permille <= 0 {
		return false
	}
	h := sha256.Sum256([]byte(fmt.Sprintf("%s:%d", purpose, recordID)))
	return binary.BigEndian.Uint64(h[:8])%1000 < uint64(permille)
}

// tokenPrefix marks survey tokens, so that a token pasted in the wrong
// place is recognized.
const tokenPrefix = "sv1_"

// NewToken returns a fresh survey token (256 random bits) and the hash that
// is stored: the token itself exists only in the link sent to the customer.
func NewToken() (token, hash string, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", "", err
	}
	token = tokenPrefix + base64.RawURLEncoding.EncodeToString(b)
	return token, TokenHash(token), nil
}

// TokenHash is the stored form of a token.
func TokenHash(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// WellFormed reports whether token has the shape of a survey token; a
// malformed one is refused without a look-up.
func WellFormed(token string) bool {
	rest, ok := strings.CutPrefix(token, tokenPrefix)
	if !ok || len(rest) != 43 {
		return false
	}
	b, err := base64.RawURLEncoding.DecodeString(rest)
	return err == nil && len(b) == 32
}
