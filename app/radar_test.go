package app_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"mutual/app"
	"mutual/forum"
	"mutual/radar"
	"mutual/sqldb"
)

// outage asks n look-alike questions about one outage, one every gap, on
// the site's board, and returns their ids.
func outage(t *testing.T, s *site, askers []member, n int, gap time.Duration) []int64 {
	t.Helper()
	titles := []string{"No 4G in Leeds since 09:00", "4G down in Leeds?", "Lost 4G in Leeds this morning",
		"Anyone else without 4G in Leeds?", "4G not working in Leeds since 09:00", "Is 4G out in Leeds right now?"}
	var ids []int64
	for i := range n {
		th, err := s.svc.Ask(context.Background(), askers[i%len(askers)].actor, forum.NewThread{BoardID: s.board.ID,
			Title: titles[i%len(titles)], Body: fmt.Sprintf("Since this morning my phone shows no 4G here in Leeds (%d). Restarted twice.", i)})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, th.ID)
		s.clock.Add(gap)
	}
	return ids
}

func radarSite(t *testing.T) (*site, []member) {
	s := newSite(t)
	var askers []member
	for i := range 6 {
		askers = append(askers, s.user(s.brand.ID, fmt.Sprintf("asker%d", i)))
	}
	return s, askers
}

// The app groups each question just after it is asked, without waiting
// for the radar's pass.
func TestRadarGroupsLookAlikeQuestionsAsTheyAreAsked(t *testing.T) {
	s, askers := radarSite(t)
	ctx := context.Background()
	ids := outage(t, s, askers, 5, time.Minute)
	other, err := s.svc.Ask(ctx, askers[0].actor, forum.NewThread{BoardID: s.board.ID, Title: "How do I add a second line to my family plan?",
		Body: "We want to add my son's phone to our plan and share the data allowance."})
	if err != nil {
		t.Fatal(err)
	}
	r := s.app.Radar()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		var grouped int
		if err := s.app.DB().QueryRow(ctx, `SELECT COUNT(*) FROM radar_threads`).Scan(&grouped); err != nil {
			t.Fatal(err)
		}
		if grouped == len(ids)+1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d questions grouped after 10 s", grouped, len(ids)+1)
		}
	}
	// The first thread names the group; all five look-alikes are in it.
	var key string
	for g := int64(1); g < 10 && key == ""; g++ {
		if got, err := r.ThreadsOf(ctx, s.brand.ID, radar.GroupKey(g)); err == nil && got[0] == ids[0] {
			key = radar.GroupKey(g)
			if len(got) != len(ids) {
				t.Errorf("group %s holds %v, want %v", key, got, ids)
			}
		}
	}
	if key == "" {
		t.Fatal("the outage's threads are in no group")
	}
	got, _ := r.ThreadsOf(ctx, s.brand.ID, key)
	for _, id := range got {
		if id == other.ID {
			t.Error("an unrelated question joined the outage's group")
		}
	}
	// Another brand's id for the same key finds nothing.
	if _, err := r.ThreadsOf(ctx, s.brand.ID+1, key); err == nil {
		t.Error("another brand reads the group")
	}
}

// recordingAlarm keeps every burst raised, as the incident lane would.
type recordingAlarm struct{ raised []radar.Burst }

func (a *recordingAlarm) Raise(_ context.Context, b radar.Burst) error {
	a.raised = append(a.raised, b)
	return nil
}

