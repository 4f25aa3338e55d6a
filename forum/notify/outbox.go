package notify

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"mutual/account"
	"mutual/fault"
	"mutual/sqldb"
)

// Mail kinds in the outbox.
const (
	MailNotification = "notification"
	MailDigest       = "digest"
	MailVerify       = "verify"
	MailReset        = "reset" // a password reset link (account.RequestReset)
)

// MaxAttempts is how many times a mail is tried before it is given up.
const MaxAttempts = 8

// Backoff is the wait before attempt n+1 after n failures: one minute,
// doubling, at most six hours (about a day and a half over all attempts).
func Backoff(attempts int) time.Duration {
	d := time.Minute
	for i := 1; i < attempts && d < 6*time.Hour; i++ {
		d *= 2
	}
	return min(d, 6*time.Hour)
}

// Claim leases up to limit due mails for lease, so that with several
// instances each mail is sent by one of them; a crashed sender's lease runs
// out and another takes the mail over. It returns the claimed ids.
func (s *Store) Claim(ctx context.Context, limit int, lease time.Duration) ([]int64, error) {
	now := sqldb.Millis(s.now())
	lock := ""
	if s.db.Dialect() == sqldb.Postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	var ids []int64
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		var err error
		ids, err = sqldb.Int64s(tx.Query(ctx, `UPDATE notify_outbox SET lease_until = ?, attempts = attempts + 1
WHERE id IN (SELECT id FROM notify_outbox WHERE status = 'pending' AND next_attempt_at <= ? AND lease_until <= ?
ORDER BY next_attempt_at, id LIMIT ?`+lock+`) RETURNING id`, now+lease.Milliseconds(), now, now, limit))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("notify: claim mail: %w", err)
	}
	return ids, nil
}

// Recipient is who a mail goes to, with what decides whether it may.
type Recipient struct {
	UserID     int64
	Username   string
	Email      string
	Verified   bool
	Suspended  bool
	Banned     bool
	HasAccount bool // can sign in (has a password)
	Prefs      Prefs
	Language   string // what they read: their own choice, else the brand's default
}

// Mail is a claimed outbox row with everything needed to write it.
type Mail struct {
	ID            int64
	Kind          string
	Attempts      int
	BrandID       int64
	BrandName     string
	BrandHost     string
	To            Recipient
	Notifications []Notification // one for a notification, the batch for a digest
	Excerpt       string         // the post's text, for a single notification
	ResetToken    string         // a password reset's fresh token; "" when the request is no longer open
	Weekly        *Weekly        // the trends mail's content; nil when there is none to tell
}

// Load reads a claimed mail with its recipient and content.
func (s *Store) Load(ctx context.Context, id int64) (Mail, error) {
	var m Mail
	var notif, from, upto, verified, suspended, banned int64
	var mode string
	var rem int
	err := s.db.QueryRow(ctx, `SELECT o.id, o.kind, o.attempts, o.brand_id, b.name, b.host, COALESCE(o.notification_id, 0), o.from_id, o.upto_id,
u.id, u.username, u.email, COALESCE(u.email_verified_at, 0), COALESCE(u.suspended_until, 0), COALESCE(u.banned_at, 0), u.password_hash <> '',
COALESCE(p.email_mode, 'immediate'), COALESCE(p.reminders, 1),
CASE WHEN u.language <> '' THEN u.language ELSE b.default_language END
FROM notify_outbox o JOIN brands b ON b.id = o.brand_id JOIN users u ON u.id = o.user_id LEFT JOIN notify_prefs p ON p.user_id = u.id
WHERE o.id = ?`, id).Scan(&m.ID, &m.Kind, &m.Attempts, &m.BrandID, &m.BrandName, &m.BrandHost, &notif, &from, &upto,
		&m.To.UserID, &m.To.Username, &m.To.Email, &verified, &suspended, &banned, &m.To.HasAccount, &mode, &rem, &m.To.Language)
	if err != nil {
		return Mail{}, fmt.Errorf("notify: load mail %d: %w", id, err)
	}
	now := sqldb.Millis(s.now())
	m.To.Verified, m.To.Suspended, m.To.Banned = verified != 0, suspended > now, banned != 0
	m.To.Prefs = Prefs{EmailMode: EmailMode(mode), Reminders: rem == 1}
	switch m.Kind {
	case MailReset:
		// Minted now, as the mail goes, so the token never waits in the
		// database in the clear.
		m.ResetToken, err = account.MintReset(ctx, s.db, m.To.UserID, s.now())
		if errors.Is(err, fault.ErrNotFound) {
			err = nil
		}
		if err != nil {
			return Mail{}, err
		}
	case MailNotification:
		n, err := s.Get(ctx, m.BrandID, m.To.UserID, notif)
		if err != nil {
			return Mail{}, err
		}
		m.Notifications = []Notification{n}
		if n.PostID != 0 && n.Kind != KindModeration {
			var md string
			if err := s.db.QueryRow(ctx, `SELECT body_md FROM posts WHERE id = ? AND status = 'visible'`, n.PostID).Scan(&md); err == nil {
				m.Excerpt = truncate(strings.TrimSpace(md), 600)
			}
		}
	case MailTrends:
		if s.Weekly != nil {
			w, err := s.Weekly(ctx, m.BrandID)
			if err != nil {
				return Mail{}, err
			}
			m.Weekly = &w
		}
	case MailDigest:
		kinds := make([]string, len(emailedKinds))
		args := []any{m.To.UserID, m.BrandID, from, upto}
		for i, k := range emailedKinds {
			kinds[i] = "?"
			args = append(args, string(k))
		}
		rows, err := s.db.Query(ctx, `SELECT `+notificationCols+notificationFrom+`
WHERE n.user_id = ? AND n.brand_id = ? AND n.id > ? AND n.id <= ? AND n.read_at IS NULL AND n.kind IN (`+strings.Join(kinds, ", ")+`)
ORDER BY n.id LIMIT 50`, args...)
		if err != nil {
			return Mail{}, fmt.Errorf("notify: digest %d: %w", id, err)
		}
		defer rows.Close()
		for rows.Next() {
			n, err := scanNotification(rows)
			if err != nil {
				return Mail{}, err
			}
			m.Notifications = append(m.Notifications, n)
		}
		if err := rows.Err(); err != nil {
			return Mail{}, err
		}
	}
	return m, nil
}

