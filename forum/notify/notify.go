// Package notify tells members what happened to what they care about: the
// threads they watch and the boards they follow, replies, mentions, accepted
// answers, kudos, moderation acts on their content and a reminder to accept
// an answer. It writes in-app notifications and the email outbox inside the
// transaction of the change itself (a forum.Hook), keeps per-member
// preferences, builds daily digests and hands mail to a sender. It knows
// nothing of HTTP or SMTP.
package notify

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"mutual/fault"
	"mutual/i18n"
	"mutual/sqldb"
)

// Kind is what a notification is about.
type Kind string

// The kinds of notification.
const (
	KindReply      Kind = "reply"      // replies in a watched thread (batched while unread)
	KindMention    Kind = "mention"    // @username in a post
	KindAccepted   Kind = "accepted"   // your answer was accepted
	KindKudos      Kind = "kudos"      // kudos on your post (batched while unread)
	KindNewThread  Kind = "new_thread" // a question in a followed board
	KindReminder   Kind = "reminder"   // replies wait for you to accept one
	KindModeration Kind = "moderation" // a moderator acted on your content
)

// emailed kinds are mailed (at once or in the digest); kudos stay in-app,
// as one mail per kudos would be noise.
var emailedKinds = []Kind{KindReply, KindMention, KindAccepted, KindNewThread, KindReminder, KindModeration}

// EmailMode is how a member wants notifications by email.
type EmailMode string

// The email preferences.
const (
	EmailImmediate EmailMode = "immediate"
	EmailDaily     EmailMode = "daily"
	EmailNever     EmailMode = "never"
)

// Store is the notification domain over the database.
type Store struct {
	db  *sqldb.DB
	now func() time.Time
	// Mail says whether email is on: only then does an event queue mail,
	// so turning SMTP on later does not send a backlog of stale news.
	Mail bool
	// Weekly reads what a brand's weekly trends mail says (the radar's
	// trends, fitted by app/); without it the mail is not sent.
	Weekly func(ctx context.Context, brandID int64) (Weekly, error)
}

// New returns the store; now is the clock.
func New(db *sqldb.DB, now func() time.Time) *Store { return &Store{db: db, now: now} }

// Notification is one entry in a member's list.
type Notification struct {
	ID          int64
	BrandID     int64
	UserID      int64
	Kind        Kind
	ThreadID    int64
	ThreadTitle string
	ThreadSlug  string
	PostID      int64
	ActorID     int64
	ActorName   string
	ActorCount  int64
	Act         string // moderation act, e.g. post_hidden
	Note        string // moderation reason; an incident's label
	Group       string // what it belongs to, e.g. "incident:7"
	CreatedAt   time.Time
	ReadAt      time.Time
}

// Unread reports whether the member has not opened or dismissed it.
func (n Notification) Unread() bool { return n.ReadAt.IsZero() }

// URL is the site path the notification leads to.
func (n Notification) URL() string {
	if n.Kind == KindIncident {
		return incidentURL(n.Group)
	}
	if n.ThreadID == 0 {
		return "/notifications"
	}
	u := fmt.Sprintf("/t/%d/%s", n.ThreadID, n.ThreadSlug)
	if n.PostID != 0 && n.Kind != KindNewThread {
		u += fmt.Sprintf("#p%d", n.PostID)
	}
	return u
}

// Text is the notification as one plain sentence in loc's language
// (templates escape it). A moderation act names its sentence in the
// catalogue (nf.act_<act>); any other gets a generic one.
func (n Notification) Text(loc *i18n.Localizer) string {
	who := n.ActorName
	if who == "" {
		who = loc.T("nf.someone")
	}
	title := n.ThreadTitle
	switch n.Kind {
	case KindReply:
		if n.ActorCount > 1 {
			return loc.N("nf.replies", n.ActorCount, "Who", who, "Title", title)
		}
		return loc.T("nf.reply", "Who", who, "Title", title)
	case KindMention:
		return loc.T("nf.mention", "Who", who, "Title", title)
	case KindAccepted:
		return loc.T("nf.accepted", "Who", who, "Title", title)
	case KindKudos:
		if n.ActorCount > 1 {
			return loc.N("nf.kudos_others", int64(n.ActorCount-1), "Who", who, "Title", title)
		}
		return loc.T("nf.kudos", "Who", who, "Title", title)
	case KindNewThread:
		return loc.T("nf.new_thread", "Who", who, "Title", title)
	case KindReminder:
		return loc.T("nf.reminder", "Title", title)
	case KindIncident:
		return loc.T("incident.nf_raised", "Label", n.Note)
	case KindModeration:
		out := loc.T("nf.act_" + n.Act)
		if out == "nf.act_"+n.Act {
			out = loc.T("nf.mod_generic", "Act", strings.ReplaceAll(n.Act, "_", " "))
		}
		if title != "" && !strings.HasPrefix(n.Act, "user_") {
			out = loc.T("nf.mod_in", "Act", out, "Title", title)
		}
		if n.Note != "" {
			out = loc.T("nf.mod_reason", "Text", out, "Note", n.Note)
		}
		return out
	}
	return loc.T("nf.generic", "Who", who, "Title", title)
}

const notificationCols = `n.id, n.brand_id, n.user_id, n.kind, COALESCE(n.thread_id, 0), COALESCE(t.title, ''), COALESCE(t.slug, ''),
COALESCE(n.post_id, 0), COALESCE(n.actor_id, 0), COALESCE(u.username, ''), n.actor_count, n.act, n.note, n.group_key, n.created_at, COALESCE(n.read_at, 0)`

