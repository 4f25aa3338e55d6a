// Package searchtest opens a large generated community for benchmarks of
// what reads the search index (search itself, the agent copilot).
package searchtest

import (
	"context"
	"os"
	"testing"
	"time"

	"mutual/forum"
	"mutual/migrations"
	"mutual/search"
	"mutual/sqldb"
)

// OpenLarge opens the database named by the environment variable env — a
// *copy* of one `mutual gen` wrote, since it is migrated and indexed in
// place — and returns it with its default brand's id. Without env set the
// benchmark is skipped, saying how to run it.
func OpenLarge(b testing.TB, env string) (*sqldb.DB, int64) {
	ctx := context.Background()
	path := os.Getenv(env)
	if path == "" {
		b.Skip("set " + env + " to a copy of a generated database (see the file comment)")
	}
	db, err := sqldb.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	if _, err := migrations.Up(ctx, db); err != nil {
		b.Fatal(err)
	}
	// Build what the migration queued (the first run only), then merge the
	// index's segments as the importer and generator do.
	start, built := time.Now(), 0
	for {
		n, err := search.Index(ctx, db, 20000)
		if err != nil {
			b.Fatal(err)
		}
		if n == 0 {
			break
		}
		built += n
	}
	if built > 0 {
		if _, err := db.Exec(ctx, `INSERT INTO post_search_thread (post_search_thread) VALUES ('optimize')`); err != nil {
			b.Fatal(err)
		}
		b.Logf("indexed %d threads/posts in %v", built, time.Since(start))
	}
	brand, err := forum.NewBrands(db, time.Now).Default(ctx)
	if err != nil {
		b.Fatal(err)
	}
	return db, brand.ID
}
