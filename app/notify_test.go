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

	"mutual/app"
	"mutual/forum"
	"mutual/forum/notify"
)

func (s *site) notifyVerify(m member) {
	s.t.Helper()
	if _, err := s.app.DB().Exec(context.Background(), `UPDATE users SET email_verified_at = 1 WHERE id = ?`, m.actor.UserID); err != nil {
		s.t.Fatal(err)
	}
}

func (s *site) notifyRun() app.NotifyRun {
	s.t.Helper()
	r, err := s.app.RunNotify(context.Background())
	if err != nil {
		s.t.Fatalf("RunNotify: %v", err)
	}
	return r
}

// notifyAsk posts a question through the API (so the app's hooks run) and
// returns its id and url.
func notifyAsk(t *testing.T, s *site, m member, title string) (int64, string) {
	t.Helper()
	r := s.bearerClient(m).api(http.MethodPost, "/api/v1/threads", map[string]any{"board_id": s.board.ID, "title": title, "body": "Question body for " + title})
	if r.code != http.StatusCreated {
		t.Fatalf("ask: %d %s", r.code, r.body)
	}
	v := r.json(t)
	return int64(v["id"].(float64)), v["url"].(string)
}

func notifyReply(t *testing.T, s *site, m member, threadID int64, body string) int64 {
	t.Helper()
	r := s.bearerClient(m).api(http.MethodPost, "/api/v1/threads/"+itoa(threadID)+"/posts", map[string]any{"body": body})
	if r.code != http.StatusCreated {
		t.Fatalf("reply: %d %s", r.code, r.body)
	}
	return int64(r.json(t)["id"].(float64))
}

var notifyUnsubRe = regexp.MustCompile(`http://localhost(/unsubscribe/[A-Za-z0-9_.-]+)`)

// A reply reaches the asker in the app and, through a real SMTP server, by
// mail with one-click unsubscribe headers that work without a session.
func TestNotifyReplyByMailAndOneClickUnsubscribe(t *testing.T) {
	mx := newNotifySMTP(t)
	s := newSite(t, mx.withSMTP)
	asker, peer, lurker := s.user(s.brand.ID, "asker"), s.user(s.brand.ID, "peer"), s.user(s.brand.ID, "lurker")
	s.notifyVerify(asker)
	id, turl := notifyAsk(t, s, asker, "My phone will not roam abroad")
	// lurker watches but has no confirmed address: notified in-app only.
	if r := s.bearerClient(lurker).api(http.MethodPut, "/api/v1/threads/"+itoa(id)+"/watch", nil); r.code != 200 || !strings.Contains(r.body, `"watching":true`) {
		t.Fatalf("watch: %d %s", r.code, r.body)
	}
	postID := notifyReply(t, s, peer, id, "Turn on data roaming in Settings, @asker.")

	r := s.bearerClient(asker).api(http.MethodGet, "/api/v1/notifications", nil)
	v := r.json(t)
	items := v["items"].([]any)
	if r.code != 200 || len(items) != 1 || v["unread_count"].(float64) != 1 {
		t.Fatalf("asker's notifications: %s", r.body)
	}
	first := items[0].(map[string]any)
	if first["kind"] != "mention" || first["url"] != turl+"#p"+itoa(postID) || first["actor"].(map[string]any)["username"] != "peer" {
		t.Errorf("notification = %v (a mention wins over the reply)", first)
	}
	if r := s.bearerClient(lurker).api(http.MethodGet, "/api/v1/notifications", nil); !strings.Contains(r.body, `"kind":"reply"`) {
		t.Errorf("lurker's notifications: %s", r.body)
	}

	run := s.notifyRun()
	if run.Sent != 1 {
		t.Fatalf("run = %+v, want 1 sent (the unverified watcher gets none)", run)
	}
	got := mx.received()
	if len(got) != 1 || got[0].To[0] != "asker@example.com" {
		t.Fatalf("received %+v", got)
	}
	h := got[0].Msg.Header
	if !strings.Contains(h.Get("Subject"), "peer mentioned you: My phone will not roam abroad") {
		t.Errorf("subject %q", h.Get("Subject"))
	}
	if h.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" || !strings.HasPrefix(h.Get("List-Unsubscribe"), "<http://localhost/unsubscribe/") {
		t.Errorf("unsubscribe headers: %q / %q", h.Get("List-Unsubscribe"), h.Get("List-Unsubscribe-Post"))
	}
	if !strings.Contains(got[0].Body, "http://localhost"+turl+"#p"+itoa(postID)) || !strings.Contains(got[0].Body, "> Turn on data roaming") {
		t.Errorf("body:\n%s", got[0].Body)
	}
	if run := s.notifyRun(); run.Sent != 0 {
		t.Errorf("a second run sent %d again", run.Sent)
	}

	// The mail client's one-click POST: no cookie, no CSRF token, just the link.
	path := notifyUnsubRe.FindStringSubmatch(h.Get("List-Unsubscribe"))[1]
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader("List-Unsubscribe=One-Click"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if r := s.browser().do(req); r.code != 200 {
		t.Fatalf("one-click unsubscribe: %d %s", r.code, clip(r.body))
	}
	if r := s.bearerClient(asker).api(http.MethodGet, "/api/v1/notifications/preferences", nil); !strings.Contains(r.body, `"email":"never"`) {
		t.Errorf("prefs after unsubscribe: %s", r.body)
	}
	// A tampered link is refused; the GET shows a button, not an action.
	if r := s.browser().post(path+"x", url.Values{"List-Unsubscribe": {"One-Click"}}); r.code != 404 {
		t.Errorf("tampered unsubscribe = %d", r.code)
	}
	if r := s.browser().get(path); r.code != 200 || !strings.Contains(r.body, `<form method="post" action="`+path+`"`) {
		t.Errorf("unsubscribe page = %d", r.code)
	}
	notifyReply(t, s, peer, id, "One more idea for you.")
	if run := s.notifyRun(); run.Sent != 0 || len(mx.received()) != 1 {
		t.Errorf("after unsubscribing, %+v", run)
	}
	s.noErrorLogs()
}

