package account_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"mutual/account"
	"mutual/fault"
	"mutual/forum"
	"mutual/internal/testkit"
	"mutual/sqldb"
	"mutual/sqldb/sqldbtest"
)

var ctx = context.Background()

// fixture is a migrated database with one brand: members belong to a brand,
// which the forum keeps.
type fixture struct {
	db      *sqldb.DB
	clock   *testkit.Clock
	brands  *forum.Brands
	members *account.Members
	brand   forum.Brand
}

// newFixture is a fixture on a SQLite file.
func newFixture(t *testing.T) *fixture { return newFixtureOn(t, sqldbtest.Open(t, sqldb.SQLite)) }

// eachStore runs fn on a fresh fixture in every store (sqldbtest.Each).
func eachStore(t *testing.T, fn func(t *testing.T, f *fixture)) {
	t.Helper()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) { fn(t, newFixtureOn(t, db)) })
}

func newFixtureOn(t *testing.T, db *sqldb.DB) *fixture {
	t.Helper()
	clk := testkit.NewClock(time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC))
	f := &fixture{db: db, clock: clk, brands: forum.NewBrands(db, clk.Now), members: account.NewMembers(db, clk.Now)}
	f.brand = testkit.Brand(t, f.brands, forum.NewBrand{Host: "localhost", Name: "Alpha Mobile", Default: true})
	return f
}

// actor makes an account without a password (no argon2 cost) in the brand,
// grants roles and returns the actor as a session would see it.
func (f *fixture) actor(t *testing.T, brandID int64, name string, roles ...string) account.Actor {
	t.Helper()
	return testkit.Member(t, f.members, account.Unclaimed{BrandID: brandID, Username: name, CreatedAt: f.clock.Now()}, roles...)
}

func TestSignupValidation(t *testing.T) {
	f := newFixture(t)
	const okUser, okEmail, okPass = "valid_user", "valid@example.com", "long enough pw"
	tests := []struct {
		name                      string
		username, email, password string
		field                     string // the field that must be reported
	}{
		{"empty username", "", okEmail, okPass, "username"},
		{"username too short", "ab", okEmail, okPass, "username"},
		{"username too long", strings.Repeat("a", 21), okEmail, okPass, "username"},
		{"username starts with dash", "-abc", okEmail, okPass, "username"},
		{"username ends with dot", "abc.", okEmail, okPass, "username"},
		{"username with space", "ab cd", okEmail, okPass, "username"},
		{"username with markup", "<b>bold</b>", okEmail, okPass, "username"},
		{"username non-ascii", "héllo", okEmail, okPass, "username"},
		{"username invalid utf-8", "ab\xffcd", okEmail, okPass, "username"},
		{"username with NUL", "ab\x00cd", okEmail, okPass, "username"},
		{"empty email", okUser, "", okPass, "email"},
		{"email without at", okUser, "not-an-email", okPass, "email"},
		{"email with display name", okUser, "Bob <bob@example.com>", okPass, "email"},
		{"email too long", okUser, strings.Repeat("a", 250) + "@example.com", okPass, "email"},
		{"password too short", okUser, okEmail, "short9chr", "password"},
		{"password too long", okUser, okEmail, strings.Repeat("p", 257), "password"},
		{"password invalid utf-8", okUser, okEmail, "abcdefghij\xff", "password"},
		{"empty password", okUser, okEmail, "", "password"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.members.Create(ctx, account.Signup{BrandID: f.brand.ID, Username: tt.username, Email: tt.email, Password: tt.password})
			fields := testkit.Fields(err)
			if fields == nil {
				t.Fatalf("Create = %v, want a fault.ValidationError on %s", err, tt.field)
			}
			if fields[tt.field] == "" {
				t.Errorf("fields = %v, want a message for %q", fields, tt.field)
			}
			if len(fields) != 1 {
				t.Errorf("fields = %v, want only %q reported", fields, tt.field)
			}
		})
	}

	// Boundaries that are allowed: 3 and 20 character names, 10 and 256
	// character passwords, surrounding spaces trimmed.
	for i, s := range []account.Signup{
		{Username: "abc", Email: "b1@example.com", Password: strings.Repeat("x", 10)},
		{Username: " " + strings.Repeat("z", 20) + " ", Email: " b2@example.com ", Password: strings.Repeat("é", 256)},
	} {
		s.BrandID = f.brand.ID
		u, err := f.members.Create(ctx, s)
		if err != nil {
			t.Fatalf("boundary signup %d: %v", i, err)
		}
		if u.Username != strings.TrimSpace(s.Username) || u.Email != strings.TrimSpace(s.Email) || !u.HasPassword {
			t.Errorf("boundary signup %d stored %+v", i, u)
		}
	}
}

