package search

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"mutual/account"
	"mutual/forum"
	"mutual/internal/testkit"
	"mutual/markup"
	"mutual/sqldb"
	"mutual/sqldb/sqldbtest"
)

// The word lists score exactly what the full-text query scores, for every
// filter, and stay exact as documents are asked, edited, accepted, answered
// and hidden: they are patched from the change log, not read again.
func TestWordListsScoreAsTheIndexDoes(t *testing.T) {
	ctx := context.Background()
	db := sqldbtest.Open(t, sqldb.SQLite)
	clk := testkit.NewClock(time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC))
	fs := forum.NewService(db, markup.NewRenderer(), clk.Now)
	s := New(db, clk.Now)
	fs.Subscribe(s.Hook)
	members := account.NewMembers(db, clk.Now)
	brand := testkit.Brand(t, forum.NewBrands(db, clk.Now), forum.NewBrand{Host: "localhost", Name: "Alpha", Default: true})
	boards := []forum.Board{
		testkit.Board(t, fs, brand.ID, forum.NewBoard{Name: "Billing", Description: "Bills"}),
		testkit.Board(t, fs, brand.ID, forum.NewBoard{Name: "Roaming", Description: "Abroad"}),
	}
	var actors []account.Actor
	for i := range 6 {
		actors = append(actors, testkit.Member(t, members, account.Unclaimed{BrandID: brand.ID, Username: fmt.Sprintf("member%d", i), CreatedAt: clk.Now()}))
	}
	vocab := strings.Fields("roaming Roaming voicemail esim refund café Café São x² snake_case signal signal pixel bill bill bill naïve")
	rnd := rand.New(rand.NewPCG(1, 2))
	text := func(n int) string {
		w := make([]string, n)
		for i := range w {
			w[i] = vocab[rnd.IntN(len(vocab))]
		}
		return strings.Join(w, " ")
	}
	var threads []forum.Thread
	var questions []int64
	ask := func() {
		a := actors[len(threads)%len(actors)]
		th := testkit.Ask(t, fs, a, forum.NewThread{BoardID: boards[len(threads)%2].ID, Title: text(4) + fmt.Sprint(" q", len(threads)), Body: text(12)})
		pg, err := fs.Page(ctx, brand.ID, th.ID, 0, forum.Cursor{})
		if err != nil {
			t.Fatal(err)
		}
		threads, questions = append(threads, th), append(questions, pg.Question.ID)
	}
	for range 30 {
		ask()
	}
	answer := func(i int) {
		p := testkit.Reply(t, fs, actors[(i+1)%len(actors)], threads[i].ID, text(10)+fmt.Sprint(" r", rnd.IntN(1e9)))
		if _, err := fs.Accept(ctx, actors[i%len(actors)], threads[i].ID, p.ID); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 30; i += 3 {
		answer(i)
	}

	queries := [][]string{{"roaming"}, {"bill"}, {"cafe"}, {"café"}, {"sao"}, {"x"}, {"snake"}, {"signal", "bill"}, {"esim", "pixel", "refund"}, {"naive"}, {"q7"}}
	filters := []headFilter{{}, {board: boards[1].ID}, {status: StatusSolved}, {status: StatusUnanswered}, {board: boards[0].ID, status: StatusSolved}}
	compare := func(stage string) {
		t.Helper()
		if _, err := Index(ctx, db, 1000); err != nil {
			t.Fatal(err)
		}
		for _, q := range queries {
			idfs, ok, err := s.termIDFs(ctx, brand.ID, q)
			if err != nil {
				t.Fatal(err)
			}
			if !ok {
				idfs = make([]float64, len(q)) // a word nobody holds: both must find nothing
			}
			for _, f := range filters {
				want, err := s.scoreMatches(ctx, brand.ID, q, f, idfs, weightTitle)
				if err != nil {
					t.Fatal(err)
				}
				got, total, err := s.scoreFromLists(ctx, brand.ID, q, f, idfs, weightTitle, nil, 1000)
				if err != nil {
					t.Fatal(err)
				}
				if total != len(want) {
					t.Errorf("%s: %q %+v: lists count %d, the index %d", stage, q, f, total, len(want))
				}
				byID := func(a, b scored) int { return int(a.id - b.id) }
				slices.SortFunc(want, byID)
				slices.SortFunc(got, byID)
				if !slices.Equal(got, want) {
					t.Errorf("%s: %q %+v: lists score %v, the index %v", stage, q, f, got, want)
				}
			}
			for _, f := range append(filters, headFilter{noBoost: true}) {
				for _, off := range []int{0, 3} {
					got, gotTotal, err := s.rankThreads(ctx, brand.ID, q, f, weightTitle, off, 4)
					if err != nil {
						t.Fatal(err)
					}
					lists := s.lists
					s.lists = nil // the full-text query, as before the lists
					want, wantTotal, err := s.rankThreads(ctx, brand.ID, q, f, weightTitle, off, 4)
					s.lists = lists
					if err != nil {
						t.Fatal(err)
					}
					if !slices.Equal(got, want) || gotTotal != wantTotal {
						t.Errorf("%s: %q %+v from %d: lists rank %v of %d, the index %v of %d", stage, q, f, off, got, gotTotal, want, wantTotal)
					}
				}
			}
		}
	}
	compare("fresh")
	loaded, readAt := len(s.lists.lists), clk.Now()
	clk.Add(time.Minute)

	for i := 1; i < 30; i += 4 {
		if _, err := fs.Edit(ctx, actors[i%len(actors)], questions[i], text(5), text(15)); err != nil {
			t.Fatal(err)
		}
	}
	for i := 1; i < 30; i += 5 {
		answer(i)
	}
	if _, err := fs.Unaccept(ctx, actors[0], threads[0].ID); err != nil {
		t.Fatal(err)
	}
	for range 5 {
		ask()
	}
	if _, err := db.Exec(ctx, `UPDATE threads SET status = 'hidden' WHERE id = ?`, threads[2].ID); err != nil {
		t.Fatal(err)
	}
	if err := RefreshThreads(ctx, db, []int64{threads[2].ID}); err != nil {
		t.Fatal(err)
	}
	compare("after changes")
	for k, l := range s.lists.lists {
		if l.at != readAt {
			t.Errorf("list %v was read again; want it patched", k)
		}
	}
	if len(s.lists.lists) != loaded {
		t.Errorf("%d lists after the changes, %d before", len(s.lists.lists), loaded)
	}

	// Searches beside writers (run with -race): the lists are shared, read,
	// patched and replaced concurrently, and still agree at the end.
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for g := range 4 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				q := queries[(g+i)%len(queries)]
				if idfs, ok, err := s.termIDFs(ctx, brand.ID, q); err == nil && ok {
					if _, _, err := s.scoreFromLists(ctx, brand.ID, q, filters[i%len(filters)], idfs, weightTitle, nil, 10); err != nil {
						t.Error(err)
						return
					}
				}
			}
		})
	}
	for i := 0; i < 6; i++ {
		ask()
		if _, err := fs.Edit(ctx, actors[(i*3)%len(actors)], questions[i*3], text(5), text(15)); err != nil {
			t.Error(err)
		}
		if _, err := Index(ctx, db, 1000); err != nil {
			t.Error(err)
		}
	}
	close(stop)
	wg.Wait()
	compare("after concurrent searches")

	// A reply to an answered thread changes nothing its document holds: no
	// rewrite, nothing logged.
	seq, _ := changeSeq(ctx, db)
	testkit.Reply(t, fs, actors[3], threads[0].ID, "Another thought on this, much later.")
	if _, err := Index(ctx, db, 1000); err != nil {
		t.Fatal(err)
	}
	if after, _ := changeSeq(ctx, db); after != seq {
		t.Errorf("a reply that changed no document logged %d changes", after-seq)
	}
}

