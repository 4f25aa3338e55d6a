package reputation

import (
	"context"
	"fmt"
	"time"

	"mutual/fault"
	"mutual/i18n"
	"mutual/sqldb"
)

// Period is a leaderboard's span.
type Period string

// The leaderboard periods: the current ISO week (from Monday, UTC), the
// current calendar month (UTC), and all time.
const (
	Week  Period = "week"
	Month Period = "month"
	All   Period = "all"
)

// ParsePeriod accepts "", week, month or all ("" is week).
func ParsePeriod(ctx context.Context, s string) (Period, error) {
	switch Period(s) {
	case "", Week:
		return Week, nil
	case Month, All:
		return Period(s), nil
	}
	return "", &fault.ValidationError{Fields: map[string]string{"period": i18n.T(ctx, "repumsg.period")}}
}

// Since is when the period containing now began (zero time for All).
func (p Period) Since(now time.Time) time.Time {
	switch p {
	case Week:
		return time.UnixMilli(weekStart(now.UnixMilli())).UTC()
	case Month:
		return time.UnixMilli(monthStart(now.UnixMilli())).UTC()
	}
	return time.Time{}
}

// Leader is one line of a leaderboard.
type Leader struct {
	Position   int
	UserID     int64
	Username   string
	Points     int64 // earned in the period
	Reputation int64 // total
}

// Leaderboard returns the brand's top earners in the period containing now,
// most points first. Week and month read the roll-ups through their index;
// all time reads the members' totals through theirs.
func Leaderboard(ctx context.Context, q sqldb.Querier, brandID int64, p Period, now time.Time, limit int) ([]Leader, error) {
	return board(ctx, q, brandID, 0, p, now, limit)
}

// TopHelpers returns who earned the most reputation on a board's posts in
// the period (Month or All; Week counts as Month).
func TopHelpers(ctx context.Context, q sqldb.Querier, brandID, boardID int64, p Period, now time.Time, limit int) ([]Leader, error) {
	if boardID == 0 {
		return nil, fmt.Errorf("reputation: top helpers need a board")
	}
	if p == Week {
		p = Month
	}
	return board(ctx, q, brandID, boardID, p, now, limit)
}

func board(ctx context.Context, q sqldb.Querier, brandID, boardID int64, p Period, now time.Time, limit int) ([]Leader, error) {
	if limit <= 0 || limit > 100 {
		limit = 25
	}
	var query string
	var args []any
	switch {
	case boardID == 0 && p == All:
		query = `SELECT u.id, u.username, u.reputation, u.reputation FROM users u
WHERE u.brand_id = ? AND u.reputation > 0 ORDER BY u.reputation DESC, u.id LIMIT ?`
		args = []any{brandID, limit}
	default:
		period, start := "w", weekStart(now.UnixMilli())
		switch p {
		case Month:
			period, start = "m", monthStart(now.UnixMilli())
		case All:
			period, start = "a", 0
		}
		// period <> 'd' lets the planner use the rank index, which leaves
		// out the day rows.
		query = `SELECT u.id, u.username, r.points, u.reputation FROM reputation_rollups r JOIN users u ON u.id = r.user_id
WHERE r.brand_id = ? AND r.board_id = ? AND r.period = ? AND r.period <> 'd' AND r.start = ? AND r.points > 0
ORDER BY r.points DESC, r.user_id LIMIT ?`
		args = []any{brandID, boardID, period, start, limit}
	}
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("reputation: leaderboard: %w", err)
	}
	defer rows.Close()
	out := []Leader{}
	for rows.Next() {
		l := Leader{Position: len(out) + 1}
		if err := rows.Scan(&l.UserID, &l.Username, &l.Points, &l.Reputation); err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}
