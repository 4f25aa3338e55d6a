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
	var v string
	if err := db.QueryRow(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&v); err != nil {
		return "", fmt.Errorf("forum: read setting %s: %w", key, err)
	}
	return v, nil
}
