package forum_test

import (
	"context"
	"testing"
	"time"

	"mutual/account"
	"mutual/forum"
	"mutual/internal/testkit"
	"mutual/markup"
	"mutual/sqldb"
	"mutual/sqldb/sqldbtest"
)

func newClock() *testkit.Clock {
	return testkit.NewClock(time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC))
}

// fixture is a migrated database on a real file with one brand and board.
type fixture struct {
	db      *sqldb.DB
	clock   *testkit.Clock
	brands  *forum.Brands
	members *account.Members
	svc     *forum.Service
	brand   forum.Brand
	board   forum.Board
}

var ctx = context.Background()

// eachStore runs fn on a fresh fixture in every store: a SQLite file, and a
// PostgreSQL schema when MUTUAL_TEST_POSTGRES names a server (required in CI).
func eachStore(t *testing.T, fn func(t *testing.T, f *fixture)) {
	t.Helper()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) { fn(t, newFixtureOn(t, db)) })
}

func newFixtureOn(t *testing.T, db *sqldb.DB) *fixture {
	t.Helper()
	clk := newClock()
	f := &fixture{
		db:      db,
		clock:   clk,
		brands:  forum.NewBrands(db, clk.Now),
		members: account.NewMembers(db, clk.Now),
		svc:     forum.NewService(db, markup.NewRenderer(), clk.Now),
	}
	f.brand = f.newBrand(t, "localhost", "Alpha Mobile", true)
	f.board = f.newBoard(t, f.brand.ID, "Billing")
	return f
}

func (f *fixture) newBrand(t *testing.T, host, name string, def bool) forum.Brand {
	t.Helper()
	return testkit.Brand(t, f.brands, forum.NewBrand{Host: host, Name: name, Default: def})
}

func (f *fixture) newBoard(t *testing.T, brandID int64, name string) forum.Board {
	t.Helper()
	return testkit.Board(t, f.svc, brandID, forum.NewBoard{Name: name, Description: "About " + name})
}

// actor makes an account without a password (no argon2 cost) in the brand,
// grants roles and returns the actor as a session would see it.
func (f *fixture) actor(t *testing.T, brandID int64, name string, roles ...string) account.Actor {
	t.Helper()
	return testkit.Member(t, f.members, account.Unclaimed{BrandID: brandID, Username: name, CreatedAt: f.clock.Now()}, roles...)
}

// ask starts a thread on the fixture's board.
func (f *fixture) ask(t *testing.T, a account.Actor, title string) forum.Thread {
	t.Helper()
	return testkit.Ask(t, f.svc, a, forum.NewThread{BoardID: f.board.ID, Title: title, Body: "Some details about " + title})
}
