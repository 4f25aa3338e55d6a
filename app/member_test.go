package app_test

import (
	"context"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"mutual/app"
	"mutual/forum"
)

// reportSettings is a complete, valid report settings form.
func reportSettings(contactURL, contactPage string) url.Values {
	return url.Values{"cost": {"6"}, "currency": {"EUR"}, "rate": {"10"}, "min_answers": {"30"}, "escalation_sla": {"15"},
		"agent_sla": {"4"}, "contact_url": {contactURL}, "contact_page": {contactPage}}
}

// before reports whether a occurs in body, and before b.
func before(body, a, b string) bool {
	i, j := strings.Index(body, a), strings.Index(body, b)
	return i >= 0 && j >= 0 && i < j
}

// A brand with nowhere for "Contact us" to lead offers no such link, and
// /contact is a plain 404; once its admin writes a contact page, the link
// appears on solved and open threads and leads to that page, counted once
// per reader and question a day.
func TestContactUsLeadsToThePageOrIsNotOffered(t *testing.T) {
	s := newSite(t)
	c := s.seed()
	ctx := context.Background()
	reader := s.signedIn(c.helper)
	for _, p := range []string{threadPath(c.solved), threadPath(c.open)} {
		for who, b := range map[string]*browser{"visitor": s.browser(), "member": reader} {
			if r := b.get(p); r.code != 200 || strings.Contains(r.body, "/contact") || strings.Contains(r.body, "Contact us") {
				t.Errorf("%s sees %s with a contact link while the brand has no contact page (%d)", who, p, r.code)
			}
		}
	}
	if r := s.browser().get("/contact?from=" + itoa(c.solved.ID)); r.code != 404 || !strings.Contains(r.body, "no contact page") {
		t.Errorf("contact without a page: %d, want a clear 404", r.code)
	}

	admin := s.signedIn(s.user(s.brand.ID, "boss", "admin"))
	if r := admin.get("/reports/deflection/settings"); !strings.Contains(r.body, `name="contact_page"`) || !strings.Contains(r.body, "Now hidden") {
		t.Fatalf("settings lack the contact page field or its state:\n%s", clip(r.body))
	}
	long := reportSettings("", strings.Repeat("x", 10001))
	if r := admin.post("/reports/deflection/settings", long); r.code != 422 || !strings.Contains(r.body, "at most 10000 characters") ||
		!strings.Contains(r.body, strings.Repeat("x", 10001)) {
		t.Errorf("too long a contact page: %d, want 422 with the text kept", r.code)
	}
	page := "Call **0800 000 0000**, 8am–8pm.\n\n<script>alert(1)</script>"
	if r := admin.post("/reports/deflection/settings", reportSettings("", page)); r.code != 303 {
		t.Fatalf("save contact page: %d %s", r.code, clip(r.body))
	}
	if r := admin.get("/reports/deflection/settings"); !strings.Contains(r.body, "Now leads to") || !strings.Contains(r.body, "Call **0800 000 0000**") {
		t.Errorf("settings do not show the saved page and where Contact us leads")
	}

	solved := reader.get(threadPath(c.solved))
	link := `href="/contact?from=` + itoa(c.solved.ID) + `"`
	if !before(solved.body, `aria-label="Accepted answer"`, link) {
		t.Errorf("solved thread: no contact link after the accepted answer")
	}
	if open := reader.get(threadPath(c.open)); !strings.Contains(open.body, "Need help now?") || !strings.Contains(open.body, `href="/contact?from=`+itoa(c.open.ID)+`"`) {
		t.Errorf("open thread: no contact link")
	}
	for range 2 { // a reload is the same contact
		r := reader.get("/contact?from=" + itoa(c.solved.ID))
		if r.code != 200 || !strings.Contains(r.body, "<strong>0800 000 0000</strong>") || strings.Contains(r.body, "<script>alert") ||
			!strings.Contains(r.body, "Back to the question") || strings.Contains(r.body, "Edit this page") {
			t.Fatalf("contact page: %d\n%s", r.code, clip(r.body))
		}
	}
	if r := admin.get("/contact"); r.code != 200 || !strings.Contains(r.body, "Edit this page") {
		t.Errorf("the admin's view of the contact page: %d, want a link to edit it", r.code)
	}
	var clicks, fromSolved int
	if err := s.app.DB().QueryRow(ctx, `SELECT COUNT(*), COALESCE(SUM(from_solved), 0) FROM contact_clicks`).Scan(&clicks, &fromSolved); err != nil {
		t.Fatal(err)
	}
	if clicks != 1 || fromSolved != 1 {
		t.Errorf("contact clicks = %d (%d from solved), want 1 (1): reloads and staff are not contacts", clicks, fromSolved)
	}
	// An address of the brand's own wins over the page: a counted redirect.
	admin.get("/reports/deflection/settings")
	admin.post("/reports/deflection/settings", reportSettings("https://acme.example/contact", page))
	if r := s.browser().get("/contact?from=" + itoa(c.open.ID)); r.code != 302 || r.header.Get("Location") != "https://acme.example/contact" {
		t.Errorf("contact with an address: %d %s", r.code, r.header.Get("Location"))
	}
	s.noErrorLogs()
}

