package moderation

import (
	"context"

	"mutual/account"
	"mutual/sqldb"
)

// RecordStaffAct writes an audit row for a staff act another capability
// makes (an admin configuring single sign-on, say), inside that
// capability's transaction, so the act and its record commit together.
// targetType names what was acted on; before and after are shown as JSON.
func (s *Service) RecordStaffAct(ctx context.Context, tx *sqldb.Tx, a account.Actor, act, targetType string, targetID int64, before, after any) error {
	return s.record(ctx, tx, a, entry{act: act, targetType: targetType, targetID: targetID, before: before, after: after})
}
