package app

import (
	"os"
	"runtime"

	"mutual/sqldb"
)

// ServeProcs is the GOMAXPROCS the server runs with: on SQLite, twice Go's
// default (the CPUs it may use), unless the GOMAXPROCS variable says
// otherwise.
//
// Every SQLite statement is a call into C. A goroutine returning from one
// needs a free P, and when all are busy it waits in the run queue behind
// every request handler, so the single writer (which makes a dozen such
// calls per kudos) queued after each statement. With more Ps than CPUs a
// returning goroutine finds a P at once and the OS shares the CPUs among
// threads instead, favouring the writer's thread, which had been waiting.
// Measured with BenchmarkKudosWithReaders: 1,600-1,690 kudos/s (p99
// 23-26 ms) with GOMAXPROCS 2, 1,950-1,970 (p99 19 ms) with 4, on 2 CPUs.
// PostgreSQL is reached in pure Go, so it keeps the default.
func ServeProcs(d sqldb.Dialect) int {
	def := runtime.GOMAXPROCS(0)
	if os.Getenv("GOMAXPROCS") != "" || d != sqldb.SQLite {
		return def
	}
	return 2 * def
}
