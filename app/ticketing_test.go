package app_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"mutual/app"
	"mutual/escalation"
	"mutual/sqldb"
	"mutual/sqldb/sqldbtest"
)

// ticketingFixture is an escalated thread on a site served on loopback,
// with the callback secret set by the administrator through the page.
type ticketingFixture struct {
	*escFixture
	srv    *httptest.Server
	secret string
	escID  int64
}

func newTicketingFixture(t *testing.T, opts ...func(*app.Config)) *ticketingFixture {
	t.Helper()
	f := &ticketingFixture{escFixture: newEscFixture(t, opts...)}
	f.clock.Add(16 * time.Minute)
	f.runDetector()
	f.escID = f.escFixture.escID()
	admin := f.signedIn(f.user(f.brand.ID, "boss", "admin"))
	if r := admin.get("/admin/ticketing"); r.code != http.StatusOK || !strings.Contains(r.body, "/api/v1/ticketing/callback") {
		t.Fatalf("ticketing page: %d %s", r.code, clip(r.body))
	}
	r := admin.post("/admin/ticketing", url.Values{"author": {"agent1"}, "op": {"generate"}})
	m := regexp.MustCompile(`id="loop-secret" translate="no">([^<]+)<`).FindStringSubmatch(r.body)
	if r.code != http.StatusOK || m == nil {
		t.Fatalf("generate secret: %d %s", r.code, clip(r.body))
	}
	f.secret = m[1]
	// Shown once: the page never shows it again.
	if again := admin.get("/admin/ticketing"); strings.Contains(again.body, f.secret) {
		t.Fatal("the secret is shown a second time")
	}
	f.srv = httptest.NewServer(f.h)
	t.Cleanup(f.srv.Close)
	return f
}

// send POSTs body to the callback over loopback with the given headers.
func (f *ticketingFixture) send(body []byte, hdr map[string]string) (int, map[string]any) {
	f.t.Helper()
	req, err := http.NewRequest(http.MethodPost, f.srv.URL+"/api/v1/ticketing/callback", bytes.NewReader(body))
	if err != nil {
		f.t.Fatal(err)
	}
	req.Host = f.brand.Host
	req.Header.Set("Content-Type", "application/json")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	res, err := f.srv.Client().Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		f.t.Fatalf("callback answered %d, not JSON: %s", res.StatusCode, raw)
	}
	return res.StatusCode, out
}

// signed computes the headers exactly as docs/ticketing.md says:
// X-Mutual-Signature = "sha256=" + hex(HMAC-SHA256(secret, timestamp + "." + body)).
func signed(secret string, at time.Time, body []byte) map[string]string {
	ts := strconv.FormatInt(at.Unix(), 10)
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts + "." + string(body)))
	return map[string]string{"X-Mutual-Timestamp": ts, "X-Mutual-Signature": "sha256=" + hex.EncodeToString(m.Sum(nil))}
}

// digest is what a refused callback must leave as it was.
func (f *ticketingFixture) digest() string {
	f.t.Helper()
	var b strings.Builder
	for _, q := range []string{`SELECT COUNT(*) FROM posts`, `SELECT COUNT(*) FROM escalation_events`, `SELECT COUNT(*) FROM ticketing_updates`,
		`SELECT COUNT(*) FROM moderation_actions`, `SELECT COALESCE(SUM(LENGTH(status) * id), 0) FROM escalations`} {
		var n int64
		if err := f.app.DB().QueryRow(context.Background(), q).Scan(&n); err != nil {
			f.t.Fatal(err)
		}
		b.WriteString(strconv.FormatInt(n, 10) + ",")
	}
	return b.String()
}

func callbackBody(escID int64, status, resolution string) []byte {
	b, _ := json.Marshal(map[string]any{"case_id": "ZD-4711", "escalation_id": escID, "status": status,
		"agent_name": "Dana Ortiz", "resolution": resolution})
	return b
}