const notificationFrom = ` FROM notifications n LEFT JOIN threads t ON t.id = n.thread_id LEFT JOIN users u ON u.id = n.actor_id`

func scanNotification(row interface{ Scan(...any) error }) (Notification, error) {
	var n Notification
	var created, read int64
	var kind string
	err := row.Scan(&n.ID, &n.BrandID, &n.UserID, &kind, &n.ThreadID, &n.ThreadTitle, &n.ThreadSlug, &n.PostID, &n.ActorID,
		&n.ActorName, &n.ActorCount, &n.Act, &n.Note, &n.Group, &created, &read)
	n.Kind = Kind(kind)
	n.CreatedAt, n.ReadAt = sqldb.Time(created), sqldb.Time(read)
	return n, err
}

// PageSize bounds a page of notifications.
const PageSize = 30

// List returns a member's notifications newest first, after the keyset
// position before (an id; 0 for the first page), and the id to pass for the
// next page (0 on the last).
func (s *Store) List(ctx context.Context, brandID, userID, before int64, limit int, unreadOnly bool) ([]Notification, int64, error) {
	if limit <= 0 || limit > 100 {
		limit = PageSize
	}
	where := ""
	args := []any{userID, brandID}
	if before > 0 {
		where += " AND n.id < ?"
		args = append(args, before)
	}
	if unreadOnly {
		where += " AND n.read_at IS NULL"
	}
	args = append(args, limit+1)
	rows, err := s.db.Query(ctx, `SELECT `+notificationCols+notificationFrom+`
WHERE n.user_id = ? AND n.brand_id = ?`+where+` ORDER BY n.id DESC LIMIT ?`, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("notify: list: %w", err)
	}
	defer rows.Close()
	out := []Notification{}
	for rows.Next() {
		n, err := scanNotification(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, n)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	var next int64
	if len(out) > limit {
		out = out[:limit]
		next = out[limit-1].ID
	}
	return out, next, nil
}

// UnreadCap is where the unread count stops counting ("99+").
const UnreadCap = 100

// Unread counts a member's unread notifications, up to UnreadCap, from the
// partial index of unread rows: cheap enough for every signed-in page.
func (s *Store) Unread(ctx context.Context, brandID, userID int64) (int, error) {
	var n int
	err := s.db.QueryRow(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM notifications
WHERE user_id = ? AND read_at IS NULL AND brand_id = ? LIMIT ?) x`, userID, brandID, UnreadCap).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("notify: unread: %w", err)
	}
	return n, nil
}

// Get returns one of the member's notifications, or fault.ErrNotFound.
func (s *Store) Get(ctx context.Context, brandID, userID, id int64) (Notification, error) {
	n, err := scanNotification(s.db.QueryRow(ctx, `SELECT `+notificationCols+notificationFrom+`
WHERE n.id = ? AND n.user_id = ? AND n.brand_id = ?`, id, userID, brandID))
	if errors.Is(err, sql.ErrNoRows) {
		return Notification{}, &fault.Error{Kind: fault.ErrNotFound, ID: "nfx.no_notification", Msg: i18n.T(context.Background(), "nfx.no_notification")}
	}
	if err != nil {
		return Notification{}, fmt.Errorf("notify: get %d: %w", id, err)
	}
	return n, nil
}

// MarkRead marks the given notifications of the member read (others' ids are
// ignored) and returns how many changed.
func (s *Store) MarkRead(ctx context.Context, brandID, userID int64, ids []int64) (int64, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	if len(ids) > 100 {
		return 0, &fault.ValidationError{Fields: map[string]string{"ids": "Mark at most 100 notifications at once."}}
	}
	args := []any{sqldb.Millis(s.now()), userID, brandID}
	marks := make([]string, len(ids))
	for i, id := range ids {
		marks[i] = "?"
		args = append(args, id)
	}
	res, err := s.db.Exec(ctx, `UPDATE notifications SET read_at = ? WHERE user_id = ? AND brand_id = ? AND read_at IS NULL
AND id IN (`+strings.Join(marks, ", ")+`)`, args...)
	if err != nil {
		return 0, fmt.Errorf("notify: mark read: %w", err)
	}
	return res.RowsAffected()
}

// MarkAllRead marks every unread notification of the member read.
func (s *Store) MarkAllRead(ctx context.Context, brandID, userID int64) (int64, error) {
	res, err := s.db.Exec(ctx, `UPDATE notifications SET read_at = ? WHERE user_id = ? AND brand_id = ? AND read_at IS NULL`,
		sqldb.Millis(s.now()), userID, brandID)
	if err != nil {
		return 0, fmt.Errorf("notify: mark all read: %w", err)
	}
	return res.RowsAffected()
}

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

// MarkThreadRead marks read the member's unread notifications that point
// to a thread they have now opened, and returns how many changed. It looks
// before it writes: most page views find nothing to mark, and a read costs
// no write lock.
func (s *Store) MarkThreadRead(ctx context.Context, brandID, userID, threadID int64) (int64, error) {
	var n int
	err := s.db.QueryRow(ctx, `SELECT COUNT(*) FROM notifications WHERE user_id = ? AND read_at IS NULL AND brand_id = ? AND thread_id = ?`,
		userID, brandID, threadID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("notify: unread of thread %d: %w", threadID, err)
	}
	if n == 0 {
		return 0, nil
	}
	res, err := s.db.Exec(ctx, `UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at IS NULL AND brand_id = ? AND thread_id = ?`,
		sqldb.Millis(s.now()), userID, brandID, threadID)
	if err != nil {
		return 0, fmt.Errorf("notify: mark thread %d read: %w", threadID, err)
	}
	return res.RowsAffected()
}
