package sqldb_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"mutual/sqldb"
)

// Concurrent writers share commits, yet each keeps its own outcome: a failing
// (or panicking) transaction is rolled back alone, every other one is
// committed and visible once InTx returns, and every function ran exactly
// once.
func TestGroupCommitIsolatesFailures(t *testing.T) {
	ctx := context.Background()
	db, err := sqldb.Open(ctx, filepath.Join(t.TempDir(), "group.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(ctx, `CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)`); err != nil {
		t.Fatal(err)
	}
	const n = 300
	errBoom := errors.New("boom")
	results := make([]error, n)
	runs := make([]atomic.Int32, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			results[i] = db.InTx(ctx, func(tx *sqldb.Tx) error {
				runs[i].Add(1)
				if _, err := tx.Exec(ctx, `INSERT INTO items (name) VALUES (?)`, fmt.Sprintf("item-%d", i)); err != nil {
					return err
				}
				// A second row that must vanish with its transaction when it fails.
				if _, err := tx.Exec(ctx, `INSERT INTO items (name) VALUES (?)`, fmt.Sprintf("extra-%d", i)); err != nil {
					return err
				}
				switch i % 10 {
				case 3:
					return errBoom
				case 7:
					panic("job panicked")
				case 9:
					// A constraint error mid-transaction.
					_, err := tx.Exec(ctx, `INSERT INTO items (name) VALUES (?)`, fmt.Sprintf("item-%d", i))
					return err
				}
				return nil
			})
			if results[i] == nil {
				// Acknowledged means visible to a fresh reader right away.
				var c int
				if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM items WHERE name = ?`, fmt.Sprintf("item-%d", i)).Scan(&c); err != nil || c != 1 {
					t.Errorf("item-%d acknowledged but not readable: count %d, err %v", i, c, err)
				}
			}
		}(i)
	}
	wg.Wait()
	want := 0
	for i, err := range results {
		if r := runs[i].Load(); r != 1 {
			t.Errorf("job %d ran %d times, want exactly once", i, r)
		}
		switch i % 10 {
		case 3:
			if !errors.Is(err, errBoom) {
				t.Errorf("job %d: err = %v, want boom", i, err)
			}
		case 7, 9:
			if err == nil {
				t.Errorf("job %d: want an error", i)
			}
		default:
			if err != nil {
				t.Errorf("job %d: %v", i, err)
			}
			want += 2
		}
	}
	var got int
	if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM items`).Scan(&got); err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Fatalf("%d rows, want %d: a failed transaction leaked rows or a good one was lost", got, want)
	}
}

// Writes racing Close either commit or fail with an error; none hangs.
func TestGroupCommitClose(t *testing.T) {
	ctx := context.Background()
	db, err := sqldb.Open(ctx, filepath.Join(t.TempDir(), "close.db"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(ctx, `CREATE TABLE items (id INTEGER PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = db.InTx(ctx, func(tx *sqldb.Tx) error {
				_, err := tx.Exec(ctx, `INSERT INTO items DEFAULT VALUES`)
				return err
			})
		}()
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
}

// Checkpoints run in the background, not in commits; a clean Close still
// leaves everything in the database file (no WAL left behind), and the
// writes are all there on reopening.
func TestCloseLeavesACompleteDatabaseFile(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "ckpt.db")
	db, err := sqldb.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(ctx, `CREATE TABLE items (id INTEGER PRIMARY KEY, body TEXT)`); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := 0; i < 200; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			if err := db.InTx(ctx, func(tx *sqldb.Tx) error {
				_, err := tx.Exec(ctx, `INSERT INTO items (body) VALUES (?)`, fmt.Sprintf("%0500d", i))
				return err
			}); err != nil {
				t.Error(err)
			}
		}(i)
	}
	wg.Wait()
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(path + "-wal"); err == nil && st.Size() > 0 {
		t.Fatalf("a %d-byte WAL was left behind after Close", st.Size())
	}
	db, err = sqldb.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM items`).Scan(&n); err != nil || n != 200 {
		t.Fatalf("reopened: %d rows (%v), want 200", n, err)
	}
}
