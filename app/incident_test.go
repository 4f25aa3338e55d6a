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

	"mutual/escalation"
	"mutual/forum"
	"mutual/incident"
)

// incFixture is a site with members asking about one outage, an agent on
// shift, a moderator, and a webhook receiver on loopback.
type incFixture struct {
	*site
	agent, mod member
	askers     []member
	threads    []int64
	hooks      *hookReceiver
}

type hookReceiver struct {
	mu     sync.Mutex
	events []string
	bodies []map[string]any
	badSig int
}

func newIncFixture(t *testing.T) *incFixture {
	t.Helper()
	s := newSite(t)
	f := &incFixture{site: s, agent: s.user(s.brand.ID, "agent1", "agent"), mod: s.user(s.brand.ID, "mod1", "moderator"), hooks: &hookReceiver{}}
	if _, err := s.app.Escalations().AddAgent(context.Background(), escalation.NewAgent{BrandID: s.brand.ID, UserID: f.agent.actor.UserID,
		Person: "agent1@example.com", OnShift: true}); err != nil {
		t.Fatal(err)
	}
	const secret = "incident-secret"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		m := hmac.New(sha256.New, []byte(secret))
		m.Write(body)
		var v map[string]any
		_ = json.Unmarshal(body, &v)
		f.hooks.mu.Lock()
		if r.Header.Get("X-Mutual-Signature") != "sha256="+hex.EncodeToString(m.Sum(nil)) {
			f.hooks.badSig++
		}
		f.hooks.events = append(f.hooks.events, r.Header.Get("X-Mutual-Event"))
		f.hooks.bodies = append(f.hooks.bodies, v)
		f.hooks.mu.Unlock()
	}))
	t.Cleanup(srv.Close)
	u, sec := srv.URL, secret
	if _, err := s.app.Escalations().UpdateSettings(context.Background(), s.brand.ID, escalation.Update{WebhookURL: &u, WebhookSecret: &sec}); err != nil {
		t.Fatal(err)
	}
	return f
}

// ask posts n questions about the outage, each by a different member.
func (f *incFixture) ask(n int) []int64 {
	f.t.Helper()
	var ids []int64
	for i := 0; i < n; i++ {
		m := f.user(f.brand.ID, "asker"+itoa(int64(len(f.askers))))
		f.askers = append(f.askers, m)
		r := f.bearerClient(m).api("POST", "/api/v1/threads", map[string]any{"board_id": f.board.ID,
			"title": "No 4G signal in Leeds since nine " + itoa(int64(len(f.askers))), "body": "My phone shows no data at all since this morning."})
		if r.code != http.StatusCreated {
			f.t.Fatalf("ask: %d %s", r.code, r.body)
		}
		ids = append(ids, int64(r.json(f.t)["id"].(float64)))
	}
	f.threads = append(f.threads, ids...)
	return ids
}

func (f *incFixture) raise(ids []int64) int64 {
	f.t.Helper()
	id, _, err := f.app.Incidents().Raise(context.Background(), incident.Raised{BrandID: f.brand.ID, GroupKey: "g-leeds-4g",
		Label: "No 4G in Leeds", Terms: []string{"4g", "leeds"}, Places: []string{"Leeds"}, BoardIDs: []int64{f.board.ID},
		ThreadIDs: ids, StartedAt: f.clock.Now().Add(-20 * time.Minute), DetectedAt: f.clock.Now(), Score: 7.5})
	if err != nil {
		f.t.Fatal(err)
	}
	return id
}

func (f *incFixture) detect() {
	f.t.Helper()
	if _, err := f.app.RunEscalations(context.Background()); err != nil {
		f.t.Fatal(err)
	}
}

// escalationState is a thread's escalation status, or "" when it has none.
func (f *incFixture) escalationState(threadID int64) string {
	f.t.Helper()
	x, ok, err := f.app.Escalations().ForThread(context.Background(), f.brand.ID, threadID)
	if err != nil {
		f.t.Fatal(err)
	}
	if !ok {
		return ""
	}
	return x.Status
}

func (f *incFixture) stats() map[string]any {
	f.t.Helper()
	r := f.bearerClient(f.mod).api("GET", "/api/v1/escalations/stats", nil)
	if r.code != 200 {
		f.t.Fatalf("stats: %d %s", r.code, r.body)
	}
	return r.json(f.t)["incidents"].(map[string]any)
}

