package search_test

import (
	"strings"
	"testing"
	"time"

	"mutual/account"
	"mutual/forum"
	"mutual/internal/testkit"
	"mutual/search"
	"mutual/sqldb"
)

func resultIDs(pg search.Page) []int64 {
	var out []int64
	for _, r := range pg.Results {
		out = append(out, r.Thread.ID)
	}
	return out
}

func sameIDs(t *testing.T, what string, got []int64, want ...int64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s = %v, want %v", what, got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("%s = %v, want %v", what, got, want)
		}
	}
}

// Relevance, the solved boost, every filter, pages and snippets, on both
// stores.
func TestSearchRanksFiltersAndPages(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		asker := f.actor(t, f.brand.ID, "asker")
		helper := f.actor(t, f.brand.ID, "helper")
		other := f.newBoard(t, f.brand.ID, "Roaming abroad")
		ask := func(board int64, title, body string) forum.Thread {
			t.Helper()
			th, err := f.svc.Ask(ctx, asker, forum.NewThread{BoardID: board, Title: title, Body: body})
			if err != nil {
				t.Fatal(err)
			}
			return th
		}
		// Same words in the same places: only the solved boost tells them apart.
		plain := ask(f.board.ID, "Hotspot tethering drops", "My tethering stops after ten minutes, every day.")
		solved := ask(f.board.ID, "Hotspot tethering fails", "My tethering stops after ten minutes, every day.")
		ans := testkit.Reply(t, f.svc, helper, solved.ID, "Turn off the battery saver for the hotspot.")
		if _, err := f.svc.Accept(ctx, asker, solved.ID, ans.ID); err != nil {
			t.Fatal(err)
		}
		// Only the body mentions tethering: ranks below both titles.
		body := ask(other.ID, "Laptop cannot connect", "I share my connection by tethering over USB, no luck.")
		f.clock.Add(40 * 24 * time.Hour)
		recent := ask(other.ID, "Tethering from a tablet", "Does tethering work from a tablet plan?")

		find := func(sq search.Query) search.Page {
			t.Helper()
			pg, err := f.search.Threads(ctx, f.brand.ID, sq)
			if err != nil {
				t.Fatalf("search %+v: %v", sq, err)
			}
			return pg
		}
		all := find(search.Query{Q: "tethering"})
		got := resultIDs(all)
		if len(got) != 4 || got[3] != body.ID {
			t.Fatalf("tethering = %v: the body-only match %d must rank last", got, body.ID)
		}
		if pos := func(id int64) int {
			for i, g := range got {
				if g == id {
					return i
				}
			}
			return -1
		}; pos(solved.ID) > pos(plain.ID) {
			t.Fatalf("tethering = %v: solved %d must rank above its unsolved twin %d", got, solved.ID, plain.ID)
		}
		if all.Total != 4 || !all.Exact || all.HasNext {
			t.Fatalf("total %d exact %v next %v", all.Total, all.Exact, all.HasNext)
		}
		sameIDs(t, "board filter", resultIDs(find(search.Query{Q: "tethering", BoardID: other.ID})), recent.ID, body.ID)
		sameIDs(t, "solved filter", resultIDs(find(search.Query{Q: "tethering", Status: search.StatusSolved})), solved.ID)
		unanswered := resultIDs(find(search.Query{Q: "tethering", Status: search.StatusUnanswered}))
		if len(unanswered) != 3 || containsID(unanswered, solved.ID) {
			t.Fatalf("unanswered = %v", unanswered)
		}
		sameIDs(t, "since filter", resultIDs(find(search.Query{Q: "tethering", Since: f.clock.Now().Add(-7 * 24 * time.Hour)})), recent.ID)

		// Pages of one: every thread once, in the same order as one page.
		var paged []int64
		for p := 1; ; p++ {
			pg := find(search.Query{Q: "tethering", Page: p, PerPage: 1})
			paged = append(paged, resultIDs(pg)...)
			if !pg.HasNext {
				break
			}
		}
		sameIDs(t, "paged", paged, got...)

		// Snippets mark the words; the text itself is never HTML.
		r := find(search.Query{Q: "battery saver", Status: search.StatusSolved}).Results
		if len(r) != 1 || !strings.Contains(search.FragmentsHTML(r[0].Snippet), "<mark>battery</mark> <mark>saver</mark>") {
			t.Fatalf("snippet = %+v", r)
		}
		if _, err := f.search.Threads(ctx, f.brand.ID, search.Query{Q: "x", Page: 1}); testkit.Fields(err)["q"] == "" {
			t.Fatalf("one-letter query: %v", err)
		}
		if _, err := f.search.Threads(ctx, f.brand.ID, search.Query{Q: "tethering", Page: search.MaxPages + 1}); testkit.Fields(err)["page"] == "" {
			t.Fatalf("page past the end: %v", err)
		}
	})
}

