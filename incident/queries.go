package incident

import (
	"context"
	"time"

	"mutual/sqldb"
)

// incCols are read by scanIncident; incFrom joins the names it shows.
const incCols = `x.id, x.brand_id, x.group_key, x.label, x.terms, x.places, x.board_ids, x.score, x.source, COALESCE(x.raised_by, 0),
COALESCE(ru.username, ''), x.status, x.started_at, x.detected_at, x.raised_at, x.ack_due_at, COALESCE(x.acknowledged_at, 0),
COALESCE(x.acknowledged_by, 0), COALESCE(au.username, ''), COALESCE(x.status_thread_id, 0), COALESCE(st.title, ''), COALESCE(st.slug, ''),
COALESCE(x.replies_by, 0), x.reply_note, COALESCE(x.closed_at, 0), COALESCE(x.closed_by, 0), x.outcome,
(SELECT COUNT(*) FROM incident_threads it WHERE it.incident_id = x.id),
(SELECT COUNT(*) FROM incident_threads it WHERE it.incident_id = x.id AND it.reply_post_id > 0)`

const incFrom = ` FROM incidents x LEFT JOIN users ru ON ru.id = x.raised_by LEFT JOIN users au ON au.id = x.acknowledged_by
LEFT JOIN threads st ON st.id = x.status_thread_id `

func scanIncident(row interface{ Scan(...any) error }) (Incident, error) {
	var x Incident
	var terms, places, boards string
	var started, detected, raised, due, acked, closed int64
	err := row.Scan(&x.ID, &x.BrandID, &x.GroupKey, &x.Label, &terms, &places, &boards, &x.Score, &x.Source, &x.RaisedBy,
		&x.RaisedByName, &x.Status, &started, &detected, &raised, &due, &acked, &x.AcknowledgedBy, &x.AcknowledgedByName,
		&x.StatusThreadID, &x.StatusThreadTitle, &x.StatusThreadSlug, &x.RepliesBy, &x.ReplyNote, &closed, &x.ClosedBy, &x.Outcome,
		&x.ThreadCount, &x.Replied)
	x.Terms, x.Places, x.BoardIDs = splitList(terms), splitList(places), sqldb.SplitIDs(boards)
	x.StartedAt, x.DetectedAt, x.RaisedAt, x.AckDueAt = sqldb.Time(started), sqldb.Time(detected), sqldb.Time(raised), sqldb.Time(due)
	x.AcknowledgedAt, x.ClosedAt = sqldb.Time(acked), sqldb.Time(closed)
	return x, err
}

func get(ctx context.Context, q sqldb.Querier, brandID, id int64) (Incident, error) {
	x, err := scanIncident(q.QueryRow(ctx, `SELECT `+incCols+incFrom+`WHERE x.id = ? AND x.brand_id = ?`, id, brandID))
	if isNoRows(err) {
		return x, notFound(ctx)
	}
	return x, wrap("read", err)
}

// Get returns one incident of a brand with its threads.
func (s *Service) Get(ctx context.Context, brandID, id int64) (Incident, error) {
	x, err := get(ctx, s.db, brandID, id)
	if err != nil {
		return x, err
	}
	x.Threads, err = threadsOf(ctx, s.db, id)
	return x, err
}

func threadsOf(ctx context.Context, q sqldb.Querier, id int64) ([]Thread, error) {
	rows, err := q.Query(ctx, `SELECT t.id, t.board_id, t.title, t.slug, it.added_at, COALESCE(it.reply_post_id, 0)
FROM incident_threads it JOIN threads t ON t.id = it.thread_id WHERE it.incident_id = ? ORDER BY it.added_at, t.id`, id)
	if err != nil {
		return nil, wrap("threads", err)
	}
	defer rows.Close()
	var out []Thread
	for rows.Next() {
		var t Thread
		var added int64
		if err := rows.Scan(&t.ID, &t.BoardID, &t.Title, &t.Slug, &added, &t.ReplyPostID); err != nil {
			return nil, err
		}
		t.AddedAt = sqldb.Time(added)
		out = append(out, t)
	}
	return out, rows.Err()
}

// States a list may ask for.
var States = []string{"open", "closed", "all"}

// MaxList bounds one list of incidents.
const MaxList = 100

// List returns a brand's incidents in a state ("open", "closed" or "all"),
// newest first, before the id cursor (0: from the newest).
func (s *Service) List(ctx context.Context, brandID int64, state string, before int64, limit int) ([]Incident, error) {
	cond := ""
	switch state {
	case "", "open":
		cond = ` AND x.closed_at IS NULL`
	case "closed":
		cond = ` AND x.closed_at IS NOT NULL`
	case "all":
	default:
		return nil, invalid(ctx, "state", "incident.err_state")
	}
	if before <= 0 {
		before = 1 << 62
	}
	if limit <= 0 || limit > MaxList {
		limit = MaxList
	}
	return s.query(ctx, `SELECT `+incCols+incFrom+`WHERE x.brand_id = ? AND x.id < ?`+cond+` ORDER BY x.id DESC LIMIT ?`,
		brandID, before, limit)
}

