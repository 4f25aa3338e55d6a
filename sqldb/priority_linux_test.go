package sqldb

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
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
		if db.WriterPriority() == nil {
			t.Skip("not root, yet the priority was raised: CAP_SYS_NICE is granted")
		}
		t.Skipf("not root: %v", db.WriterPriority())
	}
	if err := db.WriterPriority(); err != nil {
		t.Fatalf("as root the writer's priority should rise: %v", err)
	}
	// Find the thread at writerNice among the process's threads.
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	for _, task := range tasks {
		var tid int
		if _, err := fmt.Sscan(task.Name(), &tid); err != nil {
			continue
		}
		prio, err := syscall.Getpriority(syscall.PRIO_PROCESS, tid)
		// The raw syscall returns 20 - nice.
		if err == nil && 20-prio == writerNice {
			return
		}
	}
	t.Fatalf("no thread of the process runs at nice %d", writerNice)
}
