package forum

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"mutual/account"
	"mutual/fault"
	"mutual/i18n"
	"mutual/reputation"
	"mutual/sqldb"
)

// Accept marks postID as the thread's answer, replacing any earlier one. The
// asker or a moderator may accept; nobody accepts the asker's own reply, nor
// in a thread members do not see (fault.ErrNotFound, or fault.ErrConflict to those who
// see it: moderators, the asker of a held question).
func (s *Service) Accept(ctx context.Context, a account.Actor, threadID, postID int64) (Thread, error) {
	if err := requireMember(a); err != nil {
		return Thread{}, err
	}
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		t, err := s.lockedThread(ctx, tx, a.BrandID, threadID)
		if err != nil {
			return err
		}
		// Points stand only on what members see (points.go).
		if !t.Shown() {
			if !threadShown(t, a.UserID, a.CanModerate()) {
				return fault.NotFound(i18n.T(ctx, "forum.thread_missing"))
			}
			return &fault.Error{Kind: fault.ErrConflict, Msg: i18n.T(ctx, "forum.accept_hidden")}
		}
		if t.AuthorID != a.UserID && !a.CanModerate() {
			return fault.Denied(i18n.T(ctx, "forum.accept_only_asker"))
		}
		p, err := s.post(ctx, tx, a.BrandID, postID)
		if err != nil {
			return err
		}
		if err := s.lockAcceptMembers(ctx, tx, t, p.AuthorID); err != nil {
			return err
		}
		if p.ThreadID != threadID || p.IsQuestion || !p.Shown() {
			return &fault.ValidationError{Fields: map[string]string{"post_id": i18n.T(ctx, "forum.accept_not_reply")}}
		}
		if p.AuthorID == t.AuthorID {
			return fault.Denied(i18n.T(ctx, "forum.accept_own"))
		}
		if t.AcceptedPostID == postID {
			return nil
		}
		now := s.now()
		if t.AcceptedPostID != 0 {
			if err := s.reverseAccept(ctx, tx, t, now, reputation.AcceptWithdrawn); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE threads SET accepted_post_id = ? WHERE id = ?`, postID, threadID); err != nil {
			return err
		}
		if _, err := reputation.Award(ctx, LedgerTx(tx), reputation.Event{BrandID: a.BrandID, UserID: p.AuthorID, Reason: reputation.AnswerAccepted,
			PostID: postID, ActorID: t.AuthorID, At: now}); err != nil {
			return err
		}
		if _, err = reputation.Award(ctx, LedgerTx(tx), reputation.Event{BrandID: a.BrandID, UserID: t.AuthorID, Reason: reputation.AcceptedOther,
			PostID: postID, ActorID: p.AuthorID, At: now}); err != nil {
			return err
		}
		return s.Emit(ctx, tx, Event{Kind: AnswerAccepted, BrandID: a.BrandID, BoardID: t.BoardID, ThreadID: threadID, PostID: postID,
			ActorID: a.UserID, ActorStaff: a.IsStaff(), AuthorID: p.AuthorID, ThreadAuthorID: t.AuthorID, At: now})
	})
	if err != nil {
		return Thread{}, fmt.Errorf("forum: accept answer %d: %w", postID, err)
	}
	s.changed(Change{BrandID: a.BrandID, ThreadID: threadID, Lists: true})
	return s.Thread(ctx, a.BrandID, threadID)
}

// reverseAccept takes back the points of t's accepted answer (the answer's
// author's and the asker's) with ledger lines of reason why: AcceptWithdrawn
// when it is unaccepted or replaced, ThreadMerged when its thread is merged.
// The caller has locked the thread and both members (lockAcceptMembers).
func (s *Service) reverseAccept(ctx context.Context, tx *sqldb.Tx, t Thread, now time.Time, why reputation.Reason) error {
	old, err := s.post(ctx, tx, t.BrandID, t.AcceptedPostID)
	if err != nil {
		return err
	}
	if _, err := reputation.ReverseAs(ctx, LedgerTx(tx), reputation.Event{BrandID: t.BrandID, UserID: old.AuthorID,
		Reason: reputation.AnswerAccepted, PostID: old.ID, At: now}, why); err != nil {
		return err
	}
	_, err = reputation.ReverseAs(ctx, LedgerTx(tx), reputation.Event{BrandID: t.BrandID, UserID: t.AuthorID,
		Reason: reputation.AcceptedOther, PostID: old.ID, At: now}, why)
	return err
}

// Unaccept withdraws the accepted answer; with none accepted it does nothing.
func (s *Service) Unaccept(ctx context.Context, a account.Actor, threadID int64) (Thread, error) {
	if err := requireMember(a); err != nil {
		return Thread{}, err
	}
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		t, err := s.lockedThread(ctx, tx, a.BrandID, threadID)
		if err != nil {
			return err
		}
		if t.AuthorID != a.UserID && !a.CanModerate() {
			return fault.Denied(i18n.T(ctx, "forum.withdraw_only_asker"))
		}
		if t.AcceptedPostID == 0 {
			return nil
		}
		if err := s.lockAcceptMembers(ctx, tx, t, 0); err != nil {
			return err
		}
		now := s.now()
		if err := s.reverseAccept(ctx, tx, t, now, reputation.AcceptWithdrawn); err != nil {
			return err
		}
		if _, err = tx.Exec(ctx, `UPDATE threads SET accepted_post_id = NULL WHERE id = ?`, threadID); err != nil {
			return err
		}
		return s.Emit(ctx, tx, Event{Kind: AnswerWithdrawn, BrandID: a.BrandID, BoardID: t.BoardID, ThreadID: threadID, PostID: t.AcceptedPostID,
			ActorID: a.UserID, ActorStaff: a.IsStaff(), ThreadAuthorID: t.AuthorID, At: now})
	})
	if err != nil {
		return Thread{}, fmt.Errorf("forum: withdraw answer on thread %d: %w", threadID, err)
	}
	s.changed(Change{BrandID: a.BrandID, ThreadID: threadID, Lists: true})
	return s.Thread(ctx, a.BrandID, threadID)
}

// lockedThread reads a thread for an accept or unaccept, holding its row on
// PostgreSQL so accepts on one thread take turns (SQLite has one writer).
func (s *Service) lockedThread(ctx context.Context, tx *sqldb.Tx, brandID, id int64) (Thread, error) {
	if err := s.lockThreads(ctx, tx, brandID, id); err != nil {
		return Thread{}, err
	}
	return s.thread(ctx, tx, brandID, id)
}

// lockThreads holds the threads' rows for the rest of the transaction on
// PostgreSQL, in id order (SQLite has one writer).
func (s *Service) lockThreads(ctx context.Context, tx *sqldb.Tx, brandID int64, ids ...int64) error {
	if tx.Dialect() != sqldb.Postgres {
		return nil
	}
	ids = slices.Clone(ids)
	slices.Sort(ids)
	for _, id := range ids {
		var got int64
		err := tx.QueryRow(ctx, `SELECT id FROM threads WHERE id = ? AND brand_id = ? FOR UPDATE`, id, brandID).Scan(&got)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("forum: lock thread %d: %w", id, err)
		}
	}
	return nil
}

// lockAcceptMembers locks, in one sorted pass, every member whose points an
// accept or unaccept moves: the asker, the author of the answer accepted
// now (if any) and of the one it replaces.
func (s *Service) lockAcceptMembers(ctx context.Context, tx *sqldb.Tx, t Thread, newAuthor int64) error {
	ids := []int64{t.AuthorID, newAuthor}
	if t.AcceptedPostID != 0 {
		var old int64
		if err := tx.QueryRow(ctx, `SELECT author_id FROM posts WHERE id = ?`, t.AcceptedPostID).Scan(&old); err != nil {
			return err
		}
		ids = append(ids, old)
	}
	return account.LockMembers(ctx, tx, ids...)
}
