package cli

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"mutual/app"
	"mutual/migrations"
	"mutual/migrations/storecopy"
	"mutual/sqldb"
)

// migrate applies pending migrations and reports the schema version.
func migrate(ctx context.Context, args []string, out io.Writer) error {
	fs, cfg := newFlags("migrate", false)
	if err := parse(fs, args); err != nil {
		return err
	}
	db, err := app.Open(ctx, *cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	fmt.Fprintf(out, "database is at schema version %d\n", migrations.Latest())
	return nil
}

// backup writes an online, consistent copy of the SQLite database.
func backup(ctx context.Context, args []string, out io.Writer) error {
	fs, cfg := newFlags("backup", false)
	to := fs.String("to", "", "destination file, which must not exist; empty: backup-DATE-TIME.db in --data")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *to == "" {
		*to = fmt.Sprintf("%s/backup-%s.db", cfg.DataDir, time.Now().UTC().Format("20060102-150405"))
	}
	db, err := app.Open(ctx, *cfg)
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

// migrateStore copies a SQLite database into PostgreSQL.
func migrateStore(ctx context.Context, args []string, out io.Writer) error {
	fs, cfg := newFlags("migrate-store", false)
	to := fs.String("to", "", "postgres:// URL of an empty database (required)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if !strings.HasPrefix(*to, "postgres://") && !strings.HasPrefix(*to, "postgresql://") {
		return usageErr("--to must be a postgres:// URL")
	}
	srcCfg := *cfg
	srcCfg.DatabaseURL = ""
	src, err := app.Open(ctx, srcCfg)
	if err != nil {
		return fmt.Errorf("open SQLite %s: %w", srcCfg.DatabaseTarget(), err)
	}
	defer src.Close()
	dst, err := sqldb.Open(ctx, *to)
	if err != nil {
		return err
	}
	defer dst.Close()
	if _, err := migrations.Up(ctx, dst); err != nil {
		return err
	}
	fmt.Fprintf(out, "copying %s into PostgreSQL\n", srcCfg.DatabaseTarget())
	counts, err := storecopy.Copy(ctx, src, dst, out)
	if err != nil {
		return err
	}
	var total int64
	fmt.Fprintf(out, "\n%-18s %10s %10s\n", "table", "sqlite", "postgres")
	for _, c := range counts {
		fmt.Fprintf(out, "%-18s %10d %10d\n", c.Table, c.Source, c.Target)
		total += c.Target
	}
	fmt.Fprintf(out, "copied %d rows; start Mutual with --db %s\n", total, redact(*to))
	return nil
}

// redact hides a password in a database URL before printing it.
func redact(u string) string {
	at := strings.LastIndex(u, "@")
	scheme := strings.Index(u, "://")
	if at < 0 || scheme < 0 {
		return u
	}
	cred := u[scheme+3 : at]
	if user, _, ok := strings.Cut(cred, ":"); ok {
		return u[:scheme+3] + user + ":***" + u[at:]
	}
	return u
}
