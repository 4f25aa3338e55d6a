package deflection_test

import (
	"context"
	"io"
	"log/slog"
	"strconv"
	"sync"
	"testing"
	"time"

	"mutual/account"
	"mutual/forum"
	"mutual/internal/testkit"
	"mutual/markup"
	"mutual/report/deflection"
	"mutual/report/deflection/deflectiontest"
	"mutual/sqldb"
	"mutual/sqldb/sqldbtest"
)

// slas are the brand's defaults, which the escalation settings own.
var slas = deflection.SLAs{Peer: 15 * time.Minute, Agent: time.Hour}

func setup(t *testing.T, db *sqldb.DB) (*testkit.Clock, forum.Brand, *forum.Service, *deflection.Views) {
	t.Helper()
	clk := testkit.NewClock(time.Date(2025, 5, 5, 9, 0, 0, 0, time.UTC)) // a Monday
	b := testkit.Brand(t, forum.NewBrands(db, clk.Now), forum.NewBrand{Host: "acme.test", Name: "Acme", ColorPrimary: "#123456", ColorAccent: "#abcdef"})
	svc := forum.NewService(db, markup.NewRenderer(), clk.Now)
	svc.Subscribe(deflection.Hook)
	return clk, b, svc, deflection.NewViews(db, clk.Now, slog.New(slog.NewTextHandler(io.Discard, nil)))
}

