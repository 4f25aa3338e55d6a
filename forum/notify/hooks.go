package notify

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"mutual/forum"
	"mutual/markup"
	"mutual/sqldb"
)

// Hook is the forum.Hook that turns domain events into notifications and
// queued mail, inside the event's own transaction: a reply and the news of
// it commit together or not at all. Fan-out to watchers and followers is one
// INSERT ... SELECT each, whatever their number.
func (s *Store) Hook(ctx context.Context, tx *sqldb.Tx, ev forum.Event) error {
	var err error
	switch {
	case ev.Kind == forum.ThreadAsked:
		err = s.onAsked(ctx, tx, ev)
	case ev.Kind == forum.PostReplied:
		err = s.onReplied(ctx, tx, ev)
	case ev.Kind == forum.PostEdited:
		err = s.onEdited(ctx, tx, ev)
	case ev.Kind == forum.AnswerAccepted:
		if ev.AuthorID != 0 && ev.AuthorID != ev.ActorID {
			err = s.notifyOne(ctx, tx, ev, ev.AuthorID, KindAccepted, "")
		}
	case ev.Kind == forum.KudosGiven:
		if ev.AuthorID != 0 && ev.AuthorID != ev.ActorID {
			err = s.onKudos(ctx, tx, ev)
		}
	case ev.Kind == forum.KudosTaken:
		err = s.onKudosTaken(ctx, tx, ev)
	case strings.HasPrefix(string(ev.Kind), "moderation."):
		if ev.AuthorID != 0 && ev.AuthorID != ev.ActorID {
			err = s.notifyOne(ctx, tx, ev, ev.AuthorID, KindModeration, "")
		}
	}
	if err != nil {
		return fmt.Errorf("notify: %s: %w", ev.Kind, err)
	}
	return nil
}

// nullID stores 0 as NULL for the optional references.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func (s *Store) watch(ctx context.Context, tx *sqldb.Tx, ev forum.Event, userID int64) error {
	_, err := tx.Exec(ctx, `INSERT INTO notify_watches (brand_id, thread_id, user_id, muted, created_at) VALUES (?, ?, ?, 0, ?)
ON CONFLICT (thread_id, user_id) DO NOTHING`, ev.BrandID, ev.ThreadID, userID, sqldb.Millis(ev.At))
	return err
}

// visibleHTML returns the post's rendered body, or ok=false when the post is
// not visible (held for review, hidden): nobody hears of what they cannot read.
func visibleHTML(ctx context.Context, tx *sqldb.Tx, ev forum.Event) (string, bool, error) {
	var html, status string
	err := tx.QueryRow(ctx, `SELECT body_html, status FROM posts WHERE id = ? AND brand_id = ?`, ev.PostID, ev.BrandID).Scan(&html, &status)
	if err != nil {
		return "", false, err
	}
	return html, status == "visible", nil
}

func (s *Store) onAsked(ctx context.Context, tx *sqldb.Tx, ev forum.Event) error {
	if err := s.watch(ctx, tx, ev, ev.ActorID); err != nil {
		return err
	}
	html, ok, err := visibleHTML(ctx, tx, ev)
	if err != nil || !ok {
		return err
	}
	mentioned, err := s.mentions(ctx, tx, ev, html)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO notifications (brand_id, user_id, kind, thread_id, post_id, actor_id, created_at)
SELECT f.brand_id, f.user_id, 'new_thread', ?, ?, ?, ? FROM notify_follows f
WHERE f.board_id = ? AND f.brand_id = ? AND f.user_id <> ?`+notMentioned(mentioned, "f", ev.PostID),
		ev.ThreadID, ev.PostID, ev.ActorID, sqldb.Millis(ev.At), ev.BoardID, ev.BrandID, ev.ActorID)
	if err != nil {
		return err
	}
	return s.queueForPost(ctx, tx, ev)
}

func (s *Store) onReplied(ctx context.Context, tx *sqldb.Tx, ev forum.Event) error {
	// The replier watches from now on; so does the asker, whose own
	// question may predate watching (an import, the demo) unless muted.
	asker := ev.ThreadAuthorID
	if asker == 0 {
		asker = ev.ActorID
	}
	if _, err := tx.Exec(ctx, `INSERT INTO notify_watches (brand_id, thread_id, user_id, muted, created_at) VALUES (?, ?, ?, 0, ?), (?, ?, ?, 0, ?)
ON CONFLICT (thread_id, user_id) DO NOTHING`, ev.BrandID, ev.ThreadID, ev.ActorID, sqldb.Millis(ev.At), ev.BrandID, ev.ThreadID, asker, sqldb.Millis(ev.At)); err != nil {
		return err
	}
	html, ok, err := visibleHTML(ctx, tx, ev)
	if err != nil || !ok {
		return err
	}
	mentioned, err := s.mentions(ctx, tx, ev, html)
	if err != nil {
		return err
	}
	if err := s.replyNews(ctx, tx, ev, notMentioned(mentioned, "w", ev.PostID)); err != nil {
		return err
	}
	return s.queueForPost(ctx, tx, ev)
}

// replyNews tells a thread's watchers of a reply. Replies batch per thread
// while the news is unread and not yet mailed: a member's unread batch counts
// one more reply and names its latest author, in place, where it stands in
// their list; it still leads to the first reply they have not seen. Only a
// watcher without one gets a new notification (and mail). Kept in place,
// a batch costs a busy thread's reply no index writes per watcher; moving it
// to the top of the list would cost them all.
func (s *Store) replyNews(ctx context.Context, tx *sqldb.Tx, ev forum.Event, notMentioned string) error {
	group := "reply:" + strconv.FormatInt(ev.ThreadID, 10)
	watchers := `SELECT w.user_id FROM notify_watches w WHERE w.thread_id = ? AND w.muted = 0 AND w.user_id <> ? AND w.brand_id = ?` + notMentioned
	_, err := tx.Exec(ctx, `UPDATE notifications SET actor_count = actor_count + 1, actor_id = ?
WHERE user_id IN (`+watchers+`) AND group_key = ? AND `+openBatch, ev.ActorID, ev.ThreadID, ev.ActorID, ev.BrandID, group)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO notifications (brand_id, user_id, kind, thread_id, post_id, actor_id, group_key, created_at)
SELECT ?, w.user_id, 'reply', ?, ?, ?, ?, ? FROM (`+watchers+`) w
WHERE NOT EXISTS (SELECT 1 FROM notifications n WHERE n.user_id = w.user_id AND n.group_key = ? AND `+openBatch+`)`,
		ev.BrandID, ev.ThreadID, ev.PostID, ev.ActorID, group, sqldb.Millis(ev.At), ev.ThreadID, ev.ActorID, ev.BrandID, group)
	return err
}

