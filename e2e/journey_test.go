package e2e

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

const boardName = "Network and coverage"

// threadPath matches where asking lands: /t/<id>/<slug>.
var threadPath = regexp.MustCompile(`^/t/(\d+)/[a-z0-9-]+$`)

// replyAnchor matches where replying lands: the thread with #p<post id>.
var replyAnchor = regexp.MustCompile(`^/t/\d+/[a-z0-9-]+#(p\d+)$`)

// postFact is what the thread page shows of one post, in DOM order.
type postFact struct {
	ID    string `json:"id"`
	Class string `json:"cls"`
	Label string `json:"label"`
	Text  string `json:"text"`
}

// rowFact is one row of a thread list.
type rowFact struct {
	Title string `json:"title"`
	Badge string `json:"badge"`
}

const postsJS = `[...document.querySelectorAll("article.thread section.post")].map(s => ({
	id: s.id, cls: s.className, label: s.getAttribute("aria-label") || "",
	text: s.querySelector(".body") ? s.querySelector(".body").textContent.trim() : ""}))`

const rowsJS = `[...document.querySelectorAll("ul.threads li.thread-row")].map(li => ({
	title: li.querySelector("h3 a").textContent.trim(),
	badge: li.querySelector(".badge") ? li.querySelector(".badge").textContent.trim() : ""}))`

// TestJourneyAskAnswerAccept is the journey: a visitor signs up and
// asks; a second member answers; the asker accepts; the thread shows Solved
// with the accepted answer first. Only the UI is used: clicks, typing into
// labelled fields and submitting forms.
func TestJourneyAskAnswerAccept(t *testing.T) {
	exe := chromePath(t) // before the server: skip or fail cheaply
	base := startServer(t)
	asker := newBrowser(t, exe)

	// 1. The home page lists the demo boards; the visitor joins.
	open(t, asker, base+"/")
	boards := get(t, asker, "read the boards", chromedp.Evaluate[[]string](
		`[...document.querySelectorAll(".boards .board-card h3 a")].map(a => a.textContent.trim())`))
	if !contains(boards, boardName) {
		t.Fatalf("home page boards = %q, want %q among them", boards, boardName)
	}
	signUp(t, asker, base, "ada_asks")

	// 2. Ask a question with markdown and an attempted script.
	clickAndLoad(t, asker, "click Ask a question", `//header`+link("Ask a question"))
	if p := here(t, asker, base); p != "/ask" {
		t.Fatalf("Ask a question led to %q, want /ask", p)
	}
	const title = "Signal drops to one bar every evening at home"
	pickBoard(t, asker, boardName)
	do(t, asker, "write the question",
		chromedp.SendKeys(chromedp.ID("title"), title),
		chromedp.SendKeys(chromedp.ID("body"), "Since Monday my signal is **really weak** after 6pm.\n\n<script>window.__pwned = 1</script>\nAny ideas?"),
	)
	clickAndLoad(t, asker, "post the question", button("Post question"))
	threadURL := here(t, asker, base)
	if !threadPath.MatchString(threadURL) {
		t.Fatalf("asking landed on %q, want a thread page /t/<id>/<slug>", threadURL)
	}
	if h := get(t, asker, "read the thread title", chromedp.Text(chromedp.CSS("#thread-title"))); h != title {
		t.Fatalf("thread title = %q, want %q", h, title)
	}
	if b := get(t, asker, "read the status badge", chromedp.Text(chromedp.CSS(".thread-head .badge"))); b != "Unanswered" {
		t.Fatalf("new thread badge = %q, want Unanswered", b)
	}
	bold := get(t, asker, "read the bold text", chromedp.Text(chromedp.CSS(".post.question .body strong")))
	if bold != "really weak" {
		t.Fatalf("question bold text = %q, want %q", bold, "really weak")
	}
	scripts := get(t, asker, "count scripts in posts", chromedp.Evaluate[int](`document.querySelectorAll("main script").length`))
	pwned := get(t, asker, "check the script did not run", chromedp.Evaluate[bool](`window.__pwned !== undefined`))
	if scripts != 0 || pwned {
		t.Fatalf("the <script> in the question survived: %d script elements in main, ran=%v", scripts, pwned)
	}
	signOut(t, asker)

	// 3. A second visitor, with nothing shared with the first, joins and
	// answers twice: a first guess, then the real answer.
	helper := freshVisitor(t, asker)
	signUp(t, helper, base, "bob_helps")
	open(t, helper, base+threadURL)
	guess := reply(t, helper, base, "Have you tried restarting the phone?")
	answer := reply(t, helper, base, "Turn on **Wi-Fi calling**: the mast near you is overloaded in the evening.")
	if b := get(t, helper, "read the status after replies", chromedp.Evaluate[string](
		`(document.querySelector(".thread-head .badge") || {textContent: ""}).textContent.trim()`)); b != "" {
		t.Fatalf("answered but unsolved thread shows badge %q, want none", b)
	}
	signOut(t, helper)

	// 4. The asker signs back in and accepts the real answer (the later one).
	signIn(t, asker, base, "ada_asks")
	open(t, asker, base+threadURL)
	clickAndLoad(t, asker, "accept the answer", `//section[@id="`+answer+`"]`+button("Accept as answer"))

	// 5. Solved, and the accepted answer comes straight after the question.
	if b := get(t, asker, "read the status badge", chromedp.Text(chromedp.CSS(".thread-head .badge"))); b != "Solved" {
		t.Fatalf("badge after accepting = %q, want Solved", b)
	}
	posts := get(t, asker, "read the posts in order", chromedp.Evaluate[[]postFact](postsJS))
	if len(posts) != 3 {
		t.Fatalf("thread shows %d posts, want 3 (question, accepted answer, other reply): %+v", len(posts), posts)
	}
	if !hasClasses(posts[0].Class, "post", "question") {
		t.Errorf("first post class = %q, want the question", posts[0].Class)
	}
	if posts[1].ID != answer || !hasClasses(posts[1].Class, "post", "accepted") || posts[1].Label != "Accepted answer" {
		t.Errorf("second post = %+v, want %s with class \"post accepted\" labelled Accepted answer", posts[1], answer)
	}
	if !strings.Contains(posts[1].Text, "Wi-Fi calling") {
		t.Errorf("accepted answer text = %q, want the Wi-Fi calling answer", posts[1].Text)
	}
	if posts[2].ID != guess || !hasClasses(posts[2].Class, "post", "reply") {
		t.Errorf("third post = %+v, want the other reply %s", posts[2], guess)
	}
	label := get(t, asker, "read the accepted label", chromedp.Text(chromedp.CSS(".post.accepted .accepted-label")))
	if !strings.Contains(label, "Accepted answer") {
		t.Errorf("accepted label = %q, want it to say Accepted answer", label)
	}
	screenshot(t, asker, "thread.png")

	// The board's lists agree: Solved under All and under the Solved filter,
	// and gone from Unanswered.
	clickAndLoad(t, asker, "open the board from the breadcrumb", `//nav[@aria-label="Breadcrumb"]`+link(boardName))
	expectRow(t, asker, "All", title, "Solved")
	clickAndLoad(t, asker, "filter Solved", `//nav[@aria-label="Filter questions"]`+link("Solved"))
	if p := here(t, asker, base); !strings.HasSuffix(p, "?filter=solved") {
		t.Fatalf("Solved tab led to %q", p)
	}
	expectRow(t, asker, "Solved", title, "Solved")
	clickAndLoad(t, asker, "filter Unanswered", `//nav[@aria-label="Filter questions"]`+link("Unanswered"))
	for _, r := range get(t, asker, "read the Unanswered list", chromedp.Evaluate[[]rowFact](rowsJS)) {
		if r.Title == title {
			t.Errorf("the solved thread is listed under Unanswered")
		}
	}

	open(t, asker, base+"/")
	expectRow(t, asker, "home Latest activity", title, "Solved")
	screenshot(t, asker, "home.png")
}

