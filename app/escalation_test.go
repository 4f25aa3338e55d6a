package app_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"mutual/app"
	"mutual/escalation"
	"mutual/forum"
)

// escFixture is a site with an asker, a peer, an agent on shift and a
// moderator, and one unanswered question past the SLA, escalated.
type escFixture struct {
	*site
	asker, peer, agent, mod member
	thread                  forum.Thread
}

func newEscFixture(t *testing.T, opts ...func(*app.Config)) *escFixture {
	t.Helper()
	s := newSite(t, opts...)
	f := &escFixture{site: s}
	f.asker = s.user(s.brand.ID, "asker")
	f.peer = s.user(s.brand.ID, "peer")
	f.agent = s.user(s.brand.ID, "agent1", "agent")
	f.mod = s.user(s.brand.ID, "mod1", "moderator")
	if _, err := s.app.Escalations().AddAgent(context.Background(), escalation.NewAgent{BrandID: s.brand.ID, UserID: f.agent.actor.UserID,
		Person: "agent1@example.com", OnShift: true}); err != nil {
		t.Fatal(err)
	}
	r := s.bearerClient(f.asker).api("POST", "/api/v1/threads", map[string]any{"board_id": s.board.ID,
		"title": "My SIM stopped working today", "body": "No bars at all since this morning."})
	if r.code != http.StatusCreated {
		t.Fatalf("ask: %d %s", r.code, r.body)
	}
	id := int64(r.json(t)["id"].(float64))
	f.thread = forum.Thread{ID: id}
	return f
}

func (f *escFixture) runDetector() {
	f.t.Helper()
	if _, err := f.app.RunEscalations(context.Background()); err != nil {
		f.t.Fatal(err)
	}
}

func (f *escFixture) escID() int64 {
	f.t.Helper()
	x, ok, err := f.app.Escalations().ForThread(context.Background(), f.brand.ID, f.thread.ID)
	if err != nil || !ok {
		f.t.Fatalf("no escalation for thread %d (%v)", f.thread.ID, err)
	}
	return x.ID
}

