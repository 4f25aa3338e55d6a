package account

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/mail"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"mutual/fault"
	"mutual/i18n"
	"mutual/sqldb"
)

// Members stores accounts, role assignments, sessions and API tokens.
type Members struct {
	db  *sqldb.DB
	now func() time.Time
}

// NewMembers returns the member store.
func NewMembers(db *sqldb.DB, now func() time.Time) *Members { return &Members{db: db, now: now} }

// Roles a brand can grant. "member" is implicit for every account.
var Roles = []string{"member", "trusted", "moderator", "agent", "client_manager", "editor", "admin", "sales", "integration"}

var usernameRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{1,18}[A-Za-z0-9]$`)

// Limits on account fields.
const (
	MinPasswordLen = 10
	MaxPasswordLen = 256
)

// Signup is what creating an account needs.
type Signup struct {
	BrandID                   int64
	Username, Email, Password string
}

func (s Signup) validate(ctx context.Context) error {
	v := fault.Validation{}
	if !utf8.ValidString(s.Username) || !usernameRe.MatchString(s.Username) {
		v.Add("username", i18n.T(ctx, "account.username_rule"))
	}
	if a, err := mail.ParseAddress(s.Email); err != nil || a.Address != s.Email || len(s.Email) > 254 {
		v.Add("email", i18n.T(ctx, "account.email_rule"))
	}
	if msg := passwordProblem(ctx, s.Password); msg != "" {
		v.Add("password", msg)
	}
	return v.Err()
}

// passwordProblem says what is wrong with a new password, or "" when it
// keeps the rules (sign-up and reset share them).
func passwordProblem(ctx context.Context, pw string) string {
	if n := utf8.RuneCountInString(pw); !utf8.ValidString(pw) || n < MinPasswordLen || n > MaxPasswordLen {
		return i18n.T(ctx, "account.password_rule", "Min", MinPasswordLen, "Max", MaxPasswordLen)
	}
	return ""
}

// Create makes an account. It returns a fault.ValidationError (naming the field) when
// input is bad or the username or email is taken in this brand.
func (m *Members) Create(ctx context.Context, s Signup) (User, error) {
	s.Username = strings.TrimSpace(s.Username)
	s.Email = strings.TrimSpace(s.Email)
	if err := s.validate(ctx); err != nil {
		return User{}, err
	}
	hash, err := HashPassword(s.Password)
	if err != nil {
		return User{}, fmt.Errorf("account: hash password: %w", err)
	}
	var id int64
	err = m.db.InTx(ctx, func(tx *sqldb.Tx) error {
		var err error
		id, err = insertUser(ctx, tx, s.BrandID, s.Username, s.Email, hash, "", m.now())
		return err
	})
	if err != nil {
		return User{}, err
	}
	return m.ByID(ctx, s.BrandID, id)
}

// insertUser writes a user row; it maps unique violations to field errors.
func insertUser(ctx context.Context, q sqldb.Querier, brandID int64, username, email, hash, externalID string, at time.Time) (int64, error) {
	uk, ek := strings.ToLower(username), strings.ToLower(email)
	var n int
	if err := q.QueryRow(ctx, `SELECT COUNT(*) FROM users WHERE brand_id = ? AND username_key = ?`, brandID, uk).Scan(&n); err != nil {
		return 0, err
	}
	held, err := usernameHeld(ctx, q, brandID, uk, at)
	if err != nil {
		return 0, err
	}
	// A held name reads as taken: nobody learns that its account was erased.
	if n > 0 || held {
		return 0, &fault.ValidationError{Fields: map[string]string{"username": i18n.T(ctx, "account.username_taken")}}
	}
	if ek != "" {
		if err := q.QueryRow(ctx, `SELECT COUNT(*) FROM users WHERE brand_id = ? AND email_key = ?`, brandID, ek).Scan(&n); err != nil {
			return 0, err
		}
		if n > 0 {
			return 0, &fault.ValidationError{Fields: map[string]string{"email": i18n.T(ctx, "account.email_taken")}}
		}
	}
	var id int64
	err = q.QueryRow(ctx, `INSERT INTO users (brand_id, username, username_key, email, email_key, password_hash, external_id, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, brandID, username, uk, email, ek, hash, externalID, sqldb.Millis(at)).Scan(&id)
	if sqldb.IsUniqueViolation(err) {
		return 0, &fault.ValidationError{Fields: map[string]string{"username": i18n.T(ctx, "account.either_taken")}}
	}
	if err != nil {
		return 0, fmt.Errorf("account: insert user: %w", err)
	}
	return id, nil
}

