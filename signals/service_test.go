package signals_test

import (
	"context"
	"testing"
	"time"

	"mutual/account"
	"mutual/forum"
	"mutual/internal/testkit"
	"mutual/markup"
	"mutual/signals"
	"mutual/sqldb"
	"mutual/sqldb/sqldbtest"
)

var ctx = context.Background()

type fixture struct {
	t       *testing.T
	db      *sqldb.DB
	clock   *testkit.Clock
	members *account.Members
	forum   *forum.Service
	sig     *signals.Service
	brand   forum.Brand
	billing forum.Board
	network forum.Board
}

func eachStore(t *testing.T, fn func(t *testing.T, f *fixture)) {
	t.Helper()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		clk := testkit.NewClock(time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)) // a Wednesday
		f := &fixture{t: t, db: db, clock: clk, members: account.NewMembers(db, clk.Now),
			forum: forum.NewService(db, markup.NewRenderer(), clk.Now), sig: signals.New(db, clk.Now)}
		f.forum.Subscribe(f.sig.Hook)
		brands := forum.NewBrands(db, clk.Now)
		f.brand = testkit.Brand(t, brands, forum.NewBrand{Host: "localhost", Name: "Alpha", Default: true})
		f.billing = testkit.Board(t, f.forum, f.brand.ID, forum.NewBoard{Name: "Billing"})
		f.network = testkit.Board(t, f.forum, f.brand.ID, forum.NewBoard{Name: "Network"})
		fn(t, f)
	})
}

func (f *fixture) member(brandID int64, name string, roles ...string) account.Actor {
	f.t.Helper()
	return testkit.Member(f.t, f.members, account.Unclaimed{BrandID: brandID, Username: name, Email: name + "@example.com", CreatedAt: f.clock.Now()}, roles...)
}

func (f *fixture) ask(a account.Actor, board forum.Board, title, body string) forum.Thread {
	f.t.Helper()
	return testkit.Ask(f.t, f.forum, a, forum.NewThread{BoardID: board.ID, Title: title, Body: body, Language: "en"})
}

func (f *fixture) score() int {
	f.t.Helper()
	total := 0
	for {
		n, err := f.sig.ScoreNew(ctx, 2)
		if err != nil {
			f.t.Fatal(err)
		}
		if total += n; n == 0 {
			return total
		}
	}
}

func TestScoresPostsAndReportsNegativeShareByBoardAndWeek(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		ann, bob := f.member(f.brand.ID, "ann"), f.member(f.brand.ID, "bob")
		agent := f.member(f.brand.ID, "agent", "agent")
		f.ask(ann, f.billing, "Billed twice, this is awful", "Terrible service, I am really angry about it.")
		f.ask(bob, f.billing, "How do I read my bill", "Where do I find the PDF of my bill?")
		th := f.ask(bob, f.network, "Great coverage in Leeds", "Love the new 5G speeds, thanks!")
		testkit.Reply(t, f.forum, agent, th.ID, "Sorry to hear it is awful and terrible, that is horrible.") // staff: not counted
		es := testkit.Ask(t, f.forum, ann, forum.NewThread{BoardID: f.network.ID, Title: "La red es horrible",
			Body: "No tengo cobertura y el servicio es terrible.", Language: "es"})
		if n := f.score(); n != 5 {
			t.Fatalf("scored %d posts, want 5", n)
		}
		if n := f.score(); n != 0 {
			t.Fatalf("a second pass scored %d, want 0", n)
		}
		weeks, err := f.sig.Sentiment(ctx, f.brand.ID, signals.WeekStart(f.clock.Now()))
		if err != nil {
			t.Fatal(err)
		}
		got := map[string][2]int{}
		for _, w := range weeks {
			if !w.Week.Equal(time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)) {
				t.Errorf("week %v, want Monday 2 March", w.Week)
			}
			got[w.Board] = [2]int{w.Scored, w.Negatives}
		}
		if got["Billing"] != [2]int{2, 1} || got["Network"] != [2]int{1, 0} {
			t.Errorf("board weeks = %v, want Billing 1 negative of 2, Network 0 of 1 (staff and Spanish left out)", got)
		}
		var scored int
		if err := f.db.QueryRow(ctx, `SELECT scored FROM post_signals WHERE thread_id = ?`, es.ID).Scan(&scored); err != nil || scored != 0 {
			t.Errorf("the Spanish post: scored = %d (%v), want left unscored", scored, err)
		}
	})
}

