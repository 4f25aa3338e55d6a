package sqldb

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// The writer's thread runs at writerNice when the process may lower nice
// values (root, as in CI), and the DB says why not otherwise.
func TestWriterThreadPriority(t *testing.T) {
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "prio.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if os.Geteuid() != 0 {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI runs as root, so the writer's priority can rise: euid %d, %v", os.Geteuid(), db.WriterPriority())
		}
		if db.WriterPriority() == nil {
			t.Skip("not root, yet the priority was raised: CAP_SYS_NICE is granted")
		}
		t.Skipf("not root: %v", db.WriterPriority())
	}
	if err := db.WriterPriority(); err != nil {
		t.Fatalf("as root the writer's priority should rise: %v", err)
	}
	// The writer and the syncer at writerNice, the checkpointer at
	// checkpointNice (other tests' databases may add more). The syncer and
	// the checkpointer start on their own, so give them a moment.
	var at map[int]int
	for try := 0; try < 100; try++ {
		if at = niceOfThreads(t); at[writerNice] >= 2 && at[checkpointNice] >= 1 {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("threads by nice value: %v; want the writer and syncer at %d, the checkpointer at %d", at, writerNice, checkpointNice)
}

// niceOfThreads counts the process's threads by nice value.
func niceOfThreads(t *testing.T) map[int]int {
	t.Helper()
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	at := map[int]int{}
	for _, task := range tasks {
		var tid int
		if _, err := fmt.Sscan(task.Name(), &tid); err != nil {
			continue
		}
		// The raw syscall returns 20 - nice.
		if prio, err := syscall.Getpriority(syscall.PRIO_PROCESS, tid); err == nil {
			at[20-prio]++
		}
	}
	return at
}
