package reputation

import (
	"context"
	"fmt"
	"time"

	"mutual/sqldb"
)

// MemberLedger is the reputation part of a member's data export: every
// line of their ledger, oldest first, and the total it sums to. Erasing a
// member changes none of it, so leaderboards and reports keep their counts.
type MemberLedger struct {
	Total  int64        `json:"total"`
	Events []LedgerLine `json:"events"`
}

// LedgerLine is one ledger event.
type LedgerLine struct {
	Delta   int64     `json:"delta"`
	Reason  Reason    `json:"reason"`
	Origin  Reason    `json:"origin"`
	PostID  int64     `json:"post_id,omitempty"`
	BoardID int64     `json:"board_id,omitempty"`
	At      time.Time `json:"at"`
}

// ExportMember reads a member's whole ledger in the brand.
func ExportMember(ctx context.Context, q sqldb.Querier, brandID, userID int64) (MemberLedger, error) {
	rows, err := q.Query(ctx, `SELECT delta, reason, origin, COALESCE(post_id, 0), COALESCE(board_id, 0), created_at
FROM reputation_events WHERE user_id = ? AND brand_id = ? ORDER BY created_at, id`, userID, brandID)
	if err != nil {
		return MemberLedger{}, fmt.Errorf("reputation: export ledger: %w", err)
	}
	defer rows.Close()
	m := MemberLedger{Events: []LedgerLine{}}
	for rows.Next() {
		var l LedgerLine
		var at int64
		if err := rows.Scan(&l.Delta, &l.Reason, &l.Origin, &l.PostID, &l.BoardID, &at); err != nil {
			return MemberLedger{}, err
		}
		l.At = time.UnixMilli(at).UTC()
		m.Total += l.Delta
		m.Events = append(m.Events, l)
	}
	return m, rows.Err()
}
