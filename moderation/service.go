package moderation

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"mutual/account"
	"mutual/fault"
	"mutual/forum"
	"mutual/i18n"
	"mutual/sqldb"
)

// Service carries out moderators' acts on content and people. Each act runs
// in one transaction that changes the rows, writes its audit row and emits
// a "moderation.<act>" event; page caches hear of it after the commit.
type Service struct {
	db    *sqldb.DB
	forum *forum.Service
}

// NewService wires moderation to the forum whose content it acts on.
func NewService(db *sqldb.DB, f *forum.Service) *Service { return &Service{db: db, forum: f} }

func (s *Service) now() time.Time { return s.forum.Now() }

// Acts, as the audit log and the events name them.
const (
	ActPostFlagged     = "post_flagged"
	ActPostHidden      = "post_hidden"
	ActPostUnhidden    = "post_unhidden"
	ActPostDeleted     = "post_deleted"
	ActPostRestored    = "post_restored"
	ActPostEdited      = "post_edited"
	ActPostApproved    = "post_approved"
	ActFlagsDismissed  = "flags_dismissed"
	ActThreadLocked    = "thread_locked"
	ActThreadUnlocked  = "thread_unlocked"
	ActThreadPinned    = "thread_pinned"
	ActThreadUnpinned  = "thread_unpinned"
	ActThreadMoved     = "thread_moved"
	ActThreadMerged    = "thread_merged"
	ActUserWarned      = "user_warned"
	ActUserSuspended   = "user_suspended"
	ActUserUnsuspended = "user_unsuspended"
	ActUserBanned      = "user_banned"
	ActUserUnbanned    = "user_unbanned"
	ActRoleGranted     = "role_granted"
	ActRoleRevoked     = "role_revoked"
	ActSettingsChanged = "settings_changed"
	ActBrandChanged    = "brand_changed"
	// Members' data rights (privacy.go).
	ActMemberExported = "member_data_exported"
	ActMemberErased   = "member_erased"
	// The brand's ticketing system (integration.go).
	ActTicketingAnswer = "ticketing_answer"
	ActTicketingSecret = "ticketing_secret_set"
	// Editors' acts on knowledge-base articles (recorded by package kb).
	ActArticlePublished = "kb_publish"
	ActArticleEdited    = "kb_edit"
	ActArticleReturned  = "kb_return"
	ActArticleReviewed  = "kb_reviewed"
)

// Acts lists every act, for filters.
var Acts = []string{ActPostFlagged, ActPostHidden, ActPostUnhidden, ActPostDeleted, ActPostRestored, ActPostEdited,
	ActPostApproved, ActFlagsDismissed, ActThreadLocked, ActThreadUnlocked, ActThreadPinned, ActThreadUnpinned,
	ActThreadMoved, ActThreadMerged, ActUserWarned, ActUserSuspended, ActUserUnsuspended, ActUserBanned,
	ActUserUnbanned, ActRoleGranted, ActRoleRevoked, ActSettingsChanged, ActBrandChanged, ActMemberExported, ActMemberErased,
	ActTicketingAnswer, ActTicketingSecret, ActArticlePublished, ActArticleEdited, ActArticleReturned, ActArticleReviewed,
	ActIncidentRaised, ActIncidentAcknowledged, ActIncidentStatusPosted, ActIncidentReplied, ActIncidentClosed}

// Action is one row of the audit log.
type Action struct {
	ID             int64
	BrandID        int64
	ActorID        int64 // 0 for the system (a post hidden by flags, the command line)
	ActorName      string
	Act            string
	TargetType     string // post, thread, user, brand
	TargetID       int64
	TargetUserID   int64
	TargetUserName string
	Reason         string
	Before, After  string // JSON objects
	At             time.Time
}

// entry is what an act writes: its audit row and the event hooks hear.
type entry struct {
	act                  string
	targetType           string
	targetID, targetUser int64
	reason               string
	before, after        any
	boardID, threadID    int64
	postID               int64
	threadAuthor         int64
}

func jsonOf(v any) string {
	if v == nil {
		return "{}"
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "{}"
	}
	return string(b)
}

// record writes the audit row and emits the event, inside tx.
func (s *Service) record(ctx context.Context, tx *sqldb.Tx, a account.Actor, e entry) error {
	now := s.now()
	var actor, target any
	if a.UserID != 0 {
		actor = a.UserID
	}
	if e.targetUser != 0 {
		target = e.targetUser
	}
	if _, err := tx.Exec(ctx, `INSERT INTO moderation_actions (brand_id, actor_id, act, target_type, target_id, target_user_id, reason, before_json, after_json, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, a.BrandID, actor, e.act, e.targetType, e.targetID, target, e.reason, jsonOf(e.before), jsonOf(e.after), now.UnixMilli()); err != nil {
		return fmt.Errorf("moderation: audit %s: %w", e.act, err)
	}
	return s.forum.Emit(ctx, tx, forum.Event{Kind: forum.EventKind("moderation." + e.act), BrandID: a.BrandID, BoardID: e.boardID,
		ThreadID: e.threadID, PostID: e.postID, ActorID: a.UserID, ActorStaff: a.IsStaff(), AuthorID: e.targetUser,
		ThreadAuthorID: e.threadAuthor, At: now, Note: e.reason})
}

func (s *Service) inTx(ctx context.Context, fn func(tx *sqldb.Tx) error) error {
	return s.db.InTx(ctx, fn)
}

// Reason limits: a reason is what the member and the client read later.
const MaxReason = 500

func checkReason(ctx context.Context, reason string, required bool) error {
	if len([]rune(reason)) > MaxReason {
		return &fault.ValidationError{Fields: map[string]string{"reason": i18n.T(ctx, "modmsg.reason_len", "Max", MaxReason)}}
	}
	if required && reason == "" {
		return &fault.ValidationError{Fields: map[string]string{"reason": i18n.T(ctx, "modmsg.reason_needed")}}
	}
	return nil
}

func conflict(msg string) error { return &fault.Error{Kind: fault.ErrConflict, Msg: msg} }
func denied(msg string) error   { return &fault.Error{Kind: fault.ErrForbidden, Msg: msg} }
func notFound(msg string) error { return &fault.Error{Kind: fault.ErrNotFound, Msg: msg} }

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }
