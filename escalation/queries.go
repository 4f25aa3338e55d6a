package escalation

import (
	"context"
	"strconv"
	"strings"
	"time"

	"mutual/i18n"
	"mutual/sqldb"
)

// States a list may ask for: each status, plus "open" (every live state) and
// "closed" (resolved or cancelled).
var States = []string{"open", "closed", StatusEscalated, StatusAssigned, StatusClaimed, StatusAnswered, StatusResolved, StatusCancelled, StatusHeld}

func stateFilter(state string) ([]string, bool) {
	switch state {
	case "", "open":
		return openStatuses, true
	case "closed":
		return []string{StatusResolved, StatusCancelled}, true
	case StatusEscalated, StatusAssigned, StatusClaimed, StatusAnswered, StatusResolved, StatusCancelled, StatusHeld:
		return []string{state}, true
	}
	return nil, false
}

func placeholders(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat("?, ", n-1) + "?"
}

// List returns a brand's escalations in a state, newest first, after the
// keyset cursor (escalated_at, id) of the previous page.
func (s *Service) List(ctx context.Context, brandID int64, state string, after Cursor, limit int) ([]Escalation, Cursor, error) {
	sts, ok := stateFilter(state)
	if !ok {
		return nil, Cursor{}, invalid("state", "state must be one of open, closed, escalated, assigned, claimed, answered, resolved, cancelled, held.")
	}
	if limit <= 0 || limit > 100 {
		limit = defaultPageLimit
	}
	args := []any{brandID}
	for _, x := range sts {
		args = append(args, x)
	}
	q := `SELECT ` + escCols + escFrom + `WHERE x.brand_id = ? AND x.status IN (` + placeholders(len(sts)) + `)`
	if after.ID != 0 {
		q += ` AND (x.escalated_at < ? OR (x.escalated_at = ? AND x.id < ?))`
		args = append(args, after.At, after.At, after.ID)
	}
	q += ` ORDER BY x.escalated_at DESC, x.id DESC LIMIT ?`
	args = append(args, limit+1)
	list, err := s.query(ctx, q, args...)
	if err != nil {
		return nil, Cursor{}, err
	}
	var next Cursor
	if len(list) > limit {
		list = list[:limit]
		last := list[len(list)-1]
		next = Cursor{At: sqldb.Millis(last.EscalatedAt), ID: last.ID}
	}
	return list, next, nil
}

func (s *Service) query(ctx context.Context, q string, args ...any) ([]Escalation, error) {
	return queryIn(ctx, s.db, q, args...)
}

