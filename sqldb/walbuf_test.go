package sqldb

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// neverRestart keeps every frame in the WAL, so a copy of the WAL holds
// every commit.
var neverRestart = walPolicy{restartFrames: 1 << 30, idle: time.Hour, active: time.Hour, busy: time.Hour}

// A commit's frames reach the WAL in one write, and a reader on another
// connection sees each commit as soon as it returns. These tests read the
// VFS's process-wide counters, so none of them runs in parallel.
func TestACommitsFramesReachTheWALInOneWrite(t *testing.T) {
	ctx := context.Background()
	db, _ := openItems(t, neverRestart)
	body := strings.Repeat("w", 3000)
	asked0, written0, late0 := WALWrites()
	// Commits of 1 to 60 rows, a page each: the larger ones fill the
	// buffer, and some end with a commit frame that does not fit in it.
	const commits = 120
	rows := 0
	for i := 1; i <= commits; i++ {
		err := db.InTx(ctx, func(tx *Tx) error {
			for range 1 + i%60 {
				if _, err := tx.Exec(ctx, `INSERT INTO items (body) VALUES (?)`, body); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		rows += 1 + i%60
		var n int
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM items WHERE body = ?`, body).Scan(&n); err != nil {
			t.Fatalf("read after commit %d: %v", i, err)
		}
		if n != rows {
			t.Fatalf("after commit %d a reader sees %d rows, want %d", i, n, rows)
		}
	}
	asked, written, late := WALWrites()
	asked, written, late = asked-asked0, written-written0, late-late0
	t.Logf("%d commits of %d rows: SQLite asked for %d WAL writes, %d reached the file", commits, rows, asked, written)
	if asked < 2*int64(rows) {
		t.Errorf("SQLite asked for %d WAL writes, want at least %d (two a frame): is the writer using the VFS?", asked, 2*rows)
	}
	// One write a commit, and one more for each 31 frames a commit holds.
	if most := commits + asked/2/31 + 2; written > most {
		t.Errorf("%d writes reached the WAL for %d commits, want at most %d", written, commits, most)
	}
	if late != 0 {
		t.Errorf("%d flushes waited until a commit was being published", late)
	}
}

// What the WAL file holds after each commit is the whole commit: a copy of
// it taken while the database is open (what SIGKILL or a power cut leaves,
// once the syncer's fsync is done) recovers every commit, including one
// whose frames SQLite wrote early and then rewrote with new checksums (a
// transaction larger than the writer's page cache that changes a page
// again after spilling it).
func TestACopyOfTheWALTakenAfterCommitsHoldsThemAll(t *testing.T) {
	ctx := context.Background()
	db, path := openItems(t, neverRestart)
	if _, err := db.Exec(ctx, `PRAGMA cache_size=10`); err != nil {
		t.Fatal(err)
	}
	_, _, late0 := WALWrites()
	big := strings.Repeat("b", 3000)
	for round := 1; round <= 3; round++ {
		err := db.InTx(ctx, func(tx *Tx) error {
			for range 200 {
				if _, err := tx.Exec(ctx, `INSERT INTO items (body) VALUES (?)`, big); err != nil {
					return err
				}
			}
			// The first rows' pages were spilled to the WAL above.
			_, err := tx.Exec(ctx, `UPDATE items SET body = ? WHERE id <= 5`, strings.Repeat("u", 10+round))
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.InTx(ctx, func(tx *Tx) error {
			_, err := tx.Exec(ctx, `INSERT INTO items (body) VALUES ('small')`)
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, late := WALWrites(); late != late0 {
		t.Errorf("%d flushes waited until a commit was being published", late-late0)
	}
	copied := filepath.Join(t.TempDir(), "copy.db")
	for _, suffix := range []string{"", "-wal"} {
		if err := copyFile(path+suffix, copied+suffix); err != nil {
			t.Fatal(err)
		}
	}
	after, err := open(ctx, copied, neverRestart)
	if err != nil {
		t.Fatal(err)
	}
	defer after.Close()
	var rows, small, updated int
	var check string
	if err := after.QueryRow(ctx, `SELECT COUNT(*), COUNT(*) FILTER (WHERE body = 'small'), COUNT(*) FILTER (WHERE body = ?) FROM items`,
		strings.Repeat("u", 13)).Scan(&rows, &small, &updated); err != nil {
		t.Fatal(err)
	}
	if rows != 603 || small != 3 || updated != 5 {
		t.Errorf("the copy recovered %d rows (%d small, %d updated last), want 603 (3, 5)", rows, small, updated)
	}
	if err := after.QueryRow(ctx, `PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
		t.Errorf("integrity_check = %q, %v", check, err)
	}
}

// A transaction that spilled frames and then rolled back leaves nothing
// held that could later be written over another writer's commit.
func TestARolledBackSpillLeavesAnotherWritersCommits(t *testing.T) {
	ctx := context.Background()
	a, path := openItems(t, neverRestart)
	b, err := open(ctx, path, neverRestart)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if _, err := a.Exec(ctx, `PRAGMA cache_size=10`); err != nil {
		t.Fatal(err)
	}
	changedMind := errors.New("changed my mind")
	err = a.InTx(ctx, func(tx *Tx) error {
		for range 20 {
			if _, err := tx.Exec(ctx, `INSERT INTO items (body) VALUES (?)`, strings.Repeat("r", 3000)); err != nil {
				return err
			}
		}
		return changedMind
	})
	if !errors.Is(err, changedMind) {
		t.Fatalf("rolled-back transaction: %v", err)
	}
	insert := func(db *DB, body string) {
		t.Helper()
		if err := db.InTx(ctx, func(tx *Tx) error {
			_, err := tx.Exec(ctx, `WITH RECURSIVE s(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM s WHERE x < 20) INSERT INTO items (body) SELECT ? || x FROM s`, body)
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	insert(b, strings.Repeat("b", 2000))
	insert(a, strings.Repeat("a", 2000))
	insert(b, strings.Repeat("c", 2000))
	for _, db := range []*DB{a, b} {
		var n int
		var check string
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM items WHERE body NOT LIKE 'r%'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if err := db.QueryRow(ctx, `PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
			t.Fatalf("integrity_check = %q, %v", check, err)
		}
		if n != 60 {
			t.Fatalf("%d rows committed by the two writers, want 60", n)
		}
	}
}
