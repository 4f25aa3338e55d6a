package incident

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"mutual/account"
	"mutual/forum"
	"mutual/moderation"
	"mutual/sqldb"
)

// Raised is a burst of one problem: the radar's finding, or an agent's pick.
type Raised struct {
	BrandID    int64
	GroupKey   string // the radar's group; raising the same open group again adds to it
	Label      string
	Terms      []string
	BoardIDs   []int64
	Places     []string
	ThreadIDs  []int64
	StartedAt  time.Time
	DetectedAt time.Time
	Score      float64
}

// Limits on what an incident holds.
const (
	MaxLabel   = 200
	MaxThreads = 500
)

// Raise opens an incident for a burst, or adds the burst's new threads to
// the open incident of the same group, applying its effects to them (peer
// SLAs paused, escalations held, and the staff reply when the incident's
// agent already replied to the others). It reports the incident and whether
// this call created it. The radar calls it; nobody acts, so the audit log
// names the system.
func (s *Service) Raise(ctx context.Context, r Raised) (int64, bool, error) {
	return s.raise(ctx, account.Anonymous(r.BrandID), r, SourceRadar)
}

// RaiseByHand opens an incident over threads an agent picked on the console.
func (s *Service) RaiseByHand(ctx context.Context, a account.Actor, label string, threadIDs []int64) (int64, error) {
	if !isStaff(a) {
		return 0, denied(ctx)
	}
	now := s.now()
	id, _, err := s.raise(ctx, a, Raised{BrandID: a.BrandID, GroupKey: fmt.Sprintf("manual:%d:%d", a.UserID, now.UnixNano()),
		Label: label, ThreadIDs: threadIDs, StartedAt: now, DetectedAt: now}, SourceAgent)
	return id, err
}

func isStaff(a account.Actor) bool {
	return a.SignedIn() && (a.Has("agent") || a.Has("moderator") || a.Has("admin"))
}

func (s *Service) raise(ctx context.Context, a account.Actor, r Raised, source string) (int64, bool, error) {
	r.Label = strings.TrimSpace(r.Label)
	switch {
	case r.BrandID <= 0 || strings.TrimSpace(r.GroupKey) == "":
		return 0, false, fmt.Errorf("incident: raise needs a brand and a group key")
	case r.Label == "" || !utf8.ValidString(r.Label):
		return 0, false, invalid(ctx, "label", "incident.err_label")
	case len(r.ThreadIDs) == 0:
		return 0, false, invalid(ctx, "threads", "incident.err_no_threads")
	case len(r.ThreadIDs) > MaxThreads && source == SourceAgent:
		return 0, false, invalid(ctx, "threads", "incident.err_too_many", "Max", MaxThreads)
	case len(r.ThreadIDs) > MaxThreads:
		// The radar may hand over a whole growing group each time: the
		// newest threads are the ones still waiting.
		ids := slices.Clone(r.ThreadIDs)
		slices.Sort(ids)
		r.ThreadIDs = ids[len(ids)-MaxThreads:]
	}
	if utf8.RuneCountInString(r.Label) > MaxLabel {
		r.Label = string([]rune(r.Label)[:MaxLabel])
	}
	now := s.now()
	if r.StartedAt.IsZero() {
		r.StartedAt = now
	}
	if r.DetectedAt.IsZero() {
		r.DetectedAt = now
	}
	var id int64
	var created bool
	var added []int64
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		st, err := settings(ctx, tx, r.BrandID)
		if err != nil {
			return err
		}
		in, args := sqldb.InList(r.ThreadIDs)
		// A status thread reads like the group it answers: never gather it.
		ids, err := sqldb.Int64s(tx.Query(ctx, `SELECT id FROM threads WHERE brand_id = ? AND status = 'visible' AND id IN (`+in+`)
AND id NOT IN (SELECT status_thread_id FROM incidents WHERE brand_id = ? AND status_thread_id IS NOT NULL) ORDER BY id`,
			append(append([]any{r.BrandID}, args...), r.BrandID)...))
		if err != nil {
			return wrap("threads", err)
		}
		if len(ids) == 0 {
			return invalid(ctx, "threads", "incident.err_no_threads")
		}
		var by any
		if a.UserID != 0 {
			by = a.UserID
		}
		err = tx.QueryRow(ctx, `INSERT INTO incidents (brand_id, group_key, label, terms, places, board_ids, score, source, raised_by,
started_at, detected_at, raised_at, ack_due_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id`,
			r.BrandID, r.GroupKey, r.Label, joinList(r.Terms), joinList(r.Places), sqldb.JoinIDs(r.BoardIDs), r.Score, source, by,
			sqldb.Millis(r.StartedAt), sqldb.Millis(r.DetectedAt), sqldb.Millis(now), sqldb.Millis(now.Add(st.AckSLA))).Scan(&id)
		created = err == nil
		if isNoRows(err) {
			err = tx.QueryRow(ctx, `SELECT id FROM incidents WHERE brand_id = ? AND group_key = ? AND closed_at IS NULL`,
				r.BrandID, r.GroupKey).Scan(&id)
		}
		if err != nil {
			return wrap("insert", err)
		}
		if added, err = s.addThreads(ctx, tx, a, r.BrandID, id, ids, now); err != nil {
			return err
		}
		if !created {
			if len(added) == 0 {
				return nil
			}
			return moderation.RecordIncidentAct(ctx, tx, a, moderation.IncidentEntry{Act: moderation.ActIncidentRaised, IncidentID: id,
				Reason: fmt.Sprintf("%d more threads of the same group", len(added)), After: map[string]any{"threads": added}}, now)
		}
		x, err := get(ctx, tx, r.BrandID, id)
		if err != nil {
			return err
		}
		if err := moderation.RecordIncidentAct(ctx, tx, a, moderation.IncidentEntry{Act: moderation.ActIncidentRaised, IncidentID: id,
			Reason: x.Label, After: map[string]any{"source": source, "threads": added, "group": r.GroupKey}}, now); err != nil {
			return err
		}
		if err := s.tell(ctx, tx, x, EventRaised, a.UserID, "", now); err != nil {
			return err
		}
		if s.notify == nil || len(st.Contacts) == 0 {
			return nil
		}
		contacts := make([]int64, len(st.Contacts))
		for i, c := range st.Contacts {
			contacts[i] = c.UserID
		}
		return s.notify.NotifyIncident(ctx, tx, r.BrandID, contacts, id, x.Label, now)
	})
	if err != nil {
		return 0, false, err
	}
	s.forum.Changed(forum.Change{BrandID: r.BrandID, Lists: true})
	if !created && len(added) > 0 {
		if err := s.replyToNew(ctx, r.BrandID, id, added); err != nil {
			return id, false, err
		}
	}
	return id, created, nil
}

