// Package deflectiontest builds the timelines the deflection tests check by
// hand: real threads, replies and acceptances through forum.Service, and
// escalation rows written as the escalation lifecycle documents them.
package deflectiontest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"mutual/account"
	"mutual/forum"
	"mutual/report/deflection"
	"mutual/sqldb"
)

// Clock is a test clock the timeline moves forward.
type Clock interface {
	Now() time.Time
	Add(time.Duration)
}

// Recorder notes viewer-days (deflection.Views).
type Recorder interface {
	Record(brandID, threadID int64, viewer string)
	Flush(ctx context.Context) (int, error)
}

// Timeline is what Build made.
type Timeline struct {
	T0                    time.Time
	BoardA, BoardB        forum.Board
	Peer, Deleted, Agent  forum.Thread // 1, 5, 2
	LatePeer, Withdrawn   forum.Thread // 3, 4
	Asker1, Asker3, Peer1 account.Actor
	Peer2, AgentUser      account.Actor
	From, To              time.Time
}

func actor(t testing.TB, m *account.Members, brandID int64, name string, at time.Time, roles ...string) account.Actor {
	t.Helper()
	ctx := context.Background()
	u, err := m.CreateUnclaimed(ctx, account.Unclaimed{BrandID: brandID, Username: name, Email: name + "@example.com", CreatedAt: at})
	if err != nil {
		t.Fatalf("create %s: %v", name, err)
	}
	for _, r := range roles {
		if err := m.Grant(ctx, brandID, u.ID, r); err != nil {
			t.Fatal(err)
		}
	}
	rs, err := m.RolesOf(ctx, brandID, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return account.Actor{UserID: u.ID, BrandID: brandID, Username: name, Roles: rs}
}

// Build writes the five timelines of docs/deflection.md "Correctness" into
// brandID, starting at the clock's time, and leaves the clock three days on.
// svc must have deflection.Hook subscribed.
//
// It stays long: it is the five timelines of docs/deflection.md written out in
// time order, to be read beside that page.
func Build(t testing.TB, db *sqldb.DB, svc *forum.Service, clk Clock, views Recorder, brandID int64) Timeline {
	t.Helper()
	ctx := context.Background()
	members := account.NewMembers(db, clk.Now)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	var tl Timeline
	var err error
	tl.T0 = clk.Now()
	tl.BoardA, err = svc.CreateBoard(ctx, brandID, forum.NewBoard{Name: "Billing", Description: "Bills"})
	must(err)
	tl.BoardB, err = svc.CreateBoard(ctx, brandID, forum.NewBoard{Name: "Roaming", Description: "Abroad"})
	must(err)
	asker := make([]account.Actor, 6)
	for i := 1; i <= 5; i++ {
		asker[i] = actor(t, members, brandID, fmt.Sprintf("asker%d", i), tl.T0)
	}
	tl.Asker1, tl.Asker3 = asker[1], asker[3]
	tl.Peer1 = actor(t, members, brandID, "peer1", tl.T0)
	tl.Peer2 = actor(t, members, brandID, "peer2", tl.T0)
	tl.AgentUser = actor(t, members, brandID, "agent1", tl.T0, "agent")

	ask := func(a account.Actor, board forum.Board, title string) forum.Thread {
		th, err := svc.Ask(ctx, a, forum.NewThread{BoardID: board.ID, Title: title, Body: "Details of " + title + " please help."})
		must(err)
		return th
	}
	reply := func(a account.Actor, th forum.Thread) forum.Post {
		p, err := svc.Reply(ctx, a, th.ID, forum.NewReply{Body: "Here is what worked for me on " + th.Title})
		must(err)
		return p
	}
	at := func(d time.Duration) { // move the clock to T0+d
		clk.Add(tl.T0.Add(d).Sub(clk.Now()))
	}
	escalate := func(th forum.Thread, status, resolution string, esc, claimed, answered, closed *time.Time) {
		ms := func(tm *time.Time) any {
			if tm == nil {
				return nil
			}
			return tm.UnixMilli()
		}
		var claimer any
		if claimed != nil {
			claimer = tl.AgentUser.UserID
		}
		var id int64
		must(db.InTx(ctx, func(tx *sqldb.Tx) error {
			return tx.QueryRow(ctx, `INSERT INTO escalations (brand_id, thread_id, status, priority, reason, escalated_at, claimed_by, claimed_at, closed_at, kind, answered_at, resolution)
			VALUES (?, ?, ?, 0, 'no peer answer within the SLA', ?, ?, ?, ?, 'sla', ?, ?) RETURNING id`,
				brandID, th.ID, status, esc.UnixMilli(), claimer, ms(claimed), ms(closed), ms(answered), resolution).Scan(&id)
		}))
		ev := func(state string, tm *time.Time) {
			if tm != nil {
				_, err := db.Exec(ctx, `INSERT INTO escalation_events (brand_id, escalation_id, thread_id, state, at) VALUES (?, ?, ?, ?, ?)`, brandID, id, th.ID, state, tm.UnixMilli())
				must(err)
			}
		}
		ev("escalated", esc)
		ev("claimed", claimed)
		ev("answered", answered)
		if status == "cancelled" {
			ev("cancelled", closed)
		} else {
			ev("resolved", closed)
		}
	}
	tp := func(d time.Duration) *time.Time { v := tl.T0.Add(d); return &v }

	// 1. Peer answer in time: asked T0 (board A), peer reply +10m, accepted +30m.
	tl.Peer = ask(asker[1], tl.BoardA, "Why is my bill higher this month")
	// 2. Escalation then agent answer: asked +1m (A), escalated +16m, claimed
	// +21m, agent answers +46m, accepted +61m.
	at(time.Minute)
	tl.Agent = ask(asker[2], tl.BoardA, "Direct debit failed twice")
	// 3. Late peer: asked +2m (B), escalated +17m, peer reply +22m cancels it,
	// accepted +42m.
	at(2 * time.Minute)
	tl.LatePeer = ask(asker[3], tl.BoardB, "Roaming in Norway does not work")
	// 4. Accepted then withdrawn: asked +3m (B), reply +8m, accepted +9m,
	// withdrawn +11m.
	at(3 * time.Minute)
	tl.Withdrawn = ask(asker[4], tl.BoardB, "Data pass not applied abroad")
	// 5. Deleted: asked +4m (A), reply +6m, accepted +7m, deleted +2h.
	at(4 * time.Minute)
	tl.Deleted = ask(asker[5], tl.BoardA, "Spam question that gets deleted")
	at(6 * time.Minute)
	p5 := reply(tl.Peer1, tl.Deleted)
	at(7 * time.Minute)
	_, err = svc.Accept(ctx, asker[5], tl.Deleted.ID, p5.ID)
	must(err)
	at(8 * time.Minute)
	p4 := reply(tl.Peer1, tl.Withdrawn)
	at(9 * time.Minute)
	_, err = svc.Accept(ctx, asker[4], tl.Withdrawn.ID, p4.ID)
	must(err)
	at(10 * time.Minute)
	p1 := reply(tl.Peer1, tl.Peer)
	at(11 * time.Minute)
	_, err = svc.Unaccept(ctx, asker[4], tl.Withdrawn.ID)
	must(err)
	at(22 * time.Minute)
	p3 := reply(tl.Peer2, tl.LatePeer)
	escalate(tl.LatePeer, "cancelled", "late_peer", tp(17*time.Minute), nil, nil, tp(22*time.Minute))
	at(30 * time.Minute)
	_, err = svc.Accept(ctx, asker[1], tl.Peer.ID, p1.ID)
	must(err)
	at(42 * time.Minute)
	_, err = svc.Accept(ctx, asker[3], tl.LatePeer.ID, p3.ID)
	must(err)
	at(46 * time.Minute)
	p2 := reply(tl.AgentUser, tl.Agent)
	at(61 * time.Minute)
	_, err = svc.Accept(ctx, asker[2], tl.Agent.ID, p2.ID)
	must(err)
	escalate(tl.Agent, "resolved", "agent", tp(16*time.Minute), tp(21*time.Minute), tp(46*time.Minute), tp(61*time.Minute))

	// Readers, on the first day.
	at(90 * time.Minute)
	views.Record(brandID, tl.Peer.ID, "aReaderA")
	views.Record(brandID, tl.Peer.ID, "aReaderA") // same viewer, same day: one
	views.Record(brandID, tl.Peer.ID, "aReaderB")
	views.Record(brandID, tl.Peer.ID, deflection.MemberKey(tl.Peer2.UserID))
	views.Record(brandID, tl.Peer.ID, deflection.MemberKey(tl.Asker1.UserID)) // the asker: not counted
	views.Record(brandID, tl.Withdrawn.ID, "aReaderA")                        // not solved now: not counted
	views.Record(brandID, tl.Deleted.ID, "aReaderC")                          // solved, but deleted below
	_, err = views.Flush(ctx)
	must(err)
	// The suggestion engineer's rows: one asker who did not post, one who did.
	_, err = db.Exec(ctx, `INSERT INTO suggestion_opens (brand_id, viewer_key, user_id, thread_id, opened_at, asked_thread_id) VALUES (?, 'aSugg1', NULL, ?, ?, NULL), (?, 'aSugg2', NULL, ?, ?, ?)`,
		brandID, tl.Peer.ID, tl.T0.Add(5*time.Minute).UnixMilli(), brandID, tl.Peer.ID, tl.T0.Add(5*time.Minute).UnixMilli(), tl.Withdrawn.ID)
	must(err)

	at(2 * time.Hour)
	must(db.InTx(ctx, func(tx *sqldb.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE threads SET status = 'deleted' WHERE id = ?`, tl.Deleted.ID); err != nil {
			return err
		}
		return svc.Emit(ctx, tx, forum.Event{Kind: "moderation.thread_deleted", BrandID: brandID, BoardID: tl.BoardA.ID, ThreadID: tl.Deleted.ID, At: clk.Now()})
	}))
	tl.From = deflection.BucketStart(deflection.ByDay, tl.T0)
	tl.To = tl.From.AddDate(0, 0, 3)
	return tl
}

// Survey answers and contact clicks of the timeline, written through the
// deflection package (the app test sends them over HTTP instead).
func Readers(t testing.TB, db *sqldb.DB, tl Timeline, brandID int64, at time.Time) {
	t.Helper()
	ctx := context.Background()
	for _, a := range []struct {
		thread int64
		r      deflection.Reader
		saved  bool
	}{
		{tl.Peer.ID, deflection.Reader{Key: "aReaderA"}, true},
		{tl.Peer.ID, deflection.Reader{Key: deflection.MemberKey(tl.Peer2.UserID), UserID: tl.Peer2.UserID}, false},
		{tl.LatePeer.ID, deflection.Reader{Key: "aReaderB"}, true},
	} {
		if err := deflection.AnswerSurvey(ctx, db, brandID, a.thread, a.r, a.saved, at); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := deflection.RecordContact(ctx, db, brandID, tl.Peer.ID, deflection.Reader{Key: "aReaderB"}, at); err != nil {
		t.Fatal(err)
	}
	if _, err := deflection.RecordContact(ctx, db, brandID, tl.LatePeer.ID, deflection.Reader{Key: deflection.MemberKey(tl.Asker3.UserID), UserID: tl.Asker3.UserID}, at); err != nil {
		t.Fatal(err)
	}
}