// The demo community a fresh install starts with has a real contact page.
func TestDemoCommunityHasAContactPage(t *testing.T) {
	s := newSite(t, func(c *app.Config) { c.NoDemo = false })
	anon := s.browser()
	r := anon.get("/contact")
	if r.code != 200 || !strings.Contains(r.body, "Call us") || !strings.Contains(r.body, "0800 000 0000") {
		t.Fatalf("demo contact page: %d\n%s", r.code, clip(r.body))
	}
	var id int64
	var slug string
	if err := s.app.DB().QueryRow(context.Background(), `SELECT id, slug FROM threads WHERE accepted_post_id IS NOT NULL ORDER BY id LIMIT 1`).Scan(&id, &slug); err != nil {
		t.Fatal(err)
	}
	if r := anon.get("/t/" + itoa(id) + "/" + slug); !strings.Contains(r.body, `href="/contact?from=`+itoa(id)+`"`) {
		t.Errorf("the demo's solved thread offers no contact link")
	}
}

// The survey sits under the accepted answer, not above the question, and is
// answered in place: the form comes back to the thread at the survey with
// thanks, and the page's script answers through the API.
func TestSurveyUnderTheAcceptedAnswerAnsweredInPlace(t *testing.T) {
	s := newSite(t)
	c := s.seed()
	ctx := context.Background()
	path := threadPath(c.solved)
	reader := s.signedIn(c.other)
	page := reader.get(path)
	if !before(page.body, `aria-label="Accepted answer"`, `id="survey"`) || !before(page.body, `id="survey"`, `id="reply-h"`) {
		t.Fatalf("the survey is not between the accepted answer and the reply box")
	}
	r := reader.post("/survey/"+itoa(c.solved.ID), url.Values{"answer": {"no"}})
	if r.code != http.StatusSeeOther || r.header.Get("Location") != path+"?survey=no#survey" {
		t.Fatalf("survey answer: %d %q, want back to the thread at the survey", r.code, r.header.Get("Location"))
	}
	again := reader.get(path)
	if !strings.Contains(again.body, "Thanks for telling us") || strings.Contains(again.body, `name="answer" value="yes"`) {
		t.Errorf("after answering, the member's thread page does not thank them in place of the question")
	}
	// The page's script asks for JSON; a visitor's gets a form token from
	// the confirm page first, as a visitor without scripts does.
	anon := s.browser()
	answerJSON := func(b *browser, answer string) *response {
		req := httptest.NewRequest(http.MethodPost, "/survey/"+itoa(c.solved.ID), strings.NewReader("answer="+answer))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Accept", "application/json")
		req.Header.Set("X-CSRF-Token", b.csrf)
		return b.do(req)
	}
	if r := answerJSON(anon, "yes"); r.code == 200 {
		t.Errorf("a visitor's answer without a form token was taken")
	}
	anon.get("/survey/" + itoa(c.solved.ID))
	if r := answerJSON(anon, "yes"); r.code != 200 || !strings.Contains(r.body, `"answer":"yes"`) {
		t.Errorf("visitor's answer in place: %d %s", r.code, r.body)
	}
	if r := answerJSON(anon, "maybe"); r.code != 422 {
		t.Errorf("survey answer maybe: %d, want 422", r.code)
	}
	asker := s.signedIn(c.asker)
	asker.get(path)
	if r := answerJSON(asker, "yes"); r.code != 409 {
		t.Errorf("the asker's own survey answer: %d, want 409", r.code)
	}
	if r := anon.get(path + "?survey=yes"); !strings.Contains(r.body, "glad this answer saved you contacting us") {
		t.Errorf("a visitor sent back after answering is not thanked")
	}
	if r := anon.get("/survey/" + itoa(c.solved.ID) + "?answer=yes"); r.code != 200 || !strings.Contains(r.body, `name="csrf"`) {
		t.Errorf("old survey links: %d", r.code)
	}
	var n, yes int
	if err := s.app.DB().QueryRow(ctx, `SELECT COUNT(*), SUM(saved) FROM deflection_survey WHERE thread_id = ?`, c.solved.ID).Scan(&n, &yes); err != nil {
		t.Fatal(err)
	}
	if n != 2 || yes != 1 {
		t.Errorf("survey answers = %d (%d yes), want 2 (1)", n, yes)
	}
	s.noErrorLogs()
}

