// Package cli holds the mutual binary's sub-commands: serve, and the
// operator's commands that create users, brands and boards, import, generate,
// replay, back up and move the store. Each parses its own flags over the
// shared configuration (app.Config, flags winning over MUTUAL_* variables)
// and acts through the domain services an app.App wires, never through HTTP.
// main dispatches on Commands.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"

	"mutual/app"
	"mutual/fault"
	"mutual/forum"
)

// Command is a sub-command of the mutual binary.
type Command struct {
	Name  string
	Usage string
	Run   func(ctx context.Context, args []string, out io.Writer) error
}

// Commands lists every sub-command; main dispatches on them.
func Commands() []Command {
	return []Command{
		{"serve", "serve [--addr A] [--data DIR] [--db URL] [--no-demo] [--themes DIR] [--detector-interval 30s]", serve},
		{"migrate", "migrate [--data DIR] [--db URL]", migrate},
		{"migrate-store", "migrate-store --to postgres://... [--data DIR]  (copy the SQLite database into an empty PostgreSQL one)", migrateStore},
		{"user create", "user create --username U --email E --password P [--brand HOST] [--role ROLE]", userCreate},
		{"role grant", "role grant --username U --role R [--brand HOST]", roleGrant},
		{"role revoke", "role revoke --username U --role R [--brand HOST]", roleRevoke},
		{"token create", "token create --username U [--brand HOST] [--name NAME] [--expires 90d|720h|YYYY-MM-DD|never]", tokenCreate},
		{"token list", "token list [--username U] [--brand HOST]  (every token of the brand, or of one member; never the tokens themselves)", tokenList},
		{"token revoke", "token revoke --id ID [--brand HOST]  (refused at once by every instance)", tokenRevoke},
		{"brand create", "brand create --host H --name N [--color HEX] [--accent HEX] [--tagline T] [--logo URL]", brandCreate},
		{"board create", "board create --name N [--description D] [--brand HOST] [--position N]", boardCreate},
		{"backup", "backup --to FILE [--data DIR]", backup},
		{"import stackexchange", "import stackexchange DIR [--brand HOST] [--boards tags|one]", importStackExchange},
		{"gen", "gen --threads N --posts M [--seed S] [--brands K] [--data DIR]", gen},
		{"reputation rebuild", "reputation rebuild [--brand HOST]  (recompute totals and roll-ups from the ledger; report differences)", reputationRebuild},
		{"reputation export", "reputation export --from YYYY-MM-DD --to YYYY-MM-DD [--brand HOST]  (payback CSV to stdout)", reputationExport},
		{"reputation rings", "reputation rings [--brand HOST]  (look for kudos rings now and list the open ones)", reputationRings},
		{"brand update", "brand update --host H [--peer-sla DURATION] [--resolution-sla DURATION] [--business-hours SPEC] [--webhook-url URL] ...", brandUpdate},
		{"agent add", "agent add --username U --brand HOST [--boards IDS] [--languages L] [--on-shift]", agentAdd},
		{"replay", "replay --brand HOST --peer-sla DURATION  (how many threads of the history would have escalated)", replay},
		{"healthcheck", "healthcheck [--url URL]  (exit 0 when /healthz answers ok; for container health checks)", healthcheck},
		{"sso add", "sso add --label L --issuer URL --client-id ID (--client-secret S | --client-secret-file FILE) [--brand HOST] [--username-claim C] [--email-claim C] [--trust-email]", ssoAdd},
		{"sso list", "sso list [--brand HOST]  (a brand's sign-in providers and whether password sign-up is on)", ssoList},
		{"sso remove", "sso remove --id N [--brand HOST]", ssoRemove},
		{"sso signup", "sso signup --password on|off [--brand HOST]  (off: people join only through the brand's providers)", ssoSignup},
	}
}

// ErrUsage marks a command-line mistake; main prints usage and exits 2.
var ErrUsage = errors.New("usage")

func usageErr(format string, a ...any) error {
	return fmt.Errorf("%w: %s", ErrUsage, fmt.Sprintf(format, a...))
}

// newFlags makes a flag set that reports errors instead of exiting, with the
// shared --data/--db flags and MUTUAL_* variables applied.
func newFlags(name string, serve bool) (*flag.FlagSet, *app.Config, error) {
	cfg := app.DefaultConfig()
	if err := cfg.FromEnv(); err != nil {
		return nil, nil, err
	}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	cfg.RegisterFlags(fs, serve)
	return fs, &cfg, nil
}

func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return usageErr("%v", err)
	}
	if fs.NArg() > 0 {
		return usageErr("unexpected argument %q", fs.Arg(0))
	}
	return nil
}

// newLogger returns the JSON logger at the configured level.
func newLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		l = slog.LevelInfo
	}
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l}))
}

// withBrand opens the store through the same wiring as the server (so a
// fresh database gets its default brand and administrator, but no demo) and
// resolves --brand (default: the default brand).
func withBrand(ctx context.Context, cfg app.Config, host string, fn func(s app.Services, b forum.Brand) error) error {
	cfg.NoDemo = true
	a, err := app.New(ctx, cfg, newLogger(io.Discard, "error"))
	if err != nil {
		return err
	}
	defer a.Close()
	s := a.Services()
	var b forum.Brand
	if host == "" {
		b, err = s.Brands.Default(ctx)
	} else {
		b, err = s.Brands.ByHost(ctx, host)
	}
	if errors.Is(err, fault.ErrNotFound) {
		return fmt.Errorf("no brand with host %q: create it with `mutual brand create`", host)
	}
	if err != nil {
		return err
	}
	return fn(s, b)
}
