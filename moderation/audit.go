package moderation

import (
	"context"
	"fmt"
	"strings"
	"time"

	"mutual/fault"
	"mutual/i18n"
	"mutual/sqldb"
)

// AuditFilter narrows the audit log. Zero fields do not filter.
type AuditFilter struct {
	Actor  string // username of who acted; "system" for automatic acts
	Act    string
	Member string // username the act concerned
	Since  time.Time
	Until  time.Time
	Before int64 // keyset: rows with a smaller id (the next page)
}

// AuditLimit bounds one page of the audit log.
const AuditLimit = 100

// Audit lists a brand's audit log, newest first, and the cursor of the next
// page (0 when there is none).
func (s *Service) Audit(ctx context.Context, brandID int64, f AuditFilter, limit int) ([]Action, int64, error) {
	if limit <= 0 || limit > AuditLimit {
		limit = 50
	}
	where := []string{"m.brand_id = ?"}
	args := []any{brandID}
	if f.Act != "" {
		known := false
		for _, a := range Acts {
			known = known || a == f.Act
		}
		if !known {
			return nil, 0, &fault.ValidationError{Fields: map[string]string{"act": i18n.T(ctx, "modmsg.audit_act", "Acts", strings.Join(Acts, ", "))}}
		}
		where, args = append(where, "m.act = ?"), append(args, f.Act)
	}
	if f.Actor != "" {
		if strings.EqualFold(f.Actor, "system") {
			where = append(where, "m.actor_id IS NULL")
		} else {
			where, args = append(where, "m.actor_id = (SELECT id FROM users WHERE brand_id = ? AND username_key = ?)"), append(args, brandID, strings.ToLower(f.Actor))
		}
	}
	if f.Member != "" {
		where, args = append(where, "m.target_user_id = (SELECT id FROM users WHERE brand_id = ? AND username_key = ?)"), append(args, brandID, strings.ToLower(f.Member))
	}
	if !f.Since.IsZero() {
		where, args = append(where, "m.created_at >= ?"), append(args, f.Since.UnixMilli())
	}
	if !f.Until.IsZero() {
		where, args = append(where, "m.created_at < ?"), append(args, f.Until.UnixMilli())
	}
	if f.Before > 0 {
		where, args = append(where, "m.id < ?"), append(args, f.Before)
	}
	args = append(args, limit+1)
	rows, err := s.db.Query(ctx, `SELECT m.id, m.brand_id, COALESCE(m.actor_id, 0), COALESCE(a.username, ''), m.act, m.target_type, m.target_id,
COALESCE(m.target_user_id, 0), COALESCE(t.username, ''), m.reason, m.before_json, m.after_json, m.created_at
FROM moderation_actions m LEFT JOIN users a ON a.id = m.actor_id LEFT JOIN users t ON t.id = m.target_user_id
WHERE `+strings.Join(where, " AND ")+` ORDER BY m.id DESC LIMIT ?`, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("moderation: audit log: %w", err)
	}
	defer rows.Close()
	out := []Action{}
	for rows.Next() {
		var x Action
		var at int64
		if err := rows.Scan(&x.ID, &x.BrandID, &x.ActorID, &x.ActorName, &x.Act, &x.TargetType, &x.TargetID, &x.TargetUserID,
			&x.TargetUserName, &x.Reason, &x.Before, &x.After, &at); err != nil {
			return nil, 0, err
		}
		x.At = sqldb.Time(at)
		if x.ActorID == 0 {
			x.ActorName = "system"
		}
		out = append(out, x)
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
