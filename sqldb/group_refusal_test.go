package sqldb

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A job that fails before writing anything (a refusal) is set aside and the
// rest of its batch commits together; a job that fails after writing rolls
// the whole batch back, to be run again job by job.
func TestBatchSetsRefusalsAside(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "refusals.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(ctx, `CREATE TABLE items (name TEXT PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	errNo := errors.New("refused")
	insert := func(name string) *job {
		return &job{ctx: ctx, done: make(chan error, 1), fn: func(tx *Tx) error {
			_, err := tx.Exec(ctx, `INSERT INTO items (name) VALUES (?)`, name)
			return err
		}}
	}
	// Refuses after reading, and sees what the batch wrote before it.
	var seen int
	refuse := &job{ctx: ctx, done: make(chan error, 1), fn: func(tx *Tx) error {
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM items`).Scan(&seen); err != nil {
			return err
		}
		return errNo
	}}
	ran, refused, ok := db.runBatch(&[]*job{insert("a"), refuse, insert("b")})
	if !ok || len(ran) != 2 || len(refused) != 1 || refused[0].job != refuse || !errors.Is(refused[0].err, errNo) {
		t.Fatalf("runBatch = %d ran, %v refused, ok %v; want 2 ran, the refusal set aside, ok", len(ran), refused, ok)
	}
	if seen != 1 {
		t.Errorf("the refusing job saw %d rows, want the 1 written before it in the batch", seen)
	}
	var n int
	if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM items`).Scan(&n); err != nil || n != 2 {
		t.Fatalf("%d rows committed (%v), want 2", n, err)
	}

	// A failure after a write rolls everything back, and so does one after
	// any statement that may write (Exec, a query that is not a SELECT),
	// even if it happened to change nothing.
	for name, write := range map[string]string{
		"insert":           `INSERT INTO items (name) VALUES ('d')`,
		"no-op insert":     `INSERT INTO items (name) VALUES ('a') ON CONFLICT DO NOTHING`,
		"delete returning": `DELETE FROM items WHERE name = 'zzz' RETURNING name`,
	} {
		wroteThenFailed := &job{ctx: ctx, done: make(chan error, 1), fn: func(tx *Tx) error {
			if strings.Contains(write, "RETURNING") {
				var name string
				_ = tx.QueryRow(ctx, write).Scan(&name)
			} else if _, err := tx.Exec(ctx, write); err != nil {
				return err
			}
			return errNo
		}}
		if _, _, ok := db.runBatch(&[]*job{insert("c"), wroteThenFailed, insert("e")}); ok {
			t.Fatalf("%s: a batch whose job failed after a statement that may write committed", name)
		}
	}
	if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM items`).Scan(&n); err != nil || n != 2 {
		t.Fatalf("%d rows after the rolled-back batch (%v), want 2", n, err)
	}

	// A job whose caller has gone is set aside unrun.
	gone, cancel := context.WithCancel(ctx)
	cancel()
	late := insert("f")
	late.ctx = gone
	ran, refused, ok = db.runBatch(&[]*job{late, insert("g")})
	if !ok || len(ran) != 1 || len(refused) != 1 || !errors.Is(refused[0].err, context.Canceled) {
		t.Fatalf("runBatch with a cancelled job = %d ran, %v refused, ok %v", len(ran), refused, ok)
	}
}

// A write that arrives while the writer runs another joins that one's
// commit rather than waiting for a commit of its own.
func TestArrivalsJoinTheRunningGroup(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "join.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(ctx, `CREATE TABLE items (name TEXT PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	before := db.commit.groups.Load()
	second := make(chan error, 1)
	err = db.InTx(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO items (name) VALUES ('first')`); err != nil {
			return err
		}
		// Queue a second write while this one is still running, and wait
		// until the writer's queue holds it.
		go func() {
			second <- db.InTx(ctx, func(tx *Tx) error {
				_, err := tx.Exec(ctx, `INSERT INTO items (name) VALUES ('second')`)
				return err
			})
		}()
		deadline := time.Now().Add(5 * time.Second)
		for len(db.commit.jobs) == 0 {
			if time.Now().After(deadline) {
				return errors.New("the second write never reached the writer's queue")
			}
			time.Sleep(time.Millisecond)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := <-second; err != nil {
		t.Fatal(err)
	}
	if got := db.commit.groups.Load() - before; got != 1 {
		t.Errorf("the two writes took %d commits, want 1", got)
	}
	var n int
	if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM items`).Scan(&n); err != nil || n != 2 {
		t.Fatalf("%d rows (%v), want 2", n, err)
	}
}
