package escalation

import (
	"context"
	"strings"
	"time"

	"mutual/forum"
	"mutual/sqldb"
)

// fireBatch escalates a page of detector candidates with a handful of
// set-based statements instead of several per thread: one re-check read,
// one multi-row insert (the unique thread_id still decides races), one
// thread update and one multi-row event insert. Routing and webhooks follow
// per escalation only when there is an agent on shift or a webhook to feed.
// It returns how many escalations this call made.
//
// It stays long: its set-based statements share the re-checked rows, and their
// order in the one transaction (re-check, insert, mark, record, route) is
// the argument that a race escalates a thread once.
func fireBatch(ctx context.Context, tx *sqldb.Tx, st Settings, r *router, ids []int64, rule int, boards map[int64]time.Duration,
	detector string, at time.Time) (int, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	args := make([]any, 0, len(ids)+1)
	args = append(args, st.BrandID)
	for _, id := range ids {
		args = append(args, id)
	}
	cond := `t.first_peer_reply_at IS NULL AND t.peer_sla_paused_at IS NULL`
	if rule == 2 {
		cond = `t.accepted_post_id IS NULL AND t.still_need_help_at IS NOT NULL`
	}
	// The re-check, inside the transaction that escalates: a reply committed
	// since the candidates were read drops the thread here.
	// Rule 1 also reads the first visible peer reply from the posts (the
	// truth): bulk-written history may have left first_peer_reply_at unset.
	peerCol := `0`
	if rule == 1 {
		peerCol = `COALESCE((SELECT MIN(r.created_at) FROM posts r WHERE r.thread_id = t.id AND r.is_question = 0
  AND r.author_id <> t.author_id AND r.is_staff = 0 AND r.status = 'visible'), 0)`
	}
	rows, err := tx.Query(ctx, `SELECT t.id, t.board_id, t.language, t.title, COALESCE(p.body_md, ''), t.created_at, COALESCE(t.still_need_help_at, 0), `+peerCol+`
FROM threads t LEFT JOIN posts p ON p.thread_id = t.id AND p.is_question = 1
WHERE t.brand_id = ? AND t.id IN (`+placeholders(len(ids))+`) AND t.status = 'visible' AND t.locked_at IS NULL
  AND t.escalated_at IS NULL AND `+cond, args...)
	if err != nil {
		return 0, wrap("re-check candidates", err)
	}
	type row struct {
		id, board      int64
		language       string
		title, body    string
		created, still int64
		peer           int64
		prio           int
		reason         Note
	}
	var due []row
	for rows.Next() {
		var x row
		if err := rows.Scan(&x.id, &x.board, &x.language, &x.title, &x.body, &x.created, &x.still, &x.peer); err != nil {
			rows.Close()
			return 0, err
		}
		due = append(due, x)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(due) == 0 {
		return 0, err
	}
	kept := due[:0]
	for _, x := range due {
		if x.peer == 0 {
			kept = append(kept, x)
			continue
		}
		// Answered after all: repair the column so it leaves the candidates.
		if err := forum.MarkFirstPeerReply(ctx, tx, x.id, time.UnixMilli(x.peer)); err != nil {
			return 0, wrap("repair first_peer_reply_at", err)
		}
	}
	if due = kept; len(due) == 0 {
		return 0, nil
	}
	kind := KindSLA
	if rule == 2 {
		kind = KindStillNeedHelp
	}
	ins := make([]any, 0, len(due)*8)
	vals := make([]string, 0, len(due))
	for i := range due {
		x := &due[i]
		switch {
		case rule == 2:
			x.reason = coded(NoteStillNeedsHelp, "within", st.ResolutionSLA.String())
		case boards[x.board] > 0:
			x.reason = coded(NoteNoPeerReplyBoard, "within", boards[x.board].String())
		default:
			x.reason = coded(NoteNoPeerReply, "within", st.PeerSLA.String())
		}
		if w := matchTerm(x.title+"\n"+x.body, st.Distress); w != "" {
			x.prio += PrioDistress
			x.reason = x.reason.withDistress(w)
		}
		if x.still != 0 {
			x.prio += PrioStillNeed
		}
		if rule == 1 {
			waited := at.Sub(sqldb.Time(x.created)) - st.PeerSLA
			x.prio += min(PrioAgeMax, max(0, int(waited.Hours())))
		}
		vals = append(vals, "(?, ?, ?, ?, ?, ?, ?, ?)")
		ins = append(ins, st.BrandID, x.id, x.prio, x.reason.String(), sqldb.Millis(at), detector, kind, sqldb.Millis(at.Add(st.AgentSLA)))
	}
	made, err := tx.Query(ctx, `INSERT INTO escalations (brand_id, thread_id, priority, reason, escalated_at, detector, kind, due_at)
VALUES `+strings.Join(vals, ", ")+` ON CONFLICT (thread_id) DO NOTHING RETURNING id, thread_id`, ins...)
	if err != nil {
		return 0, wrap("insert escalations", err)
	}
	byThread := map[int64]int64{}
	for made.Next() {
		var id, thread int64
		if err := made.Scan(&id, &thread); err != nil {
			made.Close()
			return 0, err
		}
		byThread[thread] = id
	}
	made.Close()
	if err := made.Err(); err != nil || len(byThread) == 0 {
		return 0, err
	}
	upd := make([]int64, 0, len(due))
	evVals := make([]string, 0, len(byThread))
	evArgs := make([]any, 0, len(byThread)*5)
	var fired []Escalation
	for _, x := range due {
		id, ok := byThread[x.id]
		if !ok {
			continue // another detector escalated it first
		}
		upd = append(upd, x.id)
		evVals = append(evVals, "(?, ?, ?, 'escalated', ?, ?)")
		evArgs = append(evArgs, st.BrandID, id, x.id, x.reason.String(), sqldb.Millis(at))
		fired = append(fired, Escalation{ID: id, BrandID: st.BrandID, ThreadID: x.id, BoardID: x.board, Language: x.language,
			Status: StatusEscalated, Kind: kind, Reason: x.reason})
	}
	if err := forum.MarkEscalated(ctx, tx, at, upd...); err != nil {
		return 0, wrap("mark threads", err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO escalation_events (brand_id, escalation_id, thread_id, state, note, at) VALUES `+
		strings.Join(evVals, ", "), evArgs...); err != nil {
		return 0, wrap("record escalated", err)
	}
	for _, x := range fired {
		if st.WebhookURL != "" {
			if err := queueWebhook(ctx, tx, st, x, EvEscalated, 0, x.Reason, at); err != nil {
				return 0, err
			}
		}
		if len(r.agents) > 0 {
			if err := r.route(ctx, tx, x, at); err != nil {
				return 0, err
			}
		}
	}
	return len(fired), nil
}
