package e2e

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"mutual/account"
	"mutual/forum"
	"mutual/markup"
)

// TestJourneyIncidentLane: one outage makes too many escalations for one
// problem. After a quiet month of one question a day, each answered by a
// neighbour (the radar's baseline, and its two weeks of learning the
// brand), members in Leeds ask about lost 4G minutes apart: four are
// escalated to the agent, a fifth waits. The app's radar pass groups the
// look-alikes, finds the burst and raises an incident over them, which
// heads the console while the outage's threads leave the agent's list and
// the queue; the agent acknowledges it, posts the pinned known-issue thread
// and replies once in each thread, whose reply links to it.
func TestJourneyIncidentLane(t *testing.T) {
	exe := chromePath(t)
	base, a, clk := escServer(t)
	ctx := context.Background()
	brand, board := demoBoard(t, a)
	svc := forum.NewService(a.DB(), markup.NewRenderer(), clk.Now)
	members := account.NewMembers(a.DB(), clk.Now)
	member := func(name string) account.Actor {
		u, err := members.CreateUnclaimed(ctx, account.Unclaimed{BrandID: brand.ID, Username: name,
			Email: name + "@example.test", CreatedAt: clk.Now()})
		if err != nil {
			t.Fatal(err)
		}
		return account.Actor{UserID: u.ID, BrandID: brand.ID, Username: u.Username}
	}

	// A quiet month: the radar learns the brand's usual rhythm, and no
	// question of it waits for the agent.
	clk.Add(-28 * 24 * time.Hour)
	neighbour := member("neighbour")
	for d := range 28 {
		q, err := svc.Ask(ctx, member("billpayer"+strconv.Itoa(d)), forum.NewThread{BoardID: board.ID,
			Title: "Question " + strconv.Itoa(d) + " about my bill and the family plan", Body: "The bill shows a charge I do not recognise."})
		if err != nil {
			t.Fatal(err)
		}
		clk.Add(20 * time.Minute)
		if _, err := svc.Reply(ctx, neighbour, q.ID, forum.NewReply{Body: "Open the bill's detail page: each charge says which line it is for."}); err != nil {
			t.Fatal(err)
		}
		clk.Add(24*time.Hour - 20*time.Minute)
	}
	clk.Add(time.Hour)

	asked := []string{"No 4G in Leeds since 09:00", "4G down in Leeds?", "Lost 4G in Leeds this morning",
		"Anyone else without 4G in Leeds?", "4G not working in Leeds since 09:00"}
	ask := func(i int) forum.Thread {
		th, err := svc.Ask(ctx, member("leeds"+strconv.Itoa(i)), forum.NewThread{BoardID: board.ID, Title: asked[i],
			Body: "Since this morning my phone shows no 4G here in Leeds (" + strconv.Itoa(i) + "). Restarted twice."})
		if err != nil {
			t.Fatal(err)
		}
		clk.Add(2 * time.Minute)
		return th
	}
	var group []forum.Thread
	for i := range 4 {
		group = append(group, ask(i))
	}
	clk.Add(16 * time.Minute)
	if _, err := a.RunEscalations(ctx); err != nil {
		t.Fatal(err)
	}
	group = append(group, ask(4))

	browser := newBrowser(t, exe)
	agent := freshVisitor(t, browser)
	open(t, agent, base+"/")
	signIn(t, agent, base, "agent_amy")
	open(t, agent, base+"/console")
	mine := consoleTitles(t, agent, "esc-mine")
	for _, th := range group[:4] {
		if !contains(mine, th.Title) {
			t.Fatalf("before the incident the console lists %q, want the escalated questions", mine)
		}
	}

	// The app's radar pass groups the new questions, finds the burst and
	// raises the incident.
	if ran, err := a.RunRadar(ctx); err != nil || !ran {
		t.Fatalf("radar pass: ran %v, %v", ran, err)
	}
	raised, err := a.Incidents().Open(ctx, brand.ID)
	if err != nil || len(raised) != 1 {
		t.Fatalf("open incidents after the burst: %+v (%v), want the outage's", raised, err)
	}
	x, err := a.Incidents().Get(ctx, brand.ID, raised[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	var held []string
	for _, th := range x.Threads {
		held = append(held, th.Title)
	}
	if len(held) != len(group) {
		t.Fatalf("the incident %q holds %q, want the outage's %d questions", x.Label, held, len(group))
	}
	for _, th := range group {
		if !contains(held, th.Title) {
			t.Fatalf("the incident %q holds %q, want %q among them", x.Label, held, th.Title)
		}
	}
	n, known := strconv.Itoa(len(group)), "Known issue: "+x.Label
	t.Logf("the radar raised %q over %s threads", x.Label, n)

	open(t, agent, base+"/console")
	banner := get(t, agent, "read the incident banner", chromedp.Text(chromedp.ID("incident-banner")))
	low := strings.ToLower(banner)
	if names := strings.Contains(low, "leeds") || strings.Contains(low, "4g"); !names || !strings.Contains(banner, n+" threads") {
		t.Fatalf("banner %q, want the outage over %s threads", banner, n)
	}
	for _, section := range []string{"esc-mine", "esc-queue"} {
		for _, th := range group {
			if contains(consoleTitles(t, agent, section), th.Title) {
				t.Errorf("%q is still in %s", th.Title, section)
			}
		}
	}
	shoot(t, agent, "incident-console")

	clickAndLoad(t, agent, "acknowledge from the banner", `//section[@id="incident-banner"]`+button("Acknowledge"))
	if msg := get(t, agent, "read the flash", chromedp.Text(chromedp.CSS("p.flash"))); msg != "Incident acknowledged." {
		t.Fatalf("after acknowledging: %q", msg)
	}
	clickAndLoad(t, agent, "post the known-issue thread", button("Post and pin"))
	clickAndLoad(t, agent, "reply in every thread", button("Reply in "+n+" threads"))
	if msg := get(t, agent, "read the flash", chromedp.Text(chromedp.CSS("p.flash"))); msg != "Replied in "+n+" threads." {
		t.Fatalf("after replying: %q", msg)
	}
	status := get(t, agent, "find the status thread", chromedp.AttributeValue(chromedp.ID("incident-status-link"), "href"))
	shoot(t, agent, "incident-page")

	open(t, agent, base+"/t/"+strconv.FormatInt(group[4].ID, 10)+"/"+group[4].Slug)
	clickAndLoad(t, agent, "follow the link in the staff reply", `//article//a[contains(normalize-space(.), "`+known+`")]`)
	if p := here(t, agent, base); !strings.HasPrefix(p, strings.TrimPrefix(status.Value, base)) {
		t.Fatalf("the staff reply led to %q, want the status thread %q", p, status.Value)
	}
	shoot(t, agent, "incident-status-thread")

	open(t, agent, base+"/b/"+strconv.FormatInt(board.ID, 10)+"/"+board.Slug)
	titles := get(t, agent, "read the board's threads", chromedp.Evaluate[[]string](
		`[...document.querySelectorAll("main a[href^='/t/']")].map(a => a.textContent.trim())`))
	if len(titles) == 0 || !strings.Contains(titles[0], known) {
		t.Errorf("the board lists %q, want the pinned status thread first", titles)
	}
	open(t, agent, base+"/incidents")
	shoot(t, agent, "incident-list")
	open(t, agent, base+"/console")
	for _, th := range group {
		if contains(consoleTitles(t, agent, "esc-mine"), th.Title) || contains(consoleTitles(t, agent, "esc-queue"), th.Title) {
			t.Errorf("%q came back to the console", th.Title)
		}
	}
}
