package app_test

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"mutual/escalation"
	"mutual/forum"
	"mutual/i18n"
)

// solvedBy has asker ask, helper answer and asker accept; it returns the
// thread's id.
func (s *site) solvedBy(asker, helper member, title, body, answer string) int64 {
	s.t.Helper()
	r := s.bearerClient(asker).api("POST", "/api/v1/threads", map[string]any{"board_id": s.board.ID, "title": title, "body": body})
	if r.code != http.StatusCreated {
		s.t.Fatalf("ask: %d %s", r.code, r.body)
	}
	id := int64(r.json(s.t)["id"].(float64))
	rep := s.bearerClient(helper).api("POST", "/api/v1/threads/"+itoa(id)+"/posts", map[string]any{"body": answer})
	if rep.code != http.StatusCreated {
		s.t.Fatalf("answer: %d %s", rep.code, rep.body)
	}
	acc := s.bearerClient(asker).api("POST", "/api/v1/threads/"+itoa(id)+"/accept", map[string]any{"post_id": rep.json(s.t)["id"]})
	if acc.code != http.StatusOK {
		s.t.Fatalf("accept: %d %s", acc.code, acc.body)
	}
	return id
}

var textarea = regexp.MustCompile(`(?s)<textarea id="reply-body"[^>]*>(.*?)</textarea>`)

// An agent on an escalated thread sees the solved thread that answers it
// with the passage that does, posts the drafted reply, and the escalation
// is answered by a reply that quotes and links its source.
func TestCopilotGroundsAnAgentsReply(t *testing.T) {
	f := newEscFixture(t)
	f.offer("en", i18n.Pseudo)
	asker2 := f.user(f.brand.ID, "asker2")
	src := f.solvedBy(asker2, f.peer, "SIM stopped working, no bars at all", "My SIM stopped working: no bars since the morning.",
		"Thanks! Text RESET to 43430 to provision the SIM again, then restart the phone. Mine came back within minutes.")
	f.clock.Add(16 * time.Minute)
	f.runDetector()
	id := itoa(f.escID())
	ab := f.signedIn(f.agent)

	if d := ab.get("/escalations/" + id); !strings.Contains(d.body, `href="/escalations/`+id+`/help"`) {
		t.Fatalf("the escalation page does not offer grounded help:\n%s", clip(d.body))
	}
	page := ab.get("/escalations/" + id + "/help")
	if page.code != http.StatusOK || !strings.Contains(page.body, `href="/t/`+itoa(src)+`/`) || !strings.Contains(page.body, "Text RESET to 43430") {
		t.Fatalf("help page: %d\n%s", page.code, clip(page.body))
	}
	m := textarea.FindStringSubmatch(page.body)
	if m == nil {
		t.Fatalf("no draft on the help page:\n%s", clip(page.body))
	}
	draft := html.UnescapeString(m[1])
	if !strings.Contains(draft, "> ") || !strings.Contains(draft, "43430") || !strings.Contains(draft, "(/t/"+itoa(src)+"/") {
		t.Fatalf("draft %q does not quote and link its source", draft)
	}
	if r := ab.post("/t/"+itoa(f.thread.ID)+"/reply", url.Values{"body": {draft + "\n\nIf not, reply here and I will check your SIM."}}); r.code != http.StatusSeeOther {
		t.Fatalf("posting the draft: %d %s", r.code, clip(r.body))
	}
	x, _, _ := f.app.Escalations().ForThread(context.Background(), f.brand.ID, f.thread.ID)
	if x.Status != escalation.StatusAnswered {
		t.Fatalf("after the agent posted the draft the escalation is %s", x.Status)
	}
	thread := f.browser().get("/t/" + itoa(f.thread.ID) + "/x")
	thread = f.browser().get(thread.header.Get("Location"))
	if !strings.Contains(thread.body, `<blockquote>`) || !strings.Contains(thread.body, `href="/t/`+itoa(src)+`/`) {
		t.Fatalf("the posted reply lost its quote or link:\n%s", clip(thread.body))
	}

	api := f.bearerClient(f.agent).api("GET", "/api/v1/escalations/"+id+"/help", nil)
	var got struct {
		Sources []struct {
			ThreadID int64  `json:"thread_id"`
			Passage  string `json:"passage"`
		} `json:"sources"`
		Draft struct{ Text string } `json:"draft"`
	}
	if err := json.Unmarshal([]byte(api.body), &got); err != nil || api.code != 200 || len(got.Sources) == 0 || got.Sources[0].ThreadID != src {
		t.Fatalf("help API: %d %s (%v)", api.code, api.body, err)
	}

	b2, err := f.brands.Create(context.Background(), forum.NewBrand{Host: "other.example", Name: "Other"})
	if err != nil {
		t.Fatal(err)
	}
	foreign := f.bearerClient(f.user(b2.ID, "agent2", "agent"))
	foreign.host = "other.example"
	f.run([]scenario{
		{name: "a member gets no help page", method: "GET", path: "/api/v1/escalations/" + id + "/help", as: f.bearerClient(f.peer), status: 403},
		{name: "another brand's agent finds nothing", method: "GET", path: "/api/v1/escalations/" + id + "/help", as: foreign, status: 404},
		{name: "an escalation that does not exist", method: "GET", path: "/api/v1/escalations/99999/help", as: f.bearerClient(f.agent), status: 404},
	})

	// Every word of the page comes from the catalogue.
	ps := f.signedIn(f.agent).speaking(i18n.Pseudo).get("/escalations/" + id + "/help")
	for _, leak := range untranslated(t, ps.body, []string{f.brand.Name, "My SIM stopped working today", "SIM stopped working, no bars at all", "agent1"}) {
		t.Errorf("help page: %q is not from the catalogue", leak)
	}
	f.noErrorLogs()
}

