package account

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"mutual/fault"
	"mutual/i18n"
	"mutual/sqldb"
)

// API tokens let programs act as a member. Only a token's SHA-256 is kept;
// the token itself is shown once, when it is made. A token may expire, and
// its owner (or an operator) may revoke it. Every request looks its token
// up in the database, and no instance keeps a copy, so a revoked or expired
// token is refused at once by every instance.
const (
	MaxTokenName = 60 // characters in a token's name
	MaxTokens    = 50 // live tokens per member
	// tokenSeenEvery is how stale last_used_at may get: a token in use
	// costs one write a minute, not one a request.
	tokenSeenEvery = time.Minute
)

// Token is what is known of an API token: never the token itself.
type Token struct {
	ID         int64
	UserID     int64
	Username   string
	Name       string
	CreatedAt  time.Time
	LastUsedAt time.Time // zero: never used
	ExpiresAt  time.Time // zero: never expires
	Expired    bool      // it no longer works
}

// NewToken is what making a token needs.
type NewToken struct {
	Name    string
	Expires string // when it stops working: see ParseExpiry; "" is never
}

// IssueToken makes a token for a member and returns it with the token to
// show once. It returns a fault.ValidationError ("name", "expires") for a
// missing or long name or a bad or past expiry, and a fault.ErrConflict
// when the member already has MaxTokens.
func (m *Members) IssueToken(ctx context.Context, brandID, userID int64, nt NewToken) (Token, string, error) {
	nt.Name = strings.TrimSpace(nt.Name)
	now := m.now()
	v := fault.Validation{}
	if n := utf8.RuneCountInString(nt.Name); n == 0 || n > MaxTokenName || !utf8.ValidString(nt.Name) ||
		strings.ContainsFunc(nt.Name, unicode.IsControl) {
		v.Add("name", i18n.T(ctx, "account.token_name", "Max", MaxTokenName))
	}
	expires, problem := parseExpiry(nt.Expires, now)
	if problem != "" {
		v.Add("expires", i18n.T(ctx, problem))
	}
	if err := v.Err(); err != nil {
		return Token{}, "", err
	}
	var live int
	if err := m.db.QueryRow(ctx, `SELECT COUNT(*) FROM api_tokens WHERE user_id = ? AND brand_id = ? AND (expires_at = 0 OR expires_at > ?)`,
		userID, brandID, sqldb.Millis(now)).Scan(&live); err != nil {
		return Token{}, "", fmt.Errorf("account: count tokens: %w", err)
	}
	if live >= MaxTokens {
		return Token{}, "", fault.Conflict(i18n.T(ctx, "account.token_limit", "N", live))
	}
	tok := "mut_" + newSecret()
	t := Token{UserID: userID, Name: nt.Name, CreatedAt: sqldb.Time(sqldb.Millis(now)), ExpiresAt: sqldb.Time(optMS(expires))}
	err := m.db.InTx(ctx, func(tx *sqldb.Tx) error {
		return tx.QueryRow(ctx, `INSERT INTO api_tokens (brand_id, user_id, token_hash, name, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
			brandID, userID, hashSecret(tok), t.Name, sqldb.Millis(now), optMS(t.ExpiresAt)).Scan(&t.ID)
	})
	if err != nil {
		return Token{}, "", fmt.Errorf("account: create token: %w", err)
	}
	return t, tok, nil
}

// CreateToken issues a token that never expires and returns it (tests and
// tools that need a credential, not a token to manage).
func (m *Members) CreateToken(ctx context.Context, brandID, userID int64, name string) (string, error) {
	_, tok, err := m.IssueToken(ctx, brandID, userID, NewToken{Name: name})
	return tok, err
}

// Tokens lists the tokens of one member of the brand, or of every member
// when userID is 0, newest first, expired ones included.
func (m *Members) Tokens(ctx context.Context, brandID, userID int64) ([]Token, error) {
	where, args := `t.brand_id = ?`, []any{brandID}
	if userID != 0 {
		where, args = where+` AND t.user_id = ?`, append(args, userID)
	}
	rows, err := m.db.Query(ctx, `SELECT t.id, t.user_id, u.username, t.name, t.created_at, t.last_used_at, t.expires_at
FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE `+where+` ORDER BY t.id DESC`, args...)
	if err != nil {
		return nil, fmt.Errorf("account: tokens: %w", err)
	}
	defer rows.Close()
	out := []Token{}
	now := sqldb.Millis(m.now())
	for rows.Next() {
		var t Token
		var created, used, expires int64
		if err := rows.Scan(&t.ID, &t.UserID, &t.Username, &t.Name, &created, &used, &expires); err != nil {
			return nil, err
		}
		t.CreatedAt, t.LastUsedAt, t.ExpiresAt = sqldb.Time(created), sqldb.Time(used), sqldb.Time(expires)
		t.Expired = expires != 0 && now >= expires
		out = append(out, t)
	}
	return out, rows.Err()
}

// RevokeToken deletes a token of the brand; userID, when not 0, must own it.
// It returns fault.ErrNotFound for a token that does not exist, is another
// brand's, or (with userID) another member's.
func (m *Members) RevokeToken(ctx context.Context, brandID, userID, tokenID int64) error {
	res, err := m.db.Exec(ctx, `DELETE FROM api_tokens WHERE id = ? AND brand_id = ? AND (user_id = ? OR ? = 0)`,
		tokenID, brandID, userID, userID)
	if err != nil {
		return fmt.Errorf("account: revoke token: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fault.NotFound(i18n.T(ctx, "account.token_missing"))
	}
	return nil
}

// ErrTokenExpired answers a request with an expired token.
var ErrTokenExpired = &fault.Error{Kind: fault.ErrUnauthenticated, ID: "account.token_expired", Msg: i18n.T(context.Background(), "account.token_expired")}

// TokenActor resolves a bearer token of this brand to its actor: fault.ErrNotFound
// when it is unknown (or revoked), ErrTokenExpired when it has expired. It
// notes when the token was used, at most once a minute.
func (m *Members) TokenActor(ctx context.Context, brandID int64, token string) (Actor, error) {
	if token == "" || len(token) > 100 {
		return Actor{}, fault.ErrNotFound
	}
	var a Actor
	var id, expires, used int64
	var st standing
	now := sqldb.Millis(m.now())
	err := m.db.QueryRow(ctx, `SELECT t.id, t.user_id, u.username, u.language, t.expires_at, t.last_used_at, `+standingCols+`
FROM api_tokens t JOIN users u ON u.id = t.user_id JOIN brands b ON b.id = t.brand_id
WHERE t.token_hash = ? AND t.brand_id = ?`, now, hashSecret(token), brandID).Scan(append([]any{&id, &a.UserID, &a.Username, &a.Language, &expires, &used}, st.dest()...)...)
	if errors.Is(err, sql.ErrNoRows) {
		return Actor{}, fault.ErrNotFound
	}
	if err != nil {
		return Actor{}, fmt.Errorf("account: token: %w", err)
	}
	if expires != 0 && now >= expires {
		return Actor{}, ErrTokenExpired
	}
	if now-used >= tokenSeenEvery.Milliseconds() {
		// The condition keeps two instances from both writing the same minute.
		if _, err := m.db.Exec(ctx, `UPDATE api_tokens SET last_used_at = ? WHERE id = ? AND last_used_at <= ?`,
			now, id, now-tokenSeenEvery.Milliseconds()); err != nil {
			return Actor{}, fmt.Errorf("account: note token use: %w", err)
		}
	}
	a.BrandID, a.Roles = brandID, st.roles()
	return a, nil
}

var daysRe = regexp.MustCompile(`^([0-9]{1,5})d$`)

// ParseExpiry reads when a new token should expire, as forms, the API and
// the command line give it: "" or "never"; a number of days ("90d") or a
// duration ("720h"); a date ("2026-12-31": the token works through that
// day, UTC); or an RFC 3339 time. The zero time means never. Anything else,
// or a time that is not in the future, is a fault.ValidationError on
// "expires".
func ParseExpiry(s string, now time.Time) (time.Time, error) {
	at, problem := parseExpiry(s, now)
	if problem != "" {
		return time.Time{}, fault.Invalid("expires", i18n.T(context.Background(), problem))
	}
	return at, nil
}

// parseExpiry is ParseExpiry's time, or the catalogue message saying what
// is wrong with s.
func parseExpiry(s string, now time.Time) (time.Time, string) {
	s = strings.TrimSpace(s)
	var at time.Time
	if m := daysRe.FindStringSubmatch(s); m != nil {
		n, _ := strconv.Atoi(m[1])
		at = now.AddDate(0, 0, n)
	} else if d, err := time.ParseDuration(s); err == nil {
		at = now.Add(d)
	} else if day, err := time.Parse(time.DateOnly, s); err == nil {
		at = day.AddDate(0, 0, 1)
	} else if t, err := time.Parse(time.RFC3339, s); err == nil {
		at = t
	} else if s == "" || strings.EqualFold(s, "never") {
		return time.Time{}, ""
	} else {
		return time.Time{}, "account.expiry_form"
	}
	switch {
	case !at.After(now):
		return time.Time{}, "account.expiry_past"
	case at.Year() > 9999:
		return time.Time{}, "account.expiry_far"
	}
	return at.UTC(), ""
}

// optMS is a time in milliseconds, 0 for the zero time.
func optMS(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return sqldb.Millis(t)
}
