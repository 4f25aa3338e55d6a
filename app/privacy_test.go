package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"mutual/account"
	"mutual/app"
	"mutual/internal/testkit/oidcop"
	"mutual/sqldb"
	"mutual/sqldb/sqldbtest"
	"mutual/sso"
)

// privacyStores runs fn on a site over SQLite and, when MUTUAL_TEST_POSTGRES
// names a server, over PostgreSQL: the scan of every column must hold on
// both.
func privacyStores(t *testing.T, fn func(t *testing.T, s *site)) {
	for _, d := range sqldbtest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			var opts []func(*app.Config)
			if d == sqldb.Postgres {
				target := sqldbtest.Target(t, d)
				opts = append(opts, func(c *app.Config) { c.DatabaseURL = target })
			}
			fn(t, newSite(t, opts...))
		})
	}
}

// pvSubject is a member who joined and signed in through the pages, from
// their own address, and then used every part of the community, so that
// each category of their data exists.
type pvSubject struct {
	name, email, password, ip, phrase string
	id                                int64
	b                                 *browser
	token                             string
	asked, answeredIn, escalated      int64 // threads: asked and solved, answered by them, escalated
	question, reply                   int64 // their question (edited) and their accepted reply
	subjects                          []string
	resetPath                         string // their reset link, mailed and not used
}

// personal is what must not survive an erasure anywhere in the database.
func (p pvSubject) personal() []string {
	return append([]string{p.name, p.email, p.ip, p.phrase}, p.subjects...)
}

func newPVSubject(t *testing.T, s *site, name string) pvSubject {
	t.Helper()
	ctx := context.Background()
	p := pvSubject{name: name, email: strings.ToLower(name) + ".inbox@example.org", password: "a long and careful passphrase",
		ip: "198.51.100.213", phrase: "quokka-lantern-7781"}
	p.b = s.browser()
	p.b.remote = p.ip + ":40123"
	p.b.get("/signup")
	if r := p.b.post("/signup", url.Values{"username": {p.name}, "email": {p.email}, "password": {p.password}}); r.code != http.StatusSeeOther {
		t.Fatalf("signup: %d %s", r.code, clip(r.body))
	}
	p.b.post("/logout", nil)
	p.b.get("/login")
	if r := p.b.post("/login", url.Values{"login": {p.name}, "password": {p.password}}); r.code != http.StatusSeeOther {
		t.Fatalf("login: %d %s", r.code, clip(r.body))
	}
	p.b.get("/settings/privacy") // the session's form token
	u, err := s.members.ByUsername(ctx, s.brand.ID, p.name)
	if err != nil {
		t.Fatal(err)
	}
	p.id = u.ID
	// No page edits the profile yet: the bio is set as a profile editor would.
	if _, err := s.app.DB().Exec(ctx, `UPDATE users SET bio = ? WHERE id = ?`, "I fix radios; ask me about "+p.phrase+".", p.id); err != nil {
		t.Fatal(err)
	}
	if p.token, err = s.members.CreateToken(ctx, s.brand.ID, p.id, "my phone app"); err != nil {
		t.Fatal(err)
	}
	return p
}

