package app_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"golang.org/x/net/html"

	"mutual/account"
	"mutual/app"
	"mutual/escalation"
	"mutual/forum"
	"mutual/forum/lang"
	"mutual/forum/notify"
	"mutual/i18n"
	"mutual/incident"
	"mutual/internal/testkit/oidcop"
	"mutual/kb"
	"mutual/markup"
	"mutual/reputation"
)

// offer makes the site's brand offer langs, its default first.
func (s *site) offer(langs ...string) {
	s.t.Helper()
	if err := s.brands.SetLanguages(context.Background(), s.brand.ID, langs[0], langs, func(string) bool { return true }); err != nil {
		s.t.Fatal(err)
	}
	var err error
	if s.brand, err = s.brands.ByID(context.Background(), s.brand.ID); err != nil {
		s.t.Fatal(err)
	}
	s.app.BrandChanged()
}

// speaking is a browser that chose lang in the language switch.
func (b *browser) speaking(lang string) *browser {
	b.cookies["mutual_lang"] = lang
	return b
}

// pseudoPage is a page to render in the pseudo-locale, as whom.
type pseudoPage struct {
	name, path string
	as         *browser
}

// notPages are the GET routes that draw no page for a person: machine
// formats, files and redirects.
var notPages = []string{"/admin/privacy/users/:username/export", "/ask/similar/:id", "/b/:id", "/t/:id", "/brand.css",
	"/feeds/boards/:file", "/feeds/latest.atom", "/feeds/unanswered.atom", "/healthz", "/language/:lang", "/metrics",
	"/mod/audit.csv", "/leads.csv", "/notifications/:id", "/robots.txt", "/settings/privacy/export", "/sitemap.xml", "/sitemaps/:file",
	"/static/*file", "/sso/:id/callback", "/kb/:id", "/feeds/articles.atom"}

