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
	Name    string // one or two words: "serve", "brand update"
	Args    string // what follows the name in its usage line
	Summary string // one line for `mutual help`
	Example string // a whole command line a person can adapt
	Run     func(ctx context.Context, args []string, out io.Writer) error
}

// Commands lists every sub-command; Main dispatches on them.
func Commands() []Command {
	return []Command{
		{"serve", "[flags]", "run the community's web server (a fresh database gets a brand, its administrator and a demo)",
			"mutual serve --addr 0.0.0.0:8080 --data /var/lib/mutual --secure-cookies", serve},
		{"migrate", "[flags]", "apply the pending database migrations and exit",
			"mutual migrate --db postgres://mutual:secret@db.internal/mutual", migrate},
		{"migrate-store", "--to postgres://... [flags]", "copy the SQLite database into an empty PostgreSQL one",
			"mutual migrate-store --data ./data --to postgres://mutual:secret@db.internal/mutual", migrateStore},
		{"user create", "--username U --email E --password P [flags]", "create an account, with a role if given",
			"mutual user create --username dana --email dana@example.com --password 'a long passphrase' --role moderator", userCreate},
		{"role grant", "--username U --role R [flags]", "give a member a role in a brand (recorded in the audit log)",
			"mutual role grant --username dana --role moderator --brand support.example.com", roleGrant},
		{"role revoke", "--username U --role R [flags]", "take a role back (recorded in the audit log)",
			"mutual role revoke --username dana --role moderator --brand support.example.com", roleRevoke},
		{"token create", "--username U [flags]", "print a new API bearer token for an account, with an expiry if given",
			"TOKEN=$(mutual token create --username admin --name reporting --expires 90d)", tokenCreate},
		{"token list", "[flags]", "list the brand's tokens, or one member's: name, created, last used, expiry (never the tokens)",
			"mutual token list --username admin", tokenList},
		{"token revoke", "--id ID [flags]", "revoke a token; every instance refuses it at once",
			"mutual token revoke --id 12", tokenRevoke},
		{"brand create", "--host H --name N [flags]", "add a brand served on another host name, with its boards",
			`mutual brand create --host support.example.com --name "Example Help" --color "#0a7d5a" --boards "Billing,Coverage"`, brandCreate},
		{"brand update", "--host H [flags]", "change a brand's languages and escalation rules: SLAs, business hours, priority words, webhook",
			`mutual brand update --host support.example.com --languages es,ca,en --default-language es --agent-sla 2h --business-hours "Mon-Fri 09:00-17:00" --timezone Europe/London`, brandUpdate},
		{"board create", "--name N [flags]", "add a board to a brand",
			`mutual board create --name Roaming --description "Using your phone abroad" --brand support.example.com`, boardCreate},
		{"agent add", "--username U --brand HOST [flags]", "make a member an agent of a brand, with board skills and a shift",
			"mutual agent add --username dana --brand support.example.com --boards 3,4 --on-shift", agentAdd},
		{"replay", "--peer-sla DURATION [flags]", "count how many threads of a brand's history would have escalated at a peer SLA, by first reply and by first answer (writes nothing)",
			"mutual replay --brand beer.stackexchange.com --peer-sla 1h", replay},
		{"reputation rebuild", "[flags]", "recompute reputation totals and roll-ups from the ledger, printing what differed",
			"mutual reputation rebuild --brand support.example.com", reputationRebuild},
		{"reputation export", "--from YYYY-MM-DD --to YYYY-MM-DD [flags]", "print the payback CSV: reputation each member earned in a period",
			"mutual reputation export --from 2026-11-01 --to 2026-11-30 > payback.csv", reputationExport},
		{"reputation rings", "[flags]", "look for kudos rings now and list the open ones",
			"mutual reputation rings --brand support.example.com", reputationRings},
		{"import stackexchange", "DIR [flags]", "import an unpacked Stack Exchange data dump into a brand",
			"mutual import stackexchange ./beer.stackexchange.com --boards tags --board-per-tag 6", importStackExchange},
		{"gen", "--threads N --posts M [flags]", "fill a fresh database with a synthetic community, for load tests",
			"mutual gen --data /tmp/big --threads 100000 --posts 1000000", gen},
		{"radar eval", "[flags]", "measure the emerging-issue radar on simulated traffic with injected incidents",
			"mutual radar eval --seeds 20", radarEval},
		{"radar history", "[flags]", "replay the radar over a brand's whole history and list the bursts it would have raised",
			"mutual radar history --brand beer.stackexchange.com", radarHistory},
		{"backup", "[flags]", "write an online, consistent copy of the SQLite database",
			"mutual backup --to /backups/mutual-$(date +%F).db", backup},
		{"sso add", "--label L --issuer URL --client-id ID (--client-secret S | --client-secret-file FILE) [flags]", "add an OpenID Connect provider to a brand's sign-in page",
			"mutual sso add --brand support.example.com --label Acme --issuer https://login.example.com/realms/acme --client-id mutual --client-secret-file secret.txt", ssoAdd},
		{"sso list", "[flags]", "list a brand's sign-in providers and whether password sign-up is on",
			"mutual sso list --brand support.example.com", ssoList},
		{"sso remove", "--id N [flags]", "remove a sign-in provider from a brand",
			"mutual sso remove --id 2 --brand support.example.com", ssoRemove},
		{"sso signup", "--password on|off [flags]", "let people join with a password, or only through the brand's providers",
			"mutual sso signup --password off --brand support.example.com", ssoSignup},
		{"privacy export", "--username U [flags]", "write everything a brand holds about a member as their JSON archive (audited)",
			"mutual privacy export --username dana --brand support.example.com --out dana-data.json", privacyExport},
		{"privacy erase", "--username U --reason R --yes [flags]", "erase a member's account on request, by the brand's policy (audited, irreversible)",
			`mutual privacy erase --username dana --reason "request #4471" --brand support.example.com --yes`, privacyErase},
		{"healthcheck", "[flags]", "exit 0 when the running server's /healthz answers ok (for container health checks)",
			"mutual healthcheck --url http://127.0.0.1:8080/healthz", healthcheck},
	}
}

