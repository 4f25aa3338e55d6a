package escalation_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"mutual/escalation"
	"mutual/forum"
	"mutual/internal/testkit"
	"mutual/reputation"
	"mutual/sqldb"
	"mutual/sqldb/sqldbtest"
)

func TestEscalatesExactlyWhenSLAPasses(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		th := f.ask("My roaming does not work abroad")
		f.clock.Add(escalation.DefaultPeerSLA - time.Millisecond)
		if n := f.detect(); n != 0 {
			t.Fatalf("escalated %d threads 1 ms before the SLA, want 0", n)
		}
		f.clock.Add(time.Millisecond)
		if n := f.detect(); n != 1 {
			t.Fatalf("escalated %d threads when the SLA passed, want 1", n)
		}
		x, ok := f.escalationOf(th.ID)
		if !ok || x.Status != escalation.StatusEscalated || x.Kind != escalation.KindSLA {
			t.Fatalf("escalation = %+v (found %v), want an open sla escalation", x, ok)
		}
		if !x.EscalatedAt.Equal(f.clock.Now()) {
			t.Errorf("escalated_at = %s, want %s", x.EscalatedAt, f.clock.Now())
		}
		if got := f.states(x.ID); !slices.Equal(got, []string{"escalated"}) {
			t.Errorf("events = %v, want [escalated]", got)
		}
		// Running again (or later) escalates nothing more.
		f.clock.Add(time.Hour)
		if n := f.detect(); n != 0 {
			t.Fatalf("second run escalated %d, want 0", n)
		}
	})
}

func TestPeerReplyBeforeSLAPreventsEscalation(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		th := f.ask("How do I change my tariff?")
		f.clock.Add(10 * time.Minute)
		f.reply(f.peer, th.ID, "Go to My account, then Plans.")
		f.clock.Add(time.Hour)
		if n := f.detect(); n != 0 {
			t.Fatalf("escalated %d, want 0: a peer answered in time", n)
		}
		// The asker's own follow-up is not an answer.
		th2 := f.ask("Voicemail keeps ringing out")
		f.reply(f.asker, th2.ID, "Anyone? Still stuck here.")
		f.clock.Add(16 * time.Minute)
		if n := f.detect(); n != 1 {
			t.Fatalf("escalated %d, want 1: only the asker had replied", n)
		}
	})
}

func TestStaffReplyDoesNotCountAsPeerAnswer(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		mod := f.user("mod", "moderator")
		th := f.ask("Bill shows a charge I do not know")
		f.clock.Add(5 * time.Minute)
		f.reply(mod, th.ID, "Thanks, a member will be along shortly.")
		f.clock.Add(10 * time.Minute)
		if n := f.detect(); n != 1 {
			t.Fatalf("escalated %d, want 1: a staff reply is not a peer answer", n)
		}
	})
}

func TestLockedHiddenAndPendingThreadsNeverEscalate(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		locked, hidden, pending := f.ask("Locked thread question"), f.ask("Hidden thread question"), f.ask("Pending thread question")
		for _, q := range []string{
			fmt.Sprintf(`UPDATE threads SET locked_at = 1 WHERE id = %d`, locked.ID),
			fmt.Sprintf(`UPDATE threads SET status = 'hidden' WHERE id = %d`, hidden.ID),
			fmt.Sprintf(`UPDATE threads SET status = 'pending' WHERE id = %d`, pending.ID),
		} {
			if _, err := f.db.Exec(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		f.clock.Add(24 * time.Hour)
		if n := f.detect(); n != 0 {
			t.Fatalf("escalated %d, want 0", n)
		}
		// Nor by hand.
		if _, err := f.esc.Escalate(ctx, f.asker, locked.ID, "I still need help with this please"); err == nil {
			t.Fatal("manual escalation of a locked thread succeeded")
		}
	})
}

