package forum

import (
	"context"

	"mutual/account"
	"mutual/fault"
	"mutual/i18n"
	"mutual/sqldb"
)

// Content states (migration 00006). Only visible content is listed, counted,
// searched or escalated; the others are kept for moderators and the audit.
const (
	StatusVisible = "visible"
	StatusPending = "pending" // held for review (pre-moderation, spam bursts)
	StatusHidden  = "hidden"  // hidden by a moderator or by flags
	StatusDeleted = "deleted" // soft-deleted; a moderator can restore it
)

// ValidStatus reports whether s names a content state.
func ValidStatus(s string) bool {
	switch s {
	case StatusVisible, StatusPending, StatusHidden, StatusDeleted:
		return true
	}
	return false
}

// AwaitingReview reports whether the post is held for a moderator.
func (p Post) AwaitingReview() bool { return p.Status == StatusPending }

// Shown reports whether members see the post.
func (p Post) Shown() bool { return p.Status == StatusVisible || p.Status == "" }

// Locked reports whether the thread takes no new replies.
func (t Thread) Locked() bool { return !t.LockedAt.IsZero() }

// Shown reports whether members see the thread.
func (t Thread) Shown() bool { return t.Status == StatusVisible || t.Status == "" }

// threadShown: members see visible threads, authors their own held ones,
// moderators everything.
func threadShown(t Thread, viewer int64, mod bool) bool {
	switch {
	case mod, t.Shown():
		return true
	case t.Status == StatusPending:
		return viewer != 0 && viewer == t.AuthorID
	}
	return false
}

// postShown is the SQL condition (on alias p) for the posts a viewer sees:
// visible ones, their own posts awaiting review, and everything for
// moderators (the page marks what members do not see).
func postShown(viewer int64, mod bool) (string, []any) {
	if mod {
		return "", nil
	}
	if viewer == 0 {
		return " AND p.status = 'visible'", nil
	}
	return " AND (p.status = 'visible' OR (p.status = 'pending' AND p.author_id = ?))", []any{viewer}
}

// PageAs is Page for an actor: moderators also see held, hidden and deleted
// posts (marked as such by the page).
func (s *Service) PageAs(ctx context.Context, a account.Actor, threadID int64, after Cursor) (ThreadPage, error) {
	return s.page(ctx, a.BrandID, threadID, a.UserID, a.CanModerate(), after)
}

// heldNote marks events for content held for review, so hooks that notify
// or escalate can wait for the approval.
func heldNote(status string) string {
	if status == StatusPending {
		return "held for review"
	}
	return ""
}

// posts are the page's posts, to mark in place.
func (pg *ThreadPage) posts() []*Post {
	posts := []*Post{&pg.Question}
	if pg.Accepted != nil {
		posts = append(posts, pg.Accepted)
	}
	for i := range pg.Replies {
		posts = append(posts, &pg.Replies[i])
	}
	return posts
}

// labelStaff gives staff posts on a page the brand's badge text; one look-up,
// and only when the page has a staff post.
func (s *Service) labelStaff(ctx context.Context, brandID int64, pg *ThreadPage) error {
	posts := pg.posts()
	label := ""
	for _, p := range posts {
		if !p.IsStaff {
			continue
		}
		if label == "" {
			if err := s.db.QueryRow(ctx, `SELECT staff_label FROM brands WHERE id = ?`, brandID).Scan(&label); err != nil {
				return err
			}
		}
		p.StaffLabel = label
	}
	return nil
}

// shownPost reads a post members can see (it and its thread visible), or
// fault.ErrNotFound: hidden content has no public history and takes no kudos.
func (s *Service) shownPost(ctx context.Context, q sqldb.Querier, brandID, postID int64) (Post, error) {
	p, err := s.post(ctx, q, brandID, postID)
	if err != nil {
		return Post{}, err
	}
	var status string
	if err := q.QueryRow(ctx, `SELECT status FROM threads WHERE id = ?`, p.ThreadID).Scan(&status); err != nil {
		return Post{}, err
	}
	if !p.Shown() || status != StatusVisible {
		return Post{}, fault.NotFound(i18n.T(ctx, "forum.post_missing"))
	}
	return p, nil
}