// An incident raised over a burst pulls its threads' escalations out of
// the queue, pauses the others' peer SLAs, shows on the console and the
// supervisor page, is told to the webhook, and counts an SLA breach when no
// agent acknowledges it within 15 minutes.
func TestIncidentHoldsItsThreadsAndBreachesAfterFifteenMinutes(t *testing.T) {
	f := newIncFixture(t)
	early := f.ask(2)
	f.clock.Add(16 * time.Minute)
	f.detect()
	for _, id := range early {
		if st := f.escalationState(id); st != escalation.StatusAssigned && st != escalation.StatusEscalated {
			t.Fatalf("thread %d before the incident: %q, want it escalated", id, st)
		}
	}
	late := f.ask(3)
	id := f.raise(append(append([]int64{}, early...), late...))

	for _, tid := range early {
		if st := f.escalationState(tid); st != escalation.StatusHeld {
			t.Errorf("thread %d: escalation %q, want held by the incident", tid, st)
		}
	}
	console := f.signedIn(f.agent).get("/console")
	if console.code != 200 || !strings.Contains(console.body, `id="incident-banner"`) || !strings.Contains(console.body, "No 4G in Leeds") {
		t.Fatalf("console does not show the incident: %d", console.code)
	}
	for _, tid := range early {
		if strings.Contains(console.body, `data-thread-id="`+itoa(tid)+`"`) {
			t.Errorf("thread %d is still in the console's queue", tid)
		}
	}

	// 14 minutes: within the SLA. 16: breached, and the new threads still
	// wait for no one (their peer SLA is paused).
	f.clock.Add(14 * time.Minute)
	if got := f.stats(); got["sla_breaches"].(float64) != 0 || got["unacknowledged"].(float64) != 1 {
		t.Fatalf("at 14 minutes: %v", got)
	}
	f.clock.Add(2 * time.Minute)
	f.detect()
	for _, tid := range late {
		if st := f.escalationState(tid); st != "" {
			t.Errorf("paused thread %d escalated: %q", tid, st)
		}
	}
	if got := f.stats(); got["sla_breaches"].(float64) != 1 || got["breaching_now"].(float64) != 1 {
		t.Fatalf("at 16 minutes: %v, want one breach", got)
	}
	sup := f.signedIn(f.mod).get("/escalations/supervisor")
	if !strings.Contains(sup.body, `id="incident-breaches">1<`) || !strings.Contains(sup.body, `id="incident-banner"`) {
		t.Errorf("supervisor page misses the incident or its breach")
	}

	r := f.bearerClient(f.agent).api("POST", "/api/v1/incidents/"+itoa(id)+"/acknowledge", nil)
	if r.code != 200 || !strings.Contains(r.body, `"state":"acknowledged"`) || !strings.Contains(r.body, `"breached":true`) {
		t.Fatalf("acknowledge: %d %s", r.code, r.body)
	}
	if got := f.stats(); got["sla_breaches"].(float64) != 1 || got["breaching_now"].(float64) != 0 {
		t.Errorf("after a late acknowledgement: %v, want the breach still counted", got)
	}

	if n := f.app.RunEscalationWebhooks(context.Background()); n < 2 {
		t.Fatalf("delivered %d webhooks", n)
	}
	f.hooks.mu.Lock()
	defer f.hooks.mu.Unlock()
	var seen []string
	for i, ev := range f.hooks.events {
		if strings.HasPrefix(ev, "incident.") {
			seen = append(seen, ev)
			inc := f.hooks.bodies[i]["incident"].(map[string]any)
			if inc["label"] != "No 4G in Leeds" || len(inc["thread_ids"].([]any)) != 5 {
				t.Errorf("%s payload: %v", ev, inc)
			}
		}
	}
	if strings.Join(seen, ",") != "incident.raised,incident.acknowledged" || f.hooks.badSig != 0 {
		t.Errorf("incident webhooks %v (bad signatures %d)", seen, f.hooks.badSig)
	}
}