const userCols = `id, brand_id, username, email, bio, reputation, password_hash <> '', created_at, language`

func scanUser(row interface{ Scan(...any) error }) (User, error) {
	var u User
	var created int64
	err := row.Scan(&u.ID, &u.BrandID, &u.Username, &u.Email, &u.Bio, &u.Reputation, &u.HasPassword, &created, &u.Language)
	u.CreatedAt = sqldb.Time(created)
	return u, err
}

// ByID returns a user of the brand or fault.ErrNotFound.
func (m *Members) ByID(ctx context.Context, brandID, id int64) (User, error) {
	u, err := scanUser(m.db.QueryRow(ctx, `SELECT `+userCols+` FROM users WHERE brand_id = ? AND id = ?`, brandID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, fmt.Errorf("account: user %d: %w", id, fault.ErrNotFound)
	}
	return u, err
}

// ByUsername returns a user of the brand (case-insensitive) or fault.ErrNotFound.
func (m *Members) ByUsername(ctx context.Context, brandID int64, username string) (User, error) {
	u, err := scanUser(m.db.QueryRow(ctx, `SELECT `+userCols+` FROM users WHERE brand_id = ? AND username_key = ?`,
		brandID, strings.ToLower(username)))
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, fmt.Errorf("account: user %q: %w", username, fault.ErrNotFound)
	}
	return u, err
}

// Authenticate checks a username (or email) and password. It returns
// fault.ErrBadCredentials for any mismatch, taking the same time whether or not the
// account exists.
func (m *Members) Authenticate(ctx context.Context, brandID int64, login, password string) (User, error) {
	key := strings.ToLower(strings.TrimSpace(login))
	var id int64
	var hash string
	err := m.db.QueryRow(ctx, `SELECT id, password_hash FROM users
WHERE brand_id = ? AND (username_key = ? OR (email_key = ? AND email_key <> ''))`, brandID, key, key).Scan(&id, &hash)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && hash == "") {
		_, _ = CheckPassword(dummyHash(), password)
		return User{}, fault.ErrBadCredentials
	}
	if err != nil {
		return User{}, fmt.Errorf("account: authenticate: %w", err)
	}
	ok, err := CheckPassword(hash, password)
	if err != nil {
		return User{}, fmt.Errorf("account: authenticate: %w", err)
	}
	if !ok {
		return User{}, fault.ErrBadCredentials
	}
	return m.ByID(ctx, brandID, id)
}

// Grant gives a user a role in a brand (idempotent).
func (m *Members) Grant(ctx context.Context, brandID, userID int64, role string) error {
	valid := false
	for _, r := range Roles {
		valid = valid || r == role
	}
	if !valid {
		return &fault.ValidationError{Fields: map[string]string{"role": "role must be one of " + strings.Join(Roles, ", ")}}
	}
	if role == "member" {
		return nil
	}
	_, err := GrantRole(ctx, m.db, brandID, userID, role, m.now())
	return err
}

// RolesOf lists a user's roles in a brand, always including "member", and
// "trusted" while their reputation reaches the brand's rep_trusted (granted
// by reputation, it goes the moment reputation falls below).
//
// Standing bounds them: while a member is banned, or suspended, they hold a
// visitor's role alone ("anonymous": they may read), whatever they were
// granted or earned, so a banned moderator's token moderates nothing and a
// suspended member with a trusted member's reputation reviews nothing.
func (m *Members) RolesOf(ctx context.Context, brandID, userID int64) ([]string, error) {
	var st standing
	err := m.db.QueryRow(ctx, `SELECT `+standingCols+` FROM brands b LEFT JOIN users u ON u.id = ? WHERE b.id = ?`,
		sqldb.Millis(m.now()), userID, brandID).Scan(st.dest()...)
	if errors.Is(err, sql.ErrNoRows) {
		return []string{"member"}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("account: roles: %w", err)
	}
	return st.roles(), nil
}

