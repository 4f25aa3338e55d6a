package reputation

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"time"

	"mutual/fault"
	"mutual/sqldb"
)

// Earnings is what one member earned in a period, split by act; Total is
// the sum of every ledger event of theirs in the period.
type Earnings struct {
	UserID    int64
	Username  string
	Email     string
	Kudos     int64 // kudos received, net of withdrawals, serial reversals and removals
	Accepted  int64 // answers accepted, net
	Accepting int64 // accepting answers, net
	Rescue    int64 // peer rescues, net
	Articles  int64 // credits for knowledge-base articles drafted from their posts
	Other     int64 // anything else on the ledger
	Total     int64
	Events    int64
}

// Export returns, per member, the reputation the brand's ledger records in
// [from, to), largest total first. Members whose events sum to nothing
// still appear when they had any event, so the file accounts for every
// line of the ledger.
func Export(ctx context.Context, q sqldb.Querier, brandID int64, from, to time.Time) ([]Earnings, error) {
	if !to.After(from) {
		return nil, &fault.ValidationError{Fields: map[string]string{"to": "The end date must be after the start date."}}
	}
	rows, err := q.Query(ctx, `SELECT e.user_id, u.username, u.email,
SUM(CASE WHEN e.origin = 'kudos_received' THEN e.delta ELSE 0 END),
SUM(CASE WHEN e.origin = 'answer_accepted' THEN e.delta ELSE 0 END),
SUM(CASE WHEN e.origin = 'accepted_answer' THEN e.delta ELSE 0 END),
SUM(CASE WHEN e.origin = 'peer_rescue' THEN e.delta ELSE 0 END),
SUM(CASE WHEN e.origin = 'article_credit' THEN e.delta ELSE 0 END),
SUM(CASE WHEN e.origin NOT IN ('kudos_received', 'answer_accepted', 'accepted_answer', 'peer_rescue', 'article_credit') THEN e.delta ELSE 0 END),
SUM(e.delta), COUNT(*)
FROM reputation_events e JOIN users u ON u.id = e.user_id
WHERE e.brand_id = ? AND e.created_at >= ? AND e.created_at < ?
GROUP BY e.user_id, u.username, u.email
ORDER BY SUM(e.delta) DESC, u.username`, brandID, from.UnixMilli(), to.UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("reputation: export: %w", err)
	}
	defer rows.Close()
	out := []Earnings{}
	for rows.Next() {
		var e Earnings
		if err := rows.Scan(&e.UserID, &e.Username, &e.Email, &e.Kudos, &e.Accepted, &e.Accepting, &e.Rescue, &e.Articles, &e.Other, &e.Total, &e.Events); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// WriteCSV writes earnings as CSV with a header line. Cells that a
// spreadsheet would run as a formula are prefixed with a quote.
func WriteCSV(w io.Writer, rows []Earnings) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"user_id", "username", "email", "kudos", "accepted_answers", "accepting", "peer_rescue", "articles", "other", "total", "events"})
	n := func(v int64) string { return strconv.FormatInt(v, 10) }
	for _, e := range rows {
		if err := cw.Write([]string{n(e.UserID), safeCell(e.Username), safeCell(e.Email), n(e.Kudos), n(e.Accepted), n(e.Accepting),
			n(e.Rescue), n(e.Articles), n(e.Other), n(e.Total), n(e.Events)}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func safeCell(s string) string {
	if s != "" && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@') {
		return "'" + s
	}
	return s
}

// ParseDate reads a YYYY-MM-DD date as UTC midnight.
func ParseDate(field, s string) (time.Time, error) {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return time.Time{}, &fault.ValidationError{Fields: map[string]string{field: "Write the date as YYYY-MM-DD, for example 2025-06-01."}}
	}
	return t.UTC(), nil
}
