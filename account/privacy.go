package account

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"mutual/fault"
	"mutual/i18n"
	"mutual/sqldb"
)

// FormerMember is the name an erased account goes by wherever its posts,
// kudos and ledger lines still show.
const FormerMember = "a former member"

// NoSuchMember is the error for a name that is no member's profile: a
// mistyped name, an erased member's old one (the answer is the same, so it
// says nobody was ever here), or FormerMember itself, which has no profile.
func NoSuchMember(name string) error {
	msg := "There is no member with that name here."
	switch {
	case name == FormerMember:
		msg = "“A former member” is how the community names an account that was deleted: its posts stay, but there is no profile to show."
	case utf8.RuneCountInString(name) <= 40:
		msg = "There is no member called " + name + " here. Check the spelling: the name may be mistyped, or the account deleted."
	}
	return &fault.Error{Kind: fault.ErrNotFound, Msg: msg}
}

// Data is the account's part of a member's data export: the profile, and
// what is known of their sessions, API tokens and password reset requests
// (never a secret or a hash).
type Data struct {
	Profile  Profile        `json:"profile"`
	Roles    []string       `json:"roles_granted"`
	Sessions []SessionData  `json:"sessions"`
	Tokens   []APITokenData `json:"api_tokens"`
	Resets   []ResetData    `json:"password_resets"`
}

// Profile is what the account row holds about a member.
type Profile struct {
	ID                  int64      `json:"id"`
	Username            string     `json:"username"`
	Email               string     `json:"email"`
	EmailVerifiedAt     *time.Time `json:"email_verified_at"`
	Bio                 string     `json:"bio"`
	Reputation          int64      `json:"reputation"`
	JoinedAt            time.Time  `json:"joined_at"`
	SignsInWithPassword bool       `json:"signs_in_with_password"`
	ExternalID          string     `json:"external_id,omitempty"`
	SuspendedUntil      *time.Time `json:"suspended_until"`
	BannedAt            *time.Time `json:"banned_at"`
	StandingReason      string     `json:"standing_reason,omitempty"`
	MarketingOptIn      bool       `json:"marketing_opt_in"` // agreed to be contacted by the brand's sales team
}

// SessionData is one signed-in browser, by its times only.
type SessionData struct {
	StartedAt  time.Time `json:"started_at"`
	LastSeenAt time.Time `json:"last_seen_at"`
	ExpiresAt  time.Time `json:"expires_at"`
}

