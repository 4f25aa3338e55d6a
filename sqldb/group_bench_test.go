package sqldb_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"

	"mutual/sqldb"
)

// BenchmarkGroupCommit measures group-committed writes from many clients:
// each reads a counter, inserts a row and updates the counter, the shape
// of a kudos. In "with-failures", every tenth fails after writing, and every
// tenth other refuses after reading only.
//
//	go test ./sqldb -run '^$' -bench GroupCommit -benchtime 20000x
func BenchmarkGroupCommit(b *testing.B) {
	for _, failing := range []bool{false, true} {
		name := "all-commit"
		if failing {
			name = "with-failures"
		}
		b.Run(name, func(b *testing.B) {
			ctx := context.Background()
			db, err := sqldb.Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			for _, q := range []string{
				`CREATE TABLE counters (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)`,
				`CREATE TABLE events (id INTEGER PRIMARY KEY, counter INTEGER NOT NULL, body TEXT NOT NULL)`,
				`WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 1000) INSERT INTO counters (id, n) SELECT i, 0 FROM s`,
			} {
				if _, err := db.Exec(ctx, q); err != nil {
					b.Fatal(err)
				}
			}
			errNo := errors.New("refused")
			var next atomic.Int64
			b.SetParallelism(8) // 8 x GOMAXPROCS clients
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					i := next.Add(1)
					err := db.InTx(ctx, func(tx *sqldb.Tx) error {
						var n int
						if err := tx.QueryRow(ctx, `SELECT n FROM counters WHERE id = ?`, i%1000+1).Scan(&n); err != nil {
							return err
						}
						if failing && i%10 == 5 {
							return errNo
						}
						if _, err := tx.Exec(ctx, `INSERT INTO events (counter, body) VALUES (?, ?)`, i%1000+1, fmt.Sprintf("event %d", i)); err != nil {
							return err
						}
						if _, err := tx.Exec(ctx, `UPDATE counters SET n = ? WHERE id = ?`, n+1, i%1000+1); err != nil {
							return err
						}
						if failing && i%10 == 0 {
							return errNo
						}
						return nil
					})
					if err != nil && !errors.Is(err, errNo) {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}
