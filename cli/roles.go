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

// roleGrant gives a member a role in a brand, audited as a command-line act.
func roleGrant(ctx context.Context, args []string, out io.Writer) error {
	return cmdRole(ctx, "role grant", true, args, out)
}

// roleRevoke takes a role back.
func roleRevoke(ctx context.Context, args []string, out io.Writer) error {
	return cmdRole(ctx, "role revoke", false, args, out)
}

func cmdRole(ctx context.Context, name string, grant bool, args []string, out io.Writer) error {
	fs, cfg := newFlags(name, false)
	username := fs.String("username", "", "the member (required)")
	role := fs.String("role", "", "the role (required): "+strings.Join(account.Roles[1:], ", "))
	host := fs.String("brand", "", brandHelp)
	if err := parse(fs, args); err != nil {
		return err
	}
	if *username == "" || *role == "" {
		return usageErr("--username and --role are required")
	}
	return withBrand(ctx, *cfg, *host, func(s app.Services, b forum.Brand) error {
		// The command line acts as the system: the audit row has no actor
		// and says where the change came from.
		if err := s.Moderation.SetRole(ctx, account.Actor{BrandID: b.ID}, *username, *role, grant, "(command line)"); err != nil {
			return err
		}
		verb := "granted"
		if !grant {
			verb = "revoked"
		}
		fmt.Fprintf(out, "%s %s for %s in %s\n", verb, *role, *username, b.Host)
		return nil
	})
}
