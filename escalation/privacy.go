package escalation

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"mutual/account"
	"mutual/forum"
	"mutual/i18n"
	"mutual/sqldb"
)

// MemberEscalations is escalation's part of a member's data export: the
// escalations of the questions they asked, and their agent profile if
// they have one.
type MemberEscalations struct {
	OfYourQuestions []EscalationData `json:"of_your_questions"`
	Agent           *AgentData       `json:"agent_profile,omitempty"`
}

// EscalationData is one escalation of a member's question.
type EscalationData struct {
	ThreadID    int64      `json:"thread_id"`
	Title       string     `json:"title"`
	Kind        string     `json:"kind"`
	Status      string     `json:"status"`
	Reason      string     `json:"reason"`
	Resolution  string     `json:"resolution,omitempty"`
	EscalatedAt time.Time  `json:"escalated_at"`
	ClosedAt    *time.Time `json:"closed_at"`
}

// AgentData is an agent's routing profile.
type AgentData struct {
	Person    string `json:"person"`
	Boards    string `json:"boards"`
	Languages string `json:"languages"`
	OnShift   bool   `json:"on_shift"`
}

// ExportMember reads escalation's part of a member's data export.
func ExportMember(ctx context.Context, q sqldb.Querier, brandID, userID int64) (MemberEscalations, error) {
	m := MemberEscalations{OfYourQuestions: []EscalationData{}}
	rows, err := q.Query(ctx, `SELECT x.thread_id, t.title, x.kind, x.status, x.reason, x.resolution, x.escalated_at, COALESCE(x.closed_at, 0)
FROM escalations x JOIN threads t ON t.id = x.thread_id WHERE t.author_id = ? AND x.brand_id = ? ORDER BY x.escalated_at, x.id`, userID, brandID)
	if err != nil {
		return m, wrap("export escalations", err)
	}
	defer rows.Close()
	for rows.Next() {
		var e EscalationData
		var at, closed int64
		var why Note
		if err := rows.Scan(&e.ThreadID, &e.Title, &e.Kind, &e.Status, &why, &e.Resolution, &at, &closed); err != nil {
			return m, err
		}
		e.Reason = why.Text(i18n.From(ctx))
		e.EscalatedAt, e.ClosedAt = sqldb.Time(at), opt(sqldb.Time(closed))
		m.OfYourQuestions = append(m.OfYourQuestions, e)
	}
	if err := rows.Err(); err != nil {
		return m, err
	}
	var a AgentData
	err = q.QueryRow(ctx, `SELECT person, boards, languages, on_shift FROM agents WHERE user_id = ? AND brand_id = ?`, userID, brandID).
		Scan(&a.Person, &a.Boards, &a.Languages, &a.OnShift)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return m, wrap("export agent", err)
	default:
		m.Agent = &a
	}
	return m, nil
}

