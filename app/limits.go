package app

import (
	"context"
	"fmt"
	"sync"
	"time"

	"mutual/sqldb"

	"golang.org/x/time/rate"
)

// keyed is a set of token buckets by key (an address, an account), forgetting
// keys that have been idle for a while so memory stays bounded.
type keyed struct {
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

func newKeyed(every rate.Limit, burst int) *keyed {
	return &keyed{every: every, burst: burst, buckets: map[string]*bucket{}}
}

// allow takes a token for key, reporting whether one was available and, if not,
// how long until one is.
func (k *keyed) allow(key string, now time.Time) (bool, time.Duration) {
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

// limits are the rate limits that protect sign-in, sign-up and posting.
type limits struct {
	loginAddr   *shared
	loginUser   *shared
	signupAddr  *keyed
	postAuthor  *keyed
	previewUser *keyed
}

func newLimits(cfg Config, db *sqldb.DB) *limits {
	l := &limits{
		loginAddr:   &shared{db: db, prefix: "login-addr:", limit: cfg.LoginPerMin, window: time.Minute, now: cfg.Now},
		loginUser:   &shared{db: db, prefix: "login-user:", limit: cfg.LoginPerMin, window: time.Minute, now: cfg.Now},
		signupAddr:  newKeyed(rate.Every(3*time.Minute), 10),
		previewUser: newKeyed(rate.Every(200*time.Millisecond), 20),
	}
	if cfg.PostInterval > 0 {
		l.postAuthor = newKeyed(rate.Every(cfg.PostInterval), 5)
	}
	return l
}

// shared is a fixed-window limit kept in the database, for limits that must
// hold however many instances serve the brand (sign-in attempts). One
// upsert per attempt; the window resets when its minute is over.
type shared struct {
	db     *sqldb.DB
	prefix string
	limit  int
	window time.Duration
	now    func() time.Time
}

// allow counts an attempt for key and reports whether it is within the limit,
// and if not how long until the window resets.
func (s *shared) allow(ctx context.Context, key string) (bool, time.Duration, error) {
	now := s.now()
	w := now.Truncate(s.window)
	var hits int
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		return tx.QueryRow(ctx, `INSERT INTO rate_counters (key, window_start, hits) VALUES (?, ?, 1)
ON CONFLICT (key) DO UPDATE SET
  hits = CASE WHEN rate_counters.window_start = excluded.window_start THEN rate_counters.hits + 1 ELSE 1 END,
  window_start = excluded.window_start
RETURNING hits`, s.prefix+key, w.UnixMilli()).Scan(&hits)
	})
	if err != nil {
		return false, 0, fmt.Errorf("app: rate limit: %w", err)
	}
	if hits > s.limit {
		return false, w.Add(s.window).Sub(now), nil
	}
	return true, 0, nil
}

// pruneCounters drops windows that ended long ago.
func pruneCounters(ctx context.Context, db *sqldb.DB, now time.Time) error {
	_, err := db.Exec(ctx, `DELETE FROM rate_counters WHERE window_start < ?`, now.Add(-time.Hour).UnixMilli())
	return err
}
