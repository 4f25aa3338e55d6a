package e2e

import (
	"bytes"
	"context"
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"mutual/account"
	"mutual/escalation"
)

// waitFor reloads url until sel is on the page: the signals are read by a
// background scorer just after each post commits.
func waitFor(t *testing.T, ctx context.Context, url, sel string) {
	t.Helper()
	for range 40 {
		open(t, ctx, url)
		n := get(t, ctx, "look for "+sel, chromedp.Nodes(sel, chromedp.AtLeast(0)))
		if len(n) > 0 {
			return
		}
		time.Sleep(250 * time.Millisecond)
	}
	t.Fatalf("%s never showed %s", url, sel)
}

// TestJourneySalesLeads: a member opts in to hear from sales and asks a
// buying question; another asks one without opting in. The sales person
// finds only the first in Sales leads, and the CSV they download holds the
// same row.
func TestJourneySalesLeads(t *testing.T) {
	exe := chromePath(t)
	base, a := startApp(t, nil)
	staffMember(t, a, "sam_sales", "sales")
	staffMember(t, a, "clara_cm", "client_manager")
	browser := newBrowser(t, exe)

	kim := freshVisitor(t, browser)
	signUp(t, kim, base, "keen_kim")
	open(t, kim, base+"/settings/marketing")
	if get(t, kim, "is the box ticked", chromedp.Evaluate[bool](`document.getElementById("marketing").checked`)) {
		t.Fatal("the marketing box is ticked before the member chose")
	}
	do(t, kim, "tick the box", chromedp.Click(chromedp.ID("marketing")))
	clickAndLoad(t, kim, "save", button("Save"))
	shoot(t, kim, "signals-marketing-setting")
	open(t, kim, base+"/")
	const kimsTitle = "Which plan is best for a family of four?"
	askQuestion(t, kim, base, kimsTitle)

	quinn := freshVisitor(t, browser)
	signUp(t, quinn, base, "quiet_quinn")
	const quinnsTitle = "Can I upgrade my phone before my contract ends?"
	askQuestion(t, quinn, base, quinnsTitle)

	sales := freshVisitor(t, browser)
	open(t, sales, base+"/")
	signIn(t, sales, base, "sam_sales")
	fromMenu(t, sales, "Sales leads")
	waitFor(t, sales, base+"/leads", `//table[@id="leads"]//a[normalize-space(.)="`+kimsTitle+`"]`)
	shoot(t, sales, "signals-leads")
	rows := get(t, sales, "read the leads", chromedp.Evaluate[[]string](
		`[...document.querySelectorAll("#leads tr[data-lead]")].map(r => [...r.cells].slice(1).map(c => c.textContent.trim()).join("|"))`))
	if len(rows) != 1 || !strings.HasPrefix(rows[0], "keen_kim|“which plan”|") {
		t.Fatalf("leads = %q, want keen_kim's one question", rows)
	}
	body := get(t, sales, "read the page", chromedp.Text(chromedp.CSS("main")))
	if strings.Contains(body, "quiet_quinn") || strings.Contains(body, quinnsTitle) {
		t.Fatal("a member who did not opt in is listed")
	}
	csvURL := get(t, sales, "read the CSV link", chromedp.AttributeValue(chromedp.ID("leads-csv"), "href"))
	csvText := get(t, sales, "download the CSV", chromedp.Evaluate[string](`fetch(`+strconv.Quote(csvURL.Value)+`).then(r => r.text())`,
		chromedp.EvalAwaitPromise))
	recs, err := csv.NewReader(strings.NewReader(csvText)).ReadAll()
	if err != nil || len(recs) != 2 || recs[1][1] != "keen_kim" || recs[1][2] != "which plan" || recs[1][3] != kimsTitle {
		t.Fatalf("CSV %q (%v), want the page's one row", recs, err)
	}

	// The client manager's report counts the lead as a KPI.
	cm := freshVisitor(t, browser)
	open(t, cm, base+"/")
	signIn(t, cm, base, "clara_cm")
	fromMenu(t, cm, "Signals report")
	if got := get(t, cm, "read the leads KPI", chromedp.Text(chromedp.CSS(`[data-kpi="leads"]`))); got != "1" {
		t.Fatalf("leads KPI %q, want 1", got)
	}
	shoot(t, cm, "signals-report")
}

// TestJourneyMentionInTheConsole: a listening tool pushes a mention from X
// that needs an answer; the agent on shift finds it in the console with its
// channel and the link out, claims it, and closes it once answered there.
func TestJourneyMentionInTheConsole(t *testing.T) {
	exe := chromePath(t)
	base, a := startApp(t, nil)
	agent := staffMember(t, a, "agent_ava", "agent")
	if _, err := a.Escalations().AddAgent(context.Background(), escalation.NewAgent{BrandID: agent.BrandID, UserID: agent.ID, Person: agent.Email, OnShift: true}); err != nil {
		t.Fatal(err)
	}
	tool := staffMember(t, a, "listening_tool", "integration")
	token, err := account.NewMembers(a.DB(), time.Now).CreateToken(context.Background(), tool.BrandID, tool.ID, "listening")
	if err != nil {
		t.Fatal(err)
	}
	const text = "@brand no 4G in Leeds since 9am and nobody answers, really frustrating"
	body := `{"channel":"x","text":"` + text + `","author_handle":"@leeds_lou","url":"https://x.example/leeds_lou/status/42",` +
		`"posted_at":"` + time.Now().UTC().Add(-10*time.Minute).Format(time.RFC3339) + `","needs_answer":true}`
	req, _ := http.NewRequest(http.MethodPost, base+"/api/v1/intake/mentions", bytes.NewBufferString(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("push: %d", res.StatusCode)
	}

	browser := newBrowser(t, exe)
	ava := freshVisitor(t, browser)
	open(t, ava, base+"/")
	signIn(t, ava, base, "agent_ava")
	fromMenu(t, ava, "Agent console")
	item := `//li[contains(@class,"esc-item")][.//span[@data-channel="x"]]`
	if n := get(t, ava, "find the mention", chromedp.Nodes(item, chromedp.AtLeast(0))); len(n) != 1 {
		t.Fatalf("%d mention rows in the console, want 1", len(n))
	}
	href := get(t, ava, "read the link out", chromedp.AttributeValue(item+`//h3/a`, "href"))
	if href.Value != "https://x.example/leeds_lou/status/42" {
		t.Fatalf("the mention links to %q", href.Value)
	}
	if got := get(t, ava, "read the handle", chromedp.Text(item+`//p[contains(@class,"meta")]`)); !strings.Contains(got, "@leeds_lou") {
		t.Fatalf("the row says %q, want the author's handle", got)
	}
	shoot(t, ava, "signals-mention-console")
	clickAndLoad(t, ava, "claim it", item+`/following-sibling::li[1]`+button("Claim"))
	answer := get(t, ava, "read Answer on x", chromedp.AttributeValue(item+`/following-sibling::li[1]`+link("Answer on x"), "href"))
	if answer.Value != "https://x.example/leeds_lou/status/42" {
		t.Fatalf("Answer on x leads to %q", answer.Value)
	}
	clickAndLoad(t, ava, "close it", item+`/following-sibling::li[1]`+button("Close"))
	if n := get(t, ava, "look for the mention", chromedp.Nodes(item, chromedp.AtLeast(0))); len(n) != 0 {
		t.Fatal("the closed mention is still in the console")
	}
}
