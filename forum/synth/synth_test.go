package synth_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"testing"
	"time"

	"mutual/account"
	"mutual/fault"
	"mutual/forum"
	"mutual/forum/synth"
	"mutual/markup"
	"mutual/migrations"
	"mutual/sqldb"
)

func openDB(t *testing.T) *sqldb.DB {
	t.Helper()
	ctx := context.Background()
	db, err := sqldb.Open(ctx, filepath.Join(t.TempDir(), "mutual.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := migrations.Up(ctx, db); err != nil {
		t.Fatal(err)
	}
	return db
}

func generate(t *testing.T, o synth.Options) (*sqldb.DB, synth.Result) {
	t.Helper()
	db := openDB(t)
	res, err := synth.Generate(context.Background(), db, markup.NewRenderer(), o)
	if err != nil {
		t.Fatalf("Generate(%+v): %v", o, err)
	}
	return db, res
}

func count(t *testing.T, db *sqldb.DB, q string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := db.QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// TestGenerate checks one community of 1,000 threads / 8,000 posts: exact
// counts, every counter the forum keeps, the ledger, the skew and the timing.
func TestGenerate(t *testing.T) {
	const threads, posts = 1000, 8000
	var progress []int64
	db, res := generate(t, synth.Options{Threads: threads, Posts: posts, Seed: 7, BatchThreads: 300,
		Progress: func(n int64) { progress = append(progress, n) }})

	t.Run("counts", func(t *testing.T) {
		if got := count(t, db, `SELECT COUNT(*) FROM threads`); got != threads {
			t.Errorf("threads = %d, want %d", got, threads)
		}
		if got := count(t, db, `SELECT COUNT(*) FROM posts`); got != posts {
			t.Errorf("posts = %d, want %d (questions included)", got, posts)
		}
		if got := count(t, db, `SELECT COUNT(*) FROM posts WHERE is_question = 1`); got != threads {
			t.Errorf("questions = %d, want one per thread", got)
		}
		if got := count(t, db, `SELECT COUNT(*) FROM post_revisions WHERE revision = 1`); got != posts {
			t.Errorf("revisions = %d, want one per post", got)
		}
		if res.Threads != threads || res.Posts != posts || res.Replies != posts-threads {
			t.Errorf("result = %+v", res)
		}
		if got := count(t, db, `SELECT COUNT(*) FROM kudos`); got != int64(res.Kudos) || got == 0 {
			t.Errorf("kudos rows = %d, result says %d", got, res.Kudos)
		}
		if got := count(t, db, `SELECT COUNT(*) FROM users`); got != int64(res.Members) {
			t.Errorf("users = %d, result says %d", got, res.Members)
		}
		if len(progress) != 4 || progress[len(progress)-1] != posts || !slices.IsSorted(progress) {
			t.Errorf("progress calls = %v, want 4 rising to %d", progress, posts)
		}
	})

	t.Run("thread counters", func(t *testing.T) {
		if got := count(t, db, `SELECT SUM(reply_count) + COUNT(*) FROM threads`); got != posts {
			t.Errorf("SUM(reply_count) + threads = %d, want posts = %d", got, posts)
		}
		checks := map[string]string{
			"reply_count":      `SELECT COUNT(*) FROM threads t WHERE reply_count <> (SELECT COUNT(*) FROM posts p WHERE p.thread_id = t.id AND p.is_question = 0)`,
			"last_activity_at": `SELECT COUNT(*) FROM threads t WHERE last_activity_at <> (SELECT MAX(created_at) FROM posts p WHERE p.thread_id = t.id)`,
			"first_reply_at": `SELECT COUNT(*) FROM threads t WHERE COALESCE(first_reply_at, -1) <> COALESCE((SELECT MIN(created_at) FROM posts p
WHERE p.thread_id = t.id AND p.is_question = 0 AND p.author_id <> t.author_id), -1)`,
			"first_peer_reply_at": `SELECT COUNT(*) FROM threads WHERE COALESCE(first_peer_reply_at, -1) <> COALESCE(first_reply_at, -1)`,
			"accepted_post_id": `SELECT COUNT(*) FROM threads t WHERE accepted_post_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM posts p
WHERE p.id = t.accepted_post_id AND p.thread_id = t.id AND p.is_question = 0 AND p.author_id <> t.author_id)`,
			"question author":   `SELECT COUNT(*) FROM threads t WHERE author_id <> (SELECT author_id FROM posts p WHERE p.thread_id = t.id AND p.is_question = 1)`,
			"kudos_count":       `SELECT COUNT(*) FROM posts p WHERE kudos_count <> (SELECT COUNT(*) FROM kudos k WHERE k.post_id = p.id)`,
			"self kudos":        `SELECT COUNT(*) FROM kudos k JOIN posts p ON p.id = k.post_id WHERE k.user_id = p.author_id`,
			"kudos before post": `SELECT COUNT(*) FROM kudos k JOIN posts p ON p.id = k.post_id WHERE k.created_at < p.created_at`,
			"cross-brand":       `SELECT COUNT(*) FROM posts p JOIN users u ON u.id = p.author_id JOIN threads t ON t.id = p.thread_id WHERE u.brand_id <> p.brand_id OR t.brand_id <> p.brand_id`,
			"revision body":     `SELECT COUNT(*) FROM posts p JOIN post_revisions r ON r.post_id = p.id WHERE r.body_md <> p.body_md OR r.body_html <> p.body_html OR r.editor_id <> p.author_id`,
			"question title":    `SELECT COUNT(*) FROM post_revisions r JOIN posts p ON p.id = r.post_id JOIN threads t ON t.id = p.thread_id WHERE p.is_question = 1 AND r.title <> t.title`,
			"slug":              `SELECT COUNT(*) FROM threads WHERE slug = ''`,
		}
		for name, q := range checks {
			if n := count(t, db, q); n != 0 {
				t.Errorf("%s: %d inconsistent rows", name, n)
			}
		}
		if n := count(t, db, `SELECT COUNT(*) FROM threads WHERE accepted_post_id IS NOT NULL`); n != int64(res.Accepted) || n == 0 {
			t.Errorf("accepted threads = %d, result says %d", n, res.Accepted)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM threads WHERE first_reply_at IS NULL`); n != int64(res.Unanswered) || n == 0 {
			t.Errorf("unanswered threads = %d, result says %d (want some)", n, res.Unanswered)
		}
	})

	t.Run("board counters", func(t *testing.T) {
		q := `SELECT COUNT(*) FROM boards b WHERE thread_count <> (SELECT COUNT(*) FROM threads t WHERE t.board_id = b.id)
OR post_count <> (SELECT COUNT(*) FROM posts p JOIN threads t ON t.id = p.thread_id WHERE t.board_id = b.id)
OR last_activity_at <> (SELECT MAX(last_activity_at) FROM threads t WHERE t.board_id = b.id)`
		if n := count(t, db, q); n != 0 {
			t.Errorf("%d boards with wrong counters", n)
		}
		if n := count(t, db, `SELECT SUM(thread_count) FROM boards`); n != threads {
			t.Errorf("board thread counts sum to %d", n)
		}
	})

	t.Run("reputation ledger", func(t *testing.T) {
		if n := count(t, db, `SELECT COUNT(*) FROM users u WHERE reputation <> COALESCE((SELECT SUM(delta) FROM reputation_events e WHERE e.user_id = u.id), 0)`); n != 0 {
			t.Errorf("%d users whose reputation is not their ledger sum", n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM reputation_events WHERE reason = 'kudos_received'`); n != int64(res.Kudos) {
			t.Errorf("kudos events = %d, want one per kudos (%d)", n, res.Kudos)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM reputation_events WHERE reason IN ('answer_accepted', 'accepted_answer')`); n != 2*int64(res.Accepted) {
			t.Errorf("accept events = %d, want two per accepted answer (%d)", n, 2*res.Accepted)
		}
		// The daily kudos cap holds per member per UTC day.
		if n := count(t, db, `SELECT COUNT(*) FROM (SELECT user_id, created_at / 86400000 AS d, SUM(delta) AS s FROM reputation_events
WHERE reason = 'kudos_received' GROUP BY user_id, d HAVING s > 200)`); n != 0 {
			t.Errorf("%d member-days over the kudos cap", n)
		}
		if n := count(t, db, `SELECT MAX(reputation) FROM users`); n <= 0 {
			t.Errorf("nobody earned reputation")
		}
	})

	t.Run("skew", func(t *testing.T) {
		members := count(t, db, `SELECT COUNT(*) FROM users WHERE password_hash = ''`)
		rows, err := db.Query(context.Background(), `SELECT COUNT(*) FROM posts WHERE is_question = 0 GROUP BY author_id`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var per []int64
		var total int64
		for rows.Next() {
			var n int64
			if err := rows.Scan(&n); err != nil {
				t.Fatal(err)
			}
			per = append(per, n)
			total += n
		}
		sort.Slice(per, func(i, j int) bool { return per[i] > per[j] })
		var top int64
		for _, n := range per[:members/10] {
			top += n
		}
		if share := float64(top) / float64(total); share <= 0.5 {
			t.Errorf("top 10%% of %d members wrote %.0f%% of answers, want > 50%%", members, 100*share)
		}
		views := count(t, db, `SELECT SUM(view_count) FROM threads`)
		topViews := count(t, db, `SELECT SUM(view_count) FROM (SELECT view_count FROM threads ORDER BY view_count DESC LIMIT ?)`, threads/10)
		if share := float64(topViews) / float64(views); share <= 0.4 {
			t.Errorf("top 10%% of threads got %.0f%% of views, want a long tail (> 40%%)", 100*share)
		}
	})

	t.Run("time to first answer", func(t *testing.T) {
		rows, err := db.Query(context.Background(), `SELECT first_reply_at - created_at FROM threads WHERE first_reply_at IS NOT NULL ORDER BY 1`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var d []int64
		for rows.Next() {
			var v int64
			if err := rows.Scan(&v); err != nil {
				t.Fatal(err)
			}
			d = append(d, v)
		}
		median := time.Duration(d[len(d)/2]) * time.Millisecond
		p90 := time.Duration(d[len(d)*9/10]) * time.Millisecond
		if median < 3*time.Hour || median > 14*time.Hour {
			t.Errorf("median time to first answer %s, want about 6.6h", median)
		}
		if p90 < 3*24*time.Hour {
			t.Errorf("p90 time to first answer %s, want a long tail (days)", p90)
		}
		end := synth.DefaultEnd.UnixMilli()
		if n := count(t, db, `SELECT COUNT(*) FROM posts WHERE created_at >= ?`, end) + count(t, db, `SELECT COUNT(*) FROM kudos WHERE created_at >= ?`, end); n != 0 {
			t.Errorf("%d posts or kudos after the end of the data", n)
		}
	})

	t.Run("bodies rendered", func(t *testing.T) {
		md := markup.NewRenderer()
		rows, err := db.Query(context.Background(), `SELECT body_md, body_html FROM posts WHERE id % 97 = 0`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		n := 0
		for rows.Next() {
			var src, html string
			if err := rows.Scan(&src, &html); err != nil {
				t.Fatal(err)
			}
			want, err := md.Render(context.Background(), src)
			if err != nil {
				t.Fatal(err)
			}
			if html != want {
				t.Fatalf("body_html of %q is %q, want %q", src, html, want)
			}
			n++
		}
		if n < 50 {
			t.Errorf("only %d posts sampled", n)
		}
	})

	t.Run("bench members sign in", func(t *testing.T) {
		brand, err := forum.NewBrands(db, time.Now).Default(context.Background())
		if err != nil || brand.Host != "localhost" {
			t.Fatalf("default brand %+v, %v", brand, err)
		}
		m := account.NewMembers(db, time.Now)
		last := res.BenchUsernames[len(res.BenchUsernames)-1]
		if len(res.BenchUsernames) != synth.DefaultBenchMembers || last != fmt.Sprintf("bench%d", synth.DefaultBenchMembers) {
			t.Fatalf("bench members %v", res.BenchUsernames)
		}
		if _, err := m.Authenticate(context.Background(), brand.ID, last, synth.DefaultBenchPassword); err != nil {
			t.Errorf("%s cannot sign in: %v", last, err)
		}
		if _, err := m.Authenticate(context.Background(), brand.ID, "bench1", "wrong-password-123"); !errors.Is(err, fault.ErrBadCredentials) {
			t.Errorf("wrong password: %v", err)
		}
	})

	t.Run("refuses a database with threads", func(t *testing.T) {
		_, err := synth.Generate(context.Background(), db, markup.NewRenderer(), synth.Options{Threads: 1, Posts: 1})
		if !errors.Is(err, synth.ErrNotEmpty) {
			t.Errorf("second run: %v, want ErrNotEmpty", err)
		}
	})
}

// checksum hashes a sample of every generated table (every column a seed
// decides; password hashes have random salts and are left out).
func checksum(t *testing.T, db *sqldb.DB) string {
	t.Helper()
	queries := []string{
		`SELECT id, host, name, created_at FROM brands ORDER BY id`,
		`SELECT id, brand_id, slug, name, thread_count, post_count, last_activity_at FROM boards ORDER BY id`,
		`SELECT id, brand_id, username, reputation, created_at FROM users WHERE id % 3 = 0 ORDER BY id`,
		`SELECT id, board_id, author_id, title, slug, created_at, last_activity_at, reply_count, COALESCE(accepted_post_id, 0),
COALESCE(first_reply_at, 0), view_count FROM threads WHERE id % 5 = 0 ORDER BY id`,
		`SELECT id, thread_id, author_id, is_question, body_md, body_html, created_at, kudos_count FROM posts WHERE id % 7 = 0 ORDER BY id`,
		`SELECT post_id, user_id, created_at FROM kudos WHERE post_id % 3 = 0 ORDER BY post_id, user_id`,
		`SELECT id, user_id, delta, reason, COALESCE(post_id, 0), COALESCE(actor_id, 0), created_at FROM reputation_events WHERE id % 4 = 0 ORDER BY id`,
	}
	h := sha256.New()
	for _, q := range queries {
		rows, err := db.Query(context.Background(), q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		n := 0
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(h, "%v\n", vals)
			n++
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
		if n == 0 {
			t.Fatalf("no rows sampled by %s", q)
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

func tableCounts(t *testing.T, db *sqldb.DB) map[string]int64 {
	out := map[string]int64{}
	for _, tbl := range []string{"brands", "boards", "users", "threads", "posts", "post_revisions", "kudos", "reputation_events"} {
		out[tbl] = count(t, db, `SELECT COUNT(*) FROM `+tbl)
	}
	return out
}

func TestDeterministic(t *testing.T) {
	o := synth.Options{Threads: 300, Posts: 2100, Seed: 42, Brands: 2, BatchThreads: 128}
	a, _ := generate(t, o)
	o.BatchThreads = 77 // batching must not change the data
	b, _ := generate(t, o)
	o.Seed = 43
	c, _ := generate(t, o)

	ca, cb, cc := tableCounts(t, a), tableCounts(t, b), tableCounts(t, c)
	for tbl, n := range ca {
		if cb[tbl] != n {
			t.Errorf("%s: %d rows, then %d with the same seed", tbl, n, cb[tbl])
		}
	}
	if ca["threads"] != 300 || cc["threads"] != 300 || ca["posts"] != 2100 || cc["posts"] != 2100 || ca["brands"] != 2 {
		t.Errorf("counts %v / %v", ca, cc)
	}
	sa, sb, sc := checksum(t, a), checksum(t, b), checksum(t, c)
	if sa != sb {
		t.Errorf("same seed, different data: %s vs %s", sa, sb)
	}
	if sa == sc {
		t.Errorf("seeds 42 and 43 wrote identical data")
	}
	// Both brands got threads, and each thread's board is in its brand.
	for _, brand := range []int64{1, 2} {
		if n := count(t, a, `SELECT COUNT(*) FROM threads WHERE brand_id = ?`, brand); n < 100 {
			t.Errorf("brand %d has %d threads", brand, n)
		}
	}
	if n := count(t, a, `SELECT COUNT(*) FROM threads t JOIN boards b ON b.id = t.board_id WHERE b.brand_id <> t.brand_id`); n != 0 {
		t.Errorf("%d threads on another brand's board", n)
	}
}

func TestOptionsValidated(t *testing.T) {
	db := openDB(t)
	for _, o := range []synth.Options{
		{Threads: 0, Posts: 10},
		{Threads: 10, Posts: 9},
		{Threads: 10, Posts: 10 + 101*10},
		{Threads: 10, Posts: 20, Brands: 11},
		{Threads: 10, Posts: 20, BenchPassword: "short"},
	} {
		if _, err := synth.Generate(context.Background(), db, markup.NewRenderer(), o); err == nil {
			t.Errorf("Generate(%+v) accepted bad options", o)
		}
	}
	// Questions only: every thread unanswered, still consistent.
	res, err := synth.Generate(context.Background(), db, markup.NewRenderer(), synth.Options{Threads: 5, Posts: 5, BenchMembers: -1})
	if err != nil {
		t.Fatal(err)
	}
	if res.Unanswered != 5 || count(t, db, `SELECT COUNT(*) FROM posts`) != 5 || len(res.BenchUsernames) != 0 {
		t.Errorf("questions-only run: %+v", res)
	}
}

// A generated community's full-text indexes are merged into one segment
// each, so the server's first writes do not merge the bulk load's segments
// inside the single writer.
func TestGeneratedSearchIndexesAreMerged(t *testing.T) {
	db, _ := generate(t, synth.Options{Threads: 1500, Posts: 12000, Seed: 3, BatchThreads: 300})
	for _, segdir := range []string{"post_search_segdir", "post_search_thread_segdir"} {
		if got := count(t, db, `SELECT COUNT(*) FROM `+segdir); got != 1 {
			t.Errorf("%s holds %d segments, want 1", segdir, got)
		}
	}
}