// TestReportTimelines checks every figure of the five timelines against values
// worked out by hand (docs/deflection.md "Correctness" shows the sums).
func TestReportTimelines(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		clk, b, svc, views := setup(t, db)
		tl := deflectiontest.Build(t, db, svc, clk, views, b.ID)
		form := deflection.FormOf(deflection.DefaultSettings(b.ID))
		form.ContactURL = "https://acme.example/contact"
		if _, err := deflection.SaveSettings(ctx, db, b.ID, form, clk.Now()); err != nil {
			t.Fatal(err)
		}
		deflectiontest.Readers(t, db, tl, b.ID, tl.T0.Add(3*time.Hour))
		clk.Add(tl.T0.Add(72 * time.Hour).Sub(clk.Now()))

		r, err := deflection.Compute(ctx, db, deflection.Query{BrandID: b.ID, From: tl.From, To: tl.To, Group: deflection.ByWeek, SLAs: slas}, clk.Now())
		if err != nil {
			t.Fatal(err)
		}
		want := deflection.Figures{
			Asked: 4, Answered: 4, PeerAnswered: 3, PeerResolved: 2, Escalated: 2, LatePeer: 1, AgentResolved: 1, OtherResolved: 0, Unresolved: 1,
			EscalationRate: 50, DirectRaw: 2, Recontacted: 1, DirectCorrected: 1, SuggestionDeflections: 1,
			SolvedViews: 3, ContactsFromSolved: 1, SurveyYes: 2, SurveyAnswers: 3, SelfService: 0.2, DeflectedContacts: 2.2,
			AgentEscalations: 1, GrossSavingMinor: 1320, AgentCostMinor: 600, SavingMinor: 720,
			FirstPeerAnswer: deflection.Timing{N: 3, MedianSeconds: 600, P90Seconds: 1200},
			AcceptedAnswer:  deflection.Timing{N: 3, MedianSeconds: 2400, P90Seconds: 3600},
			AgentClaim:      deflection.Timing{N: 1, MedianSeconds: 300, P90Seconds: 300},
			AgentAnswer:     deflection.Timing{N: 1, MedianSeconds: 1800, P90Seconds: 1800},
			FirstAnswerSLA:  deflection.Compliance{Within: 2, Due: 4, Percent: 50},
			AgentSLA:        deflection.Compliance{Within: 1, Due: 1, Percent: 100},
		}
		if r.Totals != want {
			t.Errorf("totals\n got %+v\nwant %+v", r.Totals, want)
		}
		if r.Rate.Measured || r.Rate.Percent != 10 || r.Rate.Answers != 3 || r.Rate.Minimum != 30 {
			t.Errorf("rate = %+v, want the assumed 10%% from 3 of 30 answers", r.Rate)
		}
		if len(r.Groups) != 1 || r.Groups[0].Key != "2025-05-05" || r.Groups[0].Figures != want {
			t.Errorf("week rows = %+v", r.Groups)
		}
		if len(r.Boards) != 2 || r.Boards[0].Label != "Billing" || r.Boards[1].Label != "Roaming" {
			t.Fatalf("board rows = %+v", r.Boards)
		}
		a, bb := r.Boards[0].Figures, r.Boards[1].Figures
		if a.Asked != 2 || a.PeerResolved != 1 || a.AgentResolved != 1 || a.SolvedViews != 3 || a.SuggestionDeflections != 1 || a.SavingMinor != 720 || a.DirectCorrected != 1 {
			t.Errorf("billing = %+v", a)
		}
		if bb.Asked != 2 || bb.PeerResolved != 1 || bb.LatePeer != 1 || bb.Unresolved != 1 || bb.DirectRaw != 1 || bb.DirectCorrected != 0 || bb.SavingMinor != 0 {
			t.Errorf("roaming = %+v", bb)
		}
		if len(r.Trend) != 1 || r.Trend[0].PeerResolved != 2 || r.Trend[0].AgentResolved != 1 {
			t.Errorf("trend = %+v", r.Trend)
		}
		// First replies: 10m, 45m, 20m, 5m.
		gotDist := map[string]int{}
		for _, b := range r.FirstAnswer {
			gotDist[b.Label] = b.Count
		}
		if gotDist["Under 15 min"] != 2 || gotDist["15–60 min"] != 2 || gotDist["No answer yet"] != 0 {
			t.Errorf("first answer distribution = %+v", r.FirstAnswer)
		}

		// Day grouping puts everything on the first of four days.
		r2, err := deflection.Compute(ctx, db, deflection.Query{BrandID: b.ID, From: tl.From, To: tl.To, Group: deflection.ByDay, SLAs: slas}, clk.Now())
		if err != nil {
			t.Fatal(err)
		}
		if len(r2.Groups) != 4 || r2.Groups[0].Asked != 4 || r2.Groups[1].Asked != 0 || r2.Totals != want {
			t.Errorf("day rows = %+v", r2.Groups)
		}

		// A new cost changes the saving, not the counts.
		form.CostPerContact = "10.00"
		if _, err := deflection.SaveSettings(ctx, db, b.ID, form, clk.Now()); err != nil {
			t.Fatal(err)
		}
		r3, err := deflection.Compute(ctx, db, deflection.Query{BrandID: b.ID, From: tl.From, To: tl.To, Group: deflection.ByWeek, SLAs: slas}, clk.Now())
		if err != nil {
			t.Fatal(err)
		}
		want3 := want
		want3.GrossSavingMinor, want3.AgentCostMinor, want3.SavingMinor = 2200, 1000, 1200
		if r3.Totals != want3 {
			t.Errorf("after the cost change\n got %+v\nwant %+v", r3.Totals, want3)
		}

		// The roll-up matches a rebuild from the raw viewer-days.
		if err := deflection.RebuildRollup(ctx, db, b.ID); err != nil {
			t.Fatal(err)
		}
		r4, err := deflection.Compute(ctx, db, deflection.Query{BrandID: b.ID, From: tl.From, To: tl.To, Group: deflection.ByWeek, SLAs: slas}, clk.Now())
		if err != nil {
			t.Fatal(err)
		}
		if r4.Totals.SolvedViews != 3 {
			t.Errorf("rebuilt roll-up counts %d viewer-days, want 3", r4.Totals.SolvedViews)
		}

		// Another brand sees none of it.
		other, err := forum.NewBrands(db, clk.Now).Create(ctx, forum.NewBrand{Host: "other.test", Name: "Other"})
		if err != nil {
			t.Fatal(err)
		}
		ro, err := deflection.Compute(ctx, db, deflection.Query{BrandID: other.ID, From: tl.From, To: tl.To, Group: deflection.ByWeek, SLAs: slas}, clk.Now())
		if err != nil {
			t.Fatal(err)
		}
		if ro.Totals != (deflection.Figures{}) || len(ro.Boards) != 0 {
			t.Errorf("another brand's report = %+v", ro.Totals)
		}
		// A board of another brand is not found.
		if _, err := deflection.Compute(ctx, db, deflection.Query{BrandID: other.ID, From: tl.From, To: tl.To, Group: deflection.ByWeek, BoardID: tl.BoardA.ID, SLAs: slas}, clk.Now()); err == nil {
			t.Error("another brand's board was accepted")
		}
	})
}

