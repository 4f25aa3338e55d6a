package deflectiontest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"

	"mutual/sqldb"
)

// SeedBench gives a generated community (mutual gen) what the report reads
// beyond threads and posts, so benchmarks measure a realistic brand:
// escalations on one thread in twelve (half of them claimed and answered by
// an agent), acceptance times for solved threads, and viewer-days up to
// total rows (views cluster in the 60 days after a thread is asked; those on
// solved threads are counted). It does nothing that is already there, so a
// copied database is seeded once. It returns the number of viewer-days.
//
// It stays long: one seeding script, in the order its rows depend on each
// other.
func SeedBench(ctx context.Context, db *sqldb.DB, brandID int64, total int) (int, error) {
	var have int
	if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM thread_view_days WHERE brand_id = ?`, brandID).Scan(&have); err != nil {
		return 0, err
	}
	w := db.Writer()
	for _, q := range []string{
		`INSERT INTO escalations (brand_id, thread_id, status, reason, escalated_at, claimed_by, claimed_at, answered_at, closed_at, resolution)
			SELECT brand_id, id, CASE WHEN id % 24 = 0 THEN 'resolved' ELSE 'cancelled' END, 'bench', created_at + 900000,
				CASE WHEN id % 24 = 0 THEN author_id END, CASE WHEN id % 24 = 0 THEN created_at + 900000 + (id % 50) * 60000 END,
				CASE WHEN id % 24 = 0 THEN created_at + 900000 + (id % 90) * 120000 END, created_at + 3600000,
				CASE WHEN id % 24 = 0 THEN 'agent' ELSE 'late_peer' END
			FROM threads WHERE brand_id = ? AND id % 12 = 0 ON CONFLICT (thread_id) DO NOTHING`,
		`UPDATE report_accepts SET accepted_at = (SELECT COALESCE(t.first_reply_at, t.created_at) + (t.id % 100) * 60000 FROM threads t WHERE t.id = report_accepts.thread_id)
			WHERE brand_id = ? AND accepted_at IS NULL`,
	} {
		if _, err := w.ExecContext(ctx, rebind(db, q), brandID); err != nil {
			return 0, fmt.Errorf("seed: %w", err)
		}
	}
	if have >= total {
		var rolled int
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM report_view_rollup WHERE brand_id = ?`, brandID).Scan(&rolled); err != nil || rolled > 0 {
			return have, err
		}
		return have, benchRollup(ctx, db, brandID)
	}
	type th struct {
		id, board, day int64
		solved         bool
	}
	rows, err := db.Query(ctx, `SELECT id, board_id, created_at, accepted_post_id IS NOT NULL FROM threads WHERE brand_id = ?`, brandID)
	if err != nil {
		return 0, err
	}
	var ts []th
	for rows.Next() {
		var t th
		var created int64
		if err := rows.Scan(&t.id, &t.board, &created, &t.solved); err != nil {
			rows.Close()
			return 0, err
		}
		t.day = created / 86400000
		ts = append(ts, t)
	}
	rows.Close()
	if len(ts) == 0 {
		return 0, fmt.Errorf("seed: brand %d has no threads", brandID)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	const per = 400
	n := have
	for n < total {
		tx, err := w.BeginTx(ctx, nil)
		if err != nil {
			return n, err
		}
		for batch := 0; batch < 100 && n < total; batch++ {
			var sb strings.Builder
			args := make([]any, 0, per*7)
			sb.WriteString(`INSERT INTO thread_view_days (brand_id, thread_id, day, viewer_key, board_id, counted, rolled) VALUES `)
			for i := 0; i < per; i++ {
				t := ts[rng.IntN(len(ts))]
				if i > 0 {
					sb.WriteString(",")
				}
				sb.WriteString("(?, ?, ?, ?, ?, ?, 0)")
				c := 0
				if t.solved {
					c = 1
				}
				args = append(args, brandID, t.id, t.day+int64(rng.IntN(60)), fmt.Sprintf("a%016x", rng.Uint64()), t.board, c)
			}
			sb.WriteString(` ON CONFLICT (thread_id, day, viewer_key) DO NOTHING`)
			res, err := tx.ExecContext(ctx, rebind(db, sb.String()), args...)
			if err != nil {
				_ = tx.Rollback()
				return n, err
			}
			k, _ := res.RowsAffected()
			n += int(k)
		}
		if err := tx.Commit(); err != nil {
			return n, err
		}
	}
	return n, benchRollup(ctx, db, brandID)
}

// benchRollup builds the roll-up the quick way deflection.RebuildRollup
// cannot assume: every generated view already carries its thread's board and
// every generated thread is visible.
func benchRollup(ctx context.Context, db *sqldb.DB, brandID int64) error {
	return db.InTx(ctx, func(tx *sqldb.Tx) error {
		for _, q := range []string{
			`DELETE FROM report_view_rollup WHERE brand_id = ?`,
			`UPDATE thread_view_days SET rolled = counted WHERE brand_id = ?`,
			`INSERT INTO report_view_rollup (brand_id, day, board_id, views)
				SELECT brand_id, day, board_id, COUNT(*) FROM thread_view_days WHERE brand_id = ? AND rolled = 1 GROUP BY brand_id, day, board_id`,
		} {
			if _, err := tx.Exec(ctx, q, brandID); err != nil {
				return err
			}
		}
		return nil
	})
}

func rebind(db *sqldb.DB, q string) string {
	if db.Dialect() == sqldb.Postgres {
		return sqldb.Rebind(q)
	}
	return q
}
