package escalation

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"mutual/i18n"
	"mutual/sqldb"
)

// escCols are read by scanEscalation, joined with the thread for its title.
const escCols = `x.id, x.brand_id, x.thread_id, t.board_id, t.title, t.slug, x.status, x.kind, x.priority, x.reason, x.resolution,
x.escalated_at, COALESCE(x.due_at, 0), COALESCE(x.assigned_to, 0), COALESCE(u.username, ''), COALESCE(x.assigned_at, 0),
COALESCE(x.claimed_by, 0), COALESCE(x.claimed_at, 0), COALESCE(x.answered_at, 0), COALESCE(x.closed_at, 0),
COALESCE(x.peer_reply_at, 0), x.handover_note, x.detector, t.language, t.channel, t.external_url, t.author_handle`

const escFrom = ` FROM escalations x JOIN threads t ON t.id = x.thread_id LEFT JOIN users u ON u.id = x.assigned_to `

func scanEscalation(row interface{ Scan(...any) error }) (Escalation, error) {
	var x Escalation
	var esc, due, assigned, claimed, answered, closed, peer int64
	err := row.Scan(&x.ID, &x.BrandID, &x.ThreadID, &x.BoardID, &x.Title, &x.Slug, &x.Status, &x.Kind, &x.Priority, &x.Reason,
		&x.Resolution, &esc, &due, &x.AssignedTo, &x.AssigneeName, &assigned, &x.ClaimedBy, &claimed, &answered, &closed,
		&peer, &x.HandoverNote, &x.Detector, &x.Language, &x.Channel, &x.ExternalURL, &x.AuthorHandle)
	x.EscalatedAt, x.DueAt, x.AssignedAt, x.ClaimedAt = sqldb.Time(esc), sqldb.Time(due), sqldb.Time(assigned), sqldb.Time(claimed)
	x.AnsweredAt, x.ClosedAt, x.PeerReplyAt = sqldb.Time(answered), sqldb.Time(closed), sqldb.Time(peer)
	return x, err
}

// get reads one escalation of a brand inside q.
func get(ctx context.Context, q sqldb.Querier, brandID, id int64) (Escalation, error) {
	x, err := scanEscalation(q.QueryRow(ctx, `SELECT `+escCols+escFrom+`WHERE x.id = ? AND x.brand_id = ?`, id, brandID))
	if errors.Is(err, sql.ErrNoRows) {
		return x, notFound(i18n.T(ctx, "escmsg.no_escalation"))
	}
	return x, err
}

// byThread reads the escalation of a thread, if any.
func byThread(ctx context.Context, q sqldb.Querier, brandID, threadID int64) (Escalation, bool, error) {
	x, err := scanEscalation(q.QueryRow(ctx, `SELECT `+escCols+escFrom+`WHERE x.thread_id = ? AND x.brand_id = ?`, threadID, brandID))
	if errors.Is(err, sql.ErrNoRows) {
		return x, false, nil
	}
	return x, err == nil, err
}

// record appends one transition to escalation_events and, when the brand has
// a webhook, queues its delivery in the same transaction: a mirror hears of
// every committed change and of nothing that rolled back.
func record(ctx context.Context, tx *sqldb.Tx, st Settings, x Escalation, state string, actor int64, note Note, at time.Time) error {
	var actorArg any
	if actor != 0 {
		actorArg = actor
	}
	if _, err := tx.Exec(ctx, `INSERT INTO escalation_events (brand_id, escalation_id, thread_id, state, actor_id, note, at)
VALUES (?, ?, ?, ?, ?, ?, ?)`, x.BrandID, x.ID, x.ThreadID, state, actorArg, note.String(), sqldb.Millis(at)); err != nil {
		return wrap("record "+state, err)
	}
	if st.WebhookURL == "" {
		return nil
	}
	return queueWebhook(ctx, tx, st, x, state, actor, note, at)
}

