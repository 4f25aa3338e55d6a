package radar

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"time"

	"mutual/sqldb"
)

// PassResult says what one radar pass did.
type PassResult struct {
	Rolled int // threads whose terms were counted into the daily totals
	Bursts int // bursts raised
}

// Pass runs the radar once: it groups threads not grouped yet, counts new
// threads' terms into the daily totals, then, for every brand with recent
// threads, looks for bursts and raises each through the Alarm.
func (s *Service) Pass(ctx context.Context) (PassResult, error) {
	var res PassResult
	if _, err := s.GroupNew(ctx, 500); err != nil {
		return res, err
	}
	for {
		n, err := s.rollup(ctx, 2000)
		if err != nil {
			return res, err
		}
		if res.Rolled += n; n < 2000 {
			break
		}
	}
	now := sqldb.Millis(s.now())
	brands, err := s.activeBrands(ctx, now)
	if err != nil {
		return res, err
	}
	for _, b := range brands {
		bursts, err := s.Detect(ctx, b, now)
		if err != nil {
			return res, err
		}
		for _, burst := range bursts {
			if err := s.Alarm.Raise(ctx, burst); err != nil {
				return res, err
			}
			res.Bursts++
		}
	}
	return res, nil
}

// activeBrands are the brands with a thread in the model's window.
func (s *Service) activeBrands(ctx context.Context, now int64) ([]int64, error) {
	rows, err := s.db.Query(ctx, `SELECT DISTINCT brand_id FROM radar_threads WHERE created_at > ? AND created_at <= ?`,
		now-s.model.Window.Milliseconds(), now)
	if err != nil {
		return nil, wrap("active brands", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, wrap("active brands", err)
		}
		out = append(out, id)
	}
	return out, wrap("active brands", rows.Err())
}

// Detect finds the brand's bursts at now (ms), labelled, without raising them.
func (s *Service) Detect(ctx context.Context, brandID, now int64) ([]Burst, error) {
	m := s.model
	recent, err := s.recent(ctx, brandID, now-m.Window.Milliseconds(), now)
	if err != nil {
		return nil, err
	}
	var out []Burst
	for _, g := range sortedGroups(recent) {
		if len(recent[g]) < m.MinThreads {
			continue
		}
		history, err := s.history(ctx, g, now-m.History.Milliseconds(), now-m.Window.Milliseconds())
		if err != nil {
			return nil, err
		}
		h, ok := m.detect(g, recent[g], history, now)
		if !ok {
			continue
		}
		b, err := s.label(ctx, brandID, h, now)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, nil
}

func sortedGroups(by map[int64][]arrival) []int64 {
	keys := make([]int64, 0, len(by))
	for k := range by {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// recent reads the brand's arrivals in (from, to], by group, oldest first:
// threads members can read and outside mentions, not those held for review
// or hidden by moderators (a spam wave is not an outage).
func (s *Service) recent(ctx context.Context, brandID, from, to int64) (map[int64][]arrival, error) {
	rows, err := s.db.Query(ctx, `SELECT r.group_id, r.thread_id, r.board_id, r.created_at FROM radar_threads r
JOIN threads t ON t.id = r.thread_id AND t.status IN ('visible', 'external')
WHERE r.brand_id = ? AND r.created_at > ? AND r.created_at <= ? ORDER BY r.created_at, r.thread_id`, brandID, from, to)
	if err != nil {
		return nil, wrap("recent threads", err)
	}
	defer rows.Close()
	out := map[int64][]arrival{}
	for rows.Next() {
		var g int64
		var a arrival
		if err := rows.Scan(&g, &a.thread, &a.board, &a.at); err != nil {
			return nil, wrap("recent threads", err)
		}
		out[g] = append(out[g], a)
	}
	return out, wrap("recent threads", rows.Err())
}

// history reads the times of a group's arrivals in (from, to].
func (s *Service) history(ctx context.Context, group, from, to int64) ([]int64, error) {
	rows, err := s.db.Query(ctx, `SELECT created_at FROM radar_threads WHERE group_id = ? AND created_at > ? AND created_at <= ?`, group, from, to)
	if err != nil {
		return nil, wrap("group history", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var t int64
		if err := rows.Scan(&t); err != nil {
			return nil, wrap("group history", err)
		}
		out = append(out, t)
	}
	return out, wrap("group history", rows.Err())
}

// rollup counts up to limit new threads' terms into radar_term_days.
func (s *Service) rollup(ctx context.Context, limit int) (int, error) {
	n := 0
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		rows, err := tx.Query(ctx, `SELECT thread_id, brand_id, board_id, created_at, terms FROM radar_threads WHERE rolled = 0
ORDER BY thread_id LIMIT ?`, limit)
		if err != nil {
			return wrap("terms to count", err)
		}
		type key struct {
			brand, board, day int64
			term              string
		}
		counts := map[key]int64{}
		var ids []any
		for rows.Next() {
			var id, brand, board, at int64
			var ts string
			if err := rows.Scan(&id, &brand, &board, &at, &ts); err != nil {
				rows.Close()
				return wrap("terms to count", err)
			}
			ids = append(ids, id)
			d := day(at)
			counts[key{brand, board, d, ""}]++
			for _, t := range lines(ts) {
				counts[key{brand, board, d, t}]++
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return wrap("terms to count", err)
		}
		n = len(ids)
		for k, c := range counts {
			if _, err := tx.Exec(ctx, `INSERT INTO radar_term_days (brand_id, board_id, day, term, threads) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (brand_id, day, board_id, term) DO UPDATE SET threads = radar_term_days.threads + excluded.threads`,
				k.brand, k.board, k.day, k.term, c); err != nil {
				return wrap("count terms", err)
			}
		}
		for lo := 0; lo < len(ids); lo += 500 {
			part := ids[lo:min(lo+500, len(ids))]
			if _, err := tx.Exec(ctx, `UPDATE radar_threads SET rolled = 1 WHERE thread_id IN (?`+strings.Repeat(", ?", len(part)-1)+`)`, part...); err != nil {
				return wrap("mark counted", err)
			}
		}
		return nil
	})
	return n, err
}

// Learning is how long the radar watches a brand before its bursts raise
// incidents: until it has seen a couple of each weekday, the usual Monday
// rush looks like an outage (measured: 58 false alarms in a brand's first
// week, 7 in its second, then one or none). Bursts are still recorded for
// the trends page meanwhile.
const Learning = 14 * 24 * time.Hour

// LearnedBy reports whether the radar has watched the brand for Learning
// by t: its oldest grouped thread is at least that old.
func (s *Service) LearnedBy(ctx context.Context, brandID int64, t time.Time) (bool, error) {
	var first sql.NullInt64
	err := s.db.QueryRow(ctx, `SELECT MIN(created_at) FROM radar_threads WHERE brand_id = ?`, brandID).Scan(&first)
	return first.Valid && first.Int64 <= sqldb.Millis(t.Add(-Learning)), wrap("first thread", err)
}