func TestSignupDuplicatesCaseInsensitive(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		if _, err := f.members.Create(ctx, account.Signup{BrandID: f.brand.ID, Username: "Alice", Email: "Alice@Example.com", Password: "correct horse"}); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name, username, email, field string
		}{
			{"same username other case", "aLiCe", "other@example.com", "username"},
			{"same email other case", "alice2", "alice@EXAMPLE.com", "email"},
		}
		for _, tt := range tests {
			_, err := f.members.Create(ctx, account.Signup{BrandID: f.brand.ID, Username: tt.username, Email: tt.email, Password: "correct horse"})
			if fields := testkit.Fields(err); fields[tt.field] == "" {
				t.Errorf("%s: Create = %v, want a fault.ValidationError on %s", tt.name, err, tt.field)
			}
		}
		// An unclaimed (imported) account holds its name too.
		if _, err := f.members.CreateUnclaimed(ctx, account.Unclaimed{BrandID: f.brand.ID, Username: "ALICE"}); testkit.Fields(err)["username"] == "" {
			t.Errorf("unclaimed duplicate = %v, want a username error", err)
		}
		// Another brand is another community: the same name is free there.
		other := testkit.Brand(t, f.brands, forum.NewBrand{Host: "beta.example.com", Name: "Beta"})
		if _, err := f.members.CreateUnclaimed(ctx, account.Unclaimed{BrandID: other.ID, Username: "alice", Email: "alice@example.com"}); err != nil {
			t.Errorf("same username in another brand: %v", err)
		}
	})
}

func TestAuthenticate(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		u, err := f.members.Create(ctx, account.Signup{BrandID: f.brand.ID, Username: "Bob_R", Email: "bob@example.com", Password: "correct horse"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.members.CreateUnclaimed(ctx, account.Unclaimed{BrandID: f.brand.ID, Username: "ghost", Email: "ghost@example.com"}); err != nil {
			t.Fatal(err)
		}
		other := testkit.Brand(t, f.brands, forum.NewBrand{Host: "beta.example.com", Name: "Beta"})

		tests := []struct {
			name     string
			brand    int64
			login    string
			password string
			ok       bool
		}{
			{"username", f.brand.ID, "Bob_R", "correct horse", true},
			{"username other case and spaces", f.brand.ID, "  bob_r ", "correct horse", true},
			{"email", f.brand.ID, "BOB@example.com", "correct horse", true},
			{"wrong password", f.brand.ID, "bob_r", "correct horsE", false},
			{"empty password", f.brand.ID, "bob_r", "", false},
			{"unknown user", f.brand.ID, "nobody", "correct horse", false},
			{"empty login", f.brand.ID, "", "correct horse", false},
			{"unclaimed account, empty password", f.brand.ID, "ghost", "", false},
			{"unclaimed account, some password", f.brand.ID, "ghost@example.com", "anything at all", false},
			{"right password, other brand", other.ID, "bob_r", "correct horse", false},
		}
		for _, tt := range tests {
			got, err := f.members.Authenticate(ctx, tt.brand, tt.login, tt.password)
			if tt.ok {
				if err != nil || got.ID != u.ID {
					t.Errorf("%s: Authenticate = %+v, %v; want user %d", tt.name, got, err, u.ID)
				}
				continue
			}
			if !errors.Is(err, fault.ErrBadCredentials) {
				t.Errorf("%s: Authenticate err = %v, want fault.ErrBadCredentials", tt.name, err)
			}
		}
	})
}

