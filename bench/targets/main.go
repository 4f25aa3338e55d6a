// Command targets picks what the load bench requests from a generated
// database and prints it as shell assignments (eval "$(targets --data DIR)"):
// the default brand's biggest board, a thread with exactly 20 replies, threads
// to reply to, and a file of popular thread pages for the mixed run. With
// --count it prints the number of posts, so the bench can count committed
// replies rather than trust response codes alone; with --job NAME, how many
// times that background job has finished (0 when it never ran); with
// --backlog, how much of the work a server does in the background on a bulk
// load is still to do (posts whose signals are unread, threads the radar has
// not grouped or whose language is unknown), so the bench measures a server
// that has caught up, as a running one has.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"mutual/sqldb"
)

func main() {
	data := flag.String("data", "", "data directory holding mutual.db")
	reads := flag.String("reads", "", "write popular thread paths here, one per line")
	countOnly := flag.Bool("count", false, "print the number of posts and exit")
	job := flag.String("job", "", "print how many times this background job has run and exit")
	backlog := flag.Bool("backlog", false, "print how many posts and threads still wait for background work and exit")
	flag.Parse()
	if err := run(context.Background(), *data, *reads, *job, *countOnly, *backlog); err != nil {
		fmt.Fprintln(os.Stderr, "targets:", err)
		os.Exit(1)
	}
}

// backlogQuery counts what the server's background catch-up (signals, radar
// grouping, language labels) has still to do.
const backlogQuery = `SELECT
 (SELECT COUNT(*) FROM posts p WHERE NOT EXISTS (SELECT 1 FROM post_signals s WHERE s.post_id = p.id))
 + (SELECT COUNT(*) FROM threads t WHERE NOT EXISTS (SELECT 1 FROM radar_threads r WHERE r.thread_id = t.id))
 + (SELECT COUNT(*) FROM threads WHERE language = '')`

func run(ctx context.Context, data, reads, job string, countOnly, backlog bool) error {
	if data == "" {
		return fmt.Errorf("--data is required")
	}
	db, err := sqldb.Open(ctx, filepath.Join(data, "mutual.db"))
	if err != nil {
		return err
	}
	defer db.Close()
	switch {
	case job != "":
		return printCount(ctx, db, `SELECT COALESCE(MAX(runs), 0) FROM jobs WHERE name = ?`, job)
	case countOnly:
		return printCount(ctx, db, `SELECT COUNT(*) FROM posts`)
	case backlog:
		return printCount(ctx, db, backlogQuery)
	}
	var brand int64
	if err := db.QueryRow(ctx, `SELECT id FROM brands WHERE is_default = 1`).Scan(&brand); err != nil {
		return fmt.Errorf("default brand: %w", err)
	}
	var boardID, boardThreads int64
	var boardSlug string
	if err := db.QueryRow(ctx, `SELECT id, slug, thread_count FROM boards WHERE brand_id = ? ORDER BY thread_count DESC, id LIMIT 1`,
		brand).Scan(&boardID, &boardSlug, &boardThreads); err != nil {
		return fmt.Errorf("board: %w", err)
	}
	var threadID int64
	var threadSlug string
	if err := db.QueryRow(ctx, `SELECT id, slug FROM threads WHERE brand_id = ? AND reply_count = 20 ORDER BY id LIMIT 1`,
		brand).Scan(&threadID, &threadSlug); err != nil {
		return fmt.Errorf("a thread with 20 replies: %w", err)
	}
	write, err := writeThreads(ctx, db, brand, threadID)
	if err != nil {
		return err
	}
	if reads != "" {
		if err := writeReadTargets(ctx, db, brand, reads); err != nil {
			return err
		}
	}
	fmt.Printf("BOARD_ID=%d\nBOARD_PATH=/b/%d/%s\nBOARD_THREADS=%d\n", boardID, boardID, boardSlug, boardThreads)
	fmt.Printf("THREAD_ID=%d\nTHREAD_PATH=/t/%d/%s\n", threadID, threadID, threadSlug)
	fmt.Printf("WRITE_THREADS=%s\n", strings.Join(write, ","))
	return nil
}

// writeThreads picks the threads replies go to: 64 spread over the id range,
// so writers touch different parts of the posts index as members would.
func writeThreads(ctx context.Context, db *sqldb.DB, brand, fallback int64) ([]string, error) {
	rows, err := db.Query(ctx, `SELECT id FROM threads WHERE brand_id = ? AND id % (SELECT MAX(1, COUNT(*) / 64) FROM threads) = 0
ORDER BY id LIMIT 64`, brand)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var write []string
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		write = append(write, fmt.Sprint(id))
	}
	if len(write) == 0 {
		write = []string{fmt.Sprint(fallback)}
	}
	return write, rows.Err()
}

// writeReadTargets writes the paths of the most viewed thousand threads to
// path: a few threads get most views.
func writeReadTargets(ctx context.Context, db *sqldb.DB, brand int64, path string) error {
	rows, err := db.Query(ctx, `SELECT id, slug FROM threads WHERE brand_id = ? ORDER BY view_count DESC, id LIMIT 1000`, brand)
	if err != nil {
		return err
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var id int64
		var slug string
		if err := rows.Scan(&id, &slug); err != nil {
			return err
		}
		fmt.Fprintf(&b, "/t/%d/%s\n", id, slug)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

// printCount prints the one number query returns.
func printCount(ctx context.Context, db *sqldb.DB, query string, args ...any) error {
	var n int64
	if err := db.QueryRow(ctx, query, args...).Scan(&n); err != nil {
		return err
	}
	fmt.Println(n)
	return nil
}