// unread is the member's unread notification count through the API.
func unread(t *testing.T, s *site, m member) int {
	t.Helper()
	return int(s.bearerClient(m).api(http.MethodGet, "/api/v1/notifications", nil).json(t)["unread_count"].(float64))
}

// Opening a thread reads the member's notifications that point to it,
// whether they came through the bell or went to the thread directly; the
// bell on that very page is already up to date.
func TestOpeningAThreadReadsItsNotifications(t *testing.T) {
	s := newSite(t)
	asker, peer := s.user(s.brand.ID, "asker"), s.user(s.brand.ID, "peer")
	id, turl := notifyAsk(t, s, asker, "Opening the thread clears the bell")
	notifyReply(t, s, peer, id, "A reply the asker will read.")
	id2, _ := notifyAsk(t, s, asker, "Another question keeps its bell")
	notifyReply(t, s, peer, id2, "A reply to the other question.")
	b := s.signedIn(asker)
	if n := unread(t, s, asker); n != 2 {
		t.Fatalf("unread before = %d, want 2", n)
	}
	// Straight to the thread, as from a mail or a bookmark.
	page := b.get(turl)
	if !strings.Contains(page.body, `data-nf-count>1</span>`) {
		t.Errorf("the thread page's bell does not count only the other thread's notification")
	}
	if n := unread(t, s, asker); n != 1 {
		t.Errorf("unread after opening the thread = %d, want 1", n)
	}
	// Through the bell, with two notifications pointing to one thread.
	notifyReply(t, s, peer, id2, "@asker one more thing for you.")
	if n := unread(t, s, asker); n != 2 {
		t.Fatalf("unread with a mention too = %d, want 2", n)
	}
	list := b.get("/notifications")
	m := regexp.MustCompile(`href="(/notifications/\d+)"`).FindStringSubmatch(list.body)
	if m == nil {
		t.Fatalf("no notification link:\n%s", clip(list.body))
	}
	r := b.get(m[1])
	loc, _, _ := strings.Cut(r.header.Get("Location"), "#")
	if r.code != http.StatusSeeOther || !strings.HasPrefix(loc, "/t/"+itoa(id2)+"/") {
		t.Fatalf("open notification: %d %s", r.code, loc)
	}
	if page := b.get(loc); strings.Contains(page.body, "data-nf-count") {
		t.Error("the bell still counts after opening the thread from it")
	}
	if n := unread(t, s, asker); n != 0 {
		t.Errorf("unread after opening from the bell = %d, want 0", n)
	}
	s.noErrorLogs()
}

