package notify

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"mutual/fault"
	"mutual/sqldb"
)

// Prefs are a member's notification choices.
type Prefs struct {
	EmailMode EmailMode // immediate, daily or never
	Reminders bool      // one reminder to accept an answer
}

// DefaultPrefs are what a member has before choosing.
var DefaultPrefs = Prefs{EmailMode: EmailImmediate, Reminders: true}

// ParseEmailMode accepts immediate, daily or never.
func ParseEmailMode(s string) (EmailMode, error) {
	switch m := EmailMode(s); m {
	case EmailImmediate, EmailDaily, EmailNever:
		return m, nil
	}
	return "", &fault.ValidationError{Fields: map[string]string{"email": "Email must be immediate, daily or never."}}
}

// Prefs returns the member's choices (the defaults when never set).
func (s *Store) Prefs(ctx context.Context, brandID, userID int64) (Prefs, error) {
	p := DefaultPrefs
	var mode string
	var rem int
	err := s.db.QueryRow(ctx, `SELECT email_mode, reminders FROM notify_prefs WHERE user_id = ? AND brand_id = ?`, userID, brandID).
		Scan(&mode, &rem)
	if errors.Is(err, sql.ErrNoRows) {
		return p, nil
	}
	if err != nil {
		return p, fmt.Errorf("notify: prefs: %w", err)
	}
	p.EmailMode, p.Reminders = EmailMode(mode), rem == 1
	return p, nil
}

// SetPrefs stores the member's choices. Switching to the daily digest starts
// it from now, so the first digest does not repeat what was already mailed.
func (s *Store) SetPrefs(ctx context.Context, brandID, userID int64, p Prefs) error {
	if _, err := ParseEmailMode(string(p.EmailMode)); err != nil {
		return err
	}
	rem := 0
	if p.Reminders {
		rem = 1
	}
	now := sqldb.Millis(s.now())
	_, err := s.db.Exec(ctx, `INSERT INTO notify_prefs (brand_id, user_id, email_mode, reminders, digest_at, digest_last_id, updated_at)
VALUES (?, ?, ?, ?, ?, (SELECT COALESCE(MAX(id), 0) FROM notifications WHERE user_id = ?), ?)
ON CONFLICT (user_id) DO UPDATE SET email_mode = excluded.email_mode, reminders = excluded.reminders, updated_at = excluded.updated_at,
digest_at = CASE WHEN notify_prefs.email_mode = 'daily' THEN notify_prefs.digest_at ELSE excluded.digest_at END,
digest_last_id = CASE WHEN notify_prefs.email_mode = 'daily' THEN notify_prefs.digest_last_id ELSE excluded.digest_last_id END`,
		brandID, userID, string(p.EmailMode), rem, now, userID, now)
	if err != nil {
		return fmt.Errorf("notify: set prefs: %w", err)
	}
	return nil
}

// Unsubscribe turns all notification email off for the member (the
// one-click link in every mail).
func (s *Store) Unsubscribe(ctx context.Context, brandID, userID int64) error {
	p, err := s.Prefs(ctx, brandID, userID)
	if err != nil {
		return err
	}
	p.EmailMode = EmailNever
	return s.SetPrefs(ctx, brandID, userID, p)
}