// TestEveryPageSpeaksFromTheCatalogue renders pages in the pseudo-locale,
// which wraps every message in ⟦ ⟧, and fails on any text a person reads
// (text, and the placeholder, title, aria-label, alt and button values)
// outside a wrapper: that text bypassed the catalogue. Members' words
// (marked data-user, and posts' bodies), what is marked translate="no" (names of languages,
// ranks, initials) and the names of members, boards, threads and the brand
// are not translated and are skipped.
func TestEveryPageSpeaksFromTheCatalogue(t *testing.T) {
	ss := newSSOSite(t) // a provider's flow reaches the page that connects an account
	s := ss.site
	s.offer("en", i18n.Pseudo)
	c := s.seed()
	ctx := context.Background()
	// A question in another language gives boards and search their
	// language filter.
	es, err := s.svc.Ask(ctx, c.other.actor, forum.NewThread{BoardID: s.board.ID, Title: "¿Cómo cambio mi tarifa este mes?",
		Body: "Quiero cambiar de tarifa antes de que termine el mes, pero no encuentro la opción en la aplicación."})
	if err != nil {
		t.Fatal(err)
	}
	// An open incident: its pages, and the banner on the console and the supervisor page.
	incID, _, err := s.app.Incidents().Raise(context.Background(), incident.Raised{BrandID: s.brand.ID, GroupKey: "pseudo",
		Label: "Pseudo outage", Terms: []string{"outage"}, Places: []string{"Leeds"}, ThreadIDs: []int64{c.open.ID}})
	if err != nil {
		t.Fatal(err)
	}
	ps := func(b *browser) *browser { return b.speaking(i18n.Pseudo) }
	anon := ps(s.browser())
	asker, other, mod := ps(s.signedIn(c.asker)), ps(s.signedIn(c.other)), ps(s.signedIn(c.mod))
	admin := ps(s.signedIn(s.user(s.brand.ID, "admina", "admin")))
	solved, open, board := threadPath(c.solved), threadPath(c.open), boardPath(s.board)
	// The knowledge base: an article published from the solved thread, and
	// its editor.
	editorM := s.user(s.brand.ID, "editora", "editor")
	editor := ps(s.signedIn(editorM))
	ks := kb.New(s.app.DB(), markup.NewRenderer(), s.svc, s.clock.Now)
	art, err := ks.Propose(context.Background(), editorM.actor, kb.NewArticle{ThreadIDs: []int64{c.solved.ID}, BoardID: s.board.ID,
		Title: "Why your bill went up", Body: "Check the **roaming** charges.", Tags: "billing"})
	if err != nil {
		t.Fatal(err)
	}
	if art, err = ks.Publish(context.Background(), editorM.actor, art.ID); err != nil {
		t.Fatal(err)
	}
	reached := reachByLink(t, ss, c, es, ps)
	pages := []pseudoPage{
		{"home", "/", anon}, {"home signed in", "/", asker},
		{"board", board, anon}, {"board unanswered", board + "?filter=unanswered", asker},
		{"thread", solved, anon}, {"thread as asker", solved, asker}, {"thread as moderator", solved, mod},
		{"open thread", open, other},
		{"ask", "/ask", asker},
		{"login", "/login", anon}, {"signup", "/signup", anon},
		{"not found", "/no/such/page", anon},
		{"language settings", "/settings/language", asker},
		{"deflection report", "/reports/deflection", admin},
		{"deflection report by month", "/reports/deflection?period=90&group=month", admin},
		{"notifications", "/notifications", asker},
		{"profile", "/u/" + c.helper.actor.Username, anon},
		{"search", "/search?q=bill", anon},
		{"search, nothing found", "/search?q=zebra&status=solved", anon},
		{"search in Spanish", "/search?q=tarifa&lang=es", anon},
		{"board in Spanish", board + "?lang=es", anon},
		{"edit", "/p/" + itoa(c.question.ID) + "/edit", asker},
		{"history", "/p/" + itoa(c.question.ID) + "/history", anon},
		{"forgot password", "/password/forgot", anon},
		{"reset link that does not work", "/password/reset/not-a-token", anon},
		{"API tokens", "/settings/tokens", asker},
		{"notification settings", "/settings/notifications", asker},
		{"survey", "/survey/" + itoa(c.solved.ID), other},
		{"leaderboard", "/leaderboard", anon},
		{"reputation ledger", "/u/" + c.helper.actor.Username + "/reputation", anon},
		{"reputation settings", "/admin/reputation", admin},
		{"payback export", "/admin/reputation/export", admin},
		{"kudos rings", "/mod/reputation/rings", mod},
		{"review queue", "/mod/queue", mod},
		{"member record", "/mod/users/" + c.helper.actor.Username, mod},
		{"audit log", "/mod/audit", mod},
		{"roles", "/admin/roles", admin},
		{"your data and account", "/settings/privacy", asker},
		{"report settings", "/reports/deflection/settings", admin},
		{"agent console", "/console", admin},
		{"escalations: supervisor", "/escalations/supervisor", mod},
		{"webhook deliveries", "/escalations/webhooks", mod},
		{"sign-in provider that does not exist", "/sso/9999/start", anon},
		{"copilot model", "/admin/copilot", admin},
		// Answers from the brand's ticketing system.
		{"ticketing callbacks", "/admin/ticketing", admin},
		// Signals: the client managers' report, the sales team's leads, a
		// member's marketing choice.
		{"signals report", "/reports/signals", admin},
		{"signals report over 26 weeks", "/reports/signals?weeks=26", admin},
		{"sales leads", "/leads", admin},
		{"sales contact setting", "/settings/marketing", asker},
		{"knowledge base", "/kb", anon},
		{"article", art.URL(), anon}, {"article as its editor", art.URL() + "?done=published", editor},
		{"article history", "/kb/history/" + itoa(art.ID), anon},
		{"propose an article", "/kb/propose?thread=" + itoa(c.solved.ID), editor},
		{"edit an article", "/kb/edit/" + itoa(art.ID), editor},
		{"knowledge base queue", "/kb/queue", editor},
		{"brand and colours", "/admin/brand", admin},
		{"members' data rights", "/admin/privacy", admin},
		{"a member's data rights", "/admin/privacy/users/" + c.helper.actor.Username, admin},
		{"single sign-on", "/admin/sso", admin},
		{"trends", "/reports/trends", admin},
		{"incidents", "/incidents", admin}, {"incident", "/incidents/" + itoa(incID), admin}, {"incident settings", "/incidents/settings", admin},
	}
	pages = append(pages, reached...)
	names := []string{ss.provider.Label, "bob", "boss", s.brand.Name, s.brand.Tagline, s.board.Name, s.board.Description, c.solved.Title, c.open.Title, es.Title,
		c.asker.actor.Username, c.helper.actor.Username, c.other.actor.Username, c.mod.actor.Username, "admina", "admin", art.Title, "editora", "Pseudo outage"}
	for _, l := range lang.Known() { // content languages, each named in its own words
		names = append(names, l.Name)
	}
	for _, r := range reputation.Ranks { // the brand's ladder, which it names in its own words
		names = append(names, r.Name)
	}
	for _, p := range pages {
		r := p.as.get(p.path)
		if r.code >= 500 {
			t.Errorf("%s: %d", p.name, r.code)
			continue
		}
		for _, leak := range untranslated(t, r.body, names) {
			t.Errorf("%s (%s): %q is not from the catalogue", p.name, p.path, leak)
		}
	}
	// Every page route is walked above, or listed as no page.
	for _, route := range s.app.RouteList() {
		path, ok := strings.CutPrefix(route, "GET ")
		if !ok || strings.HasPrefix(path, "/api/") || slices.Contains(notPages, path) {
			continue
		}
		if !slices.ContainsFunc(pages, func(p pseudoPage) bool { return routeOf(p.path, names) == routeOf(path, names) }) {
			t.Errorf("page %s is not rendered in the pseudo-locale: add it to this test", path)
		}
	}
}

