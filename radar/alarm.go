package radar

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"time"

	"mutual/sqldb"
)

// Burst is what the radar raises: a group of look-alike threads arriving far
// faster than usual for the hour of the week.
type Burst struct {
	BrandID  int64
	GroupKey string   // stable for the group: raising again adds to the same burst
	Label    string   // the most unusual words, joined
	Terms    []string // the most unusual words and phrases, most unusual first
	BoardIDs []int64
	Places   []string // place-like names the threads mention
	// ThreadIDs are the burst's threads so far, oldest first; a later raise
	// for the same GroupKey carries these and any new ones.
	ThreadIDs  []int64
	StartedAt  time.Time // the first thread of the burst
	DetectedAt time.Time // the pass that raised it
	Score      float64   // -log10 of the chance of so many at the usual rate
}

// Alarm receives bursts. The radar pass raises a burst on every pass while
// it goes on; Raise must therefore be safe to call again for the same
// GroupKey with more threads (the receiver adds them).
type Alarm interface {
	Raise(ctx context.Context, b Burst) error
}

// Recorder is the default Alarm: it records each burst in radar_bursts,
// where the trends page shows them. A raise within the model's episode of
// the group's last one updates that row.
type Recorder struct {
	DB  *sqldb.DB
	Now func() time.Time
}

// Raise records b, or adds its threads to the group's open burst.
func (r Recorder) Raise(ctx context.Context, b Burst) error {
	episode := DefaultModel().Episode
	return r.DB.InTx(ctx, func(tx *sqldb.Tx) error {
		var id int64
		var have string
		err := tx.QueryRow(ctx, `SELECT id, thread_ids FROM radar_bursts WHERE brand_id = ? AND group_key = ? AND updated_at >= ?
ORDER BY updated_at DESC LIMIT 1`, b.BrandID, b.GroupKey, sqldb.Millis(b.DetectedAt.Add(-episode))).Scan(&id, &have)
		if errors.Is(err, sql.ErrNoRows) {
			_, err = tx.Exec(ctx, `INSERT INTO radar_bursts (brand_id, group_key, label, terms, board_ids, places, thread_ids, threads,
score, started_at, detected_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, b.BrandID, b.GroupKey, b.Label,
				strings.Join(b.Terms, "\n"), sqldb.JoinIDs(b.BoardIDs), strings.Join(b.Places, "\n"), sqldb.JoinIDs(b.ThreadIDs), len(b.ThreadIDs),
				b.Score, sqldb.Millis(b.StartedAt), sqldb.Millis(b.DetectedAt), sqldb.Millis(b.DetectedAt))
			return wrap("record burst", err)
		}
		if err != nil {
			return wrap("find burst", err)
		}
		ids := union(sqldb.SplitIDs(have), b.ThreadIDs)
		_, err = tx.Exec(ctx, `UPDATE radar_bursts SET label = ?, terms = ?, board_ids = ?, places = ?, thread_ids = ?, threads = ?,
score = CASE WHEN score > ? THEN score ELSE ? END, updated_at = ? WHERE id = ?`, b.Label, strings.Join(b.Terms, "\n"),
			sqldb.JoinIDs(b.BoardIDs), strings.Join(b.Places, "\n"), sqldb.JoinIDs(ids), len(ids), b.Score, b.Score, sqldb.Millis(b.DetectedAt), id)
		return wrap("update burst", err)
	})
}

// Recorded is a burst as the Recorder keeps it.
type Recorded struct {
	Burst
	ID        int64
	UpdatedAt time.Time
}

// Bursts lists the brand's recorded bursts detected since since, newest first.
func (s *Service) Bursts(ctx context.Context, brandID int64, since time.Time, limit int) ([]Recorded, error) {
	rows, err := s.db.Query(ctx, `SELECT id, group_key, label, terms, board_ids, places, thread_ids, score, started_at, detected_at, updated_at
FROM radar_bursts WHERE brand_id = ? AND detected_at >= ? ORDER BY detected_at DESC, id DESC LIMIT ?`, brandID, sqldb.Millis(since), limit)
	if err != nil {
		return nil, wrap("bursts", err)
	}
	defer rows.Close()
	var out []Recorded
	for rows.Next() {
		r := Recorded{Burst: Burst{BrandID: brandID}}
		var terms, boards, places, threads string
		var started, detected, updated int64
		if err := rows.Scan(&r.ID, &r.GroupKey, &r.Label, &terms, &boards, &places, &threads, &r.Score, &started, &detected, &updated); err != nil {
			return nil, wrap("bursts", err)
		}
		r.Terms, r.Places = lines(terms), lines(places)
		r.BoardIDs, r.ThreadIDs = sqldb.SplitIDs(boards), sqldb.SplitIDs(threads)
		r.StartedAt, r.DetectedAt, r.UpdatedAt = sqldb.Time(started), sqldb.Time(detected), sqldb.Time(updated)
		out = append(out, r)
	}
	return out, wrap("bursts", rows.Err())
}

func lines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

func union(a, b []int64) []int64 {
	out := append(slices.Clone(a), b...)
	slices.Sort(out)
	return slices.Compact(out)
}
