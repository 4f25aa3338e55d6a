package app_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"mutual/app"
	"mutual/forum"
)

// askIn starts a thread in a language through the setup service.
func (s *site) askIn(m member, language, title, body string) forum.Thread {
	s.t.Helper()
	th, err := s.svc.Ask(context.Background(), m.actor, forum.NewThread{BoardID: s.board.ID, Title: title, Body: body, Language: language})
	if err != nil {
		s.t.Fatal(err)
	}
	return th
}

// The Ask form starts on the asker's language and keeps the one they
// choose; the thread page labels it, with lang on the question's text for
// screen readers; the API takes a language or detects one, and says it.
func TestAskInAChosenLanguage(t *testing.T) {
	s := newSite(t)
	m := s.user(s.brand.ID, "marta")
	b := s.signedIn(m)
	api := s.bearerClient(m)
	s.run([]scenario{
		{name: "the select starts on the browser's language", method: http.MethodGet, path: "/ask", as: b,
			headers: []string{"Accept-Language", "es-ES,es;q=0.9,en;q=0.4"}, status: http.StatusOK,
			contains: []string{`<select id="language" name="language">`, `<option value="es" lang="es" selected>Español</option>`}},
		{name: "an unknown language is refused on the form, text kept", method: http.MethodPost, path: "/ask", as: b,
			form:   url.Values{"board_id": {itoa(s.board.ID)}, "title": {"Mi router no funciona"}, "body": {"Se reinicia cada hora."}, "language": {"xx"}},
			status: http.StatusUnprocessableEntity, contains: []string{"Choose the language of your question from the list.", "Se reinicia cada hora."}},
		{name: "api detects the language when none is given", method: http.MethodPost, path: "/api/v1/threads", as: api,
			json:   map[string]any{"board_id": s.board.ID, "title": "Dlaczego router się restartuje?", "body": "Co godzinę traci połączenie z siecią."},
			status: http.StatusCreated, contains: []string{`"language":"pl"`}},
		{name: "api keeps the language given", method: http.MethodPost, path: "/api/v1/threads", as: api,
			json:   map[string]any{"board_id": s.board.ID, "title": "Router restarts", "body": "Every hour it drops.", "language": "fr"},
			status: http.StatusCreated, contains: []string{`"language":"fr"`}},
		{name: "api refuses an unknown language", method: http.MethodPost, path: "/api/v1/threads", as: api,
			json:   map[string]any{"board_id": s.board.ID, "title": "Router restarts", "body": "Every hour it drops.", "language": "xx"},
			status: http.StatusUnprocessableEntity, contains: []string{`"language":"Choose the language of your question from the list."`}},
	})
	// Catalan chosen for a title the detector would call Spanish: the choice wins.
	r := b.post("/ask", url.Values{"board_id": {itoa(s.board.ID)}, "title": {"No puc entrar al compte"}, "body": {"Em diu que la contrasenya no és correcta."},
		"language": {"ca"}, "client_key": {"k1"}})
	if r.code != http.StatusSeeOther {
		t.Fatalf("ask = %d\n%s", r.code, clip(r.body))
	}
	page := b.get(r.header.Get("Location"))
	for _, want := range []string{`<h1 id="thread-title" lang="ca">No puc entrar al compte</h1>`, `in <span lang="ca">Català</span>`,
		`<div class="body" lang="ca"><p>Em diu que la contrasenya`} {
		if !strings.Contains(page.body, want) {
			t.Errorf("thread page lacks %q\n%s", want, clip(page.body))
		}
	}
	s.noErrorLogs()
}

