package escalation

import (
	"context"
	"slices"
	"time"

	"mutual/sqldb"
)

// ReplayResult is what the detector would have done over a brand's history,
// read two ways: counting a peer's first reply of any kind (what the
// detector itself does: any reply cancels), and counting only a peer's
// first answer, leaving out imported comments, which on a Stack Exchange
// site are mostly clarifying questions, not help.
type ReplayResult struct {
	PeerSLA  time.Duration
	Threads  int         // visible threads in the history
	AnyReply ReplayCurve // a peer's reply of any kind stops the clock
	Answer   ReplayCurve // only a peer's answer stops it
}

// ReplayCurve is one reading of the history.
type ReplayCurve struct {
	Escalated     int // no peer reply within the SLA: would have gone to an agent
	LateRescued   int // of those, a peer replied later (a late rescue if before any claim)
	NeverAnswered int // of those, no peer ever replied
	MedianFirst   time.Duration
	waits         []time.Duration
}

// count adds one thread whose first peer reply came at first (zero: never).
func (c *ReplayCurve) count(created, first, due time.Time) {
	switch {
	case first.IsZero():
		c.Escalated++
		c.NeverAnswered++
		return
	case first.After(due):
		c.Escalated++
		c.LateRescued++
	}
	c.waits = append(c.waits, first.Sub(created))
}

func (c *ReplayCurve) finish() {
	if len(c.waits) > 0 {
		slices.Sort(c.waits)
		c.MedianFirst = c.waits[len(c.waits)/2]
	}
	c.waits = nil
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
	rows, err := s.db.Query(ctx, `SELECT t.created_at,
  COALESCE(MIN(p.created_at), 0), COALESCE(MIN(CASE WHEN p.reply_kind = 'answer' THEN p.created_at END), 0)
FROM threads t LEFT JOIN posts p ON p.thread_id = t.id AND p.is_question = 0 AND p.author_id <> t.author_id
  AND p.is_staff = 0 AND p.status = 'visible'
WHERE t.brand_id = ? AND t.status = 'visible' GROUP BY t.id, t.created_at`, brandID)
	if err != nil {
		return r, wrap("replay", err)
	}
	defer rows.Close()
	for rows.Next() {
		var created, anyReply, answer int64
		if err := rows.Scan(&created, &anyReply, &answer); err != nil {
			return r, err
		}
		r.Threads++
		due := st.Due(sqldb.Time(created), sla)
		r.AnyReply.count(sqldb.Time(created), sqldb.Time(anyReply), due)
		r.Answer.count(sqldb.Time(created), sqldb.Time(answer), due)
	}
	if err := rows.Err(); err != nil {
		return r, err
	}
	r.AnyReply.finish()
	r.Answer.finish()
	return r, nil
}
