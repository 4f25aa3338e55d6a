package signals

import (
	"context"
	"fmt"
	"time"

	"mutual/sqldb"
)

// PostSignal is one of a member's posts as the signals read it: their
// part of a data export.
type PostSignal struct {
	PostID    int64     `json:"post_id"`
	ThreadID  int64     `json:"thread_id"`
	At        time.Time `json:"at"`
	Scored    bool      `json:"sentiment_scored"`
	Sentiment float64   `json:"sentiment"`
	Churn     string    `json:"churn_phrase,omitempty"`
	Lead      string    `json:"sales_lead_phrase,omitempty"`
}

// ExportMember reads what the signals say of a member's posts.
func ExportMember(ctx context.Context, q sqldb.Querier, brandID, userID int64) ([]PostSignal, error) {
	rows, err := q.Query(ctx, `SELECT post_id, thread_id, created_at, scored, sentiment, churn_phrase, lead_phrase
FROM post_signals WHERE brand_id = ? AND author_id = ? ORDER BY created_at, post_id`, brandID, userID)
	if err != nil {
		return nil, fmt.Errorf("signals: export: %w", err)
	}
	defer rows.Close()
	out := []PostSignal{}
	for rows.Next() {
		var p PostSignal
		var at, scored int64
		if err := rows.Scan(&p.PostID, &p.ThreadID, &at, &scored, &p.Sentiment, &p.Churn, &p.Lead); err != nil {
			return nil, err
		}
		p.At, p.Scored = time.UnixMilli(at).UTC(), scored != 0
		out = append(out, p)
	}
	return out, rows.Err()
}

// EraseMember forgets what the signals said of an erased member's posts:
// they leave the sentiment figures, the churn list and the leads.
func EraseMember(ctx context.Context, q sqldb.Querier, brandID, userID int64) error {
	if _, err := q.Exec(ctx, `DELETE FROM post_signals WHERE brand_id = ? AND author_id = ?`, brandID, userID); err != nil {
		return fmt.Errorf("signals: erase: %w", err)
	}
	return nil
}
