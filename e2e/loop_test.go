package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"mutual/escalation"
	"mutual/forum"
	"mutual/report/deflection/deflectiontest"
)

// TestJourneyTicketingCallbackAnswersTheThread: a question is escalated;
// the administrator sets the ticketing secret (shown once); the brand's
// ticketing system calls back, signed as docs/ticketing.md says, with the
// case solved; the escalation is resolved and the asker reads the brand's
// answer in the thread, with the agent's name and the case.
func TestJourneyTicketingCallbackAnswersTheThread(t *testing.T) {
	exe := chromePath(t)
	base, a, clk := escServer(t)
	ctx := context.Background()
	brand, err := forum.NewBrands(a.DB(), clk.Now).Default(ctx)
	if err != nil {
		t.Fatal(err)
	}
	staffMember(t, a, "boss_bea", "admin")

	browser := newBrowser(t, exe)
	asker := freshVisitor(t, browser)
	signUp(t, asker, base, "tia_asks")
	const title = "Roaming data stopped working in Portugal"
	threadURL := askQuestion(t, asker, base, title)
	clk.Add(escalation.DefaultPeerSLA + time.Second)
	if _, err := a.RunEscalations(ctx); err != nil {
		t.Fatal(err)
	}
	id, err := threadID(threadURL)
	if err != nil {
		t.Fatal(err)
	}
	x, ok, err := a.Escalations().ForThread(ctx, brand.ID, id)
	if err != nil || !ok {
		t.Fatalf("not escalated: %v", err)
	}

	admin := freshVisitor(t, browser)
	open(t, admin, base+"/")
	signIn(t, admin, base, "boss_bea")
	fromMenu(t, admin, "Ticketing callbacks")
	do(t, admin, "name the agent", chromedp.SendKeys(chromedp.ID("loop-author"), "agent_amy"))
	clickAndLoad(t, admin, "generate the secret", button("Generate a secret"))
	secret := get(t, admin, "read the secret", chromedp.Text(chromedp.ID("loop-secret")))
	if !strings.HasPrefix(secret, "mts_") {
		t.Fatalf("secret shown: %q", secret)
	}
	shoot(t, admin, "loop-ticketing-secret")

	body, _ := json.Marshal(map[string]any{"case_id": "ZD-88231", "escalation_id": x.ID, "status": "solved", "agent_name": "Dana Ortiz",
		"resolution": "Roaming was off on your line after the plan change. I switched it back on; restart the phone and data returns within minutes."})
	ts := clk.Now().Unix()
	req, err := http.NewRequest(http.MethodPost, base+"/api/v1/ticketing/callback", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Mutual-Timestamp", strconv.FormatInt(ts, 10))
	req.Header.Set("X-Mutual-Signature", escalation.SignCallback(secret, ts, body))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("callback: %s", res.Status)
	}

	open(t, asker, base+threadURL)
	byline := get(t, asker, "read the brand's answer", chromedp.Text(`//section[contains(@class,"post")][contains(.,"Dana Ortiz answered")]`))
	if !strings.Contains(byline, "Dana Ortiz answered for our support team · case ZD-88231") || !strings.Contains(byline, "restart the phone") {
		t.Fatalf("the thread shows %q", byline)
	}
	shoot(t, asker, "loop-ticketing-answer")
	x, _, _ = a.Escalations().ForThread(ctx, brand.ID, id)
	if x.Status != escalation.StatusResolved || x.Resolution != escalation.ResTicketing {
		t.Fatalf("escalation = %s/%s, want resolved by the ticketing system", x.Status, x.Resolution)
	}
}

// TestJourneyHoldoutReport: the administrator turns on a 5% holdout on the
// report settings page; a month of askers (generated, the truth known)
// opens the Ask form and posts or not; the report shows both groups, the
// threads suggestions saved with their interval, and the method.
func TestJourneyHoldoutReport(t *testing.T) {
	exe := chromePath(t)
	base, a, clk := escServer(t)
	ctx := context.Background()
	brand, err := forum.NewBrands(a.DB(), clk.Now).Default(ctx)
	if err != nil {
		t.Fatal(err)
	}
	staffMember(t, a, "boss_bo", "admin")
	browser := newBrowser(t, exe)
	admin := freshVisitor(t, browser)
	open(t, admin, base+"/")
	signIn(t, admin, base, "boss_bo")
	open(t, admin, base+"/reports/deflection/settings")
	do(t, admin, "set a 5% holdout", chromedp.SetValue(chromedp.ID("holdout-pct"), "5"))
	clickAndLoad(t, admin, "save the holdout", button("Save the holdout"))
	if msg := get(t, admin, "read the flash", chromedp.Text(chromedp.CSS("#holdout p.flash"))); msg != "Holdout saved." {
		t.Fatalf("after saving: %q", msg)
	}

	world := deflectiontest.HoldoutWorld{Askers: 4000, BP: 500, PostRate: 0.6, Deflect: 0.25}
	truth, err := world.Generate(ctx, a.DB(), brand.ID, 7, clk.Now().Add(-4*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	open(t, admin, base+"/reports/deflection?period=30")
	result := get(t, admin, "read the holdout's result", chromedp.Text(chromedp.CSS("#holdout .holdout-result")))
	if !strings.HasPrefix(result, "Suggestions deflected about") && !strings.HasPrefix(result, "No clear effect yet") {
		t.Fatalf("the report's holdout says %q", result)
	}
	t.Logf("truth: %d threads deflected among %d shown askers; the report: %s", truth.Deflected, truth.Shown, result)
	do(t, admin, "bring the holdout into view", chromedp.ScrollIntoView(chromedp.ID("holdout")))
	shoot(t, admin, "loop-holdout-report")
}
