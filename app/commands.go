package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"mutual/fault"
	"mutual/forum"
	"mutual/migrations"
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
		{"serve", "serve [--addr A] [--data DIR] [--db URL] [--no-demo] [--themes DIR] [--detector-interval 30s]", CmdServe},
		{"migrate", "migrate [--data DIR] [--db URL]", CmdMigrate},
		{"migrate-store", "migrate-store --to postgres://... [--data DIR]  (copy the SQLite database into an empty PostgreSQL one)", CmdMigrateStore},
		{"user create", "user create --username U --email E --password P [--brand HOST] [--role ROLE]", CmdUserCreate},
		{"role grant", "role grant --username U --role R [--brand HOST]", CmdRoleGrant},
		{"role revoke", "role revoke --username U --role R [--brand HOST]", CmdRoleRevoke},
		{"token create", "token create --username U [--brand HOST] [--name NAME]", CmdTokenCreate},
		{"brand create", "brand create --host H --name N [--color HEX] [--accent HEX] [--tagline T] [--logo URL]", CmdBrandCreate},
		{"board create", "board create --name N [--description D] [--brand HOST] [--position N]", CmdBoardCreate},
		{"backup", "backup --to FILE [--data DIR]", CmdBackup},
		{"import stackexchange", "import stackexchange DIR [--brand HOST] [--boards tags|one]", CmdImport},
		{"gen", "gen --threads N --posts M [--seed S] [--brands K] [--data DIR]", CmdGen},
		{"reputation rebuild", "reputation rebuild [--brand HOST]  (recompute totals and roll-ups from the ledger; report differences)", CmdReputationRebuild},
		{"reputation export", "reputation export --from YYYY-MM-DD --to YYYY-MM-DD [--brand HOST]  (payback CSV to stdout)", CmdReputationExport},
		{"reputation rings", "reputation rings [--brand HOST]  (look for kudos rings now and list the open ones)", CmdReputationRings},
		{"brand update", "brand update --host H [--peer-sla DURATION] [--resolution-sla DURATION] [--business-hours SPEC] [--webhook-url URL] ...", CmdBrandUpdate},
		{"agent add", "agent add --username U --brand HOST [--boards IDS] [--languages L] [--on-shift]", CmdAgentAdd},
		{"replay", "replay --brand HOST --peer-sla DURATION  (how many threads of the history would have escalated)", CmdReplay},
		{"healthcheck", "healthcheck [--url URL]  (exit 0 when /healthz answers ok; for container health checks)", CmdHealthcheck},
	}
}

// ErrUsage marks a command-line mistake; main prints usage and exits 2.
var ErrUsage = errors.New("usage")

func usageErr(format string, a ...any) error {
	return fmt.Errorf("%w: %s", ErrUsage, fmt.Sprintf(format, a...))
}

// newFlags makes a flag set that reports errors instead of exiting, with the
// shared --data/--db flags and MUTUAL_* variables applied.
func newFlags(name string, serve bool) (*flag.FlagSet, *Config, error) {
	cfg := DefaultConfig()
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

// NewLogger returns the JSON logger at the configured level.
func NewLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		l = slog.LevelInfo
	}
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l}))
}

