package account_test

import (
	"testing"

	"mutual/account"
	"mutual/sqldb"
)

func TestUsernameFromMakesAValidName(t *testing.T) {
	for claim, want := range map[string]string{
		"alice":                               "alice",
		"Dán Ó Briain":                        "Dan_O_Briain",
		"bob.smith@example.com":               "bob.smith",
		"  _x_ ":                              "x_member",
		"李小龙":                                 "member",
		"a-very-long-name-from-the-directory": "a-very-long-name-fro",
		"trailing.dots...":                    "trailing.dots",
	} {
		if got := account.UsernameFrom(claim); got != want {
			t.Errorf("UsernameFrom(%q) = %q, want %q", claim, got, want)
		}
	}
}

// An external account gets the claim's name, or the first free number after
// it, and no password; an address the provider did not verify stays
// unverified.
func TestCreateExternalMakesTheUsernameUnique(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		for _, name := range []string{"dana", "dana2"} {
			if _, err := f.members.CreateUnclaimed(ctx, account.Unclaimed{BrandID: f.brand.ID, Username: name, CreatedAt: f.clock.Now()}); err != nil {
				t.Fatal(err)
			}
		}
		var u account.User
		err := f.db.InTx(ctx, func(tx *sqldb.Tx) error {
			var err error
			u, err = account.CreateExternal(ctx, tx, account.External{BrandID: f.brand.ID, Username: "Dana", Email: "dana@corp.test", At: f.clock.Now()})
			return err
		})
		if err != nil || u.Username != "Dana3" || u.HasPassword || u.Email != "dana@corp.test" {
			t.Fatalf("CreateExternal = %+v, %v; want Dana3 without a password", u, err)
		}
		found, err := account.UserByEmail(ctx, f.db, f.brand.ID, "DANA@corp.test")
		if err != nil || found.ID != u.ID {
			t.Fatalf("UserByEmail = %+v, %v", found, err)
		}
		if _, err := f.members.Authenticate(ctx, f.brand.ID, "Dana3", ""); err == nil {
			t.Fatal("an account without a password signed in with an empty one")
		}
	})
}
