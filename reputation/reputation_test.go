package reputation_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"mutual/account"
	"mutual/forum"
	"mutual/internal/testkit"
	"mutual/reputation"
	"mutual/sqldb"
	"mutual/sqldb/sqldbtest"
)

var ctx = context.Background()

type fixture struct {
	db      *sqldb.DB
	members *account.Members
	brand   forum.Brand
}

// eachStore runs fn on a fresh fixture in every store: a SQLite file, and a
// PostgreSQL schema when MUTUAL_TEST_POSTGRES names a server (required in CI).
func eachStore(t *testing.T, fn func(t *testing.T, f *fixture)) {
	t.Helper()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) { fn(t, newFixture(t, db)) })
}

func newFixture(t testing.TB, db *sqldb.DB) *fixture {
	t.Helper()
	now := func() time.Time { return time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC) }
	b := testkit.Brand(t, forum.NewBrands(db, now), forum.NewBrand{Host: "localhost", Name: "Rep", Default: true})
	return &fixture{db: db, members: account.NewMembers(db, now), brand: b}
}

func (f *fixture) user(t *testing.T, name string, roles ...string) int64 {
	t.Helper()
	return testkit.Member(t, f.members, account.Unclaimed{BrandID: f.brand.ID, Username: name}, roles...).UserID
}

// award runs Award in its own transaction, as the forum service does.
func (f *fixture) award(t *testing.T, ev reputation.Event) int64 {
	t.Helper()
	var got int64
	err := f.db.InTx(ctx, func(tx *sqldb.Tx) error {
		var err error
		got, err = reputation.Award(ctx, forum.LedgerTx(tx), ev)
		return err
	})
	if err != nil {
		t.Fatalf("Award(%+v): %v", ev, err)
	}
	return got
}

func (f *fixture) reverse(t *testing.T, ev reputation.Event) int64 {
	t.Helper()
	var got int64
	err := f.db.InTx(ctx, func(tx *sqldb.Tx) error {
		var err error
		got, err = reputation.Reverse(ctx, forum.LedgerTx(tx), ev)
		return err
	})
	if err != nil {
		t.Fatalf("Reverse(%+v): %v", ev, err)
	}
	return got
}

// total reads the ledger and checks the cached users.reputation agrees.
func (f *fixture) total(t *testing.T, userID int64) int64 {
	t.Helper()
	sum, err := reputation.Total(ctx, f.db, userID)
	if err != nil {
		t.Fatal(err)
	}
	u, err := f.members.ByID(ctx, f.brand.ID, userID)
	if err != nil {
		t.Fatal(err)
	}
	if u.Reputation != sum {
		t.Errorf("user %d: cached %d != ledger %d", userID, u.Reputation, sum)
	}
	return sum
}

var day1 = time.Date(2025, 6, 2, 10, 0, 0, 0, time.UTC)

func TestRulesTable(t *testing.T) {
	// The points each act is worth; changing a rule must change this table.
	want := map[reputation.Reason]int64{
		reputation.KudosReceived:  10,
		reputation.AnswerAccepted: 15,
		reputation.AcceptedOther:  2,
		reputation.PeerRescue:     5,
		reputation.ArticleCredit:  10,
	}
	if len(reputation.Points) != len(want) {
		t.Errorf("Points has %d rules, want %d", len(reputation.Points), len(want))
	}
	eachStore(t, func(t *testing.T, f *fixture) {
		actor := f.user(t, "actor")
		for reason, pts := range want {
			if reputation.Points[reason] != pts {
				t.Errorf("Points[%s] = %d, want %d", reason, reputation.Points[reason], pts)
			}
			u := f.user(t, "gets_"+strings.TrimRight(string(reason)[:5], "_"))
			got := f.award(t, reputation.Event{BrandID: f.brand.ID, UserID: u, Reason: reason, PostID: 1, ActorID: actor, At: day1})
			if got != pts || f.total(t, u) != pts {
				t.Errorf("%s: Award = %d, total %d; want %d", reason, got, f.total(t, u), pts)
			}
		}
		if f.total(t, actor) != 0 {
			t.Errorf("the actor earned %d", f.total(t, actor))
		}

		// Unknown reasons fail; self-awards and user 0 earn nothing.
		err := f.db.InTx(ctx, func(tx *sqldb.Tx) error {
			_, err := reputation.Award(ctx, forum.LedgerTx(tx), reputation.Event{BrandID: f.brand.ID, UserID: actor, Reason: "bribe", At: day1})
			return err
		})
		if err == nil {
			t.Error("Award with an unknown reason succeeded")
		}
		if got := f.award(t, reputation.Event{BrandID: f.brand.ID, UserID: actor, ActorID: actor, Reason: reputation.KudosReceived, PostID: 2, At: day1}); got != 0 {
			t.Errorf("self-award granted %d", got)
		}
		if got := f.award(t, reputation.Event{BrandID: f.brand.ID, UserID: 0, ActorID: actor, Reason: reputation.KudosReceived, PostID: 2, At: day1}); got != 0 {
			t.Errorf("award to user 0 granted %d", got)
		}
	})
}