// A temporary SMTP refusal is retried after the backoff; a permanent one
// is given up at once.
func TestNotifyMailRetries(t *testing.T) {
	mx := newNotifySMTP(t)
	s := newSite(t, mx.withSMTP)
	asker, peer := s.user(s.brand.ID, "asker"), s.user(s.brand.ID, "peer")
	s.notifyVerify(asker)
	id, _ := notifyAsk(t, s, asker, "Retry the mail to me please")
	mx.failNext(451)
	notifyReply(t, s, peer, id, "First reply, first mail.")
	if run := s.notifyRun(); run.Failed != 1 || run.Sent != 0 {
		t.Fatalf("run with a 451 = %+v", run)
	}
	if run := s.notifyRun(); run.Sent != 0 {
		t.Fatalf("retried before the backoff: %+v", run)
	}
	s.clock.Add(notify.Backoff(1))
	if run := s.notifyRun(); run.Sent != 1 {
		t.Fatalf("after the backoff: %+v", run)
	}
	mx.failNext(550)
	notifyReply(t, s, peer, id, "Second reply, refused for good.")
	if run := s.notifyRun(); run.Failed != 1 {
		t.Fatalf("run with a 550 = %+v", run)
	}
	s.clock.Add(24 * time.Hour)
	rows, _ := s.app.Notify().Outbox(context.Background(), s.brand.ID, 10)
	if rows[0].Status != "failed" || !strings.Contains(rows[0].LastError, "550") {
		t.Errorf("permanent failure row = %+v", rows[0])
	}
	if len(mx.received()) != 1 {
		t.Errorf("received %d mails, want 1", len(mx.received()))
	}
}

var notifyVerifyRe = regexp.MustCompile(`http://localhost(/verify-email/[A-Za-z0-9_.-]+)`)

