package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"mutual/account"
	"mutual/app"
	"mutual/forum"
)

// TestInPlaceKudosAndFlag: a brand-new member sees, where the kudos button
// would be, when they may give kudos; flags a post without choosing a reason
// and is told so beside the form, their note kept; then completes the flag.
func TestInPlaceKudosAndFlag(t *testing.T) {
	exe := chromePath(t)
	base := startServer(t)
	ctx := newBrowser(t, exe)

	signUp(t, ctx, base, "nina_new")
	open(t, ctx, base+"/")
	clickAndLoad(t, ctx, "open the latest thread", `(//ul[@class="threads"]//h3/a)[1]`)
	question := `//section[contains(@class,"question")]`
	n := get(t, ctx, "look for kudos buttons", chromedp.Nodes(chromedp.CSSAll("button.btn-kudos"), chromedp.AtLeast(0)))
	if len(n) != 0 {
		t.Errorf("a member who cannot give kudos yet is offered %d kudos buttons", len(n))
	}
	held := get(t, ctx, "read why not", chromedp.Text(question+`//*[contains(@class,"kudos-held")]`))
	if !strings.Contains(held, "New accounts can give kudos once they are 1 hour old; yours can in") {
		t.Errorf("in place of the kudos button the question says %q", held)
	}
	shoot(t, ctx, "inplace-kudos-new-member")

	do(t, ctx, "open the flag form", chromedp.Click(question+`//details[contains(@class,"flag")]/summary`))
	do(t, ctx, "write a note but choose no reason",
		chromedp.SendKeys(question+`//input[@name="note"]`, "Looks like an advert for another network"))
	clickAndLoad(t, ctx, "send the flag", question+button("Send flag"))
	msg := get(t, ctx, "read the message beside the reason", chromedp.Text(question+`//*[contains(@class,"field-error")]`))
	if !strings.Contains(msg, "Choose a reason for the flag") {
		t.Fatalf("beside the reason: %q", msg)
	}
	facts := get(t, ctx, "read the refused form", chromedp.Evaluate[struct {
		Open      bool   `json:"open"`
		Note      string `json:"note"`
		Described string `json:"described"`
		Alert     string `json:"alert"`
		Focused   string `json:"focused"`
	}](`(() => {
  const q = document.querySelector("section.question");
  const sel = q.querySelector("select[name=reason]");
  const err = document.getElementById(sel.getAttribute("aria-describedby") || "none");
  return {open: q.querySelector("details.flag").open, note: q.querySelector("input[name=note]").value,
    described: err ? err.textContent : "", alert: err ? err.getAttribute("role") : "",
    focused: document.activeElement ? document.activeElement.name || "" : ""};
})()`))
	if !facts.Open || facts.Note != "Looks like an advert for another network" || !strings.Contains(facts.Described, "Choose a reason for the flag") ||
		facts.Alert != "alert" || facts.Focused != "reason" {
		t.Errorf("the refused flag form: %+v", facts)
	}
	shoot(t, ctx, "inplace-flag-refused")

	do(t, ctx, "choose a reason", chromedp.SetValue(question+`//select[@name="reason"]`, "off_topic"))
	clickAndLoad(t, ctx, "send the flag again", question+button("Send flag"))
	if txt := get(t, ctx, "read the page", chromedp.Evaluate[string](`document.body.innerText`)); !strings.Contains(txt, "your flag is with the moderators") {
		t.Fatalf("no confirmation after completing the flag: %q", txt)
	}
	shoot(t, ctx, "inplace-flag-sent")
}

