package sqldbtest_test

import (
	"context"
	"testing"

	"mutual/sqldb"
	"mutual/sqldb/sqldbtest"
)

// The harness must hand out isolated, migrated databases: a row written in one
// test's store is invisible to the next.
func TestEachGivesIsolatedMigratedStores(t *testing.T) {
	ctx := context.Background()
	for i := 0; i < 2; i++ {
		sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
			var n int
			if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM brands`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n != 0 {
				t.Fatalf("fresh store has %d brands, want 0", n)
			}
			err := db.InTx(ctx, func(tx *sqldb.Tx) error {
				_, err := tx.Exec(ctx, `INSERT INTO brands (host, name, created_at) VALUES (?, ?, ?)`, "a.test", "A", 1)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if db.Dialect() != sqldb.SQLite && db.Dialect() != sqldb.Postgres {
				t.Fatalf("unknown dialect %q", db.Dialect())
			}
		})
	}
}