// APITokenData is one API token, by its name and times only.
type APITokenData struct {
	ID         int64      `json:"id"`
	Name       string     `json:"name"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	ExpiresAt  *time.Time `json:"expires_at"` // null: never
}

// ResetData is one request for a password reset link, by its times only.
type ResetData struct {
	RequestedAt   time.Time  `json:"requested_at"`
	LinkExpiresAt *time.Time `json:"link_expires_at"` // null: no link was mailed
	UsedAt        *time.Time `json:"used_at"`         // used, or voided by a newer password or address
}

// optTime is a time for JSON that is null when it never happened.
func optTime(v int64) *time.Time {
	if v == 0 {
		return nil
	}
	t := sqldb.Time(v)
	return &t
}

// ExportMember reads the account's part of a member's data export. It
// returns fault.ErrNotFound when the member is not in the brand.
func ExportMember(ctx context.Context, q sqldb.Querier, brandID, userID int64) (Data, error) {
	var d Data
	p := &d.Profile
	var verified, joined, suspended, banned, marketing int64
	var hash string
	err := q.QueryRow(ctx, `SELECT id, username, email, COALESCE(email_verified_at, 0), bio, reputation, created_at, password_hash,
external_id, COALESCE(suspended_until, 0), COALESCE(banned_at, 0), suspend_reason, marketing_opt_in FROM users WHERE id = ? AND brand_id = ?`, userID, brandID).
		Scan(&p.ID, &p.Username, &p.Email, &verified, &p.Bio, &p.Reputation, &joined, &hash, &p.ExternalID, &suspended, &banned, &p.StandingReason, &marketing)
	if errors.Is(err, sql.ErrNoRows) {
		return Data{}, &fault.Error{Kind: fault.ErrNotFound, Msg: i18n.T(ctx, "account.no_account")}
	}
	if err != nil {
		return Data{}, fmt.Errorf("account: export profile: %w", err)
	}
	p.EmailVerifiedAt, p.JoinedAt, p.SignsInWithPassword = optTime(verified), sqldb.Time(joined), hash != ""
	p.SuspendedUntil, p.BannedAt, p.MarketingOptIn = optTime(suspended), optTime(banned), marketing != 0
	if d.Roles, err = grantedRoles(ctx, q, brandID, userID); err != nil {
		return Data{}, err
	}
	if d.Sessions, err = exportSessions(ctx, q, userID); err != nil {
		return Data{}, err
	}
	if d.Tokens, err = exportTokens(ctx, q, userID); err != nil {
		return Data{}, err
	}
	if d.Resets, err = exportResets(ctx, q, brandID, userID); err != nil {
		return Data{}, err
	}
	return d, nil
}

func grantedRoles(ctx context.Context, q sqldb.Querier, brandID, userID int64) ([]string, error) {
	rows, err := q.Query(ctx, `SELECT role FROM role_assignments WHERE brand_id = ? AND user_id = ? ORDER BY role`, brandID, userID)
	if err != nil {
		return nil, fmt.Errorf("account: export roles: %w", err)
	}
	defer rows.Close()
	roles := []string{}
	for rows.Next() {
		var r string
		if err := rows.Scan(&r); err != nil {
			return nil, err
		}
		roles = append(roles, r)
	}
	return roles, rows.Err()
}

func exportSessions(ctx context.Context, q sqldb.Querier, userID int64) ([]SessionData, error) {
	rows, err := q.Query(ctx, `SELECT created_at, last_seen_at, expires_at FROM sessions WHERE user_id = ? ORDER BY created_at`, userID)
	if err != nil {
		return nil, fmt.Errorf("account: export sessions: %w", err)
	}
	defer rows.Close()
	out := []SessionData{}
	for rows.Next() {
		var created, seen, expires int64
		if err := rows.Scan(&created, &seen, &expires); err != nil {
			return nil, err
		}
		out = append(out, SessionData{StartedAt: sqldb.Time(created), LastSeenAt: sqldb.Time(seen), ExpiresAt: sqldb.Time(expires)})
	}
	return out, rows.Err()
}

func exportTokens(ctx context.Context, q sqldb.Querier, userID int64) ([]APITokenData, error) {
	rows, err := q.Query(ctx, `SELECT id, name, created_at, last_used_at, expires_at FROM api_tokens WHERE user_id = ? ORDER BY id`, userID)
	if err != nil {
		return nil, fmt.Errorf("account: export tokens: %w", err)
	}
	defer rows.Close()
	out := []APITokenData{}
	for rows.Next() {
		var t APITokenData
		var created, used, expires int64
		if err := rows.Scan(&t.ID, &t.Name, &created, &used, &expires); err != nil {
			return nil, err
		}
		t.CreatedAt, t.LastUsedAt, t.ExpiresAt = sqldb.Time(created), optTime(used), optTime(expires)
		out = append(out, t)
	}
	return out, rows.Err()
}

func exportResets(ctx context.Context, q sqldb.Querier, brandID, userID int64) ([]ResetData, error) {
	rows, err := q.Query(ctx, `SELECT created_at, expires_at, COALESCE(used_at, 0) FROM password_resets
WHERE user_id = ? AND brand_id = ? ORDER BY created_at, id`, userID, brandID)
	if err != nil {
		return nil, fmt.Errorf("account: export password resets: %w", err)
	}
	defer rows.Close()
	out := []ResetData{}
	for rows.Next() {
		var created, expires, used int64
		if err := rows.Scan(&created, &expires, &used); err != nil {
			return nil, err
		}
		out = append(out, ResetData{RequestedAt: sqldb.Time(created), LinkExpiresAt: optTime(expires), UsedAt: optTime(used)})
	}
	return out, rows.Err()
}

// EraseMember empties a member's account inside the caller's transaction:
// their sessions, API tokens, password reset requests (so no link mailed
// before can open the account) and roles go; the row keeps its id, reputation
// total and join date (so the ledger and every report still add up) and
// goes by FormerMember, with no address, password, profile or standing
// reason left. Their username stays unavailable in the brand until
// holdUntil. It returns fault.ErrNotFound when there is no such account, or
// it was erased already.
func EraseMember(ctx context.Context, q sqldb.Querier, brandID, userID int64, holdUntil, at time.Time) error {
	var key string
	err := q.QueryRow(ctx, `SELECT username_key FROM users WHERE id = ? AND brand_id = ? AND erased_at IS NULL`, userID, brandID).Scan(&key)
	if errors.Is(err, sql.ErrNoRows) {
		return &fault.Error{Kind: fault.ErrNotFound, Msg: i18n.T(ctx, "account.no_account_erased")}
	}
	if err != nil {
		return fmt.Errorf("account: erase member %d: %w", userID, err)
	}
	for _, stmt := range []string{
		`DELETE FROM sessions WHERE user_id = ?`,
		`DELETE FROM api_tokens WHERE user_id = ?`,
		`DELETE FROM password_resets WHERE user_id = ?`,
		`DELETE FROM role_assignments WHERE user_id = ?`,
	} {
		if _, err := q.Exec(ctx, stmt, userID); err != nil {
			return fmt.Errorf("account: erase member %d: %w", userID, err)
		}
	}
	if err := holdUsername(ctx, q, brandID, key, holdUntil, at); err != nil {
		return err
	}
	// The key can never be typed (usernames have no "~"), so the name is
	// free for nobody while held, and afterwards for anyone.
	res, err := q.Exec(ctx, `UPDATE users SET username = ?, username_key = ?, email = '', email_key = '', password_hash = '', bio = '',
external_id = '', suspend_reason = '', email_verified_at = NULL, marketing_opt_in = 0, erased_at = ? WHERE id = ? AND erased_at IS NULL`,
		FormerMember, "~"+strconv.FormatInt(userID, 10), sqldb.Millis(at), userID)
	if err != nil {
		return fmt.Errorf("account: erase member %d: %w", userID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return &fault.Error{Kind: fault.ErrConflict, Msg: i18n.T(ctx, "account.erased_meanwhile")}
	}
	return nil
}

// holdUsername keeps a username from being taken until the given time,
// storing a hash of it only. Holds that ended are cleared on the way.
func holdUsername(ctx context.Context, q sqldb.Querier, brandID int64, key string, until, at time.Time) error {
	if _, err := q.Exec(ctx, `DELETE FROM username_holds WHERE held_until <= ?`, sqldb.Millis(at)); err != nil {
		return fmt.Errorf("account: clear ended username holds: %w", err)
	}
	if !until.After(at) {
		return nil
	}
	_, err := q.Exec(ctx, `INSERT INTO username_holds (brand_id, name_hash, held_until) VALUES (?, ?, ?)
ON CONFLICT (brand_id, name_hash) DO UPDATE SET held_until = excluded.held_until`, brandID, holdHash(brandID, key), sqldb.Millis(until))
	if err != nil {
		return fmt.Errorf("account: hold username: %w", err)
	}
	return nil
}

// usernameHeld reports whether a username (its lower-cased key) is held in
// the brand at the given time.
func usernameHeld(ctx context.Context, q sqldb.Querier, brandID int64, key string, at time.Time) (bool, error) {
	var n int
	err := q.QueryRow(ctx, `SELECT COUNT(*) FROM username_holds WHERE brand_id = ? AND name_hash = ? AND held_until > ?`,
		brandID, holdHash(brandID, key), sqldb.Millis(at)).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("account: username hold: %w", err)
	}
	return n > 0, nil
}

func holdHash(brandID int64, key string) string {
	h := sha256.Sum256([]byte("username-hold\x00" + strconv.FormatInt(brandID, 10) + "\x00" + strings.ToLower(key)))
	return hex.EncodeToString(h[:])
}

// RoleHolders lists the members holding a granted role in a brand, read
// inside q (a caller's transaction, when it is about to change one of them).
func RoleHolders(ctx context.Context, q sqldb.Querier, brandID int64, role string) ([]int64, error) {
	ids, err := sqldb.Int64s(q.Query(ctx, `SELECT user_id FROM role_assignments WHERE brand_id = ? AND role = ? ORDER BY user_id`, brandID, role))
	if err != nil {
		return nil, fmt.Errorf("account: holders of %s: %w", role, err)
	}
	return ids, nil
}
