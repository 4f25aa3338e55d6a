package escalation

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"mutual/fault"
	"mutual/forum"
	"mutual/i18n"
	"mutual/moderation"
	"mutual/sqldb"
)

// A case's status in the brand's ticketing system, as a callback names it.
// Solved and closed end the escalation; open and pending keep it going.
const (
	CaseOpen    = "open"
	CasePending = "pending"
	CaseSolved  = "solved"
	CaseClosed  = "closed"
)

// ResTicketing ends an escalation the brand's ticketing system solved;
// EvTicketing is every callback in its history. The reports count both as
// "answered by the brand's ticketing".
const (
	ResTicketing = "ticketing"
	EvTicketing  = "ticketing"
)

// Limits on a callback's fields.
const (
	MaxCaseID     = 128
	MaxAgentName  = 100
	MaxResolution = forum.MaxBodyLen - 1000 // room for the line that credits the agent
)

// statusAliases are the other names ticketing systems give the four
// statuses (Zendesk's "new" and "on-hold").
var statusAliases = map[string]string{"new": CaseOpen, "hold": CasePending, "on-hold": CasePending}

// Callback is what the brand's ticketing system says about a case.
type Callback struct {
	CaseID       string `json:"case_id"`
	EscalationID flexID `json:"escalation_id"`
	ThreadID     flexID `json:"thread_id"`
	Status       string `json:"status"`
	AgentName    string `json:"agent_name"`
	Resolution   string `json:"resolution"`
}

// flexID is an id sent as a JSON number or a string of digits: ticketing
// systems fill their templates with text.
type flexID int64

func (f *flexID) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(bytes.TrimSpace(b)), `"`)
	if s == "" || s == "null" {
		*f = 0
		return nil
	}
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	*f = flexID(n)
	return err
}

// Answered is what a callback did.
type Answered struct {
	Escalation Escalation
	PostID     int64 // the staff reply it posted, 0 when it carried no text
	Duplicate  bool  // the same update came before: nothing changed
}

// Ticketing receives the brand's ticketing system's answers: it posts the
// resolution into the thread through the forum and moves the escalation.
type Ticketing struct {
	esc   *Service
	forum *forum.Service
}

// NewTicketing builds the callback receiver on the escalation service and
// the forum that posts answers.
func NewTicketing(esc *Service, f *forum.Service) *Ticketing { return &Ticketing{esc: esc, forum: f} }

// Receive verifies and applies one signed callback. Refusals change
// nothing: a bad, old or replayed signature is ErrUnauthenticated; a body
// that says nothing usable, ErrBadRequest; an unknown escalation,
// ErrNotFound; a case or state that contradicts what happened, ErrConflict.
// The same update delivered again is answered as a duplicate.
func (t *Ticketing) Receive(ctx context.Context, brandID int64, r Signed) (Answered, error) {
	now := t.esc.now()
	st, err := t.esc.TicketingSettings(ctx, brandID)
	if err != nil {
		return Answered{}, err
	}
	if err := verify(ctx, st, r, now); err != nil {
		return Answered{}, err
	}
	cb, err := parseCallback(ctx, r.Body)
	if err != nil {
		return Answered{}, err
	}
	var out Answered
	var threadID int64
	err = t.esc.db.InTx(ctx, func(tx *sqldb.Tx) error {
		if err := remember(ctx, tx, brandID, r.Signature, now); err != nil {
			return err
		}
		x, err := callbackEscalation(ctx, tx, brandID, cb)
		if err != nil {
			return err
		}
		threadID = x.ThreadID
		out, err = t.apply(ctx, tx, st, x, cb, now)
		return err
	})
	if sqldb.IsUniqueViolation(err) && out.Escalation.ID != 0 {
		// The same update arrived twice at once and the other copy won:
		// this one rolled back whole, so it is the duplicate.
		out, err = Answered{Escalation: out.Escalation, Duplicate: true}, nil
	}
	if err != nil {
		return Answered{}, err
	}
	if out.PostID != 0 {
		t.forum.Changed(forum.Change{BrandID: brandID, ThreadID: threadID, Lists: true})
	}
	out.Escalation, err = t.esc.Get(ctx, brandID, out.Escalation.ID)
	return out, err
}

func parseCallback(ctx context.Context, body []byte) (Callback, error) {
	bad := func(key string, args ...any) error {
		return &fault.Error{Kind: fault.ErrBadRequest, Msg: i18n.T(ctx, key, args...)}
	}
	var cb Callback
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&cb); err != nil {
		return cb, bad("loop.bad_json")
	}
	cb.CaseID, cb.AgentName = strings.TrimSpace(cb.CaseID), strings.TrimSpace(cb.AgentName)
	cb.Status, cb.Resolution = strings.ToLower(strings.TrimSpace(cb.Status)), strings.TrimSpace(cb.Resolution)
	if alias, ok := statusAliases[cb.Status]; ok {
		cb.Status = alias
	}
	switch {
	case !utf8.ValidString(cb.CaseID + cb.AgentName + cb.Resolution):
		return cb, bad("loop.bad_utf8")
	case cb.CaseID == "" || len(cb.CaseID) > MaxCaseID:
		return cb, bad("loop.bad_case", "N", MaxCaseID)
	case cb.EscalationID <= 0 && cb.ThreadID <= 0:
		return cb, bad("loop.no_escalation")
	case cb.Status != CaseOpen && cb.Status != CasePending && cb.Status != CaseSolved && cb.Status != CaseClosed:
		return cb, bad("loop.bad_status")
	case cb.AgentName == "" || utf8.RuneCountInString(cb.AgentName) > MaxAgentName:
		return cb, bad("loop.bad_agent", "N", MaxAgentName)
	case utf8.RuneCountInString(cb.Resolution) > MaxResolution:
		return cb, bad("loop.long_resolution", "N", MaxResolution)
	}
	return cb, nil
}