// Signing up mails a verification link; following it confirms the address;
// changing the address needs the password and a new confirmation.
func TestNotifyEmailVerification(t *testing.T) {
	mx := newNotifySMTP(t)
	s := newSite(t, mx.withSMTP)
	b := s.browser()
	b.get("/signup")
	r := b.post("/signup", url.Values{"username": {"newbie"}, "email": {"newbie@example.com"}, "password": {"correct horse battery"}})
	if r.code != http.StatusSeeOther {
		t.Fatalf("signup: %d %s", r.code, clip(r.body))
	}
	if page := b.get("/settings/notifications"); !strings.Contains(page.body, "Not confirmed") || !strings.Contains(page.body, "newbie@example.com") {
		t.Fatalf("settings before confirming:\n%s", clip(page.body))
	}
	if run := s.notifyRun(); run.Sent != 1 {
		t.Fatalf("run = %+v", run)
	}
	m := mx.received()[0]
	if m.To[0] != "newbie@example.com" || !strings.Contains(m.Msg.Header.Get("Subject"), "Confirm your email address") || m.Msg.Header.Get("List-Unsubscribe") != "" {
		t.Fatalf("verification mail: %v %v", m.To, m.Msg.Header)
	}
	link := notifyVerifyRe.FindStringSubmatch(m.Body)
	if link == nil {
		t.Fatalf("no link in:\n%s", m.Body)
	}
	if r := s.browser().get(link[1]); r.code != 200 || !strings.Contains(r.body, "Your email address is confirmed") {
		t.Fatalf("verify: %d %s", r.code, clip(r.body))
	}
	if page := b.get("/settings/notifications"); !strings.Contains(page.body, "Confirmed") {
		t.Error("settings do not show the address confirmed")
	}
	// Asking again once confirmed sends nothing.
	b.get("/settings/notifications")
	b.post("/settings/email/verify", nil)
	if run := s.notifyRun(); run.Sent != 0 {
		t.Errorf("resend for a confirmed address sent %d", run.Sent)
	}
	// A wrong password changes nothing; the right one unconfirms and mails.
	r = b.post("/settings/email", url.Values{"email": {"new@example.com"}, "password": {"wrong password!"}})
	if r.code != http.StatusUnprocessableEntity || !strings.Contains(r.body, "not your current password") {
		t.Fatalf("wrong password: %d", r.code)
	}
	b.get("/settings/notifications")
	if r := b.post("/settings/email", url.Values{"email": {"new@example.com"}, "password": {"correct horse battery"}}); r.code != http.StatusSeeOther {
		t.Fatalf("change email: %d %s", r.code, clip(r.body))
	}
	if run := s.notifyRun(); run.Sent != 1 || mx.received()[1].To[0] != "new@example.com" {
		t.Fatalf("after change: %+v", run)
	}
	// The old link names the old address: it no longer confirms anything.
	if r := s.browser().get(link[1]); r.code != http.StatusConflict {
		t.Errorf("old verification link after a change = %d, want 409", r.code)
	}
	newLink := notifyVerifyRe.FindStringSubmatch(mx.received()[1].Body)
	if r := s.browser().get(newLink[1]); r.code != 200 {
		t.Errorf("new link = %d", r.code)
	}
	s.clock.Add(notify.VerifyTTL + time.Hour)
	if r := s.browser().get(newLink[1]); r.code != http.StatusConflict || !strings.Contains(r.body, "expired") {
		t.Errorf("expired link = %d", r.code)
	}
	s.noErrorLogs()
}

