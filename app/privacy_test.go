package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"mutual/account"
	"mutual/app"
	"mutual/sqldb"
	"mutual/sqldb/sqldbtest"
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
}

// personal is what must not survive an erasure anywhere in the database.
func (p pvSubject) personal() []string { return []string{p.name, p.email, p.ip, p.phrase} }

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
	if r := p.b.get("/t/" + itoa(p.answeredIn)); r.code == http.StatusMovedPermanently {
		ok(p.b.get(r.header.Get("Location")), "read")
	}
	// Views are written in batches; this writes the batch now.
	if _, err := s.app.ReportFlushViews(context.Background()); err != nil {
		t.Fatal(err)
	}
	return helper, admin
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

		// The scan finds what is there, so its silence later means something.
		if got := dbHolding(t, s, p.name, p.email, p.phrase); len(got) != 3 {
			t.Fatalf("before erasure the scan should find the name, address and phrase; found %v", got)
		}
		before := pvFigures(t, s, admin, p.name, p.email)

		page := p.b.get("/settings/privacy")
		if page.code != http.StatusOK || !strings.Contains(page.body, "Delete my account") || !strings.Contains(page.body, "a former member") {
			t.Fatalf("privacy page: %d %s", page.code, clip(page.body))
		}
		// A wrong password or confirmation changes nothing and keeps what was typed.
		r := p.b.post("/settings/privacy/delete", url.Values{"confirm": {p.name}, "password": {"not my password at all"}})
		if r.code != http.StatusUnprocessableEntity || !strings.Contains(r.body, "That is not your password.") || !strings.Contains(r.body, `value="`+p.name+`"`) {
			t.Fatalf("wrong password: %d %s", r.code, clip(r.body))
		}
		r = p.b.post("/settings/privacy/delete", url.Values{"confirm": {"Zephyrine"}, "password": {p.password}})
		if r.code != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Type your username, "+p.name+", to confirm.") {
			t.Fatalf("wrong confirmation: %d %s", r.code, clip(r.body))
		}
		if got := dbHolding(t, s, p.email); len(got) == 0 {
			t.Fatal("a refused deletion erased the account")
		}

		r = p.b.post("/settings/privacy/delete", url.Values{"confirm": {strings.ToLower(p.name)}, "password": {p.password}})
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
