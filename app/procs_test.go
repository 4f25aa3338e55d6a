package app

import (
	"runtime"
	"runtime/debug"
	"testing"

	"mutual/sqldb"
)

// serve on SQLite doubles GOMAXPROCS, sets GOGC 200 and a 64 MiB soft
// memory limit, unless the environment says otherwise; PostgreSQL keeps Go's defaults. Apply puts back
// what it replaced.
func TestServeRuntime(t *testing.T) {
	t.Setenv("GOMAXPROCS", "")
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	procs, gc, limit := runtime.GOMAXPROCS(0), debug.SetGCPercent(-1), debug.SetMemoryLimit(-1)
	debug.SetGCPercent(gc)
	if got := ServeRuntime(sqldb.SQLite); got != (Runtime{Procs: 2 * procs, GCPercent: 200, MemoryLimit: 64 << 20}) {
		t.Errorf("SQLite: %+v, want procs %d, GOGC 200, GOMEMLIMIT 64 MiB", got, 2*procs)
	}
	if got := ServeRuntime(sqldb.Postgres); got != (Runtime{Procs: procs, GCPercent: gc, MemoryLimit: limit}) {
		t.Errorf("PostgreSQL: %+v, want Go's %d, %d and %d", got, procs, gc, limit)
	}
	t.Setenv("GOMAXPROCS", "3")
	t.Setenv("GOGC", "150")
	t.Setenv("GOMEMLIMIT", "1GiB")
	if got := ServeRuntime(sqldb.SQLite); got != (Runtime{Procs: procs, GCPercent: gc, MemoryLimit: limit}) {
		t.Errorf("with GOMAXPROCS, GOGC and GOMEMLIMIT set: %+v, want them left alone", got)
	}
	prev := (Runtime{Procs: procs + 1, GCPercent: 300, MemoryLimit: 1 << 30}).Apply()
	if runtime.GOMAXPROCS(0) != procs+1 || prev != (Runtime{Procs: procs, GCPercent: gc, MemoryLimit: limit}) {
		t.Errorf("Apply: GOMAXPROCS %d, previous %+v", runtime.GOMAXPROCS(0), prev)
	}
	prev.Apply()
	if runtime.GOMAXPROCS(0) != procs || debug.SetGCPercent(gc) != gc || debug.SetMemoryLimit(-1) != limit {
		t.Error("Apply did not put back what it replaced")
	}
}
