package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"mutual/account"
	"mutual/app"
	"mutual/forum"
	"mutual/privacy"
)

// operator is the command line acting on members' data: the system (no
// account, so the audit log names no actor and says "operator"), with an
// administrator's role, which the privacy service requires.
func operator(b forum.Brand) account.Actor {
	a := systemActor(b)
	a.Roles = []string{"admin"}
	return a
}

// privacyExport writes a member's data archive, as the member downloads it
// from their settings, and records the export in the audit log.
func privacyExport(ctx context.Context, args []string, out io.Writer) error {
	fs, cfg := newFlags("privacy export", false)
	username := fs.String("username", "", "the member whose data to export (required)")
	host := fs.String("brand", "", brandHelp)
	file := fs.String("out", "", "write the archive to this new file (readable by you alone); empty: standard output")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *username == "" {
		return usageErr("--username is required")
	}
	return withBrand(ctx, *cfg, *host, func(s app.Services, b forum.Brand) error {
		// The file is made first: a name that is taken costs no export (and
		// no audit row for an archive nobody got).
		w, done, err := archiveFile(*file, out)
		if err != nil {
			return err
		}
		ar, err := s.Privacy.ExportMember(ctx, operator(b), b, *username)
		if err == nil {
			enc := json.NewEncoder(w)
			enc.SetIndent("", "  ")
			err = enc.Encode(ar)
		}
		if err = done(err); err != nil {
			return err
		}
		if *file != "" {
			fmt.Fprintf(out, "wrote the data of %s in %s to %s\n", ar.Account.Profile.Username, b.Host, *file)
		}
		return nil
	})
}

// archiveFile opens where the archive goes: a new file, mode 0600, or out.
// done closes it, and removes it when the export failed.
func archiveFile(name string, out io.Writer) (io.Writer, func(error) error, error) {
	if name == "" {
		return out, func(err error) error { return err }, nil
	}
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return nil, nil, fmt.Errorf("%s exists: choose another file name (an archive is never written over another file)", name)
	}
	if err != nil {
		return nil, nil, err
	}
	return f, func(err error) error {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			_ = os.Remove(name)
		}
		return err
	}, nil
}

// privacyErase erases a member's account on their request, as an
// administrator does from the admin pages, by the brand's policy.
func privacyErase(ctx context.Context, args []string, out io.Writer) error {
	fs, cfg := newFlags("privacy erase", false)
	username := fs.String("username", "", "the member to erase (required)")
	reason := fs.String("reason", "", "why, for the audit log, such as the request's reference (required)")
	host := fs.String("brand", "", brandHelp)
	yes := fs.Bool("yes", false, "erase for real: without it the command only says what erasing would do")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *username == "" || *reason == "" {
		return usageErr("--username and --reason are required")
	}
	return withBrand(ctx, *cfg, *host, func(s app.Services, b forum.Brand) error {
		if !*yes {
			return eraseWouldDo(ctx, s, b, *username, out)
		}
		e, err := s.Privacy.EraseMember(ctx, operator(b), *username, *username, *reason)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "erased %s in %s: %s\n", *username, b.Host, postsFate(e.Posts, e.Policy))
		if !e.HeldUntil.IsZero() {
			fmt.Fprintf(out, "the username cannot be taken again until %s\n", e.HeldUntil.Format("2006-01-02"))
		}
		return nil
	})
}

// eraseWouldDo says what erasing the member would do, and that --yes does it.
func eraseWouldDo(ctx context.Context, s app.Services, b forum.Brand, username string, out io.Writer) error {
	u, err := s.Privacy.Member(ctx, b.ID, username)
	if err != nil {
		return err
	}
	st, err := s.Privacy.Settings(ctx, b.ID)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "Erasing %s (joined %s) in %s removes their email address, password, profile, sessions, API tokens,\n"+
		"sign-in provider identities, notifications and reset links; their posts %s;\n"+
		"their username stays unavailable for %d days. It cannot be undone.\n",
		u.Username, u.CreatedAt.Format("2006-01-02"), b.Host, postsPolicy(st.ErasedPosts), st.HoldDays)
	return usageErr("nothing was erased: add --yes to erase %s", u.Username)
}

func postsPolicy(p privacy.PostsPolicy) string {
	if p == privacy.RemovePosts {
		return "are removed (their text replaced by a notice)"
	}
	return `stay, by "` + account.FormerMember + `"`
}

func postsFate(n int64, p privacy.PostsPolicy) string {
	if p == privacy.RemovePosts {
		return fmt.Sprintf("%d posts removed", n)
	}
	return fmt.Sprintf("%d posts kept, by %q", n, account.FormerMember)
}
