package app_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"mutual/forum"
)

var articleLink = regexp.MustCompile(`/kb/(\d+)/[a-z0-9-]+`)

// kbFixture is a solved thread about resetting a router, answered by a
// member, with a reply others found helpful, and a thread that shares its
// words without answering them.
type kbFixture struct {
	s                       *site
	asker, helper, fan      member
	trusted, editor, plain  member
	solved, unsolved, decoy forum.Thread
}

func newKBFixture(t *testing.T) *kbFixture {
	s := newSite(t)
	ctx := context.Background()
	f := &kbFixture{s: s, asker: s.user(s.brand.ID, "asker"), helper: s.user(s.brand.ID, "helper"), fan: s.user(s.brand.ID, "fan"),
		trusted: s.user(s.brand.ID, "proposer", "trusted"), editor: s.user(s.brand.ID, "kbeditor", "editor"), plain: s.user(s.brand.ID, "plain")}
	var err error
	f.solved, err = s.svc.Ask(ctx, f.asker.actor, forum.NewThread{BoardID: s.board.ID, Title: "How do I reset my router to factory settings?",
		Body: "The router keeps dropping the connection. How do I reset it completely?"})
	if err != nil {
		t.Fatal(err)
	}
	ans, err := s.svc.Reply(ctx, f.helper.actor, f.solved.ID, forum.NewReply{Body: "Hold the reset button on the back for ten seconds until the lights blink, then set it up again."})
	if err != nil {
		t.Fatal(err)
	}
	tip, err := s.svc.Reply(ctx, f.fan.actor, f.solved.ID, forum.NewReply{Body: "Write down your wifi password first: the reset erases it."})
	if err != nil {
		t.Fatal(err)
	}
	relaxKudosGivers(t, s)
	if _, err := s.svc.GiveKudos(ctx, f.asker.actor, tip.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.svc.Accept(ctx, f.asker.actor, f.solved.ID, ans.ID); err != nil {
		t.Fatal(err)
	}
	// A thread whose title matches the words better than the article's
	// source: without the knowledge base it would come first.
	if f.decoy, err = s.svc.Ask(ctx, f.plain.actor, forum.NewThread{BoardID: s.board.ID, Title: "Router reset: reset router reset factory settings",
		Body: "Router reset router reset. Factory settings reset router."}); err != nil {
		t.Fatal(err)
	}
	if f.unsolved, err = s.svc.Ask(ctx, f.plain.actor, forum.NewThread{BoardID: s.board.ID, Title: "Which plan has the most data?", Body: "Looking for a bigger plan."}); err != nil {
		t.Fatal(err)
	}
	return f
}

// propose drafts an article from the solved thread as the trusted member
// and returns its page's address.
func (f *kbFixture) propose(t *testing.T) (string, *browser) {
	t.Helper()
	b := f.s.signedIn(f.trusted)
	form := b.get("/kb/propose?thread=" + itoa(f.solved.ID))
	if form.code != 200 {
		t.Fatalf("propose form: %d %s", form.code, clip(form.body))
	}
	for _, want := range []string{"Hold the reset button", "&gt; Write down your wifi password", "— @fan", "helper", "answered"} {
		if !strings.Contains(form.body, want) {
			t.Errorf("the draft lacks %q", want)
		}
	}
	body := "To reset your router to factory settings, hold the reset button for ten seconds.\n\nWrite down your wifi password first."
	r := b.post("/kb/propose", url.Values{"thread": {itoa(f.solved.ID)}, "title": {"Resetting your router to factory settings"},
		"board_id": {itoa(f.s.board.ID)}, "body": {body}, "tags": {"Router, reset wifi"}})
	if r.code != http.StatusSeeOther || !articleLink.MatchString(r.header.Get("Location")) {
		t.Fatalf("propose: %d %s %s", r.code, r.header.Get("Location"), clip(r.body))
	}
	return strings.SplitN(r.header.Get("Location"), "?", 2)[0], b
}

func articleID(t *testing.T, path string) string {
	t.Helper()
	return articleLink.FindStringSubmatch(path)[1]
}

func TestAnArticleGoesFromASolvedThreadThroughReviewToTheTopOfSearch(t *testing.T) {
	f := newKBFixture(t)
	s := f.s
	path, proposer := f.propose(t)
	id := articleID(t, path)

	// A draft is its proposer's and the editors': nobody else learns of it.
	if r := s.browser().get(path); r.code != http.StatusNotFound {
		t.Errorf("a visitor opens a draft: %d", r.code)
	}
	if r := s.signedIn(f.plain).get(path); r.code != http.StatusNotFound {
		t.Errorf("a member opens someone's draft: %d", r.code)
	}
	if r := proposer.get(path + "?done=proposed"); r.code != 200 || !strings.Contains(r.body, "Your draft is saved") || !strings.Contains(r.body, "Send for review") {
		t.Fatalf("the proposer's draft: %d", r.code)
	}
	// A member cannot publish; the proposer cannot publish their own.
	if r := s.signedIn(f.plain).post("/kb/"+id+"/publish", nil); r.code != http.StatusForbidden {
		t.Errorf("a member publishes: %d", r.code)
	}
	if r := proposer.post("/kb/"+id+"/publish", nil); r.code != http.StatusForbidden {
		t.Errorf("the proposer publishes: %d", r.code)
	}
	if r := proposer.post("/kb/"+id+"/submit", nil); r.code != http.StatusSeeOther {
		t.Fatalf("submit: %d %s", r.code, clip(r.body))
	}
	// A second submit is refused where it was sent, not with an error page.
	if r := proposer.post("/kb/"+id+"/submit", nil); r.code != http.StatusConflict || !strings.Contains(r.body, "not a draft any more") {
		t.Errorf("second submit: %d", r.code)
	}

	ed := s.signedIn(f.editor)
	q := ed.get("/kb/queue")
	if q.code != 200 || !strings.Contains(q.body, "Resetting your router") {
		t.Fatalf("the editors' queue lacks the draft in review: %d", q.code)
	}
	// The editor edits (a new revision) and publishes.
	if r := ed.post("/kb/edit/"+id, url.Values{"title": {"Resetting your router to factory settings"}, "board_id": {itoa(s.board.ID)},
		"body": {"To **reset** your router to factory settings, hold the reset button for ten seconds.\n\nWrite down your wifi password first."},
		"tags": {"router reset wifi"}}); r.code != http.StatusSeeOther {
		t.Fatalf("editor's edit: %d %s", r.code, clip(r.body))
	}
	if r := ed.post("/kb/"+id+"/publish", nil); r.code != http.StatusSeeOther {
		t.Fatalf("publish: %d %s", r.code, clip(r.body))
	}
	hist := s.browser().get("/kb/history/" + id)
	if hist.code != 200 || !strings.Contains(hist.body, "Revision 2 (current)") || !strings.Contains(hist.body, "<ins>") {
		t.Errorf("history: %d", hist.code)
	}

	// Readers: the page, its Article data, the credits; the thread links it.
	page := s.browser().get(path)
	for _, want := range []string{`"@type":"Article"`, "<strong>reset</strong>", "Thanks to", `href="/u/helper"`, `href="/u/asker"`, `href="/u/fan"`,
		`/t/` + itoa(f.solved.ID)} {
		if page.code != 200 || !strings.Contains(strings.ReplaceAll(page.body, `\u0022`, `"`), want) {
			t.Errorf("article page (%d) lacks %q", page.code, want)
		}
	}
	th := s.browser().get("/t/" + itoa(f.solved.ID) + "/" + f.solved.Slug)
	if !strings.Contains(th.body, "This answer is now an article:") || !strings.Contains(th.body, path) {
		t.Error("the source thread does not link its article")
	}

	// The article ranks above every thread for its question, though a
	// thread's title repeats the words more.
	res := s.browser().get("/search?q=" + url.QueryEscape("reset router factory settings"))
	at, decoy := strings.Index(res.body, path), strings.Index(res.body, "/t/"+itoa(f.decoy.ID)+"/")
	if res.code != 200 || at < 0 || decoy < 0 || at > decoy {
		t.Errorf("search: the article at %d, the thread at %d (%d)", at, decoy, res.code)
	}
	api := s.browser().api(http.MethodGet, "/api/v1/search?q="+url.QueryEscape("reset router factory settings"), nil).json(t)
	if arts, _ := api["articles"].([]any); len(arts) == 0 || arts[0].(map[string]any)["url"] != path {
		t.Errorf("API search articles = %v", api["articles"])
	}
	sim := s.signedIn(f.plain).api(http.MethodGet, "/api/v1/similar?title="+url.QueryEscape("router factory reset not working"), nil).json(t)
	if arts, _ := sim["articles"].([]any); len(arts) == 0 || arts[0].(map[string]any)["url"] != path {
		t.Errorf("similar articles = %v", sim["articles"])
	}
	ask := s.signedIn(f.plain).post("/ask/similar", url.Values{"board_id": {itoa(s.board.ID)}, "title": {"My router needs a factory reset"}, "body": {"help"}})
	if !strings.Contains(ask.body, `class="similar-article"`) || !strings.Contains(ask.body, path) {
		t.Errorf("the Ask page's check lists no article (%d)", ask.code)
	}

	// Sitemap, feed and API list it; a draft is in none of them.
	for _, p := range []string{"/sitemap.xml", "/sitemaps/articles.xml", "/feeds/articles.atom", "/api/v1/articles", "/api/v1/articles/" + id} {
		want := path
		if p == "/sitemap.xml" {
			want = "/sitemaps/articles.xml"
		}
		if r := s.browser().get(p); r.code != 200 || !strings.Contains(r.body, want) {
			t.Errorf("%s (%d) lacks %s", p, r.code, want)
		}
	}

	// Credits are on the ledger (and so in the payback export), once.
	ctx := context.Background()
	for _, who := range []member{f.helper, f.asker, f.fan} {
		var n, pts int64
		if err := s.app.DB().QueryRow(ctx, `SELECT COUNT(*), COALESCE(SUM(delta), 0) FROM reputation_events WHERE user_id = ? AND reason = 'article_credit'`,
			who.actor.UserID).Scan(&n, &pts); err != nil {
			t.Fatal(err)
		}
		if n != 1 || pts != 10 {
			t.Errorf("%s: %d article credits worth %d, want 1 worth 10", who.actor.Username, n, pts)
		}
	}
	adm := s.signedIn(s.user(s.brand.ID, "kbadmin", "admin"))
	csv := adm.get("/admin/reputation/export?from=2025-05-01&to=2025-05-31&format=csv")
	if !strings.Contains(csv.body, ",articles,") {
		t.Errorf("payback export lacks the articles column: %s", clip(csv.body))
	}
	// Unpublish and publish again: no second credit.
	if r := ed.post("/kb/"+id+"/return", url.Values{"note": {"Needs the new model"}}); r.code != http.StatusSeeOther {
		t.Fatalf("return: %d", r.code)
	}
	if r := s.browser().get(path); r.code != http.StatusNotFound {
		t.Errorf("an unpublished article is still public: %d", r.code)
	}
	if r := ed.post("/kb/"+id+"/publish", nil); r.code != http.StatusSeeOther {
		t.Fatalf("publish again: %d", r.code)
	}
	var credits int
	_ = s.app.DB().QueryRow(ctx, `SELECT COUNT(*) FROM reputation_events WHERE reason = 'article_credit'`).Scan(&credits)
	if credits != 3 {
		t.Errorf("%d article credits after publishing twice, want 3", credits)
	}
	// Editors' acts are audited.
	var acts int
	_ = s.app.DB().QueryRow(ctx, `SELECT COUNT(*) FROM moderation_actions WHERE act LIKE 'kb_%'`).Scan(&acts)
	if acts < 3 {
		t.Errorf("%d editors' acts in the audit log, want at least 3", acts)
	}
	if r := s.signedIn(s.user(s.brand.ID, "kbauditor", "moderator")).get("/mod/audit?act=kb_publish"); r.code != 200 || strings.Count(r.body, ">kb_publish<") < 2 {
		t.Errorf("the audit log's filter by kb_publish: %d", r.code)
	}
	s.noErrorLogs()
}

func TestAStaleOrReportedArticleWaitsForAnEditor(t *testing.T) {
	f := newKBFixture(t)
	s := f.s
	path, proposer := f.propose(t)
	id := articleID(t, path)
	proposer.post("/kb/"+id+"/submit", nil)
	ed := s.signedIn(f.editor)
	if r := ed.post("/kb/"+id+"/publish", nil); r.code != http.StatusSeeOther {
		t.Fatalf("publish: %d", r.code)
	}
	stale := func() bool {
		q := s.signedIn(f.editor).get("/kb/queue")
		sect := q.body[strings.Index(q.body, `id="kbq-stale"`):strings.Index(q.body, `id="kbq-reports"`)]
		return strings.Contains(sect, path)
	}
	if stale() {
		t.Fatal("a fresh article is stale")
	}
	// A reader's report: CSRF-checked, once per reader, and it shows.
	reader := s.signedIn(f.plain)
	reader.get(path)
	if r := reader.post("/kb/"+id+"/report", url.Values{"csrf": {"forged"}, "note": {"x"}}); r.code != http.StatusForbidden {
		t.Errorf("a report without the token: %d", r.code)
	}
	if r := reader.post("/kb/"+id+"/report", url.Values{"note": {strings.Repeat("long ", 200)}}); r.code != http.StatusUnprocessableEntity ||
		!strings.Contains(r.body, "Keep the note to 500 characters") || !strings.Contains(r.body, "long long") {
		t.Errorf("a long note: %d", r.code)
	}
	if r := reader.post("/kb/"+id+"/report", url.Values{"note": {"The new model has no reset button"}}); r.code != http.StatusSeeOther ||
		!strings.HasSuffix(r.header.Get("Location"), "done=reported") {
		t.Fatalf("report: %d %s", r.code, r.header.Get("Location"))
	}
	if r := reader.post("/kb/"+id+"/report", url.Values{"note": {"again"}}); !strings.HasSuffix(r.header.Get("Location"), "done=already-reported") {
		t.Errorf("a second report: %s", r.header.Get("Location"))
	}
	if !stale() || !strings.Contains(s.signedIn(f.editor).get("/kb/queue").body, "The new model has no reset button") {
		t.Error("a reported article is not in the editors' queue")
	}
	if !strings.Contains(s.browser().get(path).body, "out of date") {
		t.Error("readers are not told the article was reported")
	}
	// Reviewed: the report is closed, the article fresh again.
	if r := ed.post("/kb/"+id+"/reviewed", url.Values{"review_by": {"2024-01-01"}}); r.code != http.StatusUnprocessableEntity ||
		!strings.Contains(r.body, "review date in the future") {
		t.Errorf("a past review date: %d", r.code)
	}
	if r := ed.post("/kb/"+id+"/reviewed", nil); r.code != http.StatusSeeOther {
		t.Fatalf("reviewed: %d", r.code)
	}
	if stale() {
		t.Error("a reviewed article is still stale")
	}
	// Past its review date, it is stale again.
	s.clock.Add(181 * 24 * time.Hour)
	if !stale() {
		t.Error("an article past its review date is not in the queue")
	}
	s.noErrorLogs()
}

func TestArticleReadersCountTowardSelfServiceDeflection(t *testing.T) {
	f := newKBFixture(t)
	s := f.s
	path, proposer := f.propose(t)
	id := articleID(t, path)
	proposer.post("/kb/"+id+"/submit", nil)
	s.signedIn(f.editor).post("/kb/"+id+"/publish", nil)
	view := func(b *browser, ua string) {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.Header.Set("User-Agent", ua)
		b.do(req)
	}
	chrome := "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"
	anon := s.browser()
	view(anon, chrome)
	view(anon, chrome) // the same viewer-day
	other := s.browser()
	other.remote = "198.51.100.7:5555"
	view(other, chrome)
	view(s.browser(), "Googlebot/2.1 (+http://www.google.com/bot.html)")
	view(proposer, chrome) // its proposer, as an asker, is not helped by it
	if _, err := s.app.ReportFlushViews(context.Background()); err != nil {
		t.Fatal(err)
	}
	mgr := s.signedIn(s.user(s.brand.ID, "kbmanager", "client_manager"))
	js := mgr.api(http.MethodGet, "/api/v1/reports/deflection?from=2025-05-01&to=2025-05-31", nil)
	if js.code != 200 {
		t.Fatalf("report: %d %s", js.code, clip(js.body))
	}
	tot := js.json(t)["report"].(map[string]any)["totals"].(map[string]any)
	if tot["article_viewer_days"] != 2.0 {
		t.Errorf("article viewer-days = %v, want 2", tot["article_viewer_days"])
	}
	page := mgr.get("/reports/deflection?from=2025-05-01&to=2025-05-31")
	if !strings.Contains(page.body, "viewer-days on knowledge-base articles") {
		t.Error("the report does not say it counts article readers")
	}
	s.noErrorLogs()
}

// An editor of another brand can do nothing here: their token is not
// accepted, and their own brand has no such article.
func TestAnEditorOfAnotherBrandCannotReachThisBrandsArticles(t *testing.T) {
	f := newKBFixture(t)
	s := f.s
	path, proposer := f.propose(t)
	id := articleID(t, path)
	proposer.post("/kb/"+id+"/submit", nil)
	other, err := s.brands.Create(context.Background(), forum.NewBrand{Host: "beta.test", Name: "Beta"})
	if err != nil {
		t.Fatal(err)
	}
	outsider := s.user(other.ID, "betaeditor", "editor")
	if r := s.bearerClient(outsider).api(http.MethodGet, "/api/v1/articles/"+id, nil); r.code != http.StatusUnauthorized {
		t.Errorf("another brand's editor's token on this brand: %d", r.code)
	}
	beta := s.signedIn(outsider)
	beta.host = "beta.test"
	for _, p := range []string{"/kb/" + id + "/x", "/kb/edit/" + id, "/api/v1/articles/" + id} {
		if r := beta.get(p); r.code != http.StatusNotFound {
			t.Errorf("%s from the other brand: %d, want 404", p, r.code)
		}
	}
	if r := beta.post("/kb/"+id+"/publish", nil); r.code != http.StatusNotFound {
		t.Errorf("publish from the other brand: %d, want 404", r.code)
	}
	var state string
	_ = s.app.DB().QueryRow(context.Background(), `SELECT state FROM kb_articles WHERE id = ?`, id).Scan(&state)
	if state != "review" {
		t.Errorf("state = %s, want review", state)
	}
}

// A member's data export names the articles that credit them and their
// reports; erasure takes both away.
func TestAMembersExportHasTheirArticleCreditsAndReports(t *testing.T) {
	f := newKBFixture(t)
	s := f.s
	path, proposer := f.propose(t)
	id := articleID(t, path)
	proposer.post("/kb/"+id+"/submit", nil)
	s.signedIn(f.editor).post("/kb/"+id+"/publish", nil)
	helper := s.signedIn(f.helper)
	helper.get(path)
	helper.post("/kb/"+id+"/report", url.Values{"note": {"Firmware 2 moved the button"}})
	exp := s.bearerClient(f.helper).api(http.MethodGet, "/api/v1/me/export", nil)
	if exp.code != 200 {
		t.Fatalf("export: %d %s", exp.code, clip(exp.body))
	}
	k, _ := exp.json(t)["knowledge_base"].(map[string]any)
	credits, _ := k["article_credits"].([]any)
	reports, _ := k["outdated_reports"].([]any)
	if len(credits) != 1 || credits[0].(map[string]any)["role"] != "answerer" || len(reports) != 1 ||
		reports[0].(map[string]any)["note"] != "Firmware 2 moved the button" {
		t.Errorf("knowledge_base in the export: %v", k)
	}
}
