package account_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"

	"mutual/account"
	"mutual/fault"
	"mutual/forum"
	"mutual/internal/testkit"
	"mutual/sqldb"
)

// mailQueue records the reset mails RequestReset queues.
type mailQueue struct{ to []int64 }

func (q *mailQueue) queue(_ context.Context, _ sqldb.Querier, _ int64, userID int64) error {
	q.to = append(q.to, userID)
	return nil
}

// resetMember signs up a member with a password and an address.
func (f *fixture) resetMember(t *testing.T, name string) account.User {
	t.Helper()
	u, err := f.members.Create(ctx, account.Signup{BrandID: f.brand.ID, Username: name, Email: name + "@example.com", Password: "the old password"})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestResetRequests(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		u := f.resetMember(t, "forgetful")
		q := &mailQueue{}
		ask := func(login string) {
			t.Helper()
			if err := f.members.RequestReset(ctx, f.brand.ID, login, q.queue); err != nil {
				t.Fatalf("RequestReset(%q) = %v: no answer may differ", login, err)
			}
		}
		// Unknown names and addresses, an account without an address, and
		// another brand's member queue nothing, and say nothing.
		testkit.Member(t, f.members, account.Unclaimed{BrandID: f.brand.ID, Username: "no_address", CreatedAt: f.clock.Now()})
		other := testkit.Brand(t, f.brands, forum.NewBrand{Host: "beta.example.com", Name: "Beta"})
		testkit.Member(t, f.members, account.Unclaimed{BrandID: other.ID, Username: "elsewhere", Email: "elsewhere@example.com", CreatedAt: f.clock.Now()})
		for _, login := range []string{"nobody", "nobody@example.com", "no_address", "elsewhere", ""} {
			ask(login)
		}
		if len(q.to) != 0 {
			t.Fatalf("queued %v for logins that name no account here", q.to)
		}
		// They write what a request for a real account writes, so they
		// take as long: a record, here of a request that mails nobody.
		if n := resetRows(t, f, "user_id IS NULL"); n != 5 {
			t.Errorf("%d records of requests that mailed nobody, want 5", n)
		}

		// By username (any case): one mail; asking again while it waits
		// queues no second one; by address once it has gone, another.
		ask(" FORGETFUL ")
		ask("forgetful")
		if len(q.to) != 1 || q.to[0] != u.ID {
			t.Fatalf("queued %v, want one mail to %d", q.to, u.ID)
		}
		mint(t, f, u.ID)
		ask("Forgetful@Example.com")
		mint(t, f, u.ID)
		ask("forgetful")
		mint(t, f, u.ID)
		if len(q.to) != account.ResetsPerHour {
			t.Fatalf("queued %d mails, want %d", len(q.to), account.ResetsPerHour)
		}
		// Past the limit per account, nothing more this hour, silently.
		ask("forgetful")
		if len(q.to) != account.ResetsPerHour {
			t.Errorf("queued %d mails in an hour, want at most %d", len(q.to), account.ResetsPerHour)
		}
		f.clock.Add(time.Hour + time.Second)
		ask("forgetful")
		if len(q.to) != account.ResetsPerHour+1 {
			t.Errorf("an hour later: queued %d mails, want one more", len(q.to))
		}
		// An account made without a password can set its first one.
		imported := testkit.Member(t, f.members, account.Unclaimed{BrandID: f.brand.ID, Username: "imported", Email: "imported@example.com", CreatedAt: f.clock.Now()})
		ask("imported")
		if q.to[len(q.to)-1] != imported.UserID {
			t.Errorf("no mail for an imported account with an address: %v", q.to)
		}
		// Records go two days on, as new requests come.
		f.clock.Add(49 * time.Hour)
		ask("nobody")
		if n := resetRows(t, f, "1 = 1"); n != 1 {
			t.Errorf("%d records two days on, want only the newest", n)
		}
	})
}

