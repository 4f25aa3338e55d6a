package app_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"mutual/account"
	"mutual/app"
	"mutual/forum"
	"mutual/report/deflection/deflectiontest"
)

// BenchmarkReportPage renders /reports/deflection (figures, three SVG charts,
// the week and board tables) as a signed-in client manager over the
// 100k-thread community with 5,000,000 viewer-days, for 7, 30, 90 and 365
// days. MUTUAL_REPORT_BENCH_DB names a copy of /work/benchdata/100k/mutual.db
// (it is written to; see docs/deflection.md).
func BenchmarkReportPage(b *testing.B) {
	path := os.Getenv("MUTUAL_REPORT_BENCH_DB")
	if path == "" {
		b.Skip("set MUTUAL_REPORT_BENCH_DB to a copy of a generated community (see docs/deflection.md)")
	}
	ctx := context.Background()
	var last int64
	now := func() time.Time { return time.UnixMilli(last).UTC() }
	cfg := app.DefaultConfig()
	cfg.DataDir = filepath.Dir(path)
	cfg.NoDemo = true
	cfg.JobInterval = 0
	cfg.Now = func() time.Time { return now() }
	a, err := app.New(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		b.Fatal(err)
	}
	defer a.Close()
	brands := forum.NewBrands(a.DB(), time.Now)
	brand, err := brands.Default(ctx)
	if err != nil {
		b.Fatal(err)
	}
	if err := a.DB().QueryRow(ctx, `SELECT MAX(created_at) FROM threads WHERE brand_id = ?`, brand.ID).Scan(&last); err != nil {
		b.Fatal(err)
	}
	if _, err := deflectiontest.SeedBench(ctx, a.DB(), brand.ID, 5_000_000); err != nil {
		b.Fatal(err)
	}
	members := account.NewMembers(a.DB(), time.Now)
	name := "rep" + strconv.FormatInt(time.Now().UnixNano()%1e9, 36)
	u, err := members.CreateUnclaimed(ctx, account.Unclaimed{BrandID: brand.ID, Username: name, Email: name + "@example.com", CreatedAt: time.Now()})
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
	end := now()
	for _, days := range []int{7, 30, 90, 365} {
		b.Run(strconv.Itoa(days)+"days", func(b *testing.B) {
			url := "/reports/deflection?group=week&from=" + end.AddDate(0, 0, -(days-1)).Format(time.DateOnly) + "&to=" + end.Format(time.DateOnly)
			cpu0 := reportCPUTime()
			for b.Loop() {
				req := httptest.NewRequest(http.MethodGet, url, nil)
				req.Host = brand.Host
				req.AddCookie(&http.Cookie{Name: "mutual_session", Value: sess.Token})
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("report page: %d %s", rec.Code, rec.Body.String()[:min(300, rec.Body.Len())])
				}
			}
			b.ReportMetric(float64((reportCPUTime()-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms/op")
		})
	}
}

// reportCPUTime is the process's user and system CPU time so far: the
// figure that does not depend on how many share the machine's cores.
func reportCPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
