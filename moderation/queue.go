package moderation

import (
	"context"
	"fmt"
	"strings"
	"time"

	"mutual/account"
	"mutual/fault"
	"mutual/forum"
	"mutual/i18n"
	"mutual/sqldb"
)

// QueueItem is one post waiting for a decision: flagged, held for review,
// or both, with what a moderator needs to decide.
type QueueItem struct {
	Post        forum.Post
	ThreadTitle string
	ThreadSlug  string
	Since       time.Time // the oldest open flag, or when a held post was written
	Flags       []Flag
	Author      Standing // the author's history (email only when allowed)
	Earlier     []Action // earlier acts on this post, newest first
}

// QueueLimit bounds one page of the queue.
const QueueLimit = 50

// Queue lists the brand's posts awaiting review, oldest first: those with
// open flags and those held by pre-moderation. after is the Since and post
// id of the last item of the previous page.
//
// It stays long: the keyset query and the page's look-ups (posts, flags,
// history) assemble one page.
func (s *Service) Queue(ctx context.Context, brandID int64, after forum.Cursor, limit int, showEmail bool) ([]QueueItem, forum.Cursor, error) {
	if limit <= 0 || limit > QueueLimit {
		limit = 30
	}
	keyset, args := "", []any{brandID, brandID}
	if after.ID != 0 {
		keyset = " WHERE since > ? OR (since = ? AND post_id > ?)"
		args = append(args, after.At.UnixMilli(), after.At.UnixMilli(), after.ID)
	}
	args = append(args, limit+1)
	rows, err := s.db.Query(ctx, `SELECT post_id, MIN(since) AS since FROM (
  SELECT post_id, created_at AS since FROM flags WHERE brand_id = ? AND resolved_at IS NULL
  UNION ALL
  SELECT id, created_at FROM posts WHERE brand_id = ? AND status = 'pending'
) q GROUP BY post_id`+havingFor(keyset)+` ORDER BY since, post_id LIMIT ?`, args...)
	if err != nil {
		return nil, forum.Cursor{}, fmt.Errorf("moderation: queue: %w", err)
	}
	type head struct {
		id    int64
		since int64
	}
	var heads []head
	for rows.Next() {
		var h head
		if err := rows.Scan(&h.id, &h.since); err != nil {
			rows.Close()
			return nil, forum.Cursor{}, err
		}
		heads = append(heads, h)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, forum.Cursor{}, err
	}
	var next forum.Cursor
	if len(heads) > limit {
		heads = heads[:limit]
		last := heads[limit-1]
		next = forum.Cursor{At: sqldb.Time(last.since), ID: last.id}
	}
	out := make([]QueueItem, 0, len(heads))
	ids := make([]int64, 0, len(heads))
	for _, h := range heads {
		ids = append(ids, h.id)
	}
	if len(ids) == 0 {
		return out, next, nil
	}
	posts, err := s.queuePosts(ctx, brandID, ids)
	if err != nil {
		return nil, forum.Cursor{}, err
	}
	flags, err := s.openFlags(ctx, ids)
	if err != nil {
		return nil, forum.Cursor{}, err
	}
	earlier, err := s.actionsOn(ctx, brandID, ids)
	if err != nil {
		return nil, forum.Cursor{}, err
	}
	authors := map[int64]Standing{}
	for _, h := range heads {
		qi, ok := posts[h.id]
		if !ok {
			continue
		}
		qi.Since, qi.Flags, qi.Earlier = sqldb.Time(h.since), flags[h.id], earlier[h.id]
		st, seen := authors[qi.Post.AuthorID]
		if !seen {
			// One history per distinct author on the page (a page holds at
			// most QueueLimit items).
			if st, err = s.standing(ctx, s.db, brandID, qi.Post.AuthorName, showEmail); err != nil {
				return nil, forum.Cursor{}, err
			}
			authors[qi.Post.AuthorID] = st
		}
		qi.Author = st
		out = append(out, qi)
	}
	return out, next, nil
}

// havingFor turns the keyset (written on the grouped columns) into a
// HAVING clause.
func havingFor(keyset string) string {
	if keyset == "" {
		return ""
	}
	return " HAVING MIN(since) > ? OR (MIN(since) = ? AND post_id > ?)"
}

func placeholders(n int) string { return strings.TrimSuffix(strings.Repeat("?, ", n), ", ") }

func int64Args(ids []int64) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}

func (s *Service) queuePosts(ctx context.Context, brandID int64, ids []int64) (map[int64]QueueItem, error) {
	rows, err := s.db.Query(ctx, `SELECT p.id, p.thread_id, p.author_id, u.username, u.reputation, p.is_question, p.body_md, p.body_html,
p.created_at, p.status, p.is_staff, t.title, t.slug
FROM posts p JOIN users u ON u.id = p.author_id JOIN threads t ON t.id = p.thread_id
WHERE p.brand_id = ? AND p.id IN (`+placeholders(len(ids))+`)`, append([]any{brandID}, int64Args(ids)...)...)
	if err != nil {
		return nil, fmt.Errorf("moderation: queue posts: %w", err)
	}
	defer rows.Close()
	out := map[int64]QueueItem{}
	for rows.Next() {
		var qi QueueItem
		p := &qi.Post
		var q, staff int
		var at int64
		if err := rows.Scan(&p.ID, &p.ThreadID, &p.AuthorID, &p.AuthorName, &p.AuthorReputation, &q, &p.BodyMD, &p.BodyHTML,
			&at, &p.Status, &staff, &qi.ThreadTitle, &qi.ThreadSlug); err != nil {
			return nil, err
		}
		p.BrandID, p.IsQuestion, p.IsStaff, p.CreatedAt = brandID, q == 1, staff == 1, sqldb.Time(at)
		out[p.ID] = qi
	}
	return out, rows.Err()
}

