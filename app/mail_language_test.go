package app_test

import (
	"mime"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// Mail goes out in the recipient's language, read off a real SMTP server on
// loopback: a reply to a member who reads Spanish, a daily digest (with
// Polish plural forms) to one who reads Polish, and the brand's default to
// one who never chose.
func TestMailAndDigestsGoOutInTheRecipientsLanguage(t *testing.T) {
	mx := newNotifySMTP(t)
	s := newSite(t, mx.withSMTP)
	s.offer("en", "es", "pl")
	lucia, kasia, sam, peer := s.user(s.brand.ID, "lucia"), s.user(s.brand.ID, "kasia"), s.user(s.brand.ID, "sam"), s.user(s.brand.ID, "peer")
	for _, c := range []struct {
		who  member
		lang string
	}{{lucia, "es"}, {kasia, "pl"}} {
		b := s.signedIn(c.who)
		b.get("/settings/language")
		if r := b.post("/settings/language", url.Values{"language": {c.lang}}); r.code != http.StatusSeeOther {
			t.Fatalf("save %s: %d", c.lang, r.code)
		}
	}
	for _, m := range []member{lucia, kasia, sam} {
		s.notifyVerify(m)
	}
	if r := s.bearerClient(kasia).api(http.MethodPut, "/api/v1/notifications/preferences", map[string]any{"email": "daily"}); r.code != 200 {
		t.Fatalf("prefs: %d %s", r.code, r.body)
	}
	es, _ := notifyAsk(t, s, lucia, "Mi router no conecta desde ayer")
	en, _ := notifyAsk(t, s, sam, "My router has not connected since yesterday")
	pl, _ := notifyAsk(t, s, kasia, "Mój router nie łączy się od wczoraj")
	notifyReply(t, s, peer, es, "Reinicia el router y espera dos minutos.")
	notifyReply(t, s, peer, en, "Restart the router and wait two minutes.")
	for _, body := range []string{"Pierwsza odpowiedź.", "Druga odpowiedź.", "Trzecia odpowiedź."} {
		notifyReply(t, s, peer, pl, body)
	}
	if run := s.notifyRun(); run.Sent != 2 {
		t.Fatalf("immediate mail: %+v, want 2 (the digest waits a day)", run)
	}
	s.clock.Add(24*time.Hour + time.Minute)
	if run := s.notifyRun(); run.Digests != 1 {
		t.Fatalf("digest: %+v", run)
	}
	mails := map[string]notifyMsg{}
	for _, m := range mx.received() {
		mails[m.To[0]] = m
	}
	dec := new(mime.WordDecoder)
	for _, c := range []struct {
		to            string
		subject, body []string
	}{
		{"lucia@example.com", []string{"Nueva respuesta: Mi router no conecta desde ayer"}, []string{"Hola, lucia:", "peer respondió a «Mi router no conecta desde ayer»"}},
		{"sam@example.com", []string{"New reply: My router has not connected since yesterday"}, []string{"Hi sam,", "peer replied to “My router has not connected since yesterday”"}},
		{"kasia@example.com", []string{"1 nowe powiadomienie od wczoraj"}, []string{"Oto, co wydarzyło się od ostatniego podsumowania:", "3 nowe odpowiedzi w „Mój router nie łączy się od wczoraj”, ostatnia od peer"}},
	} {
		m, ok := mails[c.to]
		if !ok {
			t.Errorf("no mail to %s (got %d mails)", c.to, len(mails))
			continue
		}
		subject, err := dec.DecodeHeader(m.Msg.Header.Get("Subject"))
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range c.subject {
			if !strings.Contains(subject, want) {
				t.Errorf("mail to %s: subject %q, want %q", c.to, subject, want)
			}
		}
		for _, want := range c.body {
			if !strings.Contains(m.Body, want) {
				t.Errorf("mail to %s lacks %q:\n%s", c.to, want, m.Body)
			}
		}
	}
}
