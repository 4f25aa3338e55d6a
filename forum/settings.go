package forum

import (
	"context"
	"fmt"

	"mutual/sqldb"
)

// EnsureSetting stores value under key in the deployment-wide settings table
// unless the key is set already, and returns the stored value: when several
// instances start together, the first one's value wins for all.
func EnsureSetting(ctx context.Context, db sqldb.Querier, key, value string) (string, error) {
	if _, err := db.Exec(ctx, `INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING`, key, value); err != nil {
		return "", fmt.Errorf("forum: store setting %s: %w", key, err)
	}
	return Setting(ctx, db, key)
}

// Setting reads the value stored under key, inside the caller's transaction
// when q is one. A key never stored is an error (sql.ErrNoRows, wrapped).
func Setting(ctx context.Context, q sqldb.Querier, key string) (string, error) {
	var v string
	if err := q.QueryRow(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&v); err != nil {
		return "", fmt.Errorf("forum: read setting %s: %w", key, err)
	}
	return v, nil
}

// SetSetting replaces the value of a key already stored (by a migration or
// EnsureSetting), inside the caller's transaction when q is one.
func SetSetting(ctx context.Context, q sqldb.Querier, key, value string) error {
	if _, err := q.Exec(ctx, `UPDATE settings SET value = ? WHERE key = ?`, value, key); err != nil {
		return fmt.Errorf("forum: store setting %s: %w", key, err)
	}
	return nil
}