// A post whose id is below the newest scored one, as when on PostgreSQL it
// commits after a later post was scored, is still scored there. On SQLite
// no such post can appear, and the scorer reads only what is new.
func TestAPostCommittedLateIsScoredWhereThatCanHappen(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		ann := f.member(f.brand.ID, "ann")
		late := f.ask(ann, f.billing, "Billed twice", "Terrible, I am really angry.")
		f.ask(ann, f.network, "No signal in Leeds", "Since Monday.")
		if n := f.score(); n != 2 {
			t.Fatalf("scored %d posts, want 2", n)
		}
		// Unseen, as a post that committed late would be.
		if _, err := f.db.Exec(ctx, `DELETE FROM post_signals WHERE thread_id = ?`, late.ID); err != nil {
			t.Fatal(err)
		}
		want := 0
		if f.db.Dialect() == sqldb.Postgres {
			want = 1
		}
		if n := f.score(); n != want {
			t.Errorf("on %s the late post: scored %d, want %d", f.db.Dialect(), n, want)
		}
	})
}

func TestAnEditRescoresItsPost(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		ann := f.member(f.brand.ID, "ann")
		th := f.ask(ann, f.billing, "Question about roaming", "Roaming works, thanks.")
		f.score()
		q, err := f.forum.Question(ctx, f.brand.ID, th.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.forum.Edit(ctx, ann, q.ID, "Question about roaming", "Roaming is awful and I'm cancelling my contract."); err != nil {
			t.Fatal(err)
		}
		var s float64
		var churn string
		if err := f.db.QueryRow(ctx, `SELECT sentiment, churn_phrase FROM post_signals WHERE thread_id = ?`, th.ID).Scan(&s, &churn); err != nil {
			t.Fatal(err)
		}
		if s > signals.Negative || churn != "i'm cancelling" {
			t.Errorf("after the edit: sentiment %.3f, churn %q; want negative and the churn phrase", s, churn)
		}
	})
}

// A new post edited before the scorer reached it is scored with its new
// text, and the posts before it are not passed over.
func TestAnEditBeforeScoringSkipsNothing(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		ann := f.member(f.brand.ID, "ann")
		first := f.ask(ann, f.billing, "Billed twice", "Terrible, I am really angry.")
		edited := f.ask(ann, f.network, "Roaming question", "Roaming works, thanks.")
		q, err := f.forum.Question(ctx, f.brand.ID, edited.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.forum.Edit(ctx, ann, q.ID, "Roaming question", "Roaming is awful and I'm cancelling my contract."); err != nil {
			t.Fatal(err)
		}
		if n := f.score(); n != 2 {
			t.Errorf("scored %d posts, want both", n)
		}
		var churn string
		if err := f.db.QueryRow(ctx, `SELECT churn_phrase FROM post_signals WHERE thread_id = ?`, edited.ID).Scan(&churn); err != nil || churn != "i'm cancelling" {
			t.Errorf("the edited post's churn phrase %q (%v), want its new text's", churn, err)
		}
		var rows int
		if err := f.db.QueryRow(ctx, `SELECT COUNT(*) FROM post_signals WHERE thread_id = ?`, first.ID).Scan(&rows); err != nil || rows != 1 {
			t.Errorf("the post before the edited one has %d signal rows (%v), want 1", rows, err)
		}
	})
}

