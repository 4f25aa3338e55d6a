package stackexchange

import (
	"context"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"mutual/sqldb"
)

const bom = "\xEF\xBB\xBF"

// tinyDump is a hand-written dump with what real dumps throw at an importer.
var tinyDump = map[string]string{
	PostsFile: bom + `<?xml version="1.0" encoding="utf-8"?>
<posts>
  <row Id="1" PostTypeId="1" AcceptedAnswerId="3" CreationDate="2020-01-01T10:00:00.000" Score="3" ViewCount="42" Body="&lt;p&gt;Hello &lt;script&gt;alert(1)&lt;/script&gt;&lt;b onclick=&quot;steal()&quot;&gt;world&lt;/b&gt; &lt;a href=&quot;javascript:alert(2)&quot;&gt;click&lt;/a&gt; &lt;img src=x onerror=&quot;alert(3)&quot;&gt;&lt;/p&gt;&#xA;" Title="Who owns this question &amp; why?" Tags="&lt;hops&gt;&lt;taste&gt;" AnswerCount="2" />
  <row Id="2" PostTypeId="1" CreationDate="2020-01-02T10:00:00" Body="&lt;p&gt;Asked by the Community bot, with &lt;code&gt;code&lt;/code&gt;.&lt;/p&gt;" OwnerUserId="-1" Title="A community question" Tags="|taste|" />
  <row Id="3" PostTypeId="2" ParentId="1" CreationDate="2020-01-01T11:00:00.000" Body="&lt;p&gt;An &lt;em&gt;answer&lt;/em&gt;.&lt;/p&gt;" OwnerUserId="7" />
  <row Id="4" PostTypeId="2" ParentId="99" CreationDate="2020-01-01T12:00:00.000" Body="&lt;p&gt;An answer to a deleted question&lt;/p&gt;" OwnerUserId="7" />
  <row Id="5" PostTypeId="5" CreationDate="2020-01-01T12:00:00.000" Body="&lt;p&gt;Tag wiki&lt;/p&gt;" OwnerUserId="-1" />
  <row Id="6" PostTypeId="4" CreationDate="2020-01-01T12:00:00.000" Body="Excerpt" OwnerUserId="-1" />
  <row Id="8" PostTypeId="2" ParentId="2" CreationDate="yesterday" Body="&lt;p&gt;bad date&lt;/p&gt;" OwnerUserId="8" />
  <row Id="9" PostTypeId="2" ParentId="2" CreationDate="2020-01-03T09:00:00.000" Body="&lt;p&gt;Self answer&lt;/p&gt;" OwnerUserId="-1" />
</posts>
`,
	UsersFile: bom + `<?xml version="1.0" encoding="utf-8"?>
<users>
  <row Id="-1" Reputation="1" CreationDate="2014-01-21T17:45:53.587" DisplayName="Community" />
  <row Id="7" Reputation="9999" CreationDate="2019-05-01T00:00:00.000" DisplayName="Ana Smith" />
  <row Id="8" Reputation="5" CreationDate="2019-06-01T00:00:00.000" DisplayName="ana smith" />
  <row Id="9" Reputation="1" CreationDate="2019-07-01T00:00:00.000" DisplayName="Lurker" />
</users>
`,
	CommentsFile: bom + `<?xml version="1.0" encoding="utf-8"?>
<comments>
  <row Id="1" PostId="3" Score="0" Text="Nice answer, see **this** &lt;script&gt;x()&lt;/script&gt;" CreationDate="2020-01-01T11:30:00.000" UserId="8" />
  <row Id="2" PostId="4" Text="On the orphan" CreationDate="2020-01-01T12:30:00.000" UserId="8" />
  <row Id="3" PostId="1" Text="From someone deleted" CreationDate="2020-01-01T10:30:00.000" UserDisplayName="gone" />
  <row Id="4" PostId="1" Text="   " CreationDate="2020-01-01T10:40:00.000" UserId="8" />
</comments>
`,
	VotesFile: bom + `<?xml version="1.0" encoding="utf-8"?>
<votes>
  <row Id="1" PostId="3" VoteTypeId="2" CreationDate="2020-01-01T00:00:00.000" />
  <row Id="2" PostId="3" VoteTypeId="2" CreationDate="2020-01-02T00:00:00.000" />
  <row Id="3" PostId="4" VoteTypeId="2" CreationDate="2020-01-02T00:00:00.000" />
  <row Id="4" PostId="5" VoteTypeId="2" CreationDate="2020-01-02T00:00:00.000" />
  <row Id="5" PostId="3" VoteTypeId="3" CreationDate="2020-01-02T00:00:00.000" />
  <row Id="6" PostId="3" VoteTypeId="1" CreationDate="2020-01-05T00:00:00.000" />
  <row Id="7" PostId="1" VoteTypeId="2" UserId="8" CreationDate="2020-01-02T00:00:00.000" />
  <row Id="8" PostId="3" VoteTypeId="2" UserId="7" CreationDate="2020-01-02T00:00:00.000" />
</votes>
`,
	TagsFile: bom + `<?xml version="1.0" encoding="utf-8"?>
<tags>
  <row Id="1" TagName="hops" Count="10" />
  <row Id="2" TagName="taste" Count="5" />
</tags>
`,
}

