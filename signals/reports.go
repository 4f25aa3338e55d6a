package signals

import (
	"context"
	"fmt"
	"time"
)

// What the reports read: visible posts of visible threads and mentions
// from other channels (external), by customers rather than staff (an
// agent's "raise a complaint with the ombudsman" is advice, not a customer
// leaving).
const (
	reportFrom = ` FROM post_signals s JOIN posts p ON p.id = s.post_id JOIN threads t ON t.id = s.thread_id `
	reportOf   = ` WHERE s.brand_id = ? AND s.created_at >= ? AND p.status IN ('visible', 'external') AND t.status IN ('visible', 'external')
AND NOT EXISTS (SELECT 1 FROM role_assignments r WHERE r.brand_id = s.brand_id AND r.user_id = s.author_id AND r.role IN ('agent', 'moderator', 'admin')) `
	// weekOf is the Monday (UTC) starting a post's week, in epoch
	// milliseconds: 1970-01-01 was a Thursday, three days after a Monday.
	weekOf = `(((s.created_at + 259200000) / 604800000) * 604800000 - 259200000)`
)

// WeekStart is the Monday (UTC) that begins t's week.
func WeekStart(t time.Time) time.Time {
	t = t.UTC()
	d := (int(t.Weekday()) + 6) % 7
	return time.Date(t.Year(), t.Month(), t.Day()-d, 0, 0, 0, 0, time.UTC)
}

// BoardWeek is a board's sentiment in one week: how many of its posts were
// scored, and how many of those read as negative.
type BoardWeek struct {
	Week      time.Time
	BoardID   int64
	Board     string
	Scored    int
	Negatives int
}

// NegativeShare is the share of scored posts that read as negative, 0..1.
func (w BoardWeek) NegativeShare() float64 {
	if w.Scored == 0 {
		return 0
	}
	return float64(w.Negatives) / float64(w.Scored)
}

// Sentiment returns each board's sentiment for every week since since,
// newest week first, boards by name.
func (s *Service) Sentiment(ctx context.Context, brandID int64, since time.Time) ([]BoardWeek, error) {
	rows, err := s.db.Query(ctx, `SELECT `+weekOf+` AS wk, s.board_id, b.name, COUNT(*),
SUM(CASE WHEN s.sentiment <= ? THEN 1 ELSE 0 END)`+reportFrom+`JOIN boards b ON b.id = s.board_id`+reportOf+`AND s.scored = 1
GROUP BY wk, s.board_id, b.name ORDER BY wk DESC, b.name, s.board_id`, Negative, brandID, since.UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("signals: sentiment: %w", err)
	}
	defer rows.Close()
	var out []BoardWeek
	for rows.Next() {
		var w BoardWeek
		var wk int64
		if err := rows.Scan(&wk, &w.BoardID, &w.Board, &w.Scored, &w.Negatives); err != nil {
			return nil, err
		}
		w.Week = time.UnixMilli(wk).UTC()
		out = append(out, w)
	}
	return out, rows.Err()
}

// WeekCount is how many posts in a week carried a phrase.
type WeekCount struct {
	Week  time.Time
	Count int
}

// Found is a post carrying a churn or buying phrase, with the thread and
// the member's public name; for a mention, the channel, the author's
// handle there (as Member) and the mention's address.
type Found struct {
	PostID   int64
	ThreadID int64
	Title    string
	Member   string
	Phrase   string
	At       time.Time
	Channel  string
	URL      string
}

// ChurnWeeks counts the posts with a churn phrase in each week since since,
// newest first.
func (s *Service) ChurnWeeks(ctx context.Context, brandID int64, since time.Time) ([]WeekCount, error) {
	rows, err := s.db.Query(ctx, `SELECT `+weekOf+` AS wk, COUNT(*)`+reportFrom+reportOf+`AND s.churn_phrase <> ''
GROUP BY wk ORDER BY wk DESC`, brandID, since.UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("signals: churn weeks: %w", err)
	}
	defer rows.Close()
	var out []WeekCount
	for rows.Next() {
		var wk int64
		var c WeekCount
		if err := rows.Scan(&wk, &c.Count); err != nil {
			return nil, err
		}
		c.Week = time.UnixMilli(wk).UTC()
		out = append(out, c)
	}
	return out, rows.Err()
}

// Churn lists the posts with a churn phrase since since, newest first.
func (s *Service) Churn(ctx context.Context, brandID int64, since time.Time, limit int) ([]Found, error) {
	return s.found(ctx, `SELECT s.post_id, s.thread_id, t.title, CASE WHEN t.channel <> '' THEN t.author_handle ELSE u.username END,
s.churn_phrase, s.created_at, t.channel, t.external_url`+reportFrom+
		`JOIN users u ON u.id = s.author_id`+reportOf+`AND s.churn_phrase <> '' ORDER BY s.created_at DESC, s.post_id DESC LIMIT ?`,
		brandID, since.UnixMilli(), limit)
}

// leadsOf keeps the buying posts of members who agreed to hear from the
// brand's sales team; a member who did not is never listed or counted, nor
// is anyone who spoke on another channel (they agreed to nothing here).
const leadsOf = `JOIN users u ON u.id = s.author_id` + reportOf + `AND s.lead_phrase <> '' AND u.marketing_opt_in = 1 AND t.channel = '' `

// Leads lists the posts that read as buying intent since since, by members
// who opted in to marketing, newest first.
func (s *Service) Leads(ctx context.Context, brandID int64, since time.Time, limit int) ([]Found, error) {
	return s.found(ctx, `SELECT s.post_id, s.thread_id, t.title, u.username, s.lead_phrase, s.created_at, t.channel, t.external_url`+reportFrom+leadsOf+
		`ORDER BY s.created_at DESC, s.post_id DESC LIMIT ?`, brandID, since.UnixMilli(), limit)
}

// LeadCount counts the leads since since: the sales team's KPI.
func (s *Service) LeadCount(ctx context.Context, brandID int64, since time.Time) (int, error) {
	var n int
	err := s.db.QueryRow(ctx, `SELECT COUNT(*)`+reportFrom+leadsOf, brandID, since.UnixMilli()).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("signals: lead count: %w", err)
	}
	return n, nil
}

func (s *Service) found(ctx context.Context, q string, args ...any) ([]Found, error) {
	rows, err := s.db.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("signals: list: %w", err)
	}
	defer rows.Close()
	var out []Found
	for rows.Next() {
		var f Found
		var at int64
		if err := rows.Scan(&f.PostID, &f.ThreadID, &f.Title, &f.Member, &f.Phrase, &at, &f.Channel, &f.URL); err != nil {
			return nil, err
		}
		f.At = time.UnixMilli(at).UTC()
		out = append(out, f)
	}
	return out, rows.Err()
}