// openBatch is the condition on a notification that replies may still join;
// its last term lets SQLite use the partial notifications_group index.
const openBatch = `read_at IS NULL AND emailed = 0 AND group_key <> ''`

// onEdited notifies only members newly mentioned by the edit.
func (s *Store) onEdited(ctx context.Context, tx *sqldb.Tx, ev forum.Event) error {
	html, ok, err := visibleHTML(ctx, tx, ev)
	if err != nil || !ok || len(markup.Mentions(html)) == 0 {
		return err
	}
	ev.ActorID = ev.AuthorID // the mention is the author's, even when a moderator edits
	if _, err := s.mentions(ctx, tx, ev, html); err != nil {
		return err
	}
	return s.queueForPost(ctx, tx, ev)
}

// mentions notifies the members of the brand named by @username in the
// post, once per post, never the author.
func (s *Store) mentions(ctx context.Context, tx *sqldb.Tx, ev forum.Event, html string) (bool, error) {
	names := markup.Mentions(html)
	if len(names) == 0 {
		return false, nil
	}
	args := []any{ev.ThreadID, ev.PostID, ev.ActorID, sqldb.Millis(ev.At), ev.BrandID, ev.ActorID}
	marks := make([]string, len(names))
	for i, n := range names {
		marks[i] = "?"
		args = append(args, n)
	}
	args = append(args, ev.PostID)
	_, err := tx.Exec(ctx, `INSERT INTO notifications (brand_id, user_id, kind, thread_id, post_id, actor_id, created_at)
SELECT u.brand_id, u.id, 'mention', ?, ?, ?, ? FROM users u
WHERE u.brand_id = ? AND u.id <> ? AND u.username_key IN (`+strings.Join(marks, ", ")+`)
AND NOT EXISTS (SELECT 1 FROM notifications m WHERE m.post_id = ? AND m.user_id = u.id AND m.kind = 'mention')`, args...)
	return true, err
}

// notMentioned keeps members already notified of a mention in the post from
// a second notification about it; a post without mentions needs no check.
func notMentioned(mentioned bool, alias string, postID int64) string {
	if !mentioned {
		return ""
	}
	return ` AND NOT EXISTS (SELECT 1 FROM notifications m WHERE m.post_id = ` + strconv.FormatInt(postID, 10) +
		` AND m.user_id = ` + alias + `.user_id AND m.kind = 'mention')`
}

// deliverable is the SQL condition for sending a member mail at all: a
// verified address, not banned, not suspended now. u is users.
const deliverable = `u.email <> '' AND u.email_verified_at IS NOT NULL AND u.banned_at IS NULL
AND (u.suspended_until IS NULL OR u.suspended_until <= ?)`