func TestSurveyRules(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		clk, b, svc, views := setup(t, db)
		tl := deflectiontest.Build(t, db, svc, clk, views, b.ID)
		asker := deflection.Reader{Key: deflection.MemberKey(tl.Asker1.UserID), UserID: tl.Asker1.UserID}
		if err := deflection.AnswerSurvey(ctx, db, b.ID, tl.Peer.ID, asker, true, clk.Now()); err == nil {
			t.Error("the asker answered the survey on their own question")
		}
		if err := deflection.AnswerSurvey(ctx, db, b.ID, tl.Withdrawn.ID, deflection.Reader{Key: "aX"}, true, clk.Now()); err == nil {
			t.Error("a survey answer on an unsolved thread was taken")
		}
		if err := deflection.AnswerSurvey(ctx, db, b.ID, tl.Deleted.ID, deflection.Reader{Key: "aX"}, true, clk.Now()); err == nil {
			t.Error("a survey answer on a deleted thread was taken")
		}
		for _, yes := range []bool{true, false} { // changing one's mind keeps one answer
			if err := deflection.AnswerSurvey(ctx, db, b.ID, tl.Peer.ID, deflection.Reader{Key: "aX"}, yes, clk.Now()); err != nil {
				t.Fatal(err)
			}
		}
		var n, saved int
		if err := db.QueryRow(ctx, `SELECT COUNT(*), MAX(saved) FROM deflection_survey WHERE thread_id = ?`, tl.Peer.ID).Scan(&n, &saved); err != nil {
			t.Fatal(err)
		}
		if n != 1 || saved != 0 {
			t.Errorf("answers = %d (last saved=%d), want one answer, no", n, saved)
		}
		if _, err := deflection.RecordContact(ctx, db, b.ID, 0, deflection.Reader{Key: "aX"}, clk.Now()); err == nil {
			t.Error("a contact click without a contact page set was taken")
		}
	})
}

func TestCrawlers(t *testing.T) {
	for ua, want := range map[string]bool{
		"": true, "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)": true, "curl/8.5.0": true,
		"facebookexternalhit/1.1": true, "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36": false,
	} {
		if got := deflection.IsCrawler(ua); got != want {
			t.Errorf("IsCrawler(%q) = %v, want %v", ua, got, want)
		}
	}
}

// TestViewsConcurrent records from many goroutines while flushing, and every
// distinct viewer-day lands exactly once.
func TestViewsConcurrent(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		clk, b, svc, views := setup(t, db)
		board := testkit.Board(t, svc, b.ID, forum.NewBoard{Name: "General", Description: "All"})
		asker := testkit.Member(t, account.NewMembers(db, clk.Now), account.Unclaimed{BrandID: b.ID, Username: "asker", Email: "a@example.com", CreatedAt: clk.Now()})
		th := testkit.Ask(t, svc, asker, forum.NewThread{BoardID: board.ID, Title: "A question for counting", Body: "Body text here."})
		var wg sync.WaitGroup
		for g := range 8 {
			wg.Go(func() {
				for i := range 200 {
					views.Record(b.ID, th.ID, "a"+strconv.Itoa((g*200+i)%1000)) // 1,000 distinct viewers, 1,600 views
				}
			})
		}
		done := make(chan struct{})
		go func() { wg.Wait(); close(done) }()
		total := 0
		for {
			n, err := views.Flush(ctx)
			if err != nil {
				t.Fatal(err)
			}
			total += n
			select {
			case <-done:
				n, err := views.Flush(ctx)
				if err != nil {
					t.Fatal(err)
				}
				total += n
				if total != 1000 {
					t.Errorf("wrote %d viewer-days, want 1000", total)
				}
				return
			default:
			}
		}
	})
}
