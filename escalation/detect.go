package escalation

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"mutual/forum"
	"mutual/sqldb"
)

// dueQuery reads rule-1 candidates from the partial index
// threads_escalation_due: its WHERE repeats the index's condition, so the
// database reads only unanswered, unescalated, visible threads, in order.
// A thread in an open incident has its peer SLA paused and is skipped; one
// that was paused waits that much longer (peer_sla_paused_ms).
const dueQuery = `SELECT t.id, t.board_id, t.created_at, 0, t.peer_sla_paused_ms FROM threads t
WHERE t.brand_id = ? AND t.first_peer_reply_at IS NULL AND t.escalated_at IS NULL AND t.external_id = ''
  AND t.status = 'visible' AND t.locked_at IS NULL AND t.created_at <= ? AND t.peer_sla_paused_at IS NULL
  AND (t.created_at > ? OR (t.created_at = ? AND t.id > ?))
ORDER BY t.created_at, t.id LIMIT ?`

// dueSQL pins SQLite to the partial index: without statistics its planner
// may prefer another (brand_id, created_at) index (the reports' one), which
// would read every thread of the brand instead of the candidates.
func dueSQL(d sqldb.Dialect) string {
	if d == sqldb.SQLite {
		return strings.Replace(dueQuery, "FROM threads t", "FROM threads t INDEXED BY threads_escalation_due", 1)
	}
	return dueQuery
}

// stillQuery reads rule-2 candidates ("still need help" pressed, not yet
// escalated) from threads_escalation_still.
const stillQuery = `SELECT t.id, t.board_id, t.created_at, t.still_need_help_at, 0 FROM threads t
WHERE t.brand_id = ? AND t.still_need_help_at IS NOT NULL AND t.escalated_at IS NULL
  AND (t.still_need_help_at > ? OR (t.still_need_help_at = ? AND t.id > ?))
ORDER BY t.still_need_help_at, t.id LIMIT ?`

// Cursor is where a detector pass resumes: the last candidate it read.
type Cursor struct {
	At int64
	ID int64
}

// Tick is what one detector pass over a brand did.
type Tick struct {
	Candidates int // threads read from the candidate indexes
	Escalated  int
}

// candidate is a thread that may need escalating.
type candidate struct {
	id, boardID int64
	created     int64
	still       int64
	pausedMS    int64 // how long its peer SLA was paused by incidents
}

// Detect runs one page of the detector for a brand: up to limit candidate
// threads after cur from the "no peer reply" index (rule 1), then, once
// that index is exhausted, from the "still need help" index (rule 2). It
// returns what it did, where to resume, and whether more candidates remain.
//
// Each candidate is re-checked inside the transaction that escalates it, so a
// peer reply committed meanwhile prevents the escalation; the unique
// escalations.thread_id makes two detectors racing escalate a thread once.
func (s *Service) Detect(ctx context.Context, brandID int64, rule int, cur Cursor, limit int, detector string) (Tick, Cursor, bool, error) {
	now := s.now()
	st, err := s.Settings(ctx, s.db, brandID)
	if err != nil {
		return Tick{}, cur, false, err
	}
	boards, err := boardSLAs(ctx, s.db, brandID)
	if err != nil {
		return Tick{}, cur, false, wrap("board SLAs", err)
	}
	var cands []candidate
	if rule == 1 {
		minSLA := st.PeerSLA
		for _, d := range boards {
			minSLA = min(minSLA, d)
		}
		// Wall-clock time is never shorter than business time, so this cutoff
		// reads a superset of what is due; the exact test follows per thread.
		cands, err = readCandidates(ctx, s.db, dueSQL(s.db.Dialect()), brandID, sqldb.Millis(now.Add(-minSLA)), cur.At, cur.At, cur.ID, limit)
	} else {
		cands, err = readCandidates(ctx, s.db, stillQuery, brandID, cur.At, cur.At, cur.ID, limit)
	}
	if err != nil {
		return Tick{}, cur, false, wrap("candidates", err)
	}
	tick := Tick{Candidates: len(cands)}
	if len(cands) == 0 {
		return tick, cur, false, nil
	}
	last := cands[len(cands)-1]
	next := Cursor{At: last.created, ID: last.id}
	if rule == 2 {
		next.At = last.still
	}
	var due []candidate
	for _, c := range cands {
		if rule == 1 {
			sla := st.PeerSLA
			if d, ok := boards[c.boardID]; ok {
				sla = d
			}
			if st.Due(sqldb.Time(c.created+c.pausedMS), sla).After(now) {
				continue
			}
		} else if st.Due(sqldb.Time(c.created), st.ResolutionSLA).After(now) {
			continue
		}
		due = append(due, c)
	}
	if len(due) > 0 {
		ids := make([]int64, len(due))
		for i, c := range due {
			ids[i] = c.id
		}
		err = s.db.InTx(ctx, func(tx *sqldb.Tx) error {
			r, err := newRouter(ctx, tx, st)
			if err != nil {
				return err
			}
			tick.Escalated, err = fireBatch(ctx, tx, st, r, ids, rule, boards, detector, now)
			return err
		})
		if err != nil {
			return tick, cur, false, wrap("escalate", err)
		}
	}
	return tick, next, len(cands) == limit, nil
}