func TestDailyCap(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		u := f.user(t, "popular")
		pts := reputation.Points[reputation.KudosReceived]
		fans := int(reputation.DailyCap/pts) + 3
		var fanIDs []int64
		for i := range fans {
			fanIDs = append(fanIDs, f.user(t, "fan"+string(rune('a'+i%26))+string(rune('a'+i/26))))
		}
		at := day1
		var granted int64
		for i, fan := range fanIDs {
			at = at.Add(time.Minute)
			got := f.award(t, reputation.Event{BrandID: f.brand.ID, UserID: u, Reason: reputation.KudosReceived, PostID: int64(100 + i), ActorID: fan, At: at})
			granted += got
			if granted > reputation.DailyCap {
				t.Fatalf("after %d kudos granted %d > cap %d", i+1, granted, reputation.DailyCap)
			}
		}
		if granted != reputation.DailyCap || f.total(t, u) != reputation.DailyCap {
			t.Errorf("day one: granted %d, total %d; want the cap %d", granted, f.total(t, u), reputation.DailyCap)
		}

		// Accepted answers are not capped.
		acc := f.award(t, reputation.Event{BrandID: f.brand.ID, UserID: u, Reason: reputation.AnswerAccepted, PostID: 1, ActorID: fanIDs[0], At: at})
		if acc != reputation.Points[reputation.AnswerAccepted] {
			t.Errorf("accepted answer at cap granted %d", acc)
		}

		// The cap is per UTC day: the next day (clock moved, not slept) earns again.
		next := time.Date(day1.Year(), day1.Month(), day1.Day()+1, 0, 0, 0, 0, time.UTC)
		if got := f.award(t, reputation.Event{BrandID: f.brand.ID, UserID: u, Reason: reputation.KudosReceived, PostID: 999, ActorID: fanIDs[1], At: next}); got != pts {
			t.Errorf("first kudos of the next day granted %d, want %d", got, pts)
		}
		// One millisecond before midnight still counts as day one.
		if got := f.award(t, reputation.Event{BrandID: f.brand.ID, UserID: u, Reason: reputation.KudosReceived, PostID: 998, ActorID: fanIDs[2], At: next.Add(-time.Millisecond)}); got != 0 {
			t.Errorf("kudos at 23:59:59.999 of a capped day granted %d", got)
		}
		if tot := f.total(t, u); tot != reputation.DailyCap+acc+pts {
			t.Errorf("total %d, want %d", tot, reputation.DailyCap+acc+pts)
		}
	})
}

func TestStaffEarnNothing(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		actor := f.user(t, "asker")
		for _, role := range []string{"agent", "moderator", "admin"} {
			u := f.user(t, "staff_"+role, role)
			for reason := range reputation.Points {
				if got := f.award(t, reputation.Event{BrandID: f.brand.ID, UserID: u, Reason: reason, PostID: 1, ActorID: actor, At: day1}); got != 0 {
					t.Errorf("%s earned %d for %s", role, got, reason)
				}
			}
			if tot := f.total(t, u); tot != 0 {
				t.Errorf("%s total %d", role, tot)
			}
		}
		// Non-staff roles do earn.
		for _, role := range []string{"trusted", "client_manager"} {
			u := f.user(t, "peer_"+role, role)
			if got := f.award(t, reputation.Event{BrandID: f.brand.ID, UserID: u, Reason: reputation.KudosReceived, PostID: 1, ActorID: actor, At: day1}); got == 0 {
				t.Errorf("%s earned nothing", role)
			}
		}
	})
}

