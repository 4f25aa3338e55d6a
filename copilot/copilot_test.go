package copilot_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"mutual/account"
	"mutual/copilot"
	"mutual/forum"
	"mutual/internal/testkit"
	"mutual/markup"
	"mutual/search"
	"mutual/sqldb"
	"mutual/sqldb/sqldbtest"
)

var ctx = context.Background()

type fixture struct {
	db      *sqldb.DB
	clock   *testkit.Clock
	members *account.Members
	forum   *forum.Service
	copilot *copilot.Service
	brand   forum.Brand
	board   forum.Board
	asker   account.Actor
	helper  account.Actor
}

func newFixture(t *testing.T, db *sqldb.DB) *fixture {
	t.Helper()
	clk := testkit.NewClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	f := &fixture{db: db, clock: clk, members: account.NewMembers(db, clk.Now), forum: forum.NewService(db, markup.NewRenderer(), clk.Now)}
	s := search.New(db, clk.Now)
	f.forum.Subscribe(s.Hook)
	f.copilot = copilot.New(db, s, clk.Now)
	f.brand = testkit.Brand(t, forum.NewBrands(db, clk.Now), forum.NewBrand{Host: "localhost", Name: "Alpha Mobile", Default: true})
	f.board = testkit.Board(t, f.forum, f.brand.ID, forum.NewBoard{Name: "Network", Description: "Signal and data"})
	f.asker = testkit.Member(t, f.members, account.Unclaimed{BrandID: f.brand.ID, Username: "asker", CreatedAt: clk.Now()})
	f.helper = testkit.Member(t, f.members, account.Unclaimed{BrandID: f.brand.ID, Username: "helper", CreatedAt: clk.Now()})
	return f
}

// solved asks a question, has the helper answer it and the asker accept.
func (f *fixture) solved(t *testing.T, title, body, answer string) forum.Thread {
	t.Helper()
	th := testkit.Ask(t, f.forum, f.asker, forum.NewThread{BoardID: f.board.ID, Title: title, Body: body})
	f.clock.Add(time.Minute)
	p := testkit.Reply(t, f.forum, f.helper, th.ID, answer)
	f.clock.Add(time.Minute)
	if _, err := f.forum.Accept(ctx, f.asker, th.ID, p.ID); err != nil {
		t.Fatal(err)
	}
	return th
}

func (f *fixture) community(t *testing.T) (apn forum.Thread, q copilot.Question) {
	t.Helper()
	apn = f.solved(t, "No mobile data after changing phone", "Calls work but mobile data does not since I moved my SIM to a new phone.",
		"Thanks for asking. The new phone needs the APN settings. Open Settings, then Mobile network, then Access point names, and add one called payg with the APN set to internet. Restart the phone afterwards.")
	f.solved(t, "How do I pay my bill by card", "Where can I pay by card?",
		"Go to My account and choose Payments. You can add a card there.")
	f.solved(t, "Voicemail PIN forgotten", "I forgot my voicemail PIN, how can I reset it?",
		"Call 443 from your phone and follow the prompts to reset the voicemail PIN.")
	open := testkit.Ask(t, f.forum, f.asker, forum.NewThread{BoardID: f.board.ID, Title: "Mobile data stopped on my new phone",
		Body: "I put my SIM in a new phone and now mobile data will not connect, what settings do I need?"})
	q, err := f.copilot.QuestionOf(ctx, f.brand.ID, open.ID)
	if err != nil {
		t.Fatal(err)
	}
	return apn, q
}

// An agent asking about a thread gets the solved thread that answers it
// first, with the sentence of its answer that answers it, and never the
// thread itself.
func TestSourcesFindTheAnsweringPassage(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		apn, q := f.community(t)
		srcs, err := f.copilot.Sources(ctx, q, copilot.Limit)
		if err != nil {
			t.Fatal(err)
		}
		if len(srcs) == 0 || srcs[0].ThreadID != apn.ID {
			t.Fatalf("sources %+v; want the APN thread %d first", srcs, apn.ID)
		}
		for _, s := range srcs {
			if s.ThreadID == q.ThreadID {
				t.Fatalf("the question's own thread is among its sources: %+v", srcs)
			}
		}
		if !strings.Contains(srcs[0].Passage, "APN") || strings.Contains(srcs[0].Passage, "Thanks for asking") {
			t.Errorf("passage %q: want the APN instructions without the pleasantry", srcs[0].Passage)
		}
		if srcs[0].URL() != "/t/"+itoa(apn.ID)+"/"+apn.Slug {
			t.Errorf("source URL %q", srcs[0].URL())
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// The offline draft quotes each passage and links its thread.
func TestQuoteQuotesAndLinks(t *testing.T) {
	d := copilot.Quote(ctx, []copilot.Source{{ThreadID: 7, Title: "No data [fixed]", Slug: "no-data", Passage: "Add the APN."}})
	for _, want := range []string{"> Add the APN.", `[No data \[fixed\]](/t/7/no-data)`} {
		if !strings.Contains(d.Text, want) {
			t.Errorf("draft %q lacks %q", d.Text, want)
		}
	}
	if d.ByModel {
		t.Error("a quoted draft is not the model's")
	}
}

// model is a chat-completions endpoint on loopback answering with content
// (or the status), recording what it was asked.
func model(t *testing.T, status int, content string) (*httptest.Server, *[]map[string]any) {
	var asked []map[string]any
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req map[string]any
		b, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(b, &req)
		req["authorization"] = r.Header.Get("Authorization")
		asked = append(asked, req)
		if status != http.StatusOK {
			http.Error(w, "overloaded", status)
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"choices": []any{map[string]any{"message": map[string]any{"role": "assistant", "content": content}}}})
	}))
	t.Cleanup(srv.Close)
	return srv, &asked
}

