package app

import (
	"sync"
	"time"

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
	loginAddr   *keyed
	loginUser   *keyed
	signupAddr  *keyed
	postAuthor  *keyed
	previewUser *keyed
}

func newLimits(cfg Config) *limits {
	perMin := rate.Limit(float64(cfg.LoginPerMin) / 60)
	l := &limits{
		loginAddr:   newKeyed(perMin, cfg.LoginPerMin),
		loginUser:   newKeyed(perMin, cfg.LoginPerMin),
		signupAddr:  newKeyed(rate.Every(3*time.Minute), 10),
		previewUser: newKeyed(rate.Every(200*time.Millisecond), 20),
	}
	if cfg.PostInterval > 0 {
		l.postAuthor = newKeyed(rate.Every(cfg.PostInterval), 5)
	}
	return l
}
