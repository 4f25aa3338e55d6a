package deflection

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"mutual/fault"
	"mutual/forum"
	"mutual/sqldb"
)

// Reader is someone reading a thread: a member, or an anonymous viewer key.
type Reader struct {
	Key    string // MemberKey(UserID) or an AnonKey
	UserID int64  // 0 when not signed in
}

// Solvedness is what the survey and contact click need to know of a thread.
type threadState struct {
	author  int64
	solved  bool
	visible bool
}

func loadThread(ctx context.Context, q sqldb.Querier, brandID, threadID int64) (threadState, error) {
	var ts threadState
	var status string
	err := q.QueryRow(ctx, `SELECT author_id, accepted_post_id IS NOT NULL, status FROM threads WHERE id = ? AND brand_id = ?`, threadID, brandID).
		Scan(&ts.author, &ts.solved, &status)
	if errors.Is(err, sql.ErrNoRows) {
		return ts, &fault.Error{Kind: fault.ErrNotFound, Msg: "That thread does not exist."}
	}
	if err != nil {
		return ts, fmt.Errorf("deflection: load thread %d: %w", threadID, err)
	}
	ts.visible = status == "visible"
	if !ts.visible {
		return ts, &fault.Error{Kind: fault.ErrNotFound, Msg: "That thread does not exist."}
	}
	return ts, nil
}

// AnswerSurvey records a reader's answer to "Did this save you contacting
// us?" on a solved thread. Answering again replaces the answer: one per reader
// per thread. Errors: fault.ErrNotFound (no such visible thread),
// fault.ErrConflict (not solved, or the reader asked it).
func AnswerSurvey(ctx context.Context, db *sqldb.DB, brandID, threadID int64, r Reader, saved bool, at time.Time) error {
	ts, err := loadThread(ctx, db, brandID, threadID)
	if err != nil {
		return err
	}
	if !ts.solved {
		return &fault.Error{Kind: fault.ErrConflict, Msg: "This question has no accepted answer yet, so there is nothing to rate."}
	}
	if r.UserID != 0 && r.UserID == ts.author {
		return &fault.Error{Kind: fault.ErrConflict, Msg: "You asked this question: the survey is for other readers."}
	}
	var uid any
	if r.UserID != 0 {
		uid = r.UserID
	}
	_, err = db.Exec(ctx, `INSERT INTO deflection_survey (brand_id, thread_id, viewer_key, user_id, saved, answered_at) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (thread_id, viewer_key) DO UPDATE SET saved = excluded.saved, answered_at = excluded.answered_at`,
		brandID, threadID, r.Key, uid, b2i(saved), at.UnixMilli())
	if err != nil {
		return fmt.Errorf("deflection: answer survey: %w", err)
	}
	return nil
}

// SurveyAnswer returns the reader's answer on a thread: "yes", "no" or "".
func SurveyAnswer(ctx context.Context, db *sqldb.DB, brandID, threadID int64, key string) (string, error) {
	var saved int
	err := db.QueryRow(ctx, `SELECT saved FROM deflection_survey WHERE thread_id = ? AND viewer_key = ? AND brand_id = ?`, threadID, key, brandID).Scan(&saved)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("deflection: survey answer: %w", err)
	}
	if saved == 1 {
		return "yes", nil
	}
	return "no", nil
}