// A board and search filter by language, in pages and API; the filter is
// offered only once the brand's threads are in more than one language.
func TestBoardAndSearchFilterByLanguage(t *testing.T) {
	s := newSite(t)
	m := s.user(s.brand.ID, "marta")
	en := s.askIn(m, "en", "Router keeps restarting at night", "Every night the router restarts at the same time.")
	board := "/b/" + itoa(s.board.ID) + "/" + s.board.Slug
	s.run([]scenario{{name: "one language: no filter offered", method: http.MethodGet, path: board, status: http.StatusOK,
		contains: []string{en.Title}, notContains: []string{`id="f-lang"`}}})

	// The plain board page is cached now; the filtered ones are not yet.
	es := s.askIn(m, "es", "El router se reinicia por la noche", "Cada noche el router se reinicia a la misma hora.")
	s.run([]scenario{
		{name: "board filtered to Spanish", method: http.MethodGet, path: board + "?lang=es", status: http.StatusOK,
			contains:    []string{es.Title, `<option value="es" lang="es" selected>Español</option>`, `href="` + board + `?filter=unanswered&amp;lang=es"`},
			notContains: []string{en.Title}},
		{name: "board filtered to English and unanswered", method: http.MethodGet, path: board + "?filter=unanswered&lang=en", status: http.StatusOK,
			contains: []string{en.Title, `<input type="hidden" name="filter" value="unanswered">`}, notContains: []string{es.Title}},
		{name: "board with an unknown language is 422", method: http.MethodGet, path: board + "?lang=xx", status: http.StatusUnprocessableEntity,
			contains: []string{"The language must be a language code such as en or es."}},
		{name: "board api filtered", method: http.MethodGet, path: "/api/v1/boards/" + itoa(s.board.ID) + "/threads?lang=es", status: http.StatusOK,
			contains: []string{`"id":` + itoa(es.ID), `"language":"es"`}, notContains: []string{`"id":` + itoa(en.ID) + `,`}},
		{name: "search page filtered", method: http.MethodGet, path: "/search?q=router&lang=es", status: http.StatusOK,
			contains:    []string{"1 result", "/t/" + itoa(es.ID) + "/", `<option value="es" lang="es" selected>Español</option>`},
			notContains: []string{"/t/" + itoa(en.ID) + "/"}},
		{name: "search page unfiltered finds both", method: http.MethodGet, path: "/search?q=router", status: http.StatusOK,
			contains: []string{"2 results", `lang="es">El <mark>router</mark>`}},
		{name: "search api filtered", method: http.MethodGet, path: "/api/v1/search?q=router&lang=en", status: http.StatusOK,
			contains: []string{`"items":[{"id":` + itoa(en.ID), `"language":"en"`, `"total":1`}},
		{name: "search api with an unknown language", method: http.MethodGet, path: "/api/v1/search?q=router&lang=xx", status: http.StatusUnprocessableEntity,
			contains: []string{`"lang":"The language must be a language code such as en or es."`}},
	})
	s.noErrorLogs()
}

// Similar questions put those in the asker's language first: the one they
// name, else their browser's.
func TestSimilarPrefersAskersLanguage(t *testing.T) {
	s := newSite(t)
	asker, helper := s.user(s.brand.ID, "asker"), s.user(s.brand.ID, "helper")
	solve := func(language, title, body, answer string) forum.Thread {
		th := s.askIn(asker, language, title, body)
		p, err := s.svc.Reply(context.Background(), helper.actor, th.ID, forum.NewReply{Body: answer})
		if err == nil {
			th, err = s.svc.Accept(context.Background(), asker.actor, th.ID, p.ID)
		}
		if err != nil {
			t.Fatal(err)
		}
		return th
	}
	en := solve("en", "Pixel eSIM activation stuck", "It has said activating for a day.", "Restart after ten minutes.")
	es := solve("es", "Activación eSIM Pixel atascada", "Lleva un día diciendo que se está activando.", "Reinicia a los diez minutos.")
	title := url.QueryEscape("eSIM Pixel activation")
	first := func(id int64) string { return `"items":[{"id":` + itoa(id) + "," }
	b := s.signedIn(s.user(s.brand.ID, "newbie"))
	s.run([]scenario{
		{name: "Spanish named", method: http.MethodGet, path: "/api/v1/similar?lang=es&title=" + title, status: http.StatusOK,
			contains: []string{first(es.ID), `"id":` + itoa(en.ID)}},
		{name: "English named", method: http.MethodGet, path: "/api/v1/similar?lang=en&title=" + title, status: http.StatusOK,
			contains: []string{first(en.ID), `"id":` + itoa(es.ID)}},
		{name: "the browser's language when none is named", method: http.MethodGet, path: "/api/v1/similar?title=" + title,
			headers: []string{"Accept-Language", "es-MX"}, status: http.StatusOK, contains: []string{first(es.ID)}},
		{name: "an unknown language is 422", method: http.MethodGet, path: "/api/v1/similar?lang=xx&title=" + title,
			status: http.StatusUnprocessableEntity, contains: []string{`"lang"`}},
	})
	// Without JavaScript: the Ask form's own check, in the form's language.
	r := b.post("/ask/similar", url.Values{"title": {"eSIM Pixel activation"}, "body": {"x"}, "board_id": {itoa(s.board.ID)}, "language": {"es"}})
	if r.code != http.StatusOK {
		t.Fatalf("check = %d", r.code)
	}
	if i, j := strings.Index(r.body, "/ask/similar/"+itoa(es.ID)), strings.Index(r.body, "/ask/similar/"+itoa(en.ID)); i < 0 || j < 0 || i > j {
		t.Errorf("no-JavaScript suggestions: Spanish at %d, English at %d; want both, Spanish first", i, j)
	}
	if !strings.Contains(r.body, `<option value="es" lang="es" selected>`) {
		t.Error("the form came back without its language")
	}
	s.noErrorLogs()
}

