package sqldb

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Under a steady stream of commits, with readers always in the WAL, the WAL
// is started over once it passes the policy's length instead of growing
// with every commit, and nothing written is lost.
func TestWALStartsOverUnderSteadyWrites(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "steady.db")
	const restartFrames = 128
	db, err := open(ctx, path, walPolicy{restartFrames: restartFrames, backlog: 16, idle: 20 * time.Millisecond, active: 5 * time.Millisecond, busy: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(ctx, `CREATE TABLE items (id INTEGER PRIMARY KEY, body TEXT NOT NULL)`); err != nil {
		t.Fatal(err)
	}

	stop := make(chan struct{})
	var readers sync.WaitGroup
	for range 2 {
		readers.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				var n int
				if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM items`).Scan(&n); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}

	// Each commit writes about two pages; 4,000 of them would make a WAL of
	// 8,000 frames (over 30 MB) if it were never started over.
	const writers, each = 8, 500
	body := strings.Repeat("x", 3000)
	var biggest atomic.Int64
	var wg sync.WaitGroup
	for range writers {
		wg.Go(func() {
			for i := range each {
				if err := db.InTx(ctx, func(tx *Tx) error {
					_, err := tx.Exec(ctx, `INSERT INTO items (body) VALUES (?)`, body)
					return err
				}); err != nil {
					t.Error(err)
					return
				}
				if i%10 == 0 {
					if fi, err := os.Stat(path + "-wal"); err == nil && fi.Size() > biggest.Load() {
						biggest.Store(fi.Size())
					}
				}
			}
		})
	}
	wg.Wait()
	close(stop)
	readers.Wait()

	var n int
	if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM items`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != writers*each {
		t.Fatalf("%d rows, want %d", n, writers*each)
	}
	// The WAL overshoots the restart length by what is committed while the
	// checkpointer catches up (and the file keeps its largest size); without
	// restarts it passes 30 MB.
	if limit := int64(2048 * 4096); biggest.Load() > limit {
		t.Fatalf("WAL grew to %d bytes; it should start over near %d", biggest.Load(), restartFrames*4096)
	}
	t.Logf("largest WAL seen: %d KB", biggest.Load()>>10)
}
