package search_test

import (
	"errors"
	"testing"
	"time"

	"mutual/fault"
	"mutual/forum"
	"mutual/internal/testkit"
	"mutual/search"
	"mutual/sqldb"
	"mutual/sqldb/sqldbtest"
)

// Search finds threads by words in their title or any post, only in the
// searcher's brand, solved threads first; edits and new replies are found at
// once; search syntax typed by a person is treated as plain words.
func TestSearch(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		asker := f.actor(t, f.brand.ID, "asker")
		helper := f.actor(t, f.brand.ID, "helper")
		roaming, err := f.svc.Ask(ctx, asker, forum.NewThread{BoardID: f.board.ID, Title: "Roaming charges in Portugal", Body: "Do I pay extra for data abroad?"})
		if err != nil {
			t.Fatal(err)
		}
		voicemail, err := f.svc.Ask(ctx, asker, forum.NewThread{BoardID: f.board.ID, Title: "Voicemail keeps asking for a PIN", Body: "Since the update my voicemail wants a code."})
		if err != nil {
			t.Fatal(err)
		}
		ans, err := f.svc.Reply(ctx, helper, voicemail.ID, forum.NewReply{Body: "Reset it from the dialler; roaming is unrelated."})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Accept(ctx, asker, voicemail.ID, ans.ID); err != nil {
			t.Fatal(err)
		}
		other := testkit.Brand(t, f.brands, forum.NewBrand{Host: "other.test", Name: "Other"})
		otherBoard := f.newBoard(t, other.ID, "Elsewhere")
		stranger := f.actor(t, other.ID, "stranger")
		if _, err := f.svc.Ask(ctx, stranger, forum.NewThread{BoardID: otherBoard.ID, Title: "Roaming in another brand", Body: "This must never show up in brand one."}); err != nil {
			t.Fatal(err)
		}

		ids := func(q string) []int64 {
			t.Helper()
			got, err := f.threads(q, 10)
			if err != nil {
				t.Fatalf("search %q: %v", q, err)
			}
			var out []int64
			for _, th := range got {
				out = append(out, th.ID)
			}
			return out
		}
		same := func(q string, want ...int64) {
			t.Helper()
			got := ids(q)
			if len(got) != len(want) {
				t.Fatalf("search %q = %v, want %v", q, got, want)
			}
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("search %q = %v, want %v", q, got, want)
				}
			}
		}
		same("portugal", roaming.ID)                   // title only
		same("dialler", voicemail.ID)                  // a reply's words
		same("roaming", roaming.ID, voicemail.ID)      // a title match outranks an answer's word; other brand excluded
		same(`roaming AND "portugal" -x*`, roaming.ID) // syntax is plain words, all required
		same("nothing-matches-this-zzz")               // no results is not an error
		pg, err := f.svc.Page(ctx, f.brand.ID, roaming.ID, 0, forum.Cursor{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Edit(ctx, asker, pg.Question.ID, "", "Do I pay extra for data in Lisbon?"); err != nil {
			t.Fatal(err)
		}
		same("lisbon", roaming.ID)
		same("abroad")
		if _, err := f.threads("  ?!  ", 10); !errors.As(err, new(*fault.ValidationError)) {
			t.Fatalf("empty search: err = %v, want a validation error", err)
		}
	})
}

// Posts reach SQLite's full-text index in batches, not inside the reply's
// own transaction; IndexSearch is incremental and a second call finds
// nothing left. A search first catches up, so nobody misses what was just
// written.
func TestSearchIndexIsBatched(t *testing.T) {
	f := newFixtureOn(t, sqldbtest.Open(t, sqldb.SQLite))
	asker := f.actor(t, f.brand.ID, "asker")
	if _, err := search.IndexAll(ctx, f.db); err != nil {
		t.Fatal(err)
	}
	count := func() int {
		var n int
		if err := f.db.QueryRow(ctx, `SELECT COUNT(*) FROM post_search`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := count()
	for i := 0; i < 3; i++ {
		if _, err := f.svc.Ask(ctx, asker, forum.NewThread{BoardID: f.board.ID, Title: "Batched indexing question", Body: "Tethering stopped working today."}); err != nil {
			t.Fatal(err)
		}
	}
	if got := count(); got != before {
		t.Fatalf("asking indexed synchronously: %d rows, want %d until the indexer runs", got, before)
	}
	// A batch of 2 takes two queued threads and two posts.
	n, err := search.Index(ctx, f.db, 2)
	if err != nil || n != 4 {
		t.Fatalf("first batch: %d, %v; want 2 threads + 2 posts", n, err)
	}
	got, err := f.threads("tethering", 10)
	if err != nil || len(got) != 3 {
		t.Fatalf("search after catch-up found %d threads (%v), want 3", len(got), err)
	}
	if n, err := search.Index(ctx, f.db, 100); err != nil || n != 0 {
		t.Fatalf("nothing should be left: %d, %v", n, err)
	}
	if count() != before+3 {
		t.Fatalf("index has %d rows, want %d: a post indexed twice or not at all", count(), before+3)
	}
}

// A reply changes its thread's document only when it answers the thread:
// the asker's own reply leaves it unanswered, the first answer moves it out
// of the unanswered filter, and later replies do not queue it again.
func TestOnlyTheFirstAnswerChangesAThreadsDocument(t *testing.T) {
	eachStore(t, func(t *testing.T, f *fixture) {
		asker := f.actor(t, f.brand.ID, "asker")
		helper := f.actor(t, f.brand.ID, "helper")
		th := f.ask(t, asker, "Tethering stopped after the update")
		unanswered := func() []int64 {
			t.Helper()
			pg, err := f.search.Threads(ctx, f.brand.ID, search.Query{Q: "tethering", Status: search.StatusUnanswered})
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, r := range pg.Results {
				ids = append(ids, r.Thread.ID)
			}
			return ids
		}
		testkit.Reply(t, f.svc, asker, th.ID, "Still broken after a restart, too.")
		if got := unanswered(); len(got) != 1 || got[0] != th.ID {
			t.Fatalf("after the asker's own reply, unanswered = %v, want [%d]", got, th.ID)
		}
		testkit.Reply(t, f.svc, helper, th.ID, "Turn the personal hotspot off and on.")
		if got := unanswered(); len(got) != 0 {
			t.Fatalf("after the first answer, unanswered = %v, want none", got)
		}
		f.clock.Add(time.Minute)
		testkit.Reply(t, f.svc, helper, th.ID, "And check the APN settings.")
		if f.db.Dialect() == sqldb.SQLite {
			var queued int
			if err := f.db.QueryRow(ctx, `SELECT COUNT(*) FROM post_search_queue`).Scan(&queued); err != nil || queued != 0 {
				t.Errorf("a later reply queued %d threads (%v), want 0", queued, err)
			}
		}
	})
}