// standingCols are what RolesOf decides from, for the user u in the brand b,
// read in the same statement as whatever signs the user in (a session, a
// token): whether their reputation reaches the brand's rep_trusted, whether
// a ban or suspension holds them to a visitor's role (its one parameter is
// the time now), and the roles they were granted there. One statement
// rather than two on every signed-in request keeps a ban or a revoked role
// effective at once, as before, for one look-up of the member's row.
const standingCols = `COALESCE(u.brand_id = b.id AND u.reputation >= b.rep_trusted, FALSE),
COALESCE(u.brand_id = b.id AND (u.banned_at IS NOT NULL OR COALESCE(u.suspended_until, 0) > ?), FALSE),
COALESCE((SELECT string_agg(r.role, ',') FROM role_assignments r WHERE r.brand_id = b.id AND r.user_id = u.id), '')`

// standing is a row's standingCols.
type standing struct {
	trusted, restricted bool
	granted             string // comma-separated
}

func (st *standing) dest() []any { return []any{&st.trusted, &st.restricted, &st.granted} }

// roles are the member's roles: "member", those granted and "trusted" if
// earned, sorted; a visitor's alone while restricted; an integration
// account's alone for a listening tool.
func (st *standing) roles() []string {
	if st.restricted {
		return []string{"anonymous"}
	}
	var set []string
	if st.granted != "" {
		set = strings.Split(st.granted, ",")
	}
	if slices.Contains(set, Integration) {
		// A listening tool's account pushes mentions and does nothing a
		// member does (the policy gives it a visitor's reading).
		return []string{Integration}
	}
	if st.trusted {
		set = append(set, "trusted")
	}
	slices.Sort(set)
	return append([]string{"member"}, slices.Compact(set)...)
}

// Integration is the role of a listening tool's account: its tokens push
// mentions from other channels, and otherwise read only what a visitor
// reads: it holds none of a member's rights.
const Integration = "integration"

// Unclaimed is an account made without a password: a demo author, or a
// member brought in by an importer, who can claim it later.
type Unclaimed struct {
	BrandID    int64
	Username   string
	Email      string
	ExternalID string
	CreatedAt  time.Time
}

// CreateUnclaimed makes an account that cannot sign in until claimed.
func (m *Members) CreateUnclaimed(ctx context.Context, u Unclaimed) (User, error) {
	if !usernameRe.MatchString(u.Username) {
		return User{}, &fault.ValidationError{Fields: map[string]string{"username": "invalid username " + u.Username}}
	}
	var id int64
	err := m.db.InTx(ctx, func(tx *sqldb.Tx) error {
		var err error
		id, err = insertUser(ctx, tx, u.BrandID, u.Username, u.Email, "", u.ExternalID, u.CreatedAt)
		return err
	})
	if err != nil {
		return User{}, err
	}
	return m.ByID(ctx, u.BrandID, id)
}

// SetLanguage saves the language a member reads and is mailed in; "" is "as
// my browser says". The caller checks the brand offers it.
func (m *Members) SetLanguage(ctx context.Context, brandID, userID int64, lang string) error {
	res, err := m.db.Exec(ctx, `UPDATE users SET language = ? WHERE brand_id = ? AND id = ?`, lang, brandID, userID)
	if err != nil {
		return fmt.Errorf("account: set language: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("account: user %d: %w", userID, fault.ErrNotFound)
	}
	return nil
}

// Holding lists the ids of the brand's members granted role, oldest grant
// first (the radar's weekly trends mail goes to its client managers).
func (m *Members) Holding(ctx context.Context, brandID int64, role string) ([]int64, error) {
	rows, err := m.db.Query(ctx, `SELECT user_id FROM role_assignments WHERE brand_id = ? AND role = ? ORDER BY user_id`, brandID, role)
	if err != nil {
		return nil, fmt.Errorf("account: members holding %s: %w", role, err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}