// TestInPlaceMoveAndMerge: a moderator moves a question to the right board,
// chosen by name, then merges it into an older thread found by searching
// its title; the older thread marks the merged question, and the merged
// question's address leads there.
func TestInPlaceMoveAndMerge(t *testing.T) {
	exe := chromePath(t)
	base, a := startApp(t, nil)
	browser := newBrowser(t, exe)

	member := freshVisitor(t, browser)
	signUp(t, member, base, "traveller")
	open(t, member, base+"/ask")
	pickBoard(t, member, "Getting started")
	do(t, member, "write the question",
		chromedp.SendKeys(chromedp.ID("title"), "Is Morocco included in my roaming?"),
		chromedp.SendKeys(chromedp.ID("body"), "Going to Marrakesh in May, will my data work there?"))
	clickAndLoad(t, member, "post the question", button("Post question"))
	dup := here(t, member, base)

	mod := freshVisitor(t, browser)
	signUp(t, mod, base, "mo_moderator")
	grant(t, a, "mo_moderator", "moderator")
	open(t, mod, base+dup)
	do(t, mod, "open the moderation tools", chromedp.Click(`//details[contains(@class,"mod-tools")]/summary`))
	pick := get(t, mod, "find the board by name", chromedp.AttributeValue(
		`//select[@name="board_id"]/option[normalize-space(.)="Network and coverage"]`, "value"))
	if !pick.Exists || pick.Value == "" {
		t.Fatal("the move form does not list the board by name")
	}
	do(t, mod, "choose the board", chromedp.SetValue(`//select[@name="board_id"]`, pick.Value))
	shoot(t, mod, "inplace-move-choose-board")
	clickAndLoad(t, mod, "move the thread", button("Move"))
	crumbs := get(t, mod, "read the breadcrumb", chromedp.Text(`nav.crumbs`))
	if !strings.Contains(crumbs, "Network and coverage") {
		t.Fatalf("after moving, the breadcrumb says %q", crumbs)
	}

	do(t, mod, "open the moderation tools", chromedp.Click(`//details[contains(@class,"mod-tools")]/summary`))
	do(t, mod, "search for the thread by its title", chromedp.SendKeys(`#mod-t-find`, "data abroad"))
	choice := `//label[contains(@class,"merge-choice")][contains(., "Using data abroad: which countries are included?")]/input`
	do(t, mod, "see it found as they type (the search API)", chromedp.WaitVisible(choice))
	// The Find button is the same search without JavaScript: a GET of the
	// page that lists what it found.
	clickAndLoad(t, mod, "find it", button("Find"))
	if p := here(t, mod, base); !strings.Contains(p, "into_q=data+abroad") {
		t.Errorf("Find led to %q, want the thread page searched", p)
	}
	do(t, mod, "see the thread found", chromedp.WaitVisible(choice))
	do(t, mod, "choose it and say why",
		chromedp.Click(choice),
		chromedp.SendKeys(`#mod-t-reason`, "Same question as the roaming thread"))
	shoot(t, mod, "inplace-merge-search")
	clickAndLoad(t, mod, "merge", button("Merge"))
	landing := here(t, mod, base)
	if !strings.Contains(landing, "using-data-abroad") {
		t.Fatalf("merging landed on %q, want the thread merged into", landing)
	}
	marker := get(t, mod, "read the merged marker", chromedp.Text(`.merged-from`))
	if !strings.Contains(marker, "Merged from “Is Morocco included in my roaming?” by mo_moderator") {
		t.Errorf("the merged question's marker says %q", marker)
	}
	do(t, mod, "scroll to the merged question", chromedp.ScrollIntoView(`.merged-from`))
	shoot(t, mod, "inplace-merged-landing")

	open(t, member, base+dup)
	if p := here(t, member, base); !strings.Contains(p, "using-data-abroad") {
		t.Errorf("the merged question's address leads to %q", p)
	}
}

// grant gives username a role in the default brand, as an administrator's
// CLI would.
func grant(t *testing.T, a *app.App, username, role string) {
	t.Helper()
	ctx := context.Background()
	members := account.NewMembers(a.DB(), time.Now)
	brand, err := forum.NewBrands(a.DB(), time.Now).Default(ctx)
	if err != nil {
		t.Fatal(err)
	}
	u, err := members.ByUsername(ctx, brand.ID, username)
	if err != nil {
		t.Fatal(err)
	}
	if err := members.Grant(ctx, brand.ID, u.ID, role); err != nil {
		t.Fatal(err)
	}
}