func TestRadarRaisesABurstOnceAndAddsLaterThreads(t *testing.T) {
	s, askers := radarSite(t)
	ctx := context.Background()
	// A quiet month first: the brand's baseline, one unrelated question a day.
	s.clock.Add(-29 * 24 * time.Hour)
	for d := range 28 {
		if _, err := s.svc.Ask(ctx, askers[d%6].actor, forum.NewThread{BoardID: s.board.ID,
			Title: fmt.Sprintf("Question %d about my bill and the family plan", d), Body: "The bill shows a charge I do not recognise."}); err != nil {
			t.Fatal(err)
		}
		s.clock.Add(24 * time.Hour)
	}
	s.clock.Add(time.Hour)
	r := s.app.Radar()
	if res, err := r.Pass(ctx); err != nil || res.Bursts != 0 {
		t.Fatalf("quiet month: %+v %v", res, err)
	}
	ids := outage(t, s, askers, 5, 2*time.Minute)
	rec := &recordingAlarm{}
	r.Alarm = rec
	if _, err := r.Pass(ctx); err != nil {
		t.Fatal(err)
	}
	if len(rec.raised) != 1 {
		t.Fatalf("raised %d bursts, want 1: %+v", len(rec.raised), rec.raised)
	}
	b := rec.raised[0]
	if len(b.ThreadIDs) != len(ids) || !strings.Contains(b.Label, "4g") || len(b.Places) == 0 || b.Places[0] != "Leeds" ||
		len(b.BoardIDs) != 1 || b.BoardIDs[0] != s.board.ID || b.Score < radar.DefaultModel().Threshold {
		t.Errorf("burst: %+v", b)
	}
	// The default alarm records it; raising again with more threads adds
	// them to the same burst rather than a second one.
	r.Alarm = radar.Recorder{DB: s.app.DB(), Now: s.clock.Now}
	if _, err := r.Pass(ctx); err != nil {
		t.Fatal(err)
	}
	more := outage(t, s, askers, 2, time.Minute)
	if _, err := r.Pass(ctx); err != nil {
		t.Fatal(err)
	}
	bursts, err := r.Bursts(ctx, s.brand.ID, s.clock.Now().Add(-time.Hour), 10)
	if err != nil || len(bursts) != 1 {
		t.Fatalf("recorded bursts: %v %v", bursts, err)
	}
	if got := bursts[0].ThreadIDs; len(got) != len(ids)+len(more) {
		t.Errorf("recorded threads %v, want %v and %v", got, ids, more)
	}
}

func TestTrendsPageShowsTheBrandsBurstsOnlyToItsManagers(t *testing.T) {
	s, askers := radarSite(t)
	ctx := context.Background()
	other, err := s.brands.Create(ctx, forum.NewBrand{Host: "other.test", Name: "Other Co"})
	if err != nil {
		t.Fatal(err)
	}
	outage(t, s, askers, 6, time.Minute)
	if _, err := s.app.RunRadar(ctx); err != nil {
		t.Fatal(err)
	}
	mgr := s.user(s.brand.ID, "manager", "client_manager")
	otherMgr := s.user(other.ID, "othermgr", "client_manager")
	s.run([]scenario{
		{name: "manager reads trends", as: s.signedIn(mgr), method: "GET", path: "/reports/trends", status: 200,
			contains: []string{"Emerging issues", "Leeds", "4g", "Rising topics", "<svg"}},
		{name: "member gets 404", as: s.signedIn(askers[0]), method: "GET", path: "/reports/trends", status: 404},
		{name: "anonymous is sent to sign in", as: s.browser(), method: "GET", path: "/reports/trends", status: 303},
		{name: "another brand's session is nobody here", as: s.signedIn(otherMgr), method: "GET", path: "/reports/trends", status: 303},
	})
	ob := s.signedIn(otherMgr)
	ob.host = "other.test"
	res := ob.get("/reports/trends")
	if res.code != 200 || strings.Contains(res.body, "Leeds") || strings.Contains(res.body, s.board.Name) || !strings.Contains(res.body, "No emerging issues") {
		t.Errorf("other brand's trends: %d %s", res.code, clip(res.body))
	}
	s.noErrorLogs()
}