// EraseMember takes an erased member's name out of escalation's tables
// inside the caller's transaction: the reasons and notes that quote it
// (a trusted member's escalation, an agent's hand-over), the webhook log,
// and their agent profile, which goes off shift and stops naming them.
// Escalations, their events and every count stay. With removeTitles, the
// webhook log stops quoting the titles of the member's questions too.
func EraseMember(ctx context.Context, q sqldb.Querier, brandID, userID int64, username string, removeTitles bool) error {
	if _, err := q.Exec(ctx, `UPDATE agents SET person = ?, on_shift = 0 WHERE user_id = ? AND brand_id = ?`,
		"erased:"+strconv.FormatInt(userID, 10), userID, brandID); err != nil {
		return wrap("erase agent", err)
	}
	// Stored notes name them in a value; the webhook log's, in English words.
	unnote := func(s string) string { return ParseNote(s).unname(username, account.FormerMember).String() }
	unname := strings.NewReplacer("trusted member "+username+":", account.FormerMember+":",
		"handover from "+username+":", "handover from "+account.FormerMember+":",
		"Handover from "+username+":", "Handover from "+account.FormerMember+":")
	for _, col := range []struct{ read, write string }{
		{`SELECT id, reason FROM escalations WHERE brand_id = ? AND reason LIKE ?`, `UPDATE escalations SET reason = ? WHERE id = ?`},
		{`SELECT id, note FROM escalation_events WHERE brand_id = ? AND note LIKE ?`, `UPDATE escalation_events SET note = ? WHERE id = ?`},
	} {
		if err := rewriteText(ctx, q, col.read, col.write, brandID, username, unnote); err != nil {
			return err
		}
	}
	var theirs map[int64]bool
	if removeTitles {
		ids, err := sqldb.Int64s(q.Query(ctx, `SELECT x.id FROM escalations x JOIN threads t ON t.id = x.thread_id
WHERE t.author_id = ? AND x.brand_id = ?`, userID, brandID))
		if err != nil {
			return wrap("erase: escalations of the member's questions", err)
		}
		theirs = map[int64]bool{}
		for _, id := range ids {
			theirs[id] = true
		}
	}
	return rewritePayloads(ctx, q, brandID, userID, username, theirs, func(p *Payload) {
		p.Note = unname.Replace(p.Note)
		p.Escalation.Reason = unname.Replace(p.Escalation.Reason)
		if p.Escalation.AssigneeUsername == username {
			p.Escalation.AssigneeUsername = account.FormerMember
		}
		if theirs[p.Escalation.ID] {
			p.Escalation.Title = forum.RemovedTitle
		}
	})
}

// rewriteText applies fix to the text of a brand's rows that mention name:
// read selects id and text (by brand and a LIKE pattern, which only
// narrows: fix decides), write sets the text by id.
func rewriteText(ctx context.Context, q sqldb.Querier, read, write string, brandID int64, name string, fix func(string) string) error {
	rows, err := q.Query(ctx, read, brandID, "%"+name+"%")
	if err != nil {
		return wrap("erase: read", err)
	}
	type change struct {
		id   int64
		text string
	}
	var changes []change
	for rows.Next() {
		var c change
		if err := rows.Scan(&c.id, &c.text); err != nil {
			rows.Close()
			return err
		}
		if fixed := fix(c.text); fixed != c.text {
			changes = append(changes, change{c.id, fixed})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, c := range changes {
		if _, err := q.Exec(ctx, write, c.text, c.id); err != nil {
			return wrap("erase: rewrite", err)
		}
	}
	return nil
}

// rewritePayloads applies fix to the webhook log's payloads that mention
// name or belong to one of the given escalations (of the member's questions).
func rewritePayloads(ctx context.Context, q sqldb.Querier, brandID, userID int64, name string, escalations map[int64]bool, fix func(*Payload)) error {
	rows, err := q.Query(ctx, `SELECT id, escalation_id, payload FROM escalation_webhooks WHERE brand_id = ? AND escalation_id IS NOT NULL AND (payload LIKE ?
OR (? AND escalation_id IN (SELECT x.id FROM escalations x JOIN threads t ON t.id = x.thread_id WHERE t.author_id = ?)))`,
		brandID, "%"+name+"%", escalations != nil, userID)
	if err != nil {
		return wrap("erase: read webhook log", err)
	}
	type change struct {
		id      int64
		payload string
	}
	var changes []change
	for rows.Next() {
		var id, esc int64
		var raw string
		if err := rows.Scan(&id, &esc, &raw); err != nil {
			rows.Close()
			return err
		}
		if !escalations[esc] && !strings.Contains(raw, name) {
			continue
		}
		var p Payload
		if err := json.Unmarshal([]byte(raw), &p); err != nil {
			rows.Close()
			return wrap("erase: webhook payload "+strconv.FormatInt(id, 10), err)
		}
		fix(&p)
		b, err := json.Marshal(p)
		if err != nil {
			rows.Close()
			return err
		}
		if string(b) != raw {
			changes = append(changes, change{id, string(b)})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, c := range changes {
		if _, err := q.Exec(ctx, `UPDATE escalation_webhooks SET payload = ? WHERE id = ?`, c.payload, c.id); err != nil {
			return wrap("erase: rewrite webhook payload", err)
		}
	}
	return nil
}
