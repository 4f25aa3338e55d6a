package sqldb

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// blockSyncs makes every fsync of the WAL wait for release, counting them;
// entered receives once per fsync started.
func blockSyncs(t *testing.T) (entered chan struct{}, release func(error), count *atomic.Int64) {
	t.Helper()
	entered = make(chan struct{}, 1000)
	gate := make(chan error)
	var n atomic.Int64
	orig := fsyncWAL
	fsyncWAL = func(f *os.File) error {
		n.Add(1)
		entered <- struct{}{}
		if err := <-gate; err != nil {
			return err
		}
		return f.Sync()
	}
	t.Cleanup(func() { fsyncWAL = orig })
	var once sync.Once
	release = func(err error) {
		once.Do(func() {
			go func() {
				for {
					gate <- err
				}
			}()
		})
	}
	return entered, release, &n
}

func openDurable(t *testing.T) *DB {
	t.Helper()
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "durable.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	if _, err := db.Exec(ctx, `CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	return db
}

// A write is committed (other connections see it) before its WAL is synced,
// but neither InTx nor Exec returns until the fsync has finished: nobody is
// told a write succeeded before it would survive power loss.
func TestWriteIsAcknowledgedOnlyAfterSync(t *testing.T) {
	ctx := context.Background()
	for _, path := range []string{"InTx", "Exec"} {
		t.Run(path, func(t *testing.T) {
			db := openDurable(t)
			entered, release, _ := blockSyncs(t)
			returned := make(chan error, 1)
			go func() {
				if path == "InTx" {
					returned <- db.InTx(ctx, func(tx *Tx) error {
						_, err := tx.Exec(ctx, `INSERT INTO items (name) VALUES ('a')`)
						return err
					})
					return
				}
				_, err := db.Exec(ctx, `INSERT INTO items (name) VALUES ('a')`)
				returned <- err
			}()
			<-entered // the commit is done and its fsync has begun
			var n int
			if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM items`).Scan(&n); err != nil || n != 1 {
				t.Fatalf("committed row not visible while syncing: %d, %v", n, err)
			}
			select {
			case err := <-returned:
				t.Fatalf("%s returned (%v) before its WAL was synced", path, err)
			case <-time.After(100 * time.Millisecond):
			}
			release(nil)
			if err := <-returned; err != nil {
				t.Fatal(err)
			}
		})
	}
}

// One fsync covers every commit made while the previous one ran, and a
// failed fsync is reported to every write it covered, never as success.
func TestSyncsAreSharedAndFailuresReported(t *testing.T) {
	ctx := context.Background()
	db := openDurable(t)
	entered, release, count := blockSyncs(t)
	first := make(chan error, 1)
	go func() {
		first <- db.InTx(ctx, func(tx *Tx) error {
			_, err := tx.Exec(ctx, `INSERT INTO items (name) VALUES ('first')`)
			return err
		})
	}()
	<-entered
	// While that fsync is held, 50 more writes commit and wait.
	const n = 50
	errs := make(chan error, n)
	for i := range n {
		go func() {
			errs <- db.InTx(ctx, func(tx *Tx) error {
				_, err := tx.Exec(ctx, `INSERT INTO items (name) VALUES (?)`, fmt.Sprint(i))
				return err
			})
		}()
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		var c int
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM items`).Scan(&c); err != nil {
			t.Fatal(err)
		}
		if c == n+1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("only %d of %d writes committed while an fsync was held", c, n+1)
		}
		time.Sleep(5 * time.Millisecond)
	}
	boom := errors.New("disk gone")
	release(boom)
	if err := <-first; !errors.Is(err, boom) {
		t.Fatalf("write covered by a failed fsync returned %v", err)
	}
	for range n {
		if err := <-errs; !errors.Is(err, boom) {
			t.Fatalf("write covered by a failed fsync returned %v", err)
		}
	}
	if c := count.Load(); c > 3 {
		t.Errorf("%d fsyncs for %d writes committed during one: want them shared", c, n+1)
	}
}

// If the file at the WAL's path is replaced (SQLite deletes the WAL when the
// last connection closes and starts a new one later), the syncer syncs the
// new file, not the handle it opened first.
func TestSyncFollowsAReplacedWAL(t *testing.T) {
	ctx := context.Background()
	db := openDurable(t)
	if _, err := db.Exec(ctx, `INSERT INTO items (name) VALUES ('a')`); err != nil {
		t.Fatal(err)
	}
	var synced os.FileInfo
	orig := fsyncWAL
	fsyncWAL = func(f *os.File) error {
		fi, err := f.Stat()
		if err != nil {
			return err
		}
		synced = fi
		return f.Sync()
	}
	t.Cleanup(func() { fsyncWAL = orig })

	path := db.path + "-wal"
	body, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path+".new", body, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(path+".new", path); err != nil {
		t.Fatal(err)
	}
	if err := db.syncNow(); err != nil {
		t.Fatal(err)
	}
	now, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if synced == nil || !os.SameFile(synced, now) {
		t.Fatal("the syncer synced the WAL it opened first, not the file now at the WAL's path")
	}
}

// A read inside InTx answers only once the commits it saw are durable, so
// work that acts outside the database on what it read (a webhook, a mail)
// never acts on a write a power cut could take back. A reader on the pool
// may see the same commit earlier.
func TestReadInTxWaitsForWhatItSawToBeDurable(t *testing.T) {
	ctx := context.Background()
	db := openDurable(t)
	entered, release, _ := blockSyncs(t)
	wrote := make(chan error, 1)
	go func() { _, err := db.Exec(ctx, `INSERT INTO items (name) VALUES ('escalated')`); wrote <- err }()
	<-entered // committed, its fsync held
	var n int
	if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM items`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("a reader sees %d rows (%v): the commit should be visible before its fsync", n, err)
	}
	read := make(chan int, 1)
	go func() {
		var seen int
		_ = db.InTx(ctx, func(tx *Tx) error { return tx.QueryRow(ctx, `SELECT COUNT(*) FROM items`).Scan(&seen) })
		read <- seen
	}()
	select {
	case seen := <-read:
		t.Fatalf("InTx read %d rows and answered before the write it saw was durable", seen)
	case <-time.After(100 * time.Millisecond):
	}
	release(nil)
	if err := <-wrote; err != nil {
		t.Fatal(err)
	}
	if seen := <-read; seen != 1 {
		t.Fatalf("InTx read %d rows, want 1", seen)
	}
}
