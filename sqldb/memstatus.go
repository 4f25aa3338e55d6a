package sqldb

// SQLite keeps memory statistics by default, taking one process-wide mutex
// on every allocation. With a writer and a pool of readers on other threads
// that mutex was contended (futex waits showed in perf), and Mutual never
// reads the statistics. SQLite's own list of recommended compile-time
// options turns them off (SQLITE_DEFAULT_MEMSTATUS=0); go-sqlite3 does not,
// so it is done here, before any connection initialises the library.

/*
#define MUTUAL_SQLITE_CONFIG_MEMSTATUS 9 // sqlite3.h's SQLITE_CONFIG_MEMSTATUS
extern int sqlite3_config(int, ...);
static int mutual_memstatus_off(void) { return sqlite3_config(MUTUAL_SQLITE_CONFIG_MEMSTATUS, 0); }
*/
import "C"

// memstatusOff is the result code of the call: 0 (SQLITE_OK), or 21
// (SQLITE_MISUSE) if something initialised SQLite before this package.
var memstatusOff = int(C.mutual_memstatus_off())
