package sqldb

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// walFrameBytes is one WAL frame: its header and a page.
const walFrameBytes = 24 + 4096

// With readers that never pause (8, each reading the newest rows) beside 16
// writers, the WAL file never reaches twice its restart length: every restart waits for the readers already in the WAL, and the
// readers that keep coming read the database file instead.
func TestWALStaysBoundedUnderContinuousReads(t *testing.T) {
	ctx := context.Background()
	const restartFrames = 256
	db, path := openItems(t, walPolicy{restartFrames: restartFrames, backlog: 32, idle: 20 * time.Millisecond, active: 5 * time.Millisecond, busy: time.Millisecond})
	seq := walSeq(t, path)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var reads, writes atomic.Int64
	loop := func(step func() error, n *atomic.Int64) {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				if err := step(); err != nil {
					t.Error(err)
					return
				}
				n.Add(1)
			}
		})
	}
	for range 8 {
		loop(func() error {
			// What a page does: read the newest rows, all in the WAL.
			var n, size int
			return db.QueryRow(ctx, `SELECT COUNT(*), COALESCE(SUM(length(body)), 0) FROM (SELECT body FROM items ORDER BY id DESC LIMIT 50)`).Scan(&n, &size)
		}, &reads)
	}
	body := strings.Repeat("x", 3000)
	for range 16 {
		loop(func() error {
			return db.InTx(ctx, func(tx *Tx) error {
				_, err := tx.Exec(ctx, `INSERT INTO items (body) VALUES (?)`, body)
				return err
			})
		}, &writes)
	}
	var biggest int64
	for end := time.Now().Add(3 * time.Second); time.Now().Before(end); time.Sleep(time.Millisecond) {
		if fi, err := os.Stat(path + "-wal"); err == nil {
			biggest = max(biggest, fi.Size())
		}
	}
	close(stop)
	wg.Wait()
	restarts := walSeq(t, path) - seq
	t.Logf("largest WAL %d KB, restart length %d KB; %d restarts, %d reads, %d writes",
		biggest>>10, restartFrames*walFrameBytes>>10, restarts, reads.Load(), writes.Load())
	if limit := int64(2*restartFrames*walFrameBytes + 32); biggest > limit {
		t.Errorf("the WAL grew to %d bytes, over twice its restart length (%d)", biggest, limit)
	}
	if reads.Load() < 100 || restarts < 2 {
		t.Errorf("%d reads, %d writes and %d restarts: too little happened to prove anything", reads.Load(), writes.Load(), restarts)
	}
}

