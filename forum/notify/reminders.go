package notify

import (
	"context"
	"fmt"
	"time"

	"mutual/forum"
	"mutual/sqldb"
)

// ReminderWindow bounds how old a first reply may be for its reminder, so
// switching reminders on in an old community does not remind everyone of
// every question they ever left open.
const ReminderWindow = 14 * 24 * time.Hour

// Remind sends the one reminder each asker gets when their question has had
// a visible reply from someone else for at least after, and no accepted
// answer. Never to someone who cannot accept: the asker must be able to sign
// in, not banned or suspended, the question visible and not locked or
// merged, and the asker must not have turned reminders off. It handles up to
// limit threads of the brand and returns how many were reminded.
func (s *Store) Remind(ctx context.Context, brandID int64, after time.Duration, limit int) (int, error) {
	if after <= 0 {
		return 0, nil
	}
	now := s.now()
	due, oldest := sqldb.Millis(now.Add(-after)), sqldb.Millis(now.Add(-after-ReminderWindow))
	n := 0
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		n = 0
		rows, err := tx.Query(ctx, `SELECT t.id, t.board_id, t.author_id FROM threads t
JOIN users u ON u.id = t.author_id LEFT JOIN notify_prefs p ON p.user_id = t.author_id
WHERE t.brand_id = ? AND t.accepted_post_id IS NULL AND t.first_reply_at IS NOT NULL AND t.first_reply_at <= ? AND t.first_reply_at > ?
AND t.status = 'visible' AND t.locked_at IS NULL AND t.merged_into IS NULL
AND u.password_hash <> '' AND u.banned_at IS NULL AND (u.suspended_until IS NULL OR u.suspended_until <= ?)
AND COALESCE(p.reminders, 1) = 1
AND NOT EXISTS (SELECT 1 FROM notify_reminders r WHERE r.thread_id = t.id)
AND EXISTS (SELECT 1 FROM posts q WHERE q.thread_id = t.id AND q.is_question = 0 AND q.author_id <> t.author_id AND q.status = 'visible')
ORDER BY t.first_reply_at, t.id LIMIT ?`, brandID, due, oldest, sqldb.Millis(now), limit)
		if err != nil {
			return err
		}
		type th struct{ id, board, author int64 }
		var ths []th
		for rows.Next() {
			var t th
			if err := rows.Scan(&t.id, &t.board, &t.author); err != nil {
				rows.Close()
				return err
			}
			ths = append(ths, t)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, t := range ths {
			if _, err := tx.Exec(ctx, `INSERT INTO notify_reminders (brand_id, thread_id, user_id, sent_at) VALUES (?, ?, ?, ?)`,
				brandID, t.id, t.author, sqldb.Millis(now)); err != nil {
				return err
			}
			ev := forum.Event{BrandID: brandID, BoardID: t.board, ThreadID: t.id, At: now}
			if err := s.notifyOne(ctx, tx, ev, t.author, KindReminder, ""); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("notify: reminders: %w", err)
	}
	return n, nil
}
