package moderation

import (
	"context"
	"time"

	"mutual/account"
	"mutual/sqldb"
)

// Acts on incidents (package incident): staff answering one problem many
// members hit at once.
const (
	ActIncidentRaised       = "incident_raised"
	ActIncidentAcknowledged = "incident_acknowledged"
	ActIncidentStatusPosted = "incident_status_posted"
	ActIncidentReplied      = "incident_replied"
	ActIncidentClosed       = "incident_closed"
)

// IncidentEntry is an audit row about an incident (target_type "incident").
type IncidentEntry struct {
	Act           string
	IncidentID    int64
	Reason        string
	Before, After any
}

// RecordIncidentAct writes an incident act to the audit log inside the
// caller's transaction. An actor with no user id is the system (the radar).
func RecordIncidentAct(ctx context.Context, tx *sqldb.Tx, a account.Actor, e IncidentEntry, at time.Time) error {
	return RecordPrivacyAct(ctx, tx, a, PrivacyEntry{Act: e.Act, TargetType: "incident", TargetID: e.IncidentID,
		Reason: e.Reason, Before: e.Before, After: e.After}, at)
}
