package radar

import (
	"context"
	"strings"
	"time"

	"mutual/sqldb"
)

// threadText is what the radar reads of a thread.
type threadText struct {
	id, brand, board int64
	title, body      string
	created          int64
}

// assign signs a thread, puts it in the most similar group reached through
// its bands (or a new group of its own) and records its terms and places.
func assign(ctx context.Context, q sqldb.Querier, t threadText) error {
	sig := sign(features(t.title, t.body))
	keys := bandKeys(sig)
	cands, err := candidates(ctx, q, t.brand, keys)
	if err != nil {
		return err
	}
	group, found := choose(sig, cands)
	if found {
		if _, err := q.Exec(ctx, `UPDATE radar_groups SET threads = threads + 1,
last_at = CASE WHEN last_at > ? THEN last_at ELSE ? END WHERE id = ?`, t.created, t.created, group); err != nil {
			return wrap("join group", err)
		}
	} else {
		err := q.QueryRow(ctx, `INSERT INTO radar_groups (brand_id, board_id, thread_id, title, threads, first_at, last_at)
VALUES (?, ?, ?, ?, 1, ?, ?) RETURNING id`, t.brand, t.board, t.id, t.title, t.created, t.created).Scan(&group)
		if err != nil {
			return wrap("new group", err)
		}
	}
	if _, err := q.Exec(ctx, `INSERT INTO radar_threads (thread_id, brand_id, board_id, group_id, created_at, sig, terms, places)
VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (thread_id) DO NOTHING`, t.id, t.brand, t.board, group, t.created, sig.bytes(),
		strings.Join(terms(t.title, t.body), "\n"), strings.Join(places(t.title, t.body), "\n")); err != nil {
		return wrap("record thread", err)
	}
	if len(keys) == 0 {
		return nil
	}
	var b strings.Builder
	args := make([]any, 0, 3*len(keys))
	b.WriteString(`INSERT INTO radar_bands (brand_id, band_key, group_id) VALUES `)
	for i, k := range keys {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(?, ?, ?)")
		args = append(args, t.brand, k, group)
	}
	b.WriteString(` ON CONFLICT DO NOTHING`)
	if _, err := q.Exec(ctx, b.String(), args...); err != nil {
		return wrap("record bands", err)
	}
	return nil
}

// candidates are the groups that share a band with keys, each with the
// signature of its first thread.
func candidates(ctx context.Context, q sqldb.Querier, brandID int64, keys []int64) ([]candidate, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	args := make([]any, 0, len(keys)+1)
	args = append(args, brandID)
	for _, k := range keys {
		args = append(args, k)
	}
	rows, err := q.Query(ctx, `SELECT DISTINCT b.group_id, r.sig FROM radar_bands b JOIN radar_groups g ON g.id = b.group_id
JOIN radar_threads r ON r.thread_id = g.thread_id WHERE b.brand_id = ? AND b.band_key IN (?`+strings.Repeat(", ?", len(keys)-1)+`)`, args...)
	if err != nil {
		return nil, wrap("candidates", err)
	}
	defer rows.Close()
	var out []candidate
	for rows.Next() {
		var c candidate
		var sig []byte
		if err := rows.Scan(&c.group, &sig); err != nil {
			return nil, wrap("candidates", err)
		}
		c.sig = signatureFrom(sig)
		out = append(out, c)
	}
	return out, wrap("candidates", rows.Err())
}

// GroupNew puts the threads asked since the last grouping in their groups,
// a batch per transaction, and returns how many it grouped. The app runs it
// just after threads commit (a few times a second), so asking pays nothing
// for the radar. Where a thread may commit after one with a higher id, it
// looks back rescan ids before the newest grouped thread (sqldb.DB.Lookback).
func (s *Service) GroupNew(ctx context.Context, batch int) (int, error) {
	var top int64
	if err := s.db.QueryRow(ctx, `SELECT COALESCE(MAX(thread_id), 0) FROM radar_threads`).Scan(&top); err != nil {
		return 0, wrap("newest grouped thread", err)
	}
	const rescan = 1000
	return s.group(ctx, top-s.db.Lookback(rescan), batch)
}

// Backfill groups every thread the radar has not seen (a bulk load, an
// import, a database from before the radar), oldest first, until none is
// left or ctx ends. It returns how many it grouped.
func (s *Service) Backfill(ctx context.Context, batch int) (int, error) {
	return s.group(ctx, 0, batch)
}

// group groups the ungrouped threads with ids above after, batch threads
// per transaction, until none is left or ctx ends.
func (s *Service) group(ctx context.Context, after int64, batch int) (int, error) {
	total := 0
	for ctx.Err() == nil {
		// Look before taking the writer: most calls find nothing to do.
		if todo, err := ungrouped(ctx, s.db, after, 1); err != nil || len(todo) == 0 {
			return total, err
		}
		n := 0
		err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
			todo, err := ungrouped(ctx, tx, after, batch)
			if err != nil {
				return err
			}
			for _, t := range todo {
				if err := assign(ctx, tx, t); err != nil {
					return err
				}
			}
			n = len(todo)
			return nil
		})
		if err != nil {
			return total, err
		}
		if total += n; n < batch {
			break
		}
	}
	return total, ctx.Err()
}

// ungrouped reads up to limit threads with ids above after and without a
// radar row, oldest first.
func ungrouped(ctx context.Context, q sqldb.Querier, after int64, limit int) ([]threadText, error) {
	rows, err := q.Query(ctx, `SELECT t.id, t.brand_id, t.board_id, t.title, p.body_md, t.created_at
FROM threads t JOIN posts p ON p.thread_id = t.id AND p.is_question = 1
WHERE t.id > ? AND NOT EXISTS (SELECT 1 FROM radar_threads r WHERE r.thread_id = t.id)
ORDER BY t.id LIMIT ?`, after, limit)
	if err != nil {
		return nil, wrap("ungrouped threads", err)
	}
	defer rows.Close()
	var out []threadText
	for rows.Next() {
		var t threadText
		if err := rows.Scan(&t.id, &t.brand, &t.board, &t.title, &t.body, &t.created); err != nil {
			return nil, wrap("ungrouped threads", err)
		}
		out = append(out, t)
	}
	return out, wrap("ungrouped threads", rows.Err())
}

// day is the number of whole UTC days since 1970 at t (milliseconds).
func day(t int64) int64 { return t / int64(24*time.Hour/time.Millisecond) }
