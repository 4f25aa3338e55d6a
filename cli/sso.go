package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"mutual/account"
	"mutual/app"
	"mutual/forum"
	"mutual/sso"
)

// The command line acts as the system: audit rows have no actor.
func systemActor(b forum.Brand) account.Actor { return account.Actor{BrandID: b.ID} }

// callbackURL is where a provider sends people back, to register there.
func callbackURL(b forum.Brand, id int64) string {
	return "https://" + b.Host + "/sso/" + strconv.FormatInt(id, 10) + "/callback"
}

// ssoAdd configures an OpenID Connect provider for a brand.
func ssoAdd(ctx context.Context, args []string, out io.Writer) error {
	fs, cfg := newFlags("sso add", false)
	host := fs.String("brand", "", brandHelp)
	label := fs.String("label", "", `button label ("Sign in with LABEL")`)
	issuer := fs.String("issuer", "", "issuer URL, e.g. https://login.example.com/realms/acme")
	clientID := fs.String("client-id", "", "client ID the provider gave this community")
	secret := fs.String("client-secret", "", "client secret (visible in the process list: prefer --client-secret-file)")
	secretFile := fs.String("client-secret-file", "", `file holding the client secret ("-" for standard input)`)
	userClaim := fs.String("username-claim", sso.DefaultUsernameClaim, "claim that suggests a new member's username")
	emailClaim := fs.String("email-claim", sso.DefaultEmailClaim, "claim that gives the member's email address")
	trust := fs.Bool("trust-email", false, "treat the provider's addresses as verified (a company directory that sends no email_verified claim)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *secretFile != "" {
		s, err := readSecret(*secretFile)
		if err != nil {
			return err
		}
		*secret = s
	}
	if *label == "" || *issuer == "" || *clientID == "" || *secret == "" {
		return usageErr("--label, --issuer, --client-id and --client-secret (or --client-secret-file) are required")
	}
	return withBrand(ctx, *cfg, *host, func(s app.Services, b forum.Brand) error {
		p, err := s.SSO.Add(ctx, systemActor(b), sso.Config{Label: *label, Issuer: *issuer, ClientID: *clientID, ClientSecret: *secret,
			UsernameClaim: *userClaim, EmailClaim: *emailClaim, TrustEmail: *trust})
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "added provider %d (%s) to %s\nregister this callback URL at the provider: %s\n", p.ID, p.Label, b.Host, callbackURL(b, p.ID))
		return nil
	})
}

func readSecret(name string) (string, error) {
	var raw []byte
	var err error
	if name == "-" {
		raw, err = io.ReadAll(io.LimitReader(os.Stdin, 4096))
	} else {
		raw, err = os.ReadFile(name)
	}
	if err != nil {
		return "", fmt.Errorf("read the client secret: %w", err)
	}
	return strings.TrimSpace(string(raw)), nil
}

// ssoList prints a brand's providers; never their secrets.
func ssoList(ctx context.Context, args []string, out io.Writer) error {
	fs, cfg := newFlags("sso list", false)
	host := fs.String("brand", "", brandHelp)
	if err := parse(fs, args); err != nil {
		return err
	}
	return withBrand(ctx, *cfg, *host, func(s app.Services, b forum.Brand) error {
		ps, err := s.SSO.Providers(ctx, b.ID)
		if err != nil {
			return err
		}
		open, err := s.SSO.PasswordSignup(ctx, b.ID)
		if err != nil {
			return err
		}
		state := map[bool]string{true: "on", false: "off (providers only; admins keep a password sign-in)"}[open]
		fmt.Fprintf(out, "%s: password sign-up %s; %d provider(s)\n", b.Host, state, len(ps))
		for _, p := range ps {
			fmt.Fprintf(out, "%d\t%s\t%s\tclient %s\tusername from %s, email from %s\tcallback %s\n",
				p.ID, p.Label, p.Issuer, p.ClientID, p.UsernameClaim, p.EmailClaim, callbackURL(b, p.ID))
		}
		return nil
	})
}

// ssoRemove removes a provider of a brand.
func ssoRemove(ctx context.Context, args []string, out io.Writer) error {
	fs, cfg := newFlags("sso remove", false)
	host := fs.String("brand", "", brandHelp)
	id := fs.Int64("id", 0, "provider id (see mutual sso list)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *id <= 0 {
		return usageErr("--id is required")
	}
	return withBrand(ctx, *cfg, *host, func(s app.Services, b forum.Brand) error {
		if err := s.SSO.Remove(ctx, systemActor(b), *id); err != nil {
			return err
		}
		fmt.Fprintf(out, "removed provider %d from %s\n", *id, b.Host)
		return nil
	})
}

// ssoSignup turns password sign-up on or off for a brand: off, people join
// only through the brand's providers. It is also the way back in should a
// provider fail.
func ssoSignup(ctx context.Context, args []string, out io.Writer) error {
	fs, cfg := newFlags("sso signup", false)
	host := fs.String("brand", "", brandHelp)
	password := fs.String("password", "", "on: anyone may join with a password; off: only through a provider")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *password != "on" && *password != "off" {
		return usageErr("--password must be on or off")
	}
	return withBrand(ctx, *cfg, *host, func(s app.Services, b forum.Brand) error {
		if err := s.SSO.SetPasswordSignup(ctx, systemActor(b), *password == "on"); err != nil {
			return err
		}
		fmt.Fprintf(out, "password sign-up is %s in %s\n", *password, b.Host)
		return nil
	})
}