// queryIn reads the escalations a query selects (escCols) inside q.
func queryIn(ctx context.Context, q sqldb.Querier, query string, args ...any) ([]Escalation, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, wrap("list", err)
	}
	defer rows.Close()
	var out []Escalation
	for rows.Next() {
		x, err := scanEscalation(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

// Get returns one escalation of a brand.
func (s *Service) Get(ctx context.Context, brandID, id int64) (Escalation, error) {
	return get(ctx, s.db, brandID, id)
}

// ForThread returns a thread's escalation; ok is false when it has none.
func (s *Service) ForThread(ctx context.Context, brandID, threadID int64) (Escalation, bool, error) {
	return byThread(ctx, s.db, brandID, threadID)
}

// StillNeedHelpPressed reports whether the thread's asker has said they
// still need help (the thread page then hides the button).
func (s *Service) StillNeedHelpPressed(ctx context.Context, brandID, threadID int64) (bool, error) {
	var at int64
	err := s.db.QueryRow(ctx, `SELECT COALESCE(still_need_help_at, 0) FROM threads WHERE id = ? AND brand_id = ?`, threadID, brandID).Scan(&at)
	if err != nil {
		return false, notFoundOr(err, i18n.T(ctx, "escmsg.no_thread"))
	}
	return at != 0, nil
}

// Console is what an agent sees: what they hold, and the brand queue, each
// most urgent first (highest priority, then the nearest SLA breach; among
// escalations due within the same urgency window, the most negative
// question first).
type Console struct {
	Mine  []Escalation
	Queue []Escalation // unclaimed: in the queue or routed to someone who has not claimed it
	Agent Agent
}

// Console returns the console of an agent in a brand.
func (s *Service) Console(ctx context.Context, brandID, userID int64, limit int) (Console, error) {
	var c Console
	var err error
	if c.Agent, err = s.Agent(ctx, brandID, userID); err != nil {
		c.Agent = Agent{BrandID: brandID, UserID: userID}
	}
	c.Mine, err = s.query(ctx, `SELECT `+escCols+escFrom+`LEFT JOIN post_signals q ON q.thread_id = x.thread_id AND q.is_question = 1
WHERE x.brand_id = ? AND x.assigned_to = ?
AND x.status IN ('assigned', 'claimed', 'answered')`+consoleOrder, brandID, userID, limit)
	if err != nil {
		return c, err
	}
	c.Queue, err = s.query(ctx, `SELECT `+escCols+escFrom+`LEFT JOIN post_signals q ON q.thread_id = x.thread_id AND q.is_question = 1
WHERE x.brand_id = ? AND x.status IN ('escalated', 'assigned')
AND (x.assigned_to IS NULL OR x.assigned_to <> ?)`+consoleOrder, brandID, userID, limit)
	return c, err
}

// UrgencyWindow is how close two SLA deadlines are for the console to
// treat them as equally urgent and put the more negative question first.
const UrgencyWindow = 15 * time.Minute

// consoleOrder sorts the console by urgency, then by the question's
// sentiment (q: package signals' score, -1..1; 0 while unscored or in a
// language without a lexicon).
var consoleOrder = ` ORDER BY x.priority DESC, x.due_at / ` + strconv.FormatInt(UrgencyWindow.Milliseconds(), 10) +
	`, COALESCE(q.sentiment, 0), x.due_at, x.id LIMIT ?`

// History is an escalation's transitions, oldest first.
func (s *Service) History(ctx context.Context, brandID, id int64) ([]Event, error) {
	rows, err := s.db.Query(ctx, `SELECT e.id, e.state, COALESCE(e.actor_id, 0), COALESCE(u.username, ''), e.note, e.at
FROM escalation_events e LEFT JOIN users u ON u.id = e.actor_id WHERE e.escalation_id = ? AND e.brand_id = ? ORDER BY e.at, e.id`, id, brandID)
	if err != nil {
		return nil, wrap("history", err)
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var e Event
		var at int64
		if err := rows.Scan(&e.ID, &e.State, &e.ActorID, &e.ActorName, &e.Note, &at); err != nil {
			return nil, err
		}
		e.At = sqldb.Time(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

// Stats are the supervisor's figures for a brand.
type Stats struct {
	BrandID   int64
	ByStatus  map[string]int
	Queue     int // escalated + assigned (not yet claimed)
	Breached  int // open and past the agent SLA without an answer
	Agents    []Agent
	OnShift   int
	Oldest    time.Duration // the longest an open, unclaimed escalation has waited
	Resolved  map[string]int
	Delivered int // webhooks delivered
	Pending   int // webhooks waiting (to send or to retry)
	Failed    int // webhooks given up on
}

// Stats computes the supervisor figures from the indexes (no forum scan).
func (s *Service) Stats(ctx context.Context, brandID int64) (Stats, error) {
	now := s.now()
	st := Stats{BrandID: brandID, ByStatus: map[string]int{}, Resolved: map[string]int{}}
	rows, err := s.db.Query(ctx, `SELECT status, resolution, COUNT(*) FROM escalations WHERE brand_id = ? GROUP BY status, resolution`, brandID)
	if err != nil {
		return st, wrap("stats", err)
	}
	for rows.Next() {
		var status, res string
		var n int
		if err := rows.Scan(&status, &res, &n); err != nil {
			rows.Close()
			return st, err
		}
		st.ByStatus[status] += n
		if res != "" {
			st.Resolved[res] += n
		}
	}
	rows.Close()
	st.Queue = st.ByStatus[StatusEscalated] + st.ByStatus[StatusAssigned]
	var oldest int64
	if err := s.db.QueryRow(ctx, `SELECT COUNT(*) FROM escalations WHERE brand_id = ? AND status IN ('escalated', 'assigned', 'claimed') AND due_at < ?`,
		brandID, sqldb.Millis(now)).Scan(&st.Breached); err != nil {
		return st, wrap("breaches", err)
	}
	if err := s.db.QueryRow(ctx, `SELECT COALESCE(MIN(escalated_at), 0) FROM escalations WHERE brand_id = ? AND status IN ('escalated', 'assigned')`,
		brandID).Scan(&oldest); err != nil {
		return st, wrap("oldest", err)
	}
	if oldest != 0 {
		st.Oldest = now.Sub(sqldb.Time(oldest))
	}
	if st.Agents, err = s.Agents(ctx, brandID); err != nil {
		return st, err
	}
	for _, a := range st.Agents {
		if a.OnShift {
			st.OnShift++
		}
	}
	err = s.db.QueryRow(ctx, `SELECT COALESCE(SUM(CASE WHEN delivered_at IS NOT NULL THEN 1 ELSE 0 END), 0),
COALESCE(SUM(CASE WHEN delivered_at IS NULL AND gave_up_at IS NULL THEN 1 ELSE 0 END), 0),
COALESCE(SUM(CASE WHEN gave_up_at IS NOT NULL THEN 1 ELSE 0 END), 0) FROM escalation_webhooks WHERE brand_id = ?`, brandID).
		Scan(&st.Delivered, &st.Pending, &st.Failed)
	return st, wrap("webhook stats", err)
}

var _ sqldb.Querier = (*sqldb.DB)(nil)
