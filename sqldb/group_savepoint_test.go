package sqldb

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// groupDB opens a SQLite database with a table of names for the tests that
// run a batch on the writer themselves.
func groupDB(t *testing.T, schema ...string) *DB {
	t.Helper()
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "group.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	for _, q := range append([]string{`CREATE TABLE items (name TEXT PRIMARY KEY)`}, schema...) {
		if _, err := db.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

// counted is a job whose function counts its runs.
type counted struct {
	*job
	runs atomic.Int32
}

func newJob(ctx context.Context, fn func(tx *Tx) error) *counted {
	c := &counted{}
	c.job = &job{ctx: ctx, done: make(chan error, 1), fn: func(tx *Tx) error {
		c.runs.Add(1)
		return fn(tx)
	}}
	return c
}

// runAsOneGroup runs the jobs as one group on the writer and waits for
// every answer, running AfterCommit hooks as InTx would.
func runAsOneGroup(t *testing.T, db *DB, jobs ...*counted) []error {
	t.Helper()
	batch := make([]*job, len(jobs))
	for i, c := range jobs {
		batch[i] = c.job
	}
	db.runGroup(batch)
	errs := make([]error, len(jobs))
	for i, c := range jobs {
		select {
		case errs[i] = <-c.done:
			if errs[i] == nil {
				runHooks(c.hooks)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("job %d was never answered", i)
		}
		if n := c.runs.Load(); n > 1 {
			t.Errorf("job %d ran %d times, want at most once", i, n)
		}
	}
	return errs
}

func names(t *testing.T, db *DB) string {
	t.Helper()
	rows, err := db.Query(context.Background(), `SELECT name FROM items ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		out = append(out, n)
	}
	return strings.Join(out, ",")
}

func insertJob(ctx context.Context, names ...string) func(tx *Tx) error {
	return func(tx *Tx) error {
		for _, n := range names {
			if _, err := tx.Exec(ctx, `INSERT INTO items (name) VALUES (?)`, n); err != nil {
				return err
			}
		}
		return nil
	}
}

// In one group, a job that fails after writing (by returning an error, by
// panicking, or on a constraint) is rolled back to its savepoint alone:
// the others commit in the same commit, its own writes are gone, each
// function ran exactly once, and only the committed jobs' hooks ran.
func TestGroupJobFailsAloneAndEachRunsOnce(t *testing.T) {
	ctx := context.Background()
	db := groupDB(t)
	errNo := errors.New("refused")
	var hooks []string
	hook := func(tx *Tx, name string) { tx.AfterCommit(func() { hooks = append(hooks, name) }) }
	var seen int
	jobs := []*counted{
		newJob(ctx, func(tx *Tx) error { hook(tx, "a"); return insertJob(ctx, "a")(tx) }),
		newJob(ctx, func(tx *Tx) error { // writes, then says no
			hook(tx, "wrote-then-failed")
			if err := insertJob(ctx, "x1", "x2")(tx); err != nil {
				return err
			}
			return errNo
		}),
		newJob(ctx, func(tx *Tx) error { // writes, then panics
			hook(tx, "panicked")
			_ = insertJob(ctx, "p")(tx)
			panic("job panicked")
		}),
		newJob(ctx, func(tx *Tx) error { // writes, then breaks a constraint
			return insertJob(ctx, "c", "a")(tx)
		}),
		newJob(ctx, func(tx *Tx) error { // reads what the group wrote, refuses
			if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM items`).Scan(&seen); err != nil {
				return err
			}
			return errNo
		}),
		newJob(ctx, func(tx *Tx) error { // DELETE ... RETURNING counts as a write
			var n string
			if err := tx.QueryRow(ctx, `DELETE FROM items WHERE name = 'a' RETURNING name`).Scan(&n); err != nil {
				return err
			}
			return errNo
		}),
		newJob(ctx, func(tx *Tx) error { hook(tx, "b"); return insertJob(ctx, "b")(tx) }),
	}
	before := db.commit.groups.Load()
	errs := runAsOneGroup(t, db, jobs...)
	if got := db.commit.groups.Load() - before; got != 1 {
		t.Errorf("%d commits, want the group's one", got)
	}
	for i, c := range jobs {
		if c.runs.Load() != 1 {
			t.Errorf("job %d ran %d times, want exactly once", i, c.runs.Load())
		}
	}
	if errs[0] != nil || errs[6] != nil {
		t.Fatalf("the good jobs failed: %v, %v", errs[0], errs[6])
	}
	if !errors.Is(errs[1], errNo) || !errors.Is(errs[4], errNo) || !errors.Is(errs[5], errNo) {
		t.Errorf("refusals answered %v, %v, %v; want their own error", errs[1], errs[4], errs[5])
	}
	if errs[2] == nil || !strings.Contains(errs[2].Error(), "panic") {
		t.Errorf("the panicking job answered %v, want a panic error", errs[2])
	}
	if !IsUniqueViolation(errs[3]) {
		t.Errorf("the constraint job answered %v, want a unique violation", errs[3])
	}
	if seen != 1 {
		t.Errorf("the reading job saw %d rows, want 1: the group's write before it, none of the failed ones'", seen)
	}
	if got := names(t, db); got != "a,b" {
		t.Errorf("committed %q, want a,b", got)
	}
	if got := strings.Join(hooks, ","); got != "a,b" {
		t.Errorf("hooks ran for %q, want a,b", got)
	}

	// A job whose caller has gone is answered unrun.
	gone, cancel := context.WithCancel(ctx)
	cancel()
	late := newJob(gone, insertJob(ctx, "late"))
	errs = runAsOneGroup(t, db, late, newJob(ctx, insertJob(ctx, "g")))
	if !errors.Is(errs[0], context.Canceled) || late.runs.Load() != 0 || errs[1] != nil {
		t.Fatalf("cancelled job: %v after %d runs, other %v", errs[0], late.runs.Load(), errs[1])
	}
}

