package sqldb

import (
	"context"
	"encoding/binary"
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
	const restartFrames = 128
	db, path := openItems(t, walPolicy{restartFrames: restartFrames, backlog: 16, idle: 20 * time.Millisecond, active: 5 * time.Millisecond, busy: time.Millisecond})

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

// The writer's restart waits only briefly for a reader still in the WAL,
// then gives up and leaves writing as it was; asked again once the reader
// has gone, it starts the WAL over. An ask that names the WAL's length at
// the last restart is stale and ignored.
func TestRestartGivesWayToAReaderAndIgnoresStaleAsks(t *testing.T) {
	ctx := context.Background()
	never := time.Hour // the checkpointer stays out of the way
	db, err := open(ctx, filepath.Join(t.TempDir(), "restart.db"), walPolicy{restartFrames: 8, backlog: 4, idle: never, active: never, busy: never})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	insert := func(n int) {
		t.Helper()
		for range n {
			if _, err := db.Exec(ctx, `INSERT INTO items (body) VALUES (randomblob(3000))`); err != nil {
				t.Fatal(err)
			}
		}
	}
	walFrames := func() int {
		t.Helper()
		var busy, frames, copied int
		if err := db.checkpointer.QueryRowContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &frames, &copied); err != nil {
			t.Fatal(err)
		}
		return frames
	}
	if _, err := db.Exec(ctx, `CREATE TABLE items (id INTEGER PRIMARY KEY, body BLOB NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	insert(10)

	// A reader holds a snapshot that needs frames in the WAL.
	rc, err := db.reader.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	var n int
	if _, err := rc.ExecContext(ctx, "BEGIN"); err != nil {
		t.Fatal(err)
	}
	if err := rc.QueryRowContext(ctx, `SELECT COUNT(*) FROM items`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	frames := walFrames()
	db.restartAt.Store(int64(frames))
	db.restartWAL()
	if db.restarted != 0 {
		t.Fatalf("the WAL was started over under a reader still reading it")
	}
	var timeout int
	if err := db.writer.QueryRowContext(ctx, "PRAGMA busy_timeout").Scan(&timeout); err != nil || timeout != int(busyTimeout.Milliseconds()) {
		t.Fatalf("writer's busy_timeout after giving up = %d (%v), want %d", timeout, err, busyTimeout.Milliseconds())
	}
	insert(1) // writing goes on
	if _, err := rc.ExecContext(ctx, "COMMIT"); err != nil {
		t.Fatal(err)
	}

	frames = walFrames()
	seq := walSeq(t, db.path)
	db.restartAt.Store(int64(frames))
	db.restartWAL()
	if db.restarted != int64(frames) {
		t.Fatalf("restart after the reader left: restarted at %d frames, want %d", db.restarted, frames)
	}
	insert(1)
	if walSeq(t, db.path) != seq+1 {
		t.Fatalf("the WAL was not started over")
	}
	// Stale: what the checkpointer reads between the restart and the next
	// commit is the old length. (No checkpoint runs here, so the writer
	// cannot start the WAL over on its own.)
	seq++
	db.restartAt.Store(db.restarted)
	db.restartWAL()
	insert(1)
	if walSeq(t, db.path) != seq {
		t.Fatalf("a stale ask started the WAL over")
	}
	if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM items`).Scan(&n); err != nil || n != 13 {
		t.Fatalf("%d rows (%v), want 13", n, err)
	}
}

// walSeq reads the checkpoint sequence number from the WAL's header, which
// SQLite increments each time the WAL starts over.
func walSeq(t *testing.T, dbPath string) uint32 {
	t.Helper()
	f, err := os.Open(dbPath + "-wal")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var h [16]byte
	if _, err := f.ReadAt(h[:], 0); err != nil {
		t.Fatal(err)
	}
	return binary.BigEndian.Uint32(h[12:])
}

// The checkpointer syncs the database file after each checkpoint that
// copied frames, so a restart has little left to sync.
func TestCheckpointerSyncsWhatItCopied(t *testing.T) {
	ctx := context.Background()
	var synced atomic.Int64
	orig := syncDB
	syncDB = func(f *os.File) error { synced.Add(1); return f.Sync() }
	defer func() { syncDB = orig }()
	db, err := open(ctx, filepath.Join(t.TempDir(), "sync.db"), walPolicy{restartFrames: 1 << 20, backlog: 16, idle: 5 * time.Millisecond, active: 5 * time.Millisecond, busy: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(ctx, `CREATE TABLE items (id INTEGER PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for synced.Load() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the checkpointer copied the WAL but never synced the database file")
		}
		time.Sleep(5 * time.Millisecond)
	}
	// Idle: nothing more copied, nothing more synced.
	time.Sleep(50 * time.Millisecond)
	before := synced.Load()
	time.Sleep(50 * time.Millisecond)
	if after := synced.Load(); after != before {
		t.Errorf("the checkpointer synced the database file %d times with nothing copied", after-before)
	}
}
