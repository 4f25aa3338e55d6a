package forum

import (
	"context"
	"fmt"
	"time"

	"mutual/sqldb"
)

// Escalation keeps its marks on the thread row (when a thread escalated, when
// a peer first replied, when its asker said they still need help) so the
// detector's candidate indexes can skip answered threads. The forum owns the
// table; escalation sets the marks through these functions inside its own
// transaction, next to the escalation rows they go with.

// MarkEscalated records that the threads escalated at the given time.
func MarkEscalated(ctx context.Context, q sqldb.Querier, at time.Time, threadIDs ...int64) error {
	if len(threadIDs) == 0 {
		return nil
	}
	in, args := sqldb.InList(threadIDs)
	if _, err := q.Exec(ctx, `UPDATE threads SET escalated_at = ? WHERE id IN (`+in+`)`, append([]any{sqldb.Millis(at)}, args...)...); err != nil {
		return fmt.Errorf("forum: mark threads escalated: %w", err)
	}
	return nil
}

// MarkFirstPeerReply records when a thread first had a peer's reply, unless
// it is recorded already.
func MarkFirstPeerReply(ctx context.Context, q sqldb.Querier, threadID int64, at time.Time) error {
	if _, err := q.Exec(ctx, `UPDATE threads SET first_peer_reply_at = ? WHERE id = ? AND first_peer_reply_at IS NULL`, sqldb.Millis(at), threadID); err != nil {
		return fmt.Errorf("forum: mark first peer reply of thread %d: %w", threadID, err)
	}
	return nil
}

// MarkStillNeedsHelp records that the asker still needs help, keeping the
// first time they said so.
func MarkStillNeedsHelp(ctx context.Context, q sqldb.Querier, threadID int64, at time.Time) error {
	if _, err := q.Exec(ctx, `UPDATE threads SET still_need_help_at = COALESCE(still_need_help_at, ?) WHERE id = ?`, sqldb.Millis(at), threadID); err != nil {
		return fmt.Errorf("forum: mark thread %d still needs help: %w", threadID, err)
	}
	return nil
}

// ClearStillNeedsHelp withdraws the asker's "still need help" from a thread
// that has not escalated.
func ClearStillNeedsHelp(ctx context.Context, q sqldb.Querier, threadID int64) error {
	if _, err := q.Exec(ctx, `UPDATE threads SET still_need_help_at = NULL WHERE id = ? AND still_need_help_at IS NOT NULL AND escalated_at IS NULL`,
		threadID); err != nil {
		return fmt.Errorf("forum: clear still needs help on thread %d: %w", threadID, err)
	}
	return nil
}
