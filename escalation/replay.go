package escalation

import (
	"context"
	"slices"
	"time"
)

// ReplayResult is what the detector would have done over a brand's history.
type ReplayResult struct {
	PeerSLA       time.Duration
	Threads       int // visible threads in the history
	Escalated     int // no peer reply within the SLA: would have gone to an agent
	LateRescued   int // of those, a peer replied later (a late rescue if before any claim)
	NeverAnswered int // of those, no peer ever replied
	MedianFirst   time.Duration
}

// Replay runs the peer-SLA rule over every visible thread of a brand as if
// the detector had been watching when each was asked: a thread would have
// escalated when no reply from anyone but its asker (staff excluded) came
// within sla, counted in business hours when the brand has them. It writes
// nothing.
func (s *Service) Replay(ctx context.Context, brandID int64, sla time.Duration) (ReplayResult, error) {
	st, err := s.Settings(ctx, s.db, brandID)
	if err != nil {
		return ReplayResult{}, err
	}
	r := ReplayResult{PeerSLA: sla}
	rows, err := s.db.Query(ctx, `SELECT t.created_at, COALESCE((SELECT MIN(p.created_at) FROM posts p
  WHERE p.thread_id = t.id AND p.is_question = 0 AND p.author_id <> t.author_id AND p.is_staff = 0 AND p.status = 'visible'), 0)
FROM threads t WHERE t.brand_id = ? AND t.status = 'visible'`, brandID)
	if err != nil {
		return r, wrap("replay", err)
	}
	defer rows.Close()
	var waits []time.Duration
	for rows.Next() {
		var created, first int64
		if err := rows.Scan(&created, &first); err != nil {
			return r, err
		}
		r.Threads++
		due := st.Due(fromMS(created), sla)
		if first != 0 {
			waits = append(waits, fromMS(first).Sub(fromMS(created)))
		}
		switch {
		case first == 0:
			r.Escalated++
			r.NeverAnswered++
		case fromMS(first).After(due):
			r.Escalated++
			r.LateRescued++
		}
	}
	if err := rows.Err(); err != nil {
		return r, err
	}
	if len(waits) > 0 {
		slices.Sort(waits)
		r.MedianFirst = waits[len(waits)/2]
	}
	return r, nil
}