// reachByLink sets up the pages a person reaches only by a link made for
// them: a brand's contact page, an escalation's history (one the detector
// raised, one a member raised), the links in mail, and the page that
// connects a provider's sign-in to an existing account.
func reachByLink(t *testing.T, ss *ssoSite, c content, es forum.Thread, ps func(*browser) *browser) []pseudoPage {
	t.Helper()
	s, ctx := ss.site, context.Background()
	admin := ps(s.signedIn(ss.admin))
	if r := admin.post("/reports/deflection/settings", reportSettings("", "Call **0800 000 0000**.")); r.code != 303 {
		t.Fatalf("contact page: %d\n%s", r.code, clip(r.body))
	}
	if _, err := s.members.Create(ctx, account.Signup{BrandID: s.brand.ID, Username: "bob", Email: "bob@example.com", Password: "bobs-own-password"}); err != nil {
		t.Fatal(err)
	}
	ss.op.AddUser(oidcop.User{Subject: "sub-bob", Username: "robert", Password: "op-pass", Email: "bob@example.com", EmailVerified: true})
	linking := ps(s.browser())
	if r := ss.signInVia(linking, ss.provider.ID, "robert", "op-pass"); r.header.Get("Location") != "/sso/link" {
		t.Fatalf("the provider's sign-in did not lead to connecting the account: %d %s", r.code, r.header.Get("Location"))
	}
	if _, err := s.app.Escalations().AddAgent(ctx, escalation.NewAgent{BrandID: s.brand.ID, UserID: ss.admin.actor.UserID,
		Person: "boss@example.com", OnShift: true}); err != nil {
		t.Fatal(err)
	}
	manual, err := s.app.Escalations().Escalate(ctx, c.other.actor, c.open.ID, "The line has been dead for two days.")
	if err != nil {
		t.Fatal(err)
	}
	s.clock.Add(2 * time.Hour) // the Spanish question waits past the SLA
	if _, err := s.app.RunEscalations(ctx); err != nil {
		t.Fatal(err)
	}
	late, ok, err := s.app.Escalations().ForThread(ctx, s.brand.ID, es.ID)
	if err != nil || !ok {
		t.Fatalf("the detector did not escalate the unanswered question (%v)", err)
	}
	signer, err := notify.LoadSigner(ctx, s.app.DB())
	if err != nil {
		t.Fatal(err)
	}
	unsub := signer.Sign(notify.Claims{Purpose: notify.PurposeUnsubscribe, BrandID: s.brand.ID, UserID: c.asker.actor.UserID})
	verify := signer.Sign(notify.Claims{Purpose: notify.PurposeVerify, BrandID: s.brand.ID, UserID: c.other.actor.UserID,
		Email: c.other.actor.Username + "@example.com", Expires: s.clock.Now().Add(time.Hour)})
	agent := admin
	return []pseudoPage{
		{"contact page", "/contact?from=" + itoa(c.solved.ID), ps(s.signedIn(c.helper))},
		{"escalation a member raised", "/escalations/" + itoa(manual.ID), agent},
		{"escalation the detector raised", "/escalations/" + itoa(late.ID), agent},
		{"grounded help for an escalation", "/escalations/" + itoa(late.ID) + "/help", agent},
		{"agent console with escalations", "/console", agent},
		{"thread escalated", threadPath(c.open), agent},
		{"unsubscribe link", "/unsubscribe/" + unsub, ps(s.browser())},
		{"address confirmation link", "/verify-email/" + verify, ps(s.browser())},
		{"connect a provider's sign-in", "/sso/link", linking},
	}
}

