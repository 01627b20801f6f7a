package cli

import (
	"errors"
	"fmt"
	"os"

	"aftersales/internal/notify"
	"aftersales/internal/store"
)

// secretBox opens the box that seals the secrets kept in the database
// (webhook signing keys). Its key is, in order: AFTERSALES_SECRET_KEY (the
// environment only, like every other secret), the key file named by
// --secret-key-file, or on SQLite the key file beside the database
// (PATH.key), made on first start. On PostgreSQL there is no such place
// that every instance shares, so the key must be given: instances that
// serve one database must all have the same key.
func secretBox(db *store.DB, keyFile string) (box *notify.SecretBox, source string, err error) {
	if key := os.Getenv("AFTERSALES_SECRET_KEY"); key != "" {
		box, err := notify.NewSecretBox(key)
		if err != nil {
			return nil, "", fmt.Errorf("AFTERSALES_SECRET_KEY: %w", err)
		}
		return box, "AFTERSALES_SECRET_KEY", nil
	}
	create := false
	if keyFile == "" {
		if db.Engine != store.SQLite {
			return nil, "", errors.New("on PostgreSQL the secret key that seals webhook signing keys must be given, the same to every instance: " +
				"set AFTERSALES_SECRET_KEY (at least 32 characters, e.g. from `openssl rand -base64 32`) or --secret-key-file")
		}
		keyFile, create = db.Source+".key", true
	}
	key, err := notify.ReadKeyFile(keyFile, create)
	if err != nil {
		return nil, "", err
	}
	box, err = notify.NewSecretBox(key)
	return box, keyFile, err
}
