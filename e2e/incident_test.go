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
	"mutual/incident"
	"mutual/markup"
)

// TestJourneyIncidentLane: twelve members' worth of one outage is too many
// escalations for one problem. Four questions escalated to the agent, a
// fifth waits; the radar raises an incident over the five (through the
// service, as the radar does). The incident heads the console and the five
// leave the agent's list; the agent acknowledges it, posts the pinned
// known-issue thread and replies once in each thread, whose reply links to
// it.
func TestJourneyIncidentLane(t *testing.T) {
	exe := chromePath(t)
	base, a, clk := escServer(t)
	ctx := context.Background()
	brand, err := forum.NewBrands(a.DB(), clk.Now).Default(ctx)
	if err != nil {
		t.Fatal(err)
	}
	svc := forum.NewService(a.DB(), markup.NewRenderer(), clk.Now)
	boards, err := svc.Boards(ctx, brand.ID)
	if err != nil {
		t.Fatal(err)
	}
	var board forum.Board
	for _, b := range boards {
		if b.Name == boardName {
			board = b
		}
	}
	members := account.NewMembers(a.DB(), clk.Now)
	ask := func(i int) forum.Thread {
		u, err := members.CreateUnclaimed(ctx, account.Unclaimed{BrandID: brand.ID, Username: "leeds" + strconv.Itoa(i),
			Email: "leeds" + strconv.Itoa(i) + "@example.test", CreatedAt: clk.Now()})
		if err != nil {
			t.Fatal(err)
		}
		th, err := svc.Ask(ctx, account.Actor{UserID: u.ID, BrandID: brand.ID, Username: u.Username}, forum.NewThread{BoardID: board.ID,
			Title: "No 4G in Leeds since nine, message " + strconv.Itoa(i), Body: "My phone shows no data at all since nine this morning."})
		if err != nil {
			t.Fatal(err)
		}
		return th
	}
	var group []forum.Thread
	for i := 1; i <= 4; i++ {
		group = append(group, ask(i))
	}
	clk.Add(16 * time.Minute)
	if _, err := a.RunEscalations(ctx); err != nil {
		t.Fatal(err)
	}
	group = append(group, ask(5))

	browser := newBrowser(t, exe)
	agent := freshVisitor(t, browser)
	open(t, agent, base+"/")
	signIn(t, agent, base, "agent_amy")
	open(t, agent, base+"/console")
	if got := consoleTitles(t, agent, "esc-mine"); !contains(got, group[0].Title) {
		t.Fatalf("before the incident the console lists %q, want the escalated questions", got)
	}

	ids := make([]int64, len(group))
	for i, th := range group {
		ids[i] = th.ID
	}
	if _, _, err := a.Incidents().Raise(ctx, incident.Raised{BrandID: brand.ID, GroupKey: "leeds-4g", Label: "No 4G in Leeds",
		Terms: []string{"4g", "leeds", "nine"}, Places: []string{"Leeds"}, BoardIDs: []int64{board.ID}, ThreadIDs: ids,
		StartedAt: clk.Now().Add(-20 * time.Minute), DetectedAt: clk.Now(), Score: 9.1}); err != nil {
		t.Fatal(err)
	}
	open(t, agent, base+"/console")
	banner := get(t, agent, "read the incident banner", chromedp.Text(chromedp.ID("incident-banner")))
	if !strings.Contains(banner, "No 4G in Leeds") || !strings.Contains(banner, "5 threads") {
		t.Fatalf("banner: %q", banner)
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
	clickAndLoad(t, agent, "reply in every thread", button("Reply in 5 threads"))
	if msg := get(t, agent, "read the flash", chromedp.Text(chromedp.CSS("p.flash"))); msg != "Replied in 5 threads." {
		t.Fatalf("after replying: %q", msg)
	}
	status := get(t, agent, "find the status thread", chromedp.AttributeValue(chromedp.ID("incident-status-link"), "href"))
	shoot(t, agent, "incident-page")

	open(t, agent, base+"/t/"+strconv.FormatInt(group[4].ID, 10)+"/"+group[4].Slug)
	clickAndLoad(t, agent, "follow the link in the staff reply", `//article//a[contains(normalize-space(.), "Known issue: No 4G in Leeds")]`)
	if p := here(t, agent, base); !strings.HasPrefix(p, strings.TrimPrefix(status.Value, base)) {
		t.Fatalf("the staff reply led to %q, want the status thread %q", p, status.Value)
	}
	shoot(t, agent, "incident-status-thread")

	open(t, agent, base+"/b/"+strconv.FormatInt(board.ID, 10)+"/"+board.Slug)
	titles := get(t, agent, "read the board's threads", chromedp.Evaluate[[]string](
		`[...document.querySelectorAll("main a[href^='/t/']")].map(a => a.textContent.trim())`))
	if len(titles) == 0 || !strings.Contains(titles[0], "Known issue: No 4G in Leeds") {
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
