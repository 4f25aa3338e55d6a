package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"mutual/account"
	"mutual/forum"
	"mutual/markup"
)

// demoSolved is the demo community's solved question.
const demoSolved = "How long does it take to port my number from another network?"

// openDemoThread opens a demo thread from the home page's recent list.
func openDemoThread(t *testing.T, ctx context.Context, base, title string) string {
	t.Helper()
	open(t, ctx, base+"/")
	clickAndLoad(t, ctx, "open "+title, `//ul[contains(@class,"threads")]//h3/a[normalize-space(.)="`+title+`"]`)
	return here(t, ctx, base)
}

// ask posts a question in boardName through the header's "Ask a question"
// and returns the thread's path.
func ask(t *testing.T, ctx context.Context, base, title, body string) string {
	t.Helper()
	clickAndLoad(t, ctx, "click Ask a question", `//header`+link("Ask a question"))
	pickBoard(t, ctx, boardName)
	do(t, ctx, "write the question", chromedp.SendKeys(chromedp.ID("title"), title), chromedp.SendKeys(chromedp.ID("body"), body))
	clickAndLoad(t, ctx, "post the question", button("Post question"))
	return here(t, ctx, base)
}

// follows reports whether the element a comes before b in the document.
func follows(t *testing.T, ctx context.Context, a, b string) bool {
	t.Helper()
	return get(t, ctx, "compare "+a+" and "+b, chromedp.Evaluate[bool](fmt.Sprintf(
		`(() => { const a = document.querySelector(%q), b = document.querySelector(%q);
		  return !!a && !!b && !!(a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING); })()`, a, b)))
}

// TestMemberSolvedThreadSurveyAndContact: on the demo's solved question a
// visitor reads the question and the accepted answer before being asked
// whether it saved them contacting us, answers in place (no page load), and
// "Contact us" opens the demo brand's real contact page.
func TestMemberSolvedThreadSurveyAndContact(t *testing.T) {
	exe := chromePath(t)
	base := startServer(t)
	visitor := newBrowser(t, exe)
	thread := openDemoThread(t, visitor, base, demoSolved)
	if !follows(t, visitor, ".post.question", ".post.accepted") || !follows(t, visitor, ".post.accepted", "#survey") || !follows(t, visitor, "#survey", "#reply-h") {
		t.Fatal("the survey is not under the accepted answer")
	}
	if n := get(t, visitor, "look above the question", chromedp.Evaluate[int](`document.querySelectorAll(".thread-head .report-survey, .thread-head a[href^='/contact']").length`)); n != 0 {
		t.Fatal("the thread's head still carries the survey or contact link")
	}
	do(t, visitor, "scroll to the survey", chromedp.ScrollIntoView(chromedp.CSS("#survey")))
	shoot(t, visitor, "member-survey-asked")
	get(t, visitor, "mark the page", chromedp.Evaluate[bool](`window.__stayed = true`))
	do(t, visitor, "answer yes",
		chromedp.Click(`//section[@id="survey"]`+button("Yes")),
		chromedp.WaitVisible(chromedp.CSS("#survey .report-survey-thanks")),
	)
	thanks := get(t, visitor, "read the thanks", chromedp.Text(chromedp.CSS("#survey .report-survey-thanks")))
	stayed := get(t, visitor, "check for a page load", chromedp.Evaluate[bool](`window.__stayed === true`))
	if !strings.Contains(thanks, "glad this answer saved you contacting us") || !stayed || here(t, visitor, base) != thread {
		t.Fatalf("answering: thanks %q, stayed on the page %v at %s", thanks, stayed, here(t, visitor, base))
	}
	if focused := get(t, visitor, "read the focus", chromedp.Evaluate[string](`document.activeElement.className`)); focused != "report-survey-thanks" {
		t.Errorf("focus after answering is on %q, want the thanks", focused)
	}
	do(t, visitor, "scroll to the survey", chromedp.ScrollIntoView(chromedp.CSS("#survey")))
	shoot(t, visitor, "member-survey-answered")

	clickAndLoad(t, visitor, "click Contact us", `//section[@id="survey"]`+link("Contact us"))
	if p := here(t, visitor, base); !strings.HasPrefix(p, "/contact?from=") {
		t.Fatalf("Contact us led to %q", p)
	}
	body := get(t, visitor, "read the contact page", chromedp.Text(chromedp.CSS("main")))
	for _, want := range []string{"Contact us", "Chat with us", "Call us", "Back to the question"} {
		if !strings.Contains(body, want) {
			t.Errorf("the contact page lacks %q", want)
		}
	}
	shoot(t, visitor, "member-contact-page")
	clickAndLoad(t, visitor, "go back to the question", link("Back to the question"))
	if p := here(t, visitor, base); p != thread {
		t.Errorf("back to the question led to %q", p)
	}

	// A member answers in place too; their answer is remembered.
	member := freshVisitor(t, visitor)
	signUp(t, member, base, "rita_reads")
	openDemoThread(t, member, base, demoSolved)
	do(t, member, "answer no",
		chromedp.Click(`//section[@id="survey"]`+button("No")),
		chromedp.WaitVisible(chromedp.CSS("#survey .report-survey-thanks")),
	)
	open(t, member, base+thread)
	if got := get(t, member, "read the remembered answer", chromedp.Text(chromedp.CSS("#survey .report-survey-thanks"))); !strings.Contains(got, "Sorry this answer was not enough") {
		t.Errorf("after a reload the member's answer reads %q", got)
	}
	// An unanswered thread offers "Contact us" too, after its replies.
	openDemoThread(t, member, base, "Voicemail PIN not accepted after switching phones")
	if !follows(t, member, ".post.question", ".report-contact-open a[href^='/contact?from=']") {
		t.Error("the unanswered thread offers no contact link")
	}
}

