package search

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"mutual/forum"
	"mutual/sqldb"
)

// The thread search index (post_search_thread, migration 00012) holds one
// document per visible thread: title, question and accepted answer. This
// file keeps it in step with the forum, through Service.Hook:
//
//   - asking and replying queue the thread on SQLite (a batch indexer builds
//     the document, as migration 00005 does for post_search) and rebuild it
//     at once on PostgreSQL;
//   - edits, accepted answers and every moderation act rebuild it inside the
//     changing transaction, so hidden or deleted content leaves the index in
//     the same commit that hides it.
//
// A rebuild reads only visible rows, so a thread whose question is not
// visible has no document at all.

// indexHook keeps the thread's document in step with the change (see above).
func (s *Service) indexHook(ctx context.Context, tx *sqldb.Tx, ev forum.Event) error {
	if ev.ThreadID == 0 {
		return nil // e.g. moderation.user_suspended: no single thread changed
	}
	switch {
	case ev.Kind == forum.ThreadAsked || ev.Kind == forum.PostReplied:
		if ev.Kind == forum.PostReplied {
			if first, err := answeredNow(ctx, tx, ev); err != nil || !first {
				return err
			}
		}
		if tx.Dialect() == sqldb.SQLite {
			_, err := tx.Exec(ctx, `INSERT INTO post_search_queue (thread_id) VALUES (?) ON CONFLICT (thread_id) DO NOTHING`, ev.ThreadID)
			return err
		}
		return rebuildThreadDocs(ctx, tx, []int64{ev.ThreadID})
	case ev.Kind == forum.AnswerAccepted || ev.Kind == forum.AnswerWithdrawn:
		s.cache.noteSolved(ev.BrandID, ev.ThreadID, ev.Kind == forum.AnswerAccepted)
		return rebuildThreadDocs(ctx, tx, []int64{ev.ThreadID})
	case ev.Kind == forum.PostEdited ||
		strings.HasPrefix(string(ev.Kind), "moderation."):
		return rebuildThreadDocs(ctx, tx, []int64{ev.ThreadID})
	}
	return nil
}

// answeredNow reports whether the reply ev answered its thread, the one
// change a reply makes to the thread's document (answered, not the replies'
// text: posts are indexed apart). Later replies leave the document as it
// is; queueing, and on PostgreSQL rebuilding, it for each of them cost a
// busy thread's every reply for nothing.
func answeredNow(ctx context.Context, tx *sqldb.Tx, ev forum.Event) (bool, error) {
	var first int64
	err := tx.QueryRow(ctx, `SELECT COALESCE(first_reply_at, 0) FROM threads WHERE id = ?`, ev.ThreadID).Scan(&first)
	return first == sqldb.Millis(ev.At), err
}

// rebuildThreadDocs replaces the search documents of the given threads with
// what they now show: nothing for a thread that is not visible.
func rebuildThreadDocs(ctx context.Context, q sqldb.Querier, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	if q.Dialect() == sqldb.SQLite {
		return rebuildThreadDocsSQLite(ctx, q, ids)
	}
	in, args := sqldb.InList(ids)
	del := `DELETE FROM post_search_thread WHERE thread_id IN (` + in + `)`
	ins := `INSERT INTO post_search_thread (thread_id, brand_id, board_id, solved, answered, created_at, doc)
SELECT t.id, t.brand_id, t.board_id, CASE WHEN a.id IS NULL THEN 0 ELSE 1 END,
       CASE WHEN t.first_reply_at IS NULL THEN 0 ELSE 1 END, t.created_at,
       setweight(to_tsvector('english', t.title), 'A') || setweight(to_tsvector('english', q.body_md), 'B')
       || setweight(to_tsvector('english', COALESCE(a.body_md, '')), 'C')
FROM threads t
JOIN posts q ON q.thread_id = t.id AND q.is_question = 1 AND q.status = 'visible'
LEFT JOIN posts a ON a.id = t.accepted_post_id AND a.status = 'visible'
WHERE t.id IN (` + in + `) AND t.status = 'visible'`
	if _, err := q.Exec(ctx, del, args...); err != nil {
		return fmt.Errorf("search: drop search documents: %w", err)
	}
	if _, err := q.Exec(ctx, ins, args...); err != nil {
		return fmt.Errorf("search: build search documents: %w", err)
	}
	return nil
}

