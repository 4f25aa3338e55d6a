package search

import (
	"context"
	"fmt"
	"time"

	"mutual/sqldb"
)

// SuggestionData is one similar question a member opened from the Ask
// page: search's part of a member's data export. Erasing a member keeps
// these rows (they name the member by id only), so the deflection report
// that counts them does not change.
type SuggestionData struct {
	ThreadID      int64     `json:"thread_id"`
	OpenedAt      time.Time `json:"opened_at"`
	AskedThreadID int64     `json:"then_asked_thread_id,omitempty"`
}

// ExportMember reads the suggestions a member opened.
func ExportMember(ctx context.Context, q sqldb.Querier, brandID, userID int64) ([]SuggestionData, error) {
	rows, err := q.Query(ctx, `SELECT thread_id, opened_at, COALESCE(asked_thread_id, 0) FROM suggestion_opens
WHERE user_id = ? AND brand_id = ? ORDER BY opened_at, id`, userID, brandID)
	if err != nil {
		return nil, fmt.Errorf("search: export suggestions: %w", err)
	}
	defer rows.Close()
	out := []SuggestionData{}
	for rows.Next() {
		var s SuggestionData
		var at int64
		if err := rows.Scan(&s.ThreadID, &at, &s.AskedThreadID); err != nil {
			return nil, err
		}
		s.OpenedAt = sqldb.Time(at)
		out = append(out, s)
	}
	return out, rows.Err()
}

// RefreshThreads rebuilds the search documents of threads whose text
// changed outside the forum's events (an erased member's removed posts),
// inside the caller's transaction, so the old text is not found again.
func RefreshThreads(ctx context.Context, q sqldb.Querier, threadIDs []int64) error {
	for len(threadIDs) > 0 {
		n := min(len(threadIDs), 500)
		if err := rebuildThreadDocs(ctx, q, threadIDs[:n]); err != nil {
			return err
		}
		threadIDs = threadIDs[n:]
	}
	return nil
}
