package forum

import (
	"context"
	"fmt"
	"time"

	"mutual/sqldb"
)

// SitemapEntry is one thread URL in a sitemap.
type SitemapEntry struct {
	ID      int64
	Slug    string
	LastMod time.Time
}

// SitemapPageSize is how many thread ids one sitemap file covers. Files are
// id ranges, so finding a file's threads is one index range scan and the
// index file needs only the brand's highest thread id.
const SitemapPageSize = 20000

// MaxThreadID is the brand's highest thread id (0 with none).
func (s *Service) MaxThreadID(ctx context.Context, brandID int64) (int64, error) {
	var n int64
	if err := s.db.QueryRow(ctx, `SELECT COALESCE(MAX(id), 0) FROM threads WHERE brand_id = ?`, brandID).Scan(&n); err != nil {
		return 0, fmt.Errorf("forum: max thread id: %w", err)
	}
	return n, nil
}

// SitemapThreads lists the brand's visible threads with ids in (after, upto].
func (s *Service) SitemapThreads(ctx context.Context, brandID, after, upto int64) ([]SitemapEntry, error) {
	rows, err := s.db.Query(ctx, `SELECT id, slug, last_activity_at FROM threads
WHERE id > ? AND id <= ? AND brand_id = ? AND status = 'visible' ORDER BY id`, after, upto, brandID)
	if err != nil {
		return nil, fmt.Errorf("forum: sitemap threads: %w", err)
	}
	defer rows.Close()
	var out []SitemapEntry
	for rows.Next() {
		var e SitemapEntry
		var at int64
		if err := rows.Scan(&e.ID, &e.Slug, &at); err != nil {
			return nil, err
		}
		e.LastMod = sqldb.Time(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

// FeedEntry is a thread in a feed, with its question's sanitised HTML.
type FeedEntry struct {
	Thread       Thread
	QuestionHTML string
}

// FeedThreads lists the brand's newest visible threads, optionally in one
// board and optionally only those nobody has answered yet.
func (s *Service) FeedThreads(ctx context.Context, brandID, boardID int64, unanswered bool, limit int) ([]FeedEntry, error) {
	where := ""
	args := []any{brandID}
	if boardID != 0 {
		where += " AND t.board_id = ?"
		args = append(args, boardID)
	}
	if unanswered {
		where += " AND t.first_reply_at IS NULL"
	}
	args = append(args, limit)
	rows, err := s.db.Query(ctx, `SELECT `+threadCols+`, q.body_html FROM threads t JOIN users u ON u.id = t.author_id
JOIN posts q ON q.thread_id = t.id AND q.is_question = 1 AND q.status = 'visible'
WHERE t.brand_id = ? AND t.status = 'visible'`+where+` ORDER BY t.created_at DESC, t.id DESC LIMIT ?`, args...)
	if err != nil {
		return nil, fmt.Errorf("forum: feed threads: %w", err)
	}
	defer rows.Close()
	var out []FeedEntry
	for rows.Next() {
		var e FeedEntry
		t, err := scanThreadWith(rows, &e.QuestionHTML)
		if err != nil {
			return nil, err
		}
		e.Thread = t
		out = append(out, e)
	}
	return out, rows.Err()
}
