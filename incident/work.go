package incident

import (
	"context"
	"fmt"
	"strings"
	"time"

	"mutual/account"
	"mutual/forum"
	"mutual/i18n"
	"mutual/moderation"
	"mutual/sqldb"
)

// change runs fn on an incident of the actor's brand in one transaction,
// after checking the actor is staff; it returns the incident as it is now.
func (s *Service) change(ctx context.Context, a account.Actor, id int64, fn func(tx *sqldb.Tx, x Incident, now time.Time) error) (Incident, error) {
	if !isStaff(a) {
		return Incident{}, denied(ctx)
	}
	now := s.now()
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		x, err := get(ctx, tx, a.BrandID, id)
		if err != nil {
			return err
		}
		return fn(tx, x, now)
	})
	if err != nil {
		return Incident{}, err
	}
	s.forum.Changed(forum.Change{BrandID: a.BrandID, Lists: true})
	return s.Get(ctx, a.BrandID, id)
}

// Acknowledge says an agent is on the incident: its SLA clock stops.
// Acknowledging again is harmless.
func (s *Service) Acknowledge(ctx context.Context, a account.Actor, id int64) (Incident, error) {
	return s.change(ctx, a, id, func(tx *sqldb.Tx, x Incident, now time.Time) error {
		switch x.Status {
		case StatusAcknowledged:
			return nil
		case StatusClosed:
			return conflict(ctx, "incident.err_closed")
		}
		return s.acknowledge(ctx, tx, a, x, now)
	})
}

func (s *Service) acknowledge(ctx context.Context, tx *sqldb.Tx, a account.Actor, x Incident, now time.Time) error {
	if _, err := tx.Exec(ctx, `UPDATE incidents SET status = 'acknowledged', acknowledged_at = ?, acknowledged_by = ? WHERE id = ?`,
		sqldb.Millis(now), a.UserID, x.ID); err != nil {
		return wrap("acknowledge", err)
	}
	late := ""
	if now.After(x.AckDueAt) {
		late = fmt.Sprintf("late by %s", now.Sub(x.AckDueAt).Round(time.Second))
	}
	if err := moderation.RecordIncidentAct(ctx, tx, a, moderation.IncidentEntry{Act: moderation.ActIncidentAcknowledged,
		IncidentID: x.ID, Reason: late}, now); err != nil {
		return err
	}
	x, err := get(ctx, tx, x.BrandID, x.ID)
	if err != nil {
		return err
	}
	return s.tell(ctx, tx, x, EventAcknowledged, a.UserID, late, now)
}

// StatusPost is the "known issue" thread an agent writes for an incident.
type StatusPost struct {
	BoardID int64
	Title   string
	Body    string
}

// PostStatus posts the incident's one pinned "known issue" thread, as the
// agent. Posting it acknowledges the incident if nobody had.
func (s *Service) PostStatus(ctx context.Context, a account.Actor, id int64, p StatusPost) (Incident, error) {
	if !isStaff(a) {
		return Incident{}, denied(ctx)
	}
	x, err := get(ctx, s.db, a.BrandID, id)
	if err != nil {
		return x, err
	}
	if !x.Open() {
		return x, conflict(ctx, "incident.err_closed")
	}
	if x.StatusThreadID != 0 {
		return x, conflict(ctx, "incident.err_status_posted")
	}
	// The client key makes a form sent twice post one thread.
	t, err := s.forum.Ask(ctx, a, forum.NewThread{BoardID: p.BoardID, Title: p.Title, Body: p.Body,
		ClientKey: fmt.Sprintf("incident-%d-status", id)})
	if err != nil {
		return x, err
	}
	return s.change(ctx, a, id, func(tx *sqldb.Tx, x Incident, now time.Time) error {
		res, err := tx.Exec(ctx, `UPDATE incidents SET status_thread_id = ? WHERE id = ? AND status_thread_id IS NULL`, t.ID, x.ID)
		if err != nil {
			return wrap("status thread", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return conflict(ctx, "incident.err_status_posted")
		}
		if _, err := s.forum.SetPinned(ctx, tx, a.BrandID, t.ID, true); err != nil {
			return wrap("pin status thread", err)
		}
		// Nobody needs to answer the staff's own announcement.
		if err := forum.PausePeerSLA(ctx, tx, a.BrandID, now, t.ID); err != nil {
			return err
		}
		if err := moderation.RecordIncidentAct(ctx, tx, a, moderation.IncidentEntry{Act: moderation.ActIncidentStatusPosted,
			IncidentID: x.ID, Reason: t.Title, After: map[string]any{"thread_id": t.ID, "pinned": true}}, now); err != nil {
			return err
		}
		if x.Status == StatusOpen {
			return s.acknowledge(ctx, tx, a, x, now)
		}
		return nil
	})
}

// ReplyAll replies once, as the agent, to every thread of the incident that
// has no reply from it yet, linking to the status thread; threads added
// later get theirs as they join. It returns how many it replied to and how
// many it could not (a thread locked or removed since).
func (s *Service) ReplyAll(ctx context.Context, a account.Actor, id int64, note string) (replied, skipped int, err error) {
	if !isStaff(a) {
		return 0, 0, denied(ctx)
	}
	x, err := get(ctx, s.db, a.BrandID, id)
	if err != nil {
		return 0, 0, err
	}
	switch {
	case !x.Open():
		return 0, 0, conflict(ctx, "incident.err_closed")
	case x.StatusThreadID == 0:
		return 0, 0, conflict(ctx, "incident.err_no_status")
	}
	note = strings.TrimSpace(note)
	if len(note) > 2000 {
		return 0, 0, invalid(ctx, "note", "incident.err_note_long")
	}
	if _, err := s.db.Exec(ctx, `UPDATE incidents SET replies_by = ?, reply_note = ? WHERE id = ?`, a.UserID, note, x.ID); err != nil {
		return 0, 0, wrap("replying agent", err)
	}
	x.ReplyNote = note
	threads, err := threadsOf(ctx, s.db, x.ID)
	if err != nil {
		return 0, 0, err
	}
	ids := make([]int64, 0, len(threads))
	for _, t := range threads {
		if t.ReplyPostID == 0 {
			ids = append(ids, t.ID)
		}
	}
	replied, skipped, err = s.replyAll(ctx, a, x, ids)
	if err != nil {
		return replied, skipped, err
	}
	err = s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		return moderation.RecordIncidentAct(ctx, tx, a, moderation.IncidentEntry{Act: moderation.ActIncidentReplied, IncidentID: x.ID,
			Reason: fmt.Sprintf("replied to %d threads, %d could not be replied to", replied, skipped)}, s.now())
	})
	return replied, skipped, err
}

