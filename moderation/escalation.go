package moderation

import (
	"context"
	"fmt"
	"strings"
	"time"

	"mutual/sqldb"
)

// DefaultSLA is how long a question waits for a peer before agents are
// called, unless the brand sets its own.
const DefaultSLA = 15 * time.Minute

// distress words raise an escalation's priority: the asker may be about to
// leave or complain.
var distress = []string{"cancel", "complaint", "complain", "ombudsman", "refund", "leave", "leaving", "switch provider", "disgusted", "urgent"}

// Escalation is a thread handed to agents because peers did not answer in time.
type Escalation struct {
	ID          int64
	BrandID     int64
	ThreadID    int64
	Status      string
	Priority    int
	Reason      string
	EscalatedAt time.Time
	Detector    string
}

// Escalations stores and detects escalations.
type Escalations struct {
	db  *sqldb.DB
	now func() time.Time
}

// NewEscalations returns the escalation store.
func NewEscalations(db *sqldb.DB, now func() time.Time) *Escalations {
	return &Escalations{db: db, now: now}
}

// Detect escalates up to limit threads of a brand that have waited longer
// than the brand's SLA with no reply from anyone but the asker. It is
// idempotent — a thread is escalated at most once, however many detectors run
// at once — and resumable: each call picks up what is still pending. It
// returns how many threads this call escalated. Imported history (threads
// with an external_id) is never escalated: nobody is waiting on it.
func (e *Escalations) Detect(ctx context.Context, brandID int64, limit int, detector string) (int, error) {
	now := e.now()
	var slaSeconds int64
	if err := e.db.QueryRow(ctx, `SELECT escalation_sla_seconds FROM brands WHERE id = ?`, brandID).Scan(&slaSeconds); err != nil {
		return 0, fmt.Errorf("moderation: brand SLA: %w", err)
	}
	cutoff := now.Add(-time.Duration(slaSeconds) * time.Second).UnixMilli()
	rows, err := e.db.Query(ctx, `SELECT t.id, t.title FROM threads t
WHERE t.brand_id = ? AND t.first_reply_at IS NULL AND t.created_at <= ? AND t.external_id = ''
  AND NOT EXISTS (SELECT 1 FROM escalations x WHERE x.thread_id = t.id)
ORDER BY t.created_at, t.id LIMIT ?`, brandID, cutoff, limit)
	if err != nil {
		return 0, fmt.Errorf("moderation: find overdue threads: %w", err)
	}
	type due struct {
		id    int64
		title string
	}
	var found []due
	for rows.Next() {
		var d due
		if err := rows.Scan(&d.id, &d.title); err != nil {
			rows.Close()
			return 0, err
		}
		found = append(found, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	if len(found) == 0 {
		return 0, nil
	}
	made := 0
	err = e.db.InTx(ctx, func(tx *sqldb.Tx) error {
		made = 0
		for _, d := range found {
			prio, reason := 0, fmt.Sprintf("no peer reply within %s", time.Duration(slaSeconds)*time.Second)
			if w := distressWord(d.title); w != "" {
				prio, reason = 1, reason+"; distress word "+fmt.Sprintf("%q", w)
			}
			res, err := tx.Exec(ctx, `INSERT INTO escalations (brand_id, thread_id, priority, reason, escalated_at, detector)
VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (thread_id) DO NOTHING`, brandID, d.id, prio, reason, now.UnixMilli(), detector)
			if err != nil {
				return err
			}
			n, _ := res.RowsAffected()
			made += int(n)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("moderation: escalate: %w", err)
	}
	return made, nil
}

func distressWord(s string) string {
	s = strings.ToLower(s)
	for _, w := range distress {
		if strings.Contains(s, w) {
			return w
		}
	}
	return ""
}

// CancelRescued cancels escalations no agent has claimed yet whose thread a
// peer (not the asker, not staff) has answered since: a late peer rescue.
func (e *Escalations) CancelRescued(ctx context.Context, brandID int64) (int, error) {
	var n int64
	err := e.db.InTx(ctx, func(tx *sqldb.Tx) error {
		res, err := tx.Exec(ctx, `UPDATE escalations SET status = 'cancelled', closed_at = ?
WHERE brand_id = ? AND status = 'escalated' AND EXISTS (
  SELECT 1 FROM posts p JOIN threads t ON t.id = p.thread_id
  WHERE p.thread_id = escalations.thread_id AND p.is_question = 0 AND p.author_id <> t.author_id
    AND NOT EXISTS (SELECT 1 FROM role_assignments r WHERE r.brand_id = p.brand_id AND r.user_id = p.author_id
                    AND r.role IN ('agent', 'moderator', 'admin')))`, e.now().UnixMilli(), brandID)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("moderation: cancel rescued escalations: %w", err)
	}
	return int(n), nil
}

// List returns a brand's escalations in queue order (highest priority, oldest first).
func (e *Escalations) List(ctx context.Context, brandID int64, status string, limit int) ([]Escalation, error) {
	rows, err := e.db.Query(ctx, `SELECT id, brand_id, thread_id, status, priority, reason, escalated_at, detector
FROM escalations WHERE brand_id = ? AND (? = '' OR status = ?) ORDER BY priority DESC, escalated_at, id LIMIT ?`,
		brandID, status, status, limit)
	if err != nil {
		return nil, fmt.Errorf("moderation: list escalations: %w", err)
	}
	defer rows.Close()
	var out []Escalation
	for rows.Next() {
		var x Escalation
		var at int64
		if err := rows.Scan(&x.ID, &x.BrandID, &x.ThreadID, &x.Status, &x.Priority, &x.Reason, &at, &x.Detector); err != nil {
			return nil, err
		}
		x.EscalatedAt = time.UnixMilli(at).UTC()
		out = append(out, x)
	}
	return out, rows.Err()
}
