package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"mutual/app"
)

// discoveryServer is startServer that also hands back the App, so a journey
// can check what was recorded in the database.
func discoveryServer(t *testing.T) (string, *app.App) {
	t.Helper()
	return startApp(t, nil)
}

// A visitor types words into the header's search box, finds the solved
// question among the results with the words marked, and opens it.
func TestDiscoveryVisitorSearchesAndOpensSolved(t *testing.T) {
	exe := chromePath(t)
	base, _ := discoveryServer(t)
	ctx := newBrowser(t, exe)
	open(t, ctx, base+"/")
	do(t, ctx, "type in the header search box",
		chromedp.SendKeys(chromedp.ID("site-q"), "port number"),
	)
	get(t, ctx, "submit the search", chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.SendKeys(chromedp.ID("site-q"), kb.Enter)))
	if p := here(t, ctx, base); !strings.HasPrefix(p, "/search?q=port+number") {
		t.Fatalf("search went to %q", p)
	}
	title := "How long does it take to port my number from another network?"
	marked := get(t, ctx, "read the marked words of the first result",
		chromedp.Evaluate[[]string](`[...document.querySelectorAll("li.result")[0].querySelectorAll("a.thread-title mark")].map(m => m.textContent)`))
	if len(marked) != 2 || !strings.EqualFold(marked[0], "port") || !strings.EqualFold(marked[1], "number") {
		t.Fatalf("first result marks %v, want [port number]", marked)
	}
	badge := get(t, ctx, "read the first result's badge", chromedp.Text(chromedp.CSS("li.result .badge")))
	if badge != "Solved" {
		t.Fatalf("first result badge = %q, want Solved", badge)
	}
	clickAndLoad(t, ctx, "open the solved result", `(//li[contains(@class,"result")]//a[contains(@class,"thread-title")])[1]`)
	if h := get(t, ctx, "read the thread title", chromedp.Text(chromedp.ID("thread-title"))); h != title {
		t.Fatalf("opened %q, want %q", h, title)
	}
	do(t, ctx, "see the accepted answer", chromedp.WaitVisible(chromedp.CSS("section.post.accepted")))
}

// A member starts asking; as the title is typed, the page suggests a similar
// solved question; the member opens it, and the open is recorded.
func TestDiscoveryAskerSeesSimilarAndOpensIt(t *testing.T) {
	exe := chromePath(t)
	base, a := discoveryServer(t)
	ctx := newBrowser(t, exe)
	signUp(t, ctx, base, "dana_asks")
	clickAndLoad(t, ctx, "click Ask a question", `//header`+link("Ask a question"))
	solved := "Can I use an eSIM and a physical SIM at the same time?"
	do(t, ctx, "type a title and wait for suggestions",
		chromedp.SendKeys(chromedp.ID("title"), "eSIM together with a physical SIM?"),
		chromedp.WaitVisible(`//section[@id="similar"]`+link(solved)),
	)
	clickAndLoad(t, ctx, "open the suggestion", `//section[@id="similar"]`+link(solved))
	if h := get(t, ctx, "read the thread title", chromedp.Text(chromedp.ID("thread-title"))); h != solved {
		t.Fatalf("opened %q, want %q", h, solved)
	}
	var n int
	err := a.DB().QueryRow(context.Background(), `SELECT COUNT(*) FROM suggestion_opens o JOIN users u ON u.id = o.user_id
JOIN threads t ON t.id = o.thread_id WHERE u.username = 'dana_asks' AND t.title = ? AND o.asked_thread_id IS NULL`, solved).Scan(&n)
	if err != nil || n != 1 {
		t.Fatalf("recorded opens = %d (%v), want 1", n, err)
	}
}
