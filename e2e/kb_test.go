package e2e

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"mutual/account"
	"mutual/app"
	"mutual/forum"
)

// TestJourneyKnowledgeBase: a trusted member proposes a solved thread as an
// article from the thread page and sends it for review; an editor finds it
// in the knowledge-base queue of the Manage menu and publishes it; a
// visitor searching for the question finds the article first, above a
// thread whose title repeats the words, and the thread links its article.
func TestJourneyKnowledgeBase(t *testing.T) {
	exe := chromePath(t)
	base, a := startApp(t, func(c *app.Config) { c.NoDemo = true })
	ctx := context.Background()
	s := a.Services()
	brand, err := s.Brands.Default(ctx)
	if err != nil {
		t.Fatal(err)
	}
	board, err := s.Forum.CreateBoard(ctx, brand.ID, forum.NewBoard{Name: "Home internet", Description: "Routers, lines and wifi"})
	if err != nil {
		t.Fatal(err)
	}
	member := func(name string) account.Actor {
		u, err := s.Members.Create(ctx, account.Signup{BrandID: brand.ID, Username: name, Email: name + "@example.test", Password: password(name)})
		if err != nil {
			t.Fatal(err)
		}
		return account.Actor{UserID: u.ID, BrandID: brand.ID, Username: name}
	}
	asker, helper := member("ana_asks"), member("hugo_helps")
	staffMember(t, a, "tess_trusted", "trusted")
	staffMember(t, a, "eddie_editor", "editor")
	th, err := s.Forum.Ask(ctx, asker, forum.NewThread{BoardID: board.ID, Title: "How do I reset my router to factory settings?",
		Body: "The router keeps dropping the connection every evening. How do I reset it completely?"})
	if err != nil {
		t.Fatal(err)
	}
	ans, err := s.Forum.Reply(ctx, helper, th.ID, forum.NewReply{Body: "Hold the reset button on the back for ten seconds until the lights blink, then run the setup again."})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Forum.Accept(ctx, asker, th.ID, ans.ID); err != nil {
		t.Fatal(err)
	}
	decoy, err := s.Forum.Ask(ctx, member("rita_repeats"), forum.NewThread{BoardID: board.ID, Title: "Router reset: reset router reset factory settings",
		Body: "Router reset router reset, factory settings reset router."})
	if err != nil {
		t.Fatal(err)
	}
	thread := base + "/t/" + strconv.FormatInt(th.ID, 10) + "/" + th.Slug

	browser := newBrowser(t, exe)
	// The trusted member proposes from the thread page.
	tess := freshVisitor(t, browser)
	open(t, tess, base+"/")
	signIn(t, tess, base, "tess_trusted")
	open(t, tess, thread)
	clickAndLoad(t, tess, "propose the thread", link("Propose as an article"))
	if body := get(t, tess, "read the draft", chromedp.Value(chromedp.ID("kb-body"))); !strings.Contains(body, "Hold the reset button") {
		t.Fatalf("the drafted body lacks the accepted answer: %q", body)
	}
	shoot(t, tess, "kb-propose")
	do(t, tess, "write the title and tags",
		chromedp.Clear(chromedp.ID("kb-title-f")), chromedp.SendKeys(chromedp.ID("kb-title-f"), "Resetting your router to factory settings"),
		chromedp.SendKeys(chromedp.ID("kb-tags"), "router reset"))
	clickAndLoad(t, tess, "save the draft", button("Save draft"))
	if p := here(t, tess, base); !strings.HasPrefix(p, "/kb/") || !strings.Contains(p, "done=proposed") {
		t.Fatalf("saving the draft led to %q", p)
	}
	article := strings.SplitN(here(t, tess, base), "?", 2)[0]
	clickAndLoad(t, tess, "send for review", button("Send for review"))
	if msg := text(t, tess, "read the confirmation", `main [role=status]`); !strings.Contains(msg, "Sent to the editors") {
		t.Errorf("after sending for review: %q", msg)
	}

	// The editor reviews and publishes from the queue.
	eddie := freshVisitor(t, browser)
	open(t, eddie, base+"/")
	signIn(t, eddie, base, "eddie_editor")
	do(t, eddie, "open the Manage menu", chromedp.Click(`header details.staff-menu > summary`))
	clickAndLoad(t, eddie, "open the knowledge-base queue", `//header`+link("Knowledge base queue"))
	shoot(t, eddie, "kb-queue")
	clickAndLoad(t, eddie, "open the article in review", `//section[@aria-labelledby="kbq-review"]`+link("Resetting your router to factory settings"))
	clickAndLoad(t, eddie, "publish", button("Publish"))
	if msg := text(t, eddie, "read the confirmation", `main [role=status]`); !strings.Contains(msg, "Published") {
		t.Errorf("after publishing: %q", msg)
	}

	// Asking the same question again, the article is suggested first as the title is typed.
	open(t, tess, base+"/ask")
	do(t, tess, "type a title", chromedp.SendKeys(chromedp.ID("title"), "Router needs a factory reset"))
	do(t, tess, "wait for suggestions", chromedp.WaitVisible(`#similar li.similar-article a`))
	if first := get(t, tess, "read the first suggestion", chromedp.AttributeValue(`#similar li a`, "href")); first.Value != article {
		t.Errorf("the first suggestion is %q, want the article %q", first.Value, article)
	}
	shoot(t, tess, "kb-ask")

	// A visitor searching for the question finds the article first.
	visitor := freshVisitor(t, browser)
	open(t, visitor, base+"/")
	do(t, visitor, "search from the header", chromedp.SendKeys(chromedp.ID("site-q"), "reset router factory settings\n"))
	do(t, visitor, "wait for results", chromedp.WaitVisible(`section.kb-results`))
	first := get(t, visitor, "read the first result", chromedp.AttributeValue(`main .result a`, "href"))
	if first.Value != article {
		t.Errorf("the first result is %q, want the article %q", first.Value, article)
	}
	links := get(t, visitor, "read the results", chromedp.Evaluate[[]string](`[...document.querySelectorAll("main .result a")].map(a => a.getAttribute("href"))`))
	at, dec := -1, -1
	for i, l := range links {
		if l == article && at < 0 {
			at = i
		}
		if strings.HasPrefix(l, "/t/"+strconv.FormatInt(decoy.ID, 10)+"/") && dec < 0 {
			dec = i
		}
	}
	if at < 0 || dec < 0 || at > dec {
		t.Errorf("results %v: the article at %d, the thread repeating the words at %d", links, at, dec)
	}
	shoot(t, visitor, "kb-search")
	clickAndLoad(t, visitor, "open the article", `main .kb-result a`)
	if h := text(t, visitor, "read the title", `h1#kb-title`); h != "Resetting your router to factory settings" {
		t.Errorf("article title %q", h)
	}
	if credits := text(t, visitor, "read the credits", `.kb-credits`); !strings.Contains(credits, "hugo_helps") || !strings.Contains(credits, "ana_asks") {
		t.Errorf("the credits %q do not name the helper and the asker", credits)
	}
	shoot(t, visitor, "kb-article")
	open(t, visitor, thread)
	if note := text(t, visitor, "read the article line", `.kb-from-thread`); !strings.Contains(note, "This answer is now an article: Resetting your router") {
		t.Errorf("the thread's article line: %q", note)
	}
	shoot(t, visitor, "kb-thread")
}
