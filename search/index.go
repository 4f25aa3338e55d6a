package forum

import (
	"context"
	"fmt"
	"strings"

	"mutual/sqldb"
)

// The thread search index (post_search_thread, migration 00012) holds one
// document per visible thread: title, question and accepted answer. This
// file keeps it in step with the forum:
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

// searchHook is subscribed by NewService.
func (s *Service) searchHook(ctx context.Context, tx *sqldb.Tx, ev Event) error {
	if ev.ThreadID == 0 {
		return nil // e.g. moderation.user_suspended: no single thread changed
	}
	switch {
	case ev.Kind == ThreadAsked || ev.Kind == PostReplied:
		if tx.Dialect() == sqldb.SQLite {
			_, err := tx.Exec(ctx, `INSERT INTO post_search_queue (thread_id) VALUES (?) ON CONFLICT (thread_id) DO NOTHING`, ev.ThreadID)
			return err
		}
		return rebuildThreadDocs(ctx, tx, []int64{ev.ThreadID})
	case ev.Kind == AnswerAccepted || ev.Kind == AnswerWithdrawn:
		s.search.noteSolved(ev.BrandID, ev.ThreadID, ev.Kind == AnswerAccepted)
		return rebuildThreadDocs(ctx, tx, []int64{ev.ThreadID})
	case ev.Kind == PostEdited ||
		strings.HasPrefix(string(ev.Kind), "moderation."):
		return rebuildThreadDocs(ctx, tx, []int64{ev.ThreadID})
	}
	return nil
}

func idPlaceholders(ids []int64) (string, []any) {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return strings.TrimSuffix(strings.Repeat("?,", len(ids)), ","), args
}

// rebuildThreadDocs replaces the search documents of the given threads with
// what they now show: nothing for a thread that is not visible.
func rebuildThreadDocs(ctx context.Context, q sqldb.Querier, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	in, args := idPlaceholders(ids)
	var del, ins string
	if q.Dialect() == sqldb.Postgres {
		del = `DELETE FROM post_search_thread WHERE thread_id IN (` + in + `)`
		ins = `INSERT INTO post_search_thread (thread_id, brand_id, board_id, solved, answered, created_at, doc)
SELECT t.id, t.brand_id, t.board_id, CASE WHEN a.id IS NULL THEN 0 ELSE 1 END,
       CASE WHEN t.first_reply_at IS NULL THEN 0 ELSE 1 END, t.created_at,
       setweight(to_tsvector('english', t.title), 'A') || setweight(to_tsvector('english', q.body_md), 'B')
       || setweight(to_tsvector('english', COALESCE(a.body_md, '')), 'C')
FROM threads t
JOIN posts q ON q.thread_id = t.id AND q.is_question = 1 AND q.status = 'visible'
LEFT JOIN posts a ON a.id = t.accepted_post_id AND a.status = 'visible'
WHERE t.id IN (` + in + `) AND t.status = 'visible'`
	} else {
		del = `DELETE FROM post_search_thread WHERE docid IN (` + in + `)`
		ins = `INSERT INTO post_search_thread (docid, brand_id, title, question, answer, tags)
SELECT t.id, t.brand_id, t.title, q.body_md, COALESCE(a.body_md, ''),
       '_b' || t.board_id || CASE WHEN a.id IS NULL THEN ' _unsolved' ELSE ' _solved' END
       || CASE WHEN t.first_reply_at IS NULL THEN ' _unanswered' ELSE ' _answered' END
FROM threads t
JOIN posts q ON q.thread_id = t.id AND q.is_question = 1 AND q.status = 'visible'
LEFT JOIN posts a ON a.id = t.accepted_post_id AND a.status = 'visible'
WHERE t.id IN (` + in + `) AND t.status = 'visible'`
	}
	if _, err := q.Exec(ctx, del, args...); err != nil {
		return fmt.Errorf("forum: drop search documents: %w", err)
	}
	if _, err := q.Exec(ctx, ins, args...); err != nil {
		return fmt.Errorf("forum: build search documents: %w", err)
	}
	return nil
}

// indexQueuedThreads builds the documents of up to limit queued threads in
// one transaction and returns how many it built.
func indexQueuedThreads(ctx context.Context, db *sqldb.DB, limit int) (int, error) {
	var waiting int
	if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM (SELECT thread_id FROM post_search_queue LIMIT 1) x`).Scan(&waiting); err != nil {
		return 0, fmt.Errorf("forum: search queue: %w", err)
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
			in, args := idPlaceholders(chunk)
			if _, err := tx.Exec(ctx, `DELETE FROM post_search_queue WHERE thread_id IN (`+in+`)`, args...); err != nil {
				return err
			}
			n += len(chunk)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("forum: index queued threads: %w", err)
	}
	return n, nil
}

// RebuildSearch queues every thread for a fresh search document, for
// commands that copy a whole community (migrate-store); the next
// IndexAllSearch, background indexer run or search builds them.
func RebuildSearch(ctx context.Context, q sqldb.Querier) error {
	_, err := q.Exec(ctx, `INSERT INTO post_search_queue (thread_id) SELECT id FROM threads WHERE true ON CONFLICT (thread_id) DO NOTHING`)
	if err != nil {
		return fmt.Errorf("forum: queue search rebuild: %w", err)
	}
	return nil
}