// queueWebhook writes one delivery of the escalation's current state to the
// outbox, inside the transition's transaction. The receiver is a program
// (a CRM): notes and reasons are worded in English, with their codes.
func queueWebhook(ctx context.Context, tx *sqldb.Tx, st Settings, x Escalation, state string, actor int64, note Note, at time.Time) error {
	cur, err := get(ctx, tx, x.BrandID, x.ID)
	if err != nil {
		return wrap("webhook payload", err)
	}
	en := i18n.Base().For("en")
	body, err := json.Marshal(Payload{Event: state, At: at.UTC(), ActorID: actor, Note: note.Text(en), NoteCode: note.Code,
		Escalation: cur.JSON(at, en)})
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO escalation_webhooks (brand_id, escalation_id, event, payload, created_at, next_attempt_at)
VALUES (?, ?, ?, ?, ?, ?)`, x.BrandID, x.ID, state, string(body), sqldb.Millis(at), sqldb.Millis(at))
	return wrap("queue webhook", err)
}

// Payload is the JSON body of a webhook delivery.
type Payload struct {
	Event      string    `json:"event"`
	At         time.Time `json:"at"`
	ActorID    int64     `json:"actor_id,omitempty"`
	Note       string    `json:"note,omitempty"`
	NoteCode   string    `json:"note_code,omitempty"` // what note says, when the lifecycle wrote it (see escalation/notes.go)
	Escalation JSON      `json:"escalation"`
}

// JSON is an escalation as the API and webhooks show it.
type JSON struct {
	ID               int64      `json:"id"`
	ThreadID         int64      `json:"thread_id"`
	BoardID          int64      `json:"board_id"`
	Title            string     `json:"title"`
	Language         string     `json:"language,omitempty"` // the thread's: en, es... (see docs/i18n.md)
	State            string     `json:"state"`
	Kind             string     `json:"kind"`
	Priority         int        `json:"priority"`
	Reason           string     `json:"reason"`      // worded in the reader's language
	ReasonCode       string     `json:"reason_code"` // no_peer_reply, fast_lane... (see docs/escalation.md)
	Resolution       string     `json:"resolution"`
	EscalatedAt      time.Time  `json:"escalated_at"`
	DueAt            *time.Time `json:"due_at"`
	TimeLeftSeconds  int64      `json:"time_left_seconds"`
	Breached         bool       `json:"breached"`
	AssignedTo       int64      `json:"assigned_to,omitempty"`
	AssigneeUsername string     `json:"assignee,omitempty"`
	ClaimedBy        int64      `json:"claimed_by,omitempty"`
	ClaimedAt        *time.Time `json:"claimed_at,omitempty"`
	AnsweredAt       *time.Time `json:"answered_at,omitempty"`
	ClosedAt         *time.Time `json:"closed_at,omitempty"`
	PeerReplyAt      *time.Time `json:"peer_reply_at,omitempty"`
	HandoverNote     string     `json:"handover_note,omitempty"`
	Channel          string     `json:"channel,omitempty"`       // a mention: the channel it came from
	ExternalURL      string     `json:"external_url,omitempty"`  // a mention: where it was said
	AuthorHandle     string     `json:"author_handle,omitempty"` // a mention: who said it there
}

func opt(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// JSON renders x for the API and webhooks as of now, its reason in loc's
// language.
func (x Escalation) JSON(now time.Time, loc *i18n.Localizer) JSON {
	return JSON{ID: x.ID, ThreadID: x.ThreadID, BoardID: x.BoardID, Title: x.Title, Language: x.Language, State: x.Status, Kind: x.Kind,
		Priority: x.Priority, Reason: x.Reason.Text(loc), ReasonCode: x.Reason.Code, Resolution: x.Resolution, EscalatedAt: x.EscalatedAt, DueAt: opt(x.DueAt),
		TimeLeftSeconds: int64(x.TimeLeft(now).Seconds()), Breached: x.Breached(now), AssignedTo: x.AssignedTo,
		AssigneeUsername: x.AssigneeName, ClaimedBy: x.ClaimedBy, ClaimedAt: opt(x.ClaimedAt), AnsweredAt: opt(x.AnsweredAt),
		ClosedAt: opt(x.ClosedAt), PeerReplyAt: opt(x.PeerReplyAt), HandoverNote: x.HandoverNote,
		Channel: x.Channel, ExternalURL: x.ExternalURL, AuthorHandle: x.AuthorHandle}
}

// matchTerm returns the first term found in text (case-insensitive).
func matchTerm(text string, list []string) string {
	text = strings.ToLower(text)
	for _, w := range list {
		if w != "" && strings.Contains(text, w) {
			return w
		}
	}
	return ""
}
