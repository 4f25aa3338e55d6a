// Package sqldbtest gives tests real, migrated, throw-away databases: a SQLite
// file in t.TempDir(), and a fresh PostgreSQL schema when MUTUAL_TEST_POSTGRES
// names a server. With CI set, a missing PostgreSQL fails the test instead of
// skipping it.
package sqldbtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // PostgreSQL driver

	"mutual/migrations"
	"mutual/sqldb"
)

// EnvPostgres names the variable holding an admin URL of a PostgreSQL server
// the tests may create schemas in, e.g. postgres://postgres@127.0.0.1:55432/postgres.
const EnvPostgres = "MUTUAL_TEST_POSTGRES"

// Dialects lists the stores a suite runs against.
var Dialects = []sqldb.Dialect{sqldb.SQLite, sqldb.Postgres}

// Each runs fn once per store, as subtests named "sqlite" and "postgres".
func Each(t *testing.T, fn func(t *testing.T, db *sqldb.DB)) {
	t.Helper()
	for _, d := range Dialects {
		t.Run(string(d), func(t *testing.T) {
			fn(t, Open(t, d))
		})
	}
}

// Open returns a migrated database of the dialect, closed at the end of the test.
func Open(t testing.TB, d sqldb.Dialect) *sqldb.DB {
	t.Helper()
	target := Target(t, d)
	db, err := sqldb.Open(context.Background(), target)
	if err != nil {
		t.Fatalf("open %s: %v", d, err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := migrations.Up(context.Background(), db); err != nil {
		t.Fatalf("migrate %s: %v", d, err)
	}
	return db
}

// Target returns what sqldb.Open takes for a fresh, empty database of the
// dialect: a SQLite path in a temporary directory, or a PostgreSQL URL whose
// search_path is a new schema (dropped when the test ends).
func Target(t testing.TB, d sqldb.Dialect) string {
	t.Helper()
	if d == sqldb.SQLite {
		return filepath.Join(t.TempDir(), "mutual.db")
	}
	admin := os.Getenv(EnvPostgres)
	if admin == "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is not set: CI must run the store suite against PostgreSQL (see .ci/run)", EnvPostgres)
		}
		t.Skipf("PostgreSQL store tests skipped: set %s to a server's admin URL to run them", EnvPostgres)
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	adm, err := sql.Open("pgx", admin)
	if err != nil {
		t.Fatalf("postgres: %v", err)
	}
	defer adm.Close()
	if _, err := adm.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("postgres: create schema (is the server at %s running?): %v", admin, err)
	}
	t.Cleanup(func() {
		c, err := sql.Open("pgx", admin)
		if err != nil {
			return
		}
		defer c.Close()
		_, _ = c.Exec("DROP SCHEMA " + schema + " CASCADE")
	})
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatalf("postgres: bad %s: %v", EnvPostgres, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	if q.Get("sslmode") == "" {
		q.Set("sslmode", "disable")
	}
	u.RawQuery = q.Encode()
	return u.String()
}