func TestEscalationAPIAndPagesAccess(t *testing.T) {
	f := newEscFixture(t)
	f.clock.Add(16 * time.Minute)
	f.runDetector()
	id := itoa(f.escID())
	other := f.brands
	b2, err := other.Create(context.Background(), forum.NewBrand{Host: "other.example", Name: "Other"})
	if err != nil {
		t.Fatal(err)
	}
	agent2 := f.user(b2.ID, "agent2", "agent")
	asker, peer, agent, mod := f.bearerClient(f.asker), f.bearerClient(f.peer), f.bearerClient(f.agent), f.bearerClient(f.mod)
	foreign := f.bearerClient(agent2)
	foreign.host = "other.example"
	tid := itoa(f.thread.ID)
	f.run([]scenario{
		{name: "anonymous list", method: "GET", path: "/api/v1/escalations", status: 401},
		{name: "member list", method: "GET", path: "/api/v1/escalations", as: peer, status: 403},
		{name: "agent list", method: "GET", path: "/api/v1/escalations?state=open", as: agent, status: 200,
			contains: []string{`"items"`, `"thread_id":` + tid, `"state":"assigned"`}},
		{name: "moderator list", method: "GET", path: "/api/v1/escalations?state=assigned", as: mod, status: 200, contains: []string{`"thread_id":` + tid}},
		{name: "closed list is empty", method: "GET", path: "/api/v1/escalations?state=closed", as: agent, status: 200, contains: []string{`"items":[]`}},
		{name: "bad state", method: "GET", path: "/api/v1/escalations?state=nonsense", as: agent, status: 422, contains: []string{"state must be one of"}},
		{name: "bad cursor", method: "GET", path: "/api/v1/escalations?after=x", as: agent, status: 422},
		{name: "other brand's agent sees none", method: "GET", path: "/api/v1/escalations", as: foreign, status: 200, notContains: []string{`"thread_id":` + tid}},
		{name: "other brand's agent cannot claim", method: "POST", path: "/api/v1/escalations/" + id + "/claim", as: foreign, status: 404},
		{name: "member cannot claim", method: "POST", path: "/api/v1/escalations/" + id + "/claim", as: peer, status: 403},
		{name: "moderator cannot claim", method: "POST", path: "/api/v1/escalations/" + id + "/claim", as: mod, status: 403},
		{name: "claim missing", method: "POST", path: "/api/v1/escalations/999999/claim", as: agent, status: 404},
		{name: "close before reply", method: "POST", path: "/api/v1/escalations/" + id + "/close", as: agent, status: 409},
		{name: "agent claims", method: "POST", path: "/api/v1/escalations/" + id + "/claim", as: agent, status: 200, contains: []string{`"state":"claimed"`}},
		{name: "handover needs an agent", method: "POST", path: "/api/v1/escalations/" + id + "/handover", as: agent, json: map[string]any{"to": f.peer.actor.UserID, "note": "over to you"}, status: 422},
		{name: "handover bad json", method: "POST", path: "/api/v1/escalations/" + id + "/handover", as: agent, json: "{", status: 400},
		{name: "agent releases", method: "POST", path: "/api/v1/escalations/" + id + "/release", as: agent, json: map[string]any{"note": "need billing access"}, status: 200, contains: []string{`"state":"escalated"`}},
		{name: "release twice", method: "POST", path: "/api/v1/escalations/" + id + "/release", as: agent, status: 409},
		{name: "detail with history", method: "GET", path: "/api/v1/escalations/" + id, as: agent, status: 200, contains: []string{`"state":"released"`, `"state":"claimed"`}},
		{name: "stats for moderator", method: "GET", path: "/api/v1/escalations/stats", as: mod, status: 200, contains: []string{`"queue_depth":1`}},
		{name: "stats not for agent", method: "GET", path: "/api/v1/escalations/stats", as: agent, status: 403},
		{name: "escalate twice", method: "POST", path: "/api/v1/threads/" + tid + "/escalate", as: asker, json: map[string]any{"reason": "I really need help now"}, status: 409},
		{name: "console for agent", method: "GET", path: "/console", as: f.signedIn(f.agent), status: 200, contains: []string{"Agent console", "My SIM stopped working today", "Claim"}},
		{name: "console not for member", method: "GET", path: "/console", as: f.signedIn(f.peer), status: 403},
		{name: "console sends visitors to sign in", method: "GET", path: "/console", status: 303, location: "/login"},
		{name: "supervisor for moderator", method: "GET", path: "/escalations/supervisor", as: f.signedIn(f.mod), status: 200, contains: []string{"Queue depth", "agent1"}},
		{name: "supervisor not for agent", method: "GET", path: "/escalations/supervisor", as: f.signedIn(f.agent), status: 403},
		{name: "webhook log for moderator", method: "GET", path: "/escalations/webhooks", as: f.signedIn(f.mod), status: 200, contains: []string{"Webhook deliveries"}},
		{name: "detail page", method: "GET", path: "/escalations/" + id, as: f.signedIn(f.agent), status: 200, contains: []string{"History", "released"}},
	})
	f.noErrorLogs()
}

