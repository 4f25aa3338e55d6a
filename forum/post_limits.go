package forum

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"mutual/account"
	"mutual/fault"
	"mutual/i18n"
	"mutual/markup"
	"mutual/sqldb"
)

// PostLimits are the new-member safeguards (Discourse's defaults): new
// accounts wait between posts and have a first-day allowance; everyone's
// repeated text is refused and the same text from several accounts at once
// is held for review. Staff and trusted members are exempt.
type PostLimits struct {
	NewAccount      time.Duration // an account younger than this is new
	NewInterval     time.Duration // a new member's minimum time between posts
	FirstDayThreads int
	FirstDayReplies int
	DuplicateWindow time.Duration // how far back repeated text is looked for
	BurstAccounts   int           // other accounts posting the same text that make a burst
}

// DefaultPostLimits are Discourse's defaults.
func DefaultPostLimits() *PostLimits {
	return &PostLimits{NewAccount: 24 * time.Hour, NewInterval: 30 * time.Second, FirstDayThreads: 3, FirstDayReplies: 10,
		DuplicateWindow: 10 * time.Minute, BurstAccounts: 2}
}

// Below the brand's reputation thresholds a member may post this many links
// and images (Discourse's new-user defaults).
const (
	NewMemberLinks  = 2
	NewMemberImages = 1
)

// standing is what admission reads about the author and the brand.
type standing struct {
	username                                      string
	reputation, created, suspendedUntil, bannedAt int64
	reason                                        string
	repLinks, repImages, premod                   int64
}

// readStanding reads a's standing for admit, inside the posting transaction.
func (s *Service) readStanding(ctx context.Context, tx *sqldb.Tx, a account.Actor) (standing, error) {
	if s.Limits != nil && tx.Dialect() == sqldb.Postgres {
		// One author's parallel posts queue here, so admit's counts hold.
		if err := account.LockMembers(ctx, tx, a.UserID); err != nil {
			return standing{}, err
		}
	}
	var st standing
	err := tx.QueryRow(ctx, `SELECT u.username, u.reputation, u.created_at, COALESCE(u.suspended_until, 0), COALESCE(u.banned_at, 0), u.suspend_reason,
b.rep_links, b.rep_images, b.premod_posts FROM users u JOIN brands b ON b.id = ? WHERE u.id = ?`, a.BrandID, a.UserID).
		Scan(&st.username, &st.reputation, &st.created, &st.suspendedUntil, &st.bannedAt, &st.reason, &st.repLinks, &st.repImages, &st.premod)
	if errors.Is(err, sql.ErrNoRows) {
		return standing{}, fault.ErrUnauthenticated
	}
	if err != nil {
		return standing{}, fmt.Errorf("forum: standing: %w", err)
	}
	return st, nil
}

