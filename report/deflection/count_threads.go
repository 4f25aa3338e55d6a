package deflection

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"mutual/sqldb"
)

// threadRow is one thread asked, with the times and the escalation the
// per-thread figures are counted from.
type threadRow struct {
	id, board, author, created         int64
	firstReply, firstPeer, firstStaff  *int64
	accepted                           bool
	acceptedStaff                      bool
	acceptedVisible                    bool
	acceptedAt                         *int64
	escalatedAt, claimedAt, answeredAt *int64
	agentDue                           *int64 // escalated_at plus the agent SLA in force then
	resolution                         string
}

// outcome is how a thread ended, in the report's words (docs/deflection.md).
type outcome struct {
	peerResolved  bool // a visible accepted answer by a non-staff member, with no agent act
	agentResolved bool // an agent claimed and answered it
	recontacted   bool // peer-resolved, yet its asker came back within RecontactWindow
}

// countThreads counts the figures kept per thread: each thread asked in the
// period adds to its trend week, the first-answer chart and its rows.
func (c *tally) countThreads(ctx context.Context) error {
	cohort, later, err := c.readThreads(ctx)
	if err != nil {
		return err
	}
	clicks, err := askerClicks(ctx, c.db, c.q.BrandID, c.fromMs, c.endMs+RecontactWindow.Milliseconds())
	if err != nil {
		return err
	}
	slaMs, agentSLAms := c.q.SLAs.Peer.Milliseconds(), c.q.SLAs.Agent.Milliseconds()
	for _, t := range cohort {
		o := judge(t, later[[2]int64{t.author, t.board}], clicks[t.author])
		c.addToTrend(t, o)
		c.firstAnswer[firstAnswerBar(t)]++
		for _, a := range c.accsFor(t.created, t.board) {
			countAnswers(a, t)
			countResolution(a, t, o)
			countFirstAnswerSLA(&a.f, t, slaMs, c.nowMs)
			countEscalation(a, t)
			countAgentSLA(&a.f, t, agentSLAms, c.nowMs)
		}
	}
	return nil
}

// readThreads reads the threads asked in the period (the cohort) and, for
// re-contact, when each asker asked on each board up to RecontactWindow
// after it, keyed by (author, board).
func (c *tally) readThreads(ctx context.Context) ([]threadRow, map[[2]int64][]int64, error) {
	bw, ba := c.boardFilter("t.board_id")
	rows, err := c.db.Query(ctx, `SELECT t.id, t.board_id, t.author_id, t.created_at, t.first_reply_at, t.first_peer_reply_at, t.first_staff_reply_at,
			t.accepted_post_id IS NOT NULL,
			CASE WHEN ra.thread_id IS NOT NULL THEN ra.post_staff ELSE COALESCE(p.is_staff, 0) END,
			CASE WHEN ra.thread_id IS NOT NULL THEN ra.post_visible WHEN p.status = 'visible' THEN 1 ELSE 0 END, ra.accepted_at,
			e.escalated_at, e.claimed_at, e.answered_at, e.due_at,
			CASE WHEN e.status = 'held' THEN 'held' ELSE COALESCE(e.resolution, '') END
		FROM threads t
		LEFT JOIN report_accepts ra ON ra.thread_id = t.id AND ra.post_id = t.accepted_post_id
		LEFT JOIN posts p ON ra.thread_id IS NULL AND p.id = t.accepted_post_id
		LEFT JOIN escalations e ON e.thread_id = t.id
		WHERE t.brand_id = ? AND t.created_at >= ? AND t.created_at < ? AND t.status = 'visible' AND t.merged_into IS NULL`+bw,
		append([]any{c.q.BrandID, c.fromMs, c.endMs + RecontactWindow.Milliseconds()}, ba...)...)
	if err != nil {
		return nil, nil, fmt.Errorf("deflection: read threads: %w", err)
	}
	defer rows.Close()
	cohort := make([]threadRow, 0, 1024)
	later := map[[2]int64][]int64{}
	// Nullable times scan into NullInt64s (no allocation per value) and are
	// kept as pointers into the row only when set.
	var fr, fp, fs, aa, ea, ca, an, du sql.NullInt64
	for rows.Next() {
		var t threadRow
		if err := rows.Scan(&t.id, &t.board, &t.author, &t.created, &fr, &fp, &fs,
			&t.accepted, &t.acceptedStaff, &t.acceptedVisible, &aa, &ea, &ca, &an, &du, &t.resolution); err != nil {
			return nil, nil, err
		}
		t.firstReply, t.firstPeer, t.firstStaff, t.acceptedAt = opt(fr), opt(fp), opt(fs), opt(aa)
		t.escalatedAt, t.claimedAt, t.answeredAt, t.agentDue = opt(ea), opt(ca), opt(an), opt(du)
		later[[2]int64{t.author, t.board}] = append(later[[2]int64{t.author, t.board}], t.created)
		if t.created < c.endMs {
			cohort = append(cohort, t)
		}
	}
	return cohort, later, rows.Err()
}

// judge classifies a thread; asked and clicked are when its asker asked on
// the same board and clicked "Contact us".
func judge(t threadRow, asked, clicked []int64) outcome {
	agentAct := t.claimedAt != nil || t.firstStaff != nil
	o := outcome{
		peerResolved:  t.accepted && t.acceptedVisible && !t.acceptedStaff && !agentAct,
		agentResolved: t.claimedAt != nil && t.answeredAt != nil,
	}
	if o.peerResolved {
		upto := t.created + RecontactWindow.Milliseconds()
		o.recontacted = anyIn(asked, t.created, upto) || anyIn(clicked, t.created, upto)
	}
	return o
}