// pvCommunity has the subject ask, reply, edit, give and receive kudos,
// accept and be accepted, follow, choose, answer the survey, click
// "Contact us", read, escalate and flag, alongside a helper.
func pvCommunity(t *testing.T, s *site, p *pvSubject) (helper, admin member) {
	t.Helper()
	relaxKudosGivers(t, s)
	admin = s.user(s.brand.ID, "pv_admin", "admin")
	res := s.signedIn(admin).post("/reports/deflection/settings", url.Values{"cost": {"6.00"}, "currency": {"EUR"}, "rate": {"10"},
		"min_answers": {"30"}, "escalation_sla": {"15"}, "agent_sla": {"4"}, "contact_url": {"https://acme.example/contact"}})
	if res.code != http.StatusSeeOther {
		t.Fatalf("report settings: %d %s", res.code, clip(res.body))
	}
	helper = s.user(s.brand.ID, "halvard_helps")
	hb := s.bearerClient(helper)
	ok := func(r *response, what string) map[string]any {
		t.Helper()
		if r.code >= 400 {
			t.Fatalf("%s: %d %s", what, r.code, clip(r.body))
		}
		if strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
			return r.json(t)
		}
		return nil
	}
	id := func(v map[string]any) int64 { return int64(v["id"].(float64)) }

	p.asked = id(ok(p.b.api(http.MethodPost, "/api/v1/threads", map[string]any{"board_id": s.board.ID,
		"title": "How do I move my number to a new SIM?", "body": "The shop said it takes a day; it has been three."}), "ask"))
	th := ok(p.b.api(http.MethodGet, "/api/v1/threads/"+itoa(p.asked), nil), "read thread")
	p.question = id(th["posts"].([]any)[0].(map[string]any))
	ok(p.b.api(http.MethodPatch, "/api/v1/posts/"+itoa(p.question), map[string]any{"body": "The shop said it takes a day; it has been three days now."}), "edit")
	help := id(ok(hb.api(http.MethodPost, "/api/v1/threads/"+itoa(p.asked)+"/posts", map[string]any{"body": "Ask the old network for a porting code."}), "helper replies"))
	ok(p.b.api(http.MethodPost, "/api/v1/posts/"+itoa(help)+"/kudos", nil), "give kudos")
	ok(p.b.api(http.MethodPost, "/api/v1/threads/"+itoa(p.asked)+"/accept", map[string]any{"post_id": help}), "accept")

	p.answeredIn = id(ok(hb.api(http.MethodPost, "/api/v1/threads", map[string]any{"board_id": s.board.ID,
		"title": "Voicemail keeps asking for a PIN", "body": "I never set a PIN for voicemail."}), "helper asks"))
	p.reply = id(ok(p.b.api(http.MethodPost, "/api/v1/threads/"+itoa(p.answeredIn)+"/posts", map[string]any{"body": "The default PIN is the last four digits of your number."}), "reply"))
	ok(hb.api(http.MethodPost, "/api/v1/posts/"+itoa(p.reply)+"/kudos", nil), "receive kudos")
	ok(hb.api(http.MethodPost, "/api/v1/threads/"+itoa(p.answeredIn)+"/accept", map[string]any{"post_id": p.reply}), "be accepted")
	hq := ok(hb.api(http.MethodGet, "/api/v1/threads/"+itoa(p.answeredIn), nil), "read helper's thread")
	ok(p.b.api(http.MethodPost, "/api/v1/posts/"+itoa(id(hq["posts"].([]any)[0].(map[string]any)))+"/flags",
		map[string]any{"reason": "off_topic", "note": "This belongs in the voicemail board."}), "flag")

	p.escalated = id(ok(p.b.api(http.MethodPost, "/api/v1/threads", map[string]any{"board_id": s.board.ID,
		"title": "Cannot make calls since Tuesday", "body": "Every call fails with a busy tone."}), "ask again"))
	ok(p.b.api(http.MethodPost, "/api/v1/threads/"+itoa(p.escalated)+"/escalate", map[string]any{"reason": "Nobody has answered and I cannot make calls"}), "escalate")

	ok(p.b.api(http.MethodPut, "/api/v1/boards/"+itoa(s.board.ID)+"/follow", nil), "follow")
	ok(p.b.api(http.MethodPut, "/api/v1/notifications/preferences", map[string]any{"email": "daily", "reminders": true}), "preferences")
	ok(p.b.post("/survey/"+itoa(p.answeredIn), url.Values{"answer": {"yes"}}), "survey")
	ok(p.b.get("/contact?from="+itoa(p.answeredIn)), "contact")
	read := httptest.NewRequest(http.MethodGet, "/t/"+itoa(p.answeredIn)+"/voicemail-keeps-asking-for-a-pin", nil)
	read.Header.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) Chrome/126.0")
	ok(p.b.do(read), "read")
	// Views are written in batches; this writes the batch now.
	if _, err := s.app.ReportFlushViews(context.Background()); err != nil {
		t.Fatal(err)
	}
	return helper, admin
}