// Patches count a changed document's words in Go; they must count what
// FTS4's unicode61 tokenizer indexed. On the real beer.stackexchange.com
// posts (HTML, accents, numbers, punctuation of every kind), every word
// FTS4 holds is in the same documents with the same hits per column as Go
// counts, and Go finds no word FTS4 does not hold.
func TestTokenHitsMatchFTS(t *testing.T) {
	data, err := os.ReadFile("../../shared/data/stackexchange/beer.stackexchange.com/Posts.xml")
	if err != nil {
		t.Skipf("the beer dump is not beside the repository: %v", err)
	}
	var dump struct {
		Rows []struct {
			Title string `xml:"Title,attr"`
			Body  string `xml:"Body,attr"`
		} `xml:"row"`
	}
	if err := xml.Unmarshal(bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF")), &dump); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	db := sqldbtest.Open(t, sqldb.SQLite)
	goHits := map[string]map[uint32][3]uint16{} // word -> document -> hits, as Go counts them
	for i, r := range dump.Rows {
		id := uint32(i + 1)
		if _, err := db.Exec(ctx, `INSERT INTO post_search_thread (docid, brand_id, title, question, answer, tags) VALUES (?, 1, ?, ?, '', '')`, id, r.Title, r.Body); err != nil {
			t.Fatal(err)
		}
		for col, text := range []string{r.Title, r.Body} {
			eachToken(text, func(tok string) {
				w := fold(tok)
				if goHits[w] == nil {
					goHits[w] = map[uint32][3]uint16{}
				}
				h := goHits[w][id]
				h[col]++
				goHits[w][id] = h
			})
		}
	}
	if _, err := db.Exec(ctx, `CREATE VIRTUAL TABLE terms USING fts4aux(post_search_thread)`); err != nil {
		t.Fatal(err)
	}
	rows, err := db.Query(ctx, `SELECT DISTINCT term FROM terms WHERE languageid = 1 AND col = '*'`)
	if err != nil {
		t.Fatal(err)
	}
	var words []string
	for rows.Next() {
		var w string
		if err := rows.Scan(&w); err != nil {
			t.Fatal(err)
		}
		words = append(words, w)
	}
	if err := rows.Close(); err != nil {
		t.Fatal(err)
	}
	for _, w := range words {
		l, err := loadPostings(ctx, db, listKey{brand: 1, word: w}, 0, time.Now())
		if err != nil {
			t.Fatalf("%q: %v", w, err)
		}
		got := goHits[w]
		delete(goHits, w)
		if len(got) != len(l.docs) {
			t.Errorf("word %q: Go finds it in %d documents, FTS4 in %d", w, len(got), len(l.docs))
			continue
		}
		for _, p := range l.docs {
			if got[p.id] != p.hits {
				t.Errorf("word %q in document %d: Go counts %v, FTS4 %v", w, p.id, got[p.id], p.hits)
				break
			}
		}
	}
	for w := range goHits {
		t.Errorf("Go finds the word %q, which FTS4 does not hold", w)
	}
	t.Logf("%d words in %d documents", len(words), len(dump.Rows))
}
