package radar

import (
	"context"
	"slices"
	"strings"

	"mutual/sqldb"
)

// label turns a hit into a Burst: its threads, boards and places, and its
// most unusual terms against the brand's 28 days before the burst's first
// day. Not before today: a burst that began before midnight would be
// measured against its own first threads, and its words would look usual.
func (s *Service) label(ctx context.Context, brandID int64, h hit, now int64) (Burst, error) {
	b := Burst{BrandID: brandID, GroupKey: GroupKey(h.group), Score: h.score,
		StartedAt: sqldb.Time(h.threads[0].at), DetectedAt: sqldb.Time(now)}
	args := []any{}
	for _, a := range h.threads {
		b.ThreadIDs = append(b.ThreadIDs, a.thread)
		if !slices.Contains(b.BoardIDs, a.board) {
			b.BoardIDs = append(b.BoardIDs, a.board)
		}
		args = append(args, a.thread)
	}
	rows, err := s.db.Query(ctx, `SELECT terms, places FROM radar_threads WHERE thread_id IN (?`+strings.Repeat(", ?", len(args)-1)+`)`, args...)
	if err != nil {
		return b, wrap("burst terms", err)
	}
	sample := map[string]int{}
	placeCount := map[string]int{}
	for rows.Next() {
		var ts, ps string
		if err := rows.Scan(&ts, &ps); err != nil {
			rows.Close()
			return b, wrap("burst terms", err)
		}
		for _, t := range lines(ts) {
			sample[t]++
		}
		for _, p := range lines(ps) {
			placeCount[p]++
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return b, wrap("burst terms", err)
	}
	first := day(h.threads[0].at)
	base, total, err := s.baseline(ctx, brandID, first-28, first-1, sample)
	if err != nil {
		return b, err
	}
	top := rising(sample, len(h.threads), func(t string) int { return base[t] }, total, 2, 6)
	for _, t := range top {
		b.Terms = append(b.Terms, t.Term)
	}
	b.Label = joinLabel(b.Terms)
	b.Places = topPlaces(placeCount, 2, 5)
	return b, nil
}

// topPlaces keeps the names seen in at least minCount threads, most often
// named first.
func topPlaces(count map[string]int, minCount, k int) []string {
	var out []string
	for p, c := range count {
		if c >= minCount {
			out = append(out, p)
		}
	}
	slices.SortFunc(out, func(a, b string) int {
		if count[a] != count[b] {
			return count[b] - count[a]
		}
		return strings.Compare(a, b)
	})
	return out[:min(k, len(out))]
}

// baseline reads how many of the brand's threads on days [from, to] held
// each of the sample's terms, and how many threads there were.
func (s *Service) baseline(ctx context.Context, brandID, from, to int64, sample map[string]int) (map[string]int, int, error) {
	out := map[string]int{}
	args := []any{brandID, from, to, ""}
	for t := range sample {
		args = append(args, t)
	}
	rows, err := s.db.Query(ctx, `SELECT term, SUM(threads) FROM radar_term_days WHERE brand_id = ? AND day >= ? AND day <= ?
AND term IN (?`+strings.Repeat(", ?", len(args)-4)+`) GROUP BY term`, args...)
	if err != nil {
		return nil, 0, wrap("baseline terms", err)
	}
	defer rows.Close()
	total := 0
	for rows.Next() {
		var t string
		var n int
		if err := rows.Scan(&t, &n); err != nil {
			return nil, 0, wrap("baseline terms", err)
		}
		if t == "" {
			total = n
		} else {
			out[t] = n
		}
	}
	return out, total, wrap("baseline terms", rows.Err())
}

// joinLabel names a burst by its three most unusual terms.
func joinLabel(terms []string) string { return strings.Join(terms[:min(3, len(terms))], " · ") }
