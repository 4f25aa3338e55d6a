package web

import (
	"time"

	"golang.org/x/time/rate"

	"mutual/ratelimit"
	"mutual/sqldb"
)

// Limits are the rate limits that protect sign-in, sign-up and posting.
type Limits struct {
	LoginAddr   *ratelimit.Window
	LoginUser   *ratelimit.Window
	SignupAddr  *ratelimit.Keyed
	PostAuthor  *ratelimit.Keyed // nil: no limit
	PreviewUser *ratelimit.Keyed
	ResetAddr   *ratelimit.Window // password reset links asked for, per address (shared by instances)
	ResetLink   *ratelimit.Keyed  // password reset links opened or used, per address
}

// NewLimits sets the limits: loginPerMin sign-in attempts a minute per
// address and per account, and a post every postInterval per author (0: no
// limit) after a burst of five.
func NewLimits(db *sqldb.DB, loginPerMin int, postInterval time.Duration, now func() time.Time) *Limits {
	window := func(prefix string) *ratelimit.Window {
		return &ratelimit.Window{DB: db, Prefix: prefix, Limit: loginPerMin, Window: time.Minute, Now: now}
	}
	l := &Limits{
		LoginAddr:   window("login-addr:"),
		LoginUser:   window("login-user:"),
		SignupAddr:  ratelimit.NewKeyed(rate.Every(3*time.Minute), 10),
		PreviewUser: ratelimit.NewKeyed(rate.Every(200*time.Millisecond), 20),
		ResetAddr:   &ratelimit.Window{DB: db, Prefix: "reset-addr:", Limit: 5, Window: 15 * time.Minute, Now: now},
		ResetLink:   ratelimit.NewKeyed(rate.Every(2*time.Second), 20),
	}
	if postInterval > 0 {
		l.PostAuthor = ratelimit.NewKeyed(rate.Every(postInterval), 5)
	}
	return l
}
