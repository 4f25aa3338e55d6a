package forum_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"mutual/account"
	"mutual/fault"
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
	for _, d := range sqldbtest.Dialects {
		t.Run(string(d), func(t *testing.T) { fn(t, newFixtureOn(t, d)) })
	}
}

func newFixtureOn(t *testing.T, d sqldb.Dialect) *fixture {
	t.Helper()
	db := sqldbtest.Open(t, d)
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
	b, err := f.brands.Create(ctx, forum.NewBrand{Host: host, Name: name, Default: def})
	if err != nil {
		t.Fatalf("create brand %s: %v", host, err)
	}
	return b
}

func (f *fixture) newBoard(t *testing.T, brandID int64, name string) forum.Board {
	t.Helper()
	b, err := f.svc.CreateBoard(ctx, brandID, forum.NewBoard{Name: name, Description: "About " + name})
	if err != nil {
		t.Fatalf("create board %s: %v", name, err)
	}
	return b
}

// actor makes an account without a password (no argon2 cost) in the brand,
// grants roles and returns the actor as a session would see it.
func (f *fixture) actor(t *testing.T, brandID int64, name string, roles ...string) account.Actor {
	t.Helper()
	return testkit.Member(t, f.members, account.Unclaimed{BrandID: brandID, Username: name, CreatedAt: f.clock.Now()}, roles...)
}

func (f *fixture) ask(t *testing.T, a account.Actor, title string) forum.Thread {
	t.Helper()
	th, err := f.svc.Ask(ctx, a, forum.NewThread{BoardID: f.board.ID, Title: title, Body: "Some details about " + title})
	if err != nil {
		t.Fatalf("ask %q: %v", title, err)
	}
	return th
}

func (f *fixture) reply(t *testing.T, a account.Actor, threadID int64, body string) forum.Post {
	t.Helper()
	p, err := f.svc.Reply(ctx, a, threadID, forum.NewReply{Body: body})
	if err != nil {
		t.Fatalf("reply: %v", err)
	}
	return p
}

// fieldErr returns the field messages of a fault.ValidationError, or nil.
func fieldErr(err error) map[string]string {
	var ve *fault.ValidationError
	if !errors.As(err, &ve) {
		return nil
	}
	return ve.Fields
}