// TestMemberBellClearsOnOpeningTheThread: the asker's bell counts a reply,
// and opening the thread, by its address or through the bell, clears it.
func TestMemberBellClearsOnOpeningTheThread(t *testing.T) {
	exe := chromePath(t)
	base := startServer(t)
	asker := newBrowser(t, exe)
	signUp(t, asker, base, "bea_asks")
	thread := ask(t, asker, base, "Wi-Fi calling drops every evening", "Calls over Wi-Fi cut out at about 7pm every day. Router is fine.")

	helper := freshVisitor(t, asker)
	signUp(t, helper, base, "cai_helps")
	open(t, helper, base+thread)
	reply(t, helper, base, "Check whether your router reboots itself at 7pm for updates.")

	open(t, asker, base+"/")
	if c := notifyBellCount(t, asker); c != "1" {
		t.Fatalf("after a reply the bell shows %q, want 1", c)
	}
	open(t, asker, base+thread) // straight in, as from a mail or a bookmark
	if c := notifyBellCount(t, asker); c != "" {
		t.Fatalf("on the thread it points to, the bell still shows %q", c)
	}
	shoot(t, asker, "member-bell-thread-opened")

	open(t, helper, base+thread)
	reply(t, helper, base, "Also try turning off the router's band steering.")
	open(t, asker, base+"/")
	if c := notifyBellCount(t, asker); c != "1" {
		t.Fatalf("after another reply the bell shows %q, want 1", c)
	}
	clickAndLoad(t, asker, "open the bell", `header [data-nf-bell]`)
	clickAndLoad(t, asker, "open the notification", `.nf-list .nf-item.nf-unread a.nf-text`)
	if c := notifyBellCount(t, asker); c != "" {
		t.Fatalf("after opening the thread through the bell it shows %q", c)
	}
	open(t, asker, base+"/notifications")
	if n := get(t, asker, "count unread items", chromedp.Evaluate[int](`document.querySelectorAll(".nf-list .nf-item.nf-unread").length`)); n != 0 {
		t.Errorf("%d notifications still unread", n)
	}
}