// replyAll posts the one staff reply in each thread. A thread is claimed
// before its reply is posted (reply_post_id 0), so two agents pressing at
// once, or the radar adding threads meanwhile, never reply twice; the
// forum's client key makes a retry after a crash return the same post.
func (s *Service) replyAll(ctx context.Context, a account.Actor, x Incident, threadIDs []int64) (replied, skipped int, err error) {
	body := replyBody(ctx, x)
	for _, tid := range threadIDs {
		res, err := s.db.Exec(ctx, `UPDATE incident_threads SET reply_post_id = 0 WHERE incident_id = ? AND thread_id = ? AND reply_post_id IS NULL`,
			x.ID, tid)
		if err != nil {
			return replied, skipped, wrap("claim thread", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			continue // replied already, or being replied to
		}
		p, err := s.forum.Reply(ctx, a, tid, forum.NewReply{Body: body, ClientKey: fmt.Sprintf("incident-%d-%d", x.ID, tid)})
		if err != nil {
			// Let the thread be tried again later (it may be locked now).
			if _, uerr := s.db.Exec(ctx, `UPDATE incident_threads SET reply_post_id = NULL WHERE incident_id = ? AND thread_id = ?`, x.ID, tid); uerr != nil {
				return replied, skipped, wrap("release thread", uerr)
			}
			skipped++
			continue
		}
		if _, err := s.db.Exec(ctx, `UPDATE incident_threads SET reply_post_id = ? WHERE incident_id = ? AND thread_id = ?`, p.ID, x.ID, tid); err != nil {
			return replied, skipped, wrap("note reply", err)
		}
		replied++
	}
	return replied, skipped, nil
}

// replyBody is the staff reply: the agent's note, if any, and the link.
func replyBody(ctx context.Context, x Incident) string {
	link := i18n.T(ctx, "incident.reply_link", "Title", x.StatusThreadTitle, "URL", x.StatusURL())
	if x.ReplyNote == "" {
		return i18n.T(ctx, "incident.reply_default") + "\n\n" + link
	}
	return x.ReplyNote + "\n\n" + link
}

// Close ends an incident. With OutcomeResolved its threads count as answered
// by it: their held escalations are resolved and their peer SLAs stay
// stopped. With OutcomeResumed they go back to the peers: their SLAs run
// again (the time paused not counted) and held escalations return to the
// queue. A thread still in another open incident stays paused. The status
// thread is unpinned.
func (s *Service) Close(ctx context.Context, a account.Actor, id int64, outcome, note string) (Incident, error) {
	if outcome != OutcomeResolved && outcome != OutcomeResumed {
		return Incident{}, invalid(ctx, "outcome", "incident.err_outcome")
	}
	note = strings.TrimSpace(note)
	if len(note) > 1000 {
		return Incident{}, invalid(ctx, "note", "incident.err_note_long")
	}
	return s.change(ctx, a, id, func(tx *sqldb.Tx, x Incident, now time.Time) error {
		if !x.Open() {
			return conflict(ctx, "incident.err_closed")
		}
		if _, err := tx.Exec(ctx, `UPDATE incidents SET status = 'closed', closed_at = ?, closed_by = ?, outcome = ? WHERE id = ?`,
			sqldb.Millis(now), a.UserID, outcome, x.ID); err != nil {
			return wrap("close", err)
		}
		ids, err := sqldb.Int64s(tx.Query(ctx, `SELECT it.thread_id FROM incident_threads it WHERE it.incident_id = ?
AND NOT EXISTS (SELECT 1 FROM incident_threads o JOIN incidents oi ON oi.id = o.incident_id
  WHERE o.thread_id = it.thread_id AND oi.id <> it.incident_id AND oi.closed_at IS NULL)`, x.ID))
		if err != nil {
			return wrap("threads to release", err)
		}
		if outcome == OutcomeResumed {
			if err := forum.ResumePeerSLA(ctx, tx, a.BrandID, now, ids...); err != nil {
				return err
			}
		}
		if _, err := s.esc.ReleaseFromIncident(ctx, tx, a.BrandID, ids, outcome == OutcomeResolved, a.UserID, x.ID, now); err != nil {
			return err
		}
		if x.StatusThreadID != 0 {
			if _, err := s.forum.SetPinned(ctx, tx, a.BrandID, x.StatusThreadID, false); err != nil {
				return wrap("unpin status thread", err)
			}
		}
		if err := moderation.RecordIncidentAct(ctx, tx, a, moderation.IncidentEntry{Act: moderation.ActIncidentClosed, IncidentID: x.ID,
			Reason: note, After: map[string]any{"outcome": outcome, "threads": ids}}, now); err != nil {
			return err
		}
		x, err = get(ctx, tx, a.BrandID, x.ID)
		if err != nil {
			return err
		}
		return s.tell(ctx, tx, x, EventClosed, a.UserID, note, now)
	})
}

// Payload is the JSON body of an incident's webhook delivery.
type Payload struct {
	Event    string    `json:"event"`
	At       time.Time `json:"at"`
	ActorID  int64     `json:"actor_id,omitempty"`
	Note     string    `json:"note,omitempty"`
	Incident JSON      `json:"incident"`
}

// JSON is an incident as the API and webhooks show it.
type JSON struct {
	ID              int64      `json:"id"`
	Label           string     `json:"label"`
	GroupKey        string     `json:"group_key"`
	Source          string     `json:"source"`
	State           string     `json:"state"`
	Terms           []string   `json:"terms"`
	Places          []string   `json:"places"`
	BoardIDs        []int64    `json:"board_ids"`
	Score           float64    `json:"score"`
	StartedAt       time.Time  `json:"started_at"`
	DetectedAt      time.Time  `json:"detected_at"`
	RaisedAt        time.Time  `json:"raised_at"`
	AckDueAt        time.Time  `json:"ack_due_at"`
	TimeLeftSeconds int64      `json:"time_left_seconds"`
	Breached        bool       `json:"breached"`
	AcknowledgedAt  *time.Time `json:"acknowledged_at,omitempty"`
	AcknowledgedBy  string     `json:"acknowledged_by,omitempty"`
	StatusThreadID  int64      `json:"status_thread_id,omitempty"`
	StatusURL       string     `json:"status_url,omitempty"`
	ClosedAt        *time.Time `json:"closed_at,omitempty"`
	Outcome         string     `json:"outcome,omitempty"`
	ThreadCount     int        `json:"thread_count"`
	Replied         int        `json:"replied"`
	ThreadIDs       []int64    `json:"thread_ids,omitempty"`
}

func opt(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// JSON renders x for the API and webhooks as of now.
func (x Incident) JSON(now time.Time) JSON {
	j := JSON{ID: x.ID, Label: x.Label, GroupKey: x.GroupKey, Source: x.Source, State: x.Status, Terms: x.Terms, Places: x.Places,
		BoardIDs: x.BoardIDs, Score: x.Score, StartedAt: x.StartedAt, DetectedAt: x.DetectedAt, RaisedAt: x.RaisedAt, AckDueAt: x.AckDueAt,
		TimeLeftSeconds: int64(x.TimeLeft(now).Seconds()), Breached: x.Breached(now), AcknowledgedAt: opt(x.AcknowledgedAt),
		AcknowledgedBy: x.AcknowledgedByName, StatusThreadID: x.StatusThreadID, StatusURL: x.StatusURL(), ClosedAt: opt(x.ClosedAt),
		Outcome: x.Outcome, ThreadCount: x.ThreadCount, Replied: x.Replied}
	for _, t := range x.Threads {
		j.ThreadIDs = append(j.ThreadIDs, t.ID)
	}
	if j.Terms == nil {
		j.Terms = []string{}
	}
	if j.Places == nil {
		j.Places = []string{}
	}
	if j.BoardIDs == nil {
		j.BoardIDs = []int64{}
	}
	return j
}