// routeOf reduces a path or a route pattern to its shape, so /t/1/slug
// and /t/:id/:slug compare equal: parameters, numbers, slugs and the test's
// usernames are variable segments.
func routeOf(p string, names []string) string {
	p, _, _ = strings.Cut(p, "?")
	parts := strings.Split(p, "/")
	for i, x := range parts {
		if strings.HasPrefix(x, ":") || strings.ContainsAny(x, "0123456789-") || slices.Contains(names, x) {
			parts[i] = "*"
		}
	}
	return strings.Join(parts, "/")
}

var spans = regexp.MustCompile(`\b\d+[dhms](\d+m)?\b`)

var wrapped = regexp.MustCompile(`⟦[^⟦⟧]*⟧`)

// readable are the attributes whose values a person reads or hears.
var readable = []string{"placeholder", "title", "aria-label", "alt"}

// untranslated is the text of page outside the pseudo-locale's wrappers
// that has a letter in it, leaving out members' words and names.
func untranslated(t *testing.T, page string, names []string) []string {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	var quoted []string
	for _, n := range names {
		if n != "" {
			quoted = append(quoted, regexp.QuoteMeta(n))
		}
	}
	slices.SortFunc(quoted, func(a, b string) int { return len(b) - len(a) })
	named := regexp.MustCompile(`(^|[^\pL])(` + strings.Join(quoted, "|") + `)($|[^\pL])`)
	var out []string
	check := func(s string) {
		for wrapped.MatchString(s) { // wrappers nest when one message is a value in another
			s = wrapped.ReplaceAllString(s, " ")
		}
		for range 2 { // names side by side share the letter-less gap between them
			s = named.ReplaceAllString(s, "$1 $3")
		}
		s = spans.ReplaceAllString(s, " ") // 15m, 1h30m, 2d: settings' spans, in SI-like units
		if strings.ContainsFunc(s, unicode.IsLetter) {
			out = append(out, strings.Join(strings.Fields(s), " "))
		}
	}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			for _, a := range n.Attr {
				// Members' words: marked data-user, or a post's body.
				body := a.Key == "class" && slices.Contains(strings.Fields(a.Val), "body")
				if a.Key == "data-user" || body || a.Key == "translate" && a.Val == "no" {
					return
				}
			}
			if n.Data == "script" || n.Data == "style" {
				return
			}
			for _, a := range n.Attr {
				button := n.Data == "input" && a.Key == "value" && slices.Contains([]string{"submit", "button"}, attr(n, "type"))
				if slices.Contains(readable, a.Key) || button {
					check(a.Val)
				}
			}
		}
		if n.Type == html.TextNode {
			check(n.Data)
		}
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			walk(ch)
		}
	}
	walk(doc)
	return out
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// getIn is a GET whose browser says it reads accept (an Accept-Language).
func (b *browser) getIn(path, accept string) *response {
	b.s.t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	if accept != "" {
		req.Header.Set("Accept-Language", accept)
	}
	return b.do(req)
}

