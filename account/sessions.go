package account

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"mutual/fault"
	"mutual/sqldb"
)

// SessionTTL is how long a session lives without being used.
const SessionTTL = 30 * 24 * time.Hour

// newSecret is a random token for a cookie, a CSRF check or an API token.
func newSecret() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashSecret(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// Session is a signed-in browser.
type Session struct {
	Token string // the cookie value; only its hash is stored
	CSRF  string
	Actor Actor
}

// StartSession issues a new session id for a user (never reusing one the
// browser already had, which prevents session fixation).
func (m *Members) StartSession(ctx context.Context, brandID, userID int64) (Session, error) {
	tok, csrf := newSecret(), newSecret()
	now := m.now()
	_, err := m.db.Exec(ctx, `INSERT INTO sessions (id, brand_id, user_id, csrf_token, created_at, expires_at, last_seen_at)
VALUES (?, ?, ?, ?, ?, ?, ?)`, hashSecret(tok), brandID, userID, csrf, sqldb.Millis(now), sqldb.Millis(now.Add(SessionTTL)), sqldb.Millis(now))
	if err != nil {
		return Session{}, fmt.Errorf("account: start session: %w", err)
	}
	s, err := m.Session(ctx, brandID, tok)
	if err != nil {
		return Session{}, err
	}
	return s, nil
}

// Session looks up a live session of this brand by cookie value; fault.ErrNotFound
// when it is unknown, expired or belongs to another brand. A session in use is
// extended at most once an hour, so reads stay reads.
func (m *Members) Session(ctx context.Context, brandID int64, token string) (Session, error) {
	if token == "" || len(token) > 100 {
		return Session{}, fault.ErrNotFound
	}
	id := hashSecret(token)
	var s Session
	var expires, seen int64
	var st standing
	now := m.now()
	err := m.db.QueryRow(ctx, `SELECT s.user_id, s.csrf_token, s.expires_at, s.last_seen_at, u.username, u.language, `+standingCols+`
FROM sessions s JOIN users u ON u.id = s.user_id JOIN brands b ON b.id = s.brand_id
WHERE s.id = ? AND s.brand_id = ?`, sqldb.Millis(now), id, brandID).
		Scan(append([]any{&s.Actor.UserID, &s.CSRF, &expires, &seen, &s.Actor.Username, &s.Actor.Language}, st.dest()...)...)
	if errors.Is(err, sql.ErrNoRows) {
		return Session{}, fault.ErrNotFound
	}
	if err != nil {
		return Session{}, fmt.Errorf("account: session: %w", err)
	}
	if sqldb.Millis(now) >= expires {
		return Session{}, fault.ErrNotFound
	}
	if sqldb.Millis(now)-seen > int64(time.Hour/time.Millisecond) {
		if _, err := m.db.Exec(ctx, `UPDATE sessions SET last_seen_at = ?, expires_at = ? WHERE id = ?`,
			sqldb.Millis(now), sqldb.Millis(now.Add(SessionTTL)), id); err != nil {
			return Session{}, fmt.Errorf("account: extend session: %w", err)
		}
	}
	s.Token = token
	s.Actor.BrandID, s.Actor.Roles = brandID, st.roles()
	return s, nil
}

// EndSession revokes a session (sign-out). Unknown tokens are not an error.
func (m *Members) EndSession(ctx context.Context, token string) error {
	_, err := m.db.Exec(ctx, `DELETE FROM sessions WHERE id = ?`, hashSecret(token))
	if err != nil {
		return fmt.Errorf("account: end session: %w", err)
	}
	return nil
}

// PruneSessions deletes expired sessions and returns how many went.
func (m *Members) PruneSessions(ctx context.Context) (int64, error) {
	res, err := m.db.Exec(ctx, `DELETE FROM sessions WHERE expires_at <= ?`, sqldb.Millis(m.now()))
	if err != nil {
		return 0, fmt.Errorf("account: prune sessions: %w", err)
	}
	return res.RowsAffected()
}
