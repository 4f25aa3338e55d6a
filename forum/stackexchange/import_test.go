package stackexchange

import (
	"bytes"
	"context"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mutual/forum"
	"mutual/markup"
	"mutual/sqldb"
	"mutual/sqldb/sqldbtest"
)

// beerDir is the real dump, beside the repository as shared/ is in CI.
const beerDir = "../../../shared/data/stackexchange/beer.stackexchange.com"

var testNow = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

type env struct {
	db    *sqldb.DB
	md    *markup.Renderer
	brand forum.Brand
}

// newEnv is a migrated database of the dialect with one brand.
func newEnv(t *testing.T, d sqldb.Dialect) env {
	t.Helper()
	db := sqldbtest.Open(t, d)
	b, err := forum.NewBrands(db, func() time.Time { return testNow }).Create(context.Background(),
		forum.NewBrand{Host: "beer.example.test", Name: "Beer", Default: true})
	if err != nil {
		t.Fatal(err)
	}
	return env{db: db, md: markup.NewRenderer(), brand: b}
}

// eachStore runs fn against SQLite and PostgreSQL.
func eachStore(t *testing.T, fn func(t *testing.T, e env)) {
	for _, d := range sqldbtest.Dialects {
		t.Run(string(d), func(t *testing.T) { fn(t, newEnv(t, d)) })
	}
}

func (e env) run(t *testing.T, dir string, opt Options) (*Summary, error) {
	t.Helper()
	opt.Dir, opt.BrandID, opt.Now = dir, e.brand.ID, func() time.Time { return testNow }
	return Import(context.Background(), e.db, e.md, opt)
}

func (e env) count(t *testing.T, query string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := e.db.QueryRow(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// xmlRows reads a dump file with encoding/xml alone: the test's own view of
// the data, independent of the importer's reader.
func xmlRows(t *testing.T, path string) []map[string]string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	data = bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))
	var f struct {
		Rows []struct {
			Attrs []xml.Attr `xml:",any,attr"`
		} `xml:"row"`
	}
	if err := xml.Unmarshal(data, &f); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	out := make([]map[string]string, len(f.Rows))
	for i, r := range f.Rows {
		m := map[string]string{}
		for _, a := range r.Attrs {
			m[a.Name.Local] = a.Value
		}
		out[i] = m
	}
	return out
}

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse("2006-01-02T15:04:05.000", s)
	if err != nil {
		t.Fatalf("time %q: %v", s, err)
	}
	return v
}

// snapshot is every row count and cached counter an import can change.
func (e env) snapshot(t *testing.T) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	for name, q := range map[string]string{
		"users":          `SELECT COUNT(*) FROM users`,
		"boards":         `SELECT COUNT(*) FROM boards`,
		"threads":        `SELECT COUNT(*) FROM threads`,
		"posts":          `SELECT COUNT(*) FROM posts`,
		"revisions":      `SELECT COUNT(*) FROM post_revisions`,
		"kudos":          `SELECT COUNT(*) FROM kudos`,
		"events":         `SELECT COUNT(*) FROM reputation_events`,
		"reputation":     `SELECT CAST(COALESCE(SUM(reputation), 0) AS BIGINT) FROM users`,
		"reply counts":   `SELECT CAST(COALESCE(SUM(reply_count), 0) AS BIGINT) FROM threads`,
		"accepted":       `SELECT COUNT(*) FROM threads WHERE accepted_post_id IS NOT NULL`,
		"board posts":    `SELECT CAST(COALESCE(SUM(post_count), 0) AS BIGINT) FROM boards`,
		"board activity": `SELECT CAST(COALESCE(SUM(last_activity_at), 0) AS BIGINT) FROM boards`,
		"kudos counts":   `SELECT CAST(COALESCE(SUM(kudos_count), 0) AS BIGINT) FROM posts`,
		"first replies":  `SELECT CAST(COALESCE(SUM(first_reply_at), 0) AS BIGINT) FROM threads`,
	} {
		out[name] = e.count(t, q)
	}
	return out
}

