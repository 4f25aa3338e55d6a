package moderation

import (
	"context"
	"strings"
	"time"

	"mutual/account"
	"mutual/fault"
	"mutual/i18n"
	"mutual/sqldb"
)

// Standing is a member's moderation record as a moderator sees it.
type Standing struct {
	UserID         int64
	Username       string
	Email          string // empty unless the brand lets moderators see it (or an admin asks)
	Reputation     int64
	JoinedAt       time.Time
	SuspendedUntil time.Time
	Reason         string
	BannedAt       time.Time
	Roles          []string
	Posts          int64 // visible posts
	Removed        int64 // hidden or deleted posts
	Pending        int64
	FlagsAgainst   int64
	Actions        int64 // audit rows about this member
}

// Suspended reports whether the member is suspended at now.
func (s Standing) Suspended(now time.Time) bool { return s.SuspendedUntil.After(now) }

// PersonAct is warn, suspend, unsuspend, ban or unban.
type PersonAct string

// The acts on people.
const (
	Warn      PersonAct = "warn"
	Suspend   PersonAct = "suspend"
	Unsuspend PersonAct = "unsuspend"
	Ban       PersonAct = "ban"
	Unban     PersonAct = "unban"
)

type personState struct {
	SuspendedUntil *time.Time `json:"suspended_until"`
	Banned         bool       `json:"banned"`
	Reason         string     `json:"reason,omitempty"`
}

// ActOnPerson warns, suspends (until), unsuspends, bans or unbans a member.
// A suspended member can read but not post until then; a banned one never
// posts again until unbanned. Only an administrator may act on staff.
func (s *Service) ActOnPerson(ctx context.Context, a account.Actor, username string, act PersonAct, until time.Time, reason string) (Standing, error) {
	reason = strings.TrimSpace(reason)
	if err := checkReason(ctx, reason, act == Warn || act == Suspend || act == Ban); err != nil {
		return Standing{}, err
	}
	now := s.now()
	if act == Suspend && !until.After(now) {
		return Standing{}, &fault.ValidationError{Fields: map[string]string{"until": i18n.T(ctx, "modmsg.suspend_future")}}
	}
	var target Standing
	err := s.inTx(ctx, func(tx *sqldb.Tx) error {
		st, err := s.standing(ctx, tx, a.BrandID, username, false)
		if err != nil {
			return err
		}
		target = st
		if st.UserID == a.UserID {
			return denied(i18n.T(ctx, "modmsg.not_self"))
		}
		for _, r := range st.Roles {
			if (r == "moderator" || r == "admin" || r == "agent") && !a.Has("admin") {
				return denied(i18n.T(ctx, "modmsg.staff_only_admin"))
			}
		}
		before := personState{Banned: !st.BannedAt.IsZero(), Reason: st.Reason}
		if !st.SuspendedUntil.IsZero() {
			u := st.SuspendedUntil
			before.SuspendedUntil = &u
		}
		after := before
		var name string
		switch act {
		case Warn:
			name = ActUserWarned
		case Suspend:
			if err := account.Suspend(ctx, tx, st.UserID, until, reason); err != nil {
				return err
			}
			u := until.UTC()
			after.SuspendedUntil, after.Reason, name = &u, reason, ActUserSuspended
		case Unsuspend:
			if !st.Suspended(now) {
				return conflict(st.Username + " is not suspended.")
			}
			if err := account.Suspend(ctx, tx, st.UserID, time.Time{}, ""); err != nil {
				return err
			}
			after.SuspendedUntil, name = nil, ActUserUnsuspended
		case Ban:
			if !st.BannedAt.IsZero() {
				return conflict(st.Username + " is already banned.")
			}
			if err := account.Ban(ctx, tx, st.UserID, now, reason); err != nil {
				return err
			}
			after.Banned, after.Reason, name = true, reason, ActUserBanned
		case Unban:
			if st.BannedAt.IsZero() {
				return conflict(st.Username + " is not banned.")
			}
			if err := account.Ban(ctx, tx, st.UserID, time.Time{}, ""); err != nil {
				return err
			}
			after.Banned, name = false, ActUserUnbanned
		default:
			return &fault.ValidationError{Fields: map[string]string{"act": i18n.T(ctx, "modmsg.person_act")}}
		}
		return s.record(ctx, tx, a, entry{act: name, targetType: "user", targetID: st.UserID, targetUser: st.UserID, reason: reason,
			before: before, after: after})
	})
	if err != nil {
		return Standing{}, err
	}
	return s.Standing(ctx, a, target.Username, false)
}

