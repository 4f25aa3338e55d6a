package escalation

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"time"

	"mutual/sqldb"
)

// Webhook delivery policy: exponential backoff from BackoffBase, capped at
// BackoffMax, giving up after MaxAttempts.
const (
	BackoffBase = 30 * time.Second
	BackoffMax  = 6 * time.Hour
	MaxAttempts = 10
)

// Delivery is one queued webhook call.
type Delivery struct {
	ID           int64
	BrandID      int64
	EscalationID int64 // 0 for a delivery about an incident
	IncidentID   int64 // 0 for a delivery about an escalation
	Event        string
	Payload      string
	URL          string
	Secret       string
	CreatedAt    time.Time
	Attempts     int
	NextAt       time.Time
	DeliveredAt  time.Time
	GaveUpAt     time.Time
	LastStatus   int
	LastError    string
}

// Sign is the X-Mutual-Signature header value for body: "sha256=" and the
// hex HMAC-SHA256 of the exact body bytes under the brand's secret.
func Sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Backoff is the wait before attempt n+1 after n failed attempts.
func Backoff(n int) time.Duration {
	d := BackoffBase
	for i := 1; i < n && d < BackoffMax; i++ {
		d *= 2
	}
	return min(d, BackoffMax)
}

// DueWebhooks returns up to limit deliveries whose time has come, oldest
// first, with the brand's current URL and secret. The caller holds the
// "escalation-webhooks" job lease, so two instances never send the same one.
func (s *Service) DueWebhooks(ctx context.Context, limit int) ([]Delivery, error) {
	// Read on the writer, inside InTx: it answers only once every commit
	// before it is durable, so no webhook tells a brand of an escalation a
	// power cut could still take back. A reader could see a commit the
	// instant before its fsync.
	var out []Delivery
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		var err error
		out, err = dueWebhooks(ctx, tx, sqldb.Millis(s.now()), limit)
		return err
	})
	return out, wrap("due webhooks", err)
}

func dueWebhooks(ctx context.Context, q sqldb.Querier, now int64, limit int) ([]Delivery, error) {
	rows, err := q.Query(ctx, `SELECT w.id, w.brand_id, COALESCE(w.escalation_id, 0), COALESCE(w.incident_id, 0), w.event, w.payload, COALESCE(st.webhook_url, ''),
COALESCE(st.webhook_secret, ''), w.created_at, w.attempts, w.next_attempt_at
FROM escalation_webhooks w LEFT JOIN escalation_settings st ON st.brand_id = w.brand_id
WHERE w.delivered_at IS NULL AND w.gave_up_at IS NULL AND w.next_attempt_at <= ? ORDER BY w.next_attempt_at, w.id LIMIT ?`,
		now, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Delivery
	for rows.Next() {
		var d Delivery
		var created, next int64
		if err := rows.Scan(&d.ID, &d.BrandID, &d.EscalationID, &d.IncidentID, &d.Event, &d.Payload, &d.URL, &d.Secret, &created, &d.Attempts, &next); err != nil {
			return nil, err
		}
		d.CreatedAt, d.NextAt = sqldb.Time(created), sqldb.Time(next)
		out = append(out, d)
	}
	return out, rows.Err()
}

// RecordAttempt logs one delivery attempt and schedules what follows: done
// on a 2xx, otherwise a retry after Backoff, or giving up after MaxAttempts
// (also at once when the brand has removed its webhook URL).
func (s *Service) RecordAttempt(ctx context.Context, d Delivery, status int, errMsg string, took time.Duration) error {
	now := s.now()
	ok := status >= 200 && status < 300 && errMsg == ""
	return wrap("record delivery", s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO escalation_webhook_attempts (brand_id, webhook_id, at, status_code, error, duration_ms)
VALUES (?, ?, ?, ?, ?, ?)`, d.BrandID, d.ID, sqldb.Millis(now), status, errMsg, took.Milliseconds()); err != nil {
			return err
		}
		n := d.Attempts + 1
		var err error
		switch {
		case ok:
			_, err = tx.Exec(ctx, `UPDATE escalation_webhooks SET attempts = ?, delivered_at = ?, last_status = ?, last_error = '' WHERE id = ?`,
				n, sqldb.Millis(now), status, d.ID)
		case n >= MaxAttempts || d.URL == "":
			_, err = tx.Exec(ctx, `UPDATE escalation_webhooks SET attempts = ?, gave_up_at = ?, last_status = ?, last_error = ? WHERE id = ?`,
				n, sqldb.Millis(now), status, errMsg, d.ID)
		default:
			_, err = tx.Exec(ctx, `UPDATE escalation_webhooks SET attempts = ?, next_attempt_at = ?, last_status = ?, last_error = ? WHERE id = ?`,
				n, sqldb.Millis(now.Add(Backoff(n))), status, errMsg, d.ID)
		}
		return err
	}))
}

// Deliveries is a brand's delivery log, newest first, before the id cursor.
func (s *Service) Deliveries(ctx context.Context, brandID, before int64, limit int) ([]Delivery, error) {
	if before <= 0 {
		before = 1 << 62
	}
	rows, err := s.db.Query(ctx, `SELECT id, brand_id, COALESCE(escalation_id, 0), COALESCE(incident_id, 0), event, payload, created_at, attempts, next_attempt_at,
COALESCE(delivered_at, 0), COALESCE(gave_up_at, 0), last_status, last_error
FROM escalation_webhooks WHERE brand_id = ? AND id < ? ORDER BY id DESC LIMIT ?`, brandID, before, limit)
	if err != nil {
		return nil, wrap("deliveries", err)
	}
	defer rows.Close()
	var out []Delivery
	for rows.Next() {
		var d Delivery
		var created, next, delivered, gave int64
		if err := rows.Scan(&d.ID, &d.BrandID, &d.EscalationID, &d.IncidentID, &d.Event, &d.Payload, &created, &d.Attempts, &next,
			&delivered, &gave, &d.LastStatus, &d.LastError); err != nil {
			return nil, err
		}
		d.CreatedAt, d.NextAt, d.DeliveredAt, d.GaveUpAt = sqldb.Time(created), sqldb.Time(next), sqldb.Time(delivered), sqldb.Time(gave)
		out = append(out, d)
	}
	return out, rows.Err()
}
