package forum

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"mutual/fault"
	"mutual/sqldb"
)

// StaffReply is an answer the brand wrote outside the community (in its
// ticketing system) that is posted into a thread under a staff account.
type StaffReply struct {
	BrandID  int64
	ThreadID int64
	AuthorID int64 // a staff member of the brand
	Body     string
	At       time.Time
}

// PostStaffReply adds r inside the caller's transaction, so it commits with
// the caller's own rows: counted and announced like any staff reply (the
// events run in tx), but without a member's rate limits or pre-moderation,
// since the brand wrote it. The caller checks the body's length; the page
// caches are the caller's to drop after the commit (Changed).
func (s *Service) PostStaffReply(ctx context.Context, tx *sqldb.Tx, r StaffReply) (int64, error) {
	html, err := s.md.Render(ctx, r.Body)
	if err != nil {
		return 0, err
	}
	var boardID, asker int64
	var status string
	err = tx.QueryRow(ctx, `SELECT board_id, author_id, status FROM threads WHERE id = ? AND brand_id = ?`, r.ThreadID, r.BrandID).
		Scan(&boardID, &asker, &status)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && status != StatusVisible) {
		return 0, fault.NotFound("That thread does not exist.")
	}
	if err != nil {
		return 0, err
	}
	now := sqldb.Millis(r.At)
	var id int64
	if err := tx.QueryRow(ctx, `INSERT INTO posts (brand_id, thread_id, author_id, body_md, body_html, created_at, is_staff, status)
VALUES (?, ?, ?, ?, ?, ?, 1, ?) RETURNING id`, r.BrandID, r.ThreadID, r.AuthorID, r.Body, html, now, StatusVisible).Scan(&id); err != nil {
		return 0, fmt.Errorf("forum: staff reply: %w", err)
	}
	if _, err := tx.Exec(ctx, `UPDATE threads SET reply_count = reply_count + 1, last_activity_at = ?,
first_reply_at = COALESCE(first_reply_at, ?), first_staff_reply_at = COALESCE(first_staff_reply_at, ?) WHERE id = ?`,
		now, now, now, r.ThreadID); err != nil {
		return 0, err
	}
	if _, err := tx.Exec(ctx, `UPDATE boards SET post_count = post_count + 1, last_activity_at = ? WHERE id = ?`, now, boardID); err != nil {
		return 0, err
	}
	return id, s.Emit(ctx, tx, Event{Kind: PostReplied, BrandID: r.BrandID, BoardID: boardID, ThreadID: r.ThreadID, PostID: id,
		ActorID: r.AuthorID, ActorStaff: true, AuthorID: r.AuthorID, ThreadAuthorID: asker, At: r.At})
}
