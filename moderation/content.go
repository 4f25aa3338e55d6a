package moderation

import (
	"context"
	"strings"
	"time"

	"mutual/account"
	"mutual/fault"
	"mutual/forum"
	"mutual/i18n"
	"mutual/sqldb"
)

// postState is what the audit log keeps of a post before and after an act.
type postState struct {
	Status string `json:"status"`
	Body   string `json:"body,omitempty"`
	Title  string `json:"title,omitempty"`
}

// PostAct is hide, unhide, delete or restore.
type PostAct string

// The acts on a post.
const (
	Hide    PostAct = "hide"
	Unhide  PostAct = "unhide"
	Delete  PostAct = "delete"
	Restore PostAct = "restore"
)

// ActOnPost hides, unhides, soft-deletes or restores a post (a question
// takes its thread with it). Hiding or deleting takes back the reputation
// the post (for a question, every post of the thread) earned, and unhiding
// or restoring gives back what still stands, in the same transaction
// (forum.Service.SetPostStatus).
func (s *Service) ActOnPost(ctx context.Context, a account.Actor, postID int64, act PostAct, reason string) (forum.Post, error) {
	reason = strings.TrimSpace(reason)
	if err := checkReason(ctx, reason, false); err != nil {
		return forum.Post{}, err
	}
	var threadID int64
	err := s.inTx(ctx, func(tx *sqldb.Tx) error {
		var err error
		threadID, err = s.actOnPost(ctx, tx, a, postID, act, reason, "")
		return err
	})
	if err != nil {
		return forum.Post{}, err
	}
	s.forum.Changed(forum.Change{BrandID: a.BrandID, ThreadID: threadID, Lists: true})
	return s.forum.Post(ctx, a.BrandID, postID)
}

// actOnPost does the act inside tx; resolution, when set, closes the post's
// open flags with it.
func (s *Service) actOnPost(ctx context.Context, tx *sqldb.Tx, a account.Actor, postID int64, act PostAct, reason, resolution string) (int64, error) {
	p, err := s.forum.PostIn(ctx, tx, a.BrandID, postID)
	if err != nil {
		return 0, err
	}
	var to, name string
	switch act {
	case Hide:
		if p.Status == forum.StatusHidden || p.Status == forum.StatusDeleted {
			return 0, conflict(i18n.T(ctx, "modmsg.post_already_"+p.Status))
		}
		to, name = forum.StatusHidden, ActPostHidden
	case Unhide:
		if p.Status != forum.StatusHidden {
			return 0, conflict(i18n.T(ctx, "modmsg.post_not_hidden"))
		}
		to, name = forum.StatusVisible, ActPostUnhidden
	case Delete:
		if p.Status == forum.StatusDeleted {
			return 0, conflict(i18n.T(ctx, "modmsg.post_already_deleted"))
		}
		to, name = forum.StatusDeleted, ActPostDeleted
	case Restore:
		if p.Status != forum.StatusDeleted {
			return 0, conflict(i18n.T(ctx, "modmsg.post_not_deleted"))
		}
		to, name = forum.StatusVisible, ActPostRestored
	default:
		return 0, &fault.ValidationError{Fields: map[string]string{"act": i18n.T(ctx, "modmsg.post_act")}}
	}
	before, t, err := s.forum.SetPostStatus(ctx, tx, a.BrandID, postID, to)
	if err != nil {
		return 0, err
	}
	now := s.now()
	if resolution == "" {
		resolution = string(act)
		if act == Unhide || act == Restore {
			resolution = "approved"
		}
	}
	if err := resolveFlags(ctx, tx, a, postID, resolution, now.UnixMilli()); err != nil {
		return 0, err
	}
	return t.ID, s.record(ctx, tx, a, entry{act: name, targetType: "post", targetID: postID, targetUser: before.AuthorID, reason: reason,
		before: postState{Status: before.Status}, after: postState{Status: to},
		boardID: t.BoardID, threadID: t.ID, postID: postID, threadAuthor: t.AuthorID})
}

// Revise edits a post as a moderator, with a reason; the old text stays as
// a revision and in the audit row.
func (s *Service) Revise(ctx context.Context, a account.Actor, postID int64, title, body, reason string) (forum.Post, error) {
	reason = strings.TrimSpace(reason)
	if err := checkReason(ctx, reason, true); err != nil {
		return forum.Post{}, err
	}
	var threadID int64
	err := s.inTx(ctx, func(tx *sqldb.Tx) error {
		var err error
		threadID, err = s.revise(ctx, tx, a, postID, title, body, reason)
		if err != nil {
			return err
		}
		return resolveFlags(ctx, tx, a, postID, "edited", s.now().UnixMilli())
	})
	if err != nil {
		return forum.Post{}, err
	}
	s.forum.Changed(forum.Change{BrandID: a.BrandID, ThreadID: threadID, Lists: true})
	return s.forum.Post(ctx, a.BrandID, postID)
}