// A visitor reads the brand's language that best fits their browser; a
// choice in the switch, then ?hl=, speak louder; a language the brand
// does not offer is never used.
func TestVisitorsReadTheBestOfTheBrandsLanguages(t *testing.T) {
	s := newSite(t)
	s.offer("es", "en", "pl")
	for _, c := range []struct {
		name, path, accept, cookie, want string
	}{
		{"default", "/", "", "", "Pregunta a la comunidad"},
		{"browser", "/", "pl-PL,pl;q=0.9,en;q=0.5", "", "Zapytaj społeczność"},
		{"browser, region", "/", "en-GB,en;q=0.9", "", "Ask the community"},
		{"not offered", "/", "de-DE,de;q=0.9", "", "Pregunta a la comunidad"},
		{"switch beats browser", "/", "en-GB", "pl", "Zapytaj społeczność"},
		{"address beats switch", "/?hl=en", "pl", "pl", "Ask the community"},
		{"switch to a language not offered", "/", "", "de", "Pregunta a la comunidad"},
	} {
		b := s.browser()
		if c.cookie != "" {
			b.speaking(c.cookie)
		}
		r := b.getIn(c.path, c.accept)
		if r.code != 200 || !strings.Contains(r.body, c.want) {
			t.Errorf("%s: %d, want %q in\n%s", c.name, r.code, c.want, clip(r.body))
		}
	}
}

// The anonymous page cache keeps one page per language: a Spanish visitor
// never gets the English page an English visitor made it keep, nor the
// other way round.
func TestCachedPagesAreKeptPerLanguage(t *testing.T) {
	s := newSite(t)
	s.offer("en", "es")
	c := s.seed()
	for _, path := range []string{"/", threadPath(c.solved), boardPath(s.board)} {
		en := s.browser().getIn(path, "en")
		es := s.browser().getIn(path, "es-ES,es;q=0.9")
		again := s.browser().getIn(path, "en-US")
		if en.code != 200 || es.code != 200 || again.code != 200 {
			t.Fatalf("%s: %d %d %d", path, en.code, es.code, again.code)
		}
		if !strings.Contains(es.body, "Inicio") && !strings.Contains(es.body, "Pregunta a la comunidad") {
			t.Errorf("%s: the Spanish visitor got another language:\n%s", path, clip(es.body))
		}
		if strings.Contains(again.body, "Pregunta a la comunidad") || strings.Contains(again.body, ">Inicio<") || again.body != en.body {
			t.Errorf("%s: the English visitor got another page after the Spanish one", path)
		}
		if !strings.Contains(es.header.Get("Vary"), "Accept-Language") {
			t.Errorf("%s: Vary = %q: shared caches would mix languages", path, es.header.Get("Vary"))
		}
	}
}

// The switch is a link: it keeps the choice in a cookie and comes back to
// the page, never to another site, and knows only the brand's languages.
func TestTheLanguageSwitchRemembersTheChoice(t *testing.T) {
	s := newSite(t)
	s.offer("en", "pl")
	b := s.browser()
	r := b.get("/language/pl?next=" + boardPath(s.board))
	if r.code != http.StatusSeeOther || r.header.Get("Location") != boardPath(s.board) || b.cookies["mutual_lang"] != "pl" {
		t.Fatalf("switch: %d to %q, cookie %q", r.code, r.header.Get("Location"), b.cookies["mutual_lang"])
	}
	if body := b.get(boardPath(s.board)).body; !strings.Contains(body, "Zapytaj na tym forum") {
		t.Errorf("the next page is not in Polish:\n%s", clip(body))
	}
	if r := b.get("/language/pl?next=//evil.example/x"); r.header.Get("Location") != "/" {
		t.Errorf("switch sent the visitor off the site: %q", r.header.Get("Location"))
	}
	if r := s.browser().get("/language/de"); r.code != http.StatusNotFound {
		t.Errorf("a language the brand does not offer: %d, want 404", r.code)
	}
}

