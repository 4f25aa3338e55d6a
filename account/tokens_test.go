package account_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"mutual/account"
	"mutual/fault"
	"mutual/forum"
	"mutual/internal/testkit"
)

func TestTokenLifecycle(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		a := f.actor(t, f.brand.ID, "integrator")
		b := f.actor(t, f.brand.ID, "neighbour")
		made, tok, err := f.members.IssueToken(ctx, f.brand.ID, a.UserID, account.NewToken{Name: " ticket bridge ", Expires: "30d"})
		if err != nil {
			t.Fatal(err)
		}
		want := f.clock.Now().AddDate(0, 0, 30)
		if made.Name != "ticket bridge" || !made.ExpiresAt.Equal(want) || made.ID == 0 || !strings.HasPrefix(tok, "mut_") {
			t.Errorf("IssueToken = %+v %q; want ticket bridge expiring %v", made, tok, want)
		}
		// The token is kept only as its hash.
		var n int
		if err := f.db.QueryRow(ctx, `SELECT COUNT(*) FROM api_tokens WHERE token_hash = ? OR name = ?`, tok, tok).Scan(&n); err != nil || n != 0 {
			t.Errorf("the token itself is stored (%d rows, %v)", n, err)
		}
		forever, _, err := f.members.IssueToken(ctx, f.brand.ID, a.UserID, account.NewToken{Name: "forever"})
		if err != nil || !forever.ExpiresAt.IsZero() {
			t.Fatalf("token without expiry = %+v, %v", forever, err)
		}

		// Used: last_used_at is written at most once a minute.
		lastUsed := func() time.Time {
			t.Helper()
			toks, err := f.members.Tokens(ctx, f.brand.ID, a.UserID)
			if err != nil {
				t.Fatal(err)
			}
			for _, tk := range toks {
				if tk.ID == made.ID {
					return tk.LastUsedAt
				}
			}
			t.Fatal("token not listed")
			return time.Time{}
		}
		first := f.clock.Now()
		for i := 0; i < 3; i++ {
			if _, err := f.members.TokenActor(ctx, f.brand.ID, tok); err != nil {
				t.Fatal(err)
			}
			f.clock.Add(10 * time.Second)
		}
		if got := lastUsed(); !got.Equal(first) {
			t.Errorf("last used %v after three uses in 30 s, want the first, %v", got, first)
		}
		f.clock.Add(40 * time.Second)
		if _, err := f.members.TokenActor(ctx, f.brand.ID, tok); err != nil {
			t.Fatal(err)
		}
		if got := lastUsed(); !got.Equal(f.clock.Now()) {
			t.Errorf("last used %v a minute later, want %v", got, f.clock.Now())
		}

		// Lists: the owner's, newest first; the brand's for operators.
		toks, err := f.members.Tokens(ctx, f.brand.ID, a.UserID)
		if err != nil || len(toks) != 2 || toks[0].Name != "forever" || toks[0].Username != "integrator" {
			t.Errorf("Tokens = %+v, %v", toks, err)
		}
		if _, _, err := f.members.IssueToken(ctx, f.brand.ID, b.UserID, account.NewToken{Name: "theirs"}); err != nil {
			t.Fatal(err)
		}
		if all, _ := f.members.Tokens(ctx, f.brand.ID, 0); len(all) != 3 {
			t.Errorf("brand's tokens = %d, want 3", len(all))
		}

		// Revoking: not another member's, not another brand's; the owner's at once.
		other := testkit.Brand(t, f.brands, forum.NewBrand{Host: "beta.example.com", Name: "Beta"})
		if err := f.members.RevokeToken(ctx, f.brand.ID, b.UserID, made.ID); !errors.Is(err, fault.ErrNotFound) {
			t.Errorf("revoking another member's token = %v, want not found", err)
		}
		if err := f.members.RevokeToken(ctx, other.ID, 0, made.ID); !errors.Is(err, fault.ErrNotFound) {
			t.Errorf("revoking from another brand = %v, want not found", err)
		}
		if err := f.members.RevokeToken(ctx, f.brand.ID, a.UserID, made.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.members.TokenActor(ctx, f.brand.ID, tok); !errors.Is(err, fault.ErrNotFound) {
			t.Errorf("revoked token = %v, want not found", err)
		}
		if err := f.members.RevokeToken(ctx, f.brand.ID, a.UserID, made.ID); !errors.Is(err, fault.ErrNotFound) {
			t.Errorf("revoking twice = %v, want not found", err)
		}
	})
}