// The SLA is the brand's: five minutes here.
func TestIncidentAcknowledgementSLAIsTheBrands(t *testing.T) {
	f := newIncFixture(t)
	admin := f.user(f.brand.ID, "boss", "admin")
	b := f.signedIn(admin)
	b.get("/incidents/settings")
	if r := b.post("/incidents/settings", url.Values{"ack_minutes": {"5"}, "contacts": {"nobody"}}); r.code != 422 || !strings.Contains(r.body, "nobody is not an agent") {
		t.Fatalf("unknown contact: %d", r.code)
	}
	if r := b.post("/incidents/settings", url.Values{"ack_minutes": {"0"}, "contacts": {""}}); r.code != 422 {
		t.Fatalf("0 minutes: %d", r.code)
	}
	if r := b.post("/incidents/settings", url.Values{"ack_minutes": {"5"}, "contacts": {"agent1"}}); r.code != 303 {
		t.Fatalf("save: %d %s", r.code, r.body)
	}
	f.raise(f.ask(2))
	f.clock.Add(6 * time.Minute)
	if got := f.stats(); got["sla_breaches"].(float64) != 1 || got["ack_sla_seconds"].(float64) != 300 {
		t.Errorf("after 6 of 5 minutes: %v", got)
	}
	// The deflection report counts it with the agents' SLAs.
	r := f.bearerClient(admin).api("GET", "/api/v1/reports/deflection", nil)
	if r.code != 200 || !strings.Contains(r.body, `"incident_ack_sla":{"within":0,"due":1,"percent":0}`) {
		t.Errorf("report: %d %s", r.code, clip(r.body))
	}
	if page := b.get("/reports/deflection"); !strings.Contains(page.body, "Incidents acknowledged in time") {
		t.Errorf("the report page does not show the incidents' SLA")
	}
}

// From the incident page an agent posts the pinned known-issue thread and
// replies once in every thread of the group; threads that join later get
// the same reply; closing gives the threads back to the peers, with the
// paused time not counted against them.
func TestIncidentPageStatusThreadRepliesOnceAndClose(t *testing.T) {
	f := newIncFixture(t)
	held := f.ask(1)
	f.clock.Add(16 * time.Minute)
	f.detect()
	ids := append(held, f.ask(2)...)
	id := f.raise(ids)
	page := "/incidents/" + itoa(id)
	b := f.signedIn(f.agent)
	b.get(page)

	if r := b.post(page+"/reply-all", url.Values{}); r.code != 409 || !strings.Contains(r.body, "Post the known-issue thread first") {
		t.Fatalf("reply before the status thread: %d", r.code)
	}
	if r := b.post(page+"/status", url.Values{"board_id": {itoa(f.board.ID)}, "title": {"x"}, "body": {"We know."}}); r.code != 422 ||
		!strings.Contains(r.body, `value="x"`) {
		t.Fatalf("short title: %d, want the form again with what was typed", r.code)
	}
	r := b.post(page+"/status", url.Values{"board_id": {itoa(f.board.ID)}, "title": {"Known issue: no 4G in Leeds"},
		"body": {"A mast is down near Leeds. Engineers are on site; we post updates here."}})
	if r.code != 303 {
		t.Fatalf("post status: %d %s", r.code, r.body)
	}
	x, err := f.app.Incidents().Get(context.Background(), f.brand.ID, id)
	if err != nil || x.StatusThreadID == 0 || x.Status != incident.StatusAcknowledged {
		t.Fatalf("after posting: %+v %v", x, err)
	}
	board := f.browser().get("/b/" + itoa(f.board.ID) + "/" + f.board.Slug)
	if i := strings.Index(board.body, "Known issue: no 4G in Leeds"); i < 0 || i > strings.Index(board.body, "No 4G signal in Leeds since nine") {
		t.Errorf("the status thread is not pinned first on the board")
	}

	for range 2 { // pressing twice replies once
		if r := b.post(page+"/reply-all", url.Values{"note": {"Sorry about this."}}); r.code != 303 {
			t.Fatalf("reply all: %d %s", r.code, r.body)
		}
	}
	more := f.ask(1)
	f.raise(more) // the radar finds one more thread of the same group
	for _, tid := range append(ids, more...) {
		staff := f.staffReplies(tid)
		if len(staff) != 1 || !strings.Contains(staff[0], "/t/"+itoa(x.StatusThreadID)+"/") {
			t.Errorf("thread %d staff replies %q, want one linking to the status thread", tid, staff)
		}
	}
	if st := f.escalationState(held[0]); st != escalation.StatusHeld {
		t.Errorf("the agent's reply took the held escalation back: %q", st)
	}

	// Closing as "resumed": escalations return to the queue; the others'
	// SLAs run again, not counting the pause.
	f.clock.Add(30 * time.Minute)
	if r := b.post(page+"/close", url.Values{"outcome": {"resumed"}, "note": {"mast fixed"}}); r.code != 303 {
		t.Fatalf("close: %d %s", r.code, r.body)
	}
	if st := f.escalationState(held[0]); st != escalation.StatusAssigned && st != escalation.StatusEscalated {
		t.Errorf("held escalation after resuming: %q", st)
	}
	f.detect()
	if st := f.escalationState(ids[1]); st != "" {
		t.Errorf("thread %d escalated at once although its pause is not counted: %q", ids[1], st)
	}
	if th, _ := f.svc.Thread(context.Background(), f.brand.ID, x.StatusThreadID); th.Pinned {
		t.Errorf("the status thread is still pinned after closing")
	}
	audit := f.signedIn(f.mod).get("/mod/audit")
	for _, act := range []string{"incident_raised", "incident_acknowledged", "incident_status_posted", "incident_replied", "incident_closed"} {
		if !strings.Contains(audit.body, act) {
			t.Errorf("audit log lacks %s", act)
		}
	}
	if r := b.post(page+"/acknowledge", url.Values{}); r.code != 409 {
		t.Errorf("acknowledging a closed incident: %d", r.code)
	}
}

