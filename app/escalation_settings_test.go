package app_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"mutual/escalation"
)

// The peer and agent SLAs are one setting each, kept by the escalation
// settings: changed on the report settings page, the agent console, the
// supervisor page, the stats API, the report API and the escalation
// service (what `mutual brand update` prints) all say the new value; changed
// through the service (what `mutual brand update` calls), the report
// settings page shows it.
func TestSLAsAreOneSetting(t *testing.T) {
	f := newEscFixture(t)
	ctx := context.Background()
	admin := f.user(f.brand.ID, "boss", "admin")
	ab := f.signedIn(admin)

	// Out of the box every place says the defaults: 15 minutes and 1 hour.
	f.sees(ab, "15", "1", "15m", "1h")

	ab.get("/reports/deflection/settings")
	r := ab.post("/reports/deflection/settings", url.Values{"cost": {"6"}, "currency": {"EUR"}, "rate": {"10"}, "min_answers": {"30"},
		"escalation_sla": {"20"}, "agent_sla": {"2.5"}})
	if r.code != http.StatusSeeOther {
		t.Fatalf("save settings: %d %s", r.code, clip(r.body))
	}
	f.sees(ab, "20", "2.5", "20m", "2h30m")
	st, err := f.app.Escalations().BrandSettings(ctx, f.brand.ID)
	if err != nil || st.PeerSLA != 20*time.Minute || st.AgentSLA != 150*time.Minute {
		t.Errorf("escalation settings after the report page: %s, %s (%v)", st.PeerSLA, st.AgentSLA, err)
	}

	two := 2 * time.Hour
	if _, err := f.app.Escalations().UpdateSettings(ctx, f.brand.ID, escalation.Update{AgentSLA: &two}); err != nil {
		t.Fatal(err)
	}
	f.sees(ab, "20", "2", "20m", "2h")

	// Out of bounds, the page says so, keeps what was typed and changes nothing.
	ab.get("/reports/deflection/settings")
	r = ab.post("/reports/deflection/settings", url.Values{"cost": {"6"}, "currency": {"EUR"}, "rate": {"10"}, "min_answers": {"30"},
		"escalation_sla": {"0.5"}, "agent_sla": {"soon"}})
	if r.code != http.StatusUnprocessableEntity || !strings.Contains(r.body, "in hours, e.g. 1") || !strings.Contains(r.body, `value="soon"`) {
		t.Errorf("bad SLAs: %d %s", r.code, clip(r.body))
	}
	r = ab.post("/reports/deflection/settings", url.Values{"cost": {"6"}, "currency": {"EUR"}, "rate": {"10"}, "min_answers": {"30"},
		"escalation_sla": {"0.5"}, "agent_sla": {"2"}})
	if r.code != http.StatusUnprocessableEntity || !strings.Contains(r.body, "between 1 minute and 90 days") || !strings.Contains(r.body, `value="0.5"`) {
		t.Errorf("a 30-second SLA: %d %s", r.code, clip(r.body))
	}
	f.sees(ab, "20", "2", "20m", "2h")
	f.noErrorLogs()
}

// sees checks that every place showing the SLAs shows these: the report
// settings form (minutes and hours), the console and the supervisor page,
// the stats API and the report's JSON.
func (f *escFixture) sees(ab *browser, formPeer, formAgent, peer, agent string) {
	f.t.Helper()
	set := ab.get("/reports/deflection/settings")
	if !strings.Contains(set.body, `name="escalation_sla" inputmode="decimal" required value="`+formPeer+`"`) ||
		!strings.Contains(set.body, `name="agent_sla" inputmode="decimal" required value="`+formAgent+`"`) {
		f.t.Errorf("report settings do not show %s min and %s h:\n%s", formPeer, formAgent, clip(set.body[max(0, strings.Index(set.body, `action="/reports/deflection/settings"`)):]))
	}
	line := "escalates after <strong>" + peer + "</strong> without a peer reply; agents answer within <strong>" + agent + "</strong>"
	if con := f.signedIn(f.agent).get("/console"); !strings.Contains(con.body, line) {
		f.t.Errorf("the console does not say %s and %s", peer, agent)
	}
	if sup := ab.get("/escalations/supervisor"); !strings.Contains(sup.body, "Peer SLA <strong>"+peer+"</strong> · agent SLA <strong>"+agent+"</strong>") {
		f.t.Errorf("the supervisor page does not say %s and %s", peer, agent)
	}
	want := func(d string) float64 {
		v, err := time.ParseDuration(d)
		if err != nil {
			f.t.Fatal(err)
		}
		return v.Seconds()
	}
	stats := f.bearerClient(f.mod).api("GET", "/api/v1/escalations/stats", nil).json(f.t)
	if stats["peer_sla_seconds"] != want(peer) || stats["agent_sla_seconds"] != want(agent) {
		f.t.Errorf("stats API: peer %v, agent %v; want %s and %s", stats["peer_sla_seconds"], stats["agent_sla_seconds"], peer, agent)
	}
	rep := ab.api("GET", "/api/v1/reports/deflection", nil).json(f.t)["report"].(map[string]any)
	if rep["escalation_sla_seconds"] != want(peer) || rep["agent_sla_seconds"] != want(agent) {
		f.t.Errorf("report API: peer %v, agent %v; want %s and %s", rep["escalation_sla_seconds"], rep["agent_sla_seconds"], peer, agent)
	}
}
