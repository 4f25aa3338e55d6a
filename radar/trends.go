package radar

import (
	"context"
	"slices"
	"time"
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

// Trends computes the brand's trends as of now.
func (s *Service) Trends(ctx context.Context, brandID int64, now time.Time) (Trends, error) {
	today := day(ms(now))
	tr := Trends{Today: fromMS(today * 24 * msHour)}
	rows, err := s.db.Query(ctx, `SELECT board_id, day, term, threads FROM radar_term_days WHERE brand_id = ? AND day >= ? AND day <= ?`,
		brandID, today-34, today)
	if err != nil {
		return tr, wrap("trend terms", err)
	}
	type counts struct {
		dayN, weekN, dayBase, weekBase int
		day, week, dayB, weekB         map[string]int
	}
	boards := map[int64]*counts{}
	vol := map[int64]map[int64]int{} // day -> board -> threads
	for rows.Next() {
		var board, d int64
		var term string
		var n int
		if err := rows.Scan(&board, &d, &term, &n); err != nil {
			rows.Close()
			return tr, wrap("trend terms", err)
		}
		c := boards[board]
		if c == nil {
			c = &counts{day: map[string]int{}, week: map[string]int{}, dayB: map[string]int{}, weekB: map[string]int{}}
			boards[board] = c
		}
		if term == "" {
			if d > today-28 {
				if vol[d] == nil {
					vol[d] = map[int64]int{}
				}
				vol[d][board] += n
			}
			c.dayN, c.dayBase = c.dayN+when(d == today, n), c.dayBase+when(d < today && d >= today-28, n)
			c.weekN, c.weekBase = c.weekN+when(d > today-7, n), c.weekBase+when(d <= today-7, n)
			continue
		}
		switch {
		case d == today:
			c.day[term] += n
		case d >= today-28:
			c.dayB[term] += n
		}
		if d > today-7 {
			c.week[term] += n
		} else {
			c.weekB[term] += n
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return tr, wrap("trend terms", err)
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
		v := DayVolume{Day: fromMS(d * 24 * msHour), ByBoard: vol[d]}
		for _, n := range vol[d] {
			v.Total += n
		}
		tr.Volume = append(tr.Volume, v)
	}
	if tr.Groups, err = s.largestGroups(ctx, brandID, ms(now)-7*24*msHour, 10); err != nil {
		return tr, err
	}
	tr.Bursts, err = s.Bursts(ctx, brandID, now.Add(-7*24*time.Hour), 20)
	return tr, err
}

func when(ok bool, n int) int {
	if ok {
		return n
	}
	return 0
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
		g.Key, g.LastAt = GroupKey(id), fromMS(last)
		out = append(out, g)
	}
	return out, wrap("largest groups", rows.Err())
}