func beerPath(t *testing.T) string {
	t.Helper()
	dir := beerDir
	if d := os.Getenv("MUTUAL_BEER_DUMP"); d != "" {
		dir = d // a checkout that does not sit beside shared/
	}
	if _, err := os.Stat(filepath.Join(dir, PostsFile)); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("the beer dump is missing in CI: %v", err)
		}
		t.Skipf("the beer dump is not beside the repository (%v); set MUTUAL_BEER_DUMP; skipping", err)
	}
	return dir
}

func TestImportBeerMatchesDump(t *testing.T) {
	dir := beerPath(t)
	eachStore(t, func(t *testing.T, e env) { testBeer(t, e, dir) })
}

func testBeer(t *testing.T, e env, dir string) {

	// The expected figures, from the XML alone.
	posts := xmlRows(t, filepath.Join(dir, PostsFile))
	questions := map[string]map[string]string{}
	for _, p := range posts {
		if p["PostTypeId"] == "1" {
			questions[p["Id"]] = p
		}
	}
	answers := map[string]map[string]string{}
	for _, p := range posts {
		if p["PostTypeId"] == "2" && questions[p["ParentId"]] != nil {
			answers[p["Id"]] = p
		}
	}
	kept := func(id string) map[string]string {
		if q := questions[id]; q != nil {
			return q
		}
		return answers[id]
	}
	replies := map[string]int{}      // question id -> answers + comments
	lastAt := map[string]time.Time{} // question id -> latest post
	firstAt := map[string]time.Time{}
	threadOf := func(p map[string]string) string {
		if p["PostTypeId"] == "1" {
			return p["Id"]
		}
		return p["ParentId"]
	}
	reply := func(qid, owner string, at time.Time) {
		replies[qid]++
		if at.After(lastAt[qid]) {
			lastAt[qid] = at
		}
		if owner != questions[qid]["OwnerUserId"] && (firstAt[qid].IsZero() || at.Before(firstAt[qid])) {
			firstAt[qid] = at
		}
	}
	for id, q := range questions {
		lastAt[id] = mustTime(t, q["CreationDate"])
	}
	for _, a := range answers {
		reply(a["ParentId"], a["OwnerUserId"], mustTime(t, a["CreationDate"]))
	}
	comments := 0
	for _, c := range xmlRows(t, filepath.Join(dir, CommentsFile)) {
		if p := kept(c["PostId"]); p != nil {
			comments++
			reply(threadOf(p), c["UserId"], mustTime(t, c["CreationDate"]))
		}
	}
	// Reputation by the ledger's rules: 10 per up-vote (at most 200 a UTC
	// day), 15 for an accepted answer, 2 to the asker; nothing to oneself
	// or to posts with no real owner.
	realOwner := func(o string) bool { return o != "" && o != "-1" }
	kudosPerDay := map[[2]string]int64{}
	kudos := 0
	for _, v := range xmlRows(t, filepath.Join(dir, VotesFile)) {
		p := kept(v["PostId"])
		if v["VoteTypeId"] != "2" || p == nil {
			continue
		}
		kudos++
		if realOwner(p["OwnerUserId"]) {
			at := mustTime(t, v["CreationDate"])
			if created := mustTime(t, p["CreationDate"]); created.After(at) {
				at = created
			}
			kudosPerDay[[2]string{p["OwnerUserId"], at.Format("2006-01-02")}]++
		}
	}
	wantRep := map[string]int64{}
	for k, n := range kudosPerDay {
		wantRep[k[0]] += min(10*n, 200)
	}
	accepted := 0
	for _, q := range questions {
		a := answers[q["AcceptedAnswerId"]]
		if a == nil || a["ParentId"] != q["Id"] {
			continue
		}
		accepted++
		asker, answerer := q["OwnerUserId"], a["OwnerUserId"]
		if asker != answerer && realOwner(answerer) {
			wantRep[answerer] += 15
		}
		if asker != answerer && realOwner(asker) {
			wantRep[asker] += 2
		}
	}
	if len(questions) == 0 || len(answers) == 0 || comments == 0 || kudos == 0 || accepted == 0 {
		t.Fatalf("the dump looks empty: %d questions, %d answers, %d comments, %d up-votes, %d accepted",
			len(questions), len(answers), comments, kudos, accepted)
	}

	sum, err := e.run(t, dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	b := e.brand.ID
	checks := []struct {
		name string
		got  int64
		want int
	}{
		{"threads", e.count(t, `SELECT COUNT(*) FROM threads WHERE brand_id = ? AND external_id LIKE 'se:beer:%'`, b), len(questions)},
		{"question posts", e.count(t, `SELECT COUNT(*) FROM posts WHERE brand_id = ? AND is_question = 1`, b), len(questions)},
		{"replies (rows)", e.count(t, `SELECT COUNT(*) FROM posts WHERE brand_id = ? AND is_question = 0`, b), len(answers) + comments},
		{"replies (reply_count)", e.count(t, `SELECT CAST(COALESCE(SUM(reply_count), 0) AS BIGINT) FROM threads WHERE brand_id = ?`, b), len(answers) + comments},
		{"answers", e.count(t, `SELECT COUNT(*) FROM posts WHERE brand_id = ? AND is_question = 0 AND external_id NOT LIKE 'se:beer:comment:%'`, b), len(answers)},
		{"comments", e.count(t, `SELECT COUNT(*) FROM posts WHERE brand_id = ? AND external_id LIKE 'se:beer:comment:%'`, b), comments},
		// What each reply was on the site is kept, for the replay's two curves.
		{"replies kept as answers", e.count(t, `SELECT COUNT(*) FROM posts WHERE brand_id = ? AND is_question = 0 AND reply_kind = 'answer'`, b), len(answers)},
		{"replies kept as comments", e.count(t, `SELECT COUNT(*) FROM posts WHERE brand_id = ? AND reply_kind = 'comment'`, b), comments},
		{"accepted", e.count(t, `SELECT COUNT(*) FROM threads WHERE brand_id = ? AND accepted_post_id IS NOT NULL`, b), accepted},
		{"kudos (rows)", e.count(t, `SELECT COUNT(*) FROM kudos WHERE brand_id = ?`, b), kudos},
		{"kudos (kudos_count)", e.count(t, `SELECT CAST(COALESCE(SUM(kudos_count), 0) AS BIGINT) FROM posts WHERE brand_id = ?`, b), kudos},
		{"board threads", e.count(t, `SELECT CAST(COALESCE(SUM(thread_count), 0) AS BIGINT) FROM boards WHERE brand_id = ?`, b), len(questions)},
		{"board posts", e.count(t, `SELECT CAST(COALESCE(SUM(post_count), 0) AS BIGINT) FROM boards WHERE brand_id = ?`, b), len(questions) + len(answers) + comments},
		{"summary threads", int64(sum.Threads), len(questions)},
		{"summary replies", int64(sum.Replies()), len(answers) + comments},
		{"summary accepted", int64(sum.Accepted), accepted},
		{"summary kudos", int64(sum.Kudos), kudos},
		// Consistency with what forum.Service writes.
		{"one revision per post", e.count(t, `SELECT COUNT(*) FROM post_revisions WHERE brand_id = ? AND revision = 1`, b),
			len(questions) + len(answers) + comments},
		{"revision_count not 1", e.count(t, `SELECT COUNT(*) FROM posts WHERE revision_count <> 1`), 0},
		{"kudos on own post", e.count(t, `SELECT COUNT(*) FROM kudos k JOIN posts p ON p.id = k.post_id WHERE k.user_id = p.author_id`), 0},
		{"accepted not a reply of its thread", e.count(t, `SELECT COUNT(*) FROM threads t JOIN posts p ON p.id = t.accepted_post_id
WHERE p.thread_id <> t.id OR p.is_question = 1`), 0},
		{"kudos_count off", e.count(t, `SELECT COUNT(*) FROM posts p WHERE p.kudos_count <> (SELECT COUNT(*) FROM kudos k WHERE k.post_id = p.id)`), 0},
		{"board counters off", e.count(t, `SELECT COUNT(*) FROM boards b WHERE b.thread_count <> (SELECT COUNT(*) FROM threads t WHERE t.board_id = b.id)
OR b.last_activity_at <> (SELECT MAX(t.last_activity_at) FROM threads t WHERE t.board_id = b.id)`), 0},
		{"users with a password", e.count(t, `SELECT COUNT(*) FROM users WHERE external_id LIKE 'se:%' AND password_hash <> ''`), 0},
		{"unsafe html", e.count(t, `SELECT COUNT(*) FROM posts WHERE body_html LIKE '%<script%' OR body_html LIKE '%javascript:%' OR body_html LIKE '%onerror=%'`), 0},
	}
	for _, c := range checks {
		if c.got != int64(c.want) {
			t.Errorf("%s: database has %d, dump says %d", c.name, c.got, c.want)
		}
	}

	// Per thread: reply count, last activity and the first reply by
	// someone other than the asker.
	rows, err := e.db.Query(context.Background(), `SELECT external_id, reply_count, last_activity_at, COALESCE(first_reply_at, 0) FROM threads WHERE brand_id = ?`, b)
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for rows.Next() {
		var ext string
		var n, last, first int64
		if err := rows.Scan(&ext, &n, &last, &first); err != nil {
			t.Fatal(err)
		}
		seen++
		qid := strings.TrimPrefix(ext, "se:beer:")
		wantFirst := int64(0)
		if !firstAt[qid].IsZero() {
			wantFirst = firstAt[qid].UnixMilli()
		}
		if n != int64(replies[qid]) || last != lastAt[qid].UnixMilli() || first != wantFirst {
			t.Errorf("thread %s: replies %d last %d first %d; want %d, %d, %d", qid, n, last, first,
				replies[qid], lastAt[qid].UnixMilli(), wantFirst)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	if seen != len(questions) {
		t.Errorf("walked %d threads, want %d", seen, len(questions))
	}

	// Reputation per member, from the ledger rules, not Users.xml.
	rows, err = e.db.Query(context.Background(), `SELECT external_id, reputation FROM users WHERE external_id LIKE 'se:beer:user:%'`)
	if err != nil {
		t.Fatal(err)
	}
	var total, wantTotal int64
	for rows.Next() {
		var ext string
		var rep int64
		if err := rows.Scan(&ext, &rep); err != nil {
			t.Fatal(err)
		}
		id := strings.TrimPrefix(ext, "se:beer:user:")
		total += rep
		if rep != wantRep[id] {
			t.Errorf("user %s: reputation %d, want %d", id, rep, wantRep[id])
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	for _, v := range wantRep {
		wantTotal += v
	}
	if total != wantTotal || total == 0 {
		t.Errorf("total reputation %d, want %d", total, wantTotal)
	}

	// Stored HTML is exactly the renderer's output for the stored markdown.
	rows, err = e.db.Query(context.Background(), `SELECT id, body_md, body_html FROM posts ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		var md, html string
		if err := rows.Scan(&id, &md, &html); err != nil {
			t.Fatal(err)
		}
		if want, err := e.md.Render(md); err != nil || want != html {
			t.Fatalf("post %d: body_html is not the rendered body_md (err %v)", id, err)
		}
	}
	rows.Close()

	// The first question is traceable to its origin.
	var title string
	if err := e.db.QueryRow(context.Background(), `SELECT title FROM threads WHERE external_id = 'se:beer:1'`).Scan(&title); err != nil {
		t.Fatal(err)
	}
	if title != questions["1"]["Title"] {
		t.Errorf("thread se:beer:1 is titled %q, want %q", title, questions["1"]["Title"])
	}

	t.Run("second run adds nothing", func(t *testing.T) {
		before := e.snapshot(t)
		again, err := e.run(t, dir, Options{})
		if err != nil {
			t.Fatal(err)
		}
		after := e.snapshot(t)
		for k, v := range before {
			if after[k] != v {
				t.Errorf("%s changed from %d to %d", k, v, after[k])
			}
		}
		if n := again.Members + again.Threads + again.Replies() + again.Accepted + again.Kudos + again.ReputationEvents + again.BoardsCreated; n != 0 {
			t.Errorf("second run reports %d new rows: %+v", n, again)
		}
		if again.AlreadyImported["threads"] != len(questions) || again.AlreadyImported["kudos"] != kudos {
			t.Errorf("second run found %v already imported", again.AlreadyImported)
		}
	})
}