func TestManualEscalationThroughAPIAndThreadPage(t *testing.T) {
	f := newEscFixture(t)
	tid := itoa(f.thread.ID)
	f.run([]scenario{
		{name: "reason too short", method: "POST", path: "/api/v1/threads/" + tid + "/escalate", as: f.bearerClient(f.asker), json: map[string]any{"reason": "help"}, status: 422, contains: []string{"reason"}},
		{name: "not the asker", method: "POST", path: "/api/v1/threads/" + tid + "/escalate", as: f.bearerClient(f.peer), json: map[string]any{"reason": "this needs the operator"}, status: 403,
			contains: []string{"Escalating someone else's question unlocks at 500 reputation; you have 0."}},
		{name: "staff earn no reputation", method: "POST", path: "/api/v1/threads/" + tid + "/escalate", as: f.bearerClient(f.agent), json: map[string]any{"reason": "this needs the operator"}, status: 403,
			contains: []string{"Only the person who asked, or a trusted member, can escalate this thread."}},
		{name: "missing thread", method: "POST", path: "/api/v1/threads/999999/escalate", as: f.bearerClient(f.asker), json: map[string]any{"reason": "this needs the operator"}, status: 404},
		{name: "anonymous", method: "POST", path: "/api/v1/threads/" + tid + "/escalate", json: map[string]any{"reason": "this needs the operator"}, status: 401},
	})
	// The asker sees the button on their own thread and presses it.
	b := f.signedIn(f.asker)
	page := b.get("/t/" + tid)
	if page.code == http.StatusMovedPermanently {
		page = b.get(page.header.Get("Location"))
	}
	if !strings.Contains(page.body, "I still need help: ask the support team now") {
		t.Fatalf("thread page lacks the escalate form:\n%s", clip(page.body))
	}
	r := b.post("/t/"+tid+"/escalate", url.Values{"reason": {"The shop could not fix it either"}})
	if r.code != http.StatusSeeOther {
		t.Fatalf("escalate form: %d %s", r.code, clip(r.body))
	}
	page = b.get(r.header.Get("Location"))
	if !strings.Contains(page.body, "Support team asked to help") && !strings.Contains(page.body, "Support team") {
		t.Fatalf("thread page does not show the escalation:\n%s", clip(page.body))
	}
	// Other members see no button.
	peerPage := f.signedIn(f.peer).get(r.header.Get("Location"))
	if strings.Contains(peerPage.body, "Escalate to the support team") {
		t.Error("an ordinary member sees the escalate form on someone else's thread")
	}
	f.noErrorLogs()
}

func TestAgentConsoleClaimAndAnswerThroughPages(t *testing.T) {
	f := newEscFixture(t)
	f.clock.Add(16 * time.Minute)
	f.runDetector()
	id := itoa(f.escID())
	ab := f.signedIn(f.agent)
	ab.get("/console")
	r := ab.post("/escalations/"+id+"/claim", nil)
	if r.code != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/console") {
		t.Fatalf("claim: %d %s", r.code, clip(r.body))
	}
	con := ab.get(r.header.Get("Location"))
	if !strings.Contains(con.body, "Claimed.") || !strings.Contains(con.body, "Reply in the thread") {
		t.Fatalf("console after claim:\n%s", clip(con.body))
	}
	// The agent answers in the thread: marked staff, escalation answered.
	rep := f.bearerClient(f.agent).api("POST", "/api/v1/threads/"+itoa(f.thread.ID)+"/posts", map[string]any{"body": "We re-provisioned your SIM; restart the phone."})
	if rep.code != http.StatusCreated {
		t.Fatalf("agent reply: %d %s", rep.code, rep.body)
	}
	x, _, _ := f.app.Escalations().ForThread(context.Background(), f.brand.ID, f.thread.ID)
	if x.Status != escalation.StatusAnswered {
		t.Fatalf("after the agent's reply: %s", x.Status)
	}
	var staff int
	if err := f.app.DB().QueryRow(context.Background(), `SELECT is_staff FROM posts WHERE id = ?`, int64(rep.json(t)["id"].(float64))).Scan(&staff); err != nil || staff != 1 {
		t.Fatalf("agent reply is_staff = %d (%v), want 1", staff, err)
	}
	// Closing from the console resolves it as the agent's.
	ab.get("/console")
	if r := ab.post("/escalations/"+id+"/close", nil); r.code != http.StatusSeeOther {
		t.Fatalf("close: %d %s", r.code, clip(r.body))
	}
	x, _, _ = f.app.Escalations().ForThread(context.Background(), f.brand.ID, f.thread.ID)
	if x.Status != escalation.StatusResolved || x.Resolution != escalation.ResAgent {
		t.Fatalf("after close: %s/%s", x.Status, x.Resolution)
	}
	// A bad action on the console is a clear error, not a crash.
	ab.get("/console")
	if r := ab.post("/escalations/"+id+"/claim", nil); r.code != http.StatusConflict || !strings.Contains(r.body, "no longer be claimed") {
		t.Fatalf("claim of a resolved escalation: %d %s", r.code, clip(r.body))
	}
	f.noErrorLogs()
}