// brandHelp is the help of every --brand flag that picks the brand to act in.
const brandHelp = "host of the brand; empty: the default brand"

// ErrUsage marks a command-line mistake; Main prints the command's usage
// and exits 2.
var ErrUsage = errors.New("usage")

func usageErr(format string, a ...any) error {
	return fmt.Errorf("%w: %s", ErrUsage, fmt.Sprintf(format, a...))
}

// Help is what a command returns for -h or --help instead of running: its
// flags, which Main prints with the command's summary and example.
type Help struct{ Flags *flag.FlagSet }

func (*Help) Error() string { return "help requested" }

// flagSet is a command's flags over the shared configuration. A bad MUTUAL_*
// variable waits in envErr until parse has ruled out a request for help, so
// that help works whatever the environment holds.
type flagSet struct {
	*flag.FlagSet
	envErr error
}

// newFlags makes a flag set that reports errors instead of exiting, with the
// shared --data/--db flags (and, with serve, the server's) over MUTUAL_*
// variables.
func newFlags(name string, serve bool) (*flagSet, *app.Config) {
	cfg := app.DefaultConfig()
	fs := &flagSet{FlagSet: flag.NewFlagSet(name, flag.ContinueOnError), envErr: cfg.FromEnv()}
	fs.SetOutput(io.Discard)
	cfg.RegisterFlags(fs.FlagSet, serve)
	return fs, &cfg
}

// parse reads args, which hold flags only.
func parse(fs *flagSet, args []string) error {
	rest, err := parseFlags(fs, args)
	if err == nil && len(rest) > 0 {
		return usageErr("unexpected argument %q", rest[0])
	}
	return err
}

// parseFlags reads the flags at the start of args and returns the rest. It
// returns *Help for -h or --help, a usage error for a bad flag, and then
// any bad MUTUAL_* variable.
func parseFlags(fs *flagSet, args []string) ([]string, error) {
	if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
		return nil, &Help{Flags: fs.FlagSet}
	} else if err != nil {
		return nil, usageErr("%v", err)
	}
	return fs.Args(), fs.envErr
}

// newLogger returns the JSON logger at the configured level.
func newLogger(w io.Writer, level string) *slog.Logger {
	return slog.New(jsonHandler(w, level))
}

func jsonHandler(w io.Writer, level string) slog.Handler {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		l = slog.LevelInfo
	}
	return slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l})
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
