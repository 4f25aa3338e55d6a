package deflection_test

import (
	"context"
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"

	"mutual/migrations"
	"mutual/report/deflection"
	"mutual/report/deflection/deflectiontest"
	"mutual/sqldb"
)

// BenchmarkReport computes the report over a copy of the 100k-thread bench
// community (MUTUAL_REPORT_BENCH_DB, a file it writes to: copy
// /work/benchdata/100k/mutual.db first) with 5,000,000 viewer-days, for
// periods of 7, 30, 90 and 365 days ending at its last thread.
func BenchmarkReport(b *testing.B) {
	path := os.Getenv("MUTUAL_REPORT_BENCH_DB")
	if path == "" {
		b.Skip("set MUTUAL_REPORT_BENCH_DB to a copy of a generated community (see docs/deflection.md)")
	}
	ctx := context.Background()
	db, err := sqldb.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if _, err := migrations.Up(ctx, db); err != nil {
		b.Fatal(err)
	}
	var brandID, last int64
	if err := db.QueryRow(ctx, `SELECT brand_id, MAX(created_at) FROM threads GROUP BY brand_id ORDER BY COUNT(*) DESC LIMIT 1`).Scan(&brandID, &last); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	n, err := deflectiontest.SeedBench(ctx, db, brandID, 5_000_000)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("%d viewer-days (seeding took %s)", n, time.Since(start).Round(time.Second))
	end := time.UnixMilli(last).UTC()
	for _, days := range []int{7, 30, 90, 365} {
		b.Run(strconv.Itoa(days)+"days", func(b *testing.B) {
			q := deflection.Query{BrandID: brandID, From: end.AddDate(0, 0, -(days - 1)), To: end, Group: deflection.ByWeek,
				SLAs: deflection.SLAs{Peer: 15 * time.Minute, Agent: time.Hour}}
			var r *deflection.Report
			cpu0 := cpuTime()
			for b.Loop() {
				if r, err = deflection.Compute(ctx, db, q, end); err != nil {
					b.Fatal(err)
				}
			}
			// CPU time per report: the figure that does not depend on how
			// many others share the machine's two cores.
			b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms/op")
			b.ReportMetric(float64(r.Totals.Asked), "threads")
			b.ReportMetric(float64(r.Totals.SolvedViews), "viewdays")
		})
	}
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
