package notify

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
)

// SecretBox seals the secrets the product must keep to use them again
// later, such as a webhook's signing key (every delivery is signed with
// it), so that the database and its backups never hold them in clear. The
// key lives outside the database: AFTERSALES_SECRET_KEY, or a key file.
type SecretBox struct {
	aead cipher.AEAD
}

// MinSecretKey is the shortest key accepted, in characters.
const MinSecretKey = 32

// sealedPrefix marks a sealed value; a value without it was stored in
// clear by an earlier version.
const sealedPrefix = "sealed:v1:"

// NewSecretBox derives the AES-256-GCM key of the box from key.
func NewSecretBox(key string) (*SecretBox, error) {
	key = strings.TrimSpace(key)
	if len(key) < MinSecretKey {
		return nil, fmt.Errorf("secret key: at least %d characters are needed, got %d", MinSecretKey, len(key))
	}
	aead, err := newAEAD(key, "aftersales secret box v1")
	if err != nil {
		return nil, err
	}
	return &SecretBox{aead: aead}, nil
}

// newAEAD is AES-256-GCM under HMAC-SHA256(secret, label): one secret can
// key several boxes without their keys being related.
func newAEAD(secret, label string) (cipher.AEAD, error) {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(label))
	block, err := aes.NewCipher(m.Sum(nil))
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// Seal encrypts plain, bound to about (e.g. "webhook org 7": a sealed value
// copied to another row does not open there).
func (b *SecretBox) Seal(plain, about string) (string, error) {
	nonce := make([]byte, b.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	return sealedPrefix + base64.StdEncoding.EncodeToString(b.aead.Seal(nonce, nonce, []byte(plain), []byte(about))), nil
}

// ErrSealedSecret: a sealed value that this key cannot open (the key was
// changed, or instances run with different keys).
var ErrSealedSecret = errors.New("a stored secret cannot be opened with this server's secret key (AFTERSALES_SECRET_KEY or the key file): was the key changed, or do instances run with different keys?")

// Open decrypts a value of Seal with the same about.
func (b *SecretBox) Open(sealed, about string) (string, error) {
	raw, ok := strings.CutPrefix(sealed, sealedPrefix)
	if !ok {
		return "", ErrSealedSecret
	}
	data, err := base64.StdEncoding.DecodeString(raw)
	n := b.aead.NonceSize()
	if err != nil || len(data) < n {
		return "", ErrSealedSecret
	}
	plain, err := b.aead.Open(nil, data[:n], data[n:], []byte(about))
	if err != nil {
		return "", ErrSealedSecret
	}
	return string(plain), nil
}

// IsSealed reports whether a stored value is sealed.
func IsSealed(v string) bool { return strings.HasPrefix(v, sealedPrefix) }

// ReadKeyFile reads the secret key from path. With create, a missing file
// is made with a new random key, readable by its owner alone.
func ReadKeyFile(path string, create bool) (string, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) && create {
		raw := make([]byte, 32)
		if _, err := rand.Read(raw); err != nil {
			return "", err
		}
		key := base64.RawURLEncoding.EncodeToString(raw)
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			return ReadKeyFile(path, false) // made meanwhile by another start
		}
		if err != nil {
			return "", fmt.Errorf("secret key file: %w", err)
		}
		if _, err := f.WriteString(key + "\n"); err != nil {
			f.Close()
			return "", fmt.Errorf("secret key file %s: %w", path, err)
		}
		if err := f.Sync(); err != nil {
			f.Close()
			return "", fmt.Errorf("secret key file %s: %w", path, err)
		}
		return key, f.Close()
	}
	if err != nil {
		return "", fmt.Errorf("secret key file: %w", err)
	}
	key := strings.TrimSpace(string(b))
	if len(key) < MinSecretKey {
		return "", fmt.Errorf("secret key file %s: at least %d characters are needed", path, MinSecretKey)
	}
	return key, nil
}
