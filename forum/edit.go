package forum

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"mutual/account"
	"mutual/fault"
	"mutual/i18n"
	"mutual/sqldb"
)

// Edit changes a post's body (and, for a question, optionally its title),
// keeping the old version as a revision. Authors edit their own posts;
// moderators, and members with the brand's reputation for it, edit any
// members can see (see CanEdit).
func (s *Service) Edit(ctx context.Context, a account.Actor, postID int64, title, body string) (Post, error) {
	if err := requireMember(a); err != nil {
		return Post{}, err
	}
	p, err := s.Post(ctx, a.BrandID, postID)
	if err != nil {
		return Post{}, err
	}
	if err := s.CanEdit(ctx, a, p); err != nil {
		return Post{}, err
	}
	e, err := s.checkEdit(ctx, p, title, body)
	if err != nil {
		return Post{}, err
	}
	err = s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		// Again in the transaction: the post may have been hidden since.
		cur, err := s.post(ctx, tx, a.BrandID, postID)
		if err != nil {
			return err
		}
		if err := s.canEdit(ctx, tx, a, cur); err != nil {
			return err
		}
		// What posting refuses, editing cannot add (post_limits.go).
		if err := editorLinks(ctx, tx, a, e.html); err != nil {
			return err
		}
		now := sqldb.Millis(s.now())
		t, err := s.writeEdit(ctx, tx, a, cur, e, now)
		if err != nil {
			return err
		}
		return s.Emit(ctx, tx, Event{Kind: PostEdited, BrandID: a.BrandID, BoardID: t.BoardID, ThreadID: t.ID, PostID: postID,
			ActorID: a.UserID, ActorStaff: a.IsStaff(), AuthorID: p.AuthorID, ThreadAuthorID: t.AuthorID, At: sqldb.Time(now)})
	})
	if err != nil {
		return Post{}, fmt.Errorf("forum: edit post %d: %w", postID, err)
	}
	s.changed(Change{BrandID: a.BrandID, ThreadID: p.ThreadID, Lists: p.IsQuestion})
	return s.Post(ctx, a.BrandID, postID)
}

// Revisions lists every kept version of a post, oldest first.
func (s *Service) Revisions(ctx context.Context, brandID, postID int64) ([]Revision, error) {
	if _, err := s.shownPost(ctx, s.db, brandID, postID); err != nil {
		return nil, err
	}
	rows, err := s.db.Query(ctx, `SELECT r.post_id, r.revision, r.editor_id, u.username, r.title, r.body_md, r.body_html, r.created_at
FROM post_revisions r JOIN users u ON u.id = r.editor_id WHERE r.post_id = ? AND r.brand_id = ?
UNION ALL SELECT p.id, 1, p.author_id, u.username, `+firstTitle+`, p.body_md, p.body_html, p.created_at
FROM posts p JOIN users u ON u.id = p.author_id JOIN threads t ON t.id = p.thread_id
WHERE p.id = ? AND p.brand_id = ? AND `+unrevised+` ORDER BY 2`, postID, brandID, postID, brandID)
	if err != nil {
		return nil, fmt.Errorf("forum: revisions: %w", err)
	}
	defer rows.Close()
	var out []Revision
	for rows.Next() {
		var r Revision
		var at int64
		if err := rows.Scan(&r.PostID, &r.Revision, &r.EditorID, &r.EditorName, &r.Title, &r.BodyMD, &r.BodyHTML, &at); err != nil {
			return nil, err
		}
		r.CreatedAt = sqldb.Time(at)
		out = append(out, r)
	}
	return out, rows.Err()
}

// CanEdit reports whether the actor may edit the post: its author, a
// moderator, or a member whose reputation reaches the brand's threshold for
// editing others' posts. A post members do not see (held, hidden, deleted,
// or in a thread that is) only a moderator edits, or its author while it
// awaits review; to anyone else it is fault.ErrNotFound, as on its page. Otherwise
// the error (fault.ErrForbidden) says plainly what is missing.
func (s *Service) CanEdit(ctx context.Context, a account.Actor, p Post) error {
	return s.canEdit(ctx, s.db, a, p)
}

func (s *Service) canEdit(ctx context.Context, q sqldb.Querier, a account.Actor, p Post) error {
	if err := requireMember(a); err != nil {
		return err
	}
	if a.CanModerate() {
		return nil
	}
	var t Thread
	err := q.QueryRow(ctx, `SELECT status, author_id FROM threads WHERE id = ? AND brand_id = ?`, p.ThreadID, a.BrandID).Scan(&t.Status, &t.AuthorID)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("forum: thread of post %d: %w", p.ID, err)
	}
	own := p.AuthorID == a.UserID
	if err != nil || !threadShown(t, a.UserID, false) || !(p.Shown() || (own && p.Status == StatusPending)) {
		return fault.NotFound(i18n.T(ctx, "forum.post_missing"))
	}
	if own {
		return nil
	}
	var rep, need int64
	err = q.QueryRow(ctx, `SELECT u.reputation, b.rep_edit_others FROM users u JOIN brands b ON b.id = u.brand_id
WHERE u.id = ? AND u.brand_id = ?`, a.UserID, a.BrandID).Scan(&rep, &need)
	if errors.Is(err, sql.ErrNoRows) {
		return fault.ErrUnauthenticated
	}
	if err != nil {
		return fmt.Errorf("forum: edit privilege: %w", err)
	}
	if rep < need {
		return fault.Denied(i18n.T(ctx, "forum.edit_unlocks", "Need", i18n.From(ctx).Int(need), "Have", i18n.From(ctx).Int(rep)))
	}
	return nil
}