func TestPasswords(t *testing.T) {
	h, err := account.HashPassword("s3cret password")
	if err != nil {
		t.Fatal(err)
	}
	h2, _ := account.HashPassword("s3cret password")
	if h == h2 {
		t.Error("two hashes of one password are equal; the salt is not random")
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$") {
		t.Errorf("hash %q is not PHC argon2id", h)
	}
	for _, tt := range []struct {
		hash, pw string
		ok       bool
		bad      bool
	}{
		{h, "s3cret password", true, false},
		{h, "s3cret passworD", false, false},
		{h, "", false, false},
		{"", "x", false, true},
		{"$bcrypt$v=19$m=1,t=1,p=1$aa$bb", "x", false, true},
		{"$argon2id$v=18$m=19456,t=2,p=1$aa$bb", "x", false, true},
		{"$argon2id$v=19$m=x,t=2,p=1$aa$bb", "x", false, true},
		{"$argon2id$v=19$m=19456,t=2,p=1$!!$bb", "x", false, true},
	} {
		ok, err := account.CheckPassword(tt.hash, tt.pw)
		if ok != tt.ok || (err != nil) != tt.bad {
			t.Errorf("CheckPassword(%q, %q) = %v, %v; want %v, error=%v", tt.hash, tt.pw, ok, err, tt.ok, tt.bad)
		}
	}
}

func TestSessions(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		a := f.actor(t, f.brand.ID, "sessionuser", "moderator")
		other := testkit.Brand(t, f.brands, forum.NewBrand{Host: "beta.example.com", Name: "Beta"})

		s, err := f.members.StartSession(ctx, f.brand.ID, a.UserID)
		if err != nil {
			t.Fatal(err)
		}
		if len(s.Token) < 40 || len(s.CSRF) < 40 || s.Token == s.CSRF {
			t.Fatalf("session token %q / csrf %q are not distinct random secrets", s.Token, s.CSRF)
		}
		s2, err := f.members.StartSession(ctx, f.brand.ID, a.UserID)
		if err != nil || s2.Token == s.Token || s2.CSRF == s.CSRF {
			t.Fatalf("a second session reused secrets: %v", err)
		}

		got, err := f.members.Session(ctx, f.brand.ID, s.Token)
		if err != nil {
			t.Fatal(err)
		}
		if got.Actor.UserID != a.UserID || got.Actor.Username != "sessionuser" || got.CSRF != s.CSRF || !got.Actor.Has("moderator") || !got.Actor.Has("member") {
			t.Errorf("Session = %+v", got)
		}

		// The stored id is a hash: the cookie value is not in the table.
		var n int
		if err := f.db.QueryRow(ctx, `SELECT COUNT(*) FROM sessions WHERE id = ?`, s.Token).Scan(&n); err != nil || n != 0 {
			t.Errorf("raw token found in sessions table (%d, %v)", n, err)
		}

		for _, tt := range []struct {
			name  string
			brand int64
			token string
		}{
			{"other brand", other.ID, s.Token},
			{"unknown token", f.brand.ID, "nope"},
			{"empty token", f.brand.ID, ""},
			{"oversized token", f.brand.ID, strings.Repeat("a", 101)},
		} {
			if _, err := f.members.Session(ctx, tt.brand, tt.token); !errors.Is(err, fault.ErrNotFound) {
				t.Errorf("%s: Session err = %v, want fault.ErrNotFound", tt.name, err)
			}
		}

		// Sliding expiry: use at day 29 extends the session, so day 31 still
		// works; 30 idle days later it is gone.
		f.clock.Add(29 * 24 * time.Hour)
		if _, err := f.members.Session(ctx, f.brand.ID, s.Token); err != nil {
			t.Fatalf("day 29: %v", err)
		}
		f.clock.Add(2 * 24 * time.Hour)
		if _, err := f.members.Session(ctx, f.brand.ID, s.Token); err != nil {
			t.Fatalf("day 31 after use at day 29: %v", err)
		}
		// s2 was never used again and is past its 30 days.
		if _, err := f.members.Session(ctx, f.brand.ID, s2.Token); !errors.Is(err, fault.ErrNotFound) {
			t.Errorf("idle session after 31 days: %v, want fault.ErrNotFound", err)
		}
		f.clock.Add(account.SessionTTL)
		if _, err := f.members.Session(ctx, f.brand.ID, s.Token); !errors.Is(err, fault.ErrNotFound) {
			t.Errorf("session idle for a full TTL: %v, want fault.ErrNotFound", err)
		}
		pruned, err := f.members.PruneSessions(ctx)
		if err != nil || pruned != 2 {
			t.Errorf("PruneSessions = %d, %v; want 2", pruned, err)
		}

		// EndSession revokes at once; ending an unknown token is not an error.
		s3, err := f.members.StartSession(ctx, f.brand.ID, a.UserID)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.members.EndSession(ctx, s3.Token); err != nil {
			t.Fatal(err)
		}
		if _, err := f.members.Session(ctx, f.brand.ID, s3.Token); !errors.Is(err, fault.ErrNotFound) {
			t.Errorf("after EndSession: %v, want fault.ErrNotFound", err)
		}
		if err := f.members.EndSession(ctx, "never-issued"); err != nil {
			t.Errorf("EndSession(unknown) = %v", err)
		}
	})
}

