package notify

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"mutual/sqldb"
)

// KindIncident tells a brand's incident contacts that an incident was
// raised: many members hit one problem at once and an agent must
// acknowledge it within minutes. It is mailed at once even to a contact who
// chose the daily digest (only "never" stops it).
const KindIncident Kind = "incident"

const incidentGroup = "incident:"

// NotifyIncident writes each contact's notification of an incident and
// queues its mail, inside the caller's transaction.
func (s *Store) NotifyIncident(ctx context.Context, tx *sqldb.Tx, brandID int64, contacts []int64, incidentID int64, label string, at time.Time) error {
	group := incidentGroup + strconv.FormatInt(incidentID, 10)
	for _, uid := range contacts {
		var id int64
		err := tx.QueryRow(ctx, `INSERT INTO notifications (brand_id, user_id, kind, act, note, group_key, created_at)
SELECT u.brand_id, u.id, ?, 'raised', ?, ?, ? FROM users u WHERE u.id = ? AND u.brand_id = ? RETURNING id`,
			string(KindIncident), truncate(label, 500), group, sqldb.Millis(at), uid, brandID).Scan(&id)
		if err != nil {
			return fmt.Errorf("notify: incident %d for %d: %w", incidentID, uid, err)
		}
		if !s.Mail {
			continue
		}
		if _, err := tx.Exec(ctx, `INSERT INTO notify_outbox (brand_id, user_id, kind, notification_id, next_attempt_at, created_at)
SELECT u.brand_id, u.id, 'notification', ?, ?, ? FROM users u WHERE u.id = ? AND `+deliverable,
			id, sqldb.Millis(at), sqldb.Millis(at), uid, sqldb.Millis(at)); err != nil {
			return fmt.Errorf("notify: queue incident mail: %w", err)
		}
	}
	return nil
}

// incidentURL is the incident page a notification of one leads to.
func incidentURL(group string) string {
	return "/incidents/" + strings.TrimPrefix(group, incidentGroup)
}