// staffReplies are the bodies of a thread's staff replies.
func (f *incFixture) staffReplies(threadID int64) []string {
	f.t.Helper()
	var out []string
	rows, err := f.app.DB().Query(context.Background(), `SELECT body_md FROM posts WHERE thread_id = ? AND is_staff = 1 AND is_question = 0`, threadID)
	if err != nil {
		f.t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			f.t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

// Only the brand's agents, moderators and administrators see incidents;
// another brand's staff find nothing.
func TestIncidentAccess(t *testing.T) {
	f := newIncFixture(t)
	id := itoa(f.raise(f.ask(1)))
	b2, err := f.brands.Create(context.Background(), forum.NewBrand{Host: "other.example", Name: "Other"})
	if err != nil {
		t.Fatal(err)
	}
	other := f.bearerClient(f.user(b2.ID, "agent2", "agent"))
	other.host = "other.example"
	if r := other.api("GET", "/api/v1/incidents/"+id, nil); r.code != 404 {
		t.Errorf("other brand's agent reads the incident: %d", r.code)
	}
	if r := other.api("GET", "/api/v1/incidents", nil); r.code != 200 || strings.Contains(r.body, "Leeds") {
		t.Errorf("other brand's list: %d %s", r.code, r.body)
	}
	if r := other.api("POST", "/api/v1/incidents/"+id+"/acknowledge", nil); r.code != 404 {
		t.Errorf("other brand's agent acknowledges: %d", r.code)
	}
	if r := f.bearerClient(f.askers[0]).api("GET", "/api/v1/incidents", nil); r.code != 403 {
		t.Errorf("a member lists incidents: %d", r.code)
	}
	cm := f.bearerClient(f.user(f.brand.ID, "cmanager", "client_manager"))
	if r := cm.api("GET", "/api/v1/incidents/"+id, nil); r.code != 403 {
		t.Errorf("a client manager reads an incident: %d", r.code)
	}
	r := f.bearerClient(f.mod).api("GET", "/api/v1/incidents/"+id, nil)
	if r.code != 200 || !strings.Contains(r.body, `"state":"open"`) {
		t.Errorf("moderator: %d %s", r.code, r.body)
	}
	if r := f.bearerClient(f.mod).api("POST", "/api/v1/incidents/"+id+"/close", map[string]any{"outcome": "later"}); r.code != 422 {
		t.Errorf("close with a wrong outcome: %d %s", r.code, r.body)
	}
	if r := f.bearerClient(f.mod).api("POST", "/api/v1/incidents/"+id+"/close", map[string]any{"outcome": "resolved"}); r.code != 200 ||
		!strings.Contains(r.body, `"outcome":"resolved"`) {
		t.Errorf("close: %d %s", r.code, r.body)
	}
}

// An agent raises an incident by hand over the questions they tick.
func TestIncidentRaisedByHand(t *testing.T) {
	f := newIncFixture(t)
	ids := f.ask(2)
	b := f.signedIn(f.agent)
	list := b.get("/incidents")
	if !strings.Contains(list.body, `name="thread" value="`+itoa(ids[0])+`"`) {
		t.Fatalf("the raise form does not offer the questions")
	}
	if r := b.post("/incidents", url.Values{"label": {"Leeds 4G"}}); r.code != 422 || !strings.Contains(r.body, "Pick at least one question") {
		t.Fatalf("raise without threads: %d", r.code)
	}
	r := b.post("/incidents", url.Values{"label": {"Leeds 4G"}, "thread": {itoa(ids[0])}, "more": {"http://localhost/t/" + itoa(ids[1]) + "/no-4g, 999999"}})
	if r.code != 303 || !strings.HasPrefix(r.header.Get("Location"), "/incidents/") {
		t.Fatalf("raise: %d %s", r.code, r.body)
	}
	page := b.get(r.header.Get("Location"))
	if page.code != 200 || !strings.Contains(page.body, "Leeds 4G") || strings.Count(page.body, `<tr data-thread-id=`) != 2 {
		t.Errorf("incident page: %d", page.code)
	}
}

// A brand's incident contacts get a mail when an incident is raised, even
// one who chose the daily digest.
func TestIncidentMailsTheContacts(t *testing.T) {
	mx := newNotifySMTP(t)
	s := newSite(t, mx.withSMTP)
	agent, admin := s.user(s.brand.ID, "agent1", "agent"), s.user(s.brand.ID, "boss", "admin")
	s.notifyVerify(agent)
	if _, err := s.app.DB().Exec(context.Background(), `INSERT INTO notify_prefs (brand_id, user_id, email_mode, updated_at) VALUES (?, ?, 'daily', 1)`,
		s.brand.ID, agent.actor.UserID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.app.Incidents().UpdateSettings(context.Background(), admin.actor, 15*time.Minute, "agent1"); err != nil {
		t.Fatal(err)
	}
	asker := s.user(s.brand.ID, "asker")
	r := s.bearerClient(asker).api("POST", "/api/v1/threads", map[string]any{"board_id": s.board.ID,
		"title": "No 4G signal in Leeds since nine", "body": "My phone shows no data at all since this morning."})
	tid := int64(r.json(t)["id"].(float64))
	id, created, err := s.app.Incidents().Raise(context.Background(), incident.Raised{BrandID: s.brand.ID, GroupKey: "g1", Label: "No 4G in Leeds", ThreadIDs: []int64{tid}})
	if err != nil || !created {
		t.Fatal(created, err)
	}
	if run := s.notifyRun(); run.Sent != 1 {
		t.Fatalf("run = %+v, want the incident mail sent", run)
	}
	got := mx.received()
	if len(got) != 1 || got[0].To[0] != "agent1@example.com" || !strings.Contains(got[0].Msg.Header.Get("Subject"), "Incident: No 4G in Leeds") ||
		!strings.Contains(got[0].Body, "/incidents/"+itoa(id)) {
		t.Fatalf("mail: %+v", got)
	}
}

// An escalation held by an incident waits for the incident, not for an
// agent: past its agent SLA it is no breach, in the stats or the report.
func TestIncidentHeldEscalationsAreNotAgentBreaches(t *testing.T) {
	f := newIncFixture(t)
	ids := f.ask(1)
	f.clock.Add(16 * time.Minute)
	f.detect()
	f.raise(ids)
	f.clock.Add(2 * time.Hour)
	r := f.bearerClient(f.mod).api("GET", "/api/v1/escalations/stats", nil)
	if v := r.json(t); v["sla_breaches"].(float64) != 0 {
		t.Errorf("escalation breaches %v, want none while held", v["sla_breaches"])
	}
	admin := f.user(f.brand.ID, "boss", "admin")
	rep := f.bearerClient(admin).api("GET", "/api/v1/reports/deflection", nil).json(t)
	totals := rep["report"].(map[string]any)["totals"].(map[string]any)
	if totals["escalated"].(float64) != 1 || totals["agent_answer_sla"].(map[string]any)["due"].(float64) != 0 {
		t.Errorf("report totals: escalated %v, agent SLA %v; want the held escalation not due", totals["escalated"], totals["agent_answer_sla"])
	}
}
