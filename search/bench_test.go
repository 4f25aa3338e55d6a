//go:build unix

package search_test

// Search and similar-question latency on a large community. Runs only when
// MUTUAL_SEARCH_BENCH_DB names a *copy* of a generated database (it is
// migrated and indexed in place):
//
//	cp -r /work/benchdata/100k /tmp/find-bench
//	MUTUAL_SEARCH_BENCH_DB=/tmp/find-bench/100k/mutual.db \
//	    go test ./search -run '^$' -bench 'SearchLarge' -benchtime 400x
//
// Each benchmark cycles through typical two-word queries (words from the
// generator's vocabulary, forum/synth) and reports p50 and p99 latency per
// query alongside ns/op.

import (
	"slices"
	"syscall"
	"testing"
	"time"

	"mutual/search"
	"mutual/search/searchtest"
	"mutual/sqldb"
)

var benchQueries = []string{
	"voicemail iphone", "roaming spain", "esim pixel", "refund charged", "hotspot galaxy", "signal leeds",
	"contract upgrade", "bill twice", "unlock code", "roaming portugal", "international calls", "porting number",
	"visual voicemail", "apn internet", "network settings", "sim provisioned", "direct debit", "spending cap",
	"family plan", "mms xperia", "5g glasgow", "top ups", "smartwatch data", "outage cardiff",
}

var benchTitles = []string{
	"Voicemail not working after the update on my iPhone 15", "Can I use roaming in Spain with the roaming pass?",
	"eSIM stopped working on my Pixel 8", "Charged twice for top-ups this month", "Hotspot keeps dropping on Galaxy S24",
	"How do I set up Wi-Fi calling on a Fairphone 5?", "Lost my PAC code after moving house",
	"Is there a way to turn off call forwarding?",
}

func openBenchDB(b *testing.B) (*sqldb.DB, *search.Service, int64) {
	db, brandID := searchtest.OpenLarge(b, "MUTUAL_SEARCH_BENCH_DB")
	return db, search.New(db, time.Now), brandID
}

// cpuTime is the process's user+system CPU time: on a shared machine it
// tells the work a query costs apart from time spent waiting for a core.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func reportPercentiles(b *testing.B, lat []time.Duration, cpu0 time.Duration) {
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms/op")
	slices.Sort(lat)
	p := func(q float64) float64 { return float64(lat[int(q*float64(len(lat)-1))].Microseconds()) / 1000 }
	b.ReportMetric(p(0.50), "p50-ms")
	b.ReportMetric(p(0.99), "p99-ms")
}

func BenchmarkSearchLarge(b *testing.B) {
	_, svc, brandID := openBenchDB(b)
	for _, q := range benchQueries { // warm the word-frequency cache and the page cache once
		if _, err := svc.Threads(ctx, brandID, search.Query{Q: q}); err != nil {
			b.Fatal(err)
		}
	}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	cpu0 := cpuTime()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		pg, err := svc.Threads(ctx, brandID, search.Query{Q: benchQueries[i%len(benchQueries)]})
		if err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
		if len(pg.Results) == 0 {
			b.Fatalf("%q found nothing", benchQueries[i%len(benchQueries)])
		}
	}
	reportPercentiles(b, lat, cpu0)
}

func BenchmarkSearchLargeFiltered(b *testing.B) {
	_, svc, brandID := openBenchDB(b)
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	cpu0 := cpuTime()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		sq := search.Query{Q: benchQueries[i%len(benchQueries)], Status: search.StatusSolved, Page: 1 + i%3}
		if _, err := svc.Threads(ctx, brandID, sq); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	reportPercentiles(b, lat, cpu0)
}

func BenchmarkSimilarLarge(b *testing.B) {
	_, svc, brandID := openBenchDB(b)
	for _, q := range benchTitles {
		if _, err := svc.Similar(ctx, brandID, q, "", search.SimilarLimit); err != nil {
			b.Fatal(err)
		}
	}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	cpu0 := cpuTime()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		got, err := svc.Similar(ctx, brandID, benchTitles[i%len(benchTitles)], "", search.SimilarLimit)
		if err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
		if len(got) == 0 {
			b.Fatalf("no suggestions for %q", benchTitles[i%len(benchTitles)])
		}
	}
	reportPercentiles(b, lat, cpu0)
}

// benchWords are bench/wrk/search.lua's words: one or two of them make a
// query, so some are rare and some match tens of thousands of threads.
var benchWords = []string{"voicemail", "roaming", "hotspot", "refund", "esim", "apn", "pac", "outage", "morocco", "pixel",
	"fairphone", "smartwatch", "provisioned", "imei", "glasgow", "cardiff", "debit", "unlock", "forwarding", "mms",
	"spending", "family", "contract", "porting", "coverage", "airplane", "replacement", "pending", "carrier", "signal"}

// benchMix is a fixed sequence of the bench's queries: half one word, half
// two.
func benchMix(n int) []string {
	out := make([]string, n)
	for i := range out {
		a := benchWords[(i*7)%len(benchWords)]
		if i%2 == 1 {
			a += " " + benchWords[(i*13+5)%len(benchWords)]
		}
		out[i] = a
	}
	return out
}

func BenchmarkSearchLargeMix(b *testing.B) {
	_, svc, brandID := openBenchDB(b)
	qs := benchMix(240)
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	cpu0 := cpuTime()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		if _, err := svc.Threads(ctx, brandID, search.Query{Q: qs[i%len(qs)]}); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	reportPercentiles(b, lat, cpu0)
}