// The edit history numbers revisions as they are ("Revision 3 (current)"
// down to "Revision 1 (original)") and shows what each changed, word by
// word, with every text escaped.
func TestHistoryNumbersRevisionsAndShowsChanges(t *testing.T) {
	s := newSite(t)
	asker := s.user(s.brand.ID, "asker")
	th, err := s.svc.Ask(context.Background(), asker.actor, forum.NewThread{BoardID: s.board.ID, Title: "My roaming add-on did not start",
		Body: "I bought the add-on yesterday but data abroad still costs money."})
	if err != nil {
		t.Fatal(err)
	}
	pg, err := s.svc.Page(context.Background(), s.brand.ID, th.ID, 0, forum.Cursor{})
	if err != nil {
		t.Fatal(err)
	}
	post := itoa(pg.Question.ID)
	b := s.signedIn(asker)
	for _, e := range []struct{ title, body string }{
		{"My roaming add-on did not start", "I bought the roaming add-on yesterday but data in Spain still costs money."},
		{"My roaming add-on has not started", "I bought the roaming add-on yesterday but data in Spain still costs money. <script>alert(1)</script>"},
	} {
		b.get("/p/" + post + "/edit")
		s.clock.Add(time.Minute)
		if r := b.post("/p/"+post+"/edit", url.Values{"title": {e.title}, "body": {e.body}}); r.code != 303 {
			t.Fatalf("edit: %d %s", r.code, clip(r.body))
		}
	}
	h := s.browser().get("/p/" + post + "/history")
	if h.code != 200 || !before(h.body, "Revision 3 (current)", "<h2 id=\"rev2-h\">Revision 2</h2>") || !before(h.body, "Revision 2</h2>", "Revision 1 (original)") {
		t.Fatalf("history labels wrong or out of order: %d\n%s", h.code, clip(h.body))
	}
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`<ins><span class="sr-only">added: </span>[^<]*roaming[^<]*</ins>`),
		regexp.MustCompile(`<del><span class="sr-only">removed: </span>[^<]*abroad[^<]*</del>`),
		regexp.MustCompile(`<ins><span class="sr-only">added: </span>[^<]*&lt;script&gt;alert\(1\)&lt;/script&gt;[^<]*</ins>`),
		regexp.MustCompile(`Title:</span> My roaming add-on <del><span class="sr-only">removed: </span>did</del><ins><span class="sr-only">added: </span>has</ins> not <del>`),
	} {
		if !want.MatchString(h.body) {
			t.Errorf("history lacks %s", want)
		}
	}
	if strings.Contains(h.body, "<script>alert") || strings.Contains(h.body, " reversed>") {
		t.Error("history carries active script, or numbers revisions by list position")
	}
	api := s.browser().api(http.MethodGet, "/api/v1/posts/"+post+"/revisions", nil)
	if !strings.Contains(api.body, `"revision":3,`) || !strings.Contains(api.body, `"label":"Revision 3 (current)"`) || !strings.Contains(api.body, `"label":"Revision 1 (original)"`) {
		t.Errorf("revisions API lacks the labels: %s", api.body)
	}
	s.noErrorLogs()
}

// The edit form previews like the ask and reply forms: live with scripts
// (data-preview), and with a Preview button that saves nothing.
func TestEditFormPreviews(t *testing.T) {
	s := newSite(t)
	c := s.seed()
	b := s.signedIn(c.helper)
	form := b.get("/p/" + itoa(c.answer.ID) + "/edit")
	if !strings.Contains(form.body, "data-preview") || !strings.Contains(form.body, `name="preview" value="1"`) {
		t.Fatalf("edit form has no preview")
	}
	r := b.post("/p/"+itoa(c.answer.ID)+"/edit", url.Values{"body": {"Check the **roaming** charges section."}, "preview": {"1"}})
	if r.code != 200 || !strings.Contains(r.body, `<div class="preview" aria-label="Preview"><div class="body"><p>Check the <strong>roaming</strong>`) ||
		!strings.Contains(r.body, "Check the **roaming** charges section.</textarea>") {
		t.Fatalf("edit preview: %d\n%s", r.code, clip(r.body))
	}
	if p := b.get(threadPath(c.solved)); strings.Contains(p.body, "<strong>roaming</strong>") {
		t.Error("previewing an edit saved it")
	}
	deep := strings.Repeat(">", 200) + " deep"
	if r := b.post("/p/"+itoa(c.answer.ID)+"/edit", url.Values{"body": {deep}, "preview": {"1"}}); r.code != 422 || !strings.Contains(r.body, html.EscapeString(deep)) {
		t.Errorf("previewing runaway nesting: %d, want 422 with the text kept", r.code)
	}
	s.noErrorLogs()
}