// A job's own savepoints, nested and with a name used twice, stay inside
// the job's: what it keeps commits, what it rolls back does not, a job that
// fails with its savepoints still open loses all of it, and its neighbours
// are untouched.
func TestGroupJobsOwnSavepoints(t *testing.T) {
	ctx := context.Background()
	db := groupDB(t)
	exec := func(tx *Tx, qs ...string) error {
		for _, q := range qs {
			if _, err := tx.Exec(ctx, q); err != nil {
				return err
			}
		}
		return nil
	}
	errNo := errors.New("refused")
	errs := runAsOneGroup(t, db,
		newJob(ctx, insertJob(ctx, "first")),
		newJob(ctx, func(tx *Tx) error { // keeps k1 and k3, undoes k2; leaves "s" open
			return exec(tx, `SAVEPOINT s`, `INSERT INTO items VALUES ('k1')`,
				`SAVEPOINT s`, `INSERT INTO items VALUES ('k2')`, `ROLLBACK TO s`, `RELEASE s`,
				`INSERT INTO items VALUES ('k3')`)
		}),
		newJob(ctx, func(tx *Tx) error { // fails with two of its own open
			if err := exec(tx, `INSERT INTO items VALUES ('f1')`, `SAVEPOINT s`, `INSERT INTO items VALUES ('f2')`,
				`SAVEPOINT t`, `INSERT INTO items VALUES ('f3')`, `RELEASE t`); err != nil {
				return err
			}
			return errNo
		}),
		newJob(ctx, func(tx *Tx) error { // the same names again, released
			return exec(tx, `SAVEPOINT s`, `INSERT INTO items VALUES ('n1')`, `RELEASE s`)
		}),
	)
	if errs[0] != nil || errs[1] != nil || !errors.Is(errs[2], errNo) || errs[3] != nil {
		t.Fatalf("answers %v", errs)
	}
	if got := names(t, db); got != "first,k1,k3,n1" {
		t.Fatalf("committed %q, want first,k1,k3,n1", got)
	}
}

