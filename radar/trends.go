package radar

import (
	"context"
	"slices"
	"time"

	"mutual/sqldb"
)

// Trends is what the brand's trends page and weekly mail show.
type Trends struct {
	Today    time.Time // the UTC day the figures end on
	Boards   []BoardTrend
	Volume   []DayVolume // the last 28 days, oldest first
	Groups   []GroupSize // the largest groups of the last 7 days
	Bursts   []Recorded  // bursts detected in the last 7 days
	Threads7 int         // threads asked in the last 7 days
}

// BoardTrend is one board's rising terms: today against the 28 days
// before, and the last 7 days against the 28 before those.
type BoardTrend struct {
	BoardID   int64
	Day, Week []Term
	Threads7  int
}

// Term is a rising word or phrase: how many threads held it in the period
// and how surprising that is (G²).
type Term struct {
	Text    string
	Threads int
	G2      float64
}

// DayVolume is one day's threads per board.
type DayVolume struct {
	Day     time.Time
	ByBoard map[int64]int
	Total   int
}

// GroupSize is a group of look-alike threads and its size in the last 7 days.
type GroupSize struct {
	Key     string
	Title   string
	BoardID int64
	Threads int
	Total   int // all time
	LastAt  time.Time
}

// trendsFresh is how long computed term trends are served from memory: they
// move by the day and the week, and computing them reads every term count
// of the last five weeks.
const trendsFresh = 5 * time.Minute

type cachedTrends struct {
	at time.Time
	tr Trends
}

// Trends is the brand's trends as of now: the terms, volume and groups as
// computed within the last few minutes, and the bursts as recorded now.
func (s *Service) Trends(ctx context.Context, brandID int64, now time.Time) (Trends, error) {
	s.mu.Lock()
	c, ok := s.trends[brandID]
	s.mu.Unlock()
	if !ok || now.Sub(c.at) > trendsFresh || now.Before(c.at) {
		tr, err := s.ComputeTrends(ctx, brandID, now)
		if err != nil {
			return tr, err
		}
		c = cachedTrends{at: now, tr: tr}
		s.mu.Lock()
		s.trends[brandID] = c
		s.mu.Unlock()
	}
	tr := c.tr
	var err error
	tr.Bursts, err = s.Bursts(ctx, brandID, now.Add(-7*24*time.Hour), 20)
	return tr, err
}

// ComputeTrends computes the brand's trends as of now, without the memory.
func (s *Service) ComputeTrends(ctx context.Context, brandID int64, now time.Time) (Trends, error) {
	today := day(sqldb.Millis(now))
	tr := Trends{Today: sqldb.Time(today * 24 * msHour)}
	boards, vol, err := s.termCounts(ctx, brandID, today)
	if err != nil {
		return tr, err
	}
	for _, id := range sortedKeys(boards) {
		c := boards[id]
		bt := BoardTrend{BoardID: id, Threads7: c.weekN}
		bt.Day = toTerms(rising(c.day, c.dayN, func(t string) int { return c.dayB[t] }, c.dayBase, 2, 5))
		bt.Week = toTerms(rising(c.week, c.weekN, func(t string) int { return c.weekB[t] }, c.weekBase, 3, 8))
		tr.Boards = append(tr.Boards, bt)
		tr.Threads7 += c.weekN
	}
	for d := today - 27; d <= today; d++ {
		v := DayVolume{Day: sqldb.Time(d * 24 * msHour), ByBoard: vol[d]}
		for _, n := range vol[d] {
			v.Total += n
		}
		tr.Volume = append(tr.Volume, v)
	}
	tr.Groups, err = s.largestGroups(ctx, brandID, sqldb.Millis(now)-7*24*msHour, 10)
	return tr, err
}

// boardCounts are one board's term counts for the trends: today and its
// 28-day baseline, the last 7 days and the 28 days before them.
type boardCounts struct {
	dayN, weekN, dayBase, weekBase int
	day, week, dayB, weekB         map[string]int
}

