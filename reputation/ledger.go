package reputation

import (
	"context"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"

	"mutual/fault"
	"mutual/i18n"
	"mutual/sqldb"
)

// Entry is one ledger line as a member reads it.
type Entry struct {
	ID          int64
	UserID      int64
	Delta       int64
	Reason      Reason
	Origin      Reason
	PostID      int64
	ActorID     int64
	ActorName   string
	ThreadID    int64
	ThreadTitle string // empty when the post or thread is no longer visible
	ThreadSlug  string
	At          time.Time
}

// Describe says in plain words what happened.
func (e Entry) Describe(loc *i18n.Localizer) string {
	who := e.ActorName
	if who == "" {
		who = loc.T("ledger.a_member")
	}
	id := ""
	switch e.Reason {
	case KudosReceived:
		id = "ledger.kudos"
		if e.Delta == 0 {
			id = "ledger.kudos_capped"
		}
	case AnswerAccepted:
		id = "ledger.accepted"
	case AcceptedOther:
		id = "ledger.accepted_other"
	case PeerRescue:
		id = "ledger.peer_rescue"
	case ArticleCredit:
		id = "kb.ledger_credit"
	case KudosWithdrawn:
		id = "ledger.kudos_withdrawn"
	case AcceptWithdrawn:
		id = "ledger.accept_withdrawn"
		if e.Origin == AcceptedOther {
			id = "ledger.accept_withdrawn_other"
		}
	case SerialKudosReversed:
		id = "ledger.serial"
	case ThreadMerged:
		id = "ledger.merged"
		if e.Origin == AcceptedOther {
			id = "ledger.merged_other"
		}
	case PostRemoved:
		id = "ledger.removed"
	case PostRestored:
		id = "ledger.restored"
	case Reversal:
		id = "ledger.reversed"
	default:
		return strings.ReplaceAll(string(e.Reason), "_", " ")
	}
	return loc.T(id, "Who", who)
}

// Text is Describe, for templates' say.
func (e Entry) Text(loc *i18n.Localizer) string { return e.Describe(loc) }

// Cursor is a keyset position in a newest-first ledger.
type Cursor struct {
	At int64 // ms
	ID int64
}

// String encodes the cursor for a URL; "" for the first page.
func (c Cursor) String() string {
	if c.ID == 0 {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(c.At, 10) + "." + strconv.FormatInt(c.ID, 10)))
}

// ParseCursor decodes a cursor; "" is the first page.
func ParseCursor(ctx context.Context, s string) (Cursor, error) {
	if s == "" {
		return Cursor{}, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(s)
	at, id, ok := strings.Cut(string(raw), ".")
	if err != nil || !ok {
		return Cursor{}, badCursor(ctx)
	}
	a, err1 := strconv.ParseInt(at, 10, 64)
	n, err2 := strconv.ParseInt(id, 10, 64)
	if err1 != nil || err2 != nil || n <= 0 {
		return Cursor{}, badCursor(ctx)
	}
	return Cursor{At: a, ID: n}, nil
}

// badCursor refuses a page link this API did not make.
func badCursor(ctx context.Context) error {
	return &fault.ValidationError{Fields: map[string]string{"cursor": i18n.T(ctx, "apimsg.cursor")}}
}

// Ledger returns a page of a member's ledger, newest first, and the cursor
// of the next page (zero on the last).
func Ledger(ctx context.Context, q sqldb.Querier, brandID, userID int64, after Cursor, limit int) ([]Entry, Cursor, error) {
	if limit <= 0 || limit > 100 {
		limit = 30
	}
	args := []any{userID, brandID}
	keyset := ""
	if after.ID != 0 {
		keyset = " AND (e.created_at < ? OR (e.created_at = ? AND e.id < ?))"
		args = append(args, after.At, after.At, after.ID)
	}
	args = append(args, limit+1)
	rows, err := q.Query(ctx, `SELECT e.id, e.user_id, e.delta, e.reason, e.origin, COALESCE(e.post_id, 0), COALESCE(e.actor_id, 0),
COALESCE(a.username, ''), COALESCE(t.id, 0),
CASE WHEN p.status = 'visible' AND t.status = 'visible' THEN t.title ELSE '' END, COALESCE(t.slug, ''), e.created_at
FROM reputation_events e
LEFT JOIN users a ON a.id = e.actor_id
LEFT JOIN posts p ON p.id = e.post_id
LEFT JOIN threads t ON t.id = p.thread_id
WHERE e.user_id = ? AND e.brand_id = ?`+keyset+`
ORDER BY e.created_at DESC, e.id DESC LIMIT ?`, args...)
	if err != nil {
		return nil, Cursor{}, fmt.Errorf("reputation: ledger: %w", err)
	}
	defer rows.Close()
	out := []Entry{}
	for rows.Next() {
		var e Entry
		var reason, origin string
		var title *string
		var at int64
		if err := rows.Scan(&e.ID, &e.UserID, &e.Delta, &reason, &origin, &e.PostID, &e.ActorID, &e.ActorName, &e.ThreadID,
			&title, &e.ThreadSlug, &at); err != nil {
			return nil, Cursor{}, err
		}
		if title != nil {
			e.ThreadTitle = *title
		}
		e.Reason, e.Origin, e.At = Reason(reason), Reason(origin), time.UnixMilli(at).UTC()
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, Cursor{}, err
	}
	var next Cursor
	if len(out) > limit {
		out = out[:limit]
		last := out[limit-1]
		next = Cursor{At: last.At.UnixMilli(), ID: last.ID}
	}
	return out, next, nil
}