func TestLatePeerReplyCancelsUnclaimedEscalationAndCreditsRescue(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		agent := f.agent("alice", true)
		th := f.ask("Phone will not connect to 5G")
		f.clock.Add(20 * time.Minute)
		f.detect()
		x, _ := f.escalationOf(th.ID)
		if x.Status != escalation.StatusAssigned || x.AssignedTo != agent.UserID {
			t.Fatalf("escalation %+v, want assigned to the agent on shift", x)
		}
		f.clock.Add(time.Minute)
		p := f.reply(f.peer, th.ID, "Turn 5G on under Settings > Mobile data.")
		x, _ = f.escalationOf(th.ID)
		if x.Status != escalation.StatusCancelled || x.Resolution != escalation.ResLatePeer || x.ClosedAt.IsZero() {
			t.Fatalf("after the late peer reply: %+v, want cancelled late_peer", x)
		}
		if got := f.states(x.ID); !slices.Equal(got, []string{"escalated", "assigned", "cancelled"}) {
			t.Errorf("events = %v", got)
		}
		con, err := f.esc.Console(ctx, f.brand.ID, agent.UserID, 50)
		if err != nil {
			t.Fatal(err)
		}
		if len(con.Mine)+len(con.Queue) != 0 {
			t.Errorf("console still lists %d escalations", len(con.Mine)+len(con.Queue))
		}
		var pts int64
		if err := f.db.QueryRow(ctx, `SELECT COALESCE(SUM(delta), 0) FROM reputation_events WHERE user_id = ? AND reason = ? AND post_id = ?`,
			f.peer.UserID, string(reputation.PeerRescue), p.ID).Scan(&pts); err != nil {
			t.Fatal(err)
		}
		if pts != reputation.Points[reputation.PeerRescue] || pts == 0 {
			t.Errorf("rescue bonus = %d, want %d", pts, reputation.Points[reputation.PeerRescue])
		}
	})
}

func TestAgentClaimsAnswersAndAskerAccepts(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		agent := f.agent("alice", false)
		th := f.ask("Cannot top up with my card")
		f.clock.Add(16 * time.Minute)
		f.detect()
		x, _ := f.escalationOf(th.ID)
		if x.Status != escalation.StatusEscalated {
			t.Fatalf("with no agent on shift: %s, want escalated (queued)", x.Status)
		}
		if _, err := f.esc.Claim(ctx, f.peer, x.ID); err == nil {
			t.Fatal("a member claimed an escalation")
		}
		f.clock.Add(time.Minute)
		if _, err := f.esc.Claim(ctx, agent, x.ID); err != nil {
			t.Fatal(err)
		}
		// A peer reply after the claim does not cancel; it is flagged.
		f.clock.Add(time.Minute)
		f.reply(f.peer, th.ID, "Try another card maybe?")
		x, _ = f.escalationOf(th.ID)
		if x.Status != escalation.StatusClaimed || x.PeerReplyAt.IsZero() {
			t.Fatalf("after a peer reply to a claimed escalation: %+v", x)
		}
		f.clock.Add(time.Minute)
		answer := f.reply(agent, th.ID, "I have reset your card limit; please try again.")
		x, _ = f.escalationOf(th.ID)
		if x.Status != escalation.StatusAnswered || x.AnsweredAt.IsZero() {
			t.Fatalf("after the staff reply: %+v, want answered", x)
		}
		if _, err := f.forum.Accept(ctx, f.asker, th.ID, answer.ID); err != nil {
			t.Fatal(err)
		}
		x, _ = f.escalationOf(th.ID)
		if x.Status != escalation.StatusResolved || x.Resolution != escalation.ResAgent {
			t.Fatalf("after accepting the agent's answer: %+v, want resolved agent", x)
		}
		if got := f.states(x.ID); !slices.Equal(got, []string{"escalated", "claimed", "answered", "resolved"}) {
			t.Errorf("events = %v", got)
		}
	})
}

func TestPeerAnswerAcceptedAfterClaimResolvesAsPeer(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		agent := f.agent("alice", true)
		th := f.ask("How do I get my PUK code?")
		f.clock.Add(16 * time.Minute)
		f.detect()
		x, _ := f.escalationOf(th.ID)
		if _, err := f.esc.Claim(ctx, agent, x.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.esc.Close(ctx, agent, x.ID, ""); err == nil {
			t.Fatal("closed a claimed escalation with no reply from anyone")
		}
		p := f.reply(f.peer, th.ID, "It is printed on the card the SIM came in.")
		if _, err := f.forum.Accept(ctx, f.asker, th.ID, p.ID); err != nil {
			t.Fatal(err)
		}
		x, _ = f.escalationOf(th.ID)
		if x.Status != escalation.StatusResolved || x.Resolution != escalation.ResPeerAfterEscalation {
			t.Fatalf("%+v, want resolved peer_after_escalation", x)
		}
	})
}