// TestWithoutJavaScript: with scripts off, a signed-in member can still ask
// (using the server-side preview) and reply.
func TestWithoutJavaScript(t *testing.T) {
	exe := chromePath(t) // before the server: skip or fail cheaply
	base := startServer(t)
	ctx := newBrowser(t, exe)
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatalf("disable JavaScript: %v", err)
	}
	signUp(t, ctx, base, "nojs_nell")

	clickAndLoad(t, ctx, "click Ask a question", `//header`+link("Ask a question"))
	expectNoLivePreview(t, ctx)
	pickBoard(t, ctx, "Billing and top-ups")
	const title = "Charged twice for the same top-up"
	do(t, ctx, "write the question",
		chromedp.SendKeys(chromedp.ID("title"), title),
		chromedp.SendKeys(chromedp.ID("body"), "My card shows **two charges** of 10 for one top-up."),
	)
	clickAndLoad(t, ctx, "preview on the server", button("Preview"))
	if b := get(t, ctx, "read the server preview", chromedp.Text(chromedp.CSS(".preview .body strong"))); b != "two charges" {
		t.Fatalf("server preview bold = %q, want %q", b, "two charges")
	}
	clickAndLoad(t, ctx, "post the question", button("Post question"))
	if p := here(t, ctx, base); !threadPath.MatchString(p) {
		t.Fatalf("asking without JS landed on %q", p)
	}
	if h := get(t, ctx, "read the thread title", chromedp.Text(chromedp.CSS("#thread-title"))); h != title {
		t.Fatalf("thread title = %q, want %q", h, title)
	}
	expectNoLivePreview(t, ctx)
	do(t, ctx, "write a reply", chromedp.SendKeys(chromedp.ID("reply-body"), "Update: the second charge was a **pending hold** and dropped off."))
	clickAndLoad(t, ctx, "preview the reply on the server", `//form[contains(@action,"/reply")]`+button("Preview"))
	if b := get(t, ctx, "read the server preview", chromedp.Text(chromedp.CSS(".reply-box .preview .body strong"))); b != "pending hold" {
		t.Fatalf("server reply preview bold = %q, want %q", b, "pending hold")
	}
	id := reply(t, ctx, base, "")
	got := get(t, ctx, "read the reply", chromedp.Text(chromedp.CSS("#"+id+" .body strong")))
	if got != "pending hold" {
		t.Fatalf("reply bold = %q, want %q", got, "pending hold")
	}
}

