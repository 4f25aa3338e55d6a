package moderation

import (
	"context"
	"fmt"
	"time"

	"mutual/sqldb"
)

// IntegrationEntry is an audit row for what a brand's own system did
// through a signed integration (its ticketing system answering an
// escalation), or an administrator did to that integration. ActorID is 0
// when the brand's system acted: the log names it as the system.
type IntegrationEntry struct {
	BrandID       int64
	ActorID       int64
	Act           string
	TargetType    string // escalation, brand
	TargetID      int64
	Reason        string
	Before, After any
}

// RecordIntegrationAct writes e to the audit log inside the caller's
// transaction, so the act and its record commit together.
func RecordIntegrationAct(ctx context.Context, tx *sqldb.Tx, e IntegrationEntry, at time.Time) error {
	if err := checkReason(e.Reason, false); err != nil {
		return err
	}
	var actor any
	if e.ActorID != 0 {
		actor = e.ActorID
	}
	_, err := tx.Exec(ctx, `INSERT INTO moderation_actions (brand_id, actor_id, act, target_type, target_id, target_user_id, reason, before_json, after_json, created_at)
VALUES (?, ?, ?, ?, ?, NULL, ?, ?, ?, ?)`, e.BrandID, actor, e.Act, e.TargetType, e.TargetID, e.Reason, jsonOf(e.Before), jsonOf(e.After), at.UnixMilli())
	if err != nil {
		return fmt.Errorf("moderation: audit %s: %w", e.Act, err)
	}
	return nil
}
