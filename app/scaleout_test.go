package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"mutual/account"
	"mutual/app"
	"mutual/forum"
	"mutual/internal/testkit"
	"mutual/markup"
	"mutual/sqldb"
	"mutual/sqldb/sqldbtest"
)

// scaleoutInstance starts one Mutual instance on the given database target.
func scaleoutInstance(t *testing.T, target string, clock *testkit.Clock, hook func(string, int) error) (*app.App, *httptest.Server) {
	t.Helper()
	cfg := app.DefaultConfig()
	cfg.DataDir = t.TempDir()
	cfg.DatabaseURL = target
	cfg.NoDemo = true
	cfg.JobInterval = 0 // the test runs the detector itself
	cfg.JobBatch = 3
	cfg.PostInterval = 0
	cfg.Now = clock.Now
	cfg.BatchHook = hook
	a, err := app.New(context.Background(), cfg, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	if err != nil {
		t.Fatalf("start instance: %v", err)
	}
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(func() { srv.Close(); a.Close() })
	return a, srv
}

func apiPost(t *testing.T, url, token string, body any) (int, []byte) {
	t.Helper()
	raw, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(raw))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Errorf("POST %s: %v", url, err)
		return 0, nil
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	return res.StatusCode, out
}

// Two instances on one PostgreSQL: concurrent writes through both land once
// each and are read back by both; the escalation detector on both escalates
// each overdue thread once; and when one instance dies mid-run holding the
// job, the other takes it over after the lease and finishes the work.
func TestTwoInstancesShareOnePostgres(t *testing.T) {
	target := sqldbtest.Target(t, sqldb.Postgres)
	clock := testkit.NewClock(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	var crashA atomic.Bool
	crashA.Store(true)
	a, srvA := scaleoutInstance(t, target, clock, func(job string, batch int) error {
		if crashA.Load() && batch == 1 {
			return errors.New("instance A killed")
		}
		return nil
	})
	b, srvB := scaleoutInstance(t, target, clock, nil)
	ctx := context.Background()

	brand, err := forum.NewBrands(a.DB(), clock.Now).Default(ctx)
	if err != nil {
		t.Fatal(err)
	}
	svc := forum.NewService(a.DB(), markup.NewRenderer(), clock.Now)
	board, err := svc.CreateBoard(ctx, brand.ID, forum.NewBoard{Name: "Shared board"})
	if err != nil {
		t.Fatal(err)
	}
	members := account.NewMembers(a.DB(), clock.Now)
	var tokens []string
	for i := 0; i < 4; i++ {
		u, err := members.CreateUnclaimed(ctx, account.Unclaimed{BrandID: brand.ID, Username: fmt.Sprintf("member%d", i), CreatedAt: clock.Now()})
		if err != nil {
			t.Fatal(err)
		}
		tok, err := members.CreateToken(ctx, brand.ID, u.ID, "test")
		if err != nil {
			t.Fatal(err)
		}
		tokens = append(tokens, tok)
	}

	// Concurrent questions through both instances.
	const perWorker = 2
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			base := srvA.URL
			if w%2 == 1 {
				base = srvB.URL
			}
			for i := 0; i < perWorker; i++ {
				code, body := apiPost(t, base+"/api/v1/threads", tokens[w], map[string]any{
					"board_id": board.ID, "title": fmt.Sprintf("Question %d from worker %d", i, w),
					"body": "Nobody has answered this one yet, please help.",
				})
				if code != http.StatusCreated {
					t.Errorf("ask via %s: %d %s", base, code, body)
				}
			}
		}(w)
	}
	wg.Wait()
	const threads = 4 * perWorker
	for _, srv := range []*httptest.Server{srvA, srvB} {
		res, err := http.Get(fmt.Sprintf("%s/api/v1/boards/%d/threads?limit=100", srv.URL, board.ID))
		if err != nil {
			t.Fatal(err)
		}
		var list struct{ Items []map[string]any }
		_ = json.NewDecoder(res.Body).Decode(&list)
		res.Body.Close()
		if len(list.Items) != threads {
			t.Fatalf("%s lists %d threads, want %d", srv.URL, len(list.Items), threads)
		}
	}

	// Past the SLA, instance A claims the detector and dies after one batch.
	clock.Add(16 * time.Minute)
	ran, err := a.RunEscalations(ctx)
	if !ran || err == nil {
		t.Fatalf("instance A: ran=%v err=%v, want a run abandoned by the crash", ran, err)
	}
	if n := countEscalations(t, a.DB()); n != 3 {
		t.Fatalf("after A's first batch: %d escalations, want 3", n)
	}
	// A's lease is live: B must not run the job now.
	if ran, err := b.RunEscalations(ctx); ran || err != nil {
		t.Fatalf("instance B ran while A held the lease: ran=%v err=%v", ran, err)
	}
	// Once the lease runs out, B takes over and finishes.
	clock.Add(2 * time.Minute)
	if ran, err := b.RunEscalations(ctx); !ran || err != nil {
		t.Fatalf("instance B after lease expiry: ran=%v err=%v", ran, err)
	}
	if n := countEscalations(t, a.DB()); n != threads {
		t.Fatalf("after B took over: %d escalations, want %d (each thread once)", n, threads)
	}

	// Both detectors racing over new overdue threads still escalate each once.
	crashA.Store(false)
	for i := 0; i < 5; i++ {
		if _, err := svc.Ask(ctx, account.Actor{UserID: 2, BrandID: brand.ID, Roles: []string{"member"}},
			forum.NewThread{BoardID: board.ID, Title: fmt.Sprintf("Late question number %d", i), Body: "Still waiting for an answer here."}); err != nil {
			t.Fatal(err)
		}
	}
	clock.Add(20 * time.Minute)
	for round := 0; round < 3; round++ {
		var race sync.WaitGroup
		for _, inst := range []*app.App{a, b} {
			race.Add(1)
			go func(inst *app.App) {
				defer race.Done()
				if _, err := inst.RunEscalations(ctx); err != nil {
					t.Errorf("detector: %v", err)
				}
			}(inst)
		}
		race.Wait()
		clock.Add(time.Minute)
	}
	if n := countEscalations(t, a.DB()); n != threads+5 {
		t.Fatalf("after racing detectors: %d escalations, want %d", n, threads+5)
	}
	var dup int
	if err := a.DB().QueryRow(ctx, `SELECT COUNT(*) FROM (SELECT thread_id FROM escalations GROUP BY thread_id HAVING COUNT(*) > 1) d`).Scan(&dup); err != nil {
		t.Fatal(err)
	}
	if dup != 0 {
		t.Fatalf("%d threads escalated more than once", dup)
	}
}

