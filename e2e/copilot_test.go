package e2e

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"mutual/account"
	"mutual/escalation"
	"mutual/forum"
	"mutual/internal/testkit"
)

// TestJourneyCopilotDraftsAGroundedReply: a question like one the
// community solved before is escalated; the agent opens its grounded help,
// sees the solved thread and the passage that answers, drafts from it,
// adds a line and posts; the thread then quotes and links the source.
func TestJourneyCopilotDraftsAGroundedReply(t *testing.T) {
	exe := chromePath(t)
	base, a, clk := escServer(t)
	ctx := context.Background()
	svc := a.Services()
	brand, board := demoBoard(t, a)
	asked := testkit.Member(t, svc.Members, account.Unclaimed{BrandID: brand.ID, Username: "ola_switched", CreatedAt: clk.Now()})
	helper := testkit.Member(t, svc.Members, account.Unclaimed{BrandID: brand.ID, Username: "hana_helps", CreatedAt: clk.Now()})
	src := testkit.Ask(t, svc.Forum, asked, forum.NewThread{BoardID: board.ID, Title: "eSIM download error 5 after switching phones",
		Body: "Moved to a new phone and the eSIM download stops with error 5."})
	const passage = "Error 5 means the old eSIM profile is still active."
	ans := testkit.Reply(t, svc.Forum, helper, src.ID, "Had the same. "+passage+" Delete the old profile, then ask for a new QR code in My account and scan it.")
	if _, err := svc.Forum.Accept(ctx, asked, src.ID, ans.ID); err != nil {
		t.Fatal(err)
	}

	browser := newBrowser(t, exe)
	asker := freshVisitor(t, browser)
	signUp(t, asker, base, "una_waits")
	const title = "eSIM download fails with error 5 on my new phone"
	threadURL := askQuestion(t, asker, base, title)
	clk.Add(escalation.DefaultPeerSLA + time.Second)
	if _, err := a.RunEscalations(ctx); err != nil {
		t.Fatal(err)
	}
	id, err := threadID(threadURL)
	if err != nil {
		t.Fatal(err)
	}
	x, _, err := a.Escalations().ForThread(ctx, brand.ID, id)
	if err != nil {
		t.Fatal(err)
	}

	agent := freshVisitor(t, browser)
	open(t, agent, base+"/")
	signIn(t, agent, base, "agent_amy")
	open(t, agent, base+"/escalations/"+strconv.FormatInt(x.ID, 10))
	clickAndLoad(t, agent, "open grounded help", link("Grounded help"))
	first := get(t, agent, "read the first source", chromedp.Text(chromedp.CSS(".copilot-list li a")))
	if first != src.Title {
		t.Fatalf("first source %q, want %q", first, src.Title)
	}
	shoot(t, agent, "copilot-help")
	clickAndLoad(t, agent, "draft from it", `//li[1]`+link("Draft from this source only"))
	draft := get(t, agent, "read the draft", chromedp.Value(chromedp.ID("reply-body")))
	if !strings.Contains(draft, "> "+passage) || !strings.Contains(draft, "/t/"+strconv.FormatInt(src.ID, 10)+"/") {
		t.Fatalf("the draft does not quote and link the source:\n%s", draft)
	}
	do(t, agent, "edit the draft", chromedp.SetValue(chromedp.ID("reply-body"), draft+"\n\nIf that does not work, reply here and I will reissue it."))
	shoot(t, agent, "copilot-draft")
	clickAndLoad(t, agent, "post the reply", button("Post reply"))
	if p := here(t, agent, base); !strings.HasPrefix(p, threadURL) {
		t.Fatalf("posting led to %q, want the thread %q", p, threadURL)
	}
	quoted := get(t, agent, "read the posted quote", chromedp.Text(chromedp.CSS(".post.reply:last-of-type blockquote, section.reply:last-of-type blockquote")))
	if !strings.Contains(quoted, passage) {
		t.Fatalf("the thread's last reply quotes %q", quoted)
	}
	shoot(t, agent, "copilot-posted")
	if x, _, _ = a.Escalations().ForThread(ctx, brand.ID, id); x.Status != escalation.StatusAnswered {
		t.Fatalf("escalation %s after the agent's reply, want answered", x.Status)
	}
}