func (s *Service) query(ctx context.Context, q string, args ...any) ([]Incident, error) {
	rows, err := s.db.Query(ctx, q, args...)
	if err != nil {
		return nil, wrap("list", err)
	}
	defer rows.Close()
	var out []Incident
	for rows.Next() {
		x, err := scanIncident(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

// Open returns a brand's open incidents, those waiting for an agent first:
// what the console and the supervisor page show at their top.
func (s *Service) Open(ctx context.Context, brandID int64) ([]Incident, error) {
	return s.query(ctx, `SELECT `+incCols+incFrom+`WHERE x.brand_id = ? AND x.closed_at IS NULL
ORDER BY CASE WHEN x.acknowledged_at IS NULL THEN 0 ELSE 1 END, x.ack_due_at, x.id LIMIT ?`, brandID, MaxList)
}

// Stats are a brand's incident figures, counted like escalations'.
type Stats struct {
	Open           int // not closed
	Unacknowledged int // open and waiting for an agent
	Breached       int // acknowledged late, or still waiting past the SLA (all time)
	BreachedOpen   int // open, unacknowledged and past the SLA now
}

// Stats computes a brand's incident figures as of now.
func (s *Service) Stats(ctx context.Context, brandID int64) (Stats, error) {
	var st Stats
	now := sqldb.Millis(s.now())
	err := s.db.QueryRow(ctx, `SELECT
COALESCE(SUM(CASE WHEN closed_at IS NULL THEN 1 ELSE 0 END), 0),
COALESCE(SUM(CASE WHEN closed_at IS NULL AND acknowledged_at IS NULL THEN 1 ELSE 0 END), 0),
COALESCE(SUM(CASE WHEN `+breachedSQL+` THEN 1 ELSE 0 END), 0),
COALESCE(SUM(CASE WHEN closed_at IS NULL AND acknowledged_at IS NULL AND ack_due_at < ? THEN 1 ELSE 0 END), 0)
FROM incidents WHERE brand_id = ?`, now, now, brandID).Scan(&st.Open, &st.Unacknowledged, &st.Breached, &st.BreachedOpen)
	return st, wrap("stats", err)
}

// breachedSQL is Incident.Breached in SQL; its one argument is now.
const breachedSQL = `(acknowledged_at > ack_due_at OR (acknowledged_at IS NULL AND COALESCE(closed_at, ?) > ack_due_at))`

// Compliance counts a brand's incidents raised in [from, to) whose
// acknowledgement was due by now (acknowledged, or its SLA passed while
// open), and of those, how many were acknowledged in time. A report of a
// period counts them as it counts the agents' answer SLA.
func (s *Service) Compliance(ctx context.Context, brandID int64, from, to time.Time) (within, due int, err error) {
	err = s.db.QueryRow(ctx, `SELECT
COALESCE(SUM(CASE WHEN acknowledged_at IS NOT NULL OR COALESCE(closed_at, ?) > ack_due_at THEN 1 ELSE 0 END), 0),
COALESCE(SUM(CASE WHEN acknowledged_at <= ack_due_at THEN 1 ELSE 0 END), 0)
FROM incidents WHERE brand_id = ? AND raised_at >= ? AND raised_at < ?`, sqldb.Millis(s.now()), brandID, sqldb.Millis(from), sqldb.Millis(to)).Scan(&due, &within)
	return within, due, wrap("compliance", err)
}

// Candidate is a recent unsolved question an agent may gather into an
// incident by hand.
type Candidate struct {
	ID        int64
	BoardID   int64
	Title     string
	Slug      string
	CreatedAt time.Time
	Replies   int64
}

// Candidates lists a brand's newest unsolved questions that no open
// incident holds, for the form that raises one by hand.
func (s *Service) Candidates(ctx context.Context, brandID int64, limit int) ([]Candidate, error) {
	rows, err := s.db.Query(ctx, `SELECT t.id, t.board_id, t.title, t.slug, t.created_at, t.reply_count FROM threads t
WHERE t.brand_id = ? AND t.status = 'visible' AND t.accepted_post_id IS NULL AND t.pinned = 0
  AND NOT EXISTS (SELECT 1 FROM incident_threads it JOIN incidents x ON x.id = it.incident_id
    WHERE it.thread_id = t.id AND x.closed_at IS NULL)
ORDER BY t.created_at DESC, t.id DESC LIMIT ?`, brandID, limit)
	if err != nil {
		return nil, wrap("candidates", err)
	}
	defer rows.Close()
	var out []Candidate
	for rows.Next() {
		var c Candidate
		var created int64
		if err := rows.Scan(&c.ID, &c.BoardID, &c.Title, &c.Slug, &created, &c.Replies); err != nil {
			return nil, err
		}
		c.CreatedAt = sqldb.Time(created)
		out = append(out, c)
	}
	return out, rows.Err()
}

// ClosedSince reports whether the brand's incident of the group was closed
// at or after t: a burst the radar still sees after an agent closed its
// incident is the same outage, not a new one.
func (s *Service) ClosedSince(ctx context.Context, brandID int64, groupKey string, t time.Time) (bool, error) {
	var n int
	err := s.db.QueryRow(ctx, `SELECT COUNT(*) FROM incidents WHERE brand_id = ? AND group_key = ? AND closed_at >= ?`,
		brandID, groupKey, sqldb.Millis(t)).Scan(&n)
	return n > 0, wrap("closed since", err)
}