// A WAL over the restart length left by a crash is copied into the database
// and truncated when the database opens, before anything reads or writes;
// every commit in it is kept.
func TestOpenStartsOverALongWALLeftByACrash(t *testing.T) {
	ctx := context.Background()
	policy := walPolicy{restartFrames: 256, backlog: 32, idle: time.Hour, active: time.Hour, busy: time.Hour}
	crashed, committed := leaveLongWAL(t, 8<<20)
	db, err := open(ctx, crashed, policy)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if fi, err := os.Stat(crashed + "-wal"); err == nil && fi.Size() > 0 {
		t.Errorf("after open the WAL holds %d bytes, want it started over", fi.Size())
	}
	var n int64
	if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM items`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n < committed {
		t.Fatalf("%d rows after recovery, want at least the %d committed before the crash", n, committed)
	}
	var ok string
	if err := db.QueryRow(ctx, `PRAGMA integrity_check`).Scan(&ok); err != nil || ok != "ok" {
		t.Fatalf("integrity_check = %q, %v", ok, err)
	}
}

// leaveLongWAL writes until the WAL holds walBytes with checkpoints and
// restarts held off, copying the database and its WAL (not the -shm index, which a
// crash leaves stale) while a writer is still running: what a power cut or
// SIGKILL leaves behind. It returns the copy's path and how many rows had
// committed before the copy began.
func leaveLongWAL(t testing.TB, walBytes int64) (string, int64) {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	src := filepath.Join(dir, "live.db")
	never := walPolicy{restartFrames: 1 << 30, idle: time.Hour, active: time.Hour, busy: time.Hour}
	db, err := open(ctx, src, never)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(ctx, `CREATE TABLE items (id INTEGER PRIMARY KEY, body BLOB NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	var committed atomic.Int64
	insert := func() error {
		return db.InTx(ctx, func(tx *Tx) error {
			_, err := tx.Exec(ctx, `INSERT INTO items (body) SELECT randomblob(3000) FROM (SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4)`)
			return err
		})
	}
	for {
		if err := insert(); err != nil {
			t.Fatal(err)
		}
		committed.Add(4)
		if fi, err := os.Stat(src + "-wal"); err == nil && fi.Size() >= walBytes {
			break
		}
	}
	stop, done := make(chan struct{}), make(chan struct{})
	go func() { // the writer still running when the machine goes down
		defer close(done)
		for {
			select {
			case <-stop:
				return
			default:
			}
			if insert() != nil {
				return
			}
		}
	}()
	before := committed.Load()
	dst := filepath.Join(dir, "crashed.db")
	for _, suffix := range []string{"", "-wal"} {
		if err := copyFile(src+suffix, dst+suffix); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	<-done
	return dst, before
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// BenchmarkOpenAfterCrash times opening a database whose WAL a crash left
// at twice the default restart length (the most the writer lets it reach),
// up to the first answered read. MUTUAL_BENCH_WAL_MB sets another size.
//
//	go test ./sqldb -run '^$' -bench OpenAfterCrash -benchtime 3x
func BenchmarkOpenAfterCrash(b *testing.B) {
	ctx := context.Background()
	mb := int64(2 * walRestartBytes >> 20)
	if v := os.Getenv("MUTUAL_BENCH_WAL_MB"); v != "" {
		if _, err := fmt.Sscan(v, &mb); err != nil {
			b.Fatal(err)
		}
	}
	crashed, _ := leaveLongWAL(b, mb<<20)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		dir := b.TempDir()
		path := filepath.Join(dir, "copy.db")
		for _, suffix := range []string{"", "-wal"} {
			if err := copyFile(crashed+suffix, path+suffix); err != nil {
				b.Fatal(err)
			}
		}
		b.StartTimer()
		db, err := Open(ctx, path)
		if err != nil {
			b.Fatal(err)
		}
		var n int
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM items`).Scan(&n); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		fi, _ := os.Stat(path + "-wal")
		if fi != nil && i == 0 {
			b.Logf("WAL left by the crash %d MB; after open %d bytes", mb, fi.Size())
		}
		_ = db.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(mb), "wal-MB")
}

// The writer reads the WAL's length from the WAL index as SQLite reports it.
func TestWALFramesMatchesSQLite(t *testing.T) {
	ctx := context.Background()
	never := walPolicy{restartFrames: 1 << 20, idle: time.Hour, active: time.Hour, busy: time.Hour}
	db, err := open(ctx, filepath.Join(t.TempDir(), "frames.db"), never)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(ctx, `CREATE TABLE items (id INTEGER PRIMARY KEY, body BLOB NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		if _, err := db.Exec(ctx, `INSERT INTO items (body) VALUES (randomblob(?))`, 1000*i); err != nil {
			t.Fatal(err)
		}
		var busy, frames, copied int
		if err := db.checkpointer.QueryRowContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &frames, &copied); err != nil {
			t.Fatal(err)
		}
		if got := db.walFrames(); got != int64(frames) {
			t.Fatalf("after %d inserts walFrames = %d, SQLite says %d", i+1, got, frames)
		}
	}
}

// openItems opens a database under the WAL policy p with an items table,
// closed when the test ends.
func openItems(t *testing.T, p walPolicy) (*DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "items.db")
	db, err := open(context.Background(), path, p)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	if _, err := db.Exec(context.Background(), `CREATE TABLE items (id INTEGER PRIMARY KEY, body TEXT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	return db, path
}
