// Package migrations holds Mutual's schema as numbered SQL files per dialect,
// embedded in the binary, and applies them at start-up.
//
// Files are named NNNNN_verb_noun.sql, are forward only and are never edited
// once landed. goose records what ran in goose_db_version; on PostgreSQL it
// holds an advisory lock while migrating so instances starting together do not
// race.
package migrations

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"mutual/sqldb"
)

//go:embed sqlite/*.sql postgres/*.sql
var files embed.FS

// ErrUnknownSchema is returned when the database is newer than this binary.
var ErrUnknownSchema = errors.New("migrations: database schema is newer than this binary")

func provider(db *sqldb.DB) (*goose.Provider, error) {
	dir, dialect := "sqlite", goose.DialectSQLite3
	var opts []goose.ProviderOption
	if db.Dialect() == sqldb.Postgres {
		dir, dialect = "postgres", goose.DialectPostgres
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return nil, fmt.Errorf("migrations: locker: %w", err)
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	sub, err := fs.Sub(files, dir)
	if err != nil {
		return nil, err
	}
	opts = append(opts, goose.WithDisableGlobalRegistry(true))
	return goose.NewProvider(dialect, db.Writer(), sub, opts...)
}

// Up applies every pending migration and returns how many ran. It refuses a
// database whose schema is newer than the migrations this binary knows.
func Up(ctx context.Context, db *sqldb.DB) (int, error) {
	p, err := provider(db)
	if err != nil {
		return 0, err
	}
	current, err := p.GetDBVersion(ctx)
	if err != nil && !errors.Is(err, goose.ErrNoCurrentVersion) {
		// A fresh database has no version table yet; anything else is real.
		current = 0
	}
	if latest := Latest(); current > latest {
		return 0, fmt.Errorf("%w (database at %d, binary knows up to %d)", ErrUnknownSchema, current, latest)
	}
	res, err := p.Up(ctx)
	if err != nil {
		return 0, fmt.Errorf("migrations: up: %w", err)
	}
	return len(res), nil
}

// UpTo applies the pending migrations up to and including version: a test
// sets data up the way an older schema held it, then runs Up.
func UpTo(ctx context.Context, db *sqldb.DB, version int64) error {
	p, err := provider(db)
	if err != nil {
		return err
	}
	if _, err := p.UpTo(ctx, version); err != nil {
		return fmt.Errorf("migrations: up to %d: %w", version, err)
	}
	return nil
}

// Latest is the newest migration version embedded in this binary.
func Latest() int64 {
	entries, _ := fs.Glob(files, "sqlite/*.sql")
	var v int64
	for _, e := range entries {
		var n int64
		if _, err := fmt.Sscanf(e, "sqlite/%d_", &n); err == nil && n > v {
			v = n
		}
	}
	return v
}