func TestTokenExpiry(t *testing.T) {
	f := newFixture(t)
	a := f.actor(t, f.brand.ID, "shortlived")
	made, tok, err := f.members.IssueToken(ctx, f.brand.ID, a.UserID, account.NewToken{Name: "a day", Expires: "24h"})
	if err != nil {
		t.Fatal(err)
	}
	f.clock.Add(24*time.Hour - time.Millisecond)
	if _, err := f.members.TokenActor(ctx, f.brand.ID, tok); err != nil {
		t.Errorf("a millisecond before expiry: %v", err)
	}
	f.clock.Add(time.Millisecond)
	if _, err := f.members.TokenActor(ctx, f.brand.ID, tok); !errors.Is(err, fault.ErrUnauthenticated) {
		t.Errorf("at expiry: %v, want unauthenticated", err)
	}
	toks, _ := f.members.Tokens(ctx, f.brand.ID, a.UserID)
	if len(toks) != 1 || !toks[0].Expired || toks[0].ID != made.ID {
		t.Errorf("an expired token is listed as %+v", toks)
	}
	// Expired tokens do not count against the limit; live ones do.
	for i := 1; i < account.MaxTokens; i++ {
		if _, _, err := f.members.IssueToken(ctx, f.brand.ID, a.UserID, account.NewToken{Name: fmt.Sprint("t", i)}); err != nil {
			t.Fatalf("token %d: %v", i, err)
		}
	}
	if _, _, err := f.members.IssueToken(ctx, f.brand.ID, a.UserID, account.NewToken{Name: "one more"}); err != nil {
		t.Errorf("token %d, with one expired: %v", account.MaxTokens, err)
	}
	if _, _, err := f.members.IssueToken(ctx, f.brand.ID, a.UserID, account.NewToken{Name: "too many"}); !errors.Is(err, fault.ErrConflict) {
		t.Errorf("token past the limit: %v, want a conflict", err)
	}
}

func TestTokenInput(t *testing.T) {
	f := newFixture(t)
	a := f.actor(t, f.brand.ID, "typist")
	now := f.clock.Now()
	for _, tt := range []struct {
		in   string
		want time.Time
	}{
		{"", time.Time{}},
		{"never", time.Time{}},
		{"Never", time.Time{}},
		{"90d", now.AddDate(0, 0, 90)},
		{" 1d ", now.AddDate(0, 0, 1)},
		{"720h", now.Add(720 * time.Hour)},
		{"90m", now.Add(90 * time.Minute)},
		{"2025-12-31", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"2026-01-02T15:04:05+02:00", time.Date(2026, 1, 2, 13, 4, 5, 0, time.UTC)},
	} {
		got, err := account.ParseExpiry(tt.in, now)
		if err != nil || !got.Equal(tt.want) {
			t.Errorf("ParseExpiry(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	for _, in := range []string{"0d", "-5h", "yesterday", "90 days", "2020-01-01", "31/12/2026", "99999999h", "d", "1e9d"} {
		if _, err := account.ParseExpiry(in, now); testkit.Fields(err)["expires"] == "" {
			t.Errorf("ParseExpiry(%q) = %v, want an expires field error", in, err)
		}
	}
	for name, nt := range map[string]account.NewToken{
		"no name":      {Name: "  "},
		"long name":    {Name: strings.Repeat("n", account.MaxTokenName+1)},
		"control":      {Name: "bad\x00name"},
		"invalid utf8": {Name: "bad\xffname"},
		"past":         {Name: "ok", Expires: "2020-01-01"},
		"garbled":      {Name: "ok", Expires: "soon"},
	} {
		if _, _, err := f.members.IssueToken(ctx, f.brand.ID, a.UserID, nt); testkit.Fields(err) == nil {
			t.Errorf("%s: IssueToken = %v, want a validation error", name, err)
		}
	}
	if _, _, err := f.members.IssueToken(ctx, f.brand.ID, a.UserID, account.NewToken{Name: strings.Repeat("é", account.MaxTokenName)}); err != nil {
		t.Errorf("a name of %d characters: %v", account.MaxTokenName, err)
	}
}