func TestAgentClosesAfterPeerReplyWithoutReplying(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		agent := f.agent("alice", true)
		th := f.ask("Where is my parcel with the new SIM?")
		f.clock.Add(16 * time.Minute)
		f.detect()
		x, _ := f.escalationOf(th.ID)
		if _, err := f.esc.Claim(ctx, agent, x.ID); err != nil {
			t.Fatal(err)
		}
		f.reply(f.peer, th.ID, "Tracking is in the confirmation e-mail.")
		if _, err := f.esc.Close(ctx, agent, x.ID, "a member answered"); err != nil {
			t.Fatal(err)
		}
		x, _ = f.escalationOf(th.ID)
		if x.Status != escalation.StatusResolved || x.Resolution != escalation.ResPeerAfterEscalation {
			t.Fatalf("%+v", x)
		}
	})
}

func TestClaimTimeoutReturnsToQueueAndReroutes(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		alice := f.agent("alice", true)
		th := f.ask("International calls are blocked")
		f.clock.Add(16 * time.Minute)
		f.detect()
		x, _ := f.escalationOf(th.ID)
		if _, err := f.esc.Claim(ctx, alice, x.ID); err != nil {
			t.Fatal(err)
		}
		bob := f.agent("bob", true)
		f.clock.Add(escalation.DefaultClaimTimeout - time.Second)
		if n, err := f.esc.TimeOutClaims(ctx, f.brand.ID); err != nil || n != 0 {
			t.Fatalf("timed out %d (%v) before the timeout", n, err)
		}
		f.clock.Add(time.Second)
		if n, err := f.esc.TimeOutClaims(ctx, f.brand.ID); err != nil || n != 1 {
			t.Fatalf("timed out %d (%v), want 1", n, err)
		}
		x, _ = f.escalationOf(th.ID)
		if x.Status != escalation.StatusAssigned || x.AssignedTo != bob.UserID || x.ClaimedBy != 0 {
			t.Fatalf("%+v, want re-routed to bob", x)
		}
		if got := f.states(x.ID); !slices.Equal(got, []string{"escalated", "assigned", "claimed", "timed_out", "assigned"}) {
			t.Errorf("events = %v", got)
		}
	})
}

func TestRoutingPicksLeastLoadedAgentWithTheBoardSkill(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		other := testkit.Board(t, f.forum, f.brand.ID, forum.NewBoard{Name: "Devices"})
		devices := f.agent("dev", true, other.ID) // only the Devices board
		a1 := f.agent("ann", true)
		a2 := f.agent("amy", true)
		f.agent("off", false)
		for i := 0; i < 4; i++ {
			f.ask(fmt.Sprintf("Billing question number %d", i))
		}
		f.clock.Add(16 * time.Minute)
		f.detect()
		load := map[int64]int{}
		list, _, err := f.esc.List(ctx, f.brand.ID, "open", escalation.Cursor{}, 50)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range list {
			load[x.AssignedTo]++
		}
		if load[a1.UserID] != 2 || load[a2.UserID] != 2 || load[devices.UserID] != 0 {
			t.Fatalf("loads = %v, want 2 each for a1 and a2, none for the Devices agent", load)
		}
	})
}

func TestStillNeedHelpEscalatesAfterResolutionSLA(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		th := f.ask("Data is very slow every evening")
		f.reply(f.peer, th.ID, "Have you tried restarting?")
		if err := f.esc.StillNeedHelp(ctx, f.peer, th.ID); err == nil {
			t.Fatal("someone other than the asker pressed still need help")
		}
		if err := f.esc.StillNeedHelp(ctx, f.asker, th.ID); err != nil {
			t.Fatal(err)
		}
		f.clock.Add(escalation.DefaultResolutionSLA - time.Minute)
		if n := f.detect(); n != 0 {
			t.Fatalf("escalated %d before the resolution SLA", n)
		}
		f.clock.Add(time.Minute)
		if n := f.detect(); n != 1 {
			t.Fatalf("escalated %d at the resolution SLA, want 1", n)
		}
		x, _ := f.escalationOf(th.ID)
		if x.Kind != escalation.KindStillNeedHelp || x.Priority < escalation.PrioStillNeed {
			t.Fatalf("%+v", x)
		}
	})
}