// CmdServe runs the web server until ctx is cancelled (SIGINT or SIGTERM).
func CmdServe(ctx context.Context, args []string, out io.Writer) error {
	fs, cfg, err := newFlags("serve", true)
	if err != nil {
		return err
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	log := NewLogger(os.Stderr, cfg.LogLevel)
	a, err := New(ctx, *cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	rt := ServeRuntime(a.db.Dialect())
	rt.Apply()
	if err := a.db.WriterPriority(); err != nil {
		log.Warn("the SQLite writer thread runs at the default priority, so writes slow down under load; allow nice -5 with RLIMIT_NICE 25 (docker run --ulimit nice=25:25, systemd LimitNICE=25) or CAP_SYS_NICE", "err", err)
	}
	return a.Serve(ctx, func(addr string) {
		log.Info("listening", "addr", addr, "database", a.db.Dialect(), "gomaxprocs", rt.Procs, "gogc", rt.GCPercent)
		fmt.Fprintf(out, "Mutual is running at http://%s/\n", addr)
		if !strings.HasPrefix(addr, "127.0.0.1") && !strings.HasPrefix(addr, "localhost") {
			return
		}
		fmt.Fprintf(out, "Sign in as the administrator with username admin (password in %s/admin-password.txt).\n", cfg.DataDir)
	})
}

// CmdMigrate applies pending migrations and reports the schema version.
func CmdMigrate(ctx context.Context, args []string, out io.Writer) error {
	fs, cfg, err := newFlags("migrate", false)
	if err != nil {
		return err
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	db, err := Open(ctx, *cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	fmt.Fprintf(out, "database is at schema version %d\n", migrations.Latest())
	return nil
}

// withBrand opens the store and resolves --brand (default: the default brand).
func withBrand(ctx context.Context, cfg Config, host string, fn func(a *App, b forum.Brand) error) error {
	cfg.NoDemo = true
	a, err := New(ctx, cfg, NewLogger(io.Discard, "error"))
	if err != nil {
		return err
	}
	defer a.Close()
	var b forum.Brand
	if host == "" {
		b, err = a.brands.Default(ctx)
	} else {
		b, err = a.brands.ByHost(ctx, host)
	}
	if errors.Is(err, fault.ErrNotFound) {
		return fmt.Errorf("no brand with host %q: create it with `mutual brand create`", host)
	}
	if err != nil {
		return err
	}
	return fn(a, b)
}

// CmdUserCreate creates an account, optionally with a role.
func CmdUserCreate(ctx context.Context, args []string, out io.Writer) error {
	fs, cfg, err := newFlags("user create", false)
	if err != nil {
		return err
	}
	username := fs.String("username", "", "username")
	email := fs.String("email", "", "email address")
	password := fs.String("password", "", "password (at least 10 characters)")
	host := fs.String("brand", "", "brand host (default brand when empty)")
	role := fs.String("role", "member", "role: "+strings.Join(forum.Roles, ", "))
	if err := parse(fs, args); err != nil {
		return err
	}
	if *username == "" || *email == "" || *password == "" {
		return usageErr("--username, --email and --password are required")
	}
	return withBrand(ctx, *cfg, *host, func(a *App, b forum.Brand) error {
		u, err := a.members.Create(ctx, forum.Signup{BrandID: b.ID, Username: *username, Email: *email, Password: *password})
		if err != nil {
			return err
		}
		if err := a.members.Grant(ctx, b.ID, u.ID, *role); err != nil {
			return err
		}
		fmt.Fprintf(out, "created user %s (id %d) in %s with role %s\n", u.Username, u.ID, b.Host, *role)
		return nil
	})
}

// CmdTokenCreate prints a new bearer token for a user.
func CmdTokenCreate(ctx context.Context, args []string, out io.Writer) error {
	fs, cfg, err := newFlags("token create", false)
	if err != nil {
		return err
	}
	username := fs.String("username", "", "username")
	host := fs.String("brand", "", "brand host (default brand when empty)")
	name := fs.String("name", "cli", "a label for the token")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *username == "" {
		return usageErr("--username is required")
	}
	return withBrand(ctx, *cfg, *host, func(a *App, b forum.Brand) error {
		u, err := a.members.ByUsername(ctx, b.ID, *username)
		if err != nil {
			return fmt.Errorf("no user %q in %s", *username, b.Host)
		}
		tok, err := a.members.CreateToken(ctx, b.ID, u.ID, *name)
		if err != nil {
			return err
		}
		fmt.Fprintln(out, tok)
		return nil
	})
}

// CmdBrandCreate adds a brand for another host.
func CmdBrandCreate(ctx context.Context, args []string, out io.Writer) error {
	fs, cfg, err := newFlags("brand create", false)
	if err != nil {
		return err
	}
	host := fs.String("host", "", "host name the brand is served on")
	name := fs.String("name", "", "brand name")
	color := fs.String("color", "", "primary colour, hex like #0a7d5a")
	accent := fs.String("accent", "", "accent colour, hex")
	tagline := fs.String("tagline", "", "one line under the name on the home page")
	logo := fs.String("logo", "", "logo URL (https:// or a path)")
	boards := fs.String("boards", "General questions", "comma-separated boards to create")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *host == "" || *name == "" {
		return usageErr("--host and --name are required")
	}
	return withBrand(ctx, *cfg, "", func(a *App, _ forum.Brand) error {
		b, err := a.brands.Create(ctx, forum.NewBrand{Host: *host, Name: *name, ColorPrimary: *color, ColorAccent: *accent, Tagline: *tagline, LogoURL: *logo})
		if err != nil {
			return err
		}
		for i, n := range strings.Split(*boards, ",") {
			if n = strings.TrimSpace(n); n == "" {
				continue
			}
			if _, err := a.forum.CreateBoard(ctx, b.ID, forum.NewBoard{Name: n, Position: i + 1}); err != nil {
				return err
			}
		}
		fmt.Fprintf(out, "created brand %s (id %d) on host %s\n", b.Name, b.ID, b.Host)
		return nil
	})
}

// CmdBoardCreate adds a board to a brand.
func CmdBoardCreate(ctx context.Context, args []string, out io.Writer) error {
	fs, cfg, err := newFlags("board create", false)
	if err != nil {
		return err
	}
	name := fs.String("name", "", "board name")
	desc := fs.String("description", "", "one-line description")
	host := fs.String("brand", "", "brand host (default brand when empty)")
	pos := fs.Int("position", 100, "display order")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *name == "" {
		return usageErr("--name is required")
	}
	return withBrand(ctx, *cfg, *host, func(a *App, b forum.Brand) error {
		bd, err := a.forum.CreateBoard(ctx, b.ID, forum.NewBoard{Name: *name, Description: *desc, Position: *pos})
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "created board %s (id %d) in %s\n", bd.Name, bd.ID, b.Host)
		return nil
	})
}

// CmdBackup writes an online, consistent copy of the SQLite database.
func CmdBackup(ctx context.Context, args []string, out io.Writer) error {
	fs, cfg, err := newFlags("backup", false)
	if err != nil {
		return err
	}
	to := fs.String("to", "", "destination file (must not exist)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *to == "" {
		*to = fmt.Sprintf("%s/backup-%s.db", cfg.DataDir, time.Now().UTC().Format("20060102-150405"))
	}
	db, err := Open(ctx, *cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Backup(ctx, *to); err != nil {
		return err
	}
	fmt.Fprintf(out, "backed up to %s\n", *to)
	return nil
}

// CmdHealthcheck asks a running server's /healthz, for container health checks.
func CmdHealthcheck(ctx context.Context, args []string, out io.Writer) error {
	fs, cfg, err := newFlags("healthcheck", true)
	if err != nil {
		return err
	}
	url := fs.String("url", "", "URL of /healthz (default: from --addr / MUTUAL_ADDR)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *url == "" {
		addr := cfg.Addr
		if strings.HasPrefix(addr, "0.0.0.0:") || strings.HasPrefix(addr, ":") {
			addr = "127.0.0.1:" + addr[strings.LastIndex(addr, ":")+1:]
		}
		*url = "http://" + addr + "/healthz"
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, *url, nil)
	if err != nil {
		return err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("%s answered %s", *url, res.Status)
	}
	fmt.Fprintln(out, "ok")
	return nil
}