func containsID(xs []int64, id int64) bool {
	for _, x := range xs {
		if x == id {
			return true
		}
	}
	return false
}

// hide changes a row's status the way moderation does: in one transaction
// that emits a moderation event, so hooks hear of it.
func hide(t *testing.T, f *fixture, table string, id, threadID int64, kind string) {
	t.Helper()
	err := f.db.InTx(ctx, func(tx *sqldb.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE `+table+` SET status = 'hidden' WHERE id = ?`, id); err != nil {
			return err
		}
		return f.svc.Emit(ctx, tx, forum.Event{Kind: forum.EventKind(kind), BrandID: f.brand.ID, ThreadID: threadID, PostID: id})
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A hidden post or thread is never found: the moderation event rebuilds the
// document in its own transaction, and results are filtered at query time
// even when a status changes without an event.
func TestSearchNeverFindsHiddenContent(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		asker := f.actor(t, f.brand.ID, "asker")
		helper := f.actor(t, f.brand.ID, "helper")
		th, err := f.svc.Ask(ctx, asker, forum.NewThread{BoardID: f.board.ID, Title: "Voicemail greeting missing", Body: "My greeting vanished overnight."})
		if err != nil {
			t.Fatal(err)
		}
		spam := testkit.Reply(t, f.svc, helper, th.ID, "Buy cheapvouchers at my shop")
		answer := testkit.Reply(t, f.svc, helper, th.ID, "Record it again from the voicemail menu, option zebra.")
		if _, err := f.svc.Accept(ctx, asker, th.ID, answer.ID); err != nil {
			t.Fatal(err)
		}
		found := func(q string) []int64 {
			t.Helper()
			pg, err := f.search.Threads(ctx, f.brand.ID, search.Query{Q: q})
			if err != nil {
				t.Fatal(err)
			}
			return resultIDs(pg)
		}
		sameIDs(t, "reply words", found("cheapvouchers"), th.ID)
		sameIDs(t, "accepted answer words", found("zebra"), th.ID)
		hide(t, f, "posts", spam.ID, th.ID, "moderation.post_hidden")
		sameIDs(t, "hidden reply", found("cheapvouchers"))
		hide(t, f, "posts", answer.ID, th.ID, "moderation.post_hidden")
		sameIDs(t, "hidden accepted answer", found("zebra"))
		sameIDs(t, "question still found", found("greeting"), th.ID)

		// A status changed behind the hooks' back is still filtered.
		if _, err := f.db.Exec(ctx, `UPDATE threads SET status = 'deleted' WHERE id = ?`, th.ID); err != nil {
			t.Fatal(err)
		}
		sameIDs(t, "deleted thread", found("greeting"))
		if _, err := f.db.Exec(ctx, `UPDATE threads SET status = 'visible' WHERE id = ?`, th.ID); err != nil {
			t.Fatal(err)
		}
		hide(t, f, "threads", th.ID, th.ID, "moderation.thread_hidden")
		sameIDs(t, "hidden thread", found("greeting"))
		var docs int
		q := `SELECT COUNT(*) FROM post_search_thread WHERE docid = ?`
		if f.db.Dialect() == sqldb.Postgres {
			q = `SELECT COUNT(*) FROM post_search_thread WHERE thread_id = ?`
		}
		if err := f.db.QueryRow(ctx, q, th.ID).Scan(&docs); err != nil || docs != 0 {
			t.Fatalf("hidden thread still has %d search documents (%v)", docs, err)
		}
		// Restoring it (another moderation act) brings it back.
		if err := f.db.InTx(ctx, func(tx *sqldb.Tx) error {
			if _, err := tx.Exec(ctx, `UPDATE threads SET status = 'visible' WHERE id = ?`, th.ID); err != nil {
				return err
			}
			return f.svc.Emit(ctx, tx, forum.Event{Kind: "moderation.thread_restored", BrandID: f.brand.ID, ThreadID: th.ID})
		}); err != nil {
			t.Fatal(err)
		}
		sameIDs(t, "restored thread", found("greeting"), th.ID)
	})
}

// Similar questions: solved threads whose titles share the title's topic
// words, most alike first; the question words themselves count for nothing.
func TestSimilarQuestions(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		asker := f.actor(t, f.brand.ID, "asker")
		helper := f.actor(t, f.brand.ID, "helper")
		solve := func(title string) forum.Thread {
			t.Helper()
			th := f.ask(t, asker, title)
			p := testkit.Reply(t, f.svc, helper, th.ID, "Here is what fixed it for me.")
			if _, err := f.svc.Accept(ctx, asker, th.ID, p.ID); err != nil {
				t.Fatal(err)
			}
			return th
		}
		esim := solve("eSIM activation stuck on Pixel 8")
		both := solve("eSIM activation after porting")
		f.ask(t, asker, "eSIM activation never finished") // unsolved: never suggested
		solve("Roaming charges in Portugal")
		got, err := f.search.Similar(ctx, f.brand.ID, "How do I finish eSIM activation on my Pixel?", "", 5)
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, th := range got {
			ids = append(ids, th.ID)
		}
		sameIDs(t, "similar", ids, esim.ID, both.ID)
		for _, title := range []string{"", "How do I do it?", "zzzz qqqq"} {
			got, err := f.search.Similar(ctx, f.brand.ID, title, "", 5)
			if err != nil || len(got) != 0 {
				t.Fatalf("similar %q = %v, %v; want none", title, got, err)
			}
		}
	})
}

// Opening a suggestion is recorded once per member and thread per hour, and
// linked to the question the member asks anyway within search.AskWindow.
func TestSuggestionOpens(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		asker := f.actor(t, f.brand.ID, "asker")
		other := f.actor(t, f.brand.ID, "other")
		solved := f.ask(t, other, "Data add-on not applied")
		if _, err := f.search.RecordSuggestionOpen(ctx, account.Anonymous(f.brand.ID), solved.ID); err == nil {
			t.Fatal("a visitor's open was recorded")
		}
		for range 2 {
			if _, err := f.search.RecordSuggestionOpen(ctx, asker, solved.ID); err != nil {
				t.Fatal(err)
			}
		}
		opens, err := f.search.SuggestionOpens(ctx, f.brand.ID, asker.UserID)
		if err != nil || len(opens) != 1 || opens[0].ThreadID != solved.ID || opens[0].AskedThreadID != 0 {
			t.Fatalf("opens = %+v, %v", opens, err)
		}
		// Someone else asking does not link this member's open.
		f.ask(t, other, "Another member asks something")
		// The asker opens one more two days later, then asks: only the
		// recent open is linked; the old one stays a deflection.
		f.clock.Add(48 * time.Hour)
		if _, err := f.search.RecordSuggestionOpen(ctx, asker, solved.ID); err != nil {
			t.Fatal(err)
		}
		f.clock.Add(time.Hour)
		asked := f.ask(t, asker, "Data add-on still not applied")
		opens, err = f.search.SuggestionOpens(ctx, f.brand.ID, asker.UserID)
		if err != nil || len(opens) != 2 || opens[0].AskedThreadID != asked.ID || opens[1].AskedThreadID != 0 {
			t.Fatalf("opens after asking = %+v, %v", opens, err)
		}
		if _, err := f.db.Exec(ctx, `UPDATE threads SET status = 'hidden' WHERE id = ?`, solved.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.search.RecordSuggestionOpen(ctx, asker, solved.ID); !strings.Contains(err.Error(), "does not exist") {
			t.Fatalf("open of a hidden thread: %v", err)
		}
	})
}