// TestMemberEditPreviewHistoryAndAccept: a member edits their question with
// a preview (live, and by the button), twice, then reads the history:
// numbered revisions, each with what it changed. A helper's only reply,
// accepted, leaves no empty "Other replies" heading.
func TestMemberEditPreviewHistoryAndAccept(t *testing.T) {
	exe := chromePath(t)
	base := startServer(t)
	asker := newBrowser(t, exe)
	signUp(t, asker, base, "dev_edits")
	thread := ask(t, asker, base, "My roaming add-on did not start", "I bought the add-on yesterday but data abroad still costs money.")

	edit := func(body, shot string) {
		t.Helper()
		open(t, asker, base+thread)
		clickAndLoad(t, asker, "click Edit", `(//section[contains(@class,"question")]`+link("Edit")+`)[1]`)
		get(t, asker, "clear the body", chromedp.Evaluate[string](`document.getElementById("body").value = ""`))
		do(t, asker, "rewrite the body",
			chromedp.SendKeys(chromedp.ID("body"), body),
			chromedp.WaitVisible(chromedp.CSS("#body + .preview.live .body strong")),
		)
		if b := get(t, asker, "read the live preview", chromedp.Text(chromedp.CSS(".preview.live .body strong"))); b != "roaming" {
			t.Fatalf("live preview bold = %q", b)
		}
		clickAndLoad(t, asker, "press Preview", button("Preview"))
		if b := get(t, asker, "read the preview", chromedp.Text(chromedp.CSS(".preview .body strong"))); b != "roaming" {
			t.Fatalf("preview bold = %q", b)
		}
		if shot != "" {
			shoot(t, asker, shot)
		}
		clickAndLoad(t, asker, "save the edit", button("Save edit"))
	}
	edit("I bought the **roaming** add-on yesterday but data in Spain still costs money.", "member-edit-preview")
	edit("I bought the **roaming** add-on yesterday but data in Spain still costs money, about £3 a day.", "")
	clickAndLoad(t, asker, "open the history", `(//section[contains(@class,"question")]//a[starts-with(normalize-space(.),"edited")])[1]`)
	labels := get(t, asker, "read the revision labels", chromedp.Evaluate[[]string](`[...document.querySelectorAll(".revision h2")].map(h => h.textContent.trim())`))
	if strings.Join(labels, "|") != "Revision 3 (current)|Revision 2|Revision 1 (original)" {
		t.Fatalf("revision labels = %q", labels)
	}
	if m := get(t, asker, "read the list markers", chromedp.Evaluate[string](`getComputedStyle(document.querySelector(".revisions > li")).listStyleType`)); m != "none" {
		t.Errorf("revisions are numbered by the list as well (%q)", m)
	}
	ins := get(t, asker, "read the additions", chromedp.Evaluate[[]string](`[...document.querySelectorAll("#rev2 .diff ins")].map(e => e.textContent)`))
	del := get(t, asker, "read the removals", chromedp.Evaluate[[]string](`[...document.querySelectorAll("#rev2 .diff del")].map(e => e.textContent)`))
	if !strings.Contains(strings.Join(ins, " "), "roaming") || !strings.Contains(strings.Join(del, " "), "abroad") {
		t.Errorf("revision 2's diff: added %q, removed %q", ins, del)
	}
	if added := get(t, asker, "read revision 3's additions", chromedp.Text(chromedp.CSS("#rev3 .diff ins"))); !strings.Contains(added, "about £3 a day") {
		t.Errorf("revision 3 added %q", added)
	}
	shoot(t, asker, "member-history")

	helper := freshVisitor(t, asker)
	signUp(t, helper, base, "eli_helps")
	open(t, helper, base+thread)
	replyID := reply(t, helper, base, "Add-ons start at midnight UK time: check again tomorrow.")
	open(t, asker, base+thread)
	clickAndLoad(t, asker, "accept the reply", `//section[@id="`+replyID+`"]`+button("Accept as answer"))
	headings := get(t, asker, "read the headings", chromedp.Evaluate[[]string](`[...document.querySelectorAll("main h2")].map(h => h.textContent.trim())`))
	for _, h := range headings {
		if h == "Other replies" || strings.HasSuffix(h, "replies") || strings.HasSuffix(h, "reply") {
			t.Errorf("after accepting the only reply the page has the heading %q", h)
		}
	}
	shoot(t, asker, "member-accepted-only-reply")
}