// Standing reads a member's record. The email address is included only when
// showEmail (the brand allows it, or the reader is an administrator).
func (s *Service) Standing(ctx context.Context, a account.Actor, username string, showEmail bool) (Standing, error) {
	return s.standing(ctx, s.db, a.BrandID, username, showEmail)
}

func (s *Service) standing(ctx context.Context, q sqldb.Querier, brandID int64, username string, showEmail bool) (Standing, error) {
	var st Standing
	var joined, until, banned int64
	err := q.QueryRow(ctx, `SELECT id, username, email, reputation, created_at, COALESCE(suspended_until, 0), suspend_reason, COALESCE(banned_at, 0)
FROM users WHERE brand_id = ? AND username_key = ?`, brandID, strings.ToLower(strings.TrimSpace(username))).
		Scan(&st.UserID, &st.Username, &st.Email, &st.Reputation, &joined, &until, &st.Reason, &banned)
	if err != nil {
		if isNoRows(err) {
			return Standing{}, notFound(i18n.T(ctx, "modmsg.no_member", "Name", username))
		}
		return Standing{}, err
	}
	if !showEmail {
		st.Email = ""
	}
	st.JoinedAt, st.SuspendedUntil, st.BannedAt = sqldb.Time(joined), sqldb.Time(until), sqldb.Time(banned)
	// All posts from the covering posts_author index; the few not visible
	// from the partial posts_author_unseen index.
	var total int64
	if err := q.QueryRow(ctx, `SELECT COUNT(*) FROM posts WHERE author_id = ?`, st.UserID).Scan(&total); err != nil {
		return Standing{}, err
	}
	rows, err := q.Query(ctx, `SELECT status, COUNT(*) FROM posts WHERE author_id = ? AND status <> 'visible' GROUP BY status`, st.UserID)
	if err != nil {
		return Standing{}, err
	}
	for rows.Next() {
		var status string
		var n int64
		if err := rows.Scan(&status, &n); err != nil {
			rows.Close()
			return Standing{}, err
		}
		if status == "pending" {
			st.Pending += n
		} else {
			st.Removed += n
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return Standing{}, err
	}
	st.Posts = total - st.Pending - st.Removed
	if err := q.QueryRow(ctx, `SELECT COUNT(*) FROM flags f JOIN posts p ON p.id = f.post_id WHERE p.author_id = ? AND f.brand_id = ?`,
		st.UserID, brandID).Scan(&st.FlagsAgainst); err != nil {
		return Standing{}, err
	}
	if err := q.QueryRow(ctx, `SELECT COUNT(*) FROM moderation_actions WHERE brand_id = ? AND target_user_id = ? AND act <> ?`,
		brandID, st.UserID, ActPostFlagged).Scan(&st.Actions); err != nil {
		return Standing{}, err
	}
	rows, err = q.Query(ctx, `SELECT role FROM role_assignments WHERE brand_id = ? AND user_id = ? ORDER BY role`, brandID, st.UserID)
	if err != nil {
		return Standing{}, err
	}
	defer rows.Close()
	st.Roles = []string{"member"}
	for rows.Next() {
		var r string
		if err := rows.Scan(&r); err != nil {
			return Standing{}, err
		}
		st.Roles = append(st.Roles, r)
	}
	return st, rows.Err()
}

// PostingBlock says why the actor cannot post right now (suspended until a
// time, or banned), or "" when they can.
func (s *Service) PostingBlock(ctx context.Context, a account.Actor) (string, error) {
	if !a.SignedIn() {
		return "", nil
	}
	var until, banned int64
	var reason string
	err := s.db.QueryRow(ctx, `SELECT COALESCE(suspended_until, 0), COALESCE(banned_at, 0), suspend_reason FROM users WHERE id = ? AND brand_id = ?`,
		a.UserID, a.BrandID).Scan(&until, &banned, &reason)
	if err != nil {
		return "", err
	}
	var block string
	switch {
	case banned != 0:
		block = i18n.T(ctx, "modmsg.banned")
	case until > s.now().UnixMilli():
		block = i18n.T(ctx, "modmsg.suspended", "Until", i18n.From(ctx).DateTime(sqldb.Time(until)))
	default:
		return "", nil
	}
	if reason != "" {
		block = i18n.T(ctx, "modmsg.block_reason", "Block", block, "Reason", reason)
	}
	return block, nil
}
