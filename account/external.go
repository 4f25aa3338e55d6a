package account

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"math/big"
	"net/mail"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"mutual/fault"
	"mutual/sqldb"
)

// External is an account made by single sign-on: it has no password, and
// its username comes from what the identity provider said of the person.
type External struct {
	BrandID       int64
	Username      string // what the provider gave; made valid and unique here
	Email         string // "" when the provider gave none, or none that parses
	EmailVerified bool   // the provider vouches for the address
	At            time.Time
}

// CreateExternal makes an account for a person an identity provider vouches
// for, inside the caller's transaction (which records the identity with
// it). The username is made valid and unique in the brand. An address
// another member already uses is an error: the caller links to that member
// instead.
func CreateExternal(ctx context.Context, q sqldb.Querier, e External) (User, error) {
	email := strings.TrimSpace(e.Email)
	if a, err := mail.ParseAddress(email); err != nil || a.Address != email || len(email) > 254 {
		email = ""
	}
	username, err := freeUsername(ctx, q, e.BrandID, UsernameFrom(e.Username))
	if err != nil {
		return User{}, err
	}
	id, err := insertUser(ctx, q, e.BrandID, username, email, "", "", e.At)
	if err != nil {
		return User{}, err
	}
	if email != "" && e.EmailVerified {
		if err := MarkEmailVerified(ctx, q, id, e.At); err != nil {
			return User{}, err
		}
	}
	u, err := scanUser(q.QueryRow(ctx, `SELECT `+userCols+` FROM users WHERE id = ?`, id))
	if err != nil {
		return User{}, fmt.Errorf("account: read new member: %w", err)
	}
	return u, nil
}

// UserByEmail returns the brand's member using email (in any case), read
// inside q, or fault.ErrNotFound.
func UserByEmail(ctx context.Context, q sqldb.Querier, brandID int64, email string) (User, error) {
	key := strings.ToLower(strings.TrimSpace(email))
	if key == "" {
		return User{}, fault.ErrNotFound
	}
	u, err := scanUser(q.QueryRow(ctx, `SELECT `+userCols+` FROM users WHERE brand_id = ? AND email_key = ?`, brandID, key))
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, fault.ErrNotFound
	}
	if err != nil {
		return User{}, fmt.Errorf("account: user by email: %w", err)
	}
	return u, nil
}

// UsernameFrom turns what a provider calls a person (a preferred username,
// a name, an address) into a valid username: accents are dropped, the part
// before an @ is kept, anything else becomes an underscore, and it is cut or
// filled to the allowed length. It is not yet unique.
func UsernameFrom(claim string) string {
	claim, _, _ = strings.Cut(claim, "@")
	var b strings.Builder
	for _, r := range norm.NFKD.String(claim) {
		switch {
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '.' || r == '-' || r == '_'):
			b.WriteRune(r)
		case unicode.Is(unicode.Mn, r): // the accent of a decomposed letter
		case !strings.HasSuffix(b.String(), "_"):
			b.WriteByte('_')
		}
	}
	name := trimEnds(b.String())
	if len(name) > 20 {
		name = trimEnds(name[:20])
	}
	switch {
	case name == "":
		name = "member"
	case len(name) < 3:
		name += "_member"
	}
	return name
}

// trimEnds drops what may not start or end a username.
func trimEnds(s string) string {
	return strings.TrimFunc(s, func(r rune) bool { return r == '.' || r == '-' || r == '_' })
}

// freeUsername returns base, or base with the lowest number after it that no
// member of the brand holds, within the length limit.
func freeUsername(ctx context.Context, q sqldb.Querier, brandID int64, base string) (string, error) {
	stem := base
	if len(stem) > 16 {
		stem = trimEnds(stem[:16])
	}
	rows, err := q.Query(ctx, `SELECT username_key FROM users WHERE brand_id = ? AND (username_key = ? OR username_key LIKE ?)`,
		brandID, strings.ToLower(base), strings.ToLower(stem)+"%")
	if err != nil {
		return "", fmt.Errorf("account: usernames like %s: %w", base, err)
	}
	taken := map[string]bool{}
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			rows.Close()
			return "", err
		}
		taken[k] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return "", err
	}
	if !taken[strings.ToLower(base)] {
		return base, nil
	}
	for n := 2; n < 1000; n++ {
		if c := fmt.Sprintf("%s%d", stem, n); !taken[strings.ToLower(c)] {
			return c, nil
		}
	}
	// A thousand namesakes: a random number still makes it unique.
	n, err := rand.Int(rand.Reader, big.NewInt(1e6))
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%.13s%d", stem, n.Int64()), nil
}
