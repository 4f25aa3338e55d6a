package notify

import (
	"context"
	"fmt"
	"time"

	"mutual/sqldb"
)

// MemberData is the notifications part of a member's data export: their
// choices, what they were told, what they watch and follow, and the mail
// queued for them (its kind and fate, not its text, which is composed when
// sent).
type MemberData struct {
	Preferences PrefsData          `json:"preferences"`
	Items       []NotificationData `json:"notifications"`
	Watching    []WatchData        `json:"threads_watched"`
	Following   []FollowData       `json:"boards_followed"`
	Mail        []MailData         `json:"mail"`
}

// PrefsData is a member's notification choices.
type PrefsData struct {
	EmailMode EmailMode `json:"email"`
	Reminders bool      `json:"reminders"`
	Chosen    bool      `json:"chosen"` // false: the defaults, never changed
}

// NotificationData is one notification.
type NotificationData struct {
	Kind      Kind       `json:"kind"`
	ThreadID  int64      `json:"thread_id,omitempty"`
	PostID    int64      `json:"post_id,omitempty"`
	People    int64      `json:"people"`
	Act       string     `json:"act,omitempty"`
	Note      string     `json:"note,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
	ReadAt    *time.Time `json:"read_at"`
	Emailed   bool       `json:"emailed"`
}

// WatchData is a thread the member watches (or stopped watching: muted).
type WatchData struct {
	ThreadID int64     `json:"thread_id"`
	Muted    bool      `json:"muted"`
	Since    time.Time `json:"since"`
}

// FollowData is a board the member follows.
type FollowData struct {
	BoardID int64     `json:"board_id"`
	Since   time.Time `json:"since"`
}

// MailData is one mail queued for the member.
type MailData struct {
	Kind      string     `json:"kind"`
	Status    string     `json:"status"`
	CreatedAt time.Time  `json:"created_at"`
	SentAt    *time.Time `json:"sent_at"`
}

func optTime(v int64) *time.Time {
	if v == 0 {
		return nil
	}
	t := sqldb.Time(v)
	return &t
}

// ExportMember reads the notifications part of a member's data export.
func ExportMember(ctx context.Context, q sqldb.Querier, brandID, userID int64) (MemberData, error) {
	d := MemberData{Preferences: PrefsData{EmailMode: DefaultPrefs.EmailMode, Reminders: DefaultPrefs.Reminders},
		Items: []NotificationData{}, Watching: []WatchData{}, Following: []FollowData{}, Mail: []MailData{}}
	rows, err := q.Query(ctx, `SELECT email_mode, reminders FROM notify_prefs WHERE user_id = ? AND brand_id = ?`, userID, brandID)
	if err != nil {
		return d, fmt.Errorf("notify: export prefs: %w", err)
	}
	for rows.Next() {
		d.Preferences.Chosen = true
		if err := rows.Scan(&d.Preferences.EmailMode, &d.Preferences.Reminders); err != nil {
			rows.Close()
			return d, err
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return d, err
	}
	steps := []func() error{
		func() (err error) { d.Items, err = exportNotifications(ctx, q, brandID, userID); return },
		func() (err error) { d.Watching, err = exportWatches(ctx, q, brandID, userID); return },
		func() (err error) { d.Following, err = exportFollows(ctx, q, brandID, userID); return },
		func() (err error) { d.Mail, err = exportMail(ctx, q, brandID, userID); return },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return d, fmt.Errorf("notify: export member %d: %w", userID, err)
		}
	}
	return d, nil
}

func exportNotifications(ctx context.Context, q sqldb.Querier, brandID, userID int64) ([]NotificationData, error) {
	rows, err := q.Query(ctx, `SELECT kind, COALESCE(thread_id, 0), COALESCE(post_id, 0), actor_count, act, note, created_at,
COALESCE(read_at, 0), emailed FROM notifications WHERE user_id = ? AND brand_id = ? ORDER BY id`, userID, brandID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []NotificationData{}
	for rows.Next() {
		var n NotificationData
		var at, read int64
		if err := rows.Scan(&n.Kind, &n.ThreadID, &n.PostID, &n.People, &n.Act, &n.Note, &at, &read, &n.Emailed); err != nil {
			return nil, err
		}
		n.CreatedAt, n.ReadAt = sqldb.Time(at), optTime(read)
		out = append(out, n)
	}
	return out, rows.Err()
}

func exportWatches(ctx context.Context, q sqldb.Querier, brandID, userID int64) ([]WatchData, error) {
	rows, err := q.Query(ctx, `SELECT thread_id, muted, created_at FROM notify_watches WHERE user_id = ? AND brand_id = ? ORDER BY id`, userID, brandID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []WatchData{}
	for rows.Next() {
		var w WatchData
		var at int64
		if err := rows.Scan(&w.ThreadID, &w.Muted, &at); err != nil {
			return nil, err
		}
		w.Since = sqldb.Time(at)
		out = append(out, w)
	}
	return out, rows.Err()
}

func exportFollows(ctx context.Context, q sqldb.Querier, brandID, userID int64) ([]FollowData, error) {
	rows, err := q.Query(ctx, `SELECT board_id, created_at FROM notify_follows WHERE user_id = ? AND brand_id = ? ORDER BY id`, userID, brandID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []FollowData{}
	for rows.Next() {
		var f FollowData
		var at int64
		if err := rows.Scan(&f.BoardID, &at); err != nil {
			return nil, err
		}
		f.Since = sqldb.Time(at)
		out = append(out, f)
	}
	return out, rows.Err()
}

func exportMail(ctx context.Context, q sqldb.Querier, brandID, userID int64) ([]MailData, error) {
	rows, err := q.Query(ctx, `SELECT kind, status, created_at, COALESCE(sent_at, 0) FROM notify_outbox WHERE user_id = ? AND brand_id = ? ORDER BY id`, userID, brandID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []MailData{}
	for rows.Next() {
		var m MailData
		var at, sent int64
		if err := rows.Scan(&m.Kind, &m.Status, &at, &sent); err != nil {
			return nil, err
		}
		m.CreatedAt, m.SentAt = sqldb.Time(at), optTime(sent)
		out = append(out, m)
	}
	return out, rows.Err()
}

// EraseMember removes everything notifications keep for an erased member,
// inside the caller's transaction: their notifications, the mail queued for
// them (pending mail is never sent), their watches, follows and choices.
// The one-time reminder marks stay (they name only a thread), so no
// reminder goes out again; notifications others got about the member's
// acts stay too, naming the account that is now a former member.
func EraseMember(ctx context.Context, q sqldb.Querier, brandID, userID int64) error {
	// The outbox goes first: its rows point at the notifications.
	for _, stmt := range []string{
		`DELETE FROM notify_outbox WHERE user_id = ? AND brand_id = ?`,
		`DELETE FROM notifications WHERE user_id = ? AND brand_id = ?`,
		`DELETE FROM notify_watches WHERE user_id = ? AND brand_id = ?`,
		`DELETE FROM notify_follows WHERE user_id = ? AND brand_id = ?`,
		`DELETE FROM notify_prefs WHERE user_id = ? AND brand_id = ?`,
	} {
		if _, err := q.Exec(ctx, stmt, userID, brandID); err != nil {
			return fmt.Errorf("notify: erase member %d: %w", userID, err)
		}
	}
	return nil
}