func (s *Service) openFlags(ctx context.Context, ids []int64) (map[int64][]Flag, error) {
	rows, err := s.db.Query(ctx, `SELECT f.id, f.post_id, f.user_id, u.username, f.reason, f.note, f.trusted, f.created_at
FROM flags f JOIN users u ON u.id = f.user_id WHERE f.resolved_at IS NULL AND f.post_id IN (`+placeholders(len(ids))+`)
ORDER BY f.created_at, f.id`, int64Args(ids)...)
	if err != nil {
		return nil, fmt.Errorf("moderation: open flags: %w", err)
	}
	defer rows.Close()
	out := map[int64][]Flag{}
	for rows.Next() {
		var f Flag
		var trusted int
		var at int64
		if err := rows.Scan(&f.ID, &f.PostID, &f.UserID, &f.Username, &f.Reason, &f.Note, &trusted, &at); err != nil {
			return nil, err
		}
		f.Trusted, f.At = trusted == 1, sqldb.Time(at)
		out[f.PostID] = append(out[f.PostID], f)
	}
	return out, rows.Err()
}

func (s *Service) actionsOn(ctx context.Context, brandID int64, ids []int64) (map[int64][]Action, error) {
	rows, err := s.db.Query(ctx, `SELECT m.id, m.target_id, COALESCE(a.username, 'system'), m.act, m.reason, m.created_at
FROM moderation_actions m LEFT JOIN users a ON a.id = m.actor_id
WHERE m.target_type = 'post' AND m.brand_id = ? AND m.act <> ? AND m.target_id IN (`+placeholders(len(ids))+`) ORDER BY m.id DESC`,
		append([]any{brandID, ActPostFlagged}, int64Args(ids)...)...)
	if err != nil {
		return nil, fmt.Errorf("moderation: earlier actions: %w", err)
	}
	defer rows.Close()
	out := map[int64][]Action{}
	for rows.Next() {
		var x Action
		var at int64
		if err := rows.Scan(&x.ID, &x.TargetID, &x.ActorName, &x.Act, &x.Reason, &at); err != nil {
			return nil, err
		}
		x.At, x.TargetType = sqldb.Time(at), "post"
		out[x.TargetID] = append(out[x.TargetID], x)
	}
	return out, rows.Err()
}

// Decision is what a reviewer decides about a queued post.
type Decision string

// The queue's decisions.
const (
	Approve Decision = "approve" // the post is fine: show it, close its flags
	Dismiss Decision = "dismiss" // the flags are wrong: close them, show the post
	HideIt  Decision = "hide"
	Remove  Decision = "delete"
	EditIt  Decision = "edit"
)

// Decide applies a reviewer's decision to a queued post. Delete and edit are
// moderators' acts; the route checks that before calling.
func (s *Service) Decide(ctx context.Context, a account.Actor, postID int64, d Decision, reason, title, body string) (forum.Post, error) {
	reason = strings.TrimSpace(reason)
	switch d {
	case HideIt:
		return s.ActOnPost(ctx, a, postID, Hide, reason)
	case Remove:
		return s.ActOnPost(ctx, a, postID, Delete, reason)
	case EditIt:
		return s.Revise(ctx, a, postID, title, body, reason)
	case Approve, Dismiss:
	default:
		return forum.Post{}, &fault.ValidationError{Fields: map[string]string{"decision": i18n.T(ctx, "modmsg.decision")}}
	}
	if err := checkReason(ctx, reason, false); err != nil {
		return forum.Post{}, err
	}
	var threadID int64
	err := s.inTx(ctx, func(tx *sqldb.Tx) error {
		p, err := s.forum.PostIn(ctx, tx, a.BrandID, postID)
		if err != nil {
			return err
		}
		var open int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM flags WHERE post_id = ? AND resolved_at IS NULL`, postID).Scan(&open); err != nil {
			return err
		}
		if open == 0 && p.Status != forum.StatusPending {
			return conflict(i18n.T(ctx, "modmsg.not_waiting"))
		}
		if p.Status == forum.StatusDeleted {
			return conflict(i18n.T(ctx, "modmsg.deleted_restore"))
		}
		name, resolution := ActPostApproved, "approved"
		if d == Dismiss {
			name, resolution = ActFlagsDismissed, "dismissed"
		}
		_, t, err := s.forum.SetPostStatus(ctx, tx, a.BrandID, postID, forum.StatusVisible)
		if err != nil {
			return err
		}
		threadID = t.ID
		if err := resolveFlags(ctx, tx, a, postID, resolution, s.now().UnixMilli()); err != nil {
			return err
		}
		return s.record(ctx, tx, a, entry{act: name, targetType: "post", targetID: postID, targetUser: p.AuthorID, reason: reason,
			before: map[string]any{"status": p.Status, "open_flags": open}, after: map[string]any{"status": forum.StatusVisible, "open_flags": 0},
			boardID: t.BoardID, threadID: t.ID, postID: postID, threadAuthor: t.AuthorID})
	})
	if err != nil {
		return forum.Post{}, err
	}
	s.forum.Changed(forum.Change{BrandID: a.BrandID, ThreadID: threadID, Lists: true})
	return s.forum.Post(ctx, a.BrandID, postID)
}

// QueueSize counts the posts awaiting review, for the navigation badge.
func (s *Service) QueueSize(ctx context.Context, brandID int64) (int64, error) {
	var n int64
	err := s.db.QueryRow(ctx, `SELECT COUNT(*) FROM (
  SELECT post_id FROM flags WHERE brand_id = ? AND resolved_at IS NULL
  UNION SELECT id FROM posts WHERE brand_id = ? AND status = 'pending') q`, brandID, brandID).Scan(&n)
	return n, err
}
