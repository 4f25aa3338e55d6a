package forum

import (
	"context"
	"fmt"
	"slices"
	"time"

	"mutual/sqldb"
)

// BoardList is one page of a board's threads, newest activity first, with
// the cursors of the pages on either side.
type BoardList struct {
	Threads []Thread
	// Older is the cursor for the next page ("after" it); zero on the last.
	Older Cursor
	// Newer is the cursor for the previous page ("before" it); zero when
	// that page is the first one, or when this page is the first.
	Newer Cursor
	// First says this is the first page: nothing newer lies before it.
	First bool
}

// BoardPage lists a board's threads a page at a time, in both directions:
// after a cursor (older threads), before one (newer threads), or from the
// top when both are zero. A page that reaches the top going back is the
// first page, pinned threads and all, so paging back always ends where the
// board starts. A language ("" for all) keeps the threads asked in it.
func (s *Service) BoardPage(ctx context.Context, brandID, boardID int64, f Filter, language string, after, before Cursor, limit int) (BoardList, error) {
	if limit <= 0 || limit > 100 {
		limit = 30
	}
	if before.ID == 0 {
		threads, older, err := s.ListThreads(ctx, brandID, boardID, f, language, after, limit)
		if err != nil {
			return BoardList{}, err
		}
		l := BoardList{Threads: threads, Older: older, First: after.ID == 0}
		if !l.First {
			anchor := after
			if len(threads) > 0 {
				anchor = Cursor{At: threads[0].LastActivityAt, ID: threads[0].ID}
			}
			newer, err := s.threadsBeyond(ctx, brandID, boardID, f, language, anchor, true, limit+1)
			if err != nil {
				return BoardList{}, err
			}
			l.First = len(newer) == 0
			if len(newer) > limit {
				l.Newer = anchor
			}
		}
		return l, nil
	}
	newer, err := s.threadsBeyond(ctx, brandID, boardID, f, language, before, true, limit+1)
	if err != nil {
		return BoardList{}, err
	}
	if len(newer) <= limit {
		return s.BoardPage(ctx, brandID, boardID, f, language, Cursor{}, Cursor{}, limit)
	}
	page := newer[:limit]
	slices.Reverse(page)
	last := page[len(page)-1]
	l := BoardList{Threads: page, Older: Cursor{At: last.LastActivityAt, ID: last.ID}}
	// Something lies before this page; it is the first page unless more
	// than a page of threads is newer than this page's top.
	anchor := Cursor{At: page[0].LastActivityAt, ID: page[0].ID}
	top, err := s.threadsBeyond(ctx, brandID, boardID, f, language, anchor, true, limit+1)
	if err != nil {
		return BoardList{}, err
	}
	if len(top) > limit {
		l.Newer = anchor
	}
	return l, nil
}

// threadsBeyond lists up to n of a board's visible threads on one side of c:
// newer ones nearest first when newer, else older ones nearest first.
func (s *Service) threadsBeyond(ctx context.Context, brandID, boardID int64, f Filter, language string, c Cursor, newer bool, n int) ([]Thread, error) {
	where, order := " AND (t.last_activity_at < ? OR (t.last_activity_at = ? AND t.id < ?))", "DESC"
	if newer {
		where, order = " AND (t.last_activity_at > ? OR (t.last_activity_at = ? AND t.id > ?))", "ASC"
	}
	args := []any{boardID, brandID, sqldb.Millis(c.At), sqldb.Millis(c.At), c.ID}
	switch f {
	case FilterUnanswered:
		where += " AND t.first_reply_at IS NULL"
	case FilterSolved:
		where += " AND t.accepted_post_id IS NOT NULL"
	}
	if language != "" {
		where += " AND t.language = ?"
		args = append(args, language)
	}
	rows, err := s.db.Query(ctx, `SELECT `+threadCols+` FROM threads t JOIN users u ON u.id = t.author_id
WHERE t.board_id = ? AND t.brand_id = ? AND t.status = 'visible'`+where+`
ORDER BY t.last_activity_at `+order+`, t.id `+order+` LIMIT ?`, append(args, n)...)
	if err != nil {
		return nil, fmt.Errorf("forum: list threads: %w", err)
	}
	out, _, err := collectThreads(rows, n)
	return out, err
}

// endOfList is a cursor newer than any thread: listing after it starts at the top.
var endOfList = Cursor{At: time.UnixMilli(1<<62 - 1), ID: 1<<62 - 1}
