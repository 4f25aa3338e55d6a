package notify

import (
	"context"
	"fmt"
	"strings"
	"time"

	"mutual/sqldb"
)

// DigestEvery is how often a member on the daily digest gets one.
const DigestEvery = 24 * time.Hour

// QueueDigests queues the daily digest for up to limit members of the brand
// whose last one is a day old: one mail listing their unread, not yet mailed
// notifications. A member with nothing new gets no mail; their clock still
// moves on. It returns how many digests were queued and how many members
// were due (limit means there may be more).
func (s *Store) QueueDigests(ctx context.Context, brandID int64, limit int) (queued, due int, err error) {
	now := s.now()
	kinds := make([]string, len(emailedKinds))
	kindArgs := make([]any, len(emailedKinds))
	for i, k := range emailedKinds {
		kinds[i], kindArgs[i] = "?", string(k)
	}
	err = s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		queued, due = 0, 0
		rows, err := tx.Query(ctx, `SELECT user_id, digest_last_id FROM notify_prefs
WHERE email_mode = 'daily' AND digest_at <= ? AND brand_id = ? ORDER BY digest_at, id LIMIT ?`,
			sqldb.Millis(now.Add(-DigestEvery)), brandID, limit)
		if err != nil {
			return err
		}
		type member struct{ user, last int64 }
		var dues []member
		for rows.Next() {
			var d member
			if err := rows.Scan(&d.user, &d.last); err != nil {
				rows.Close()
				return err
			}
			dues = append(dues, d)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		due = len(dues)
		for _, d := range dues {
			var upto int64
			args := append([]any{d.user, brandID, d.last}, kindArgs...)
			if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(id), 0) FROM notifications
WHERE user_id = ? AND brand_id = ? AND id > ? AND read_at IS NULL AND emailed = 0 AND kind IN (`+strings.Join(kinds, ", ")+`)`, args...).Scan(&upto); err != nil {
				return err
			}
			if upto > 0 && s.Mail {
				res, err := tx.Exec(ctx, `INSERT INTO notify_outbox (brand_id, user_id, kind, from_id, upto_id, next_attempt_at, created_at)
SELECT u.brand_id, u.id, 'digest', ?, ?, ?, ? FROM users u WHERE u.id = ? AND u.brand_id = ? AND `+deliverable,
					d.last, upto, sqldb.Millis(now), sqldb.Millis(now), d.user, brandID, sqldb.Millis(now))
				if err != nil {
					return err
				}
				if n, _ := res.RowsAffected(); n > 0 {
					queued++
				}
			}
			last := max(upto, d.last)
			if _, err := tx.Exec(ctx, `UPDATE notify_prefs SET digest_at = ?, digest_last_id = ? WHERE user_id = ?`, sqldb.Millis(now), last, d.user); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, 0, fmt.Errorf("notify: queue digests: %w", err)
	}
	return queued, due, nil
}
