package moderation

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"mutual/account"
	"mutual/fault"
	"mutual/forum"
	"mutual/i18n"
	"mutual/sqldb"
)

// Flag reasons.
var FlagReasons = []string{"spam", "abuse", "off_topic", "needs_staff"}

// MaxFlagNote bounds a flag's note.
const MaxFlagNote = 500

// Flag is one member's report of a post.
type Flag struct {
	ID       int64
	PostID   int64
	UserID   int64
	Username string
	Reason   string
	Note     string
	Trusted  bool
	At       time.Time
}

// FlagResult says what a flag did.
type FlagResult struct {
	Flag       Flag
	AutoHidden bool // this flag made the post reach the brand's threshold
}

// FlagPost records a member's flag. When open flags from trusted members
// (or staff) reach the brand's threshold the post is hidden pending review.
//
// It stays long: one transaction that records the flag, then counts the open
// flags and hides the post at the threshold, each reading what the other
// wrote.
func (s *Service) FlagPost(ctx context.Context, a account.Actor, postID int64, reason, note string) (FlagResult, error) {
	if !a.SignedIn() {
		return FlagResult{}, fault.ErrUnauthenticated
	}
	reason = strings.TrimSpace(reason)
	note = strings.TrimSpace(note)
	ok := false
	for _, r := range FlagReasons {
		ok = ok || r == reason
	}
	v := map[string]string{}
	if !ok {
		v["reason"] = i18n.T(ctx, "modmsg.flag_reason")
	}
	if len([]rune(note)) > MaxFlagNote {
		v["note"] = i18n.T(ctx, "modmsg.flag_note_len", "Max", MaxFlagNote)
	}
	if reason == "needs_staff" && note == "" {
		v["note"] = i18n.T(ctx, "modmsg.flag_note_needed")
	}
	if len(v) > 0 {
		return FlagResult{}, &fault.ValidationError{Fields: v}
	}
	var res FlagResult
	var threadID int64
	err := s.inTx(ctx, func(tx *sqldb.Tx) error {
		p, err := s.forum.PostIn(ctx, tx, a.BrandID, postID)
		if err != nil {
			return err
		}
		if !p.Shown() {
			return notFound(i18n.T(ctx, "modmsg.no_post"))
		}
		if p.AuthorID == a.UserID {
			return denied(i18n.T(ctx, "modmsg.flag_own"))
		}
		trusted := a.Has("trusted") || a.IsStaff()
		now := s.now().UnixMilli()
		res.Flag = Flag{PostID: postID, UserID: a.UserID, Username: a.Username, Reason: reason, Note: note, Trusted: trusted, At: time.UnixMilli(now).UTC()}
		err = tx.QueryRow(ctx, `INSERT INTO flags (brand_id, post_id, user_id, reason, note, trusted, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (post_id, user_id) DO NOTHING RETURNING id`, a.BrandID, postID, a.UserID, reason, note, boolInt(trusted), now).Scan(&res.Flag.ID)
		if err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return conflict(i18n.T(ctx, "modmsg.flag_twice"))
			}
			return err
		}
		t, err := s.forum.ThreadIn(ctx, tx, a.BrandID, p.ThreadID)
		if err != nil {
			return err
		}
		threadID = t.ID
		if err := s.record(ctx, tx, a, entry{act: ActPostFlagged, targetType: "post", targetID: postID, targetUser: p.AuthorID,
			reason: reason + noteSuffix(note), boardID: t.BoardID, threadID: t.ID, postID: postID, threadAuthor: t.AuthorID}); err != nil {
			return err
		}
		var open, threshold int64
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM flags WHERE post_id = ? AND resolved_at IS NULL AND trusted = 1`, postID).Scan(&open); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `SELECT flag_hide_at FROM brands WHERE id = ?`, a.BrandID).Scan(&threshold); err != nil {
			return err
		}
		if threshold <= 0 || open < threshold {
			return nil
		}
		// Hidden by the community, not by anyone in particular: the system
		// is the actor, and the flags stay open for a moderator to decide.
		if _, _, err := s.forum.SetPostStatus(ctx, tx, a.BrandID, postID, forum.StatusHidden); err != nil {
			return err
		}
		if err := s.record(ctx, tx, account.Actor{BrandID: a.BrandID}, entry{act: ActPostHidden, targetType: "post", targetID: postID, targetUser: p.AuthorID,
			reason: fmt.Sprintf("hidden automatically: %d flags from trusted members, pending review", open),
			before: postState{Status: p.Status}, after: postState{Status: forum.StatusHidden},
			boardID: t.BoardID, threadID: t.ID, postID: postID, threadAuthor: t.AuthorID}); err != nil {
			return err
		}
		res.AutoHidden = true
		return nil
	})
	if err != nil {
		return FlagResult{}, err
	}
	if res.AutoHidden {
		s.forum.Changed(forum.Change{BrandID: a.BrandID, ThreadID: threadID, Lists: true})
	}
	return res, nil
}

func noteSuffix(note string) string {
	if note == "" {
		return ""
	}
	return ": " + note
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// resolveFlags closes a post's open flags with a moderator's decision.
func resolveFlags(ctx context.Context, tx *sqldb.Tx, a account.Actor, postID int64, resolution string, at int64) error {
	var by any
	if a.UserID != 0 {
		by = a.UserID
	}
	_, err := tx.Exec(ctx, `UPDATE flags SET resolved_at = ?, resolved_by = ?, resolution = ? WHERE post_id = ? AND resolved_at IS NULL`,
		at, by, resolution, postID)
	return err
}
