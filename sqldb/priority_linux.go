package sqldb

import (
	"runtime"
	"syscall"
)

// pinThread keeps the calling goroutine on an OS thread of its own and sets
// that thread's nice value (lower runs first; 0 is the default).
//
// Three goroutines do SQLite's background work: the writer, which every
// write queues behind; the syncer, whose fsync acknowledges them; and the
// checkpointer, which copies the WAL into the database file and can wait.
// On a two-core machine they compete for the CPUs with every request, so
// the writer and the syncer run at writerNice and the checkpointer at
// checkpointNice. Lowering a nice value below 0 needs RLIMIT_NICE of at
// least 20 - writerNice (`docker run --ulimit nice=25:25`, systemd
// LimitNICE=25) or CAP_SYS_NICE (root); without either those threads keep
// the default priority and the error says so. Raising it needs nothing.
func pinThread(nice int) error {
	runtime.LockOSThread()
	return syscall.Setpriority(syscall.PRIO_PROCESS, syscall.Gettid(), nice)
}
