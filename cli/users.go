package cli

import (
	"context"
	"fmt"
	"io"
	"strings"

	"mutual/account"
	"mutual/app"
	"mutual/forum"
)

// userCreate creates an account, optionally with a role.
func userCreate(ctx context.Context, args []string, out io.Writer) error {
	fs, cfg := newFlags("user create", false)
	username := fs.String("username", "", "the new account's username (required)")
	email := fs.String("email", "", "email address (required)")
	password := fs.String("password", "", "password, at least 10 characters (required)")
	host := fs.String("brand", "", brandHelp)
	role := fs.String("role", "member", "role: "+strings.Join(account.Roles, ", "))
	if err := parse(fs, args); err != nil {
		return err
	}
	if *username == "" || *email == "" || *password == "" {
		return usageErr("--username, --email and --password are required")
	}
	return withBrand(ctx, *cfg, *host, func(s app.Services, b forum.Brand) error {
		u, err := s.Members.Create(ctx, account.Signup{BrandID: b.ID, Username: *username, Email: *email, Password: *password})
		if err != nil {
			return err
		}
		if err := s.Members.Grant(ctx, b.ID, u.ID, *role); err != nil {
			return err
		}
		fmt.Fprintf(out, "created user %s (id %d) in %s with role %s\n", u.Username, u.ID, b.Host, *role)
		return nil
	})
}