// The bell is on members' pages only: anonymous (cached) pages never carry
// one, and a member's count follows replies and reading.
func TestNotifyBellAndButtons(t *testing.T) {
	s := newSite(t)
	asker, peer := s.user(s.brand.ID, "asker"), s.user(s.brand.ID, "peer")
	id, turl := notifyAsk(t, s, asker, "Where is the bell shown")
	anon := s.browser()
	if r := anon.get(turl); r.code != 200 || strings.Contains(r.body, "data-nf-bell") || strings.Contains(r.body, "Watch this thread") {
		t.Fatalf("anonymous thread page: %d, bell or watch shown", r.code)
	}
	b := s.signedIn(asker)
	page := b.get(turl)
	if !strings.Contains(page.body, "data-nf-bell") || strings.Contains(page.body, "data-nf-count") || !strings.Contains(page.body, "Watching · stop") {
		t.Fatalf("asker's page: bell without count and watching expected\n%s", clip(page.body))
	}
	notifyReply(t, s, peer, id, "A reply rings the bell.")
	// Any page but the thread: opening the thread reads what points there.
	page = b.get("/")
	if !strings.Contains(page.body, `<span class="nf-count" data-nf-count>1</span>`) {
		t.Errorf("bell after a reply lacks count 1")
	}
	if r := anon.get(turl); strings.Contains(r.body, "data-nf-bell") || r.header.Get("Cache-Control") == "" {
		t.Errorf("anonymous page after member views carries a bell")
	}
	list := b.get("/notifications")
	if !strings.Contains(list.body, "peer replied to “Where is the bell shown”") || !strings.Contains(list.body, "Mark all read") {
		t.Fatalf("list:\n%s", clip(list.body))
	}
	nid := regexp.MustCompile(`href="/notifications/(\d+)"`).FindStringSubmatch(list.body)
	r := b.get("/notifications/" + nid[1])
	if r.code != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), turl+"#p") {
		t.Errorf("open notification: %d %s", r.code, r.header.Get("Location"))
	}
	if page := b.get(turl); strings.Contains(page.body, "data-nf-count") {
		t.Error("bell still counts after opening the notification")
	}
	// Unwatch and follow through the page forms.
	b.get(turl)
	if r := b.post("/t/"+itoa(id)+"/unwatch", nil); r.code != http.StatusSeeOther {
		t.Fatalf("unwatch: %d", r.code)
	}
	if page := b.get(turl); !strings.Contains(page.body, "Watch this thread") {
		t.Error("the watch button did not flip")
	}
	board := "/b/" + itoa(s.board.ID) + "/" + s.board.Slug
	b.get(board)
	if r := b.post("/b/"+itoa(s.board.ID)+"/follow", nil); r.code != http.StatusSeeOther || r.header.Get("Location") != board {
		t.Fatalf("follow: %d %s", r.code, r.header.Get("Location"))
	}
	if page := b.get(board); !strings.Contains(page.body, "Following · stop") {
		t.Error("board page does not show following")
	}
	notifyAsk(t, s, peer, "A fresh question for followers")
	if r := s.bearerClient(asker).api(http.MethodGet, "/api/v1/notifications?filter=unread", nil); !strings.Contains(r.body, `"kind":"new_thread"`) {
		t.Errorf("follower's unread: %s", r.body)
	}
	b.get("/notifications")
	if r := b.post("/notifications/read", nil); r.code != http.StatusSeeOther {
		t.Errorf("mark all read: %d", r.code)
	}
	if r := s.bearerClient(asker).api(http.MethodGet, "/api/v1/notifications", nil); !strings.Contains(r.body, `"unread_count":0`) {
		t.Errorf("after mark all read: %s", r.body)
	}
	s.noErrorLogs()
}

