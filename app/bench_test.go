package app_test

// Benchmarks of the hot paths through the real handler (httptest, real
// SQLite file, real templates): a thread page of a question and 30 replies,
// a board page, posting a reply, giving kudos. Each runs on a synthetic
// community from forum/synth so the indexes hold realistic amounts of data.
//
//	go test ./app -run '^$' -bench . -benchtime 2s
//	go test ./app -run '^$' -bench 'ThreadPage/member' -cpuprofile /tmp/thread.prof

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"mutual/account"
	"mutual/app"
	"mutual/forum"
	"mutual/forum/synth"
	"mutual/markup"
	"mutual/sqldb"
)

// benchSite is a served community for benchmarks.
type benchSite struct {
	h       http.Handler
	thread  forum.Thread // question + 30 replies
	board   forum.Board  // the synthetic board holding the most threads
	cookie  string       // a signed-in member's session cookie
	tokens  []string     // bearer tokens of members
	posts   []int64      // synthetic replies to give kudos to
	threads []int64      // synthetic threads to reply to
	db      *sqldb.DB
}

func newBenchSite(b *testing.B, opts ...func(*app.Config)) *benchSite {
	b.Helper()
	ctx := context.Background()
	now := func() time.Time { return time.Now().UTC() }
	cfg := app.DefaultConfig()
	cfg.DataDir = b.TempDir()
	cfg.NoDemo = true
	cfg.PostInterval = 0
	cfg.JobInterval = 0
	cfg.Now = now
	for _, o := range opts {
		o(&cfg)
	}
	a, err := app.New(ctx, cfg, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = a.Close() })
	db := a.DB()
	md := markup.NewRenderer()
	// 8,000 threads / 40,000 posts: about 2,000 threads per board.
	if _, err := synth.Generate(ctx, db, md, synth.Options{Threads: 8000, Posts: 40000, Seed: 1, BenchMembers: -1}); err != nil {
		b.Fatal(err)
	}
	members := account.NewMembers(db, now)
	svc := forum.NewService(db, md, now)
	brand, err := forum.NewBrands(db, now).Default(ctx)
	if err != nil {
		b.Fatal(err)
	}
	s := &benchSite{h: a.Handler(), db: db}
	var actors []account.Actor
	for i := range 8 {
		name := fmt.Sprintf("benchuser%d", i)
		u, err := members.CreateUnclaimed(ctx, account.Unclaimed{BrandID: brand.ID, Username: name, CreatedAt: now()})
		if err != nil {
			b.Fatal(err)
		}
		tok, err := members.CreateToken(ctx, brand.ID, u.ID, "bench")
		if err != nil {
			b.Fatal(err)
		}
		s.tokens = append(s.tokens, tok)
		actors = append(actors, account.Actor{UserID: u.ID, BrandID: brand.ID, Username: name, Roles: []string{"member"}})
	}
	sess, err := members.StartSession(ctx, brand.ID, actors[0].UserID)
	if err != nil {
		b.Fatal(err)
	}
	s.cookie = "mutual_session=" + sess.Token
	if err := db.QueryRow(ctx, `SELECT id FROM boards WHERE brand_id = ? ORDER BY thread_count DESC LIMIT 1`, brand.ID).Scan(&s.board.ID); err != nil {
		b.Fatal(err)
	}
	if s.board, err = svc.Board(ctx, brand.ID, s.board.ID); err != nil {
		b.Fatal(err)
	}
	s.thread, err = svc.Ask(ctx, actors[1], forum.NewThread{BoardID: s.board.ID, Title: "Voicemail PIN not accepted after switching phones",
		Body: "I moved my SIM to a new phone and now voicemail asks for a PIN I never set. **What is the default?** I tried `0000` and `1234`."})
	if err != nil {
		b.Fatal(err)
	}
	for i := range 30 {
		body := fmt.Sprintf("Reply %d: try dialling **121** and choosing *Voicemail settings → Reset PIN*.\n\n- restart the phone\n- check [the help page](https://example.com/help/voicemail)", i)
		if _, err := svc.Reply(ctx, actors[2+i%6], s.thread.ID, forum.NewReply{Body: body}); err != nil {
			b.Fatal(err)
		}
	}
	if s.thread, err = svc.Thread(ctx, brand.ID, s.thread.ID); err != nil {
		b.Fatal(err)
	}
	rows, err := db.Query(ctx, `SELECT id, thread_id FROM posts WHERE is_question = 0 AND brand_id = ? AND author_id NOT IN (?, ?) ORDER BY id LIMIT 5000`,
		brand.ID, actors[0].UserID, actors[1].UserID)
	if err != nil {
		b.Fatal(err)
	}
	for rows.Next() {
		var p, t int64
		if err := rows.Scan(&p, &t); err != nil {
			b.Fatal(err)
		}
		s.posts = append(s.posts, p)
		if len(s.threads) == 0 || s.threads[len(s.threads)-1] != t {
			s.threads = append(s.threads, t)
		}
	}
	if err := rows.Close(); err != nil {
		b.Fatal(err)
	}
	return s
}

