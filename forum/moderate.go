package forum

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"mutual/fault"
	"mutual/i18n"
	"mutual/reputation"
	"mutual/sqldb"
)

// SetPostStatus moves a post to status inside tx and keeps the thread's and
// board's counters equal to what members see. A question carries its thread
// with it. Reputation follows what members see too (points.go): a post, or
// for a question every post of the thread, that members stop seeing has its
// points taken back, and one they see again gets back what still stands.
// It returns the post and its thread as they were before.
func (s *Service) SetPostStatus(ctx context.Context, tx *sqldb.Tx, brandID, postID int64, status string) (Post, Thread, error) {
	if !ValidStatus(status) {
		return Post{}, Thread{}, fmt.Errorf("forum: unknown status %q", status)
	}
	p, err := s.post(ctx, tx, brandID, postID)
	if err != nil {
		return Post{}, Thread{}, err
	}
	// On PostgreSQL: the thread, then the members whose points may move,
	// then posts, the order accepts and kudos take.
	t, err := s.lockedThread(ctx, tx, brandID, p.ThreadID)
	if err != nil {
		return Post{}, Thread{}, err
	}
	only := p.ID
	if p.IsQuestion {
		only = 0
	}
	if err := lockPointHolders(ctx, tx, t, only); err != nil {
		return Post{}, Thread{}, err
	}
	if tx.Dialect() == sqldb.Postgres {
		// Another act on the post may have committed while this waited.
		if p, err = s.post(ctx, tx, brandID, postID); err != nil {
			return Post{}, Thread{}, err
		}
	}
	if p.Status == status {
		return p, t, nil
	}
	gone, back, err := statusPoints(ctx, tx, p, t, status)
	if err != nil {
		return Post{}, Thread{}, err
	}
	if err := s.setStatus(ctx, tx, p, t, status); err != nil {
		return Post{}, Thread{}, err
	}
	if err := movePoints(ctx, tx, brandID, gone, back, s.now()); err != nil {
		return Post{}, Thread{}, err
	}
	return p, t, nil
}

// setStatus writes the post's new status and moves the counters with it.
func (s *Service) setStatus(ctx context.Context, tx *sqldb.Tx, p Post, t Thread, status string) error {
	was, will := p.Status == StatusVisible, status == StatusVisible
	if _, err := tx.Exec(ctx, `UPDATE posts SET status = ? WHERE id = ?`, status, p.ID); err != nil {
		return err
	}
	d := int64(0)
	switch {
	case will && !was:
		d = 1
	case was && !will:
		d = -1
	}
	if p.IsQuestion {
		if _, err := tx.Exec(ctx, `UPDATE threads SET status = ? WHERE id = ?`, status, t.ID); err != nil {
			return err
		}
		if d != 0 {
			_, err := tx.Exec(ctx, `UPDATE boards SET thread_count = thread_count + ?, post_count = post_count + ? WHERE id = ?`,
				d, d*(1+t.ReplyCount), t.BoardID)
			return err
		}
		return nil
	}
	if d == 0 {
		return nil
	}
	if _, err := tx.Exec(ctx, `UPDATE threads SET reply_count = reply_count + ? WHERE id = ?`, d, t.ID); err != nil {
		return err
	}
	if t.Shown() {
		if _, err := tx.Exec(ctx, `UPDATE boards SET post_count = post_count + ? WHERE id = ?`, d, t.BoardID); err != nil {
			return err
		}
	}
	if p.Status == StatusPending && will {
		// An approved reply answers the thread as of when it was written.
		at := sqldb.Millis(p.CreatedAt)
		var first, peer, staff any
		if p.AuthorID != t.AuthorID {
			first = at
			if p.IsStaff {
				staff = at
			} else {
				peer = at
			}
		}
		_, err := tx.Exec(ctx, `UPDATE threads SET last_activity_at = CASE WHEN last_activity_at < ? THEN ? ELSE last_activity_at END,
first_reply_at = COALESCE(first_reply_at, ?), first_peer_reply_at = COALESCE(first_peer_reply_at, ?),
first_staff_reply_at = COALESCE(first_staff_reply_at, ?) WHERE id = ?`, at, at, first, peer, staff, t.ID)
		return err
	}
	return nil
}

// SetLocked locks (at non-zero) or unlocks a thread inside tx.
func (s *Service) SetLocked(ctx context.Context, tx *sqldb.Tx, brandID, threadID int64, at time.Time) (Thread, error) {
	t, err := s.thread(ctx, tx, brandID, threadID)
	if err != nil {
		return Thread{}, err
	}
	var v any
	if !at.IsZero() {
		v = sqldb.Millis(at)
	}
	_, err = tx.Exec(ctx, `UPDATE threads SET locked_at = ? WHERE id = ?`, v, threadID)
	return t, err
}

