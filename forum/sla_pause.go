package forum

import (
	"context"
	"fmt"
	"time"

	"mutual/sqldb"
)

// An incident answers many threads at once, so while it is open their
// individual peer SLAs are paused: the escalation detector skips a thread
// whose peer_sla_paused_at is set, and the time it stayed paused is added to
// peer_sla_paused_ms so that resuming does not count the pause against the
// community. The incident package sets these marks inside its transaction.

// PausePeerSLA pauses the peer SLA of a brand's threads (those already
// paused keep their first pause).
func PausePeerSLA(ctx context.Context, q sqldb.Querier, brandID int64, at time.Time, threadIDs ...int64) error {
	if len(threadIDs) == 0 {
		return nil
	}
	in, args := sqldb.InList(threadIDs)
	_, err := q.Exec(ctx, `UPDATE threads SET peer_sla_paused_at = ? WHERE brand_id = ? AND peer_sla_paused_at IS NULL AND id IN (`+in+`)`,
		append([]any{sqldb.Millis(at), brandID}, args...)...)
	if err != nil {
		return fmt.Errorf("forum: pause peer SLA: %w", err)
	}
	return nil
}

// ResumePeerSLA lets the detector see the threads again, crediting the time
// they were paused.
func ResumePeerSLA(ctx context.Context, q sqldb.Querier, brandID int64, at time.Time, threadIDs ...int64) error {
	if len(threadIDs) == 0 {
		return nil
	}
	in, args := sqldb.InList(threadIDs)
	_, err := q.Exec(ctx, `UPDATE threads SET peer_sla_paused_ms = peer_sla_paused_ms + (? - peer_sla_paused_at), peer_sla_paused_at = NULL
WHERE brand_id = ? AND peer_sla_paused_at IS NOT NULL AND id IN (`+in+`)`, append([]any{sqldb.Millis(at), brandID}, args...)...)
	if err != nil {
		return fmt.Errorf("forum: resume peer SLA: %w", err)
	}
	return nil
}