// On Monday morning the brand's client managers get the week's trends by
// mail, through the outbox and a real SMTP server on loopback; another
// brand's manager gets their own brand's, and a plain member nothing.
func TestWeeklyTrendsMailGoesToTheBrandsManagers(t *testing.T) {
	mx := newNotifySMTP(t)
	s := newSite(t, mx.withSMTP)
	ctx := context.Background()
	var askers []member
	for i := range 4 {
		askers = append(askers, s.user(s.brand.ID, fmt.Sprintf("asker%d", i)))
	}
	other, err := s.brands.Create(ctx, forum.NewBrand{Host: "other.test", Name: "Other Co"})
	if err != nil {
		t.Fatal(err)
	}
	mgr, otherMgr := s.user(s.brand.ID, "manager", "client_manager"), s.user(other.ID, "othermgr", "client_manager")
	s.notifyVerify(mgr)
	s.notifyVerify(otherMgr)
	s.notifyVerify(askers[0])
	// Tuesday: the pass books next Monday and mails nothing.
	if n, err := s.app.RunRadarWeekly(ctx); err != nil || n != 0 {
		t.Fatalf("Tuesday: %d %v", n, err)
	}
	s.clock.Add(5*24*time.Hour + 30*time.Minute) // Sunday 10:31
	outage(t, s, askers, 5, time.Minute)
	if _, err := s.app.RunRadar(ctx); err != nil {
		t.Fatal(err)
	}
	if n, err := s.app.RunRadarWeekly(ctx); err != nil || n != 0 {
		t.Fatalf("Sunday: %d %v (not due yet)", n, err)
	}
	s.clock.Add(22 * time.Hour) // Monday 08:36
	if n, err := s.app.RunRadarWeekly(ctx); err != nil || n != 2 {
		t.Fatalf("Monday: queued %d %v, want the two managers", n, err)
	}
	if n, _ := s.app.RunRadarWeekly(ctx); n != 0 {
		t.Errorf("queued %d again the same week", n)
	}
	if run := s.notifyRun(); run.Sent != 2 {
		t.Fatalf("sent %+v", run)
	}
	for _, m := range mx.received() {
		switch m.To[0] {
		case "manager@example.com":
			if !strings.Contains(m.Msg.Header.Get("Subject"), "This week's trends") || !strings.Contains(m.Body, "Emerging issues") ||
				!strings.Contains(m.Body, "4g") || !strings.Contains(m.Body, "/reports/trends") {
				t.Errorf("manager's mail: %s\n%s", m.Msg.Header.Get("Subject"), m.Body)
			}
		case "othermgr@example.com":
			if strings.Contains(m.Body, "4g") || !strings.Contains(m.Body, "No emerging issues") {
				t.Errorf("the other brand's manager read this brand's trends:\n%s", m.Body)
			}
		default:
			t.Errorf("mail to %v", m.To)
		}
	}
}

// With --no-radar nothing is grouped while asking; the pass catches up.
func TestWithoutTheRadarInTheAskThePassGroups(t *testing.T) {
	s := newSite(t, func(c *app.Config) { c.NoRadar = true })
	askers := []member{s.user(s.brand.ID, "asker0"), s.user(s.brand.ID, "asker1")}
	ids := outage(t, s, askers, 3, time.Minute)
	ctx := context.Background()
	if _, err := s.app.Radar().ThreadsOf(ctx, s.brand.ID, radar.GroupKey(1)); err == nil {
		t.Fatal("grouped while asking with the radar off")
	}
	if _, err := s.app.RunRadar(ctx); err != nil {
		t.Fatal(err)
	}
	if got, err := s.app.Radar().ThreadsOf(ctx, s.brand.ID, radar.GroupKey(1)); err != nil || len(got) != len(ids) {
		t.Errorf("after the pass: %v %v", got, err)
	}
}