// sqliteDocs is each thread's document as it should be: title, question,
// accepted answer and the filter tags, for visible threads only.
const sqliteDocs = `SELECT t.id AS id, t.brand_id AS brand_id, t.title AS title, q.body_md AS question, COALESCE(a.body_md, '') AS answer,
       '_b' || t.board_id || CASE WHEN a.id IS NULL THEN ' _unsolved' ELSE ' _solved' END
       || CASE WHEN t.first_reply_at IS NULL THEN ' _unanswered' ELSE ' _answered' END AS tags
FROM threads t
JOIN posts q ON q.thread_id = t.id AND q.is_question = 1 AND q.status = 'visible'
LEFT JOIN posts a ON a.id = t.accepted_post_id AND a.status = 'visible'
WHERE t.id IN (%s) AND t.status = 'visible'`

// rebuildThreadDocsSQLite rewrites only the documents that differ from what
// they should be (most replies change nothing a document holds), and logs
// each rewritten thread in post_search_changes for the word lists.
func rebuildThreadDocsSQLite(ctx context.Context, q sqldb.Querier, ids []int64) error {
	in, args := sqldb.InList(ids)
	docs := fmt.Sprintf(sqliteDocs, in)
	stale, err := sqldb.Int64s(q.Query(ctx, `WITH d AS (`+docs+`)
SELECT id FROM d WHERE NOT EXISTS (SELECT 1 FROM post_search_thread o WHERE o.docid = d.id AND o.brand_id = d.brand_id
  AND o.title = d.title AND o.question = d.question AND o.answer = d.answer AND o.tags = d.tags)
UNION
SELECT docid FROM post_search_thread WHERE docid IN (`+in+`) AND docid NOT IN (SELECT id FROM d)`, append(args, args...)...))
	if err != nil {
		return fmt.Errorf("search: compare search documents: %w", err)
	}
	if len(stale) == 0 {
		return nil
	}
	in, args = sqldb.InList(stale)
	if _, err := q.Exec(ctx, `DELETE FROM post_search_thread WHERE docid IN (`+in+`)`, args...); err != nil {
		return fmt.Errorf("search: drop search documents: %w", err)
	}
	if _, err := q.Exec(ctx, `INSERT INTO post_search_thread (docid, brand_id, title, question, answer, tags)
SELECT id, brand_id, title, question, answer, tags FROM (`+fmt.Sprintf(sqliteDocs, in)+`)`, args...); err != nil {
		return fmt.Errorf("search: build search documents: %w", err)
	}
	if _, err := q.Exec(ctx, `INSERT INTO post_search_changes (thread_id) SELECT value FROM json_each(?)`, int64sJSON(stale)); err != nil {
		return fmt.Errorf("search: log search changes: %w", err)
	}
	return nil
}

func int64sJSON(ids []int64) string {
	b := make([]byte, 0, 8*len(ids)+2)
	b = append(b, '[')
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, id, 10)
	}
	return string(append(b, ']'))
}