// TestLivePreview: with scripts on, typing in the reply box shows the
// rendered markdown under it, fetched from /api/v1/preview, without leaving
// the page.
func TestLivePreview(t *testing.T) {
	exe := chromePath(t) // before the server: skip or fail cheaply
	base := startServer(t)
	ctx := newBrowser(t, exe)
	signUp(t, ctx, base, "eve_previews")
	clickAndLoad(t, ctx, "open the first recent thread", `(//ul[contains(@class,"threads")]//h3/a)[1]`)
	before := here(t, ctx, base)
	if !threadPath.MatchString(before) {
		t.Fatalf("first recent thread link led to %q", before)
	}
	do(t, ctx, "type a reply",
		chromedp.SendKeys(chromedp.ID("reply-body"), "Try **airplane mode** for ten seconds. <script>window.__pwned=1</script>"),
		chromedp.WaitVisible(chromedp.CSS("#reply-body + .preview.live .body strong")),
	)
	if b := get(t, ctx, "read the live preview", chromedp.Text(chromedp.CSS(".preview.live .body strong"))); b != "airplane mode" {
		t.Fatalf("live preview bold = %q, want %q", b, "airplane mode")
	}
	html := get(t, ctx, "read the live preview HTML", chromedp.InnerHTML(chromedp.CSS(".preview.live .body")))
	if strings.Contains(strings.ToLower(html), "<script") {
		t.Fatalf("live preview kept a script: %s", html)
	}
	if after := here(t, ctx, base); after != before {
		t.Fatalf("previewing navigated from %q to %q; it should stay on the page", before, after)
	}
	if n := get(t, ctx, "count posts by the previewer", chromedp.Evaluate[int](
		`[...document.querySelectorAll("section.post .author")].filter(a => a.textContent.trim() === "eve_previews").length`)); n != 0 {
		t.Fatalf("previewing posted %d replies", n)
	}
}

// reply writes body in the thread's reply box (an empty body keeps what the
// box holds), posts it, and returns the new post's element id (p<id>) from the
// anchor the server redirects to.
func reply(t *testing.T, ctx context.Context, base, body string) string {
	t.Helper()
	if body != "" {
		do(t, ctx, "write a reply", chromedp.SendKeys(chromedp.ID("reply-body"), body))
	}
	clickAndLoad(t, ctx, "post the reply", button("Post reply"))
	m := replyAnchor.FindStringSubmatch(here(t, ctx, base))
	if m == nil {
		t.Fatalf("replying landed on %q, want the thread with #p<id>", here(t, ctx, base))
	}
	do(t, ctx, "see the new reply", chromedp.WaitVisible(chromedp.ID(m[1])))
	return m[1]
}

// expectRow checks the thread list on the page has title with the badge.
func expectRow(t *testing.T, ctx context.Context, list, title, badge string) {
	t.Helper()
	rows := get(t, ctx, "read the "+list+" list", chromedp.Evaluate[[]rowFact](rowsJS))
	for _, r := range rows {
		if r.Title == title {
			if r.Badge != badge {
				t.Errorf("%s list shows %q with badge %q, want %q", list, title, r.Badge, badge)
			}
			return
		}
	}
	t.Errorf("%s list does not show %q: %+v", list, title, rows)
}

// expectNoLivePreview proves app.js did not run: it adds a .preview.live box
// to every data-preview form as soon as it loads.
func expectNoLivePreview(t *testing.T, ctx context.Context) {
	t.Helper()
	n := get(t, ctx, "look for the live preview box",
		chromedp.Nodes(chromedp.CSSAll("form[data-preview] .preview.live"), chromedp.AtLeast(0)))
	if len(n) != 0 {
		t.Fatal("app.js ran although JavaScript is disabled")
	}
}

func hasClasses(class string, want ...string) bool {
	have := strings.Fields(class)
	for _, w := range want {
		if !contains(have, w) {
			return false
		}
	}
	return true
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
