package forum

import (
	"context"
	"fmt"
	"time"

	"mutual/account"
	"mutual/reputation"
	"mutual/sqldb"
)

// A post's reputation stands while members see it: the post and its thread
// visible. When a moderator (or flags) hides or deletes the post, or its
// whole thread with the question, its points are taken back
// (reputation.RemovePost); when it is seen again, what still stands is given
// back (reputation.RestorePost). Only a change between seen and not seen
// moves points, so hiding then deleting takes them once, and an unhidden
// post is not restored again.

// pointPost is a post holding ledger lines, with its status.
type pointPost struct {
	id       int64
	status   string
	question bool
}

// postsWithPoints lists the posts of the thread (only postID, when it is not
// 0) that have lines on the ledger: the only ones whose points can move.
func postsWithPoints(ctx context.Context, tx *sqldb.Tx, threadID, postID int64) ([]pointPost, error) {
	rows, err := tx.Query(ctx, `SELECT p.id, p.status, p.is_question FROM posts p
WHERE p.thread_id = ? AND (? = 0 OR p.id = ?) AND EXISTS (SELECT 1 FROM reputation_events e WHERE e.post_id = p.id)
ORDER BY p.id`, threadID, postID, postID)
	if err != nil {
		return nil, fmt.Errorf("forum: posts holding points: %w", err)
	}
	defer rows.Close()
	var out []pointPost
	for rows.Next() {
		var p pointPost
		var q int
		if err := rows.Scan(&p.id, &p.status, &q); err != nil {
			return nil, err
		}
		p.question = q == 1
		out = append(out, p)
	}
	return out, rows.Err()
}

// lockPointHolders locks, on PostgreSQL and in one sorted pass, every member
// whose points a change to the thread's posts (only postID's, when it is not
// 0) can move: their authors, the asker, and whoever holds lines on them (an
// earlier asker, after a merge). The caller holds the thread's row already;
// posts come after members, as in kudos and accepts.
func lockPointHolders(ctx context.Context, tx *sqldb.Tx, t Thread, postID int64) error {
	if tx.Dialect() != sqldb.Postgres {
		return nil
	}
	ids, err := sqldb.Int64s(tx.Query(ctx, `SELECT author_id FROM posts WHERE thread_id = ? AND (? = 0 OR id = ?)
UNION SELECT e.user_id FROM reputation_events e JOIN posts p ON p.id = e.post_id WHERE p.thread_id = ? AND (? = 0 OR p.id = ?)`,
		t.ID, postID, postID, t.ID, postID, postID))
	if err != nil {
		return fmt.Errorf("forum: members holding points: %w", err)
	}
	return account.LockMembers(ctx, tx, append(ids, t.AuthorID)...)
}

// seen reports whether members see a post of this status in a thread of
// that status: whether its points stand.
func seen(postStatus, threadStatus string) bool {
	return postStatus == StatusVisible && threadStatus == StatusVisible
}

// movePoints takes back the points of each post in gone and gives back what
// still stands on each in back, inside tx.
func movePoints(ctx context.Context, tx *sqldb.Tx, brandID int64, gone, back []int64, at time.Time) error {
	for _, id := range gone {
		if err := reputation.RemovePost(ctx, LedgerTx(tx), brandID, id, at); err != nil {
			return err
		}
	}
	for _, id := range back {
		if err := reputation.RestorePost(ctx, LedgerTx(tx), brandID, id, at); err != nil {
			return err
		}
	}
	return nil
}

// statusPoints says, before post p (of thread t) moves to status, whose
// points go and whose come back: p's alone for a reply, every post of the
// thread's for a question, which carries the thread with it.
func statusPoints(ctx context.Context, tx *sqldb.Tx, p Post, t Thread, status string) (gone, back []int64, err error) {
	only := p.ID
	if p.IsQuestion {
		only = 0
	}
	posts, err := postsWithPoints(ctx, tx, t.ID, only)
	if err != nil {
		return nil, nil, err
	}
	threadAfter := t.Status
	if p.IsQuestion {
		threadAfter = status
	}
	for _, q := range posts {
		after := q.status
		if q.id == p.ID {
			after = status
		}
		switch was, is := seen(q.status, t.Status), seen(after, threadAfter); {
		case was && !is:
			gone = append(gone, q.id)
		case is && !was:
			back = append(back, q.id)
		}
	}
	return gone, back, nil
}