func countEscalations(t *testing.T, db *sqldb.DB) int {
	t.Helper()
	var n int
	if err := db.QueryRow(context.Background(), `SELECT COUNT(*) FROM escalations`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// A page another instance cached is dropped when this instance takes a
// write: the change travels by LISTEN/NOTIFY, not by waiting for the TTL.
func TestCacheInvalidationCrossesInstances(t *testing.T) {
	target := sqldbtest.Target(t, sqldb.Postgres)
	clock := testkit.NewClock(time.Now().UTC())
	a, srvA := scaleoutInstance(t, target, clock, nil)
	_, srvB := scaleoutInstance(t, target, clock, nil)
	ctx := context.Background()
	brand, _ := forum.NewBrands(a.DB(), clock.Now).Default(ctx)
	svc := forum.NewService(a.DB(), markup.NewRenderer(), clock.Now)
	board, err := svc.CreateBoard(ctx, brand.ID, forum.NewBoard{Name: "Cache board"})
	if err != nil {
		t.Fatal(err)
	}
	members := account.NewMembers(a.DB(), clock.Now)
	u, _ := members.CreateUnclaimed(ctx, account.Unclaimed{BrandID: brand.ID, Username: "asker", CreatedAt: clock.Now()})
	tok, _ := members.CreateToken(ctx, brand.ID, u.ID, "t")
	code, body := apiPost(t, srvA.URL+"/api/v1/threads", tok, map[string]any{"board_id": board.ID, "title": "Cached thread title", "body": "A body long enough."})
	if code != http.StatusCreated {
		t.Fatalf("ask: %d %s", code, body)
	}
	var th struct {
		ID  int64
		URL string
	}
	_ = json.Unmarshal(body, &th)
	get := func() string {
		res, err := http.Get(srvB.URL + th.URL)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return string(b)
	}
	if page := get(); !bytes.Contains([]byte(page), []byte("No replies yet")) {
		t.Fatalf("instance B's first view should show no replies")
	}
	// The reply goes through A; B's cached copy must go stale promptly.
	code, body = apiPost(t, fmt.Sprintf("%s/api/v1/threads/%d/posts", srvA.URL, th.ID), tok, map[string]any{"body": "A follow-up with more detail."})
	if code != http.StatusCreated {
		t.Fatalf("reply: %d %s", code, body)
	}
	deadline := time.Now().Add(5 * time.Second)
	for !bytes.Contains([]byte(get()), []byte("A follow-up with more detail.")) {
		if time.Now().After(deadline) {
			t.Fatal("instance B kept serving its cached page after a write on instance A")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Instances starting together on a fresh PostgreSQL database migrate it
// once between them (goose holds an advisory lock) and all come up.
func TestInstancesStartTogether(t *testing.T) {
	target := sqldbtest.Target(t, sqldb.Postgres)
	clock := testkit.NewClock(time.Now().UTC())
	var wg sync.WaitGroup
	apps := make([]*app.App, 3)
	errs := make([]error, 3)
	for i := range apps {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			cfg := app.DefaultConfig()
			cfg.DataDir = t.TempDir()
			cfg.DatabaseURL = target
			cfg.NoDemo = true
			cfg.JobInterval = 0
			cfg.Now = clock.Now
			apps[i], errs[i] = app.New(context.Background(), cfg, slog.New(slog.NewJSONHandler(io.Discard, nil)))
		}(i)
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("instance %d: %v", i, err)
		}
		defer apps[i].Close()
	}
	var brands, admins int
	db := apps[0].DB()
	if err := db.QueryRow(context.Background(), `SELECT COUNT(*) FROM brands`).Scan(&brands); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(context.Background(), `SELECT COUNT(*) FROM users WHERE username = 'admin'`).Scan(&admins); err != nil {
		t.Fatal(err)
	}
	if brands != 1 || admins != 1 {
		t.Fatalf("%d brands and %d admins after a concurrent start, want one of each", brands, admins)
	}
}