// pvSignsInElsewhere gives the subject what single sign-on and password
// reset keep about a member: an identity at the brand's provider (connected
// with their password), a second one still waiting for that confirmation,
// and a reset link that was mailed and not used.
func pvSignsInElsewhere(t *testing.T, s *site, p *pvSubject, admin member) *ssoSite {
	t.Helper()
	ctx := context.Background()
	op := oidcop.Start(t)
	pr, err := s.app.Services().SSO.Add(ctx, admin.actor, sso.Config{Label: "Acme ID", Issuer: op.Issuer, ClientID: op.ClientID, ClientSecret: op.ClientSecret})
	if err != nil {
		t.Fatal(err)
	}
	ss := &ssoSite{site: s, op: op, provider: pr, admin: admin}
	p.subjects = []string{"acme-subject-" + p.phrase, "acme-work-subject-" + p.phrase}
	op.AddUser(oidcop.User{Subject: p.subjects[0], Username: "zeph", Password: "op-pass", Email: p.email, EmailVerified: true})
	op.AddUser(oidcop.User{Subject: p.subjects[1], Username: "zeph-work", Password: "op-pass", Email: p.email, EmailVerified: true})
	b := s.browser()
	if r := ss.signInVia(b, pr.ID, "zeph", "op-pass"); r.header.Get("Location") != "/sso/link" {
		t.Fatalf("sign-in with the provider: %d %s", r.code, r.header.Get("Location"))
	}
	b.get("/sso/link")
	if r := b.post("/sso/link", url.Values{"password": {p.password}}); r.code != http.StatusSeeOther {
		t.Fatalf("connecting the provider: %d %s", r.code, clip(r.body))
	}
	if r := ss.signInVia(s.browser(), pr.ID, "zeph-work", "op-pass"); r.header.Get("Location") != "/sso/link" {
		t.Fatalf("second sign-in with the provider: %d %s", r.code, r.header.Get("Location"))
	}
	// Asked for, and mailed: the outbox mints the link's token as it sends.
	none := func(context.Context, sqldb.Querier, int64, int64) error { return nil }
	if err := s.members.RequestReset(ctx, s.brand.ID, p.email, none); err != nil {
		t.Fatal(err)
	}
	tok, err := account.MintReset(ctx, s.app.DB(), p.id, s.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	p.resetPath = "/password/reset/" + tok
	return ss
}

// keptRows are the tables that keep an erased member's rows, by their
// account's id and nothing else, so that no count or figure changes.
var keptRows = map[string]string{
	"reputation_events":  "the ledger: every report and total adds it up",
	"reputation_rollups": "the ledger's sums by day, week and month",
	"kudos":              "posts' kudos counts, given and received",
	"flags":              "the review queue's counts (the note is emptied)",
	"deflection_survey":  "the deflection report's survey answers",
	"contact_clicks":     "the deflection report's clicks on Contact us",
}

// dbRowsOf lists the tables with a user_id column that still hold rows of
// the member and do not keep them on purpose (keptRows). A table added later
// is checked too.
func dbRowsOf(t *testing.T, s *site, userID int64) []string {
	t.Helper()
	ctx := context.Background()
	db := s.app.DB()
	q := `SELECT m.name FROM sqlite_master m, pragma_table_info(m.name) c WHERE m.type = 'table' AND c.name = 'user_id' ORDER BY m.name`
	if db.Dialect() == sqldb.Postgres {
		q = `SELECT table_name FROM information_schema.columns WHERE table_schema = current_schema() AND column_name = 'user_id' ORDER BY table_name`
	}
	rows, err := db.Query(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, n)
	}
	rows.Close()
	if len(tables) < 10 {
		t.Fatalf("only %d tables with a user_id: the schema was not enumerated", len(tables))
	}
	var found []string
	for _, table := range tables {
		var n int
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM "`+table+`" WHERE user_id = ?`, userID).Scan(&n); err != nil {
			t.Fatalf("rows of %s: %v", table, err)
		}
		if n > 0 && keptRows[table] == "" {
			found = append(found, table)
		}
	}
	return found
}

// dbHolding lists "table.column" for every column of every table in which
// any of the values occurs (case-insensitively), by enumerating the schema
// itself: a table added later is scanned too.
func dbHolding(t *testing.T, s *site, values ...string) map[string][]string {
	t.Helper()
	ctx := context.Background()
	db := s.app.DB()
	type col struct{ table, column string }
	var cols []col
	if db.Dialect() == sqldb.Postgres {
		rows, err := db.Query(ctx, `SELECT table_name, column_name FROM information_schema.columns
WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var c col
			if err := rows.Scan(&c.table, &c.column); err != nil {
				t.Fatal(err)
			}
			cols = append(cols, c)
		}
		rows.Close()
	} else {
		rows, err := db.Query(ctx, `SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for rows.Next() {
			var n string
			if err := rows.Scan(&n); err != nil {
				t.Fatal(err)
			}
			names = append(names, n)
		}
		rows.Close()
		for _, n := range names {
			info, err := db.Query(ctx, `SELECT name FROM pragma_table_info(?)`, n)
			if err != nil {
				t.Fatal(err)
			}
			for info.Next() {
				var c string
				if err := info.Scan(&c); err != nil {
					t.Fatal(err)
				}
				cols = append(cols, col{n, c})
			}
			info.Close()
		}
	}
	if len(cols) < 100 {
		t.Fatalf("only %d columns found: the schema was not enumerated", len(cols))
	}
	found := map[string][]string{}
	for _, c := range cols {
		expr := `CAST("` + c.column + `" AS TEXT)`
		for _, v := range values {
			var q string
			args := []any{"%" + strings.ToLower(v) + "%"}
			if db.Dialect() == sqldb.Postgres {
				q = `SELECT COUNT(*) FROM "` + c.table + `" WHERE LOWER(` + expr + `) LIKE ?`
			} else {
				// instr over the bytes also finds a value inside a blob
				// (the full-text index's segments), where LIKE stops at NUL.
				q = `SELECT COUNT(*) FROM "` + c.table + `" WHERE LOWER(` + expr + `) LIKE ? OR instr(CAST("` + c.column + `" AS BLOB), CAST(? AS BLOB)) > 0`
				args = append(args, strings.ToLower(v))
			}
			var n int
			if err := db.QueryRow(ctx, q, args...).Scan(&n); err != nil {
				t.Fatalf("scan %s.%s: %v", c.table, c.column, err)
			}
			if n > 0 {
				found[v] = append(found[v], c.table+"."+c.column)
			}
		}
	}
	return found
}

// pvFigures is every report a brand reads, as its API serves it, and the
// counts behind them. Names are left out: an erased member's name changes,
// and nothing else may.
func pvFigures(t *testing.T, s *site, admin member, names ...string) map[string]string {
	t.Helper()
	b := s.bearerClient(admin)
	out := map[string]string{}
	for _, path := range []string{"/api/v1/reports/deflection", "/api/v1/reports/deflection?group=month", "/api/v1/leaderboard",
		"/api/v1/leaderboard?period=month", "/api/v1/leaderboard?period=week", "/api/v1/boards/" + itoa(s.board.ID) + "/top-helpers",
		"/api/v1/escalations/stats", "/api/v1/reputation/export?from=2025-01-01&to=2025-12-31"} {
		r := b.api(http.MethodGet, path, nil)
		if r.code != http.StatusOK {
			t.Fatalf("%s: %d %s", path, r.code, clip(r.body))
		}
		out[path] = withoutNames(t, r.body, names)
	}
	for _, q := range []string{`SELECT COUNT(*) FROM users`, `SELECT COUNT(*) FROM threads`, `SELECT COUNT(*) FROM posts`,
		`SELECT COUNT(*) FROM kudos`, `SELECT COALESCE(SUM(kudos_count), 0) FROM posts`, `SELECT COUNT(*) FROM reputation_events`,
		`SELECT COALESCE(SUM(delta), 0) FROM reputation_events`, `SELECT COALESCE(SUM(reputation), 0) FROM users`,
		`SELECT COALESCE(SUM(points), 0) FROM reputation_rollups`, `SELECT COUNT(*) FROM escalations`, `SELECT COUNT(*) FROM escalation_events`,
		`SELECT COUNT(*) FROM deflection_survey`, `SELECT COUNT(*) FROM contact_clicks`, `SELECT COUNT(*) FROM thread_view_days`,
		`SELECT COUNT(*) FROM report_accepts`, `SELECT COUNT(*) FROM flags`} {
		var n int64
		if err := s.app.DB().QueryRow(context.Background(), q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		out[q] = fmt.Sprint(n)
	}
	return out
}

// withoutNames re-encodes a JSON body with every string that names one of
// the given members (or a former member) blanked. An address (a name with
// "@") is what erasure empties, so it becomes empty.
func withoutNames(t *testing.T, body string, names []string) string {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		// A CSV export: blank the names in place.
		for _, n := range append(names, account.FormerMember) {
			blank := "<name>"
			if strings.Contains(n, "@") {
				blank = ""
			}
			body = strings.ReplaceAll(body, n, blank)
		}
		return body
	}
	var walk func(any) any
	walk = func(x any) any {
		switch x := x.(type) {
		case map[string]any:
			for k, e := range x {
				x[k] = walk(e)
			}
		case []any:
			for i, e := range x {
				x[i] = walk(e)
			}
		case string:
			for _, n := range append(names, account.FormerMember, url.PathEscape(account.FormerMember)) {
				if strings.Contains(x, n) {
					return "<name>"
				}
			}
		}
		return x
	}
	out, _ := json.Marshal(walk(v))
	return string(out)
}

func TestMemberDeletesAccountAndNothingPersonalRemains(t *testing.T) {
	privacyStores(t, func(t *testing.T, s *site) {
		p := newPVSubject(t, s, "Zephyrine42")
		helper, admin := pvCommunity(t, s, &p)
		ss := pvSignsInElsewhere(t, s, &p, admin)

		// The scans find what is there, so their silence later means something.
		if got := dbHolding(t, s, p.name, p.email, p.phrase, p.subjects[0], p.subjects[1]); len(got) != 5 {
			t.Fatalf("before erasure the scan should find the name, address, phrase and provider subjects; found %v", got)
		}
		for _, table := range []string{"password_resets", "sso_identities", "sso_flows", "sessions", "api_tokens"} {
			if !slices.Contains(dbRowsOf(t, s, p.id), table) {
				t.Fatalf("before erasure the member should have rows in %s", table)
			}
		}
		before := pvFigures(t, s, admin, p.name, p.email)

		page := p.b.get("/settings/privacy")
		if page.code != http.StatusOK || !strings.Contains(page.body, "Delete my account") || !strings.Contains(page.body, "a former member") {
			t.Fatalf("privacy page: %d %s", page.code, clip(page.body))
		}
		// A wrong password or confirmation changes nothing and keeps what was typed.
		r := p.b.post("/settings/privacy/delete", url.Values{"confirm_username": {p.name}, "password": {"not my password at all"}})
		if r.code != http.StatusUnprocessableEntity || !strings.Contains(r.body, "That is not your password.") || !strings.Contains(r.body, `value="`+p.name+`"`) {
			t.Fatalf("wrong password: %d %s", r.code, clip(r.body))
		}
		r = p.b.post("/settings/privacy/delete", url.Values{"confirm_username": {"Zephyrine"}, "password": {p.password}})
		if r.code != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Type your username, "+p.name+", to confirm.") {
			t.Fatalf("wrong confirmation: %d %s", r.code, clip(r.body))
		}
		if got := dbHolding(t, s, p.email); len(got) == 0 {
			t.Fatal("a refused deletion erased the account")
		}

		r = p.b.post("/settings/privacy/delete", url.Values{"confirm_username": {strings.ToLower(p.name)}, "password": {p.password}})
		if r.code != http.StatusSeeOther || r.header.Get("Location") != "/" {
			t.Fatalf("delete: %d %s", r.code, clip(r.body))
		}
		if c := r.cookie("mutual_session"); c == nil || c.MaxAge >= 0 {
			t.Error("the session cookie was not cleared")
		}
		home := p.b.get("/")
		if !strings.Contains(home.body, "Your account is deleted") || strings.Contains(home.body, "Sign out") {
			t.Errorf("after deleting, the home page should say so and show a visitor: %s", clip(home.body))
		}

		if got := dbHolding(t, s, p.personal()...); len(got) > 0 {
			t.Errorf("personal data of the erased member remains: %v", got)
		}
		if got := dbRowsOf(t, s, p.id); len(got) > 0 {
			t.Errorf("rows of the erased member remain in %v", got)
		}
		after := pvFigures(t, s, admin, p.name, p.email)
		for k, v := range before {
			if after[k] != v {
				t.Errorf("%s changed with the erasure:\nbefore %s\nafter  %s", k, v, after[k])
			}
		}

		// Their posts stay, by a former member; their profile is gone.
		th := s.browser().get("/t/" + itoa(p.answeredIn) + "/voicemail-keeps-asking-for-a-pin")
		if !strings.Contains(th.body, "a former member") || strings.Contains(th.body, p.name) ||
			!strings.Contains(th.body, "The default PIN is the last four digits") {
			t.Errorf("thread page after erasure: %s", clip(th.body))
		}
		if r := s.browser().get("/u/" + p.name); r.code != http.StatusNotFound {
			t.Errorf("the erased member's profile: %d", r.code)
		}
		// Nothing signs them in: not the old session, the password, nor the token.
		if r := p.b.get("/settings/privacy"); r.code != http.StatusSeeOther {
			t.Errorf("old session still works: %d", r.code)
		}
		if r := s.bearerClient(member{token: p.token}).api(http.MethodGet, "/api/v1/me", nil); r.code != http.StatusUnauthorized {
			t.Errorf("old API token still works: %d", r.code)
		}
		lb := s.browser()
		lb.get("/login")
		if r := lb.post("/login", url.Values{"login": {p.email}, "password": {p.password}}); r.code != http.StatusUnauthorized {
			t.Errorf("signing in by the old address: %d", r.code)
		}
		if r := s.browser().get(p.resetPath); r.code != http.StatusNotFound {
			t.Errorf("the reset link mailed before the erasure still opens a form: %d %s", r.code, clip(r.body))
		}
		// The provider no longer reaches the account: signing in there makes a newcomer.
		users := ss.userCount()
		sb := s.browser()
		if r := ss.signInVia(sb, ss.provider.ID, "zeph", "op-pass"); r.code != http.StatusSeeOther || ss.userCount() != users+1 ||
			!strings.Contains(sb.get("/").body, "Welcome! Your account is ready.") {
			t.Errorf("signing in with the erased member's provider identity: %d %s", r.code, r.header.Get("Location"))
		}
		// The helper still sees their own data whole.
		if h := s.bearerClient(helper).api(http.MethodGet, "/api/v1/me/export", nil).json(t); len(h["content"].(map[string]any)["posts"].([]any)) != 2 {
			t.Errorf("the helper's export lost posts: %v", h["content"])
		}

		// The name is held: refused at sign-up, in any case, until the hold ends.
		for _, name := range []string{p.name, strings.ToUpper(p.name)} {
			nb := s.browser()
			nb.get("/signup")
			r := nb.post("/signup", url.Values{"username": {name}, "email": {"someone.new@example.org"}, "password": {"another long passphrase"}})
			if r.code != http.StatusUnprocessableEntity || !strings.Contains(r.body, "That username is taken; choose another.") {
				t.Errorf("sign-up as %s within the hold: %d %s", name, r.code, clip(r.body))
			}
		}
		s.clock.Add(91 * 24 * time.Hour)
		nb := s.browser()
		nb.get("/signup")
		if r := nb.post("/signup", url.Values{"username": {p.name}, "email": {"someone.new@example.org"}, "password": {"another long passphrase"}}); r.code != http.StatusSeeOther {
			t.Errorf("sign-up after the hold: %d %s", r.code, clip(r.body))
		}

		// Audited, naming nobody.
		audit := s.bearerClient(admin).api(http.MethodGet, "/api/v1/audit?act=member_erased", nil)
		if audit.code != http.StatusOK || !strings.Contains(audit.body, `"act":"member_erased"`) || !strings.Contains(audit.body, `"requested_by":"member"`) {
			t.Errorf("audit of the erasure: %d %s", audit.code, clip(audit.body))
		}
		s.noErrorLogs()
	})
}

func TestMemberDataExportHoldsEveryCategory(t *testing.T) {
	s := newSite(t)
	p := newPVSubject(t, s, "Zephyrine42")
	_, admin := pvCommunity(t, s, &p)
	ss := pvSignsInElsewhere(t, s, &p, admin)

	r := p.b.get("/settings/privacy/export")
	if r.code != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") ||
		!strings.Contains(r.header.Get("Content-Disposition"), `attachment; filename="localhost-Zephyrine42-data-20250506.json"`) ||
		r.header.Get("Cache-Control") != "private, no-store" {
		t.Fatalf("export: %d %v %s", r.code, r.header, clip(r.body))
	}
	ar := r.json(t)
	if ar["format"] != "mutual.member-data" || ar["version"] != float64(1) || ar["requested_by"] != "member" {
		t.Errorf("archive header: %v %v %v", ar["format"], ar["version"], ar["requested_by"])
	}
	at := func(path string) any {
		var v any = ar
		for _, k := range strings.Split(path, ".") {
			m, ok := v.(map[string]any)
			if !ok {
				t.Fatalf("%s: %v is not an object", path, v)
			}
			v = m[k]
		}
		return v
	}
	count := func(path string) int {
		l, ok := at(path).([]any)
		if !ok {
			t.Fatalf("%s is not a list: %v", path, at(path))
		}
		return len(l)
	}
	for path, want := range map[string]any{
		"account.profile.username": p.name, "account.profile.email": p.email,
		"account.profile.bio": "I fix radios; ask me about " + p.phrase + ".", "account.profile.signs_in_with_password": true,
		"notifications.preferences.email": "daily", "reputation.total": float64(27),
	} {
		if got := at(path); got != want {
			t.Errorf("%s = %v, want %v", path, got, want)
		}
	}
	for path, want := range map[string]int{
		"account.sessions": 2, "account.api_tokens": 1, "account.password_resets": 1, "single_sign_on.identities": 1,
		"single_sign_on.pending_links": 1, "content.threads_asked": 2, "content.posts": 3, "content.revisions": 4,
		"content.kudos_given": 1, "content.kudos_received": 1, "reputation.events": 3, "notifications.notifications": 3,
		"notifications.threads_watched": 3, "notifications.boards_followed": 1, "reading_and_surveys.survey_answers": 1,
		"reading_and_surveys.contact_clicks": 1, "reading_and_surveys.threads_read": 1, "escalations.of_your_questions": 1,
		"moderation.flags_raised": 1,
	} {
		if got := count(path); got != want {
			t.Errorf("%s has %d entries, want %d", path, got, want)
		}
	}
	if tok := at("account.api_tokens").([]any)[0].(map[string]any); tok["name"] != "my phone app" || tok["expires_at"] != nil {
		t.Errorf("token: %v", tok)
	}
	if reset := at("account.password_resets").([]any)[0].(map[string]any); reset["requested_at"] != "2025-05-06T10:00:30Z" ||
		reset["link_expires_at"] != "2025-05-06T11:00:30Z" || reset["used_at"] != nil || len(reset) != 3 {
		t.Errorf("reset request: %v", reset)
	}
	if id := at("single_sign_on.identities").([]any)[0].(map[string]any); id["provider"] != "Acme ID" || id["issuer"] != ss.op.Issuer ||
		id["subject"] != p.subjects[0] || id["connected_at"] == nil || len(id) != 5 {
		t.Errorf("identity: %v", id)
	}
	if l := at("single_sign_on.pending_links").([]any)[0].(map[string]any); l["subject"] != p.subjects[1] || l["expires_at"] != "2025-05-06T10:15:30Z" {
		t.Errorf("pending link: %v", l)
	}
	if rev := at("content.revisions").([]any)[0].(map[string]any); rev["body_markdown"] != "The shop said it takes a day; it has been three." ||
		rev["your_post"] != true || rev["edited_by_you"] != true || rev["title"] != "How do I move my number to a new SIM?" {
		t.Errorf("the question's first version: %v", rev)
	}

	// No secret, and no hash of one, is ever part of it.
	ctx := context.Background()
	var secrets []string
	rows, err := s.app.DB().Query(ctx, `SELECT password_hash FROM users WHERE id = ?
UNION ALL SELECT id FROM sessions WHERE user_id = ? UNION ALL SELECT csrf_token FROM sessions WHERE user_id = ?
UNION ALL SELECT token_hash FROM api_tokens WHERE user_id = ? UNION ALL SELECT token_hash FROM password_resets WHERE user_id = ?
UNION ALL SELECT key_hash || ' ' || nonce || ' ' || verifier FROM sso_flows WHERE user_id = ?`, p.id, p.id, p.id, p.id, p.id, p.id)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		secrets = append(secrets, v)
	}
	rows.Close()
	if len(secrets) != 8 {
		t.Fatalf("found %d secrets to look for, want 8", len(secrets))
	}
	for _, sec := range append(secrets, p.token, p.password, p.b.cookies["mutual_session"], p.resetPath[len("/password/reset/"):], ss.op.ClientSecret) {
		if strings.Contains(r.body, sec) {
			t.Errorf("the export contains a secret: %.12s…", sec)
		}
	}

	// An administrator produces the same for any member of the brand.
	ab := s.signedIn(admin)
	page := ab.get("/admin/privacy/users/" + p.name)
	if page.code != http.StatusOK || !strings.Contains(page.body, "/admin/privacy/users/"+p.name+"/export") {
		t.Fatalf("admin's member page: %d %s", page.code, clip(page.body))
	}
	if rec := ab.get("/mod/users/" + p.name); !strings.Contains(rec.body, "Export or erase this member&#39;s data") {
		t.Errorf("the member record does not link the data rights page: %s", clip(rec.body))
	}
	byAdmin := ab.get("/admin/privacy/users/" + p.name + "/export").json(t)
	if byAdmin["requested_by"] != "administrator" || byAdmin["account"].(map[string]any)["profile"].(map[string]any)["email"] != p.email {
		t.Errorf("admin's export: %v", byAdmin["account"])
	}
	viaAPI := s.bearerClient(admin).api(http.MethodGet, "/api/v1/users/"+p.name+"/export", nil).json(t)
	if len(viaAPI["content"].(map[string]any)["posts"].([]any)) != 3 {
		t.Errorf("API export: %v", viaAPI["content"])
	}
	own := s.bearerClient(member{token: p.token}).api(http.MethodGet, "/api/v1/me/export", nil).json(t)
	if own["account"].(map[string]any)["profile"].(map[string]any)["username"] != p.name {
		t.Errorf("own API export: %v", own["account"])
	}
	audit := s.bearerClient(admin).api(http.MethodGet, "/api/v1/audit?act=member_data_exported", nil)
	if n := strings.Count(audit.body, `"act":"member_data_exported"`); n != 4 {
		t.Errorf("%d exports audited, want 4: %s", n, clip(audit.body))
	}
	s.noErrorLogs()
}

func TestAdministratorErasesUnderTheRemovePolicy(t *testing.T) {
	privacyStores(t, func(t *testing.T, s *site) {
		p := newPVSubject(t, s, "Marguerite_B")
		_, admin := pvCommunity(t, s, &p)
		ab := s.signedIn(admin)
		ab.get("/admin/privacy")
		if r := ab.post("/admin/privacy", url.Values{"erased_posts": {"remove"}, "username_hold_days": {"30"}}); r.code != http.StatusSeeOther {
			t.Fatalf("policy: %d %s", r.code, clip(r.body))
		}
		words := []string{"porting code", "three days now", "last four digits", "move my number"}
		if got := dbHolding(t, s, words...); len(got) != len(words) {
			t.Fatalf("before: the scan should find the member's words; found %v", got)
		}
		before := pvFigures(t, s, admin, p.name, p.email)
		// Search finds the member's accepted answer before...
		found := func() bool {
			return strings.Contains(s.browser().get("/api/v1/search?q=four+digits").body, "Voicemail keeps asking for a PIN")
		}
		waitFor(t, "the answer is indexed", found)

		page := ab.get("/admin/privacy/users/" + p.name)
		if !strings.Contains(page.body, "The text of their questions and replies is removed.") || !strings.Contains(page.body, "for 30 days") {
			t.Errorf("the erase form does not say what the policy does: %s", clip(page.body))
		}
		r := ab.post("/admin/privacy/users/"+p.name+"/erase", url.Values{"confirm_username": {"Marguerite"}, "reason": {"Request #4471"}})
		if r.code != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Type the member&#39;s username, Marguerite_B, to confirm.") ||
			!strings.Contains(r.body, `value="Request #4471"`) {
			t.Fatalf("wrong confirmation: %d %s", r.code, clip(r.body))
		}
		r = ab.post("/admin/privacy/users/"+p.name+"/erase", url.Values{"confirm_username": {p.name}, "reason": {"Request #4471"}})
		if r.code != http.StatusSeeOther || r.header.Get("Location") != "/admin/privacy" {
			t.Fatalf("erase: %d %s", r.code, clip(r.body))
		}
		if got := dbHolding(t, s, append(p.personal(), "three days now", "last four digits", "move my number")...); len(got) > 0 {
			t.Errorf("the erased member's data or words remain: %v", got)
		}
		// The helper's reply quoted in no one's post stays.
		if got := dbHolding(t, s, "porting code"); len(got) == 0 {
			t.Error("the helper's reply was removed with the member's")
		}
		after := pvFigures(t, s, admin, p.name, p.email)
		for k, v := range before {
			if after[k] != v {
				t.Errorf("%s changed with the erasure:\nbefore %s\nafter  %s", k, v, after[k])
			}
		}
		th := s.browser().get("/t/" + itoa(p.asked) + "/removed")
		if th.code != http.StatusOK || !strings.Contains(th.body, "Removed at its author&#39;s request") ||
			!strings.Contains(th.body, "This post was removed at its author&#39;s request.") || !strings.Contains(th.body, "porting code") {
			t.Errorf("thread after removal: %d %s", th.code, clip(th.body))
		}
		// ... and not after.
		if found() {
			t.Error("search still finds the removed answer")
		}
		audit := s.bearerClient(admin).api(http.MethodGet, "/api/v1/audit?act=member_erased", nil)
		if !strings.Contains(audit.body, `"reason":"Request #4471"`) || !strings.Contains(audit.body, `"requested_by":"administrator"`) ||
			!strings.Contains(audit.body, `"posts_policy":"remove"`) {
			t.Errorf("audit: %s", clip(audit.body))
		}
		// Irreversible: the account cannot be found to erase again.
		if r := s.bearerClient(admin).api(http.MethodPost, "/api/v1/users/"+p.name+"/erase", map[string]any{"confirm_username": p.name}); r.code != http.StatusNotFound {
			t.Errorf("erasing again: %d %s", r.code, clip(r.body))
		}
		s.noErrorLogs()
	})
}

func TestErasingATrustedMemberUnnamesTheirEscalations(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	admin := s.user(s.brand.ID, "pv_admin", "admin")
	asker := s.user(s.brand.ID, "quiet_asker")
	trusted := s.user(s.brand.ID, "Ottoline_T", "trusted")
	if _, err := s.app.DB().Exec(ctx, `INSERT INTO escalation_settings (brand_id, webhook_url, webhook_secret) VALUES (?, ?, ?)`,
		s.brand.ID, "https://crm.example/hook", "s3cret-s3cret-s3cret"); err != nil {
		t.Fatal(err)
	}
	th := apiObject(t, s.bearerClient(asker).api(http.MethodPost, "/api/v1/threads", map[string]any{"board_id": s.board.ID,
		"title": "My bill doubled this month", "body": "Nothing changed on my plan."}), http.StatusCreated)
	tid := itoa(int64(th["id"].(float64)))
	if r := s.bearerClient(trusted).api(http.MethodPost, "/api/v1/threads/"+tid+"/escalate", map[string]any{"reason": "Billing errors need staff"}); r.code >= 300 {
		t.Fatalf("escalate: %d %s", r.code, clip(r.body))
	}
	if got := dbHolding(t, s, "Ottoline_T"); len(got["Ottoline_T"]) < 3 {
		t.Fatalf("the escalation should quote the trusted member in its reason, events and webhook log: %v", got)
	}
	if r := s.bearerClient(admin).api(http.MethodPost, "/api/v1/users/Ottoline_T/erase", map[string]any{"confirm_username": "ottoline_t", "reason": "Asked by mail"}); r.code != http.StatusOK {
		t.Fatalf("erase: %d %s", r.code, clip(r.body))
	}
	if got := dbHolding(t, s, "Ottoline_T", "ottoline_t@example.com"); len(got) > 0 {
		t.Errorf("the trusted member is still named: %v", got)
	}
	x := s.bearerClient(admin).api(http.MethodGet, "/api/v1/escalations", nil)
	if !strings.Contains(x.body, "Escalated by a former member: Billing errors need staff") {
		t.Errorf("escalation reason after erasure: %s", clip(x.body))
	}
	s.noErrorLogs()
}

func TestPrivacyFormsSayWhatIsWrong(t *testing.T) {
	s := newSite(t)
	admin := s.user(s.brand.ID, "pv_admin", "admin")
	// The administrator made at first start steps down: pv_admin is the only one.
	if _, err := s.app.DB().Exec(context.Background(), `DELETE FROM role_assignments WHERE role = 'admin' AND user_id <> ?`, admin.actor.UserID); err != nil {
		t.Fatal(err)
	}
	ab := s.signedIn(admin)
	ab.get("/admin/privacy")
	s.run([]scenario{
		{name: "policy must be known", method: "POST", path: "/admin/privacy", as: ab, form: url.Values{"erased_posts": {"burn"}, "username_hold_days": {"90"}},
			status: 422, contains: []string{"Choose whether an erased member&#39;s posts are kept"}},
		{name: "hold must be a number", method: "POST", path: "/admin/privacy", as: ab, form: url.Values{"erased_posts": {"keep"}, "username_hold_days": {"ninety"}},
			status: 422, contains: []string{"Give the hold as a whole number of days.", `value="ninety"`}},
		{name: "hold has bounds", method: "PUT", path: "/api/v1/privacy/settings", as: s.bearerClient(admin), json: map[string]any{"erased_posts": "keep", "username_hold_days": 99999},
			status: 422, contains: []string{`"username_hold_days":"Hold a username for 0 to 3650 days."`}},
		{name: "saved", method: "PUT", path: "/api/v1/privacy/settings", as: s.bearerClient(admin), json: map[string]any{"erased_posts": "remove", "username_hold_days": 0},
			status: 200, contains: []string{`{"erased_posts":"remove","username_hold_days":0}`}},
		{name: "unknown member", method: "GET", path: "/admin/privacy?member=nobody_here", as: ab,
			status: 404, contains: []string{"There is no member called nobody_here here.", `value="nobody_here"`}},
		{name: "known member", method: "GET", path: "/admin/privacy?member=pv_admin", as: ab, status: 303, location: "/admin/privacy/users/pv_admin"},
		{name: "own account from the admin's route", method: "POST", path: "/api/v1/users/pv_admin/erase", as: s.bearerClient(admin),
			json: map[string]any{"confirm_username": "pv_admin"}, status: 403, contains: []string{"use your privacy settings"}},
		{name: "the only administrator stays", method: "DELETE", path: "/api/v1/me", as: s.bearerClient(admin),
			json: map[string]any{"confirm_username": "pv_admin"}, status: 409, contains: []string{"only administrator"}},
		{name: "not JSON", method: "DELETE", path: "/api/v1/me", as: s.bearerClient(admin), json: "confirm", status: 400},
		{name: "unknown member's export", method: "GET", path: "/api/v1/users/nobody_here/export", as: s.bearerClient(admin), status: 404},
	})
	// A second administrator can leave; the page shows the conflict on the form.
	ab.get("/settings/privacy")
	r := ab.post("/settings/privacy/delete", url.Values{"confirm_username": {"pv_admin"}})
	if r.code != http.StatusUnprocessableEntity || !strings.Contains(r.body, "only administrator") || !strings.Contains(r.body, "no password here") {
		t.Errorf("the only administrator deleting: %d %s", r.code, clip(r.body))
	}
	second := s.user(s.brand.ID, "pv_admin2", "admin")
	if r := s.bearerClient(second).api(http.MethodDelete, "/api/v1/me", map[string]any{"confirm_username": "pv_admin2"}); r.code != http.StatusOK ||
		!strings.Contains(r.body, `"erased":true`) || !strings.Contains(r.body, `"username_held_until":null`) {
		t.Errorf("a second administrator deleting: %d %s", r.code, clip(r.body))
	}
	s.noErrorLogs()
}