func TestTokens(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		a := f.actor(t, f.brand.ID, "tokenuser", "agent")
		other := testkit.Brand(t, f.brands, forum.NewBrand{Host: "beta.example.com", Name: "Beta"})
		tok, err := f.members.CreateToken(ctx, f.brand.ID, a.UserID, "ci")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(tok, "mut_") {
			t.Errorf("token %q lacks the mut_ prefix", tok)
		}
		got, err := f.members.TokenActor(ctx, f.brand.ID, tok)
		if err != nil || got.UserID != a.UserID || got.BrandID != f.brand.ID || !got.Has("agent") {
			t.Errorf("TokenActor = %+v, %v", got, err)
		}
		for _, tt := range []struct {
			name  string
			brand int64
			tok   string
		}{
			{"other brand", other.ID, tok},
			{"unknown", f.brand.ID, "mut_nope"},
			{"empty", f.brand.ID, ""},
			{"too long", f.brand.ID, tok + strings.Repeat("x", 100)},
		} {
			if _, err := f.members.TokenActor(ctx, tt.brand, tt.tok); !errors.Is(err, fault.ErrNotFound) {
				t.Errorf("%s: TokenActor err = %v, want fault.ErrNotFound", tt.name, err)
			}
		}
	})
}

func TestGrantAndRoles(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		a := f.actor(t, f.brand.ID, "roleuser")
		if err := f.members.Grant(ctx, f.brand.ID, a.UserID, "wizard"); testkit.Fields(err)["role"] == "" {
			t.Errorf("Grant(wizard) = %v, want a role validation error", err)
		}
		for range 2 { // idempotent
			if err := f.members.Grant(ctx, f.brand.ID, a.UserID, "trusted"); err != nil {
				t.Fatal(err)
			}
		}
		if err := f.members.Grant(ctx, f.brand.ID, a.UserID, "member"); err != nil {
			t.Fatal(err)
		}
		roles, err := f.members.RolesOf(ctx, f.brand.ID, a.UserID)
		if err != nil || strings.Join(roles, ",") != "member,trusted" {
			t.Errorf("RolesOf = %v, %v; want [member trusted]", roles, err)
		}
	})
}