// Revise replaces a post's text (and a question's title) inside tx as a
// moderator, keeping the old version as a revision. It returns the post as
// it was.
func (s *Service) Revise(ctx context.Context, tx *sqldb.Tx, a account.Actor, postID int64, title, body string) (Post, error) {
	p, err := s.post(ctx, tx, a.BrandID, postID)
	if err != nil {
		return Post{}, err
	}
	e, err := s.checkEdit(ctx, p, title, body)
	if err != nil {
		return Post{}, err
	}
	if _, err := s.writeEdit(ctx, tx, a, p, e, sqldb.Millis(s.now())); err != nil {
		return Post{}, err
	}
	return p, nil
}

// postEdit is a post's new text, checked and rendered; title is "" unless a
// question gets a new one.
type postEdit struct{ title, body, html string }

// checkEdit checks and renders new text for p, the one path for members'
// edits and moderators' revisions. Errors: *fault.ValidationError.
func (s *Service) checkEdit(ctx context.Context, p Post, title, body string) (postEdit, error) {
	v := fault.Validation{}
	lo := MinReplyLen
	if p.IsQuestion {
		lo = MinQuestionLen
	}
	body = checkText(ctx, v, "body", "forum.label_body", body, lo, MaxBodyLen)
	if p.IsQuestion && title != "" {
		title = checkText(ctx, v, "title", "forum.label_title", title, MinTitleLen, MaxTitleLen)
	} else {
		title = ""
	}
	if err := v.Err(); err != nil {
		return postEdit{}, err
	}
	html, err := s.md.Render(ctx, body)
	if err != nil {
		return postEdit{}, err
	}
	return postEdit{title: title, body: body, html: html}, nil
}

// writeEdit stores e inside tx as p's next revision, and a question's new
// title on its thread. p is the post as read in tx; it returns the thread.
func (s *Service) writeEdit(ctx context.Context, tx *sqldb.Tx, a account.Actor, p Post, e postEdit, now int64) (Thread, error) {
	t, err := s.thread(ctx, tx, a.BrandID, p.ThreadID)
	if err != nil {
		return Thread{}, err
	}
	title := e.title
	if title == "" && p.IsQuestion {
		title = t.Title
	}
	if p.RevisionCount == 1 {
		if err := keepFirstVersion(ctx, tx, p.ID, firstVersionTitle(p, t)); err != nil {
			return Thread{}, err
		}
	}
	rev := p.RevisionCount + 1
	if err := insertRevision(ctx, tx, a.BrandID, p.ID, rev, a.UserID, title, e.body, e.html, now); err != nil {
		return Thread{}, err
	}
	if _, err := tx.Exec(ctx, `UPDATE posts SET body_md = ?, body_html = ?, edited_at = ?, revision_count = ? WHERE id = ?`,
		e.body, e.html, now, rev, p.ID); err != nil {
		return Thread{}, err
	}
	if p.IsQuestion && title != t.Title {
		if _, err := tx.Exec(ctx, `UPDATE threads SET title = ?, slug = ? WHERE id = ?`, title, Slugify(title), t.ID); err != nil {
			return Thread{}, err
		}
	}
	return t, nil
}

// A post's first version lives only in its posts row until the first edit
// copies it into post_revisions as revision 1: writing every post's text
// twice cost each reply about one page in twelve of what it wrote, for the
// few posts ever edited. Posts from before this rule (and imports) already
// have it; the copy then does nothing.
func keepFirstVersion(ctx context.Context, tx *sqldb.Tx, postID int64, title string) error {
	_, err := tx.Exec(ctx, `INSERT INTO post_revisions (brand_id, post_id, revision, editor_id, title, body_md, body_html, created_at)
SELECT brand_id, id, 1, author_id, ?, body_md, body_html, created_at FROM posts WHERE id = ?
ON CONFLICT (post_id, revision) DO NOTHING`, title, postID)
	return err
}

// unrevised holds for a post p whose first version is still only its
// posts row; firstTitle is that version's title (t is p's thread).
const (
	unrevised  = `NOT EXISTS (SELECT 1 FROM post_revisions r0 WHERE r0.post_id = p.id)`
	firstTitle = `CASE WHEN p.is_question = 1 THEN t.title ELSE '' END`
)

// firstVersionTitle is the title a post's first version carries: its
// thread's, for a question, before this edit changes it.
func firstVersionTitle(p Post, t Thread) string {
	if p.IsQuestion {
		return t.Title
	}
	return ""
}

func insertRevision(ctx context.Context, q sqldb.Querier, brandID, postID int64, rev int, editor int64, title, md, html string, at int64) error {
	_, err := q.Exec(ctx, `INSERT INTO post_revisions (brand_id, post_id, revision, editor_id, title, body_md, body_html, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, brandID, postID, rev, editor, title, md, html, at)
	return err
}