// eachStoreOpts runs fn over SQLite and, when MUTUAL_TEST_POSTGRES names a
// server, over PostgreSQL, with the options that choose the store.
func eachStoreOpts(t *testing.T, fn func(t *testing.T, opts ...func(*app.Config))) {
	for _, d := range sqldbtest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			if d == sqldb.Postgres {
				target := sqldbtest.Target(t, d)
				fn(t, func(c *app.Config) { c.DatabaseURL = target })
				return
			}
			fn(t)
		})
	}
}

func TestTicketingCallbackAnswersAndResolvesTheEscalation(t *testing.T) {
	eachStoreOpts(t, testTicketingCallback)
}

func testTicketingCallback(t *testing.T, opts ...func(*app.Config)) {
	f := newTicketingFixture(t, opts...)
	ctx := context.Background()
	body := callbackBody(f.escID, "solved", "We re-provisioned your SIM. Restart the phone and it will register.")
	before := f.digest()

	// Refused, changing nothing: wrong secret, old timestamp, no signature,
	// a signature over another body.
	for name, hdr := range map[string]map[string]string{
		"wrong secret":   signed("not-the-secret-at-all", f.clock.Now(), body),
		"old timestamp":  signed(f.secret, f.clock.Now().Add(-6*time.Minute), body),
		"future":         signed(f.secret, f.clock.Now().Add(6*time.Minute), body),
		"unsigned":       {},
		"other body":     signed(f.secret, f.clock.Now(), callbackBody(f.escID, "solved", "Something else")),
		"garbage header": {"X-Mutual-Timestamp": "yesterday", "X-Mutual-Signature": "sha256=00"},
	} {
		code, out := f.send(body, hdr)
		if code != http.StatusUnauthorized || out["error"] == nil {
			t.Errorf("%s: %d %v, want 401 with a message", name, code, out)
		}
		if got := f.digest(); got != before {
			t.Fatalf("%s changed something: %s -> %s", name, before, got)
		}
	}

	// The real thing: a staff reply with the agent's name and the case, and
	// the escalation resolved by the brand's ticketing.
	hdr := signed(f.secret, f.clock.Now(), body)
	code, out := f.send(body, hdr)
	if code != http.StatusOK || out["duplicate"] != false {
		t.Fatalf("signed callback: %d %v", code, out)
	}
	x, err := f.app.Escalations().Get(ctx, f.brand.ID, f.escID)
	if err != nil || x.Status != escalation.StatusResolved || x.Resolution != escalation.ResTicketing {
		t.Fatalf("after the callback: %+v %v", x, err)
	}
	postID := int64(out["post_id"].(float64))
	var md string
	var staff int
	if err := f.app.DB().QueryRow(ctx, `SELECT body_md, is_staff FROM posts WHERE id = ?`, postID).Scan(&md, &staff); err != nil {
		t.Fatal(err)
	}
	if staff != 1 || !strings.Contains(md, "Dana Ortiz answered for our support team") || !strings.Contains(md, "ZD\\-4711") ||
		!strings.Contains(md, "re-provisioned your SIM") {
		t.Fatalf("the staff reply: staff=%d %q", staff, md)
	}
	page := f.browser().get("/t/" + itoa(f.thread.ID) + "/my-sim-stopped-working-today")
	if !strings.Contains(page.body, "Dana Ortiz answered for our support team · case ZD-4711") {
		t.Fatalf("thread page lacks the brand's answer:\n%s", clip(page.body))
	}
	var audited int
	if err := f.app.DB().QueryRow(ctx, `SELECT COUNT(*) FROM moderation_actions WHERE act = 'ticketing_answer' AND target_id = ? AND actor_id IS NULL`,
		f.escID).Scan(&audited); err != nil || audited != 1 {
		t.Fatalf("audit rows = %d (%v)", audited, err)
	}

	// The supervisor page and the deflection report count it.
	if sup := f.signedIn(f.mod).get("/escalations/supervisor"); !strings.Contains(sup.body, "answered by the brand&#39;s ticketing: 1") {
		t.Fatalf("supervisor page lacks the ticketing count:\n%s", clip(sup.body))
	}
	rep := f.bearerClient(f.user(f.brand.ID, "reporter", "client_manager")).api("GET", "/api/v1/reports/deflection", nil)
	if !strings.Contains(rep.body, `"answered_by_ticketing":1`) {
		t.Fatalf("report lacks the ticketing count: %s", clip(rep.body))
	}

	// The same request again is a replay: refused, nothing changes.
	after := f.digest()
	if code, _ := f.send(body, hdr); code != http.StatusUnauthorized {
		t.Fatalf("replayed signature: %d, want 401", code)
	}
	// A retry of the same update, signed afresh, is accepted once.
	f.clock.Add(time.Second)
	code, out = f.send(body, signed(f.secret, f.clock.Now(), body))
	if code != http.StatusOK || out["duplicate"] != true || out["post_id"].(float64) != 0 {
		t.Fatalf("retried delivery: %d %v", code, out)
	}
	if got := f.digest(); got != after {
		t.Fatalf("a replay or retry changed something: %s -> %s", after, got)
	}
	f.noErrorLogs()
}