func TestEscalationWebhookSignedRetriedAndLogged(t *testing.T) {
	var mu sync.Mutex
	var got []map[string]any
	fail := true
	const secret = "s3cret-key"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		m := hmac.New(sha256.New, []byte(secret))
		m.Write(body)
		if r.Header.Get("X-Mutual-Signature") != "sha256="+hex.EncodeToString(m.Sum(nil)) {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		if fail {
			http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
			return
		}
		var v map[string]any
		_ = json.Unmarshal(body, &v)
		got = append(got, v)
	}))
	defer srv.Close()
	f := newEscFixture(t)
	u, s := srv.URL, secret
	if _, err := f.app.Escalations().UpdateSettings(context.Background(), f.brand.ID, escalation.Update{WebhookURL: &u, WebhookSecret: &s}); err != nil {
		t.Fatal(err)
	}
	f.clock.Add(16 * time.Minute)
	f.runDetector() // escalated + assigned
	if n := f.app.RunEscalationWebhooks(context.Background()); n != 2 {
		t.Fatalf("attempted %d deliveries, want 2", n)
	}
	// Failed: nothing due again until the backoff passes.
	if n := f.app.RunEscalationWebhooks(context.Background()); n != 0 {
		t.Fatalf("retried %d at once, want 0 before the backoff", n)
	}
	mu.Lock()
	fail = false
	mu.Unlock()
	f.clock.Add(escalation.Backoff(1))
	if n := f.app.RunEscalationWebhooks(context.Background()); n != 2 {
		t.Fatalf("retried %d after the backoff, want 2", n)
	}
	mu.Lock()
	if len(got) != 2 || got[0]["event"] != "escalated" || got[1]["event"] != "assigned" {
		t.Fatalf("receiver got %v", got)
	}
	esc := got[0]["escalation"].(map[string]any)
	if int64(esc["thread_id"].(float64)) != f.thread.ID {
		t.Errorf("payload thread_id = %v", esc["thread_id"])
	}
	mu.Unlock()
	page := f.signedIn(f.mod).get("/escalations/webhooks")
	if !strings.Contains(page.body, "delivered (200)") {
		t.Fatalf("delivery log:\n%s", clip(page.body))
	}
	if got := escalation.Backoff(3); got != 4*escalation.BackoffBase {
		t.Errorf("Backoff(3) = %s, want %s", got, 4*escalation.BackoffBase)
	}
	if got := escalation.Backoff(40); got != escalation.BackoffMax {
		t.Errorf("Backoff(40) = %s, want the cap", got)
	}
}