func TestManualEscalationByAskerOrTrusted(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		th := f.ask("Number porting stuck for a week")
		if _, err := f.esc.Escalate(ctx, f.peer, th.ID, "this has gone on far too long"); err == nil {
			t.Fatal("an ordinary member escalated someone else's thread")
		}
		if _, err := f.esc.Escalate(ctx, f.asker, th.ID, "short"); err == nil {
			t.Fatal("accepted a reason under 10 characters")
		}
		trusted := f.user("trusty", "trusted")
		x, err := f.esc.Escalate(ctx, trusted, th.ID, "Porting needs the operator; peers cannot do it")
		if err != nil {
			t.Fatal(err)
		}
		if x.Kind != escalation.KindManual || !strings.Contains(x.Reason, "trusted member trusty") {
			t.Fatalf("%+v", x)
		}
		if _, err := f.esc.Escalate(ctx, f.asker, th.ID, "I still need help with this one"); err == nil {
			t.Fatal("escalated the same thread twice")
		}
	})
}

func TestFastLaneAndDistressPriority(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		th, err := f.forum.Ask(ctx, f.asker, forum.NewThread{BoardID: f.board.ID, Title: "Someone took money from my account",
			Body: "I think this is fraud, there are payments I never made."})
		if err != nil {
			t.Fatal(err)
		}
		x, ok := f.escalationOf(th.ID)
		if !ok || x.Kind != escalation.KindFastLane || x.Priority < escalation.PrioFastLane {
			t.Fatalf("fast lane: %+v (found %v)", x, ok)
		}
		calm := f.ask("Question about my tariff")
		angry := f.ask("I want to cancel, this is a complaint")
		f.clock.Add(16 * time.Minute)
		f.detect()
		c, _ := f.escalationOf(calm.ID)
		a, _ := f.escalationOf(angry.ID)
		if a.Priority <= c.Priority {
			t.Fatalf("distress priority %d not above calm %d", a.Priority, c.Priority)
		}
	})
}

func TestWithdrawnWhenModerationHidesThread(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		th := f.ask("A question that breaks the rules")
		f.clock.Add(16 * time.Minute)
		f.detect()
		err := f.db.InTx(ctx, func(tx *sqldb.Tx) error {
			if _, err := tx.Exec(ctx, `UPDATE threads SET status = 'hidden' WHERE id = ?`, th.ID); err != nil {
				return err
			}
			return f.forum.Emit(ctx, tx, forum.Event{Kind: "moderation.thread_hidden", BrandID: f.brand.ID, ThreadID: th.ID, Note: "spam"})
		})
		if err != nil {
			t.Fatal(err)
		}
		x, _ := f.escalationOf(th.ID)
		if x.Status != escalation.StatusCancelled || x.Resolution != escalation.ResWithdrawn {
			t.Fatalf("%+v, want cancelled withdrawn", x)
		}
	})
}

func TestPerBoardSLAAndBusinessHours(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		fast := testkit.Board(t, f.forum, f.brand.ID, forum.NewBoard{Name: "Outages"})
		if err := f.esc.SetBoardSLA(ctx, f.brand.ID, fast.ID, 5*time.Minute); err != nil {
			t.Fatal(err)
		}
		th, err := f.forum.Ask(ctx, f.asker, forum.NewThread{BoardID: fast.ID, Title: "No service in my street", Body: "Since this morning."})
		if err != nil {
			t.Fatal(err)
		}
		slow := f.ask("A billing question for later")
		f.clock.Add(5 * time.Minute)
		if n := f.detect(); n != 1 {
			t.Fatalf("escalated %d at the board SLA of 5m, want 1", n)
		}
		if _, ok := f.escalationOf(th.ID); !ok {
			t.Fatal("the Outages thread was not escalated")
		}
		if _, ok := f.escalationOf(slow.ID); ok {
			t.Fatal("the Billing thread escalated before the brand SLA")
		}
	})
	h, err := escalation.ParseHours("Mon-Fri 09:00-17:00", "UTC")
	if err != nil {
		t.Fatal(err)
	}
	fri := time.Date(2026, 3, 6, 16, 50, 0, 0, time.UTC) // Friday, ten minutes before close
	if got, want := h.Due(fri, 15*time.Minute), time.Date(2026, 3, 9, 9, 5, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("due = %s, want %s (Monday morning)", got, want)
	}
	for _, bad := range []string{"Mon-Fri", "Mon-Fri 17:00-09:00", "Funday 09:00-17:00", "Mon 9-5"} {
		if _, err := escalation.ParseHours(bad, "UTC"); err == nil {
			t.Errorf("ParseHours(%q) accepted", bad)
		}
	}
}