// If the group's commit fails, every job in it gets that error and none of
// its writes remain; nothing ran twice and no hook ran. A failed job's
// deferred constraint violation is undone with its savepoint and does not
// fail the commit of the others.
func TestGroupCommitFailureAnswersEveryJob(t *testing.T) {
	ctx := context.Background()
	db := groupDB(t, `CREATE TABLE parents (id INTEGER PRIMARY KEY)`,
		`CREATE TABLE children (id INTEGER PRIMARY KEY, parent INTEGER NOT NULL REFERENCES parents (id) DEFERRABLE INITIALLY DEFERRED)`)
	orphan := func(tx *Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO children (parent) VALUES (42)`)
		return err
	}
	hooked := 0
	withHook := func(fn func(*Tx) error) func(*Tx) error {
		return func(tx *Tx) error { tx.AfterCommit(func() { hooked++ }); return fn(tx) }
	}
	errNo := errors.New("refused")
	errs := runAsOneGroup(t, db,
		newJob(ctx, withHook(insertJob(ctx, "a"))),
		newJob(ctx, func(tx *Tx) error { _ = orphan(tx); return errNo }),
		newJob(ctx, withHook(insertJob(ctx, "b"))),
	)
	if errs[0] != nil || !errors.Is(errs[1], errNo) || errs[2] != nil || hooked != 2 {
		t.Fatalf("a failed job's deferred violation: answers %v, %d hooks", errs, hooked)
	}

	hooked = 0
	jobs := []*counted{
		newJob(ctx, withHook(insertJob(ctx, "c"))),
		newJob(ctx, withHook(orphan)), // succeeds, but the commit cannot
		newJob(ctx, func(tx *Tx) error { return errNo }),
		newJob(ctx, withHook(insertJob(ctx, "d"))),
	}
	errs = runAsOneGroup(t, db, jobs...)
	for i, err := range errs {
		if err == nil || !strings.Contains(err.Error(), "commit") {
			t.Errorf("job %d answered %v, want the commit's error", i, err)
		}
		if jobs[i].runs.Load() != 1 {
			t.Errorf("job %d ran %d times", i, jobs[i].runs.Load())
		}
	}
	if hooked != 0 {
		t.Errorf("%d hooks ran for a group that did not commit", hooked)
	}
	if got := names(t, db); got != "a,b" {
		t.Fatalf("after the failed commit: %q, want a,b", got)
	}
	// The writer goes on.
	if errs := runAsOneGroup(t, db, newJob(ctx, insertJob(ctx, "e"))); errs[0] != nil {
		t.Fatal(errs[0])
	}
}

// A job whose failure rolls back the whole transaction (RAISE(ROLLBACK) in
// a trigger) takes the jobs before it with it: they get an error, not a
// silent loss. Jobs after it run in a group of their own and commit.
func TestGroupTransactionLostMidway(t *testing.T) {
	ctx := context.Background()
	db := groupDB(t, `CREATE TRIGGER no_boom BEFORE INSERT ON items WHEN NEW.name = 'boom'
BEGIN SELECT RAISE(ROLLBACK, 'no boom'); END`)
	jobs := []*counted{
		newJob(ctx, insertJob(ctx, "a")),
		newJob(ctx, insertJob(ctx, "boom")),
		newJob(ctx, insertJob(ctx, "b")),
	}
	errs := runAsOneGroup(t, db, jobs...)
	if errs[0] == nil || errs[1] == nil || errs[2] != nil {
		t.Fatalf("answers %v; want errors for a and boom, b committed", errs)
	}
	if got := names(t, db); got != "b" {
		t.Fatalf("committed %q, want b", got)
	}
}

// AfterCommit hooks run only once the WAL holding the commit is synced,
// before InTx returns, in the order registered; a failed sync runs none.
func TestAfterCommitWaitsForDurability(t *testing.T) {
	ctx := context.Background()
	db := openDurable(t)
	entered, release, _ := blockSyncs(t)
	var ran atomic.Int32
	var order []int
	returned := make(chan error, 1)
	go func() {
		returned <- db.InTx(ctx, func(tx *Tx) error {
			tx.AfterCommit(func() { order = append(order, 1); ran.Add(1) })
			tx.AfterCommit(func() { order = append(order, 2); ran.Add(1) })
			_, err := tx.Exec(ctx, `INSERT INTO items (name) VALUES ('a')`)
			return err
		})
	}()
	<-entered // committed, not yet durable
	time.Sleep(50 * time.Millisecond)
	if ran.Load() != 0 {
		t.Fatal("an AfterCommit hook ran before the WAL was synced")
	}
	release(nil)
	if err := <-returned; err != nil {
		t.Fatal(err)
	}
	if ran.Load() != 2 || len(order) != 2 || order[0] != 1 {
		t.Fatalf("hooks ran %v by the time InTx returned, want [1 2]", order)
	}
}

func TestAfterCommitSkippedWhenSyncFails(t *testing.T) {
	ctx := context.Background()
	db := openDurable(t)
	_, release, _ := blockSyncs(t)
	boom := errors.New("disk gone")
	release(boom)
	ran := false
	err := db.InTx(ctx, func(tx *Tx) error {
		tx.AfterCommit(func() { ran = true })
		_, err := tx.Exec(ctx, `INSERT INTO items (name) VALUES ('a')`)
		return err
	})
	if !errors.Is(err, boom) || ran {
		t.Fatalf("InTx = %v, hook ran %v; want the sync's error and no hook", err, ran)
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

// The first job of a group to write takes no savepoint: when it fails after
// writing, the whole transaction goes, which holds nobody else's work, and
// the jobs after it commit in a fresh one. Each still runs exactly once,
// and no SAVEPOINT was needed for the first writer that succeeded either.
func TestFirstWriterOfAGroupNeedsNoSavepoint(t *testing.T) {
	ctx := context.Background()
	db := groupDB(t)
	errNo := errors.New("refused")
	var firstSaved, secondSaved bool
	jobs := []*counted{
		newJob(ctx, func(tx *Tx) error { // writes first, then says no
			err := insertJob(ctx, "gone")(tx)
			firstSaved = tx.saved
			if err != nil {
				return err
			}
			return errNo
		}),
		newJob(ctx, func(tx *Tx) error { // now the first writer: no savepoint
			err := insertJob(ctx, "kept")(tx)
			secondSaved = tx.saved
			return err
		}),
		newJob(ctx, func(tx *Tx) error { // after a writer that stays: a savepoint
			if err := insertJob(ctx, "x")(tx); err != nil {
				return err
			}
			if !tx.saved {
				return errors.New("wrote without a savepoint after another job's writes")
			}
			return errNo
		}),
	}
	errs := runAsOneGroup(t, db, jobs...)
	for i, c := range jobs {
		if c.runs.Load() != 1 {
			t.Errorf("job %d ran %d times, want exactly once", i, c.runs.Load())
		}
	}
	if !errors.Is(errs[0], errNo) || errs[1] != nil || !errors.Is(errs[2], errNo) {
		t.Fatalf("answers %v; want the refusal, nil, the refusal", errs)
	}
	if firstSaved || secondSaved {
		t.Errorf("first writers took savepoints: %v, %v", firstSaved, secondSaved)
	}
	var names []string
	rows, err := db.Query(ctx, `SELECT name FROM items ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var n string
		_ = rows.Scan(&n)
		names = append(names, n)
	}
	if strings.Join(names, ",") != "kept" {
		t.Errorf("rows %v, want only the one kept", names)
	}
}