// addThreads puts threads in an incident and applies its effects to those
// new to it: their peer SLAs pause and their open escalations are held.
func (s *Service) addThreads(ctx context.Context, tx *sqldb.Tx, a account.Actor, brandID, id int64, ids []int64, at time.Time) ([]int64, error) {
	var added []int64
	for _, tid := range ids {
		res, err := tx.Exec(ctx, `INSERT INTO incident_threads (incident_id, thread_id, brand_id, added_at) VALUES (?, ?, ?, ?)
ON CONFLICT DO NOTHING`, id, tid, brandID, sqldb.Millis(at))
		if err != nil {
			return nil, wrap("add thread", err)
		}
		if n, _ := res.RowsAffected(); n > 0 {
			added = append(added, tid)
		}
	}
	if err := forum.PausePeerSLA(ctx, tx, brandID, at, added...); err != nil {
		return nil, err
	}
	_, err := s.esc.HoldForIncident(ctx, tx, brandID, added, a.UserID, id, at)
	return added, err
}

// replyToNew gives threads added to an open incident the staff reply the
// others got, when its agent has replied to the group already.
func (s *Service) replyToNew(ctx context.Context, brandID, id int64, threadIDs []int64) error {
	x, err := get(ctx, s.db, brandID, id)
	if err != nil || x.RepliesBy == 0 || x.StatusThreadID == 0 || !x.Open() {
		return err
	}
	a, err := s.actorOf(ctx, brandID, x.RepliesBy)
	if err != nil || !isStaff(a) {
		return err // the agent is no longer staff: the others wait for someone to reply again
	}
	_, _, err = s.replyAll(ctx, a, x, threadIDs)
	return err
}

// actorOf is a member of the brand acting with their granted roles.
func (s *Service) actorOf(ctx context.Context, brandID, userID int64) (account.Actor, error) {
	a := account.Actor{BrandID: brandID, UserID: userID}
	if err := s.db.QueryRow(ctx, `SELECT username, language FROM users WHERE id = ? AND brand_id = ?`, userID, brandID).
		Scan(&a.Username, &a.Language); err != nil {
		return a, wrap("replying agent", err)
	}
	rows, err := s.db.Query(ctx, `SELECT role FROM role_assignments WHERE brand_id = ? AND user_id = ?`, brandID, userID)
	if err != nil {
		return a, wrap("replying agent's roles", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r string
		if err := rows.Scan(&r); err != nil {
			return a, err
		}
		a.Roles = append(a.Roles, r)
	}
	return a, rows.Err()
}

// tell queues the incident's webhook delivery in tx.
func (s *Service) tell(ctx context.Context, tx *sqldb.Tx, x Incident, event string, actor int64, note string, at time.Time) error {
	threads, err := threadsOf(ctx, tx, x.ID)
	if err != nil {
		return err
	}
	j := x.JSON(at)
	j.ThreadIDs = make([]int64, len(threads))
	for i, t := range threads {
		j.ThreadIDs[i] = t.ID
	}
	body, err := json.Marshal(Payload{Event: event, At: at.UTC(), ActorID: actor, Note: note, Incident: j})
	if err != nil {
		return err
	}
	return s.esc.QueueIncidentWebhook(ctx, tx, x.BrandID, x.ID, event, body, at)
}