// addToTrend counts a thread in the peer- vs agent-resolved trend.
func (c *tally) addToTrend(t threadRow, o outcome) {
	wk := BucketStart(ByWeek, time.UnixMilli(t.created))
	if c.weeks[wk] == nil {
		c.weeks[wk] = &Week{Start: wk}
	}
	if o.peerResolved {
		c.weeks[wk].PeerResolved++
	}
	if o.agentResolved {
		c.weeks[wk].AgentResolved++
	}
}

// firstAnswerBar is the bar of the time-to-first-answer chart a thread falls
// in; the last is "no answer yet".
func firstAnswerBar(t threadRow) int {
	if t.firstReply == nil {
		return len(firstAnswerBuckets)
	}
	return bucketOf(*t.firstReply - t.created)
}

// countAnswers counts asked, answered and peer-answered, with the time to
// the first peer answer and to the accepted answer.
func countAnswers(a *acc, t threadRow) {
	a.f.Asked++
	if t.firstReply != nil {
		a.f.Answered++
	}
	if t.firstPeer != nil {
		a.f.PeerAnswered++
		a.firstPeer = append(a.firstPeer, *t.firstPeer-t.created)
	}
	if t.accepted && t.acceptedVisible && t.acceptedAt != nil {
		a.accepted = append(a.accepted, *t.acceptedAt-t.created)
	}
}

// countResolution counts how a thread was resolved and its direct deflection
// before the re-contact correction.
func countResolution(a *acc, t threadRow, o outcome) {
	f := &a.f
	switch {
	case o.peerResolved:
		f.PeerResolved++
		f.DirectRaw++
		if o.recontacted {
			f.Recontacted++
		}
	case o.agentResolved:
		f.AgentResolved++
	case t.accepted && t.acceptedVisible:
		f.OtherResolved++
	}
}

// countFirstAnswerSLA counts a thread against the peer-answer SLA: due once
// answered or once the SLA has passed unanswered.
func countFirstAnswerSLA(f *Figures, t threadRow, slaMs, nowMs int64) {
	if t.firstReply != nil && *t.firstReply-t.created <= slaMs {
		f.FirstAnswerSLA.Within++
		f.FirstAnswerSLA.Due++
	} else if t.firstReply != nil || t.created+slaMs <= nowMs {
		f.FirstAnswerSLA.Due++
	}
}

// countEscalation counts an escalated thread, its late-peer cancellation and
// its agent escalation, with the agents' time to claim and to answer.
func countEscalation(a *acc, t threadRow) {
	if t.escalatedAt == nil {
		return
	}
	a.f.Escalated++
	switch t.resolution {
	case "late_peer":
		a.f.LatePeer++
	case "ticketing":
		a.f.TicketingAnswered++
	}
	if t.claimedAt != nil {
		a.f.AgentEscalations++
		a.claim = append(a.claim, *t.claimedAt-*t.escalatedAt)
	}
	if t.answeredAt != nil {
		a.answer = append(a.answer, *t.answeredAt-*t.escalatedAt)
	}
}

// countAgentSLA counts an escalated thread against the agents' answer SLA:
// by the due time the escalation was given (the SLA in force when it
// escalated), as the agent console counts a breach; an escalation older than
// due times is due agentSLAms after it escalated. One held by an open
// incident reads as resolution "held" and is not the agents' to answer yet:
// the incident's acknowledgement SLA counts it.
func countAgentSLA(f *Figures, t threadRow, agentSLAms, nowMs int64) {
	if t.escalatedAt == nil {
		return
	}
	due := *t.escalatedAt + agentSLAms
	if t.agentDue != nil {
		due = *t.agentDue
	}
	switch {
	case t.answeredAt != nil:
		f.AgentSLA.Due++
		if *t.answeredAt <= due {
			f.AgentSLA.Within++
		}
	case t.claimedAt != nil || t.resolution == "":
		// Still the agents' to answer: due once its SLA has passed.
		if due <= nowMs {
			f.AgentSLA.Due++
		}
	}
}

var firstAnswerBuckets = []struct {
	label string
	upto  time.Duration
}{
	{"Under 15 min", 15 * time.Minute},
	{"15–60 min", time.Hour},
	{"1–4 h", 4 * time.Hour},
	{"4–24 h", 24 * time.Hour},
	{"1–3 days", 72 * time.Hour},
	{"Over 3 days", 1 << 62},
}

func bucketOf(ms int64) int {
	for i, b := range firstAnswerBuckets {
		if ms < b.upto.Milliseconds() {
			return i
		}
	}
	return len(firstAnswerBuckets) - 1
}

func opt(v sql.NullInt64) *int64 {
	if !v.Valid {
		return nil
	}
	n := v.Int64
	return &n
}

// anyIn reports whether some time lies in (after, upto].
func anyIn(times []int64, after, upto int64) bool {
	return slices.ContainsFunc(times, func(v int64) bool { return v > after && v <= upto })
}

func askerClicks(ctx context.Context, db sqldb.Querier, brandID, from, upto int64) (map[int64][]int64, error) {
	out := map[int64][]int64{}
	rows, err := db.Query(ctx, `SELECT user_id, at FROM contact_clicks WHERE brand_id = ? AND user_id IS NOT NULL AND at >= ? AND at < ?`, brandID, from, upto)
	if err != nil {
		return nil, fmt.Errorf("deflection: read contact clicks: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var u, at int64
		if err := rows.Scan(&u, &at); err != nil {
			return nil, err
		}
		out[u] = append(out[u], at)
	}
	return out, rows.Err()
}
