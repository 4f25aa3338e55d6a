package escalation_test

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"mutual/escalation"
	"mutual/sqldb"
	"mutual/sqldb/sqldbtest"
)

// seedForum fills a brand with total threads, all answered by a peer except
// the last `due`, which are unanswered and past the SLA: the detector's
// candidates. Bulk SQL keeps seeding 100,000 threads to a second or two.
func seedForum(tb testing.TB, f *fixture, total, due int) {
	tb.Helper()
	start := f.clock.Now().Add(-30 * 24 * time.Hour).UnixMilli()
	q := fmt.Sprintf(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d)
INSERT INTO threads (brand_id, board_id, author_id, title, slug, created_at, last_activity_at, reply_count, first_reply_at, first_peer_reply_at)
SELECT %d, %d, %d, 'Seeded question ' || i, 'seeded-question', %d + i * 1000, %d + i * 1000,
       CASE WHEN i <= %d THEN 1 ELSE 0 END,
       CASE WHEN i <= %d THEN %d + i * 1000 + 60000 END, CASE WHEN i <= %d THEN %d + i * 1000 + 60000 END FROM n`,
		total, f.brand.ID, f.board.ID, f.asker.UserID, start, start, total-due, total-due, start, total-due, start)
	if _, err := f.db.Exec(ctx, q); err != nil {
		tb.Fatal(err)
	}
	if _, err := f.db.Exec(ctx, fmt.Sprintf(`INSERT INTO posts (brand_id, thread_id, author_id, is_question, body_md, body_html, created_at)
SELECT brand_id, id, author_id, 1, 'Body of the question', '<p>Body of the question</p>', created_at FROM threads WHERE first_peer_reply_at IS NULL AND brand_id = %d`, f.brand.ID)); err != nil {
		tb.Fatal(err)
	}
	if _, err := f.db.Exec(ctx, `ANALYZE`); err != nil {
		tb.Fatal(err)
	}
}

// The candidate query reads the partial index, never the threads table at
// large: its cost follows the candidates, not the forum.
func TestDetectorQueryUsesTheCandidateIndex(t *testing.T) {
	f := newFixture(t, sqldbtest.Open(t, sqldb.SQLite))
	seedForum(t, f, 5000, 100)
	rows, err := f.db.Query(ctx, `EXPLAIN QUERY PLAN `+escalation.DueQuery, f.brand.ID, f.clock.Now().UnixMilli(), 0, 0, 0, 200)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	joined := strings.Join(plan, "; ")
	if !strings.Contains(joined, "threads_escalation_due") || strings.Contains(joined, "SCAN t ") || strings.Contains(joined, "TEMP B-TREE") {
		t.Fatalf("plan = %s; want a search of threads_escalation_due with no scan or sort", joined)
	}
}

// BenchmarkDetectorTick is one detector run over a brand (rule 1 and rule 2,
// pages of 200 like the job) that escalates 1,000 overdue threads, at two
// forum sizes. Each iteration starts from the same state.
//
//	go test -run XXX -bench DetectorTick -benchtime 20x ./escalation/
func BenchmarkDetectorTick(b *testing.B) {
	for _, total := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("threads=%d/candidates=1000", total), func(b *testing.B) {
			f := newFixture(&testing.T{}, sqldbtest.Open(b, sqldb.SQLite))
			seedForum(b, f, total, 1000)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				for _, q := range []string{`DELETE FROM escalation_events`, `DELETE FROM escalations`,
					`UPDATE threads SET escalated_at = NULL WHERE escalated_at IS NOT NULL`} {
					if _, err := f.db.Exec(ctx, q); err != nil {
						b.Fatal(err)
					}
				}
				b.StartTimer()
				if n := detectPages(b, f.esc, f.brand.ID, benchPage); n != 1000 {
					b.Fatalf("escalated %d, want 1000", n)
				}
			}
		})
	}
}

// BenchmarkDetectorIdleTick is the common case: a run with nothing due
// (every candidate already escalated), at two forum sizes.
func BenchmarkDetectorIdleTick(b *testing.B) {
	for _, total := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("threads=%d", total), func(b *testing.B) {
			f := newFixture(&testing.T{}, sqldbtest.Open(b, sqldb.SQLite))
			seedForum(b, f, total, 1000)
			detectPages(b, f.esc, f.brand.ID, 200)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if n := detectPages(b, f.esc, f.brand.ID, 200); n != 0 {
					b.Fatalf("escalated %d, want 0", n)
				}
			}
		})
	}
}

func detectPages(b testing.TB, s *escalation.Service, brandID int64, limit int) int {
	made := 0
	for rule := 1; rule <= 2; rule++ {
		cur := escalation.Cursor{}
		for {
			tick, next, more, err := s.Detect(ctx, brandID, rule, cur, limit, "bench")
			if err != nil {
				b.Fatal(err)
			}
			made += tick.Escalated
			if !more {
				break
			}
			cur = next
		}
	}
	return made
}

// benchPage is the detector's page size in the benchmarks: the job's
// default batch (app.Config.JobBatch).
var benchPage = benchPageSize()

func benchPageSize() int {
	if v, err := strconv.Atoi(os.Getenv("ESC_BENCH_PAGE")); err == nil && v > 0 {
		return v
	}
	return 1000 // the server's default step (app.Config.JobBatch)
}

// BenchmarkCommit is the floor under any write: one small durable commit
// (synchronous=FULL) on this machine's disk.
func BenchmarkCommit(b *testing.B) {
	f := newFixture(&testing.T{}, sqldbtest.Open(b, sqldb.SQLite))
	for i := 0; i < b.N; i++ {
		if err := f.db.InTx(ctx, func(tx *sqldb.Tx) error {
			_, err := tx.Exec(ctx, `UPDATE brands SET escalation_sla_seconds = escalation_sla_seconds WHERE id = ?`, f.brand.ID)
			return err
		}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDetectorOnBenchData runs the detector over a copy of the shared
// generated forum (100,000 threads, 1,000,000 posts) named by ESC_BENCH_DB:
// the first tick escalates every overdue unanswered thread; the benchmark
// then measures the idle tick that follows. Skipped without the variable.
//
//	cp -r /work/benchdata/100k /tmp/esc-bench
//	ESC_BENCH_DB=/tmp/esc-bench/mutual.db go test -run XXX -bench OnBenchData -benchtime 20x ./escalation/
func BenchmarkDetectorOnBenchData(b *testing.B) {
	path := os.Getenv("ESC_BENCH_DB")
	if path == "" {
		b.Skip("set ESC_BENCH_DB to a copy of /work/benchdata/100k/mutual.db")
	}
	db, err := sqldb.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if _, err := migrationsUp(ctx, db); err != nil {
		b.Fatal(err)
	}
	var brandID int64
	if err := db.QueryRow(ctx, `SELECT id FROM brands ORDER BY id LIMIT 1`).Scan(&brandID); err != nil {
		b.Fatal(err)
	}
	s := escalation.New(db, func() time.Time { return time.Now().UTC() })
	start := time.Now()
	first := detectPages(b, s, brandID, benchPage)
	b.Logf("first tick escalated %d threads in %s", first, time.Since(start))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if n := detectPages(b, s, brandID, benchPage); n != 0 {
			b.Fatalf("idle tick escalated %d", n)
		}
	}
}