// Two detector instances (two connections pools, as two servers would have)
// racing over the same database escalate each overdue thread exactly once.
func TestTwoDetectorsConcurrentlyEscalateEachThreadOnce(t *testing.T) {
	for _, d := range sqldbtest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			target := sqldbtest.Target(t, d)
			dbA, err := sqldb.Open(ctx, target)
			if err != nil {
				t.Fatal(err)
			}
			defer dbA.Close()
			f := newFixtureMigrated(t, dbA)
			dbB, err := sqldb.Open(ctx, target)
			if err != nil {
				t.Fatal(err)
			}
			defer dbB.Close()
			other := escalation.New(dbB, f.clock.Now)
			f.agent("alice", true)
			const threads = 60
			for i := 0; i < threads; i++ {
				f.ask(fmt.Sprintf("Concurrent question number %d", i))
			}
			f.clock.Add(16 * time.Minute)
			var wg sync.WaitGroup
			counts := make([]int, 4)
			for i, s := range []*escalation.Service{f.esc, other, f.esc, other} {
				wg.Add(1)
				go func(i int, s *escalation.Service) {
					defer wg.Done()
					counts[i] = detectWith(t, s, f.brand.ID)
				}(i, s)
			}
			wg.Wait()
			total := counts[0] + counts[1] + counts[2] + counts[3]
			var rows, events, dup int
			if err := dbA.QueryRow(ctx, `SELECT COUNT(*) FROM escalations`).Scan(&rows); err != nil {
				t.Fatal(err)
			}
			if err := dbA.QueryRow(ctx, `SELECT COUNT(*) FROM escalation_events WHERE state = 'escalated'`).Scan(&events); err != nil {
				t.Fatal(err)
			}
			if err := dbA.QueryRow(ctx, `SELECT COUNT(*) FROM escalation_events WHERE state = 'assigned'`).Scan(&dup); err != nil {
				t.Fatal(err)
			}
			if total != threads || rows != threads || events != threads || dup != threads {
				t.Fatalf("detectors reported %v (sum %d), %d rows, %d escalated events, %d assigned events; want %d each",
					counts, total, rows, events, dup, threads)
			}
		})
	}
}

func newFixtureMigrated(t *testing.T, db *sqldb.DB) *fixture {
	t.Helper()
	if _, err := migrationsUp(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	return newFixture(t, db)
}

func TestReplayCountsWhatWouldHaveEscalated(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		mod := f.user("mod", "moderator")
		quick, late, never := f.ask("Answered quickly by a peer"), f.ask("Answered late by a peer"), f.ask("Only staff ever answered")
		commented := f.ask("Only a clarifying comment came quickly")
		f.clock.Add(5 * time.Minute)
		f.reply(mod, never.ID, "Staff here: looking into it.")
		// An imported comment: a reply, but not an answer.
		c := f.reply(f.peer, commented.ID, "Which model is it?")
		if _, err := f.db.Exec(ctx, `UPDATE posts SET reply_kind = ? WHERE id = ?`, forum.ReplyComment, c.ID); err != nil {
			t.Fatal(err)
		}
		f.clock.Add(5 * time.Minute)
		f.reply(f.peer, quick.ID, "Here is how, step by step.")
		f.clock.Add(2 * time.Hour)
		f.reply(f.peer, late.ID, "Sorry for the wait: here is how.")
		r, err := f.esc.Replay(ctx, f.brand.ID, 15*time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if a := r.AnyReply; r.Threads != 4 || a.Escalated != 2 || a.LateRescued != 1 || a.NeverAnswered != 1 {
			t.Fatalf("replay at 15m, any reply = %+v, want 4 threads, 2 escalated (1 late peer, 1 never)", r)
		}
		// Counting answers only, the commented thread was never answered.
		if a := r.Answer; a.Escalated != 3 || a.LateRescued != 1 || a.NeverAnswered != 2 {
			t.Fatalf("replay at 15m, answers = %+v, want 3 escalated (1 late peer, 2 never)", a)
		}
		if r, _ = f.esc.Replay(ctx, f.brand.ID, 3*time.Hour); r.AnyReply.Escalated != 1 || r.Answer.Escalated != 2 {
			t.Fatalf("replay at 3h escalated %d / %d, want 1 / 2", r.AnyReply.Escalated, r.Answer.Escalated)
		}
		// Replay writes nothing.
		var n int
		if err := f.db.QueryRow(ctx, `SELECT COUNT(*) FROM escalations`).Scan(&n); err != nil || n != 0 {
			t.Fatalf("replay wrote %d escalations (%v)", n, err)
		}
	})
}