func readCandidates(ctx context.Context, q sqldb.Querier, query string, args ...any) ([]candidate, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []candidate
	for rows.Next() {
		var c candidate
		if err := rows.Scan(&c.id, &c.boardID, &c.created, &c.still, &c.pausedMS); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

type fireArgs struct {
	threadID int64
	kind     string
	reason   Note
	detector string
	actor    int64
	rule     int // 1: needs no peer reply; 2: needs no accepted answer; 0: manual or fast lane
	priority int // a floor (fast lane)
	at       time.Time
}

// fire re-checks the thread inside tx and escalates it if it still needs
// help. It reports whether this call made the escalation (false when the
// thread no longer qualifies or another detector got there first).
func fire(ctx context.Context, tx *sqldb.Tx, st Settings, r *router, f fireArgs) (bool, error) {
	var status, title, body, language string
	var boardID, created, locked, peer, escalated, accepted, still, paused int64
	err := tx.QueryRow(ctx, `SELECT t.status, t.title, COALESCE(p.body_md, ''), t.board_id, t.created_at, COALESCE(t.locked_at, 0),
COALESCE(t.first_peer_reply_at, 0), COALESCE(t.escalated_at, 0), COALESCE(t.accepted_post_id, 0), COALESCE(t.still_need_help_at, 0), t.language,
COALESCE(t.peer_sla_paused_at, 0)
FROM threads t LEFT JOIN posts p ON p.thread_id = t.id AND p.is_question = 1
WHERE t.id = ? AND t.brand_id = ?`, f.threadID, st.BrandID).
		Scan(&status, &title, &body, &boardID, &created, &locked, &peer, &escalated, &accepted, &still, &language, &paused)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, wrap("re-check thread", err)
	}
	if (status != "visible" && (status != forum.StatusExternal || f.kind != KindMention)) || locked != 0 || escalated != 0 {
		return false, nil
	}
	if (f.rule == 1 && peer != 0) || (f.rule == 2 && (accepted != 0 || still == 0)) {
		return false, nil
	}
	if paused != 0 && (f.rule == 1 || f.kind == KindFastLane) {
		return false, nil // an open incident answers it; a person may still escalate it by hand
	}
	prio, reason := f.priority, f.reason
	if w := matchTerm(title+"\n"+body, st.Distress); w != "" {
		prio += PrioDistress
		reason = reason.withDistress(w)
	}
	if still != 0 || f.kind == KindStillNeedHelp {
		prio += PrioStillNeed
	}
	if f.kind == KindManual {
		prio += PrioManual
	}
	if f.rule == 1 {
		// Age: one point per hour the question waited past its SLA.
		waited := f.at.Sub(sqldb.Time(created)) - st.PeerSLA
		prio += min(PrioAgeMax, max(0, int(waited.Hours())))
	}
	prio = max(prio, f.priority)
	var id int64
	err = tx.QueryRow(ctx, `INSERT INTO escalations (brand_id, thread_id, priority, reason, escalated_at, detector, kind, due_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (thread_id) DO NOTHING RETURNING id`,
		st.BrandID, f.threadID, prio, reason.String(), sqldb.Millis(f.at), f.detector, f.kind, sqldb.Millis(f.at.Add(st.AgentSLA))).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil // another detector escalated it first
	}
	if err != nil {
		return false, wrap("insert escalation", err)
	}
	if err := forum.MarkEscalated(ctx, tx, f.at, f.threadID); err != nil {
		return false, wrap("mark thread", err)
	}
	x := Escalation{ID: id, BrandID: st.BrandID, ThreadID: f.threadID, BoardID: boardID, Language: language, Status: StatusEscalated, Kind: f.kind}
	if err := record(ctx, tx, st, x, EvEscalated, f.actor, reason, f.at); err != nil {
		return false, err
	}
	if r == nil {
		if r, err = newRouter(ctx, tx, st); err != nil {
			return false, err
		}
	}
	return true, r.route(ctx, tx, x, f.at)
}

// TimeOutClaims returns to the queue, re-routed to someone else, every
// escalation of a brand claimed without a staff reply (or assigned without a
// claim) for longer than the claim timeout. It returns how many it moved.
func (s *Service) TimeOutClaims(ctx context.Context, brandID int64) (int, error) {
	now := s.now()
	st, err := s.Settings(ctx, s.db, brandID)
	if err != nil {
		return 0, err
	}
	cut := sqldb.Millis(now.Add(-st.ClaimTimeout))
	ids, err := idList(ctx, s.db, `SELECT id FROM escalations WHERE brand_id = ? AND status = 'claimed' AND claimed_at <= ?
UNION SELECT id FROM escalations WHERE brand_id = ? AND status = 'assigned' AND assigned_at <= ?`, brandID, cut, brandID, cut)
	if err != nil || len(ids) == 0 {
		return 0, wrap("find stale claims", err)
	}
	moved := 0
	err = s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		moved = 0
		for _, id := range ids {
			x, err := get(ctx, tx, brandID, id)
			if err != nil {
				return err
			}
			stale := (x.Status == StatusClaimed && !x.ClaimedAt.After(sqldb.Time(cut))) ||
				(x.Status == StatusAssigned && !x.AssignedAt.After(sqldb.Time(cut)))
			if !stale {
				continue
			}
			note := coded(NoteUnanswered, "within", st.ClaimTimeout.String())
			if x.Status == StatusAssigned {
				note = coded(NoteUnclaimed, "within", st.ClaimTimeout.String())
			}
			if err := unassign(ctx, tx, st, x, EvTimedOut, 0, note, now); err != nil {
				return err
			}
			moved++
		}
		return nil
	})
	return moved, wrap("time out claims", err)
}

// RouteQueue offers a brand's queued escalations to the agents on shift.
func (s *Service) RouteQueue(ctx context.Context, brandID int64) error {
	st, err := s.Settings(ctx, s.db, brandID)
	if err != nil {
		return err
	}
	return wrap("route queue", s.db.InTx(ctx, func(tx *sqldb.Tx) error { return routeQueue(ctx, tx, st, s.now()) }))
}