// queueForPost queues immediate mail for the notifications this event just
// made about its post, for members who want it and can receive it.
func (s *Store) queueForPost(ctx context.Context, tx *sqldb.Tx, ev forum.Event) error {
	if !s.Mail {
		return nil
	}
	now := sqldb.Millis(ev.At)
	// A new post's notifications were all made just now; only an edit can
	// find some that already have their mail.
	once := ""
	if ev.Kind == forum.PostEdited {
		once = ` AND NOT EXISTS (SELECT 1 FROM notify_outbox o WHERE o.notification_id = n.id)`
	}
	_, err := tx.Exec(ctx, `INSERT INTO notify_outbox (brand_id, user_id, kind, notification_id, next_attempt_at, created_at)
SELECT n.brand_id, n.user_id, 'notification', n.id, ?, ? FROM notifications n JOIN users u ON u.id = n.user_id
LEFT JOIN notify_prefs p ON p.user_id = n.user_id
WHERE n.post_id = ? AND n.created_at = ? AND n.kind IN ('reply', 'mention', 'new_thread') AND n.brand_id = ?
AND COALESCE(p.email_mode, 'immediate') = 'immediate' AND `+deliverable+once, now, now, ev.PostID, now, ev.BrandID, now)
	return err
}

// notifyOne writes a single member's notification and queues its mail.
func (s *Store) notifyOne(ctx context.Context, tx *sqldb.Tx, ev forum.Event, userID int64, kind Kind, group string) error {
	act := ""
	if kind == KindModeration {
		act = strings.TrimPrefix(string(ev.Kind), "moderation.")
	}
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO notifications (brand_id, user_id, kind, thread_id, post_id, actor_id, act, note, group_key, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, ev.BrandID, userID, string(kind), nullID(ev.ThreadID), nullID(ev.PostID),
		nullID(ev.ActorID), act, truncate(ev.Note, 500), group, sqldb.Millis(ev.At)).Scan(&id)
	if err != nil {
		return err
	}
	return s.queueOne(ctx, tx, ev.BrandID, userID, id, kind, ev.At.UnixMilli())
}

func (s *Store) queueOne(ctx context.Context, tx *sqldb.Tx, brandID, userID, notificationID int64, kind Kind, now int64) error {
	if !s.Mail || kind == KindKudos {
		return nil
	}
	_, err := tx.Exec(ctx, `INSERT INTO notify_outbox (brand_id, user_id, kind, notification_id, next_attempt_at, created_at)
SELECT u.brand_id, u.id, 'notification', ?, ?, ? FROM users u LEFT JOIN notify_prefs p ON p.user_id = u.id
WHERE u.id = ? AND u.brand_id = ? AND COALESCE(p.email_mode, 'immediate') = 'immediate' AND `+deliverable,
		notificationID, now, now, userID, brandID, now)
	return err
}

// onKudos batches kudos on one post while unread: the unread notification is
// replaced by one counting every giver, newest first in the list.
func (s *Store) onKudos(ctx context.Context, tx *sqldb.Tx, ev forum.Event) error {
	group := "kudos:" + strconv.FormatInt(ev.PostID, 10)
	var id, count int64
	err := tx.QueryRow(ctx, `SELECT id, actor_count FROM notifications
WHERE user_id = ? AND group_key = ? AND read_at IS NULL AND group_key <> ''`, ev.AuthorID, group).Scan(&id, &count)
	if err == nil {
		if _, err := tx.Exec(ctx, `DELETE FROM notifications WHERE id = ?`, id); err != nil {
			return err
		}
	} else if !isNoRows(err) {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO notifications (brand_id, user_id, kind, thread_id, post_id, actor_id, actor_count, group_key, created_at)
VALUES (?, ?, 'kudos', ?, ?, ?, ?, ?, ?)`, ev.BrandID, ev.AuthorID, nullID(ev.ThreadID), nullID(ev.PostID), ev.ActorID, count+1, group, sqldb.Millis(ev.At))
	return err
}

// onKudosTaken takes a withdrawn kudos out of the unread batch, so the
// author is never told of kudos that no longer stand. Read ones stay as
// history.
func (s *Store) onKudosTaken(ctx context.Context, tx *sqldb.Tx, ev forum.Event) error {
	group := "kudos:" + strconv.FormatInt(ev.PostID, 10)
	var id, count int64
	err := tx.QueryRow(ctx, `SELECT id, actor_count FROM notifications
WHERE user_id = ? AND group_key = ? AND read_at IS NULL AND group_key <> ''`, ev.AuthorID, group).Scan(&id, &count)
	if isNoRows(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if count <= 1 {
		_, err = tx.Exec(ctx, `DELETE FROM notifications WHERE id = ?`, id)
		return err
	}
	// The latest giver still standing is the one the sentence names.
	_, err = tx.Exec(ctx, `UPDATE notifications SET actor_count = actor_count - 1,
actor_id = COALESCE((SELECT k.user_id FROM kudos k WHERE k.post_id = ? ORDER BY k.created_at DESC, k.user_id DESC LIMIT 1), actor_id)
WHERE id = ?`, ev.PostID, id)
	return err
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