// RecordContact notes a click on "Contact us" (from a thread, or 0) and
// returns where it leads. A thread id that is not a visible thread of the
// brand is recorded as no thread. A reader's clicks from one thread on one
// UTC day are one contact: reloading the contact page is not another.
// Errors: fault.ErrNotFound when the brand has nowhere for it to lead.
func RecordContact(ctx context.Context, db *sqldb.DB, brandID, fromThread int64, r Reader, at time.Time) (Contact, error) {
	c, err := LoadContact(ctx, db, brandID)
	if err != nil {
		return c, err
	}
	if !c.Configured() {
		return c, &fault.Error{Kind: fault.ErrNotFound, Msg: "This community has no contact page."}
	}
	var thread, uid any
	var threadKey int64
	var solved, asker bool
	if fromThread != 0 {
		if ts, err := loadThread(ctx, db, brandID, fromThread); err == nil {
			thread, threadKey = fromThread, fromThread
			solved = ts.solved
			asker = r.UserID != 0 && r.UserID == ts.author
		} else if !errors.Is(err, fault.ErrNotFound) {
			return c, err
		}
	}
	if r.UserID != 0 {
		uid = r.UserID
	}
	var seen int
	err = db.QueryRow(ctx, `SELECT COUNT(*) FROM contact_clicks WHERE brand_id = ? AND viewer_key = ? AND at >= ? AND COALESCE(thread_id, 0) = ?`,
		brandID, r.Key, BucketStart(ByDay, at).UnixMilli(), threadKey).Scan(&seen)
	if err != nil {
		return c, fmt.Errorf("deflection: earlier contact click: %w", err)
	}
	if seen > 0 {
		return c, nil
	}
	_, err = db.Exec(ctx, `INSERT INTO contact_clicks (brand_id, viewer_key, user_id, thread_id, from_solved, from_asker, at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		brandID, r.Key, uid, thread, b2i(solved), b2i(asker), at.UnixMilli())
	if err != nil {
		return c, fmt.Errorf("deflection: record contact click: %w", err)
	}
	return c, nil
}

// Hook keeps what the report needs in step with forum changes, inside each
// change's transaction: when the current accepted answer was accepted (and
// whether its post is staff's and visible, also after moderation.post_*), and
// the view roll-up of threads that moderation hides, deletes, restores or
// moves (events named moderation.thread_*); and, for the holdout, a thread
// posted by an asker who opened the Ask form in an experiment.
func Hook(ctx context.Context, tx *sqldb.Tx, ev forum.Event) error {
	switch {
	case ev.Kind == forum.ThreadAsked:
		return notePosted(ctx, tx, ev.BrandID, ev.ActorID, ev.ThreadID, ev.At)
	case ev.Kind == forum.AnswerAccepted:
		_, err := tx.Exec(ctx, `INSERT INTO report_accepts (thread_id, brand_id, post_id, post_staff, post_visible, accepted_at)
			SELECT ?, ?, id, is_staff, CASE WHEN status = 'visible' THEN 1 ELSE 0 END, ? FROM posts WHERE id = ?
			ON CONFLICT (thread_id) DO UPDATE SET post_id = excluded.post_id, post_staff = excluded.post_staff,
				post_visible = excluded.post_visible, accepted_at = excluded.accepted_at`, ev.ThreadID, ev.BrandID, ev.At.UnixMilli(), ev.PostID)
		if err != nil {
			return fmt.Errorf("deflection: note acceptance: %w", err)
		}
	case ev.Kind == forum.AnswerWithdrawn:
		if _, err := tx.Exec(ctx, `DELETE FROM report_accepts WHERE thread_id = ?`, ev.ThreadID); err != nil {
			return fmt.Errorf("deflection: note withdrawal: %w", err)
		}
	case strings.HasPrefix(string(ev.Kind), "moderation.thread_") && ev.ThreadID != 0:
		return ResyncThread(ctx, tx, ev.BrandID, ev.ThreadID)
	case strings.HasPrefix(string(ev.Kind), "moderation.post_") && ev.PostID != 0:
		_, err := tx.Exec(ctx, `UPDATE report_accepts SET post_visible = (SELECT CASE WHEN status = 'visible' THEN 1 ELSE 0 END FROM posts WHERE id = ?)
			WHERE post_id = ?`, ev.PostID, ev.PostID)
		if err != nil {
			return fmt.Errorf("deflection: note post state: %w", err)
		}
	}
	return nil
}
