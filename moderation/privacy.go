package moderation

import (
	"context"
	"fmt"
	"time"

	"mutual/account"
	"mutual/sqldb"
)

// MemberRecord is moderation's part of a member's data export: the flags
// they raised and every act the audit log records about them.
type MemberRecord struct {
	FlagsRaised []FlagData `json:"flags_raised"`
	Acts        []ActData  `json:"acts_concerning_you"`
}

// FlagData is one flag the member raised.
type FlagData struct {
	PostID     int64      `json:"post_id"`
	Reason     string     `json:"reason"`
	Note       string     `json:"note"`
	CreatedAt  time.Time  `json:"created_at"`
	ResolvedAt *time.Time `json:"resolved_at"`
	Resolution string     `json:"resolution,omitempty"`
}

// ActData is one audit-log act about the member (who acted is not named).
type ActData struct {
	Act        string    `json:"act"`
	TargetType string    `json:"target_type"`
	TargetID   int64     `json:"target_id"`
	Reason     string    `json:"reason"`
	At         time.Time `json:"at"`
}

// ExportMember reads moderation's part of a member's data export.
func ExportMember(ctx context.Context, q sqldb.Querier, brandID, userID int64) (MemberRecord, error) {
	r := MemberRecord{FlagsRaised: []FlagData{}, Acts: []ActData{}}
	rows, err := q.Query(ctx, `SELECT post_id, reason, note, created_at, COALESCE(resolved_at, 0), resolution
FROM flags WHERE user_id = ? AND brand_id = ? ORDER BY created_at, id`, userID, brandID)
	if err != nil {
		return r, fmt.Errorf("moderation: export flags: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var f FlagData
		var at, resolved int64
		if err := rows.Scan(&f.PostID, &f.Reason, &f.Note, &at, &resolved, &f.Resolution); err != nil {
			return r, err
		}
		f.CreatedAt = sqldb.Time(at)
		if resolved != 0 {
			t := sqldb.Time(resolved)
			f.ResolvedAt = &t
		}
		r.FlagsRaised = append(r.FlagsRaised, f)
	}
	if err := rows.Err(); err != nil {
		return r, err
	}
	acts, err := q.Query(ctx, `SELECT act, target_type, target_id, reason, created_at FROM moderation_actions
WHERE target_user_id = ? AND brand_id = ? ORDER BY id`, userID, brandID)
	if err != nil {
		return r, fmt.Errorf("moderation: export acts: %w", err)
	}
	defer acts.Close()
	for acts.Next() {
		var a ActData
		var at int64
		if err := acts.Scan(&a.Act, &a.TargetType, &a.TargetID, &a.Reason, &at); err != nil {
			return r, err
		}
		a.At = sqldb.Time(at)
		r.Acts = append(r.Acts, a)
	}
	return r, acts.Err()
}

// EraseMember clears what an erased member wrote in moderation's tables
// (the notes on their flags) inside the caller's transaction. The flags
// stay, so the queue's history and its counts do; the audit log is
// append-only and names people by id alone.
func EraseMember(ctx context.Context, q sqldb.Querier, brandID, userID int64) error {
	if _, err := q.Exec(ctx, `UPDATE flags SET note = '' WHERE user_id = ? AND brand_id = ?`, userID, brandID); err != nil {
		return fmt.Errorf("moderation: erase flag notes: %w", err)
	}
	return nil
}

// PrivacyEntry is an audit row of the privacy capability: a member's data
// exported, a member erased, the brand's privacy settings changed. Before
// and After must name nobody.
type PrivacyEntry struct {
	Act           string
	TargetType    string // user or brand
	TargetID      int64
	TargetUserID  int64 // 0 when the act concerns no member
	Reason        string
	Before, After any
}

// RecordPrivacyAct writes a privacy act to the audit log inside the
// caller's transaction. Unlike acts on content it tells nobody: the member
// asked for it, or is gone.
func RecordPrivacyAct(ctx context.Context, tx *sqldb.Tx, a account.Actor, e PrivacyEntry, at time.Time) error {
	if err := checkReason(ctx, e.Reason, false); err != nil {
		return err
	}
	var actor, target any // NULL: the system (the command line), no member
	if a.UserID != 0 {
		actor = a.UserID
	}
	if e.TargetUserID != 0 {
		target = e.TargetUserID
	}
	_, err := tx.Exec(ctx, `INSERT INTO moderation_actions (brand_id, actor_id, act, target_type, target_id, target_user_id, reason, before_json, after_json, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, a.BrandID, actor, e.Act, e.TargetType, e.TargetID, target, e.Reason, jsonOf(e.Before), jsonOf(e.After), at.UnixMilli())
	if err != nil {
		return fmt.Errorf("moderation: audit %s: %w", e.Act, err)
	}
	return nil
}
