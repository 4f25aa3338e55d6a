package app_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"mutual/account"
	"mutual/app"
	"mutual/forum"
	"mutual/radar"
	"mutual/sqldb"
)

// BenchmarkRadar measures one radar pass and the trends page over a
// generated community. MUTUAL_RADAR_BENCH_DB names a copy of one (it is
// written to: the first run groups every thread and counts their terms):
//
//	mutual gen --data /tmp/radarbench --threads 100000 --posts 1000000
//	MUTUAL_RADAR_BENCH_DB=/tmp/radarbench/mutual.db go test ./app -run '^$' -bench Radar -benchtime 50x
func BenchmarkRadar(b *testing.B) {
	path := os.Getenv("MUTUAL_RADAR_BENCH_DB")
	if path == "" {
		b.Skip("set MUTUAL_RADAR_BENCH_DB to a copy of a generated community")
	}
	ctx := context.Background()
	var last int64
	cfg := app.DefaultConfig()
	cfg.DataDir = filepath.Dir(path)
	cfg.NoDemo = true
	cfg.JobInterval = 0
	cfg.Now = func() time.Time { return time.UnixMilli(last).UTC() }
	a, err := app.New(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		b.Fatal(err)
	}
	defer a.Close()
	brand, err := forum.NewBrands(a.DB(), time.Now).Default(ctx)
	if err != nil {
		b.Fatal(err)
	}
	if err := a.DB().QueryRow(ctx, `SELECT MAX(created_at) FROM threads WHERE brand_id = ?`, brand.ID).Scan(&last); err != nil {
		b.Fatal(err)
	}
	r := a.Radar()
	start := time.Now()
	n, err := r.Backfill(ctx, 1000)
	if err != nil {
		b.Fatal(err)
	}
	res, err := r.Pass(ctx) // counts every grouped thread's terms once
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("catch-up: grouped %d threads, counted %d, in %s", n, res.Rolled, time.Since(start).Round(time.Millisecond))
	// The machine may be shared: CPU time per op is reported beside the
	// wall time, as the report's benchmark does.
	b.Run("pass", func(b *testing.B) {
		cpu0 := reportCPUTime()
		for b.Loop() {
			if _, err := r.Pass(ctx); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64((reportCPUTime()-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms/op")
	})
	b.Run("trends-compute", func(b *testing.B) {
		cpu0 := reportCPUTime()
		for b.Loop() {
			if _, err := r.ComputeTrends(ctx, brand.ID, cfg.Now()); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64((reportCPUTime()-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms/op")
	})
	members := account.NewMembers(a.DB(), time.Now)
	name := fmt.Sprintf("trends%d", time.Now().UnixNano()%1e9)
	u, err := members.CreateUnclaimed(ctx, account.Unclaimed{BrandID: brand.ID, Username: name, CreatedAt: time.Now()})
	if err != nil {
		b.Fatal(err)
	}
	if err := members.Grant(ctx, brand.ID, u.ID, "client_manager"); err != nil {
		b.Fatal(err)
	}
	sess, err := members.StartSession(ctx, brand.ID, u.ID)
	if err != nil {
		b.Fatal(err)
	}
	h := a.Handler()
	b.Run("trends-page", func(b *testing.B) {
		cpu0 := reportCPUTime()
		for b.Loop() {
			req := httptest.NewRequest(http.MethodGet, "/reports/trends", nil)
			req.Host = brand.Host
			req.AddCookie(&http.Cookie{Name: "mutual_session", Value: sess.Token})
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				b.Fatalf("trends: %d", rec.Code)
			}
		}
		b.ReportMetric(float64((reportCPUTime()-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms/op")
	})
}

// BenchmarkAskRadar asks questions through the JSON API with the radar
// grouping each just after it commits (on, and the clock runs until every
// question is grouped) and without (off: the radar's pass would group
// them), on the same synthetic community; interleave runs to compare:
//
//	go test ./app -run '^$' -bench 'AskRadar' -count 6
func BenchmarkAskRadar(b *testing.B) {
	for _, mode := range []string{"on", "off"} {
		b.Run(mode, func(b *testing.B) {
			s := newBenchSite(b, func(c *app.Config) { c.NoRadar = mode == "off" })
			// The generated threads are grouped at start in both modes;
			// finish that before measuring.
			if _, err := radar.New(s.db, time.Now).Backfill(context.Background(), 1000); err != nil {
				b.Fatal(err)
			}
			var n atomic.Int64
			cpu0 := reportCPUTime()
			defer func() { b.ReportMetric(float64((reportCPUTime()-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms/op") }()
			b.SetParallelism(4)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					i := n.Add(1)
					body := fmt.Sprintf(`{"board_id":%d,"title":"No 4G in Leeds since this morning %d","body":"My phone shows no 4G here since 09:00, restarted twice.","client_key":"a-%d"}`, s.board.ID, i, i)
					req := httptest.NewRequest(http.MethodPost, "/api/v1/threads", strings.NewReader(body))
					req.Header.Set("Authorization", "Bearer "+s.tokens[int(i)%len(s.tokens)])
					req.Header.Set("Content-Type", "application/json")
					if _, err := s.serve(req, http.StatusCreated); err != nil {
						b.Error(err)
						return
					}
				}
			})
			for mode == "on" && ungroupedCount(b, s.db) > 0 {
				time.Sleep(5 * time.Millisecond)
			}
		})
	}
}

func ungroupedCount(b *testing.B, db *sqldb.DB) int {
	var n int
	if err := db.QueryRow(context.Background(), `SELECT COUNT(*) FROM threads t
WHERE NOT EXISTS (SELECT 1 FROM radar_threads r WHERE r.thread_id = t.id)`).Scan(&n); err != nil {
		b.Fatal(err)
	}
	return n
}