// Accepting the only reply leaves no empty "Other replies" heading.
func TestNoEmptyOtherRepliesHeading(t *testing.T) {
	s := newSite(t)
	c := s.seed()
	anon := s.browser()
	if p := anon.get(threadPath(c.solved)); p.code != 200 || strings.Contains(p.body, "Other replies") || strings.Contains(p.body, `id="replies-h"`) {
		t.Errorf("solved thread with only its accepted answer shows a replies heading")
	}
	notifyReply(t, s, c.other, c.solved.ID, "Also check whether a bundle ended.")
	if p := anon.get(threadPath(c.solved)); !strings.Contains(p.body, "Other replies") || !strings.Contains(p.body, "whether a bundle ended") {
		t.Errorf("solved thread with another reply lacks the Other replies section")
	}
	if p := anon.get(threadPath(c.open)); !strings.Contains(p.body, "0 replies") || !strings.Contains(p.body, "No replies yet") {
		t.Errorf("open thread lost its empty replies section")
	}
}

var rowTitle = regexp.MustCompile(`<h3><a href="/t/\d+/[^"]*"[^>]*>([^<]+)</a></h3>`)

// pageLink is the href of the pager link with this rel and text, or "".
func pageLink(body, rel, text string) string {
	m := regexp.MustCompile(`<a class="[^"]*" rel="` + rel + `" href="([^"]+)">` + text + `</a>`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return strings.ReplaceAll(m[1], "&amp;", "&")
}

// A board pages forward with "Older questions" and back with "Newer
// questions" (rel next and prev), and from deep pages straight back to the
// first.
func TestBoardPagesBothWays(t *testing.T) {
	s := newSite(t)
	m := s.user(s.brand.ID, "asker")
	for i := range 75 {
		s.clock.Add(time.Minute)
		if _, err := s.svc.Ask(context.Background(), m.actor, forum.NewThread{BoardID: s.board.ID, Title: "Question number " + itoa(int64(i+1)), Body: "Body of a question."}); err != nil {
			t.Fatal(err)
		}
	}
	anon := s.browser()
	board := boardPath(s.board)
	titles := func(body string) []string {
		var out []string
		for _, m := range rowTitle.FindAllStringSubmatch(body, -1) {
			out = append(out, m[1])
		}
		return out
	}
	p1 := anon.get(board)
	older := pageLink(p1.body, "next", "Older questions")
	if got := titles(p1.body); len(got) != 30 || got[0] != "Question number 75" || older == "" || strings.Contains(p1.body, "Newer questions") {
		t.Fatalf("first page: %d titles from %v, older %q", len(got), got[:1], older)
	}
	p2 := anon.get(older)
	if back := pageLink(p2.body, "prev", "Newer questions"); back != board {
		t.Errorf("page 2 leads back to %q, want the first page %q", back, board)
	}
	p3 := anon.get(pageLink(p2.body, "next", "Older questions"))
	got3 := titles(p3.body)
	if len(got3) != 15 || got3[14] != "Question number 1" || pageLink(p3.body, "next", "Older questions") != "" {
		t.Fatalf("last page: %v", got3)
	}
	newer := pageLink(p3.body, "prev", "Newer questions")
	if !strings.Contains(newer, "before=") || !strings.Contains(p3.body, `href="`+board+`">Back to the newest questions</a>`) {
		t.Fatalf("last page: newer %q, or no way back to the first page", newer)
	}
	if back := anon.get(newer); strings.Join(titles(back.body), "|") != strings.Join(titles(p2.body), "|") {
		t.Errorf("paging back from the last page gives %v, want page 2 again", titles(back.body))
	}
	if r := anon.get(board + "?before=nonsense"); r.code != 422 && r.code != 400 {
		t.Errorf("a broken cursor: %d", r.code)
	}
	s.noErrorLogs()
}