func resetRows(t *testing.T, f *fixture, where string) int {
	t.Helper()
	var n int
	if err := f.db.QueryRow(ctx, `SELECT COUNT(*) FROM password_resets WHERE `+where).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// mint is the outbox sending the member's reset mail: it returns the token.
func mint(t *testing.T, f *fixture, userID int64) string {
	t.Helper()
	tok, err := account.MintReset(ctx, f.db, userID, f.clock.Now())
	if err != nil {
		t.Fatalf("MintReset: %v", err)
	}
	return tok
}

func TestResetLinks(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		u := f.resetMember(t, "locked_out")
		q := &mailQueue{}
		if err := f.members.RequestReset(ctx, f.brand.ID, "locked_out", q.queue); err != nil {
			t.Fatal(err)
		}
		tok := mint(t, f, u.ID)

		// Only the token's SHA-256 is stored; nothing holds the token.
		var stored string
		if err := f.db.QueryRow(ctx, `SELECT token_hash FROM password_resets WHERE user_id = ?`, u.ID).Scan(&stored); err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256([]byte(tok))
		if stored != hex.EncodeToString(sum[:]) || strings.Contains(stored, tok) || len(tok) < 40 {
			t.Errorf("stored %q for token %q, want its SHA-256 only", stored, tok)
		}

		got, err := f.members.ResetLink(ctx, f.brand.ID, tok)
		if err != nil || got.ID != u.ID {
			t.Fatalf("ResetLink = %+v, %v", got, err)
		}
		other := testkit.Brand(t, f.brands, forum.NewBrand{Host: "beta.example.com", Name: "Beta"})
		for name, tt := range map[string]struct {
			brand int64
			tok   string
		}{"other brand": {other.ID, tok}, "unknown": {f.brand.ID, "nope"}, "empty": {f.brand.ID, ""}, "too long": {f.brand.ID, strings.Repeat("x", 101)}} {
			if _, err := f.members.ResetLink(ctx, tt.brand, tt.tok); !errors.Is(err, account.ErrResetUnknown) {
				t.Errorf("%s: ResetLink = %v, want ErrResetUnknown", name, err)
			}
		}

		// The sign-up rules hold, and a refused password uses nothing up.
		if _, err := f.members.ResetPassword(ctx, f.brand.ID, tok, "short"); testkit.Fields(err)["password"] == "" {
			t.Errorf("short password: %v, want a password field error", err)
		}

		// Two sessions of the account, one of another member.
		s1, _ := f.members.StartSession(ctx, f.brand.ID, u.ID)
		s2, _ := f.members.StartSession(ctx, f.brand.ID, u.ID)
		bystander := f.resetMember(t, "bystander")
		s3, _ := f.members.StartSession(ctx, f.brand.ID, bystander.ID)

		f.clock.Add(59 * time.Minute)
		if _, err := f.members.ResetPassword(ctx, f.brand.ID, tok, "a brand new password"); err != nil {
			t.Fatalf("ResetPassword within the hour: %v", err)
		}
		for _, s := range []account.Session{s1, s2} {
			if _, err := f.members.Session(ctx, f.brand.ID, s.Token); !errors.Is(err, fault.ErrNotFound) {
				t.Errorf("a session of the account survived the reset: %v", err)
			}
		}
		if _, err := f.members.Session(ctx, f.brand.ID, s3.Token); err != nil {
			t.Errorf("another member's session ended: %v", err)
		}
		if _, err := f.members.Authenticate(ctx, f.brand.ID, "locked_out", "a brand new password"); err != nil {
			t.Errorf("the new password does not sign in: %v", err)
		}
		if _, err := f.members.Authenticate(ctx, f.brand.ID, "locked_out", "the old password"); !errors.Is(err, fault.ErrBadCredentials) {
			t.Errorf("the old password still signs in: %v", err)
		}
		// Single use.
		if _, err := f.members.ResetPassword(ctx, f.brand.ID, tok, "yet another password"); !errors.Is(err, account.ErrResetUsed) {
			t.Errorf("second use = %v, want ErrResetUsed", err)
		}
		if _, err := f.members.ResetLink(ctx, f.brand.ID, tok); !errors.Is(err, account.ErrResetUsed) {
			t.Errorf("link after use = %v, want ErrResetUsed", err)
		}
		// Nothing is left to mint for a used request.
		if _, err := account.MintReset(ctx, f.db, u.ID, f.clock.Now()); !errors.Is(err, fault.ErrNotFound) {
			t.Errorf("MintReset after use = %v, want fault.ErrNotFound", err)
		}
	})
}

func TestResetLinkExpiresAndDiesWithTheAddress(t *testing.T) {
	f := newFixture(t)
	u := f.resetMember(t, "slowpoke")
	q := &mailQueue{}
	ask := func() string {
		t.Helper()
		f.clock.Add(time.Hour) // past the per-account limit's window
		if err := f.members.RequestReset(ctx, f.brand.ID, "slowpoke", q.queue); err != nil {
			t.Fatal(err)
		}
		return mint(t, f, u.ID)
	}
	tok := ask()
	f.clock.Add(account.ResetTTL)
	if _, err := f.members.ResetLink(ctx, f.brand.ID, tok); !errors.Is(err, account.ErrResetExpired) {
		t.Errorf("link after an hour = %v, want ErrResetExpired", err)
	}
	if _, err := f.members.ResetPassword(ctx, f.brand.ID, tok, "a brand new password"); !errors.Is(err, account.ErrResetExpired) {
		t.Errorf("reset after an hour = %v, want ErrResetExpired", err)
	}

	// A link mailed to the old address stops working when the address changes.
	tok = ask()
	if err := account.SetEmail(ctx, f.db, f.brand.ID, u.ID, "new-home@example.com"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.members.ResetLink(ctx, f.brand.ID, tok); !errors.Is(err, account.ErrResetUnknown) {
		t.Errorf("link after the address changed = %v, want ErrResetUnknown", err)
	}

	// A retried delivery mints again: only the newest link works.
	if err := f.members.RequestReset(ctx, f.brand.ID, "slowpoke", q.queue); err != nil {
		t.Fatal(err)
	}
	first, second := mint(t, f, u.ID), mint(t, f, u.ID)
	if _, err := f.members.ResetLink(ctx, f.brand.ID, first); !errors.Is(err, account.ErrResetUnknown) {
		t.Errorf("the replaced link = %v, want ErrResetUnknown", err)
	}
	if _, err := f.members.ResetLink(ctx, f.brand.ID, second); err != nil {
		t.Errorf("the newest link = %v", err)
	}
	// The link proves the address: using it confirms it.
	if _, err := f.members.ResetPassword(ctx, f.brand.ID, second, "a brand new password"); err != nil {
		t.Fatal(err)
	}
	var verified int64
	if err := f.db.QueryRow(ctx, `SELECT COALESCE(email_verified_at, 0) FROM users WHERE id = ?`, u.ID).Scan(&verified); err != nil || verified == 0 {
		t.Errorf("address not confirmed by the reset (%v)", err)
	}
}