// A burst the radar finds raises an incident in the brand-defence lane,
// with the burst's threads, on the agents' console, once the radar has
// watched the brand for two weeks (before that it is only listed on the
// trends page); later passes add to it rather than raise another, and once
// an agent closes it the same burst is not raised again.
func TestRadarBurstRaisesAnIncidentOnce(t *testing.T) {
	s, askers := radarSite(t)
	ctx := context.Background()
	outage(t, s, askers, 6, time.Minute)
	if _, err := s.app.RunRadar(ctx); err != nil {
		t.Fatal(err)
	}
	var bursts int
	if err := s.app.DB().QueryRow(ctx, `SELECT COUNT(*) FROM radar_bursts`).Scan(&bursts); err != nil || bursts != 1 {
		t.Fatalf("bursts recorded while learning: %d (%v)", bursts, err)
	}
	if open, _ := s.app.Incidents().Open(ctx, s.brand.ID); len(open) != 0 {
		t.Fatalf("an incident while the radar is still learning the brand: %+v", open)
	}
	s.clock.Add(radar.Learning + 24*time.Hour)
	ids := outage(t, s, askers, 6, time.Minute)
	if _, err := s.app.RunRadar(ctx); err != nil {
		t.Fatal(err)
	}
	open, err := s.app.Incidents().Open(ctx, s.brand.ID)
	if err != nil || len(open) != 1 {
		t.Fatalf("open incidents after the burst: %d (%v)", len(open), err)
	}
	agent := s.user(s.brand.ID, "radaragent", "agent")
	if con := s.signedIn(agent).get("/console"); !strings.Contains(con.body, "/incidents/"+itoa(open[0].ID)) {
		t.Fatalf("the console does not show the radar's incident:\n%s", clip(con.body))
	}
	more := outage(t, s, askers, 3, time.Minute)
	if _, err := s.app.RunRadar(ctx); err != nil {
		t.Fatal(err)
	}
	var held int
	if err := s.app.DB().QueryRow(ctx, `SELECT COUNT(*) FROM incident_threads WHERE incident_id = ?`, open[0].ID).Scan(&held); err != nil ||
		held != len(ids)+len(more) {
		t.Fatalf("the incident holds %d threads (%v), want %d", held, err, len(ids)+len(more))
	}
	if _, err := s.app.Incidents().Close(ctx, agent.actor, open[0].ID, "resumed", ""); err != nil {
		t.Fatal(err)
	}
	s.clock.Add(time.Minute)
	if _, err := s.app.RunRadar(ctx); err != nil {
		t.Fatal(err)
	}
	if again, _ := s.app.Incidents().Open(ctx, s.brand.ID); len(again) != 0 {
		t.Fatalf("the closed outage was raised again: %+v", again)
	}
	s.noErrorLogs()
}

// Threads moderators hid (a spam wave) or hold for review are not a burst;
// the same outage asked in the open is, and its burst holds only those.
func TestRadarLeavesHiddenThreadsOutOfBursts(t *testing.T) {
	s, askers := radarSite(t)
	ctx := context.Background()
	spam := outage(t, s, askers, 6, time.Minute)
	err := s.app.DB().InTx(ctx, func(tx *sqldb.Tx) error {
		for _, id := range spam {
			pg, err := s.svc.Page(ctx, s.brand.ID, id, 0, forum.Cursor{})
			if err != nil {
				return err
			}
			if _, _, err := s.svc.SetPostStatus(ctx, tx, s.brand.ID, pg.Question.ID, forum.StatusHidden); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.app.RunRadar(ctx); err != nil {
		t.Fatal(err)
	}
	if bursts, err := s.app.Radar().Bursts(ctx, s.brand.ID, s.clock.Now().Add(-time.Hour), 10); err != nil || len(bursts) != 0 {
		t.Fatalf("hidden threads made bursts: %+v %v", bursts, err)
	}
	s.clock.Add(time.Minute)
	open := outage(t, s, askers, 6, time.Minute)
	if _, err := s.app.RunRadar(ctx); err != nil {
		t.Fatal(err)
	}
	bursts, err := s.app.Radar().Bursts(ctx, s.brand.ID, s.clock.Now().Add(-time.Hour), 10)
	if err != nil || len(bursts) != 1 || len(bursts[0].ThreadIDs) != len(open) {
		t.Fatalf("the visible outage's bursts: %+v %v, want one of %v", bursts, err, open)
	}
}