func TestTicketingCallbackRefusalsSayWhy(t *testing.T) {
	f := newTicketingFixture(t)
	now := f.clock.Now()
	for _, c := range []struct {
		name string
		body []byte
		code int
		says string
	}{
		{"not JSON", []byte("status=solved"), http.StatusBadRequest, "not a JSON object"},
		{"bad status", callbackBody(f.escID, "done", "x"), http.StatusBadRequest, "open, pending, solved or closed"},
		{"no escalation", []byte(`{"case_id":"1","status":"open","agent_name":"A"}`), http.StatusBadRequest, "escalation_id"},
		{"unknown escalation", callbackBody(f.escID+100, "open", "x"), http.StatusNotFound, "no such escalation"},
	} {
		before := f.digest()
		code, out := f.send(c.body, signed(f.secret, now, c.body))
		msg, _ := out["error"].(map[string]any)["message"].(string)
		if code != c.code || !strings.Contains(msg, c.says) {
			t.Errorf("%s: %d %q, want %d saying %q", c.name, code, msg, c.code, c.says)
		}
		if f.digest() != before {
			t.Errorf("%s changed something", c.name)
		}
	}
	// Pending with an answer: the escalation is answered, still open.
	b := callbackBody(f.escID, "pending", "Could you tell us the phone model?")
	if code, out := f.send(b, signed(f.secret, now, b)); code != http.StatusOK || out["escalation"].(map[string]any)["state"] != "answered" {
		t.Fatalf("pending: %d %v", code, out)
	}
	// Another case for the same escalation conflicts.
	other, _ := json.Marshal(map[string]any{"case_id": "ZD-9", "thread_id": f.thread.ID, "status": "solved", "agent_name": "Lee"})
	before := f.digest()
	if code, _ := f.send(other, signed(f.secret, now, other)); code != http.StatusConflict || f.digest() != before {
		t.Fatalf("a second case: %d", code)
	}
	// Zendesk's own signature scheme, on the same endpoint: solved closes it.
	solved := []byte(`{"case_id":"ZD-4711","escalation_id":"` + itoa(f.escID) + `","status":"solved","agent_name":"Dana Ortiz","resolution":""}`)
	ts := now.UTC().Format(time.RFC3339)
	m := hmac.New(sha256.New, []byte(f.secret))
	m.Write([]byte(ts + string(solved)))
	zd := map[string]string{"X-Zendesk-Webhook-Signature-Timestamp": ts, "X-Zendesk-Webhook-Signature": base64.StdEncoding.EncodeToString(m.Sum(nil))}
	if code, out := f.send(solved, zd); code != http.StatusOK || out["escalation"].(map[string]any)["state"] != "resolved" {
		t.Fatalf("zendesk-signed solved: %d %v", code, out)
	}
	// An answer to an ended escalation conflicts.
	late := callbackBody(f.escID, "open", "One more thing")
	if code, _ := f.send(late, signed(f.secret, now.Add(time.Second), late)); code != http.StatusConflict {
		t.Fatalf("answer after the end: %d, want 409", code)
	}
	f.noErrorLogs()
}