// A brand's model words the draft when it cites only the passages given;
// otherwise, or when it fails, the draft quotes the passages and says why.
func TestModelDraftsCiteOnlyTheirSources(t *testing.T) {
	f := newFixture(t, sqldbtest.Open(t, sqldb.SQLite))
	_, q := f.community(t)
	srcs, err := f.copilot.Sources(ctx, q, copilot.Limit)
	if err != nil || len(srcs) == 0 {
		t.Fatalf("sources %v, %v", srcs, err)
	}
	admin := testkit.Member(t, f.members, account.Unclaimed{BrandID: f.brand.ID, Username: "admin", CreatedAt: f.clock.Now()}, "admin")
	use := func(t *testing.T, endpoint string) {
		t.Helper()
		if _, err := f.copilot.SaveSettings(ctx, admin, copilot.Settings{Endpoint: endpoint, Model: "small", APIKey: "k-123"}); err != nil {
			t.Fatal(err)
		}
	}

	good, asked := model(t, http.StatusOK, "Your new phone needs the APN set to internet [1].")
	use(t, good.URL+"/v1/chat/completions")
	d, err := f.copilot.Draft(ctx, q, srcs)
	if err != nil || !d.ByModel || d.Fallback != "" || !strings.Contains(d.Text, "internet [1]") || !strings.Contains(d.Text, "[1]: /t/") {
		t.Fatalf("model draft %+v, %v", d, err)
	}
	if len(*asked) != 1 || (*asked)[0]["model"] != "small" || (*asked)[0]["authorization"] != "Bearer k-123" ||
		!strings.Contains(jsonOf((*asked)[0]["messages"]), srcs[0].Passage[:20]) {
		t.Errorf("the model was asked %v", *asked)
	}

	for name, srv := range map[string]*httptest.Server{
		"uncited":  first(model(t, http.StatusOK, "Just restart it.")),
		"miscited": first(model(t, http.StatusOK, "See [1] and [9].")),
		"failing":  first(model(t, http.StatusBadGateway, "")),
	} {
		use(t, srv.URL)
		d, err := f.copilot.Draft(ctx, q, srcs)
		if err != nil || d.ByModel || d.Fallback == "" || !strings.HasPrefix(d.Text, copilot.Quote(ctx, srcs).Text[:10]) {
			t.Errorf("%s model: draft %+v, %v; want the quoted draft and why", name, d, err)
		}
	}
	gone := httptest.NewServer(http.NotFoundHandler())
	gone.Close()
	use(t, gone.URL)
	if d, _ := f.copilot.Draft(ctx, q, srcs); d.ByModel || !strings.Contains(d.Fallback, "could not be reached") {
		t.Errorf("unreachable model: %+v", d)
	}
}

func first(s *httptest.Server, _ *[]map[string]any) *httptest.Server { return s }

func jsonOf(v any) string { b, _ := json.Marshal(v); return string(b) }

// Settings refuse what cannot work, keep a saved key when none is typed,
// and turn off with an empty endpoint.
func TestSettingsValidateAndKeepTheKey(t *testing.T) {
	f := newFixture(t, sqldbtest.Open(t, sqldb.SQLite))
	admin := testkit.Member(t, f.members, account.Unclaimed{BrandID: f.brand.ID, Username: "admin", CreatedAt: f.clock.Now()}, "admin")
	_, err := f.copilot.SaveSettings(ctx, admin, copilot.Settings{Endpoint: "ftp://models", Model: ""})
	fields := testkit.Fields(err)
	if fields["endpoint"] == "" || fields["model"] == "" {
		t.Fatalf("bad settings: %v", err)
	}
	if _, err := f.copilot.SaveSettings(ctx, admin, copilot.Settings{Endpoint: "http://127.0.0.1:9/v1/chat/completions", Model: "m", APIKey: "secret"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.copilot.SaveSettings(ctx, admin, copilot.Settings{Endpoint: "http://127.0.0.1:9/v2", Model: "m"}); err != nil {
		t.Fatal(err)
	}
	set, _ := f.copilot.Settings(ctx, f.brand.ID)
	if set.APIKey != "secret" || set.Endpoint != "http://127.0.0.1:9/v2" {
		t.Errorf("after saving without a key: %+v", set)
	}
	if _, err := f.copilot.SaveSettings(ctx, admin, copilot.Settings{}); err != nil {
		t.Fatal(err)
	}
	if set, _ := f.copilot.Settings(ctx, f.brand.ID); set.On() || set.APIKey != "" {
		t.Errorf("turned off, the settings are %+v", set)
	}
}
