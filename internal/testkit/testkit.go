// Package testkit holds what the domain packages' tests share beyond a
// database (sqldb/sqldbtest gives those): a clock tests move by hand,
// members made without a password, the brands, boards, threads and replies
// a scenario starts from (forum.go), and the field messages of a validation
// error. Only tests import it.
//
// It imports forum and account, so only external tests (package x_test) use
// it: an internal test of a package forum imports would make a cycle.
package testkit

import (
	"context"
	"mutual/account"
	"sync"
	"testing"
	"time"
)

// Clock is a clock tests move by hand instead of sleeping. It is safe for
// the background goroutines of the code under test to read.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock stopped at t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now is the clock's time; pass c.Now where code takes a clock.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Add moves the clock by d.
func (c *Clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// Member makes an account without a password (no argon2 cost), grants it
// roles, and returns the actor as a session would see it: with the roles
// read back, so a role the brand adds by default is there too. Any error
// fails the test.
func Member(t testing.TB, m *account.Members, u account.Unclaimed, roles ...string) account.Actor {
	t.Helper()
	ctx := context.Background()
	made, err := m.CreateUnclaimed(ctx, u)
	if err != nil {
		t.Fatalf("create %s: %v", u.Username, err)
	}
	for _, r := range roles {
		if err := m.Grant(ctx, u.BrandID, made.ID, r); err != nil {
			t.Fatalf("grant %s: %v", r, err)
		}
	}
	got, err := m.RolesOf(ctx, u.BrandID, made.ID)
	if err != nil {
		t.Fatal(err)
	}
	return account.Actor{UserID: made.ID, BrandID: u.BrandID, Username: u.Username, Roles: got}
}