// serve runs one request and returns the body's size, or an error on an
// unexpected status (the caller fails: Fatal only works on the benchmark's
// own goroutine).
func (s *benchSite) serve(req *http.Request, want int) (int, error) {
	req.Host = "localhost"
	req.RemoteAddr = "127.0.0.1:50000"
	rec := httptest.NewRecorder()
	s.h.ServeHTTP(rec, req)
	if rec.Code != want {
		return 0, fmt.Errorf("%s %s: status %d, want %d: %.300s", req.Method, req.URL, rec.Code, want, rec.Body.String())
	}
	return rec.Body.Len(), nil
}

func (s *benchSite) get(b *testing.B, path, cookie string) int {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	n, err := s.serve(req, http.StatusOK)
	if err != nil {
		b.Fatal(err)
	}
	return n
}

// pages benchmarks a GET as an anonymous visitor (the page cache answers
// after the first request) and as a signed-in member (rendered every time).
func (s *benchSite) pages(b *testing.B, path, mustContain string) {
	b.Run("anonymous", func(b *testing.B) {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.Host = "localhost"
		rec := httptest.NewRecorder()
		s.h.ServeHTTP(rec, req)
		if !strings.Contains(rec.Body.String(), mustContain) {
			b.Fatalf("%s does not show %q", path, mustContain)
		}
		n := 0
		for b.Loop() {
			n = s.get(b, path, "")
		}
		b.SetBytes(int64(n))
	})
	b.Run("member", func(b *testing.B) {
		n := 0
		for b.Loop() {
			n = s.get(b, path, s.cookie)
		}
		b.SetBytes(int64(n))
	})
}

func BenchmarkThreadPage(b *testing.B) {
	s := newBenchSite(b)
	s.pages(b, fmt.Sprintf("/t/%d/%s", s.thread.ID, s.thread.Slug), "Reply 29:")
}

// BenchmarkThreadPageAfterReply is what a reply to a thread costs its next
// visitor: each op posts a reply (untimed), which makes the cached page
// stale, then times the anonymous GET that renders it again, with the
// posts' kept parts (the server's way) and rendered whole. FreshPages:
// otherwise the page, changing at every op, would be busy and be rendered
// at most once a second.
func BenchmarkThreadPageAfterReply(b *testing.B) {
	for _, c := range []struct {
		name  string
		whole bool
	}{{"parts", false}, {"whole", true}} {
		b.Run(c.name, func(b *testing.B) {
			s := newBenchSite(b, func(cfg *app.Config) { cfg.WholePages, cfg.FreshPages = c.whole, true })
			path := fmt.Sprintf("/t/%d/%s", s.thread.ID, s.thread.Slug)
			s.get(b, path, "")
			i := 0
			for b.Loop() {
				b.StopTimer()
				i++
				body := fmt.Sprintf(`{"body":"Reply %d after the first thirty: the PIN reset worked for me too.","client_key":"r-%d"}`, i, i)
				req := httptest.NewRequest(http.MethodPost, fmt.Sprintf("/api/v1/threads/%d/posts", s.thread.ID), strings.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+s.tokens[i%len(s.tokens)])
				req.Header.Set("Content-Type", "application/json")
				if _, err := s.serve(req, http.StatusCreated); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				s.get(b, path, "")
			}
		})
	}
}