func (s *Service) revise(ctx context.Context, tx *sqldb.Tx, a account.Actor, postID int64, title, body, reason string) (int64, error) {
	before, err := s.forum.Revise(ctx, tx, a, postID, title, body)
	if err != nil {
		return 0, err
	}
	after, err := s.forum.PostIn(ctx, tx, a.BrandID, postID)
	if err != nil {
		return 0, err
	}
	t, err := s.forum.ThreadIn(ctx, tx, a.BrandID, before.ThreadID)
	if err != nil {
		return 0, err
	}
	return t.ID, s.record(ctx, tx, a, entry{act: ActPostEdited, targetType: "post", targetID: postID, targetUser: before.AuthorID, reason: reason,
		before: postState{Status: before.Status, Body: before.BodyMD}, after: postState{Status: after.Status, Body: after.BodyMD, Title: title},
		boardID: t.BoardID, threadID: t.ID, postID: postID, threadAuthor: t.AuthorID})
}

// threadState is what the audit log keeps of a thread.
type threadState struct {
	Locked     bool  `json:"locked"`
	Pinned     bool  `json:"pinned"`
	BoardID    int64 `json:"board_id"`
	MergedInto int64 `json:"merged_into,omitempty"`
}

func stateOf(t forum.Thread) threadState {
	return threadState{Locked: t.Locked(), Pinned: t.Pinned, BoardID: t.BoardID, MergedInto: t.MergedInto}
}

// ThreadAct is lock, unlock, pin, unpin, move or merge.
type ThreadAct string

// The acts on a thread.
const (
	Lock   ThreadAct = "lock"
	Unlock ThreadAct = "unlock"
	Pin    ThreadAct = "pin"
	Unpin  ThreadAct = "unpin"
	Move   ThreadAct = "move"
	Merge  ThreadAct = "merge"
)

// ActOnThread locks, unlocks, pins, unpins, moves (to board) or merges
// (into another thread) a thread.
func (s *Service) ActOnThread(ctx context.Context, a account.Actor, threadID int64, act ThreadAct, target int64, reason string) (forum.Thread, error) {
	reason = strings.TrimSpace(reason)
	if err := checkReason(ctx, reason, false); err != nil {
		return forum.Thread{}, err
	}
	result := threadID
	err := s.inTx(ctx, func(tx *sqldb.Tx) error {
		var before forum.Thread
		var err error
		var name string
		switch act {
		case Lock, Unlock:
			t, err := s.forum.ThreadIn(ctx, tx, a.BrandID, threadID)
			if err != nil {
				return err
			}
			if t.Locked() == (act == Lock) {
				return conflict(i18n.T(ctx, "modmsg.thread_already_"+string(act)))
			}
			at := s.now()
			name = ActThreadLocked
			if act == Unlock {
				at, name = time.Time{}, ActThreadUnlocked
			}
			before, err = s.forum.SetLocked(ctx, tx, a.BrandID, threadID, at)
			if err != nil {
				return err
			}
		case Pin, Unpin:
			before, err = s.forum.SetPinned(ctx, tx, a.BrandID, threadID, act == Pin)
			name = ActThreadPinned
			if act == Unpin {
				name = ActThreadUnpinned
			}
		case Move:
			if target <= 0 {
				return &fault.ValidationError{Fields: map[string]string{"board_id": i18n.T(ctx, "modmsg.choose_board")}}
			}
			before, err = s.forum.MoveThread(ctx, tx, a.BrandID, threadID, target)
			name = ActThreadMoved
		case Merge:
			if target <= 0 {
				return &fault.ValidationError{Fields: map[string]string{"into": i18n.T(ctx, "modmsg.choose_merge")}}
			}
			before, _, err = s.forum.MergeThread(ctx, tx, a.BrandID, threadID, target, a.UserID)
			name, result = ActThreadMerged, target
		default:
			return &fault.ValidationError{Fields: map[string]string{"act": i18n.T(ctx, "modmsg.thread_act")}}
		}
		if err != nil {
			return err
		}
		after, err := s.forum.ThreadIn(ctx, tx, a.BrandID, threadID)
		if err != nil {
			return err
		}
		return s.record(ctx, tx, a, entry{act: name, targetType: "thread", targetID: threadID, targetUser: before.AuthorID, reason: reason,
			before: stateOf(before), after: stateOf(after), boardID: after.BoardID, threadID: threadID, threadAuthor: before.AuthorID})
	})
	if err != nil {
		return forum.Thread{}, err
	}
	s.forum.Changed(forum.Change{BrandID: a.BrandID, ThreadID: threadID, Lists: true})
	if result != threadID {
		s.forum.Changed(forum.Change{BrandID: a.BrandID, ThreadID: result, Lists: true})
	}
	return s.forum.Thread(ctx, a.BrandID, result)
}
