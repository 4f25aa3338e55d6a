package escalation

import (
	"context"
	"strconv"
	"time"

	"mutual/sqldb"
)

// An incident answers many threads at once (package incident). Their open
// escalations leave the queue while it is open, held as part of it, so forty
// escalations of one outage do not bury the rest; closing the incident
// resolves them or puts them back in the queue. The incident package calls
// these inside its own transaction.

// StatusHeld is an escalation whose thread is part of an open incident.
const StatusHeld = "held"

// ResIncident ends an escalation answered by the incident it was part of.
const ResIncident = "incident"

// Events of an escalation held by, and returned from, an incident.
const (
	EvHeld     = "held"
	EvReturned = "returned"
)

// HoldForIncident takes the open escalations of a brand's threads out of
// the queue and the agents' hands, noting the incident. It returns how many
// it held.
func (s *Service) HoldForIncident(ctx context.Context, tx *sqldb.Tx, brandID int64, threadIDs []int64, actor, incidentID int64, at time.Time) (int, error) {
	note := coded(NoteIncidentHeld, "text", strconv.FormatInt(incidentID, 10))
	held, err := s.byThreads(ctx, tx, brandID, threadIDs, StatusEscalated, StatusAssigned, StatusClaimed, StatusAnswered)
	if err != nil || len(held) == 0 {
		return 0, err
	}
	st, err := s.Settings(ctx, tx, brandID)
	if err != nil {
		return 0, err
	}
	for _, x := range held {
		if _, err := tx.Exec(ctx, `UPDATE escalations SET status = 'held' WHERE id = ?`, x.ID); err != nil {
			return 0, wrap("hold", err)
		}
		if err := record(ctx, tx, st, x, EvHeld, actor, note, at); err != nil {
			return 0, err
		}
	}
	return len(held), nil
}

// ReleaseFromIncident ends the hold on a brand's threads' escalations: with
// resolve, each is resolved by the incident; otherwise each goes back to the
// queue with a fresh agent SLA and is routed again.
func (s *Service) ReleaseFromIncident(ctx context.Context, tx *sqldb.Tx, brandID int64, threadIDs []int64, resolveThem bool,
	actor, incidentID int64, at time.Time) (int, error) {
	note := coded(NoteIncidentResumed, "text", strconv.FormatInt(incidentID, 10))
	if resolveThem {
		note = coded(NoteIncidentResolved, "text", strconv.FormatInt(incidentID, 10))
	}
	held, err := s.byThreads(ctx, tx, brandID, threadIDs, StatusHeld)
	if err != nil || len(held) == 0 {
		return 0, err
	}
	st, err := s.Settings(ctx, tx, brandID)
	if err != nil {
		return 0, err
	}
	for _, x := range held {
		if resolveThem {
			if err := resolve(ctx, tx, st, x, ResIncident, actor, note, at); err != nil {
				return 0, err
			}
			continue
		}
		if _, err := tx.Exec(ctx, `UPDATE escalations SET status = 'escalated', assigned_to = NULL, assigned_at = NULL,
claimed_by = NULL, claimed_at = NULL, due_at = ? WHERE id = ?`, sqldb.Millis(st.Due(at, st.AgentSLA)), x.ID); err != nil {
			return 0, wrap("return to queue", err)
		}
		if err := record(ctx, tx, st, x, EvReturned, actor, note, at); err != nil {
			return 0, err
		}
	}
	if !resolveThem {
		return len(held), routeQueue(ctx, tx, st, at)
	}
	return len(held), nil
}

// byThreads reads the escalations of a brand's threads in the given statuses.
func (s *Service) byThreads(ctx context.Context, q sqldb.Querier, brandID int64, threadIDs []int64, statuses ...string) ([]Escalation, error) {
	if len(threadIDs) == 0 {
		return nil, nil
	}
	in, args := sqldb.InList(threadIDs)
	args = append([]any{brandID}, args...)
	for _, st := range statuses {
		args = append(args, st)
	}
	return queryIn(ctx, q, `SELECT `+escCols+escFrom+`WHERE x.brand_id = ? AND x.thread_id IN (`+in+`) AND x.status IN (`+
		placeholders(len(statuses))+`) ORDER BY x.id`, args...)
}

// QueueIncidentWebhook queues one signed delivery about an incident on the
// brand's webhook, in the caller's transaction, when the brand has one. The
// sender and the delivery log are the escalations' own.
func (s *Service) QueueIncidentWebhook(ctx context.Context, tx *sqldb.Tx, brandID, incidentID int64, event string, body []byte, at time.Time) error {
	st, err := s.Settings(ctx, tx, brandID)
	if err != nil || st.WebhookURL == "" {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO escalation_webhooks (brand_id, incident_id, event, payload, created_at, next_attempt_at)
VALUES (?, ?, ?, ?, ?, ?)`, brandID, incidentID, event, string(body), sqldb.Millis(at), sqldb.Millis(at))
	return wrap("queue incident webhook", err)
}