func TestChurnAndLeadsForTheBrandOnly(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		other := testkit.Brand(t, forum.NewBrands(f.db, f.clock.Now), forum.NewBrand{Host: "beta.test", Name: "Beta"})
		otherBoard := testkit.Board(t, f.forum, other.ID, forum.NewBoard{Name: "Beta billing"})
		ann, bob, cat := f.member(f.brand.ID, "ann"), f.member(f.brand.ID, "bob"), f.member(f.brand.ID, "cat")
		agent := f.member(f.brand.ID, "agent", "agent")
		zed := f.member(other.ID, "zed")
		for _, a := range []account.Actor{ann, cat, zed} {
			if err := f.members.SetMarketingOptIn(ctx, a, true); err != nil {
				t.Fatal(err)
			}
		}
		leaving := f.ask(ann, f.billing, "Fed up with this", "I'm leaving for another network at the end of the month.")
		f.ask(bob, f.billing, "Staying with you", "I'm not leaving, I just want my bill fixed.")
		th := f.ask(ann, f.network, "Which plan for a family of four?", "We need lots of data.")
		f.ask(bob, f.network, "Can I upgrade early?", "My contract ends in May.") // bob never opted in
		f.ask(cat, f.network, "Add a line please", "I'd like to add a line for my son.")
		testkit.Reply(t, f.forum, agent, th.ID, "You can raise a complaint with the ombudsman, or upgrade to the family plan.")
		testkit.Ask(t, f.forum, zed, forum.NewThread{BoardID: otherBoard.ID, Title: "Switching to a rival", Body: "Want to upgrade too.", Language: "en"})
		f.score()

		since := signals.WeekStart(f.clock.Now())
		churn, err := f.sig.Churn(ctx, f.brand.ID, since, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(churn) != 1 || churn[0].ThreadID != leaving.ID || churn[0].Member != "ann" || churn[0].Phrase != "i'm leaving" {
			t.Errorf("churn = %+v, want ann's one post (not bob's negated one, not the agent's advice, not Beta's)", churn)
		}
		weeks, err := f.sig.ChurnWeeks(ctx, f.brand.ID, since)
		if err != nil || len(weeks) != 1 || weeks[0].Count != 1 {
			t.Errorf("churn weeks = %+v (%v), want one week with 1", weeks, err)
		}
		leads, err := f.sig.Leads(ctx, f.brand.ID, since, 10)
		if err != nil {
			t.Fatal(err)
		}
		var who []string
		for _, l := range leads {
			who = append(who, l.Member+":"+l.Phrase)
		}
		if len(who) != 2 || who[0] != "cat:add a line" || who[1] != "ann:which plan" {
			t.Errorf("leads = %v, want cat's and ann's (bob did not opt in; the agent is staff; zed is Beta's)", who)
		}
		if n, err := f.sig.LeadCount(ctx, f.brand.ID, since); err != nil || n != 2 {
			t.Errorf("lead count = %d (%v), want 2", n, err)
		}
		// Opting out takes a member off the list at once.
		if err := f.members.SetMarketingOptIn(ctx, cat, false); err != nil {
			t.Fatal(err)
		}
		if n, _ := f.sig.LeadCount(ctx, f.brand.ID, since); n != 1 {
			t.Errorf("after cat opted out: %d leads, want 1", n)
		}
	})
}

func TestExportAndEraseAMembersSignals(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		ann, bob := f.member(f.brand.ID, "ann"), f.member(f.brand.ID, "bob")
		f.ask(ann, f.billing, "Which plan?", "Thinking of getting a new phone. This app is awful.")
		f.ask(bob, f.billing, "Hello everyone", "Just saying hello.")
		f.score()
		got, err := signals.ExportMember(ctx, f.db, f.brand.ID, ann.UserID)
		if err != nil || len(got) != 1 || got[0].Lead != "which plan" || !got[0].Scored {
			t.Fatalf("export = %+v (%v), want ann's one post with its lead phrase", got, err)
		}
		if err := f.db.InTx(ctx, func(tx *sqldb.Tx) error { return signals.EraseMember(ctx, tx, f.brand.ID, ann.UserID) }); err != nil {
			t.Fatal(err)
		}
		if got, _ := signals.ExportMember(ctx, f.db, f.brand.ID, ann.UserID); len(got) != 0 {
			t.Errorf("after erasure: %+v", got)
		}
		if got, _ := signals.ExportMember(ctx, f.db, f.brand.ID, bob.UserID); len(got) != 1 {
			t.Errorf("bob's signals went with ann's: %+v", got)
		}
	})
}

// BenchmarkScoreNew is the background scorer's pace through a backlog
// (posts written before signals existed): posts scored per second, in
// batches of 500 as the server runs it.
func BenchmarkScoreNew(b *testing.B) {
	db := sqldbtest.Open(b, sqldb.SQLite)
	clk := testkit.NewClock(time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC))
	members := account.NewMembers(db, clk.Now)
	fs := forum.NewService(db, markup.NewRenderer(), clk.Now)
	brand := testkit.Brand(b, forum.NewBrands(db, clk.Now), forum.NewBrand{Host: "localhost", Name: "Alpha", Default: true})
	board := testkit.Board(b, fs, brand.ID, forum.NewBoard{Name: "Billing"})
	ann := testkit.Member(b, members, account.Unclaimed{BrandID: brand.ID, Username: "ann", Email: "ann@example.com", CreatedAt: clk.Now()})
	const posts = 2000
	th := testkit.Ask(b, fs, ann, forum.NewThread{BoardID: board.ID, Title: "Which plan should I take?", Body: "Thinking of getting a new phone.", Language: "en"})
	for i := 1; i < posts; i++ {
		testkit.Reply(b, fs, ann, th.ID, "My internet hasn't worked for 3 days. Support is useless! I'm thinking of switching to another provider, what would you do?")
	}
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		if _, err := db.Exec(ctx, `DELETE FROM post_signals`); err != nil {
			b.Fatal(err)
		}
		sig := signals.New(db, clk.Now)
		b.StartTimer()
		for {
			n, err := sig.ScoreNew(ctx, 500)
			if err != nil {
				b.Fatal(err)
			}
			if n == 0 {
				break
			}
		}
	}
	b.ReportMetric(float64(posts*b.N)/b.Elapsed().Seconds(), "posts/s")
}