// termCounts sums the brand's daily term counts per board and term in SQL,
// keeping only the terms frequent enough today or this week to rise (and
// the totals, term ”), and reads the daily totals for the volume chart.
func (s *Service) termCounts(ctx context.Context, brandID, today int64) (map[int64]*boardCounts, map[int64]map[int64]int, error) {
	rows, err := s.db.Query(ctx, `SELECT board_id, term,
SUM(CASE WHEN day = ? THEN threads ELSE 0 END) AS d,
SUM(CASE WHEN day < ? AND day >= ? THEN threads ELSE 0 END),
SUM(CASE WHEN day > ? THEN threads ELSE 0 END) AS w,
SUM(CASE WHEN day <= ? THEN threads ELSE 0 END)
FROM radar_term_days WHERE brand_id = ? AND day >= ? AND day <= ?
GROUP BY board_id, term HAVING SUM(CASE WHEN day = ? THEN threads ELSE 0 END) >= 2 OR SUM(CASE WHEN day > ? THEN threads ELSE 0 END) >= 3 OR term = ''`,
		today, today, today-28, today-7, today-7, brandID, today-34, today, today, today-7)
	if err != nil {
		return nil, nil, wrap("trend terms", err)
	}
	boards := map[int64]*boardCounts{}
	for rows.Next() {
		var board int64
		var term string
		var d, db, w, wb int
		if err := rows.Scan(&board, &term, &d, &db, &w, &wb); err != nil {
			rows.Close()
			return nil, nil, wrap("trend terms", err)
		}
		c := boards[board]
		if c == nil {
			c = &boardCounts{day: map[string]int{}, week: map[string]int{}, dayB: map[string]int{}, weekB: map[string]int{}}
			boards[board] = c
		}
		if term == "" {
			c.dayN, c.dayBase, c.weekN, c.weekBase = d, db, w, wb
			continue
		}
		c.day[term], c.dayB[term], c.week[term], c.weekB[term] = d, db, w, wb
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, wrap("trend terms", err)
	}
	vol := map[int64]map[int64]int{} // day -> board -> threads
	rows, err = s.db.Query(ctx, `SELECT day, board_id, threads FROM radar_term_days WHERE brand_id = ? AND day > ? AND day <= ? AND term = ''`,
		brandID, today-28, today)
	if err != nil {
		return nil, nil, wrap("volume", err)
	}
	defer rows.Close()
	for rows.Next() {
		var d, board int64
		var n int
		if err := rows.Scan(&d, &board, &n); err != nil {
			return nil, nil, wrap("volume", err)
		}
		if vol[d] == nil {
			vol[d] = map[int64]int{}
		}
		vol[d][board] = n
	}
	return boards, vol, wrap("volume", rows.Err())
}

func sortedKeys[V any](m map[int64]V) []int64 {
	keys := make([]int64, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func toTerms(ss []scored) []Term {
	out := make([]Term, len(ss))
	for i, s := range ss {
		out[i] = Term{Text: s.Term, Threads: s.Count, G2: s.G2}
	}
	return out
}

// largestGroups are the groups with the most threads since since (ms), of
// at least two.
func (s *Service) largestGroups(ctx context.Context, brandID, since int64, limit int) ([]GroupSize, error) {
	rows, err := s.db.Query(ctx, `SELECT g.id, g.title, g.board_id, g.threads, g.last_at, n.c FROM
(SELECT group_id, COUNT(*) AS c FROM radar_threads WHERE brand_id = ? AND created_at > ? GROUP BY group_id HAVING COUNT(*) > 1
 ORDER BY COUNT(*) DESC, group_id LIMIT ?) n JOIN radar_groups g ON g.id = n.group_id ORDER BY n.c DESC, g.id`, brandID, since, limit)
	if err != nil {
		return nil, wrap("largest groups", err)
	}
	defer rows.Close()
	var out []GroupSize
	for rows.Next() {
		var g GroupSize
		var id, last int64
		if err := rows.Scan(&id, &g.Title, &g.BoardID, &g.Total, &last, &g.Threads); err != nil {
			return nil, wrap("largest groups", err)
		}
		g.Key, g.LastAt = GroupKey(id), sqldb.Time(last)
		out = append(out, g)
	}
	return out, wrap("largest groups", rows.Err())
}
