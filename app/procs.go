package app

import (
	"os"
	"runtime"
	"runtime/debug"

	"mutual/sqldb"
)

// Runtime is how serve sets Go's scheduler and garbage collector.
type Runtime struct {
	Procs       int   // GOMAXPROCS
	GCPercent   int   // GOGC
	MemoryLimit int64 // GOMEMLIMIT, bytes (math.MaxInt64: none)
}

// serveMemoryLimit bounds the Go heap under GOGC 200 (see ServeRuntime).
const serveMemoryLimit = 64 << 20

// ServeRuntime is what serve runs with. On SQLite: twice Go's default
// GOMAXPROCS (the CPUs it may use), and GOGC 200; the GOMAXPROCS and GOGC
// variables, when set, win. PostgreSQL is reached in pure Go and keeps Go's
// defaults.
//
// Every SQLite statement is a call into C. A goroutine returning from one
// needs a free P, and when all are busy it waits in the run queue behind
// every request handler, so the single writer (a dozen such calls per kudos)
// queued after each statement. With more Ps than CPUs it finds one at once
// and the OS shares the CPUs among threads instead, favouring the writer's
// thread, which had been waiting. Collections, for their part, take a P of
// their own and make allocating goroutines (the writer too) help; running
// them half as often costs a larger heap, which is small here.
//
// BenchmarkKudosWithReaders on 2 CPUs with 100 member page views a second:
// GOMAXPROCS 2: 1,600-1,690 kudos/s, p99 23-26 ms; GOMAXPROCS 4: 1,720-1,970,
// p99 19-22 ms; with GOGC 200 as well: 1,940-2,050, p99 19-20 ms.
//
// GOGC 200 lets the heap grow to three times what is live: with the page
// caches and search's word lists full that was 150 MB of heap and 230 MB of
// RSS under the search bench. A soft limit of 64 MiB (GOMEMLIMIT, when not
// set) makes collections come sooner only when the heap nears it, so a
// small heap still collects half as often and a large one stays bounded.
// It needs the live heap well under it: at 63 MB live (every page's
// templates parsed at start) the collector ran without pause and the home
// page served 4,374 req/s instead of 15,424 at 128 MiB. With templates
// parsed on first use the live heap is 29 MB, and 64 MiB serves the hot
// pages as fast as 128 did (16,410 against 14,344 req/s) at 117 MB of
// peak RSS instead of 173 (bench/run.sh's reads, quiet).
func ServeRuntime(d sqldb.Dialect) Runtime {
	r := Runtime{Procs: runtime.GOMAXPROCS(0), GCPercent: debug.SetGCPercent(-1), MemoryLimit: debug.SetMemoryLimit(-1)}
	debug.SetGCPercent(r.GCPercent) // SetGCPercent is the only way to read it
	if d != sqldb.SQLite {
		return r
	}
	if os.Getenv("GOMAXPROCS") == "" {
		r.Procs *= 2
	}
	if os.Getenv("GOGC") == "" {
		r.GCPercent = 200
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		r.MemoryLimit = serveMemoryLimit
	}
	return r
}

// Apply sets r and returns what was set before.
func (r Runtime) Apply() (previous Runtime) {
	return Runtime{Procs: runtime.GOMAXPROCS(r.Procs), GCPercent: debug.SetGCPercent(r.GCPercent), MemoryLimit: debug.SetMemoryLimit(r.MemoryLimit)}
}