func TestMetricsStayOffThePublicInternet(t *testing.T) {
	f := newEscFixture(t)
	f.clock.Add(16 * time.Minute)
	f.runDetector()
	get := func(remote string, hdr ...string) *response {
		b := f.browser()
		b.remote = remote
		req := httptest.NewRequest("GET", "/metrics", nil)
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		return b.do(req)
	}
	if r := get("192.0.2.10:5000"); r.code != http.StatusForbidden {
		t.Fatalf("remote caller got %d", r.code)
	}
	if r := get("127.0.0.1:5000", "X-Forwarded-For", "203.0.113.9"); r.code != http.StatusForbidden {
		t.Fatalf("proxied caller got %d", r.code)
	}
	r := get("127.0.0.1:5000")
	if r.code != http.StatusOK {
		t.Fatalf("loopback got %d", r.code)
	}
	for _, want := range []string{`mutual_escalation_queue_depth{brand="localhost"} 1`, `mutual_escalations{brand="localhost",state="assigned"} 1`,
		`mutual_escalation_agent_load{agent="agent1",brand="localhost",on_shift="true"} 1`, "mutual_http_request_duration_seconds_bucket",
		"mutual_escalation_detector_tick_seconds_count 1", "mutual_escalation_sla_breaches"} {
		if !strings.Contains(r.body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	tok := newSite(t, func(c *app.Config) { c.MetricsToken = "t0ken" })
	b := tok.browser()
	b.remote = "127.0.0.1:1"
	if r := b.get("/metrics"); r.code != http.StatusUnauthorized {
		t.Fatalf("no token: %d", r.code)
	}
	req := httptest.NewRequest("GET", "/metrics", nil)
	req.Header.Set("Authorization", "Bearer t0ken")
	b.remote = "198.51.100.7:1"
	if r := b.do(req); r.code != http.StatusOK {
		t.Fatalf("with token: %d", r.code)
	}
}

// An agent alone on a brand is told why nobody is offered to hand over to,
// and how to change that; agents off shift are offered apart from those on
// shift, with what handing to them means.
func TestHandoverSaysWhyNobodyIsOffered(t *testing.T) {
	f := newEscFixture(t)
	f.clock.Add(16 * time.Minute)
	f.runDetector()
	id := itoa(f.escID())
	ab := f.signedIn(f.agent)
	con := ab.get("/console")
	if !strings.Contains(con.body, "There is nobody to hand this to:</strong> no other agent is on shift for this brand, or off it.") ||
		!strings.Contains(con.body, "mutual agent add --username NAME --brand localhost --on-shift") || strings.Contains(con.body, `<select id="to-`+id) {
		t.Errorf("console of the only agent:\n%s", clip(con.body[strings.Index(con.body, `id="esc-mine"`):]))
	}
	r := f.bearerClient(f.agent).api("POST", "/api/v1/escalations/"+id+"/handover", map[string]any{"note": "over to you"})
	if r.code != http.StatusUnprocessableEntity || !strings.Contains(r.body, "nobody to hand this to") {
		t.Errorf("hand over with nobody to take it: %d %s", r.code, r.body)
	}

	off := f.user(f.brand.ID, "agent_off", "agent")
	if _, err := f.app.Escalations().AddAgent(context.Background(), escalation.NewAgent{BrandID: f.brand.ID, UserID: off.actor.UserID, Person: "off@example.com"}); err != nil {
		t.Fatal(err)
	}
	con = ab.get("/console")
	for _, want := range []string{"No other agent is on shift for this brand. You can still hand it to an agent off shift",
		`<optgroup label="Off shift: sees it on their next shift"><option value="` + itoa(off.actor.UserID) + `">agent_off (off shift)</option></optgroup>`} {
		if !strings.Contains(con.body, want) {
			t.Errorf("console with an agent off shift lacks %q", want)
		}
	}
	if strings.Contains(con.body, "There is nobody to hand this to") || strings.Contains(con.body, `label="On shift"`) {
		t.Error("console with an agent off shift still says nobody, or offers an empty on-shift group")
	}

	on := f.user(f.brand.ID, "agent_on", "agent")
	if _, err := f.app.Escalations().AddAgent(context.Background(), escalation.NewAgent{BrandID: f.brand.ID, UserID: on.actor.UserID, Person: "on@example.com", OnShift: true}); err != nil {
		t.Fatal(err)
	}
	con = ab.get("/console")
	if !strings.Contains(con.body, `<optgroup label="On shift"><option value="`+itoa(on.actor.UserID)+`">agent_on (0 open)</option></optgroup>`) ||
		strings.Contains(con.body, "No other agent is on shift") {
		t.Errorf("console with an agent on shift:\n%s", clip(con.body[strings.Index(con.body, `id="esc-mine"`):]))
	}
	if r := ab.post("/escalations/"+id+"/handover", url.Values{"to": {itoa(off.actor.UserID)}, "note": {"Back tomorrow: yours"}}); r.code != http.StatusSeeOther {
		t.Fatalf("hand over to the agent off shift: %d %s", r.code, clip(r.body))
	}
	if x, _, _ := f.app.Escalations().ForThread(context.Background(), f.brand.ID, f.thread.ID); x.AssignedTo != off.actor.UserID {
		t.Errorf("handed over to %d, want %d", x.AssignedTo, off.actor.UserID)
	}
	f.noErrorLogs()
}