// Bulk-written history may leave first_peer_reply_at unset although a peer
// replied: the re-check reads the posts, does not escalate, and repairs it.
func TestDetectorTrustsPostsOverAStaleColumn(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		th := f.ask("Thread written in bulk long ago")
		f.reply(f.peer, th.ID, "A peer answer the bulk writer did not record.")
		if _, err := f.db.Exec(ctx, `UPDATE threads SET first_peer_reply_at = NULL WHERE id = ?`, th.ID); err != nil {
			t.Fatal(err)
		}
		f.clock.Add(time.Hour)
		if n := f.detect(); n != 0 {
			t.Fatalf("escalated %d, want 0", n)
		}
		var at int64
		if err := f.db.QueryRow(ctx, `SELECT COALESCE(first_peer_reply_at, 0) FROM threads WHERE id = ?`, th.ID).Scan(&at); err != nil || at == 0 {
			t.Fatalf("first_peer_reply_at not repaired (%d, %v)", at, err)
		}
	})
}

func TestBusinessHoursDelayTheSLA(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		hours, tz := "Mon-Fri 09:00-17:00", "UTC"
		if _, err := f.esc.UpdateSettings(ctx, f.brand.ID, escalation.Update{BusinessHours: &hours, Timezone: &tz}); err != nil {
			t.Fatal(err)
		}
		f.clock.Add(4*24*time.Hour + 6*time.Hour + 50*time.Minute) // Friday 16:50
		th := f.ask("Asked just before the weekend")
		f.clock.Add(time.Hour)
		if n := f.detect(); n != 0 {
			t.Fatalf("escalated %d on Friday evening, want 0 (10 business minutes passed)", n)
		}
		f.clock.Add(2*24*time.Hour + 15*time.Hour + 14*time.Minute) // Monday 09:04
		if n := f.detect(); n != 0 {
			t.Fatalf("escalated %d at Monday 09:04, want 0", n)
		}
		f.clock.Add(time.Minute) // Monday 09:05: 15 business minutes
		if n := f.detect(); n != 1 {
			t.Fatalf("escalated %d at Monday 09:05, want 1", n)
		}
		if _, ok := f.escalationOf(th.ID); !ok {
			t.Fatal("not escalated")
		}
	})
}

func TestHandoverAndShiftChanges(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		alice := f.agent("alice", true)
		bob := f.agent("bob", false)
		th := f.ask("Handover question about roaming")
		f.clock.Add(16 * time.Minute)
		f.detect()
		x, _ := f.escalationOf(th.ID)
		if _, err := f.esc.Claim(ctx, alice, x.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.esc.Handover(ctx, alice, x.ID, bob.UserID, ""); err == nil {
			t.Fatal("hand-over without a note accepted")
		}
		if _, err := f.esc.Handover(ctx, bob, x.ID, bob.UserID, "mine now"); err == nil {
			t.Fatal("an agent who does not hold it handed it over")
		}
		x, err := f.esc.Handover(ctx, alice, x.ID, bob.UserID, "needs the roaming team")
		if err != nil {
			t.Fatal(err)
		}
		if x.Status != escalation.StatusAssigned || x.AssignedTo != bob.UserID || x.HandoverNote != "needs the roaming team" {
			t.Fatalf("after hand-over: %+v", x)
		}
		// Bob goes off shift without claiming: back to the queue, routed to alice.
		if err := f.esc.SetShift(ctx, f.brand.ID, bob.UserID, false); err != nil {
			t.Fatal(err)
		}
		x, _ = f.escalationOf(th.ID)
		if x.Status != escalation.StatusAssigned || x.AssignedTo != alice.UserID {
			t.Fatalf("after bob went off shift: %+v, want assigned to alice", x)
		}
		want := []string{"escalated", "assigned", "claimed", "released", "assigned", "released", "assigned"}
		if got := f.states(x.ID); !slices.Equal(got, want) {
			t.Errorf("events = %v, want %v", got, want)
		}
	})
}
