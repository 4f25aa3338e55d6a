package app_test

import (
	"context"
	"encoding/csv"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"mutual/app"
	"mutual/forum"
	"mutual/report/deflection"
	"mutual/report/deflection/deflectiontest"
)

// reportSite builds the five hand-computed timelines (see
// report/deflection/report_test.go for the sums) on a running site.
func reportSite(t *testing.T) (*site, deflectiontest.Timeline, member) {
	t.Helper()
	s := newSite(t)
	s.svc.Subscribe(deflection.Hook)
	views := deflection.NewViews(s.app.DB(), s.clock.Now, slog.New(slog.NewTextHandler(io.Discard, nil)))
	tl := deflectiontest.Build(t, s.app.DB(), s.svc, s.clock, views, s.brand.ID)
	admin := s.user(s.brand.ID, "boss", "admin")
	res := s.signedIn(admin).post("/reports/deflection/settings", url.Values{"cost": {"6.00"}, "currency": {"EUR"}, "rate": {"10"},
		"min_answers": {"30"}, "escalation_sla": {"15"}, "agent_sla": {"4"}, "contact_url": {"https://acme.example/contact"}})
	if res.code != http.StatusSeeOther {
		t.Fatalf("save settings: %d %s", res.code, clip(res.body))
	}
	deflectiontest.Readers(t, s.app.DB(), tl, s.brand.ID, tl.T0.Add(3*time.Hour))
	s.clock.Add(tl.T0.Add(72 * time.Hour).Sub(s.clock.Now()))
	return s, tl, s.user(s.brand.ID, "manager", "client_manager")
}