// callbackEscalation finds the escalation a callback names, by its id or
// its thread's, within the brand.
func callbackEscalation(ctx context.Context, tx *sqldb.Tx, brandID int64, cb Callback) (Escalation, error) {
	missing := &fault.Error{Kind: fault.ErrNotFound, Msg: i18n.T(ctx, "loop.unknown_escalation")}
	if cb.EscalationID > 0 {
		x, err := get(ctx, tx, brandID, int64(cb.EscalationID))
		if errors.Is(err, fault.ErrNotFound) || (err == nil && cb.ThreadID > 0 && x.ThreadID != int64(cb.ThreadID)) {
			return x, missing
		}
		return x, err
	}
	x, ok, err := byThread(ctx, tx, brandID, int64(cb.ThreadID))
	if err == nil && !ok {
		return x, missing
	}
	return x, err
}

// apply moves x as cb says, inside tx. The case is tied to the first
// escalation it answers; a delivery seen before (same digest) changes nothing.
func (t *Ticketing) apply(ctx context.Context, tx *sqldb.Tx, st TicketingSettings, x Escalation, cb Callback, now time.Time) (Answered, error) {
	out := Answered{Escalation: x}
	conflictf := func(key string, args ...any) error {
		return &fault.Error{Kind: fault.ErrConflict, Msg: i18n.T(ctx, key, args...)}
	}
	digest := cb.digest()
	var seen int64
	err := tx.QueryRow(ctx, `SELECT escalation_id FROM ticketing_updates WHERE brand_id = ? AND case_id = ? ORDER BY id LIMIT 1`,
		x.BrandID, cb.CaseID).Scan(&seen)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return out, wrap("case", err)
	case seen != x.ID:
		return out, conflictf("loop.case_elsewhere", "Case", cb.CaseID)
	}
	var dup, other int
	if err := tx.QueryRow(ctx, `SELECT COUNT(CASE WHEN case_id = ? AND digest = ? THEN 1 END), COUNT(CASE WHEN case_id <> ? THEN 1 END)
FROM ticketing_updates WHERE brand_id = ? AND escalation_id = ?`, cb.CaseID, digest, cb.CaseID, x.BrandID, x.ID).Scan(&dup, &other); err != nil {
		return out, wrap("case updates", err)
	}
	if dup > 0 {
		out.Duplicate = true
		return out, nil
	}
	if other > 0 {
		return out, conflictf("loop.other_case")
	}
	ends := cb.Status == CaseSolved || cb.Status == CaseClosed
	if !x.Open() && !(x.Resolution == ResTicketing && ends && cb.Resolution == "") {
		return out, conflictf("loop.ended", "State", x.Status)
	}
	if st.AuthorID == 0 && cb.Resolution != "" {
		return out, conflictf("loop.no_author")
	}
	settings, err := t.esc.Settings(ctx, tx, x.BrandID)
	if err != nil {
		return out, err
	}
	if cb.Resolution != "" {
		out.PostID, err = t.forum.PostStaffReply(ctx, tx, forum.StaffReply{BrandID: x.BrandID, ThreadID: x.ThreadID,
			AuthorID: st.AuthorID, Body: answerBody(x.Language, cb), At: now})
		if err != nil {
			return out, err
		}
	}
	note := coded(NoteTicketing, "text", cb.CaseID, "word", cb.Status, "name", cb.AgentName)
	if err := record(ctx, tx, settings, x, EvTicketing, 0, note, now); err != nil {
		return out, err
	}
	if ends && x.Open() {
		if err := resolve(ctx, tx, settings, x, ResTicketing, 0, note, now); err != nil {
			return out, err
		}
	}
	var post any
	if out.PostID != 0 {
		post = out.PostID
	}
	if _, err := tx.Exec(ctx, `INSERT INTO ticketing_updates (brand_id, case_id, escalation_id, digest, status, agent_name, post_id, received_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, x.BrandID, cb.CaseID, x.ID, digest, cb.Status, cb.AgentName, post, sqldb.Millis(now)); err != nil {
		return out, wrap("record case update", err)
	}
	return out, moderation.RecordIntegrationAct(ctx, tx, moderation.IntegrationEntry{BrandID: x.BrandID, Act: moderation.ActTicketingAnswer,
		TargetType: "escalation", TargetID: x.ID, Reason: "case " + cb.CaseID + ": " + cb.Status + " by " + cb.AgentName,
		Before: map[string]any{"state": x.Status}, After: map[string]any{"case_id": cb.CaseID, "status": cb.Status, "post_id": out.PostID}}, now)
}

// digest names one update of a case: a retry carries the same.
func (cb Callback) digest() string {
	h := sha256.New()
	for _, s := range []string{cb.CaseID, cb.Status, cb.AgentName, cb.Resolution} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// answerBody is the staff reply: a line crediting the brand's agent and the
// case, in the thread's language, then the resolution as they wrote it.
func answerBody(language string, cb Callback) string {
	byline := i18n.Base().For(language).T("loop.reply_byline", "Agent", escapeMarkdown(cb.AgentName), "Case", escapeMarkdown(cb.CaseID))
	return "*" + byline + "*\n\n" + cb.Resolution
}

// escapeMarkdown makes a name from outside read as plain text.
func escapeMarkdown(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune("\\`*_{}[]()<>#+-.!|~@", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