// Who may do what, and bad input, on every notification route.
func TestNotifyRoutesAccessAndErrors(t *testing.T) {
	s := newSite(t)
	asker, peer := s.user(s.brand.ID, "asker"), s.user(s.brand.ID, "peer")
	other, err := s.brands.Create(context.Background(), forumNewBrand("other.test"))
	if err != nil {
		t.Fatal(err)
	}
	otherBoard := s.newBoard(other.ID, "Elsewhere")
	id, _ := notifyAsk(t, s, asker, "Access rules for notifications")
	notifyReply(t, s, peer, id, "Reply for the access test.")
	var nid string
	if r := s.bearerClient(asker).api(http.MethodGet, "/api/v1/notifications", nil); true {
		nid = itoa(int64(r.json(t)["items"].([]any)[0].(map[string]any)["id"].(float64)))
	}
	ab, pb := s.bearerClient(asker), s.bearerClient(peer)
	sb := s.signedIn(asker)
	s.run([]scenario{
		{name: "anonymous page", method: "GET", path: "/notifications", status: http.StatusSeeOther, location: "/login?next=%2Fnotifications"},
		{name: "anonymous api", method: "GET", path: "/api/v1/notifications", status: http.StatusUnauthorized},
		{name: "anonymous watch", method: "GET", path: "/api/v1/threads/" + itoa(id) + "/watch", status: http.StatusUnauthorized},
		{name: "anonymous write", method: "PUT", path: "/api/v1/threads/" + itoa(id) + "/watch", status: http.StatusUnauthorized},
		{name: "anonymous settings", method: "GET", path: "/settings/notifications", status: http.StatusSeeOther},
		{name: "form without csrf", method: "POST", path: "/t/" + itoa(id) + "/watch", as: sb, form: url.Values{"csrf": {"stale"}}, status: http.StatusForbidden},
		{name: "api session without csrf", method: "PUT", path: "/api/v1/threads/" + itoa(id) + "/watch", as: sb, headers: []string{"X-CSRF-Token", ""}, status: http.StatusForbidden},
		{name: "other's notification", method: "GET", path: "/notifications/" + nid, as: s.signedIn(peer), status: http.StatusNotFound},
		{name: "other's notification read", method: "POST", path: "/api/v1/notifications/read", as: pb, json: map[string]any{"ids": []int64{1}}, status: 200, contains: []string{`"marked":0`}},
		{name: "read needs ids or all", method: "POST", path: "/api/v1/notifications/read", as: ab, json: map[string]any{}, status: 422},
		{name: "read bad json", method: "POST", path: "/api/v1/notifications/read", as: ab, json: "[1,2", status: 400},
		{name: "bad cursor", method: "GET", path: "/api/v1/notifications?after=abc", as: ab, status: 422},
		{name: "bad filter", method: "GET", path: "/api/v1/notifications?filter=odd", as: ab, status: 422},
		{name: "bad limit", method: "GET", path: "/api/v1/notifications?limit=1000", as: ab, status: 422},
		{name: "page bad cursor", method: "GET", path: "/notifications?after=-4", as: sb, status: 422},
		{name: "watch missing thread", method: "PUT", path: "/api/v1/threads/99999/watch", as: ab, status: 404},
		{name: "watch bad id", method: "PUT", path: "/api/v1/threads/x/watch", as: ab, status: 404},
		{name: "follow other brand's board", method: "PUT", path: "/api/v1/boards/" + itoa(otherBoard.ID) + "/follow", as: ab, status: 404},
		{name: "follow", method: "PUT", path: "/api/v1/boards/" + itoa(s.board.ID) + "/follow", as: ab, status: 200, contains: []string{`"following":true`}},
		{name: "following", method: "GET", path: "/api/v1/boards/" + itoa(s.board.ID) + "/follow", as: ab, status: 200, contains: []string{`"following":true`}},
		{name: "unwatch", method: "DELETE", path: "/api/v1/threads/" + itoa(id) + "/watch", as: ab, status: 200, contains: []string{`"watching":false`}},
		{name: "watching", method: "GET", path: "/api/v1/threads/" + itoa(id) + "/watch", as: ab, status: 200, contains: []string{`"watching":false`}},
		{name: "prefs bad mode", method: "PUT", path: "/api/v1/notifications/preferences", as: ab, json: map[string]any{"email": "hourly"}, status: 422, contains: []string{"immediate, daily or never"}},
		{name: "prefs set", method: "PUT", path: "/api/v1/notifications/preferences", as: ab, json: map[string]any{"email": "daily", "reminders": false}, status: 200,
			contains: []string{`"email":"daily"`, `"reminders":false`, `"followed_boards":[` + itoa(s.board.ID) + `]`, `"mail_enabled":false`}},
		{name: "settings form bad mode", method: "POST", path: "/settings/notifications", as: s.signedIn(asker), form: url.Values{"email": {"hourly"}}, status: 422},
		{name: "unsubscribe garbage", method: "GET", path: "/unsubscribe/garbage", status: 404},
		{name: "verify garbage", method: "GET", path: "/verify-email/garbage.xyz", status: 404},
		{name: "resend with mail off", method: "POST", path: "/settings/email/verify", as: s.signedIn(asker), status: http.StatusConflict},
	})
	s.noErrorLogs()
}