// TestMemberBoardPagesBothWays: on a board with 70 questions a member pages
// forward with "Older questions", back with "Newer questions", and from the
// last page straight back to the newest.
func TestMemberBoardPagesBothWays(t *testing.T) {
	exe := chromePath(t)
	base, a := startApp(t, nil)
	ctx := context.Background()
	db := a.DB()
	brand, err := forum.NewBrands(db, time.Now).Default(ctx)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Now().Add(-24 * time.Hour)
	clock := func() time.Time { return at }
	svc := forum.NewService(db, markup.NewRenderer(), clock)
	board, err := svc.CreateBoard(ctx, brand.ID, forum.NewBoard{Name: "Plans and pricing", Description: "A busy board.", Position: 9})
	if err != nil {
		t.Fatal(err)
	}
	u, err := account.NewMembers(db, clock).CreateUnclaimed(ctx, account.Unclaimed{BrandID: brand.ID, Username: "busy_asker", CreatedAt: at.Add(-30 * 24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	asker := account.Actor{UserID: u.ID, BrandID: brand.ID, Username: u.Username, Roles: []string{"member"}}
	for i := 1; i <= 70; i++ {
		at = at.Add(time.Minute)
		if _, err := svc.Ask(ctx, asker, forum.NewThread{BoardID: board.ID, Title: fmt.Sprintf("Plan question number %02d", i), Body: "Which plan suits me best?"}); err != nil {
			t.Fatal(err)
		}
	}
	member := newBrowser(t, exe)
	signUp(t, member, base, "fay_browses")
	open(t, member, base+"/")
	clickAndLoad(t, member, "open the board", link("Plans and pricing"))
	first := here(t, member, base)
	titles := func() []string {
		return get(t, member, "read the questions", chromedp.Evaluate[[]string](`[...document.querySelectorAll("ul.threads h3 a")].map(a => a.textContent.trim())`))
	}
	p1 := titles()
	if len(p1) != 30 || p1[0] != "Plan question number 70" {
		t.Fatalf("first page: %d questions from %q", len(p1), p1[0])
	}
	if n := get(t, member, "look for Newer", chromedp.Evaluate[int](`document.querySelectorAll(".pager a[rel=prev]").length`)); n != 0 {
		t.Error("the first page offers newer questions")
	}
	clickAndLoad(t, member, "older questions", `.pager a[rel=next]`)
	p2 := titles()
	clickAndLoad(t, member, "older again", `.pager a[rel=next]`)
	p3 := titles()
	if len(p3) != 10 || p3[9] != "Plan question number 01" {
		t.Fatalf("last page: %q", p3)
	}
	if n := get(t, member, "look for Older", chromedp.Evaluate[int](`document.querySelectorAll(".pager a[rel=next]").length`)); n != 0 {
		t.Error("the last page offers older questions")
	}
	shoot(t, member, "member-board-last-page")
	clickAndLoad(t, member, "newer questions", `.pager a[rel=prev]`)
	if got := titles(); strings.Join(got, "|") != strings.Join(p2, "|") {
		t.Fatalf("back from the last page: %q, want page 2 %q", got[0], p2[0])
	}
	shoot(t, member, "member-board-middle-page")
	clickAndLoad(t, member, "newer again", `.pager a[rel=prev]`)
	if here(t, member, base) != first || titles()[0] != p1[0] {
		t.Fatalf("back to the first page landed on %s", here(t, member, base))
	}
	clickAndLoad(t, member, "older questions", `.pager a[rel=next]`)
	clickAndLoad(t, member, "older again", `.pager a[rel=next]`)
	clickAndLoad(t, member, "back to the newest", link("Back to the newest questions"))
	if here(t, member, base) != first {
		t.Errorf("Back to the newest questions led to %s", here(t, member, base))
	}
}
