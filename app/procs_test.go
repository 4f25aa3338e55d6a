package app

import (
	"runtime"
	"runtime/debug"
	"testing"

	"mutual/sqldb"
)

// serve on SQLite doubles GOMAXPROCS and sets GOGC 200, unless the
// environment says otherwise; PostgreSQL keeps Go's defaults. Apply puts back
// what it replaced.
func TestServeRuntime(t *testing.T) {
	t.Setenv("GOMAXPROCS", "")
	t.Setenv("GOGC", "")
	procs, gc := runtime.GOMAXPROCS(0), debug.SetGCPercent(-1)
	debug.SetGCPercent(gc)
	if got := ServeRuntime(sqldb.SQLite); got != (Runtime{Procs: 2 * procs, GCPercent: 200}) {
		t.Errorf("SQLite: %+v, want procs %d, GOGC 200", got, 2*procs)
	}
	if got := ServeRuntime(sqldb.Postgres); got != (Runtime{Procs: procs, GCPercent: gc}) {
		t.Errorf("PostgreSQL: %+v, want Go's %d and %d", got, procs, gc)
	}
	t.Setenv("GOMAXPROCS", "3")
	t.Setenv("GOGC", "150")
	if got := ServeRuntime(sqldb.SQLite); got != (Runtime{Procs: procs, GCPercent: gc}) {
		t.Errorf("with GOMAXPROCS and GOGC set: %+v, want them left alone", got)
	}
	prev := (Runtime{Procs: procs + 1, GCPercent: 300}).Apply()
	if runtime.GOMAXPROCS(0) != procs+1 || prev != (Runtime{Procs: procs, GCPercent: gc}) {
		t.Errorf("Apply: GOMAXPROCS %d, previous %+v", runtime.GOMAXPROCS(0), prev)
	}
	prev.Apply()
	if runtime.GOMAXPROCS(0) != procs || debug.SetGCPercent(gc) != gc {
		t.Error("Apply did not put back what it replaced")
	}
}