// indexQueuedThreads builds the documents of up to limit queued threads in
// one transaction and returns how many it built.
func indexQueuedThreads(ctx context.Context, db *sqldb.DB, limit int) (int, error) {
	var waiting int
	if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM (SELECT thread_id FROM post_search_queue LIMIT 1) x`).Scan(&waiting); err != nil {
		return 0, fmt.Errorf("search: search queue: %w", err)
	}
	if waiting == 0 {
		return 0, nil
	}
	var n int
	err := db.InTx(ctx, func(tx *sqldb.Tx) error {
		n = 0
		lock := ""
		if tx.Dialect() == sqldb.Postgres {
			lock = " FOR UPDATE SKIP LOCKED"
		}
		ids, err := sqldb.Int64s(tx.Query(ctx, `SELECT thread_id FROM post_search_queue ORDER BY thread_id LIMIT ?`+lock, limit))
		if err != nil {
			return err
		}
		for len(ids) > 0 {
			chunk := ids[:min(len(ids), 500)] // keep each statement's parameter list short
			ids = ids[len(chunk):]
			if err := rebuildThreadDocs(ctx, tx, chunk); err != nil {
				return err
			}
			in, args := sqldb.InList(chunk)
			if _, err := tx.Exec(ctx, `DELETE FROM post_search_queue WHERE thread_id IN (`+in+`)`, args...); err != nil {
				return err
			}
			n += len(chunk)
		}
		if n == 0 || tx.Dialect() != sqldb.SQLite {
			return nil
		}
		// The word lists need only the recent changes (postings.go).
		_, err = tx.Exec(ctx, `DELETE FROM post_search_changes WHERE seq <= (SELECT MAX(seq) FROM post_search_changes) - ?`, keepChangeLog)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("search: index queued threads: %w", err)
	}
	return n, nil
}

// Rebuild queues every thread for a fresh search document, for
// commands that copy a whole community (migrate-store); the next
// IndexAll, background indexer run or search builds them.
func Rebuild(ctx context.Context, q sqldb.Querier) error {
	_, err := q.Exec(ctx, `INSERT INTO post_search_queue (thread_id) SELECT id FROM threads WHERE true ON CONFLICT (thread_id) DO NOTHING`)
	if err != nil {
		return fmt.Errorf("search: queue search rebuild: %w", err)
	}
	return nil
}

// catchUp bounds the indexing a search does before it reads; a larger
// backlog (after an import, say) is the background indexer's work.
const catchUp = 500

// Index brings the search indexes up to date by at most limit posts
// and limit threads, each in one transaction, and returns how many it
// indexed. Posts reach SQLite's post_search (the reply tier) in batches
// rather than each in its own transaction because every FTS insert writes a
// segment, and merging many small segments stalled writers; queued threads
// get their ranked document (see search_index.go) on both dialects.
func Index(ctx context.Context, db *sqldb.DB, limit int) (int, error) {
	threads, err := indexQueuedThreads(ctx, db, limit)
	if err != nil {
		return threads, err
	}
	if db.Dialect() != sqldb.SQLite {
		return threads, nil
	}
	posts, err := indexPosts(ctx, db, limit)
	return threads + posts, err
}

// indexedUpto is the settings key of the highest post id in post_search.
const indexedUpto = "search_indexed_upto"

// watermark reads the highest post id already in post_search.
func watermark(ctx context.Context, q sqldb.Querier) (int64, error) {
	v, err := forum.Setting(ctx, q, indexedUpto)
	if err != nil {
		return 0, err
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("search: watermark %q: %w", v, err)
	}
	return n, nil
}

func indexPosts(ctx context.Context, db *sqldb.DB, limit int) (int, error) {
	// Two cheap reads decide whether a write is needed at all.
	var last int64
	upto, err := watermark(ctx, db)
	if err != nil {
		return 0, fmt.Errorf("search: search watermark: %w", err)
	}
	if err := db.QueryRow(ctx, `SELECT COALESCE(MAX(id), 0) FROM posts`).Scan(&last); err != nil {
		return 0, fmt.Errorf("search: last post: %w", err)
	}
	if last <= upto {
		return 0, nil
	}
	var added int
	err = db.InTx(ctx, func(tx *sqldb.Tx) error {
		added = 0
		var to int64
		from, err := watermark(ctx, tx)
		if err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(id), ?) FROM (SELECT id FROM posts WHERE id > ? ORDER BY id LIMIT ?)`,
			from, from, limit).Scan(&to); err != nil {
			return err
		}
		if to == from {
			return nil
		}
		_, err = tx.Exec(ctx, `INSERT INTO post_search (docid, title, body)
SELECT p.id, CASE WHEN p.is_question = 1 THEN t.title ELSE '' END, p.body_md
FROM posts p JOIN threads t ON t.id = p.thread_id WHERE p.id > ? AND p.id <= ?`, from, to)
		if err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM posts WHERE id > ? AND id <= ?`, from, to).Scan(&added); err != nil {
			return err
		}
		return forum.SetSetting(ctx, tx, indexedUpto, strconv.FormatInt(to, 10))
	})
	if err != nil {
		return 0, fmt.Errorf("search: index posts for search: %w", err)
	}
	return added, nil
}

// IndexAll indexes every pending post and (re)builds every thread's
// document, batch by batch, for commands that write many rows directly (the
// importer, the generator, migrate-store). After a large batch it merges
// each full-text index's segments into one: every search reads every
// segment, and FTS4 merges a level's segments inside whichever insert fills
// it. Left to the server, the bulk load's two dozen segments were merged by
// the first replies' index batches, in the single writer: posting's p99 on
// a freshly generated million posts was 450-780 ms for its first seconds,
// 29 ms once merged here (2.5 s for a million posts).
func IndexAll(ctx context.Context, db *sqldb.DB) (int, error) {
	// Bulk writers insert rows directly, past the event hooks: every thread
	// gets a fresh document.
	if err := Rebuild(ctx, db); err != nil {
		return 0, err
	}
	total := 0
	for {
		n, err := Index(ctx, db, 20000)
		total += n
		if err != nil {
			return total, err
		}
		if n == 0 {
			break
		}
	}
	if total >= 10000 && db.Dialect() == sqldb.SQLite {
		for _, fts := range []string{"post_search", "post_search_thread"} {
			if _, err := db.Exec(ctx, `INSERT INTO `+fts+` (`+fts+`) VALUES ('optimize')`); err != nil {
				return total, fmt.Errorf("search: merge %s: %w", fts, err)
			}
		}
	}
	return total, nil
}