func TestReverseReturnsWhatWasGranted(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		u := f.user(t, "answerer")
		a1, a2 := f.user(t, "voter1"), f.user(t, "voter2")
		pts := reputation.Points[reputation.KudosReceived]

		// Bring u to 5 points short of the cap, so voter1's kudos grants only 5
		// and voter2's none. 19 kudos make 190; one event then counts 15 (as if
		// the rules table had changed during the day) for 195.
		filler := f.user(t, "filler")
		for i := range int(reputation.DailyCap/pts) - 1 {
			f.award(t, reputation.Event{BrandID: f.brand.ID, UserID: u, Reason: reputation.KudosReceived, PostID: int64(500 + i), ActorID: filler, At: day1})
		}
		if _, err := f.db.Exec(ctx, `UPDATE reputation_events SET delta = delta + 5 WHERE id = (SELECT MAX(id) FROM reputation_events)`); err != nil {
			t.Fatal(err)
		}
		if err := f.db.InTx(ctx, func(tx *sqldb.Tx) error { return reputation.Rebuild(ctx, forum.LedgerTx(tx), f.brand.ID) }); err != nil {
			t.Fatal(err)
		}
		g1 := f.award(t, reputation.Event{BrandID: f.brand.ID, UserID: u, Reason: reputation.KudosReceived, PostID: 7, ActorID: a1, At: day1})
		g2 := f.award(t, reputation.Event{BrandID: f.brand.ID, UserID: u, Reason: reputation.KudosReceived, PostID: 7, ActorID: a2, At: day1})
		if g1 != 5 || g2 != 0 {
			t.Fatalf("grants near the cap = %d, %d; want 5, 0", g1, g2)
		}
		before := f.total(t, u)

		tests := []struct {
			name string
			ev   reputation.Event
			want int64
		}{
			{"partial grant is reversed exactly", reputation.Event{UserID: u, Reason: reputation.KudosReceived, PostID: 7, ActorID: a1}, -5},
			{"reversing again undoes nothing", reputation.Event{UserID: u, Reason: reputation.KudosReceived, PostID: 7, ActorID: a1}, 0},
			{"a zero grant reverses to zero", reputation.Event{UserID: u, Reason: reputation.KudosReceived, PostID: 7, ActorID: a2}, 0},
			{"nothing granted for that post", reputation.Event{UserID: u, Reason: reputation.KudosReceived, PostID: 8, ActorID: a1}, 0},
			{"other reason", reputation.Event{UserID: u, Reason: reputation.AnswerAccepted, PostID: 7}, 0},
		}
		for _, tt := range tests {
			tt.ev.BrandID, tt.ev.At = f.brand.ID, day1
			if got := f.reverse(t, tt.ev); got != tt.want {
				t.Errorf("%s: Reverse = %d, want %d", tt.name, got, tt.want)
			}
		}
		if after := f.total(t, u); after != before-5 {
			t.Errorf("total after reversals %d, want %d", after, before-5)
		}

		// Without ActorID, Reverse undoes every actor's standing award on the post.
		b := f.user(t, "accepted")
		f.award(t, reputation.Event{BrandID: f.brand.ID, UserID: b, Reason: reputation.AnswerAccepted, PostID: 9, ActorID: a1, At: day1})
		f.award(t, reputation.Event{BrandID: f.brand.ID, UserID: b, Reason: reputation.AnswerAccepted, PostID: 9, ActorID: a2, At: day1})
		if got := f.reverse(t, reputation.Event{BrandID: f.brand.ID, UserID: b, Reason: reputation.AnswerAccepted, PostID: 9, At: day1}); got != -2*reputation.Points[reputation.AnswerAccepted] {
			t.Errorf("Reverse without actor = %d", got)
		}
		if tot := f.total(t, b); tot != 0 {
			t.Errorf("total after full reversal = %d", tot)
		}
	})
}

func TestRebuildEqualsLedger(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		voter := f.user(t, "voter")
		users := []int64{f.user(t, "one"), f.user(t, "two"), f.user(t, "three"), f.user(t, "nobody")}
		for i, u := range users[:3] {
			for j := 0; j <= i; j++ {
				f.award(t, reputation.Event{BrandID: f.brand.ID, UserID: u, Reason: reputation.KudosReceived, PostID: int64(10*i + j), ActorID: voter, At: day1})
			}
			f.award(t, reputation.Event{BrandID: f.brand.ID, UserID: u, Reason: reputation.AnswerAccepted, PostID: int64(i), ActorID: voter, At: day1})
		}
		f.reverse(t, reputation.Event{BrandID: f.brand.ID, UserID: users[2], Reason: reputation.KudosReceived, PostID: 20, ActorID: voter, At: day1})

		// Corrupt the cache, then rebuild from the ledger.
		if _, err := f.db.Exec(ctx, `UPDATE users SET reputation = 12345`); err != nil {
			t.Fatal(err)
		}
		if err := f.db.InTx(ctx, func(tx *sqldb.Tx) error { return reputation.Rebuild(ctx, forum.LedgerTx(tx), f.brand.ID) }); err != nil {
			t.Fatal(err)
		}
		want := []int64{10 + 15, 20 + 15, 30 + 15 - 10, 0}
		for i, u := range append(users, voter) {
			tot := f.total(t, u) // also checks cache == ledger
			if i < len(want) && tot != want[i] {
				t.Errorf("user %d total %d, want %d", i, tot, want[i])
			}
		}
		if tot, err := reputation.Total(ctx, f.db, 99999); err != nil || tot != 0 {
			t.Errorf("Total(unknown) = %d, %v", tot, err)
		}
	})
}

func TestRankFor(t *testing.T) {
	for _, tt := range []struct {
		rep  int64
		want string
	}{
		{-50, "Newcomer"}, {0, "Newcomer"}, {49, "Newcomer"}, {50, "Helper"}, {499, "Helper"},
		{500, "Expert"}, {1999, "Expert"}, {2000, "Legend"}, {1 << 40, "Legend"},
	} {
		if got := reputation.RankFor(tt.rep).Name; got != tt.want {
			t.Errorf("RankFor(%d) = %s, want %s", tt.rep, got, tt.want)
		}
	}
}