func BenchmarkBoardPage(b *testing.B) {
	s := newBenchSite(b)
	s.pages(b, fmt.Sprintf("/b/%d/%s", s.board.ID, s.board.Slug), s.board.Name)
}

func BenchmarkThreadJSON(b *testing.B) {
	s := newBenchSite(b)
	for b.Loop() {
		s.get(b, fmt.Sprintf("/api/v1/threads/%d", s.thread.ID), "")
	}
}

// BenchmarkPostReply posts replies through the JSON API with bearer tokens:
// serially (each waits for its commit) and from parallel clients (commits
// can be grouped).
func BenchmarkPostReply(b *testing.B) {
	s := newBenchSite(b)
	var n atomic.Int64
	post := func() error {
		i := n.Add(1)
		body := fmt.Sprintf(`{"body":"Bench reply %d: reset the network settings and restart.","client_key":"b-%d"}`, i, i)
		req := httptest.NewRequest(http.MethodPost, fmt.Sprintf("/api/v1/threads/%d/posts", s.threads[int(i)%len(s.threads)]), strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+s.tokens[int(i)%len(s.tokens)])
		req.Header.Set("Content-Type", "application/json")
		_, err := s.serve(req, http.StatusCreated)
		return err
	}
	b.Run("serial", func(b *testing.B) {
		defer s.reportPages(b)()
		for b.Loop() {
			if err := post(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parallel", func(b *testing.B) {
		defer s.reportPages(b)()
		b.SetParallelism(8) // 8 x GOMAXPROCS clients
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := post(); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
	// hot: the members' replies go to 63 threads they all watch (each has
	// replied to each before; 63 and 8 share no factor, so every member
	// meets every thread), as in bench/run.sh's mix: every reply is news
	// to the asker and 7 other watchers. It runs last, so that parallel
	// meets the same database as in revisions without it.
	b.Run("hot", func(b *testing.B) {
		all := s.threads
		s.threads = all[:63]
		defer func() { s.threads = all }()
		for range 63 * len(s.tokens) {
			if err := post(); err != nil {
				b.Fatal(err)
			}
		}
		defer s.reportPages(b)()
		for b.Loop() {
			if err := post(); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// reportPages reports, when the returned func runs, the pages the writer
// wrote per operation meanwhile (sqldb.DB.PagesWritten) and the writes that
// put them in the WAL (sqldb.WALWrites): what each write costs the WAL, the
// checkpointer and the disk, figures noise leaves alone.
func (s *benchSite) reportPages(b *testing.B) func() {
	ctx := context.Background()
	start, err := s.db.PagesWritten(ctx)
	if err != nil {
		b.Fatal(err)
	}
	_, written, _ := sqldb.WALWrites()
	return func() {
		end, err := s.db.PagesWritten(ctx)
		if err != nil {
			b.Fatal(err)
		}
		_, writtenEnd, _ := sqldb.WALWrites()
		b.ReportMetric(float64(end-start)/float64(b.N), "pages/op")
		b.ReportMetric(float64(writtenEnd-written)/float64(b.N), "walwrites/op")
	}
}

// BenchmarkKudos gives kudos to a new post each time (one member over the
// synthetic replies, then the next member), each a transaction with its
// reputation event.
func BenchmarkKudos(b *testing.B) {
	s := newBenchSite(b)
	repBenchRules(b, s.db)
	defer s.reportPages(b)()
	i := 0
	for b.Loop() {
		post := s.posts[i%len(s.posts)]
		tok := s.tokens[(i/len(s.posts))%len(s.tokens)]
		if i >= len(s.posts)*len(s.tokens) {
			b.Fatalf("ran out of fresh (member, post) pairs after %d kudos", i)
		}
		req := httptest.NewRequest(http.MethodPost, fmt.Sprintf("/api/v1/posts/%d/kudos", post), nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		if _, err := s.serve(req, http.StatusOK); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
