package app_test

import (
	"context"
	"encoding/csv"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"mutual/escalation"
	"mutual/forum"
	"mutual/search"
)

// scoreSignals scores every post written so far, as the background scorer
// does just after each commit.
func (s *site) scoreSignals() {
	s.t.Helper()
	for {
		n, err := s.app.Signals().ScoreNew(context.Background(), 500)
		if err != nil {
			s.t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
}

func (s *site) askAs(m member, board forum.Board, title, body string) forum.Thread {
	s.t.Helper()
	th, err := s.svc.Ask(context.Background(), m.actor, forum.NewThread{BoardID: board.ID, Title: title, Body: body, Language: "en"})
	if err != nil {
		s.t.Fatal(err)
	}
	return th
}

var leadRow = regexp.MustCompile(`<tr data-lead="(\d+)">`)

// The sales team sees the buying questions of members who opted in, and
// only theirs; the CSV holds the rows the page shows; nobody else, and no
// one of another brand, sees them.
func TestSalesLeadsListOnlyMembersWhoOptedIn(t *testing.T) {
	s := newSite(t)
	optedIn, optedOut := s.user(s.brand.ID, "keen_kim"), s.user(s.brand.ID, "quiet_quinn")
	// Kim ticks the box on her settings page, through the form.
	kim := s.signedIn(optedIn)
	if r := kim.get("/settings/marketing"); r.code != 200 || strings.Contains(r.body, `name="marketing" value="yes" checked`) {
		t.Fatalf("settings page: %d, or ticked before the member chose", r.code)
	}
	if r := kim.post("/settings/marketing", url.Values{"marketing": {"yes"}}); r.code != http.StatusSeeOther {
		t.Fatalf("saving the choice: %d %s", r.code, clip(r.body))
	}
	if r := kim.get("/settings/marketing"); !strings.Contains(r.body, `value="yes" checked`) {
		t.Error("the choice did not stick")
	}
	kimsLead := s.askAs(optedIn, s.board, "Which plan for a family of four?", "We need lots of data and four SIMs.")
	s.askAs(optedOut, s.board, "Can I upgrade my phone early?", "My contract ends in May.")
	s.askAs(optedIn, s.board, "Voicemail stopped working", "Since the update my voicemail is silent.")
	s.scoreSignals()

	sales := s.signedIn(s.user(s.brand.ID, "sam_sales", "sales"))
	r := sales.get("/leads")
	if r.code != 200 {
		t.Fatalf("/leads as sales: %d", r.code)
	}
	rows := leadRow.FindAllStringSubmatch(r.body, -1)
	if len(rows) != 1 || !strings.Contains(r.body, "keen_kim") || !strings.Contains(r.body, "/t/"+itoa(kimsLead.ID)) {
		t.Errorf("leads page lists %d rows, want only keen_kim's buying question: %s", len(rows), clip(r.body))
	}
	if strings.Contains(r.body, "quiet_quinn") {
		t.Error("a member who never opted in is listed")
	}
	if !strings.Contains(r.body, `data-kpi="leads">1<`) {
		t.Error("the leads KPI does not count 1")
	}
	c := sales.get("/leads.csv")
	if c.code != 200 || !strings.HasPrefix(c.header.Get("Content-Type"), "text/csv") {
		t.Fatalf("CSV: %d %s", c.code, c.header.Get("Content-Type"))
	}
	recs, err := csv.NewReader(strings.NewReader(c.body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != len(rows)+1 || recs[1][1] != "keen_kim" || recs[1][2] != "which plan" || !strings.Contains(recs[1][4], "/t/"+itoa(kimsLead.ID)) {
		t.Errorf("CSV rows %q do not match the page's %d", recs, len(rows))
	}
	// Kim changes her mind: she leaves the list at once.
	kim.post("/settings/marketing", url.Values{})
	if r := sales.get("/leads"); len(leadRow.FindAllString(r.body, -1)) != 0 {
		t.Error("a member who opted out is still listed")
	}

	// Only the sales team (and administrators): a client manager or an agent
	// is refused, and so is the sales team of another brand.
	for _, who := range []member{s.user(s.brand.ID, "clara_cm", "client_manager"), s.user(s.brand.ID, "agent_al", "agent"), s.user(s.brand.ID, "plain_pat")} {
		if r := s.signedIn(who).get("/leads"); r.code == 200 {
			t.Errorf("%v opened the leads", who.actor.Roles)
		}
	}
	seesNothingFromAnotherBrand(t, s, "sales", "/leads", "keen_kim", "Which plan")
	s.noErrorLogs()
}

// Client managers read negative share by board and week and the churn
// signals; the report counts leads as a KPI.
func TestSignalsReportForClientManagers(t *testing.T) {
	s := newSite(t)
	network := s.newBoard(s.brand.ID, "Network")
	ann, bob := s.user(s.brand.ID, "ann_a"), s.user(s.brand.ID, "bob_b")
	s.askAs(ann, s.board, "Billed twice this month", "This is awful, terrible service. I'm cancelling my contract.")
	s.askAs(bob, s.board, "Where is my bill PDF?", "I cannot find the download link.")
	s.askAs(bob, network, "Great coverage in Leeds", "Love the new 5G, thanks!")
	s.askAs(ann, network, "Not leaving, just asking", "I'm not leaving, how do I set up wifi calling?")
	s.scoreSignals()

	cm := s.signedIn(s.user(s.brand.ID, "clara_cm", "client_manager"))
	r := cm.get("/reports/signals")
	if r.code != 200 {
		t.Fatalf("/reports/signals: %d %s", r.code, clip(r.body))
	}
	for _, want := range []string{"Billing and plans", "Network", "50%", `data-kpi="churn">1<`, "Billed twice this month", "ann_a", `data-kpi="leads">0<`} {
		if !strings.Contains(r.body, want) {
			t.Errorf("the report lacks %q", want)
		}
	}
	if strings.Contains(r.body, "Not leaving, just asking") {
		t.Error("a negated churn phrase is listed")
	}
	if r := s.signedIn(s.user(s.brand.ID, "sally", "sales")).get("/reports/signals"); r.code == 200 {
		t.Error("the sales team opened the client managers' report")
	}
	// A client manager of another brand: refused here, and their own
	// brand's report holds nothing of this one.
	seesNothingFromAnotherBrand(t, s, "client_manager", "/reports/signals", "Billed twice", "Billing and plans")
	s.noErrorLogs()
}

// seesNothingFromAnotherBrand checks that someone holding role in another
// brand opens path there without any of this brand's words (absent), and
// is refused it here.
func seesNothingFromAnotherBrand(t *testing.T, s *site, role, path string, absent ...string) {
	t.Helper()
	other, err := s.brands.Create(context.Background(), forum.NewBrand{Host: "beta.test", Name: "Beta"})
	if err != nil {
		t.Fatal(err)
	}
	foreign := s.signedIn(s.user(other.ID, "beta_"+strings.ReplaceAll(role, "_", ""), role))
	foreign.host = "beta.test"
	r := foreign.get(path)
	if r.code != 200 {
		t.Errorf("%s of another brand opening %s there: %d", role, path, r.code)
	}
	for _, w := range absent {
		if strings.Contains(r.body, w) {
			t.Errorf("%s of another brand sees %q at %s", role, w, path)
		}
	}
	foreign.host = "localhost"
	if r := foreign.get(path); r.code == 200 {
		t.Errorf("%s of another brand opened this brand's %s", role, path)
	}
}

// A member's data export holds what the signals read in their posts.
func TestPrivacyExportHoldsPostSignals(t *testing.T) {
	s := newSite(t)
	ann := s.user(s.brand.ID, "ann_a")
	s.askAs(ann, s.board, "Which plan is best for me?", "Thinking of getting a new phone.")
	s.scoreSignals()
	r := s.signedIn(ann).get("/settings/privacy/export")
	if r.code != 200 || !strings.Contains(r.body, `"post_signals"`) || !strings.Contains(r.body, `"sales_lead_phrase": "which plan"`) {
		t.Errorf("export: %d %s", r.code, clip(r.body))
	}
}

// A listening tool pushes mentions from other channels: validated with a
// message per field, idempotent by URL, never shown to the public, scored,
// and queued for the agents with the channel when it needs an answer.
func TestIntakeMentions(t *testing.T) {
	s := newSite(t)
	tool := s.bearerClient(s.user(s.brand.ID, "listening_tool", "integration"))
	mention := map[string]any{"channel": "x", "text": "@Alpha no signal in Leeds since 9am, this is terrible",
		"author_handle": "@leeds_lou", "url": "https://x.example/lou/status/1", "posted_at": "2025-05-06T09:30:00Z", "needs_answer": true}
	r := tool.api("POST", "/api/v1/intake/mentions", mention)
	if r.code != http.StatusCreated {
		t.Fatalf("push: %d %s", r.code, r.body)
	}
	id := int64(r.json(t)["id"].(float64))
	if again := tool.api("POST", "/api/v1/intake/mentions", mention); again.code != http.StatusOK || int64(again.json(t)["id"].(float64)) != id {
		t.Errorf("the same URL again: %d %s, want 200 with the same id", again.code, again.body)
	}

	// Field by field, a 422 that says what is wrong.
	for field, bad := range map[string]any{"channel": "Not A Channel!", "text": "", "author_handle": "", "url": "ftp://x", "posted_at": "yesterday"} {
		m := map[string]any{}
		for k, v := range mention {
			m[k] = v
		}
		m[field] = bad
		m["url"] = "https://x.example/lou/status/" + field
		if field == "url" {
			m["url"] = bad
		}
		r := tool.api("POST", "/api/v1/intake/mentions", m)
		fields, _ := r.json(t)["error"].(map[string]any)["fields"].(map[string]any)
		if r.code != http.StatusUnprocessableEntity || fields[field] == nil {
			t.Errorf("bad %s: %d %s", field, r.code, r.body)
		}
	}
	if r := tool.api("POST", "/api/v1/intake/mentions", "{not json"); r.code != http.StatusBadRequest {
		t.Errorf("not JSON: %d", r.code)
	}
	// Only a listening tool's token: a member, an agent or an admin is refused,
	// and the tool's token does nothing a member does.
	for _, who := range []member{s.user(s.brand.ID, "plain_pat"), s.user(s.brand.ID, "agent_al", "agent"), s.user(s.brand.ID, "admin_ada", "admin")} {
		if r := s.bearerClient(who).api("POST", "/api/v1/intake/mentions", mention); r.code != http.StatusForbidden {
			t.Errorf("%v pushed a mention: %d", who.actor.Roles, r.code)
		}
	}
	if r := tool.api("POST", "/api/v1/threads", map[string]any{"board_id": s.board.ID, "title": "A tool asking a question", "body": "Can a tool ask?"}); r.code < 400 {
		t.Errorf("the tool's token asked a question: %d", r.code)
	}

	// Never shown to the public: not on the board, not in search, not at its address.
	anon := s.browser()
	if _, err := search.IndexAll(context.Background(), s.app.DB()); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/", boardPath(s.board), "/search?q=Leeds", "/t/" + itoa(id), "/feeds/latest.atom", "/sitemap.xml",
		"/api/v1/similar?title=no+signal+in+Leeds", "/api/v1/boards/" + itoa(s.board.ID) + "/threads", "/u/listening_tool"} {
		if r := anon.get(path); strings.Contains(r.body, "no signal in Leeds") {
			t.Errorf("%s shows the mention to a visitor", path)
		}
	}

	// Staff who open its address get a page, never an error.
	if r := s.signedIn(s.user(s.brand.ID, "mod_mo", "moderator")).get("/t/" + itoa(id)); r.code >= 500 {
		t.Errorf("a moderator opening the mention's thread: %d", r.code)
	}

	// In the agents' queue, with its channel and the link out.
	agent := s.user(s.brand.ID, "agent_ann", "agent")
	if _, err := s.app.Escalations().AddAgent(context.Background(), escalation.NewAgent{BrandID: s.brand.ID, UserID: agent.actor.UserID,
		Person: "ann@example.com", OnShift: true}); err != nil {
		t.Fatal(err)
	}
	c := s.signedIn(agent).get("/console")
	for _, want := range []string{`data-channel="x"`, "@leeds_lou", `href="https://x.example/lou/status/1"`} {
		if !strings.Contains(c.body, want) {
			t.Errorf("the console lacks %s", want)
		}
	}
	// Scored like any post, and counted on the signals report.
	s.scoreSignals()
	var sentiment float64
	if err := s.app.DB().QueryRow(context.Background(), `SELECT sentiment FROM post_signals WHERE thread_id = ?`, id).Scan(&sentiment); err != nil || sentiment >= 0 {
		t.Errorf("the mention's sentiment: %.3f (%v), want negative", sentiment, err)
	}
	s.noErrorLogs()
}

// The integration role is held alone: granting it beside another role (or
// another beside it) is refused, so nobody loses their rights by mistake.
func TestIntegrationRoleIsHeldAlone(t *testing.T) {
	s := newSite(t)
	admin := s.signedIn(s.user(s.brand.ID, "admin_ada", "admin"))
	s.user(s.brand.ID, "agent_al", "agent")
	s.user(s.brand.ID, "listening_tool", "integration")
	s.user(s.brand.ID, "plain_pat")
	admin.get("/admin/roles")
	grant := func(who, role string) int {
		return admin.post("/admin/roles", url.Values{"username": {who}, "role": {role}, "op": {"grant"}, "reason": {"set up"}}).code
	}
	if c := grant("agent_al", "integration"); c != http.StatusConflict {
		t.Errorf("integration granted to an agent: %d", c)
	}
	if c := grant("listening_tool", "sales"); c != http.StatusConflict {
		t.Errorf("sales granted to a listening tool: %d", c)
	}
	if c := grant("plain_pat", "integration"); c >= 400 {
		t.Errorf("integration refused to a plain account: %d", c)
	}
	s.noErrorLogs()
}