// SkipReason says why a mail must not be sent now, or "" when it may. It is
// checked at send time because standing and choices change after queueing.
func (m Mail) SkipReason() string {
	switch {
	case m.To.Email == "":
		return "no email address"
	case m.Kind == MailReset:
		// Access to one's own account is not a notification: it goes
		// whatever the member's standing, choices or confirmation.
		if m.ResetToken == "" {
			return "the reset request is no longer open"
		}
		return ""
	case m.To.Banned:
		return "member is banned"
	case m.To.Suspended:
		return "member is suspended"
	case m.Kind == MailVerify:
		if m.To.Verified {
			return "already verified"
		}
		return ""
	case !m.To.Verified:
		return "email address not verified"
	case m.To.Prefs.EmailMode == EmailNever:
		return "member unsubscribed"
	case m.Kind == MailNotification && m.To.Prefs.EmailMode != EmailImmediate && !m.urgent():
		return "member chose the daily digest"
	case m.Kind == MailTrends && m.Weekly == nil:
		return "no trends to tell"
	case m.Kind == MailDigest && len(m.Notifications) == 0:
		return "nothing unread left for the digest"
	case m.Kind == MailNotification && len(m.Notifications) == 1 && !m.Notifications[0].Unread():
		return "already read on the site"
	}
	return ""
}

// urgent is a mail that goes at once whatever the digest choice: an
// incident waiting for an agent.
func (m Mail) urgent() bool {
	return len(m.Notifications) == 1 && m.Notifications[0].Kind == KindIncident
}

// QueueReset queues a password reset mail to a member inside the caller's
// transaction (account.RequestReset's QueueMail).
func (s *Store) QueueReset(ctx context.Context, q sqldb.Querier, brandID, userID int64) error {
	now := sqldb.Millis(s.now())
	_, err := q.Exec(ctx, `INSERT INTO notify_outbox (brand_id, user_id, kind, next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?)`,
		brandID, userID, MailReset, now, now)
	if err != nil {
		return fmt.Errorf("notify: queue password reset: %w", err)
	}
	return nil
}

// Sent records a delivered mail and marks what it carried as emailed.
func (s *Store) Sent(ctx context.Context, m Mail) error {
	now := sqldb.Millis(s.now())
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE notify_outbox SET status = 'sent', sent_at = ?, lease_until = 0, last_error = '' WHERE id = ?`, now, m.ID); err != nil {
			return err
		}
		for _, n := range m.Notifications {
			if _, err := tx.Exec(ctx, `UPDATE notifications SET emailed = 1 WHERE id = ?`, n.ID); err != nil {
				return err
			}
		}
		return nil
	})
}

// Skipped records a mail that must not be sent, with why.
func (s *Store) Skipped(ctx context.Context, id int64, reason string) error {
	_, err := s.db.Exec(ctx, `UPDATE notify_outbox SET status = 'skipped', lease_until = 0, last_error = ? WHERE id = ?`, reason, id)
	return err
}

// Failed records a failed attempt: with retry and attempts left, the mail
// waits Backoff(attempts) and goes again; otherwise it is given up.
func (s *Store) Failed(ctx context.Context, m Mail, sendErr error, retry bool) error {
	msg := truncate(sendErr.Error(), 500)
	if retry && m.Attempts < MaxAttempts {
		next := s.now().Add(Backoff(m.Attempts))
		_, err := s.db.Exec(ctx, `UPDATE notify_outbox SET lease_until = 0, next_attempt_at = ?, last_error = ? WHERE id = ?`, sqldb.Millis(next), msg, m.ID)
		return err
	}
	_, err := s.db.Exec(ctx, `UPDATE notify_outbox SET status = 'failed', lease_until = 0, last_error = ? WHERE id = ?`, msg, m.ID)
	return err
}

// OutboxRow is an outbox entry as tests and operators see it.
type OutboxRow struct {
	ID, UserID, NotificationID int64
	Kind, Status, LastError    string
	Attempts                   int
	NextAttemptAt              time.Time
}

// Outbox lists a brand's outbox rows, newest first (for tests and admins).
func (s *Store) Outbox(ctx context.Context, brandID int64, limit int) ([]OutboxRow, error) {
	rows, err := s.db.Query(ctx, `SELECT id, user_id, COALESCE(notification_id, 0), kind, status, last_error, attempts, next_attempt_at
FROM notify_outbox WHERE brand_id = ? ORDER BY id DESC LIMIT ?`, brandID, limit)
	if err != nil {
		return nil, fmt.Errorf("notify: outbox: %w", err)
	}
	defer rows.Close()
	var out []OutboxRow
	for rows.Next() {
		var r OutboxRow
		var next int64
		if err := rows.Scan(&r.ID, &r.UserID, &r.NotificationID, &r.Kind, &r.Status, &r.LastError, &r.Attempts, &next); err != nil {
			return nil, err
		}
		r.NextAttemptAt = sqldb.Time(next)
		out = append(out, r)
	}
	return out, rows.Err()
}