func writeDump(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "tiny.stackexchange.com")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestImportTinyDump(t *testing.T) {
	eachStore(t, testTiny)
}

func testTiny(t *testing.T, e env) {
	dir := writeDump(t, tinyDump)
	sum, err := e.run(t, dir, Options{TopTags: 1})
	if err != nil {
		t.Fatal(err)
	}
	wantSkipped := map[string]int{
		"Posts.xml: answer whose question is not in the dump or was skipped":                                  1,
		"Posts.xml: tag wiki (PostTypeId 5)":                                                                  1,
		"Posts.xml: tag wiki excerpt (PostTypeId 4)":                                                          1,
		"Posts.xml: bad or missing CreationDate":                                                              1,
		"Comments.xml: comment on a post that is not in the dump or was skipped":                              1,
		"Comments.xml: empty Text":                                                                            1,
		"Votes.xml: up-vote on a post that is not in the dump or was skipped":                                 2,
		"Votes.xml: up-vote on the voter's own post":                                                          1,
		"Votes.xml: VoteTypeId 3 (down-vote) is not imported":                                                 1,
		"Votes.xml: accept vote (VoteTypeId 1): dates the accepted answer, which comes from AcceptedAnswerId": 1,
		`Users.xml: built-in Community account (Id -1): its posts go to the "community" stand-in`:             1,
		"Users.xml: no imported post, comment or up-vote":                                                     1,
	}
	if !maps.Equal(sum.Skipped, wantSkipped) {
		t.Errorf("skipped:\n got %v\nwant %v", sum.Skipped, wantSkipped)
	}
	wantSub := map[string]int{
		"Posts.xml: no owner (attributed to deleted-user)":          1,
		"Posts.xml: Community account -1 (attributed to community)": 2,
		"Comments.xml: no owner (attributed to deleted-user)":       1,
	}
	if !maps.Equal(sum.Substituted, wantSub) {
		t.Errorf("substituted:\n got %v\nwant %v", sum.Substituted, wantSub)
	}
	if sum.Threads != 2 || sum.Answers != 2 || sum.Comments != 2 || sum.Accepted != 1 || sum.Kudos != 3 || sum.Members != 2 {
		t.Errorf("summary %+v", sum)
	}

	ctx := context.Background()
	str := func(q string, args ...any) string {
		t.Helper()
		var s string
		if err := e.db.QueryRow(ctx, q, args...).Scan(&s); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return s
	}

	// The question with a script: sanitised markdown and HTML, text kept.
	md := str(`SELECT body_md FROM posts WHERE external_id = 'se:tiny:1'`)
	html := str(`SELECT body_html FROM posts WHERE external_id = 'se:tiny:1'`)
	for _, bad := range []string{"<script", "alert(1)", "onclick", "javascript:", "onerror"} {
		if strings.Contains(html, bad) {
			t.Errorf("body_html keeps %q: %s", bad, html)
		}
	}
	if strings.Contains(md, "<script") || !strings.Contains(html, "world") {
		t.Errorf("question body: md %q html %q", md, html)
	}
	if rev := str(`SELECT r.body_html FROM post_revisions r JOIN posts p ON p.id = r.post_id WHERE p.external_id = 'se:tiny:1'`); rev != html {
		t.Errorf("revision html %q, post html %q", rev, html)
	}
	if c := str(`SELECT body_html FROM posts WHERE external_id = 'se:tiny:comment:1'`); strings.Contains(c, "<script") || !strings.Contains(c, "<strong>this</strong>") {
		t.Errorf("comment html: %s", c)
	}

	// Authors: the question with no owner is deleted-user's, the Community
	// one community's, and duplicate display names get distinct usernames.
	if got := str(`SELECT u.username FROM threads t JOIN users u ON u.id = t.author_id WHERE t.external_id = 'se:tiny:1'`); got != "deleted-user" {
		t.Errorf("owner-less question by %q", got)
	}
	if got := str(`SELECT u.username FROM threads t JOIN users u ON u.id = t.author_id WHERE t.external_id = 'se:tiny:2'`); got != "community" {
		t.Errorf("Community question by %q", got)
	}
	if got := str(`SELECT username || ',' || password_hash || ',' || created_at FROM users WHERE external_id = 'se:tiny:user:8'`); got != "ana-smith-2,,1559347200000" {
		t.Errorf("user 8: %q", got)
	}
	if got := str(`SELECT username FROM users WHERE external_id = 'se:tiny:user:7'`); got != "Ana-Smith" {
		t.Errorf("user 7: %q", got)
	}
	if n := e.count(t, `SELECT COUNT(*) FROM users WHERE external_id = 'se:tiny:user:9'`); n != 0 {
		t.Errorf("a user with no content was imported")
	}

	// The comment on the answer says so, linking to it.
	c1 := str(`SELECT body_md FROM posts WHERE external_id = 'se:tiny:comment:1'`)
	ans := e.count(t, `SELECT id FROM posts WHERE external_id = 'se:tiny:3'`)
	thread := e.count(t, `SELECT id FROM threads WHERE external_id = 'se:tiny:1'`)
	if want := "_Comment on [Ana-Smith's answer](/t/" + itoa(thread) + "/who-owns-this-question-why#p" + itoa(ans) + "):_"; !strings.HasPrefix(c1, want) {
		t.Errorf("comment body %q, want prefix %q", c1, want)
	}

	// Thread 1: answer, comment on it, and a comment by deleted-user (the
	// asker, so it is not the first peer reply); accepted answer 3.
	var replies, accepted, first, peer, views int64
	if err := e.db.QueryRow(ctx, `SELECT reply_count, accepted_post_id, first_reply_at, first_peer_reply_at, view_count FROM threads WHERE id = ?`, thread).
		Scan(&replies, &accepted, &first, &peer, &views); err != nil {
		t.Fatal(err)
	}
	// Imported authors are peers: the first reply is the first peer reply.
	if replies != 3 || accepted != ans || first != mustTime(t, "2020-01-01T11:00:00.000").UnixMilli() || peer != first || views != 42 {
		t.Errorf("thread 1: replies %d accepted %d first %d first peer %d views %d", replies, accepted, first, peer, views)
	}
	// Thread 2's only reply is by its asker (Community): unanswered.
	if n := e.count(t, `SELECT COUNT(*) FROM threads WHERE external_id = 'se:tiny:2' AND first_reply_at IS NULL AND first_peer_reply_at IS NULL AND reply_count = 1`); n != 1 {
		t.Errorf("thread 2 should have one reply and count as unanswered")
	}
	// Boards: the top tag, and General for the rest.
	if got := str(`SELECT b.name FROM threads t JOIN boards b ON b.id = t.board_id WHERE t.external_id = 'se:tiny:1'`); got != "Hops" {
		t.Errorf("thread 1 on board %q", got)
	}
	if got := str(`SELECT b.name FROM threads t JOIN boards b ON b.id = t.board_id WHERE t.external_id = 'se:tiny:2'`); got != "General" {
		t.Errorf("thread 2 on board %q", got)
	}

	// Kudos: two anonymous up-votes on the answer (two placeholder voters),
	// one by member 8 on the question; member 7's vote on their own answer
	// is not kudos.
	if n := e.count(t, `SELECT kudos_count FROM posts WHERE id = ?`, ans); n != 2 {
		t.Errorf("answer kudos %d, want 2", n)
	}
	if got := str(`SELECT u.username FROM kudos k JOIN users u ON u.id = k.user_id JOIN posts p ON p.id = k.post_id WHERE p.external_id = 'se:tiny:1'`); got != "ana-smith-2" {
		t.Errorf("question kudos by %q", got)
	}
	// Reputation from the ledger: 7 gets 2 x 10 kudos + 15 accepted; the
	// asker is deleted-user, a stand-in, which earns nothing.
	if rep := e.count(t, `SELECT reputation FROM users WHERE external_id = 'se:tiny:user:7'`); rep != 35 {
		t.Errorf("user 7 reputation %d, want 35 (not the dump's 9999)", rep)
	}
	if n := e.count(t, `SELECT COUNT(*) FROM reputation_events e JOIN users u ON u.id = e.user_id WHERE u.external_id IN ('se:deleted-user', 'se:community') OR u.external_id LIKE 'se:voter:%'`); n != 0 {
		t.Errorf("stand-ins have %d ledger events", n)
	}

	before := e.snapshot(t)
	again, err := e.run(t, dir, Options{TopTags: 1})
	if err != nil {
		t.Fatal(err)
	}
	if after := e.snapshot(t); !maps.Equal(before, after) {
		t.Errorf("second run changed the database:\n%v\n%v", before, after)
	}
	if !maps.Equal(again.Skipped, wantSkipped) || again.Threads+again.Replies()+again.Kudos+again.Members != 0 {
		t.Errorf("second run: %+v", again)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestImportOneBoard(t *testing.T) {
	e := newEnv(t, sqldb.SQLite)
	dir := writeDump(t, tinyDump)
	if _, err := e.run(t, dir, Options{Boards: BoardsOne}); err != nil {
		t.Fatal(err)
	}
	if n := e.count(t, `SELECT COUNT(*) FROM boards`); n != 1 {
		t.Errorf("%d boards, want 1", n)
	}
	if n := e.count(t, `SELECT thread_count FROM boards WHERE slug = 'tiny'`); n != 2 {
		t.Errorf("board tiny holds %d threads, want 2", n)
	}
	// Re-running with board per tag moves nothing and adds no empty boards.
	before := e.snapshot(t)
	if _, err := e.run(t, dir, Options{Boards: BoardsByTag}); err != nil {
		t.Fatal(err)
	}
	if after := e.snapshot(t); !maps.Equal(before, after) {
		t.Errorf("re-run with tags changed the database:\n%v\n%v", before, after)
	}
}

func TestImportBadFiles(t *testing.T) {
	with := func(name, body string) map[string]string {
		m := maps.Clone(tinyDump)
		if body == "" {
			delete(m, name)
		} else {
			m[name] = body
		}
		return m
	}
	cases := []struct {
		name  string
		files map[string]string
		is    error
		says  []string
	}{
		{"missing comments", with(CommentsFile, ""), ErrMissingFile, []string{"Comments.xml not found", "missing dump file"}},
		{"missing tags", with(TagsFile, ""), ErrMissingFile, []string{"Tags.xml"}},
		{"unclosed row", with(VotesFile, `<?xml version="1.0"?><votes><row Id="1" PostId="3" VoteTypeId="2" </votes>`), ErrMalformed,
			[]string{"Votes.xml", "not well-formed XML", "line 1"}},
		{"truncated", with(PostsFile, bom+"<?xml version=\"1.0\"?>\n<posts>\n  <row Id=\"1\" PostTypeId=\"1\" Body=\"x\" />\n"), ErrMalformed,
			[]string{"Posts.xml", "not well-formed XML"}},
		{"wrong file", with(UsersFile, tinyDump[PostsFile]), ErrMalformed, []string{"Users.xml", "<posts>", "want <users>"}},
		{"empty", with(TagsFile, bom), ErrMalformed, []string{"Tags.xml", "empty or truncated"}},
		{"not xml", with(CommentsFile, "Id,PostId,Text\n1,2,hello\n"), ErrMalformed, []string{"Comments.xml"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t, sqldb.SQLite)
			_, err := e.run(t, writeDump(t, c.files), Options{})
			if !errors.Is(err, c.is) {
				t.Fatalf("error %v, want %v", err, c.is)
			}
			for _, s := range c.says {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not say %q", err, s)
				}
			}
			// Files are all read before anything is written.
			if n := e.count(t, `SELECT COUNT(*) FROM threads`) + e.count(t, `SELECT COUNT(*) FROM users`); n != 0 {
				t.Errorf("a failed import wrote %d rows", n)
			}
		})
	}
	t.Run("no such folder", func(t *testing.T) {
		e := newEnv(t, sqldb.SQLite)
		_, err := e.run(t, filepath.Join(t.TempDir(), "nope"), Options{})
		if err == nil || !strings.Contains(err.Error(), "nope") {
			t.Errorf("error %v", err)
		}
	})
	t.Run("tags not needed for one board", func(t *testing.T) {
		e := newEnv(t, sqldb.SQLite)
		if _, err := e.run(t, writeDump(t, with(TagsFile, "")), Options{Boards: BoardsOne}); err != nil {
			t.Error(err)
		}
	})
}

func TestUsernames(t *testing.T) {
	for in, want := range map[string]string{
		"Geoff Dalgas":                "Geoff-Dalgas",
		"LessPop_MoreFizz":            "LessPop_MoreFizz",
		"Sam E. Lawrence":             "Sam-E.-Lawrence",
		"DROP TABLE users":            "DROP-TABLE-users",
		"Михаил":                      "",
		"  ..x":                       "x",
		"a very long display name ok": "a-very-long-display",
		"user@example.com":            "user-example.com",
	} {
		if got := cleanName(in); got != want {
			t.Errorf("cleanName(%q) = %q, want %q", in, got, want)
		}
	}
}

// WriteTinyDump writes the hand-written dump for the command tests in
// package stackexchange_test, leaving out the named files.
func WriteTinyDump(t *testing.T, without ...string) string {
	m := maps.Clone(tinyDump)
	for _, n := range without {
		delete(m, n)
	}
	return writeDump(t, m)
}