func TestReportPageCSVAndJSONAgree(t *testing.T) {
	s, tl, mgr := reportSite(t)
	q := "?from=" + tl.From.Format(time.DateOnly) + "&to=" + tl.To.Format(time.DateOnly) + "&group=week"
	b := s.signedIn(mgr)

	page := b.get("/reports/deflection" + q)
	if page.code != http.StatusOK {
		t.Fatalf("page: %d %s", page.code, clip(page.body))
	}
	for key, want := range map[string]string{
		"asked": "4", "peer_answered": "3", "peer_resolved": "2", "escalated": "2", "late_peer": "1", "agent_resolved": "1",
		"resolved_otherwise": "0", "unresolved": "1", "escalation_rate": "50%", "direct_raw": "2", "direct": "1", "suggestions": "1",
		"self_service": "0.2", "saving": "€7.20",
		"first_peer": "median 10m 00s · p90 20m 00s (n=3)", "accepted": "median 40m 00s · p90 1h 00m (n=3)",
		"agent_claim": "median 5m 00s · p90 5m 00s (n=1)", "agent_answer": "median 30m 00s · p90 30m 00s (n=1)",
		"first_answer_sla": "50% (2 of 4)", "agent_sla": "100% (1 of 1)",
	} {
		if cell := `data-figure="` + key + `">` + want + `</td>`; !strings.Contains(page.body, cell) {
			t.Errorf("page lacks %s", cell)
		}
	}
	for _, must := range []string{"ASSUMED (configured): only 3 survey answers", "within 7 days of asking", `id="chart-trend"`, `id="chart-funnel"`,
		`id="chart-first-answer"`, "<svg", "Week asked", "#4b2bb8", "Peer-resolved", "Agent-resolved", "Printable view", "Download CSV"} {
		if !strings.Contains(page.body, must) {
			t.Errorf("page lacks %q", must)
		}
	}

	js := b.api(http.MethodGet, "/api/v1/reports/deflection"+q, nil)
	if js.code != http.StatusOK {
		t.Fatalf("json: %d %s", js.code, clip(js.body))
	}
	tot := js.json(t)["report"].(map[string]any)["totals"].(map[string]any)
	for k, want := range map[string]float64{"asked": 4, "peer_resolved": 2, "agent_resolved": 1, "escalated": 2, "cancelled_by_late_peer": 1,
		"unresolved": 1, "escalation_rate_percent": 50, "direct_deflection_raw": 2, "direct_deflection": 1, "suggestion_deflections": 1,
		"solved_viewer_days": 3, "contact_clicks_from_solved": 1, "self_service_deflection": 0.2, "deflected_contacts": 2.2, "estimated_saving_minor": 720} {
		if tot[k] != want {
			t.Errorf("json %s = %v, want %v", k, tot[k], want)
		}
	}
	if fp := tot["time_to_first_peer_answer"].(map[string]any); fp["median_seconds"] != 600.0 || fp["p90_seconds"] != 1200.0 {
		t.Errorf("json first peer answer = %v", fp)
	}

	c := b.api(http.MethodGet, "/api/v1/reports/deflection"+q+"&format=csv", nil)
	if c.code != http.StatusOK || !strings.HasPrefix(c.header.Get("Content-Type"), "text/csv") {
		t.Fatalf("csv: %d %s", c.code, c.header.Get("Content-Type"))
	}
	recs, err := csv.NewReader(strings.NewReader(c.body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	total := recs[1]
	for k, want := range map[string]string{"scope": "total", "asked": "4", "peer_resolved": "2", "agent_resolved": "1", "unresolved": "1",
		"direct_deflection_raw": "2", "direct_deflection": "1", "self_service_deflection": "0.2", "self_service_rate_source": "assumed",
		"estimated_saving": "7.20", "currency": "EUR", "first_peer_answer_median_s": "600", "accepted_answer_p90_s": "3600",
		"agent_claim_median_s": "300", "agent_answer_median_s": "1800", "first_answer_sla_percent": "50", "agent_sla_percent": "100"} {
		if got := total[col[k]]; got != want {
			t.Errorf("csv %s = %q, want %q", k, got, want)
		}
	}
	if len(recs) != 1+1+1+3 { // header, total, one week, three boards
		t.Errorf("csv has %d lines", len(recs))
	}

	// A new cost recomputes the saving and nothing else.
	admin := s.user(s.brand.ID, "boss2", "admin")
	res := s.signedIn(admin).post("/reports/deflection/settings", url.Values{"cost": {"10"}, "currency": {"EUR"}, "rate": {"10"},
		"min_answers": {"30"}, "escalation_sla": {"15"}, "agent_sla": {"4"}, "contact_url": {"https://acme.example/contact"}})
	if res.code != http.StatusSeeOther {
		t.Fatalf("save settings: %d %s", res.code, clip(res.body))
	}
	tot2 := b.api(http.MethodGet, "/api/v1/reports/deflection"+q, nil).json(t)["report"].(map[string]any)["totals"].(map[string]any)
	if tot2["estimated_saving_minor"] != 1200.0 {
		t.Errorf("saving after the cost change = %v, want 1200", tot2["estimated_saving_minor"])
	}
	for k, v := range tot {
		if !strings.Contains(k, "saving") && !strings.Contains(k, "cost") && k != "time_to_first_peer_answer" && k != "time_to_accepted_answer" &&
			k != "agent_time_to_claim" && k != "agent_time_to_answer" && k != "first_answer_sla" && k != "agent_answer_sla" && tot2[k] != v {
			t.Errorf("%s changed with the cost: %v -> %v", k, v, tot2[k])
		}
	}
	s.noErrorLogs()
}

func TestReportAccess(t *testing.T) {
	s := newSite(t)
	other, err := s.brands.Create(context.Background(), forum.NewBrand{Host: "other.test", Name: "Other Co"})
	if err != nil {
		t.Fatal(err)
	}
	mgr := s.user(s.brand.ID, "manager", "client_manager")
	otherMgr := s.user(other.ID, "othermgr", "client_manager")
	member := s.user(s.brand.ID, "plain")
	settings := url.Values{"cost": {"6"}, "currency": {"EUR"}, "rate": {"10"}, "min_answers": {"30"}, "escalation_sla": {"15"}, "agent_sla": {"4"}}

	foreign := s.signedIn(otherMgr) // a session of the other brand, sent to this one
	s.run([]scenario{
		{name: "manager reads the page", as: s.signedIn(mgr), method: "GET", path: "/reports/deflection", status: 200, contains: []string{"Deflection report"}},
		{name: "manager reads the API", as: s.bearerClient(mgr), method: "GET", path: "/api/v1/reports/deflection?group=month", status: 200, contains: []string{`"totals"`}},
		{name: "member gets 404", as: s.signedIn(member), method: "GET", path: "/reports/deflection", status: 404},
		{name: "member API gets 404", as: s.bearerClient(member), method: "GET", path: "/api/v1/reports/deflection", status: 404},
		{name: "anonymous API is told to sign in", as: s.browser(), method: "GET", path: "/api/v1/reports/deflection", status: 401},
		{name: "another brand's session is nobody here", as: foreign, method: "GET", path: "/reports/deflection", status: 303},
		{name: "another brand's token is refused", as: s.bearerClient(otherMgr), method: "GET", path: "/api/v1/reports/deflection", status: 401},
		{name: "manager may not change settings", as: s.signedIn(mgr), method: "GET", path: "/reports/deflection/settings", status: 404},
		{name: "bad group", as: s.bearerClient(mgr), method: "GET", path: "/api/v1/reports/deflection?group=year", status: 422, contains: []string{"day, week or month"}},
		{name: "bad date", as: s.bearerClient(mgr), method: "GET", path: "/api/v1/reports/deflection?from=yesterday", status: 422, contains: []string{"2025-05-01"}},
		{name: "reversed period", as: s.bearerClient(mgr), method: "GET", path: "/api/v1/reports/deflection?from=2025-05-06&to=2025-05-01", status: 422},
		{name: "board of nowhere", as: s.bearerClient(mgr), method: "GET", path: "/api/v1/reports/deflection?board=999999", status: 404},
		{name: "bad format", as: s.bearerClient(mgr), method: "GET", path: "/api/v1/reports/deflection?format=xml", status: 400},
	})
	// The other brand's manager, on their own host, sees their own brand only.
	ob := s.signedIn(otherMgr)
	ob.host = "other.test"
	if res := ob.get("/reports/deflection"); res.code != 200 || !strings.Contains(res.body, "Other Co") || strings.Contains(res.body, s.board.Name) {
		t.Errorf("other brand's report: %d", res.code)
	}
	// Settings: bad values are explained, good ones saved.
	admin := s.signedIn(s.user(s.brand.ID, "boss", "admin"))
	admin.get("/reports/deflection/settings")
	bad := url.Values{"cost": {"-3"}, "currency": {"euros"}, "rate": {"140"}, "min_answers": {"0"}, "escalation_sla": {"0"}, "agent_sla": {"x"}, "contact_url": {"javascript:alert(1)"}}
	if res := admin.post("/reports/deflection/settings", bad); res.code != 422 || !strings.Contains(res.body, "three-letter ISO code") || !strings.Contains(res.body, "full http(s) address") {
		t.Errorf("bad settings: %d %s", res.code, clip(res.body))
	}
	if res := admin.post("/reports/deflection/settings", settings); res.code != 303 {
		t.Errorf("good settings: %d", res.code)
	}
	s.noErrorLogs()
}

// TestReportCountsViewsSurveyAndContact drives the thread page, the survey
// and the contact link over HTTP.
func TestReportCountsViewsSurveyAndContact(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	asker, peer := s.user(s.brand.ID, "asker"), s.user(s.brand.ID, "peer")
	th, err := s.svc.Ask(ctx, asker.actor, forum.NewThread{BoardID: s.board.ID, Title: "How do I change my plan", Body: "Where is the option?"})
	if err != nil {
		t.Fatal(err)
	}
	// Accept through the app so its hooks see it.
	rep := s.bearerClient(peer).api(http.MethodPost, "/api/v1/threads/"+itoa(th.ID)+"/posts", map[string]string{"body": "Settings, then Plan, then Change."})
	postID := int64(rep.json(t)["id"].(float64))
	if r := s.bearerClient(asker).api(http.MethodPost, "/api/v1/threads/"+itoa(th.ID)+"/accept", map[string]int64{"post_id": postID}); r.code != 200 {
		t.Fatalf("accept: %d %s", r.code, r.body)
	}
	path := "/t/" + itoa(th.ID) + "/" + th.Slug
	view := func(b *browser, ua string) *response {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.Header.Set("User-Agent", ua)
		return b.do(req)
	}
	chrome := "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"
	anon := s.browser()
	page := view(anon, chrome)
	if page.code != 200 || !strings.Contains(page.body, "Did this save you contacting us?") || !strings.Contains(page.body, `method="get" action="/survey/`+itoa(th.ID)) {
		t.Fatalf("thread page lacks the survey prompt: %d", page.code)
	}
	view(anon, chrome) // again, from the cache: the same viewer-day
	other := s.browser()
	other.remote = "198.51.100.7:5555"
	view(other, chrome)
	view(s.browser(), "Googlebot/2.1 (+http://www.google.com/bot.html)")
	mine := view(s.signedIn(asker), chrome)
	if strings.Contains(mine.body, "Did this save you contacting us?") {
		t.Error("the asker is asked whether their own question saved them contacting us")
	}
	if _, err := s.app.ReportFlushViews(ctx); err != nil {
		t.Fatal(err)
	}
	var rows, counted int
	if err := s.app.DB().QueryRow(ctx, `SELECT COUNT(*), COALESCE(SUM(counted), 0) FROM thread_view_days WHERE thread_id = ?`, th.ID).Scan(&rows, &counted); err != nil {
		t.Fatal(err)
	}
	if rows != 3 || counted != 2 { // two visitors and the asker; the bot is not there
		t.Errorf("viewer-days = %d (counted %d), want 3 (2)", rows, counted)
	}
	var raw int
	_ = s.app.DB().QueryRow(ctx, `SELECT COUNT(*) FROM thread_view_days WHERE viewer_key LIKE '%192.0.2%' OR viewer_key LIKE '%198.51%'`).Scan(&raw)
	if raw != 0 {
		t.Error("a raw address was stored")
	}

	// The anonymous survey: the cached page's button leads to a form with a token.
	conf := anon.get("/survey/" + itoa(th.ID) + "?answer=yes")
	if conf.code != 200 || !strings.Contains(conf.body, `name="csrf"`) {
		t.Fatalf("survey confirm: %d", conf.code)
	}
	if r := anon.post("/survey/"+itoa(th.ID), url.Values{"answer": {"yes"}}); r.code != 303 || r.header.Get("Location") != path+"?survey=yes#survey" {
		t.Fatalf("survey answer: %d %s", r.code, r.header.Get("Location"))
	}
	if r := anon.post("/survey/"+itoa(th.ID), url.Values{"answer": {"maybe"}}); r.code != 422 {
		t.Errorf("survey maybe: %d", r.code)
	}
	if r := s.signedIn(asker).post("/survey/"+itoa(th.ID), url.Values{"answer": {"yes"}}); r.code != 409 {
		t.Errorf("asker's survey answer: %d", r.code)
	}
	// Contact: no page set is a clear 404; once set, a counted redirect.
	if r := anon.get("/contact?from=" + itoa(th.ID)); r.code != 404 || !strings.Contains(r.body, "no contact page") {
		t.Errorf("contact without a page: %d", r.code)
	}
	admin := s.signedIn(s.user(s.brand.ID, "boss", "admin"))
	admin.get("/reports/deflection/settings")
	admin.post("/reports/deflection/settings", url.Values{"cost": {"6"}, "currency": {"EUR"}, "rate": {"10"}, "min_answers": {"30"},
		"escalation_sla": {"15"}, "agent_sla": {"4"}, "contact_url": {"https://acme.example/contact"}})
	if r := anon.get("/contact?from=" + itoa(th.ID)); r.code != 302 || r.header.Get("Location") != "https://acme.example/contact" {
		t.Errorf("contact: %d %s", r.code, r.header.Get("Location"))
	}
	var clicks, solved int
	_ = s.app.DB().QueryRow(ctx, `SELECT COUNT(*), COALESCE(SUM(from_solved), 0) FROM contact_clicks WHERE thread_id = ?`, th.ID).Scan(&clicks, &solved)
	if clicks != 1 || solved != 1 {
		t.Errorf("contact clicks = %d (from solved %d)", clicks, solved)
	}
	s.noErrorLogs()
}

// TestReportViewsSurviveShutdown: views noted in memory are written when the
// app closes, before the database does.
func TestReportViewsSurviveShutdown(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	asker := s.user(s.brand.ID, "asker")
	th, err := s.svc.Ask(ctx, asker.actor, forum.NewThread{BoardID: s.board.ID, Title: "Voicemail keeps asking for a PIN", Body: "Every call."})
	if err != nil {
		t.Fatal(err)
	}
	for i, remote := range []string{"203.0.113.1:1", "203.0.113.2:1", "203.0.113.3:1"} {
		b := s.browser()
		b.remote = remote
		req := httptest.NewRequest(http.MethodGet, "/t/"+itoa(th.ID)+"/"+th.Slug, nil)
		req.Header.Set("User-Agent", "Mozilla/5.0 Firefox/"+itoa(int64(120+i)))
		if r := b.do(req); r.code != 200 {
			t.Fatalf("view: %d", r.code)
		}
	}
	if err := s.app.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := app.Open(ctx, s.cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM thread_view_days WHERE thread_id = ?`, th.ID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 3 {
		t.Errorf("after shutdown %d viewer-days were written, want 3", n)
	}
}

// The page's own export links carry exactly the page's period, board and
// grouping: following them gives the figures the page shows. They used to
// reach the exports with the query escaped into one parameter, and the
// exports fell back to the last 30 days by week.
func TestReportExportLinksCarryThePagesQuery(t *testing.T) {
	s, tl, mgr := reportSite(t)
	from, to := tl.From.Format(time.DateOnly), tl.To.Format(time.DateOnly)
	b := s.signedIn(mgr)
	page := b.get("/reports/deflection?from=" + from + "&to=" + to + "&group=day")
	if page.code != http.StatusOK {
		t.Fatalf("page: %d %s", page.code, clip(page.body))
	}
	links := map[string]string{}
	for _, m := range regexp.MustCompile(`<a href="([^"]+)">(Printable view|Download CSV|JSON)</a>`).FindAllStringSubmatch(page.body, -1) {
		links[m[2]] = html.UnescapeString(m[1])
	}
	if len(links) != 3 {
		t.Fatalf("export links %v, want three", links)
	}
	want := url.Values{"from": {from}, "to": {to}, "group": {"day"}}
	for name, link := range links {
		u, err := url.Parse(link)
		if err != nil {
			t.Fatalf("%s link %q: %v", name, link, err)
		}
		for k, v := range want {
			if got := u.Query().Get(k); got != v[0] {
				t.Errorf("%s link %q: %s = %q, want %q", name, link, k, got, v[0])
			}
		}
	}
	csv := b.get(links["Download CSV"])
	if csv.code != http.StatusOK || !strings.Contains(csv.body, "total,") {
		t.Fatalf("CSV by the page's link: %d %s", csv.code, clip(csv.body))
	}
	if !strings.Contains(csv.body, from) || strings.Count(csv.body, "\nday,") == 0 {
		t.Errorf("the CSV is not the page's period grouped by day:\n%s", clip(csv.body))
	}
	js := b.api(http.MethodGet, links["JSON"], nil)
	rep := js.json(t)["report"].(map[string]any)
	if rep["from"] != from || rep["to"] != to || rep["group"] != "day" {
		t.Errorf("JSON by the page's link covers %v to %v by %v, want %s to %s by day", rep["from"], rep["to"], rep["group"], from, to)
	}
	if tot := rep["totals"].(map[string]any); tot["asked"] != float64(4) {
		t.Errorf("JSON by the page's link: asked %v, want the page's 4", tot["asked"])
	}
}
