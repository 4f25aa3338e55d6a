package cli

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"mutual/account"
	"mutual/app"
	"mutual/forum"
)

// tokenCreate prints a new bearer token for a user.
func tokenCreate(ctx context.Context, args []string, out io.Writer) error {
	fs, cfg := newFlags("token create", false)
	username := fs.String("username", "", "username")
	host := fs.String("brand", "", brandHelp)
	name := fs.String("name", "cli", "a label for the token")
	expires := fs.String("expires", "never", `when it stops working: days ("90d"), a duration ("720h"), a date (YYYY-MM-DD) or "never"`)
	if err := parse(fs, args); err != nil {
		return err
	}
	if *username == "" {
		return usageErr("--username is required")
	}
	if _, err := account.ParseExpiry(*expires, cfg.Now()); err != nil {
		return usageErr("--expires: %v", err)
	}
	return withBrand(ctx, *cfg, *host, func(s app.Services, b forum.Brand) error {
		u, err := s.Members.ByUsername(ctx, b.ID, *username)
		if err != nil {
			return fmt.Errorf("no user %q in %s", *username, b.Host)
		}
		_, tok, err := s.Members.IssueToken(ctx, b.ID, u.ID, account.NewToken{Name: *name, Expires: *expires})
		if err != nil {
			return err
		}
		fmt.Fprintln(out, tok)
		return nil
	})
}

// tokenList prints the brand's tokens (or one member's): what they are
// called, whose they are, and when they were made, used and expire.
func tokenList(ctx context.Context, args []string, out io.Writer) error {
	fs, cfg := newFlags("token list", false)
	username := fs.String("username", "", "only this member's tokens")
	host := fs.String("brand", "", brandHelp)
	if err := parse(fs, args); err != nil {
		return err
	}
	return withBrand(ctx, *cfg, *host, func(s app.Services, b forum.Brand) error {
		var userID int64
		if *username != "" {
			u, err := s.Members.ByUsername(ctx, b.ID, *username)
			if err != nil {
				return fmt.Errorf("no user %q in %s", *username, b.Host)
			}
			userID = u.ID
		}
		toks, err := s.Members.Tokens(ctx, b.ID, userID)
		if err != nil {
			return err
		}
		w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "ID\tUSER\tNAME\tCREATED\tLAST USED\tEXPIRES")
		for _, t := range toks {
			fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.Username, t.Name, day(t.CreatedAt, ""), day(t.LastUsedAt, "never"), expiry(t))
		}
		return w.Flush()
	})
}

// tokenRevoke deletes a token of the brand by id.
func tokenRevoke(ctx context.Context, args []string, out io.Writer) error {
	fs, cfg := newFlags("token revoke", false)
	id := fs.Int64("id", 0, "the token's id (see `mutual token list`)")
	host := fs.String("brand", "", brandHelp)
	if err := parse(fs, args); err != nil {
		return err
	}
	if *id <= 0 {
		return usageErr("--id is required (see `mutual token list`)")
	}
	return withBrand(ctx, *cfg, *host, func(s app.Services, b forum.Brand) error {
		if err := s.Members.RevokeToken(ctx, b.ID, 0, *id); err != nil {
			return fmt.Errorf("token %d in %s: %w", *id, b.Host, err)
		}
		fmt.Fprintf(out, "revoked token %d in %s\n", *id, b.Host)
		return nil
	})
}

func day(t time.Time, zero string) string {
	if t.IsZero() {
		return zero
	}
	return t.UTC().Format("2006-01-02 15:04")
}

func expiry(t account.Token) string {
	switch {
	case t.ExpiresAt.IsZero():
		return "never"
	case t.Expired:
		return "expired " + day(t.ExpiresAt, "")
	}
	return day(t.ExpiresAt, "")
}
