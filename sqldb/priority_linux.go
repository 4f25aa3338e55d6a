package sqldb

import (
	"runtime"
	"syscall"
)

// raiseWriterPriority keeps the calling goroutine (the single writer) on its
// own OS thread and raises that thread's scheduling priority (nice
// writerNice). Every request on a two-core machine competes for the CPUs
// with the one thread all writes queue behind; when the writer waits for a
// CPU, every write waits. Lowering a nice value below 0 needs RLIMIT_NICE of
// at least 20 - writerNice (`docker run --ulimit nice=25:25`, systemd
// LimitNICE=25) or CAP_SYS_NICE (root); without either the writer keeps the
// default priority and the error says so.
func raiseWriterPriority() error {
	runtime.LockOSThread()
	return syscall.Setpriority(syscall.PRIO_PROCESS, syscall.Gettid(), writerNice)
}
