// Package ratelimit holds the limits that protect sign-in, sign-up and
// posting: token buckets kept in memory per key, and fixed windows kept in
// the database (table rate_counters) so that every instance counts the same
// attempts.
package ratelimit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sync"
	"time"

	"mutual/sqldb"

	"golang.org/x/time/rate"
)

// Keyed is a set of token buckets by key (an address, an account), forgetting
// keys that have been idle for a while so memory stays bounded.
type Keyed struct {
	mu      sync.Mutex
	every   rate.Limit
	burst   int
	buckets map[string]*bucket
	swept   time.Time
}

type bucket struct {
	lim  *rate.Limiter
	seen time.Time
}

func NewKeyed(every rate.Limit, burst int) *Keyed {
	return &Keyed{every: every, burst: burst, buckets: map[string]*bucket{}}
}

// Allow takes a token for key, reporting whether one was available and, if not,
// how long until one is.
func (k *Keyed) Allow(key string, now time.Time) (bool, time.Duration) {
	if k == nil {
		return true, 0
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if now.Sub(k.swept) > time.Minute {
		for key, b := range k.buckets {
			if now.Sub(b.seen) > 10*time.Minute {
				delete(k.buckets, key)
			}
		}
		k.swept = now
	}
	b, ok := k.buckets[key]
	if !ok {
		b = &bucket{lim: rate.NewLimiter(k.every, k.burst)}
		k.buckets[key] = b
	}
	b.seen = now
	r := b.lim.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}

// Window is a fixed-window limit kept in the database, for limits that must
// hold however many instances serve the brand (sign-in attempts). One
// upsert per attempt; the window resets when its minute is over.
type Window struct {
	DB     *sqldb.DB
	Prefix string // keeps this limit's keys apart from others'
	Limit  int
	Window time.Duration
	Now    func() time.Time
}

// Allow counts an attempt for key and reports whether it is within the limit,
// and if not how long until the window resets. The key (an address, a
// login) is stored only as a hash: a counter never holds personal data.
func (s *Window) Allow(ctx context.Context, key string) (bool, time.Duration, error) {
	now := s.Now()
	w := now.Truncate(s.Window)
	var hits int
	err := s.DB.InTx(ctx, func(tx *sqldb.Tx) error {
		return tx.QueryRow(ctx, `INSERT INTO rate_counters (key, window_start, hits) VALUES (?, ?, 1)
ON CONFLICT (key) DO UPDATE SET
  hits = CASE WHEN rate_counters.Window_start = excluded.window_start THEN rate_counters.hits + 1 ELSE 1 END,
  window_start = excluded.window_start
RETURNING hits`, s.Prefix+hashKey(key), w.UnixMilli()).Scan(&hits)
	})
	if err != nil {
		return false, 0, fmt.Errorf("ratelimit: %w", err)
	}
	if hits > s.Limit {
		return false, w.Add(s.Window).Sub(now), nil
	}
	return true, 0, nil
}

// Prune drops windows that ended long ago.
func Prune(ctx context.Context, db *sqldb.DB, now time.Time) error {
	_, err := db.Exec(ctx, `DELETE FROM rate_counters WHERE window_start < ?`, now.Add(-time.Hour).UnixMilli())
	return err
}

func hashKey(key string) string {
	h := sha256.Sum256([]byte(key))
	return hex.EncodeToString(h[:16])
}