// admit decides, inside the posting transaction, whether a, whose standing
// readStanding read, may post (a reply when threadID is not 0) and in which
// state: refused for a banned or suspended member or a locked thread, rate
// limited for new members, held for review for a new member's first posts
// or a spam burst.
//
// It stays long: the posting rules in the order a member meets them, in the
// posting transaction; which message a refusal gives depends on the checks
// before it.
func (s *Service) admit(ctx context.Context, tx *sqldb.Tx, a account.Actor, st standing, threadID int64, body, html string) (string, error) {
	now := s.now()
	if st.bannedAt != 0 {
		return "", fault.Denied(because(ctx, "forum.banned", st.reason))
	}
	if st.suspendedUntil > sqldb.Millis(now) {
		return "", fault.Denied(because(ctx, "forum.suspended", st.reason, "Until", i18n.From(ctx).DateTime(sqldb.Time(st.suspendedUntil))))
	}
	if threadID != 0 {
		var tstatus string
		var author, locked int64
		err := tx.QueryRow(ctx, `SELECT status, author_id, COALESCE(locked_at, 0) FROM threads WHERE id = ? AND brand_id = ?`, threadID, a.BrandID).
			Scan(&tstatus, &author, &locked)
		if err != nil {
			return "", err
		}
		if !a.CanModerate() {
			if tstatus != StatusVisible && !(tstatus == StatusPending && author == a.UserID) {
				return "", fault.NotFound(i18n.T(ctx, "forum.thread_missing"))
			}
			if locked != 0 {
				return "", fault.Denied(i18n.T(ctx, "forum.locked"))
			}
		}
	}
	if a.IsStaff() {
		return StatusVisible, nil
	}
	if err := checkNewMemberLinks(ctx, a, html, st.reputation, st.repLinks, st.repImages); err != nil {
		return "", err
	}
	trusted := a.Has("trusted")
	status := StatusVisible
	if l := s.Limits; l != nil {
		if !trusted {
			if err := s.newMemberLimits(ctx, tx, a, l, st, threadID == 0, now); err != nil {
				return "", err
			}
		}
		since := sqldb.Millis(now.Add(-l.DuplicateWindow))
		text := strings.TrimSpace(body)
		var dup int
		if err := tx.QueryRow(ctx, sameTextByAuthor, text, since, text, a.UserID, a.BrandID).Scan(&dup); err != nil {
			return "", err
		}
		if dup > 0 {
			return "", &fault.ValidationError{Fields: map[string]string{"body": i18n.T(ctx, "forum.duplicate")}}
		}
		var others int
		if err := tx.QueryRow(ctx, sameTextByOthers,
			text, since, text, a.BrandID, a.UserID).Scan(&others); err != nil {
			return "", err
		}
		if others >= l.BurstAccounts {
			status = StatusPending // the same text from several accounts at once: a spam run
		}
	}
	if st.premod > 0 && !trusted && status == StatusVisible {
		var shown int64
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM posts WHERE author_id = ? AND brand_id = ? AND status = 'visible' LIMIT ?) x`,
			a.UserID, a.BrandID, st.premod).Scan(&shown); err != nil {
			return "", err
		}
		if shown < st.premod {
			status = StatusPending
		}
	}
	return status, nil
}

// The same text in the last minutes: the author's own posts (a repeat),
// and how many other accounts posted it among its newest thousand posts (a
// spam run). Both find the window's posts by the text's first characters
// (posts_text): a few rows, however busy the site or prolific the author.
// The text is compared in two parts, its first 48 characters and the rest:
// with "body_md = ?" SQLite substitutes the text into the index's
// expression, which then no longer matches it, and scans instead.
const (
	sameTextByAuthor = `SELECT COUNT(*) FROM posts WHERE substr(body_md, 1, 48) = substr(?, 1, 48) AND created_at > ?
AND substr(body_md, 49) = substr(?, 49) AND author_id = ? AND brand_id = ?`
	sameTextByOthers = `SELECT COUNT(DISTINCT author_id) FROM (
  SELECT author_id FROM posts WHERE substr(body_md, 1, 48) = substr(?, 1, 48) AND created_at > ?
  AND substr(body_md, 49) = substr(?, 49) AND brand_id = ? AND author_id <> ? ORDER BY created_at DESC LIMIT 1000) r`
)

// checkNewMemberLinks refuses, with a fault.ValidationError on body, rendered
// html with more links or images than a member below the brand's thresholds
// (rep_links, rep_images) may post: NewMemberLinks, NewMemberImages. It is
// the one rule for asking, replying and editing, and judges the writer (the
// editor, for an edit of someone else's post) by their reputation; staff
// are exempt.
func checkNewMemberLinks(ctx context.Context, a account.Actor, html string, reputation, repLinks, repImages int64) error {
	if a.IsStaff() {
		return nil
	}
	v := fault.Validation{}
	// Mentions of members are links the renderer makes, not links the
	// writer posts, so they do not count.
	if n := strings.Count(html, "<a ") - markup.MentionLinks(html); reputation < repLinks && n > NewMemberLinks {
		v.Add("body", i18n.T(ctx, "forum.too_many_links", "Max", NewMemberLinks, "N", n, "Need", i18n.From(ctx).Int(repLinks)))
	}
	if n := strings.Count(html, "<img "); reputation < repImages && n > NewMemberImages {
		v.Add("body", i18n.T(ctx, "forum.too_many_images", "Max", NewMemberImages, "N", n, "Need", i18n.From(ctx).Int(repImages)))
	}
	return v.Err()
}

// editorLinks applies checkNewMemberLinks to an edit inside q, reading the
// editor's reputation and the brand's thresholds.
func editorLinks(ctx context.Context, q sqldb.Querier, a account.Actor, html string) error {
	if a.IsStaff() {
		return nil
	}
	var rep, repLinks, repImages int64
	err := q.QueryRow(ctx, `SELECT u.reputation, b.rep_links, b.rep_images FROM users u JOIN brands b ON b.id = ? WHERE u.id = ?`, a.BrandID, a.UserID).
		Scan(&rep, &repLinks, &repImages)
	if errors.Is(err, sql.ErrNoRows) {
		return fault.ErrUnauthenticated
	}
	if err != nil {
		return fmt.Errorf("forum: editor standing: %w", err)
	}
	return checkNewMemberLinks(ctx, a, html, rep, repLinks, repImages)
}

func (s *Service) newMemberLimits(ctx context.Context, tx *sqldb.Tx, a account.Actor, l *PostLimits, st standing, thread bool, now time.Time) error {
	age := now.Sub(sqldb.Time(st.created))
	if age >= l.NewAccount {
		return nil
	}
	var last int64
	if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(created_at), 0) FROM posts WHERE author_id = ? AND brand_id = ?`, a.UserID, a.BrandID).Scan(&last); err != nil {
		return err
	}
	if wait := sqldb.Time(last).Add(l.NewInterval).Sub(now); last != 0 && wait > 0 {
		return &fault.RateLimitError{RetryAfter: wait, Msg: i18n.T(ctx, "forum.new_wait", "Interval", int(l.NewInterval.Seconds()), "Wait", int(wait.Seconds())+1)}
	}
	var n int
	q, limit, what := `SELECT COUNT(*) FROM posts WHERE author_id = ? AND brand_id = ? AND is_question = 0`, l.FirstDayReplies, "forum.first_day_replies"
	if thread {
		q, limit, what = `SELECT COUNT(*) FROM threads WHERE author_id = ? AND brand_id = ?`, l.FirstDayThreads, "forum.first_day_questions"
	}
	if err := tx.QueryRow(ctx, q, a.UserID, a.BrandID).Scan(&n); err != nil {
		return err
	}
	if n >= limit {
		wait := l.NewAccount - age
		return &fault.RateLimitError{RetryAfter: wait, Msg: i18n.T(ctx, what, "N", limit, "Wait", humanDuration(ctx, wait))}
	}
	return nil
}

// because words a refusal with the moderator's reason when there is one
// (the message id+"_because").
func because(ctx context.Context, id, reason string, args ...any) string {
	if reason == "" {
		return i18n.T(ctx, id, args...)
	}
	return i18n.T(ctx, id+"_because", append(args, "Reason", reason)...)
}
