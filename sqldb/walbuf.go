package sqldb

/*
#include "walbuf.h"
*/
import "C"

import (
	"fmt"
	"sync"
)

// The writer writes the WAL through the "mutual-walbuf" VFS (walbuf.c).
//
// SQLite writes each WAL frame with two system calls, its 24-byte header
// and then its page, so a reply's commit made about thirty pwrites. On this
// project's machine (a paravirtualised VM) a system call costs several
// microseconds before any work is done, and a commit's writes were as much
// of the writer's time as the reply's statements. The VFS gathers a
// commit's frames in memory and writes them with one pwrite once the commit
// frame is whole, before SQLite publishes the commit in the WAL index. So
// when SQLite publishes a commit its frames are in the file exactly as
// before (and the syncer's fsync covers them as before): a reader, another
// process or a recovery after a crash sees what it always saw.
//
// Bytes are held only between two writes SQLite makes while it holds the
// write lock. Any other use of the WAL (a read, a sync, a size, a lock, a
// truncation, closing) writes them out first, as does any change of the
// database's shared-memory locks and publishing a commit there; the last two
// are where a rolled-back transaction's spilled frames go out, as they would
// have without the VFS. A write that fails fails the commit it belongs to.

const walbufVFS = C.WALBUF_VFS

var walbufOnce = sync.OnceValue(func() error {
	if rc := C.walbuf_register(); rc != 0 {
		return fmt.Errorf("sqldb: register the WAL-buffering SQLite VFS: code %d", int(rc))
	}
	return nil
})

// WALWrites reports, for every SQLite database this process opened, the WAL
// writes SQLite made through the writer's VFS, the writes that reached the
// file, and the flushes made only when a commit was being published (a
// commit the VFS failed to recognise; the tests want none).
func WALWrites() (asked, written, late int64) {
	var a, w, l C.longlong
	C.walbuf_counts(&a, &w, &l)
	return int64(a), int64(w), int64(l)
}