// A member's saved language follows them to any browser, and their mail.
func TestAMemberSavesTheirLanguage(t *testing.T) {
	s := newSite(t)
	s.offer("en", "es", "pl")
	m := s.user(s.brand.ID, "lucia")
	b := s.signedIn(m)
	if r := b.get("/settings/language"); r.code != 200 || !strings.Contains(r.body, `value="es"`) {
		t.Fatalf("settings page: %d\n%s", r.code, clip(r.body))
	}
	if r := b.post("/settings/language", url.Values{"language": {"de"}}); r.code != http.StatusUnprocessableEntity || !strings.Contains(r.body, "does not offer that language") {
		t.Errorf("a language not offered: %d\n%s", r.code, clip(r.body))
	}
	if r := b.post("/settings/language", url.Values{"language": {"es"}}); r.code != http.StatusSeeOther {
		t.Fatalf("save: %d", r.code)
	}
	u, err := s.members.ByID(context.Background(), s.brand.ID, m.actor.UserID)
	if err != nil || u.Language != "es" {
		t.Fatalf("saved language %q, %v", u.Language, err)
	}
	fresh := s.signedIn(m) // another browser: no cookie, an English one
	if r := fresh.getIn("/", "en-GB,en"); !strings.Contains(r.body, "Pregunta a la comunidad") {
		t.Errorf("the member's language does not follow them:\n%s", clip(r.body))
	}
	// They are taken to write in it, too: the Ask form's language starts there.
	if r := fresh.getIn("/ask", "en-GB,en"); !strings.Contains(r.body, `<option value="es" lang="es" selected>`) {
		t.Errorf("the Ask form does not start on the member's language:\n%s", clip(r.body))
	}
}