// An administrator points the copilot at a model; a bad address is refused
// in place with what was typed kept (never the key); agents then get the
// model's draft, and the quoted one with the reason when the model fails.
func TestCopilotModelSettingsAndDrafts(t *testing.T) {
	f := newEscFixture(t)
	f.solvedBy(f.user(f.brand.ID, "asker2"), f.peer, "SIM stopped working, no bars at all", "No bars since the morning.",
		"Text RESET to 43430 to provision the SIM again, then restart the phone.")
	f.clock.Add(16 * time.Minute)
	f.runDetector()
	id := itoa(f.escID())
	admin := f.signedIn(f.user(f.brand.ID, "boss", "admin"))
	admin.get("/admin/copilot")
	bad := admin.post("/admin/copilot", url.Values{"endpoint": {"models.example/v1"}, "model": {"small"}, "api_key": {"sk-secret"}})
	if bad.code != http.StatusUnprocessableEntity || !strings.Contains(bad.body, "http:// or https://") ||
		!strings.Contains(bad.body, `value="models.example/v1"`) || strings.Contains(bad.body, "sk-secret") {
		t.Fatalf("bad endpoint: %d\n%s", bad.code, clip(bad.body))
	}

	answer := "Restart after texting RESET [1]."
	model := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if answer == "" {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"choices": []any{map[string]any{"message": map[string]any{"content": answer}}}})
	}))
	defer model.Close()
	if r := admin.post("/admin/copilot", url.Values{"endpoint": {model.URL + "/v1/chat/completions"}, "model": {"small"}, "api_key": {"sk-secret"}}); r.code != http.StatusSeeOther {
		t.Fatalf("save: %d %s", r.code, clip(r.body))
	}
	if p := admin.get("/admin/copilot"); strings.Contains(p.body, "sk-secret") || !strings.Contains(p.body, model.URL) {
		t.Fatalf("settings page shows the key or lost the endpoint:\n%s", clip(p.body))
	}
	var audited int
	if err := f.app.DB().QueryRow(context.Background(), `SELECT COUNT(*) FROM moderation_actions WHERE act = 'copilot_settings' AND after_json NOT LIKE '%sk-secret%'`).Scan(&audited); err != nil || audited != 1 {
		t.Fatalf("audited %d (%v)", audited, err)
	}

	ab := f.signedIn(f.agent)
	if p := ab.get("/escalations/" + id + "/help"); !strings.Contains(p.body, "?model=1") {
		t.Fatalf("no way to ask the model:\n%s", clip(p.body))
	}
	if p := ab.get("/escalations/" + id + "/help?model=1"); !strings.Contains(p.body, "Restart after texting RESET [1].") || !strings.Contains(p.body, "[1]: /t/") {
		t.Fatalf("the model's draft is not on the page:\n%s", clip(p.body))
	}
	answer = ""
	if p := ab.get("/escalations/" + id + "/help?model=1"); p.code != 200 || !strings.Contains(p.body, "HTTP 503") || !strings.Contains(p.body, "&gt; Text RESET") {
		t.Fatalf("a failing model should leave the quoted draft and say why:\n%s", clip(p.body))
	}
	f.noErrorLogs()
}