// SetPinned pins or unpins a thread inside tx.
func (s *Service) SetPinned(ctx context.Context, tx *sqldb.Tx, brandID, threadID int64, pinned bool) (Thread, error) {
	t, err := s.thread(ctx, tx, brandID, threadID)
	if err != nil {
		return Thread{}, err
	}
	v := 0
	if pinned {
		v = 1
	}
	_, err = tx.Exec(ctx, `UPDATE threads SET pinned = ? WHERE id = ?`, v, threadID)
	return t, err
}

// MoveThread puts a thread in another board of the brand inside tx, moving
// its counts with it.
func (s *Service) MoveThread(ctx context.Context, tx *sqldb.Tx, brandID, threadID, boardID int64) (Thread, error) {
	t, err := s.thread(ctx, tx, brandID, threadID)
	if err != nil {
		return Thread{}, err
	}
	var n int
	if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM boards WHERE id = ? AND brand_id = ?`, boardID, brandID).Scan(&n); err != nil {
		return Thread{}, err
	}
	if n == 0 {
		return Thread{}, &fault.ValidationError{Fields: map[string]string{"board_id": i18n.T(ctx, "forum.board_gone")}}
	}
	if boardID == t.BoardID {
		return t, nil
	}
	if _, err := tx.Exec(ctx, `UPDATE threads SET board_id = ? WHERE id = ?`, boardID, threadID); err != nil {
		return Thread{}, err
	}
	if t.Shown() {
		for _, m := range []struct{ board, d int64 }{{t.BoardID, -1}, {boardID, 1}} {
			if _, err := tx.Exec(ctx, `UPDATE boards SET thread_count = thread_count + ?, post_count = post_count + ? WHERE id = ?`,
				m.d, m.d*(1+t.ReplyCount), m.board); err != nil {
				return Thread{}, err
			}
		}
	}
	return t, nil
}

// MergeThread moves every post of thread from into thread into (its question
// becomes a reply), and leaves from as a redirect to into; by is the
// moderator, kept with from so the posts it brought can say where they came
// from and who merged them (markMerged). An answer from
// had accepted stops counting: its points and the asker's are taken back
// (ThreadMerged), and into's asker may accept it anew. Posts members stop
// seeing (into is hidden) or start seeing (from was) lose or get back their
// points, as in SetPostStatus.
//
// It stays long: one transaction whose locking order and counter moves are
// only right read together.
func (s *Service) MergeThread(ctx context.Context, tx *sqldb.Tx, brandID, fromID, intoID, by int64) (from, into Thread, err error) {
	if fromID == intoID {
		return Thread{}, Thread{}, &fault.ValidationError{Fields: map[string]string{"into": i18n.T(ctx, "forum.merge_self")}}
	}
	// Both threads first, in id order, as accepts take them (PostgreSQL).
	if err = s.lockThreads(ctx, tx, brandID, fromID, intoID); err != nil {
		return
	}
	if from, err = s.thread(ctx, tx, brandID, fromID); err != nil {
		return
	}
	if into, err = s.thread(ctx, tx, brandID, intoID); err != nil {
		if errors.Is(err, fault.ErrNotFound) {
			err = &fault.ValidationError{Fields: map[string]string{"into": i18n.T(ctx, "forum.merge_missing")}}
		}
		return
	}
	if from.MergedInto != 0 || into.MergedInto != 0 {
		return Thread{}, Thread{}, &fault.Error{Kind: fault.ErrConflict, Msg: i18n.T(ctx, "forum.merge_twice")}
	}
	// Then every member whose points the merge moves: the accept's, and those
	// of posts members stop or start seeing as they change threads.
	if err = lockPointHolders(ctx, tx, from, 0); err != nil {
		return
	}
	now := s.now()
	if from.AcceptedPostID != 0 {
		if err = s.reverseAccept(ctx, tx, from, now, reputation.ThreadMerged); err != nil {
			return
		}
	}
	var points []pointPost
	if points, err = postsWithPoints(ctx, tx, fromID, 0); err != nil {
		return
	}
	var gone, back []int64
	for _, p := range points {
		// Each keeps its status (a question becomes a reply with its
		// thread's), and is seen if into is.
		switch was, is := seen(p.status, from.Status), seen(p.status, into.Status); {
		case was && !is:
			gone = append(gone, p.id)
		case is && !was:
			back = append(back, p.id)
		}
	}
	var moved int64
	if err = tx.QueryRow(ctx, `SELECT COUNT(*) FROM posts WHERE thread_id = ? AND status = 'visible'`, fromID).Scan(&moved); err != nil {
		return
	}
	if !from.Shown() {
		// Its question was not counted anywhere; its replies are counted in
		// the merged thread only if they and it are visible from now on.
		moved = 0
		if err = tx.QueryRow(ctx, `SELECT COUNT(*) FROM posts WHERE thread_id = ? AND status = 'visible' AND is_question = 0`, fromID).Scan(&moved); err != nil {
			return
		}
		if _, err = tx.Exec(ctx, `UPDATE posts SET status = ? WHERE thread_id = ? AND is_question = 1`, from.Status, fromID); err != nil {
			return
		}
	}
	// A post merged twice keeps the thread it was first posted in.
	if _, err = tx.Exec(ctx, `UPDATE posts SET thread_id = ?, is_question = 0, merged_from = COALESCE(merged_from, ?) WHERE thread_id = ?`,
		intoID, fromID, fromID); err != nil {
		return
	}
	if _, err = tx.Exec(ctx, `UPDATE threads SET merged_into = ?, merged_by = ?, merged_at = ?, status = 'deleted', reply_count = 0, accepted_post_id = NULL
WHERE id = ?`, intoID, orNull(by), sqldb.Millis(now), fromID); err != nil {
		return
	}
	if _, err = tx.Exec(ctx, `UPDATE threads SET reply_count = reply_count + ?,
last_activity_at = CASE WHEN last_activity_at < ? THEN ? ELSE last_activity_at END WHERE id = ?`,
		moved, sqldb.Millis(from.LastActivityAt), sqldb.Millis(from.LastActivityAt), intoID); err != nil {
		return
	}
	if from.Shown() {
		if _, err = tx.Exec(ctx, `UPDATE boards SET thread_count = thread_count - 1, post_count = post_count - ? WHERE id = ?`, 1+from.ReplyCount, from.BoardID); err != nil {
			return
		}
	}
	if into.Shown() {
		if _, err = tx.Exec(ctx, `UPDATE boards SET post_count = post_count + ? WHERE id = ?`, moved, into.BoardID); err != nil {
			return
		}
	}
	err = movePoints(ctx, tx, brandID, gone, back, now)
	return
}

// orNull is NULL for a zero id (the system acting).
func orNull(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// markMerged tells the page's posts that a merge brought where they came
// from, in one query, and only when the page has such a post.
func (s *Service) markMerged(ctx context.Context, brandID int64, pg *ThreadPage) error {
	posts := pg.posts()
	var ids []any
	for _, p := range posts {
		if p.MergedFrom != 0 && !slices.Contains(ids, any(p.MergedFrom)) {
			ids = append(ids, p.MergedFrom)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	rows, err := s.db.Query(ctx, `SELECT t.id, t.title, COALESCE(u.username, ''), COALESCE(t.merged_at, 0) FROM threads t
LEFT JOIN users u ON u.id = t.merged_by WHERE t.brand_id = ? AND t.id IN (`+strings.TrimSuffix(strings.Repeat("?, ", len(ids)), ", ")+`)`,
		append([]any{brandID}, ids...)...)
	if err != nil {
		return fmt.Errorf("forum: merge origins: %w", err)
	}
	defer rows.Close()
	origins := map[int64]*MergeOrigin{}
	for rows.Next() {
		var id, at int64
		var o MergeOrigin
		if err := rows.Scan(&id, &o.Title, &o.By, &at); err != nil {
			return err
		}
		o.At = sqldb.Time(at)
		origins[id] = &o
	}
	for _, p := range posts {
		p.Merge = origins[p.MergedFrom]
	}
	return rows.Err()
}

// PostIn reads a post inside tx.
func (s *Service) PostIn(ctx context.Context, q sqldb.Querier, brandID, id int64) (Post, error) {
	return s.post(ctx, q, brandID, id)
}

// ThreadIn reads a thread inside tx.
func (s *Service) ThreadIn(ctx context.Context, q sqldb.Querier, brandID, id int64) (Thread, error) {
	return s.thread(ctx, q, brandID, id)
}

// PinnedThreads lists a board's visible pinned threads, shown above the rest.
func (s *Service) PinnedThreads(ctx context.Context, brandID, boardID int64) ([]Thread, error) {
	rows, err := s.db.Query(ctx, `SELECT `+threadCols+` FROM threads t JOIN users u ON u.id = t.author_id
WHERE t.board_id = ? AND t.brand_id = ? AND t.pinned = 1 AND t.status = 'visible' ORDER BY t.last_activity_at DESC, t.id DESC LIMIT 10`, boardID, brandID)
	if err != nil {
		return nil, fmt.Errorf("forum: pinned threads: %w", err)
	}
	out, _, err := collectThreads(rows, 10)
	return out, err
}

// withPinned puts a board's pinned threads (those in the language, when
// one is given) on top of its first page.
func (s *Service) withPinned(ctx context.Context, brandID, boardID int64, language string, page []Thread, next Cursor) ([]Thread, Cursor, error) {
	pinned, err := s.PinnedThreads(ctx, brandID, boardID)
	if language != "" {
		pinned = slices.DeleteFunc(pinned, func(t Thread) bool { return t.Language != language })
	}
	if err != nil || len(pinned) == 0 {
		return page, next, err
	}
	seen := map[int64]bool{}
	for _, t := range pinned {
		seen[t.ID] = true
	}
	for _, t := range page {
		if !seen[t.ID] {
			pinned = append(pinned, t)
		}
	}
	return pinned, next, nil
}