// Errors are in the reader's language too: pages and the API's message.
func TestErrorsSpeakTheReadersLanguage(t *testing.T) {
	s := newSite(t)
	s.offer("en", "es", "pl")
	m := s.user(s.brand.ID, "marta")
	if r := s.browser().getIn("/no/such/page", "pl"); r.code != 404 || !strings.Contains(r.body, "Nie znaleziono strony") {
		t.Errorf("404 in Polish: %d\n%s", r.code, clip(r.body))
	}
	req := httptest.NewRequest(http.MethodPost, "/api/v1/threads", strings.NewReader(`{"board_id":`+itoa(s.board.ID)+`,"title":"short","body":"x"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept-Language", "es")
	r := s.bearerClient(m).do(req)
	if r.code != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Título: debe tener al menos 8 caracteres.") {
		t.Errorf("API validation in Spanish: %d %s", r.code, r.body)
	}
}

// Pages say their language and direction; the pages that are the same in
// every language link their alternates for search engines; every page has
// the switch, as links that need no script.
func TestPagesCarryTheirLanguageAndAlternates(t *testing.T) {
	if r := newSite(t).browser().get("/"); strings.Contains(r.body, "/language/") || strings.Contains(r.body, "hreflang") {
		t.Error("a brand with one language shows a language switch")
	}
	s := newSite(t)
	s.offer("es", "en", "pl")
	c := s.seed()
	path := threadPath(c.solved)
	r := s.browser().getIn(path, "pl")
	for _, want := range []string{
		`<html lang="pl" dir="ltr">`,
		`<link rel="alternate" hreflang="x-default" href="http://localhost` + path + `">`,
		`<link rel="alternate" hreflang="es" href="http://localhost` + path + `?hl=es">`,
		`<link rel="alternate" hreflang="en" href="http://localhost` + path + `?hl=en">`,
		`<a href="/language/en?next=` + strings.ReplaceAll(path, "/", "%2f") + `" hreflang="en" lang="en" rel="alternate">English</a>`,
		`<span aria-current="true" lang="pl">polski</span>`,
	} {
		if !strings.Contains(r.body, want) {
			t.Errorf("thread page lacks %s", want)
		}
	}
	if r := s.signedIn(s.user(s.brand.ID, "kasia")).getIn("/settings/language", "pl"); strings.Contains(r.body, `hreflang="x-default"`) {
		t.Error("a member's settings page claims alternates in other languages")
	}
}

// A brand that adds a right-to-left language in its theme folder gets
// pages written right to left; what its catalogue lacks falls back to
// English.
func TestARightToLeftLanguageFromATheme(t *testing.T) {
	themes := t.TempDir()
	dir := filepath.Join(themes, "localhost", "messages")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	ar := "[page]\nask_community = \"اسأل المجتمع\"\n\n[layout]\nsign_in = \"تسجيل الدخول\"\n"
	if err := os.WriteFile(filepath.Join(dir, "ar.toml"), []byte(ar), 0o644); err != nil {
		t.Fatal(err)
	}
	s := newSite(t, func(c *app.Config) { c.ThemesDir = themes })
	s.offer("en", "ar")
	r := s.browser().speaking("ar").get("/")
	for _, want := range []string{`<html lang="ar" dir="rtl">`, "اسأل المجتمع", "تسجيل الدخول", "Latest activity"} {
		if !strings.Contains(r.body, want) {
			t.Errorf("Arabic home lacks %q", want)
		}
	}
	if r := s.browser().get("/"); !strings.Contains(r.body, `<html lang="en" dir="ltr">`) {
		t.Error("the English page is not left to right")
	}
}

// refusal is a request a community refuses, and the status it answers with.
type refusal struct {
	name   string
	as     *browser
	method string // a form is posted (GET: a page); api sends JSON
	path   string
	form   url.Values
	api    any
	status int
}

// TestRefusalsSpeakFromTheCatalogue sends forms and API calls that each
// capability refuses (validation, permissions, conflicts, limits) in the
// pseudo-locale, and fails on any word of the page, or of the API's
// message and field messages, outside the catalogue's wrappers.
func TestRefusalsSpeakFromTheCatalogue(t *testing.T) {
	ss := newSSOSite(t)
	s := ss.site
	s.offer("en", i18n.Pseudo)
	c := s.seed()
	ctx := context.Background()
	if _, err := s.app.Escalations().AddAgent(ctx, escalation.NewAgent{BrandID: s.brand.ID, UserID: ss.admin.actor.UserID,
		Person: "boss@example.com", OnShift: true}); err != nil {
		t.Fatal(err)
	}
	ps := func(b *browser) *browser { return b.speaking(i18n.Pseudo) }
	admin, asker, mod := ps(s.signedIn(ss.admin)), ps(s.signedIn(c.asker)), ps(s.signedIn(c.mod))
	api := func(m member) *browser { return ps(s.bearerClient(m)) }
	for _, b := range []*browser{admin, asker, mod} {
		b.get("/") // the form token
	}
	open, question := itoa(c.open.ID), itoa(c.question.ID)
	deep := strings.Repeat("> ", 40) + "too deep"
	cases := []refusal{
		// moderation
		{"a role that does not exist", admin, "POST", "/admin/roles", url.Values{"username": {"helper"}, "role": {"wizard"}}, nil, 422},
		{"a role that does not exist (API)", api(ss.admin), "API", "/api/v1/users/helper/roles", nil, map[string]any{"role": "wizard"}, 422},
		{"dropping one's own administrator role", admin, "POST", "/admin/roles", url.Values{"username": {"boss"}, "role": {"admin"}, "op": {"revoke"}}, nil, 403},
		{"flagging one's own post (API)", api(c.asker), "API", "/api/v1/posts/" + question + "/flags", nil, map[string]any{"reason": "spam"}, 403},
		{"a flag without a reason (API)", api(c.other), "API", "/api/v1/posts/" + question + "/flags", nil, map[string]any{"reason": "boring"}, 422},
		{"a suspension without a reason", mod, "POST", "/mod/users/helper", url.Values{"act": {"suspend"}, "until": {"2099-01-01T00:00"}}, nil, 422},
		{"acting on oneself (API)", api(c.mod), "API", "/api/v1/users/moddy/warn", nil, map[string]any{"reason": "testing"}, 403},
		// escalation
		{"claiming without being an agent (API)", api(c.mod), "API", "/api/v1/escalations/1/claim", nil, nil, 403},
		{"escalating with too short a reason (API)", api(c.other), "API", "/api/v1/threads/" + open + "/escalate", nil, map[string]any{"reason": "help"}, 422},
		{"escalating another's question", asker, "POST", "/t/" + open + "/escalate", url.Values{"reason": {"This needs the support team now."}}, nil, 403},
		// privacy
		{"an erasure policy that does not exist", admin, "POST", "/admin/privacy", url.Values{"erased_posts": {"burn"}, "username_hold_days": {"ninety"}}, nil, 422},
		{"an erasure not confirmed", admin, "POST", "/admin/privacy/users/helper/erase", url.Values{"confirm_username": {"someone"}}, nil, 422},
		{"an administrator erasing their own account (API)", api(ss.admin), "API", "/api/v1/users/boss/erase", nil, map[string]any{"confirm_username": "boss"}, 403},
		// single sign-on
		{"a provider with nothing filled in", admin, "POST", "/admin/sso/providers", url.Values{"issuer": {"ftp://x"}}, nil, 422},
		{"a provider that cannot be reached", admin, "POST", "/admin/sso/providers", url.Values{"label": {"Corp"}, "issuer": {"http://127.0.0.1:1"},
			"client_id": {"id"}, "client_secret": {"secret"}}, nil, 422},
		// the deflection report, its settings and the survey
		{"a report period that is not a date", admin, "GET", "/reports/deflection?period=custom&from=yesterday", nil, nil, 422},
		{"report settings out of range", admin, "POST", "/reports/deflection/settings", url.Values{"cost": {"-1"}, "currency": {"euro"}, "rate": {"200"},
			"min_answers": {"0"}, "contact_url": {"mailto:x"}}, nil, 422},
		{"rating one's own question", asker, "POST", "/survey/" + itoa(c.solved.ID), url.Values{"answer": {"yes"}}, nil, 409},
		// search
		{"a search with no words", ps(s.browser()), "GET", "/search?q=%21%21", nil, nil, 422},
		{"a search past its last page (API)", api(c.other), "API", "/api/v1/search?q=bill&page=9999", nil, nil, 422},
		// markup
		{"a reply nested too deep (API)", api(c.helper), "API", "/api/v1/threads/" + open + "/posts", nil, map[string]any{"body": deep}, 422},
		// reputation's rules and ranks
		{"reputation rules out of range", admin, "POST", "/admin/reputation", url.Values{"kudos_points": {"5000"}, "ranks": {"Solo: 3\nSolo: 5"}}, nil, 422},
		// the brand's look
		{"a brand look that is not one", admin, "POST", "/admin/brand", url.Values{"name": {""}, "logo_url": {"http://x/logo.png"}, "color_primary": {"red"},
			"color_accent": {"blue"}, "op": {"save"}}, nil, 422},
	}
	names := []string{ss.provider.Label, "Corp", s.brand.Name, s.brand.Tagline, s.board.Name, c.solved.Title, c.open.Title,
		"admin", "asker", "helper", "other", "moddy", "boss", "someone", "ninety", "yesterday", "euro", "mailto:x", "ftp://x", "wizard", "burn",
		"http://127.0.0.1:1", "http://x/logo.png", "Solo", "red", "blue", "bill", "2099-01-01T00:00", "This needs the support team now."}
	for _, r := range reputation.Ranks {
		names = append(names, r.Name)
	}
	for _, l := range lang.Known() {
		names = append(names, l.Name)
	}
	for _, cs := range cases {
		var r *response
		switch cs.method {
		case "API":
			method := http.MethodPost
			if strings.HasPrefix(cs.path, "/api/v1/search") {
				method = http.MethodGet
			}
			r = cs.as.api(method, cs.path, cs.api, "Accept-Language", i18n.Pseudo)
		case "GET":
			r = cs.as.get(cs.path)
		default:
			r = cs.as.post(cs.path, cs.form)
		}
		if r.code != cs.status {
			t.Errorf("%s: %d, want %d\n%s", cs.name, r.code, cs.status, clip(r.body))
			continue
		}
		if cs.method != "API" {
			for _, leak := range untranslated(t, r.body, names) {
				t.Errorf("%s (%s): %q is not from the catalogue", cs.name, cs.path, leak)
			}
			continue
		}
		var body struct {
			Error struct {
				Message string            `json:"message"`
				Fields  map[string]string `json:"fields"`
			} `json:"error"`
		}
		if err := json.Unmarshal([]byte(r.body), &body); err != nil || body.Error.Message == "" {
			t.Errorf("%s: no error message in %s", cs.name, r.body)
			continue
		}
		texts := []string{body.Error.Message}
		for _, f := range body.Error.Fields {
			texts = append(texts, f)
		}
		for _, text := range texts {
			for _, leak := range untranslated(t, "<p>"+html.EscapeString(text)+"</p>", names) {
				t.Errorf("%s (%s): API message %q is not from the catalogue (%q)", cs.name, cs.path, text, leak)
			}
		}
	}
}
