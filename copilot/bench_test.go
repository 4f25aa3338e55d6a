//go:build unix

package copilot_test

// The time per suggestion on a large community. Runs only when
// MUTUAL_COPILOT_BENCH_DB names a *copy* of a generated database (it is
// migrated and indexed in place):
//
//	mutual gen --data /tmp/cp --threads 100000 --posts 1000000 --seed 1
//	cp -r /tmp/cp /tmp/cp-bench
//	MUTUAL_COPILOT_BENCH_DB=/tmp/cp-bench/mutual.db \
//	    go test ./copilot -run '^$' -bench CopilotLarge -benchtime 400x
//
// Each suggestion is one unsolved thread's question: its sources and the
// quoted draft, as the help page draws them. It reports p50 and p99.

import (
	"slices"
	"syscall"
	"testing"
	"time"

	"mutual/copilot"
	"mutual/search"
	"mutual/search/searchtest"
	"mutual/sqldb"
)

func BenchmarkCopilotLarge(b *testing.B) {
	db, brandID := searchtest.OpenLarge(b, "MUTUAL_COPILOT_BENCH_DB")
	cp := copilot.New(db, search.New(db, time.Now), time.Now)
	ids, err := sqldb.Int64s(db.Query(ctx, `SELECT id FROM threads WHERE brand_id = ? AND accepted_post_id IS NULL ORDER BY id DESC LIMIT 400`, brandID))
	if err != nil || len(ids) == 0 {
		b.Fatalf("no unsolved threads (%v)", err)
	}
	qs := make([]copilot.Question, len(ids))
	for i, id := range ids {
		if qs[i], err = cp.QuestionOf(ctx, brandID, id); err != nil {
			b.Fatal(err)
		}
	}
	lat := make([]time.Duration, 0, b.N)
	found := 0
	b.ResetTimer()
	cpu0 := cpuTime()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		srcs, err := cp.Sources(ctx, qs[i%len(qs)], copilot.Limit)
		if err != nil {
			b.Fatal(err)
		}
		copilot.Quote(ctx, srcs)
		lat = append(lat, time.Since(t0))
		if len(srcs) > 0 {
			found++
		}
	}
	// On a shared machine CPU time tells the work apart from waiting for a core.
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms/op")
	slices.Sort(lat)
	p := func(q float64) float64 { return float64(lat[int(q*float64(len(lat)-1))].Microseconds()) / 1000 }
	b.ReportMetric(p(0.50), "p50-ms")
	b.ReportMetric(p(0.99), "p99-ms")
	b.ReportMetric(float64(found)/float64(b.N), "with-sources")
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
