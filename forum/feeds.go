package forum

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"mutual/fault"
	"mutual/sqldb"
)

// AskWindow is how long after opening a suggestion from the Ask page a
// member's new question still counts as "asked anyway". An open with no
// question from the same member within the window is a deflection at the
// moment of asking (docs/discovery.md, "Deflected at asking").
const AskWindow = 24 * time.Hour

// reopenQuiet is how long a second open of the same suggestion by the same
// member is folded into the first.
const reopenQuiet = time.Hour

// RecordSuggestionOpen notes that a member opened a similar solved thread the
// Ask page suggested. It returns the thread (for the redirect), fault.ErrNotFound
// for a thread the member cannot see, or fault.ErrUnauthenticated for a visitor.
func (s *Service) RecordSuggestionOpen(ctx context.Context, a Actor, threadID int64) (Thread, error) {
	if err := requireMember(a); err != nil {
		return Thread{}, err
	}
	t, err := s.visibleThread(ctx, a.BrandID, threadID)
	if err != nil {
		return Thread{}, err
	}
	now := s.now()
	key := strconv.FormatInt(a.UserID, 10)
	err = s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		var n int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM suggestion_opens
WHERE brand_id = ? AND viewer_key = ? AND thread_id = ? AND opened_at >= ? AND asked_thread_id IS NULL`,
			a.BrandID, key, threadID, ms(now.Add(-reopenQuiet))).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
		_, err := tx.Exec(ctx, `INSERT INTO suggestion_opens (brand_id, viewer_key, user_id, thread_id, opened_at) VALUES (?, ?, ?, ?, ?)`,
			a.BrandID, key, a.UserID, threadID, ms(now))
		return err
	})
	if err != nil {
		return Thread{}, fmt.Errorf("forum: record suggestion open: %w", err)
	}
	return t, nil
}

// suggestionHook links a member's recent suggestion opens to the question
// they asked anyway, in the asking transaction.
func (s *Service) suggestionHook(ctx context.Context, tx *sqldb.Tx, ev Event) error {
	if ev.Kind != ThreadAsked || ev.ActorID == 0 {
		return nil
	}
	_, err := tx.Exec(ctx, `UPDATE suggestion_opens SET asked_thread_id = ?
WHERE brand_id = ? AND viewer_key = ? AND asked_thread_id IS NULL AND opened_at >= ? AND opened_at <= ?`,
		ev.ThreadID, ev.BrandID, strconv.FormatInt(ev.ActorID, 10), ms(ev.At.Add(-AskWindow)), ms(ev.At))
	if err != nil {
		return fmt.Errorf("forum: link suggestion opens: %w", err)
	}
	return nil
}

// SuggestionOpen is one recorded open, for reports and tests.
type SuggestionOpen struct {
	ThreadID      int64
	UserID        int64
	OpenedAt      time.Time
	AskedThreadID int64 // 0 while the member has not asked
}

// SuggestionOpens lists a member's opens, newest first.
func (s *Service) SuggestionOpens(ctx context.Context, brandID, userID int64) ([]SuggestionOpen, error) {
	rows, err := s.db.Query(ctx, `SELECT thread_id, COALESCE(user_id, 0), opened_at, COALESCE(asked_thread_id, 0) FROM suggestion_opens
WHERE brand_id = ? AND viewer_key = ? ORDER BY opened_at DESC, id DESC`, brandID, strconv.FormatInt(userID, 10))
	if err != nil {
		return nil, fmt.Errorf("forum: suggestion opens: %w", err)
	}
	defer rows.Close()
	var out []SuggestionOpen
	for rows.Next() {
		var o SuggestionOpen
		var at int64
		if err := rows.Scan(&o.ThreadID, &o.UserID, &at, &o.AskedThreadID); err != nil {
			return nil, err
		}
		o.OpenedAt = fromMS(at)
		out = append(out, o)
	}
	return out, rows.Err()
}

func (s *Service) visibleThread(ctx context.Context, brandID, id int64) (Thread, error) {
	t, err := scanThread(s.db.QueryRow(ctx, `SELECT `+threadCols+` FROM threads t JOIN users u ON u.id = t.author_id
WHERE t.brand_id = ? AND t.id = ? AND t.status = 'visible'`, brandID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Thread{}, fault.NotFound("That thread does not exist.")
	}
	if err != nil {
		return Thread{}, fmt.Errorf("forum: thread %d: %w", id, err)
	}
	return t, nil
}

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
		e.LastMod = fromMS(at)
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