// Threads written before threads were labelled get a language once the
// server starts.
func TestThreadsLabelledWhenTheServerStarts(t *testing.T) {
	s := newSite(t)
	m := s.user(s.brand.ID, "marta")
	th := s.askIn(m, "", "Warum bricht die Verbindung ab?", "Seit dem Update bricht die Verbindung jede Stunde ab.")
	ctx := context.Background()
	if _, err := s.app.DB().Exec(ctx, `UPDATE threads SET language = '' WHERE id = ?`, th.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.app.Close(); err != nil {
		t.Fatal(err)
	}
	again, err := app.New(ctx, s.cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	svc := forum.NewService(again.DB(), nil, s.clock.Now)
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		got, err := svc.Thread(ctx, s.brand.ID, th.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Language == "de" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("language = %q after 10 s, want de", got.Language)
		}
	}
}

// Whoever may edit a question may change its language, on the question's
// edit page or through the API; a moderator's change is in the audit log.
func TestRelabelAQuestion(t *testing.T) {
	s := newSite(t)
	ana, mod := s.user(s.brand.ID, "ana"), s.user(s.brand.ID, "mod", "moderator")
	th := s.askIn(ana, "es", "No puc entrar al compte", "Em diu que la contrasenya no és correcta.")
	q, err := s.svc.Question(context.Background(), s.brand.ID, th.ID)
	if err != nil {
		t.Fatal(err)
	}
	b := s.signedIn(ana)
	s.run([]scenario{
		{name: "the question's edit page offers its language", method: http.MethodGet, path: "/p/" + itoa(q.ID) + "/edit", as: b,
			status: http.StatusOK, contains: []string{`action="/t/` + itoa(th.ID) + `/language"`, `<option value="es" lang="es" selected>Español</option>`}},
		{name: "an unknown language comes back on the edit page", method: http.MethodPost, path: "/t/" + itoa(th.ID) + "/language", as: b,
			form: url.Values{"language": {"xx"}}, status: http.StatusUnprocessableEntity,
			contains: []string{"Choose the language of the question from the list.", "Em diu que la contrasenya"}},
		{name: "the asker changes it", method: http.MethodPost, path: "/t/" + itoa(th.ID) + "/language", as: b,
			form: url.Values{"language": {"ca"}}, status: http.StatusSeeOther, location: "/t/" + itoa(th.ID) + "/"},
		{name: "the thread says so", method: http.MethodGet, path: "/t/" + itoa(th.ID) + "/" + th.Slug, as: b, status: http.StatusOK,
			contains: []string{"The question&#39;s language is changed.", `in <span lang="ca">Català</span>`}},
		{name: "another member may not", method: http.MethodPut, path: "/api/v1/threads/" + itoa(th.ID) + "/language",
			as: s.bearerClient(s.user(s.brand.ID, "bob")), json: map[string]any{"language": "en"}, status: http.StatusForbidden},
		{name: "a moderator may, through the API", method: http.MethodPut, path: "/api/v1/threads/" + itoa(th.ID) + "/language",
			as: s.bearerClient(mod), json: map[string]any{"language": "es"}, status: http.StatusOK, contains: []string{`"language":"es"`}},
		{name: "and the audit log has it", method: http.MethodGet, path: "/api/v1/audit", as: s.bearerClient(mod), status: http.StatusOK,
			contains: []string{`"act":"thread_relabelled"`, `"language":"es"`}},
	})
	s.noErrorLogs()
}
