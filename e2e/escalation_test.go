package e2e

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"mutual/app"
	"mutual/escalation"
	"mutual/forum"
	"mutual/internal/testkit"
)

// escServer is the real server on loopback with the demo community, a test
// clock, the background detector off (the journey runs it when time has
// moved) and one agent on shift.
func escServer(t *testing.T) (string, *app.App, *testkit.Clock) {
	t.Helper()
	clk := testkit.NewClock(time.Now().UTC().Truncate(time.Second))
	base, a := startApp(t, func(cfg *app.Config) {
		cfg.JobInterval = 0
		cfg.Now = clk.Now
	})
	u := staffMember(t, a, "agent_amy", "agent")
	if _, err := a.Escalations().AddAgent(context.Background(), escalation.NewAgent{BrandID: u.BrandID, UserID: u.ID, Person: u.Email, OnShift: true}); err != nil {
		t.Fatal(err)
	}
	return base, a, clk
}

// demoBoard is the demo brand's board the journeys ask on.
func demoBoard(t *testing.T, a *app.App) (forum.Brand, forum.Board) {
	t.Helper()
	ctx := context.Background()
	s := a.Services()
	brand, err := s.Brands.Default(ctx)
	if err != nil {
		t.Fatal(err)
	}
	boards, err := s.Forum.Boards(ctx, brand.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range boards {
		if b.Name == boardName {
			return brand, b
		}
	}
	t.Fatalf("the demo brand has no board %q", boardName)
	return brand, forum.Board{}
}

// askQuestion asks through the UI and returns the thread's path.
func askQuestion(t *testing.T, ctx context.Context, base, title string) string {
	t.Helper()
	clickAndLoad(t, ctx, "click Ask a question", `//header`+link("Ask a question"))
	pickBoard(t, ctx, boardName)
	do(t, ctx, "write the question",
		chromedp.SendKeys(chromedp.ID("title"), title),
		chromedp.SendKeys(chromedp.ID("body"), "Tried restarting twice, nothing changes. Any ideas?"))
	clickAndLoad(t, ctx, "post the question", button("Post question"))
	p := here(t, ctx, base)
	if !threadPath.MatchString(p) {
		t.Fatalf("asking landed on %q", p)
	}
	return p
}

// consoleTitles lists the thread titles in a console section ("esc-mine" or
// "esc-queue").
func consoleTitles(t *testing.T, ctx context.Context, section string) []string {
	t.Helper()
	return get(t, ctx, "read the console", chromedp.Evaluate[[]string](
		`[...document.querySelectorAll("#`+section+` li.esc-item h3 a")].map(a => a.textContent.trim())`))
}

// TestJourneyEscalationAgentAnswers: a question goes unanswered, time moves
// past the SLA, the detector escalates it to the agent on shift; the agent
// finds it in the console, claims it, answers in the thread (marked staff)
// and closes it.
func TestJourneyEscalationAgentAnswers(t *testing.T) {
	exe := chromePath(t)
	base, a, clk := escServer(t)
	browser := newBrowser(t, exe)
	asker := freshVisitor(t, browser)
	signUp(t, asker, base, "una_waits")
	const title = "eSIM download fails with error 5 on my new phone"
	threadURL := askQuestion(t, asker, base, title)

	agent := freshVisitor(t, browser)
	open(t, agent, base+"/")
	signIn(t, agent, base, "agent_amy")
	fromMenu(t, agent, "Agent console")
	if got := consoleTitles(t, agent, "esc-mine"); contains(got, title) {
		t.Fatal("the question is in the console before the SLA passed")
	}

	clk.Add(escalation.DefaultPeerSLA + time.Second)
	if _, err := a.RunEscalations(context.Background()); err != nil {
		t.Fatal(err)
	}
	open(t, agent, base+"/console")
	if got := consoleTitles(t, agent, "esc-mine"); !contains(got, title) {
		t.Fatalf("console lists %q, want %q assigned to the agent", got, title)
	}
	claim := `//li[contains(@class,"esc-item")][.//a[normalize-space(.)="` + title + `"]]/following-sibling::li[1]` + button("Claim")
	clickAndLoad(t, agent, "claim it", claim)
	if msg := get(t, agent, "read the flash", chromedp.Text(chromedp.CSS("p.flash"))); !strings.HasPrefix(msg, "Claimed.") {
		t.Fatalf("after claiming: %q", msg)
	}
	reply := `//li[contains(@class,"esc-item")][.//a[normalize-space(.)="` + title + `"]]/following-sibling::li[1]` + link("Reply in the thread")
	clickAndLoad(t, agent, "go to the thread", reply)
	if p := here(t, agent, base); !strings.HasPrefix(p, threadURL) {
		t.Fatalf("Reply in the thread led to %q, want %q", p, threadURL)
	}
	do(t, agent, "write the answer", chromedp.SendKeys(chromedp.ID("reply-body"), "Your eSIM profile was stuck; I re-issued it. Scan the new QR code in Settings."))
	clickAndLoad(t, agent, "post the answer", button("Post reply"))

	open(t, agent, base+"/console")
	closeBtn := `//li[contains(@class,"esc-item")][.//a[normalize-space(.)="` + title + `"]]/following-sibling::li[1]` + button("Close")
	clickAndLoad(t, agent, "close it", closeBtn)
	if got := consoleTitles(t, agent, "esc-mine"); contains(got, title) {
		t.Fatal("the closed escalation is still listed")
	}
	id, err := threadID(threadURL)
	if err != nil {
		t.Fatal(err)
	}
	brand, err := forum.NewBrands(a.DB(), clk.Now).Default(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	x, _, err := a.Escalations().ForThread(context.Background(), brand.ID, id)
	if err != nil || x.Status != escalation.StatusResolved || x.Resolution != escalation.ResAgent {
		t.Fatalf("escalation = %s/%s (%v), want resolved by the agent", x.Status, x.Resolution, err)
	}
}

// TestJourneyLatePeerRescue: the question is escalated and shows in the
// console; a member answers before the agent claims; the escalation leaves
// the console.
func TestJourneyLatePeerRescue(t *testing.T) {
	exe := chromePath(t)
	base, a, clk := escServer(t)
	browser := newBrowser(t, exe)
	asker := freshVisitor(t, browser)
	signUp(t, asker, base, "ola_asks")
	const title = "Voicemail greeting resets itself every week"
	threadURL := askQuestion(t, asker, base, title)

	clk.Add(escalation.DefaultPeerSLA + time.Second)
	if _, err := a.RunEscalations(context.Background()); err != nil {
		t.Fatal(err)
	}
	agent := freshVisitor(t, browser)
	open(t, agent, base+"/")
	signIn(t, agent, base, "agent_amy")
	open(t, agent, base+"/console")
	if got := consoleTitles(t, agent, "esc-mine"); !contains(got, title) {
		t.Fatalf("console lists %q, want %q", got, title)
	}

	peer := freshVisitor(t, browser)
	signUp(t, peer, base, "pat_helps")
	open(t, peer, base+threadURL)
	reply(t, peer, base, "Turn off 'visual voicemail reset' under Settings > Calls; it wipes the greeting weekly.")

	open(t, agent, base+"/console")
	if got := append(consoleTitles(t, agent, "esc-mine"), consoleTitles(t, agent, "esc-queue")...); contains(got, title) {
		t.Fatalf("console still lists the rescued question: %q", got)
	}
}

func threadID(path string) (int64, error) {
	return strconv.ParseInt(threadPath.FindStringSubmatch(path)[1], 10, 64)
}
