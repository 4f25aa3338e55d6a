// Package radar is the emerging-issue radar: it groups each brand's new
// threads with their near-duplicates just after they are asked (MinHash
// signatures and LSH bands), and a periodic pass watches each
// group's arrivals in 5-minute buckets against its usual rate for that hour
// of the week. A group arriving far faster than usual is a burst: labelled
// by its most unusual words against the brand's last 28 days, its boards and
// the places it names, and raised through an Alarm. It also computes the
// brand's trends (rising terms per board, volume, the largest groups).
//
// It owns radar_groups, radar_threads, radar_bands, radar_term_days and
// radar_bursts, and reads the forum's threads and posts for their text.
package radar

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"

	"mutual/fault"
	"mutual/sqldb"
)

// Service groups threads, runs the radar pass and computes trends.
type Service struct {
	db    *sqldb.DB
	now   func() time.Time
	model Model
	// Alarm receives each burst the pass finds. New sets the default, which
	// records bursts in radar_bursts; app/ may put the incident lane here.
	Alarm  Alarm
	mu     sync.Mutex
	trends map[int64]cachedTrends // by brand
}

// New makes the radar service with the default model and alarm.
func New(db *sqldb.DB, now func() time.Time) *Service {
	s := &Service{db: db, now: now, model: DefaultModel(), trends: map[int64]cachedTrends{}}
	s.Alarm = Recorder{DB: db, Now: now}
	return s
}

func wrap(what string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("radar: %s: %w", what, err)
}

// GroupKey names a group outside the package: stable, opaque to callers.
func GroupKey(groupID int64) string { return "g" + strconv.FormatInt(groupID, 10) }

func groupID(key string) (int64, error) {
	if len(key) < 2 || key[0] != 'g' {
		return 0, fault.ErrNotFound
	}
	id, err := strconv.ParseInt(key[1:], 10, 64)
	if err != nil || id <= 0 {
		return 0, fault.ErrNotFound
	}
	return id, nil
}

// ThreadsOf lists the ids of a group's threads, oldest first. An unknown key,
// or one of another brand, is fault.ErrNotFound.
func (s *Service) ThreadsOf(ctx context.Context, brandID int64, groupKey string) ([]int64, error) {
	id, err := groupID(groupKey)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.Query(ctx, `SELECT thread_id FROM radar_threads WHERE group_id = ? AND brand_id = ? ORDER BY created_at, thread_id`, id, brandID)
	if err != nil {
		return nil, wrap("threads of group", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var t int64
		if err := rows.Scan(&t); err != nil {
			return nil, wrap("threads of group", err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, wrap("threads of group", err)
	}
	if len(out) == 0 {
		return nil, fault.ErrNotFound
	}
	return out, nil
}