// An asker is reminded once through the background job, on schedule.
func TestNotifyReminderJob(t *testing.T) {
	s := newSite(t, func(c *app.Config) { c.Notify.ReminderDays = 2 })
	asker, peer := s.user(s.brand.ID, "asker"), s.user(s.brand.ID, "peer")
	if _, err := s.app.DB().Exec(context.Background(), `UPDATE users SET password_hash = 'x' WHERE id = ?`, asker.actor.UserID); err != nil {
		t.Fatal(err)
	}
	id, _ := notifyAsk(t, s, asker, "Remind me to accept an answer")
	notifyReply(t, s, peer, id, "Here is the answer you need.")
	if run := s.notifyRun(); run.Reminded != 0 {
		t.Fatalf("reminded at once: %+v", run)
	}
	s.clock.Add(48*time.Hour + time.Minute)
	if run := s.notifyRun(); run.Reminded != 1 {
		t.Fatalf("after two days: %+v", run)
	}
	s.clock.Add(time.Hour)
	if run := s.notifyRun(); run.Reminded != 0 {
		t.Fatalf("reminded twice: %+v", run)
	}
	if r := s.bearerClient(asker).api(http.MethodGet, "/api/v1/notifications", nil); !strings.Contains(r.body, `"kind":"reminder"`) || !strings.Contains(r.body, "Accept it so others find the answer") {
		t.Errorf("asker's notifications: %s", r.body)
	}
}

func forumNewBrand(host string) forum.NewBrand {
	return forum.NewBrand{Host: host, Name: "Other " + host}
}

// A member on the daily summary gets one digest mail a day, not one per
// reply; replies in one thread are one line in it.
func TestNotifyDailyDigestMail(t *testing.T) {
	mx := newNotifySMTP(t)
	s := newSite(t, mx.withSMTP)
	asker, peer := s.user(s.brand.ID, "asker"), s.user(s.brand.ID, "peer")
	s.notifyVerify(asker)
	if r := s.bearerClient(asker).api(http.MethodPut, "/api/v1/notifications/preferences", map[string]any{"email": "daily"}); r.code != 200 {
		t.Fatalf("prefs: %d %s", r.code, r.body)
	}
	id, _ := notifyAsk(t, s, asker, "Summarise these replies daily")
	notifyReply(t, s, peer, id, "First of the day.")
	notifyReply(t, s, peer, id, "Second of the day.")
	if run := s.notifyRun(); run.Sent != 0 || run.Digests != 0 {
		t.Fatalf("before a day: %+v", run)
	}
	s.clock.Add(24*time.Hour + time.Minute)
	if run := s.notifyRun(); run.Digests != 1 || run.Sent != 1 {
		t.Fatalf("after a day: %+v", run)
	}
	m := mx.received()[0]
	if !strings.Contains(m.Msg.Header.Get("Subject"), "1 new notification") || strings.Count(m.Body, "2 new replies to “Summarise these replies daily”, the latest from peer") != 1 ||
		m.Msg.Header.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" {
		t.Errorf("digest: %q\n%s", m.Msg.Header.Get("Subject"), m.Body)
	}
	s.clock.Add(24*time.Hour + time.Minute)
	if run := s.notifyRun(); run.Sent != 0 {
		t.Errorf("a digest with nothing new was sent: %+v", run)
	}
}
