package e2e

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"mutual/account"
	"mutual/app"
	"mutual/forum"
	"mutual/internal/testkit"
	"mutual/markup"
	"mutual/report/deflection"
	"mutual/report/deflection/deflectiontest"
)

// TestReportJourney signs in as a client manager, opens the deflection report
// on the five hand-computed timelines, checks the figures shown and saves
// screenshots of the page and of each chart in e2e/artifacts/.
func TestReportJourney(t *testing.T) {
	exe := chromePath(t)
	clk := testkit.NewClock(time.Now().UTC().Add(-72 * time.Hour).Truncate(time.Minute))
	cfg := app.DefaultConfig()
	cfg.DataDir = t.TempDir()
	cfg.Addr = "127.0.0.1:0"
	cfg.NoDemo = true
	cfg.JobInterval = 0
	cfg.Now = clk.Now
	ctx, cancel := context.WithCancel(context.Background())
	a, err := app.New(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	db := a.DB()
	brand, err := forum.NewBrands(db, clk.Now).Default(ctx)
	if err != nil {
		t.Fatal(err)
	}
	svc := forum.NewService(db, markup.NewRenderer(), clk.Now)
	svc.Subscribe(deflection.Hook)
	tl := deflectiontest.Build(t, db, svc, clk, deflection.NewViews(db, clk.Now, slog.New(slog.NewTextHandler(io.Discard, nil))), brand.ID)
	form := deflection.FormOf(deflection.DefaultSettings(brand.ID))
	form.ContactURL = "https://example.com/contact"
	if _, err := deflection.SaveSettings(ctx, db, brand.ID, form, clk.Now()); err != nil {
		t.Fatal(err)
	}
	deflectiontest.Readers(t, db, tl, brand.ID, tl.T0.Add(3*time.Hour))
	clk.Add(tl.T0.Add(72 * time.Hour).Sub(clk.Now()))
	members := account.NewMembers(db, clk.Now)
	mgr, err := members.Create(ctx, account.Signup{BrandID: brand.ID, Username: "clara_manager", Email: "clara@example.com", Password: "report-password-123"})
	if err != nil {
		t.Fatal(err)
	}
	if err := members.Grant(ctx, brand.ID, mgr.ID, "client_manager"); err != nil {
		t.Fatal(err)
	}
	ready, done := make(chan string, 1), make(chan error, 1)
	go func() { done <- a.Serve(ctx, func(addr string) { ready <- addr }) }()
	base := "http://" + <-ready
	t.Cleanup(func() {
		cancel()
		<-done
		_ = a.Close()
	})

	b := newBrowser(t, exe)
	open(t, b, base+"/login")
	do(t, b, "sign in", chromedp.SendKeys(chromedp.ID("login"), "clara_manager"), chromedp.SendKeys(chromedp.ID("password"), "report-password-123"))
	clickAndLoad(t, b, "submit sign-in", `//main//button[@type="submit"]`)
	fromMenu(t, b, "Reports")
	if p := here(t, b, base); p != "/reports/deflection" {
		t.Fatalf("Reports led to %q", p)
	}
	for key, want := range map[string]string{"asked": "4", "peer_resolved": "2", "agent_resolved": "1", "escalated": "2", "late_peer": "1",
		"unresolved": "1", "direct_raw": "2", "direct": "1", "self_service": "0.2", "saving": "€7.20", "first_answer_sla": "50% (2 of 4)"} {
		got := get(t, b, "read "+key, chromedp.Text(chromedp.CSS(`td[data-figure="`+key+`"]`)))
		if got != want {
			t.Errorf("figure %s shows %q, want %q", key, got, want)
		}
	}
	dir := "artifacts"
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	save := func(name string, png []byte) {
		if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	save("report-page.png", get(t, b, "screenshot the page", chromedp.FullScreenshot(100)))
	for _, id := range []string{"chart-trend", "chart-funnel", "chart-first-answer"} {
		save("report-"+id+".png", get(t, b, "screenshot "+id, chromedp.Screenshot(chromedp.ID(id))))
	}
	// The printable view hides the navigation and keeps the figures.
	open(t, b, base+"/reports/deflection?period=30&print=1")
	if got := get(t, b, "read asked in print", chromedp.Text(chromedp.CSS(`td[data-figure="asked"]`))); got != "4" {
		t.Errorf("printable view shows asked %q", got)
	}
	exportsMatchThePage(t, b, base, tl.T0)
}

// exportsMatchThePage picks a custom period grouped by day on the report
// page, then follows its printable, CSV and JSON links and checks each
// carries the page's period, grouping and figures.
func exportsMatchThePage(t *testing.T, b context.Context, base string, t0 time.Time) {
	t.Helper()
	from, to := t0.Format("2006-01-02"), t0.Add(24*time.Hour).Format("2006-01-02")
	open(t, b, base+"/reports/deflection")
	do(t, b, "choose a custom period by day",
		chromedp.SetValue(chromedp.ID("period"), "custom"),
		chromedp.SetValue(chromedp.ID("from"), from),
		chromedp.SetValue(chromedp.ID("to"), to),
		chromedp.SetValue(chromedp.ID("group"), "day"))
	clickAndLoad(t, b, "show the period", `//form[contains(@class,"report-filter")]`+button("Show"))
	shoot(t, b, "report-custom-period")
	figure := func(what string) string {
		return get(t, b, "read asked "+what, chromedp.Text(chromedp.CSS(`td[data-figure="asked"]`)))
	}
	asked := figure("on the page")
	sub := get(t, b, "read the period", chromedp.Text(chromedp.CSS(".report-sub")))
	if !strings.Contains(sub, from+" to "+to) || !strings.Contains(sub, "grouped by day") {
		t.Fatalf("the page did not take the period: %q", sub)
	}
	href := func(text string) string {
		return get(t, b, "read the "+text+" link", chromedp.Evaluate[string](
			`[...document.querySelectorAll(".report-links a")].find(a => a.textContent.trim() === "`+text+`").href`))
	}
	csvURL, jsonURL := href("Download CSV"), href("JSON")
	pageURL := get(t, b, "read the page's address", chromedp.Location())

	// The CSV downloads rather than opens, so the page fetches the link's
	// own address with the reader's cookies, as the click would.
	csvText := get(t, b, "fetch the CSV link", chromedp.Evaluate[string](`fetch(`+strconv.Quote(csvURL)+`).then(r => r.text())`,
		chromedp.EvalAwaitPromise))
	rows, err := csv.NewReader(strings.NewReader(csvText)).ReadAll()
	if err != nil || len(rows) < 2 {
		t.Fatalf("CSV from %s: %v %q", csvURL, err, csvText)
	}
	col := slices.Index(rows[0], "asked")
	if total := csvTotal(rows); total == nil || total[1] != from+".."+to || total[col] != asked {
		t.Errorf("CSV (%s) total row %v, page shows %s..%s asked %s", csvURL, total, from, to, asked)
	}

	clickAndLoad(t, b, "follow the JSON link", link("JSON"))
	var got struct {
		Report struct {
			From, To, Group string
			Totals          struct{ Asked int }
		}
	}
	body := get(t, b, "read the JSON", chromedp.Text(chromedp.CSS("body")))
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatalf("JSON from %s: %v", jsonURL, err)
	}
	if r := got.Report; r.From != from || r.To != to || r.Group != "day" || strconv.Itoa(r.Totals.Asked) != asked {
		t.Errorf("JSON (%s) says %+v, page shows %s to %s by day, asked %s", jsonURL, r, from, to, asked)
	}

	open(t, b, pageURL)
	clickAndLoad(t, b, "follow the printable link", link("Printable view"))
	if got := figure("in print"); got != asked {
		t.Errorf("printable view shows asked %s, page %s", got, asked)
	}
	if got := get(t, b, "read the printed period", chromedp.Text(chromedp.CSS(".report-sub"))); !strings.Contains(got, from+" to "+to) {
		t.Errorf("printable view's period: %q", got)
	}
}

// csvTotal is the CSV's whole-period row.
func csvTotal(rows [][]string) []string {
	for _, r := range rows[1:] {
		if r[0] == "total" {
			return r
		}
	}
	return nil
}
