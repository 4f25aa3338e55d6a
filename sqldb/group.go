package sqldb

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	sqlite3 "github.com/mattn/go-sqlite3"
)

// maxGroup bounds how many writes share one commit, so one commit's latency
// stays small even under a flood.
const maxGroup = 128

// maxJoin is the size up to which a running group takes in jobs that
// arrive while it runs (takeMore).
const maxJoin = 8

type job struct {
	ctx  context.Context
	fn   func(tx *Tx) error
	done chan error
	// hooks are the job's AfterCommit hooks, set by the writer before it
	// answers done and run by the caller once done says nil.
	hooks []func()
}

// committer batches write transactions behind SQLite's single writer.
type committer struct {
	once     sync.Once
	jobs     chan *job
	priority error        // from pinThread
	groups   atomic.Int64 // groups committed together (tests)
}

// writerNice is the nice value of the writer's and the syncer's threads,
// checkpointNice the checkpointer's (pinThread). BenchmarkKudosWithReaders,
// three paired runs on 2 CPUs: writer at the default priority 1,630-1,930
// kudos/s, p99 20.7-26.2 ms; at -5, 2,050-2,500, p99 17.2-20.1 ms. Then,
// kudos offered at a fixed 2,000 a second, four paired runs: syncer and
// checkpointer at the default p99 34-74 ms; syncer -5 and checkpointer +5,
// 32-45 ms.
const (
	writerNice     = -5
	checkpointNice = 5
)

// startCommitter starts the writer goroutine once and reports whether it
// could raise its thread's priority.
func (db *DB) startCommitter() {
	db.commit.once.Do(func() {
		db.commit.jobs = make(chan *job, 4*maxGroup)
		boosted := make(chan error, 1)
		go db.commitLoop(boosted)
		db.commit.priority = <-boosted
	})
}

// WriterPriority reports why the SQLite writer thread runs at the default
// scheduling priority, or nil when it was raised (always nil on
// PostgreSQL, which has no such thread).
func (db *DB) WriterPriority() error { return db.commit.priority }

func (db *DB) group(ctx context.Context, fn func(tx *Tx) error) error {
	db.startCommitter()
	j := &job{ctx: ctx, fn: fn, done: make(chan error, 1)}
	select {
	case db.commit.jobs <- j:
	case <-ctx.Done():
		return ctx.Err()
	case <-db.closed:
		return errClosed
	}
	// Once queued, the job runs to its end: waiting here for the commit (and not
	// for ctx) means an acknowledged write is never reported as failed.
	select {
	case err := <-j.done:
		if err == nil {
			runHooks(j.hooks)
		}
		return err
	case <-db.durable.done:
		// The committer and the syncer stopped; they may have answered this
		// job just before.
		select {
		case err := <-j.done:
			if err == nil {
				runHooks(j.hooks)
			}
			return err
		default:
			return errClosed
		}
	}
}

var errClosed = fmt.Errorf("sqldb: database is closed")

func (db *DB) commitLoop(boosted chan<- error) {
	boosted <- pinThread(writerNice)
	defer close(db.loopDone)
	for {
		var first *job
		select {
		case first = <-db.commit.jobs:
		case <-db.closed:
			// Finish anything already queued before stopping.
			for {
				select {
				case j := <-db.commit.jobs:
					db.runGroup([]*job{j})
				default:
					return
				}
			}
		}
		batch := []*job{first}
	fill:
		for len(batch) < maxGroup {
			select {
			case j := <-db.commit.jobs:
				batch = append(batch, j)
			default:
				break fill
			}
		}
		db.runGroup(batch)
		db.restartWAL()
	}
}

// runGroup runs a batch in one transaction and one commit, each job
// inside a savepoint of its own (Tx.beforeWrite), so each job's function
// runs exactly once: one that fails is rolled back to its savepoint and
// answered with its error, the rest commit together. A failed job is
// answered only once the group has committed: it may have refused on what
// jobs before it wrote, and if that commit fails it gets the commit's
// error like the others.
//
// A committed job is answered by the syncer, once the WAL holding its commit
// is on disk; meanwhile the writer goes on with the next group.
func (db *DB) runGroup(batch []*job) {
	for len(batch) > 0 {
		g := db.runBatch(&batch)
		if g.err != nil {
			for _, j := range batch[:g.next] {
				j.hooks = nil
				j.done <- g.err
			}
		} else {
			if len(g.ran) > 0 {
				acks := make([]chan error, len(g.ran))
				for i, j := range g.ran {
					acks[i] = j.done
				}
				db.afterSync(acks...)
			}
			for _, f := range g.failed {
				f.job.done <- f.err
			}
		}
		// Jobs the group did not reach (its transaction was lost) start
		// a group of their own.
		batch = batch[g.next:]
	}
}

// failure is a job that failed, and its error.
type failure struct {
	job *job
	err error
}

// outcome is what runBatch made of a batch: the jobs that ran and commit,
// those that failed, how many jobs of the batch it dealt with, and, when
// the group's transaction did not commit, why.
type outcome struct {
	ran    []*job
	failed []failure
	next   int
	err    error
}

// runBatch runs the batch in one transaction and commits it. A job whose
// caller has gone is answered unrun. Should a job's failure take the whole
// transaction with it (SQLite rolls back everything on a full disk, an I/O
// error or a RAISE(ROLLBACK)), its savepoint is gone too: the jobs that ran
// before it get the error, and the rest are left for another group.
func (db *DB) runBatch(batch *[]*job) (g outcome) {
	sqlTx, err := db.writer.BeginTx(context.Background(), nil)
	if err != nil {
		g.next, g.err = len(*batch), fmt.Errorf("sqldb: begin: %w", err)
		return g
	}
	for ; g.next < len(*batch) || db.takeMore(batch); g.next++ {
		j := (*batch)[g.next]
		if err := j.ctx.Err(); err != nil {
			g.failed = append(g.failed, failure{j, err})
			continue
		}
		tx := &Tx{tx: sqlTx, db: db, grouped: true, first: len(g.ran) == 0}
		err := safeRun(j.fn, tx)
		if err == nil {
			err = tx.saveErr
		}
		if err != nil && tx.wrote {
			// The first job to write failed: nobody else's work is in the
			// transaction, so it goes whole and a fresh one takes the rest.
			_ = sqlTx.Rollback()
			g.failed = append(g.failed, failure{j, err})
			if sqlTx, err = db.writer.BeginTx(context.Background(), nil); err != nil {
				g.next++
				g.err = fmt.Errorf("sqldb: begin: %w", err)
				return g
			}
			continue
		}
		lost := tx.endSavepoint(err == nil)
		if lost == nil && !tx.saved && rollsBackTx(err) {
			lost = err
		}
		if lost != nil {
			_ = sqlTx.Rollback()
			g.next++
			g.err = fmt.Errorf("sqldb: group transaction lost: %w", lost)
			return g
		}
		if err != nil {
			g.failed = append(g.failed, failure{j, err})
			continue
		}
		j.hooks = tx.hooks
		g.ran = append(g.ran, j)
	}
	if err := sqlTx.Commit(); err != nil {
		g.err = fmt.Errorf("sqldb: commit: %w", err)
		return g
	}
	db.commit.groups.Add(1)
	return g
}

// rollsBackTx reports whether err is one of the errors on which SQLite may
// roll back the whole transaction. After one in a job with no savepoint to
// roll back to, the group cannot tell whether its transaction survived.
func rollsBackTx(err error) bool {
	var se sqlite3.Error
	if !errors.As(err, &se) {
		return false
	}
	switch se.Code {
	case sqlite3.ErrFull, sqlite3.ErrIoErr, sqlite3.ErrBusy, sqlite3.ErrNomem:
		return true
	}
	return false
}

// endSavepoint releases a job's savepoint, after rolling back to it unless
// the job succeeded. An error means the group's transaction is gone.
func (t *Tx) endSavepoint(keep bool) error {
	if !t.saved {
		return nil
	}
	ctx := context.Background()
	if !keep {
		if _, err := t.tx.ExecContext(ctx, "ROLLBACK TO "+savepoint); err != nil {
			return err
		}
	}
	_, err := t.tx.ExecContext(ctx, "RELEASE "+savepoint)
	return err
}

// takeMore adds to the batch a job that arrived while the batch ran, if
// there is one and the batch is still small. Jobs that come in while a
// small group runs join its commit instead of waiting for the next: with
// kudos at 2,000 a second most groups were a single job, and a commit (and
// the fsync and checkpoint work each commit brings) cost as much as the
// kudos in it. A large group already shares its commit widely, and letting
// it grow would only hold back the answers of the jobs at its head.
func (db *DB) takeMore(batch *[]*job) bool {
	if len(*batch) >= maxJoin {
		return false
	}
	select {
	case j := <-db.commit.jobs:
		*batch = append(*batch, j)
		return true
	default:
		return false
	}
}

// safeRun turns a panic in fn into an error, so one bad job cannot take the
// writer goroutine (and every other caller) down with it.
func safeRun(fn func(tx *Tx) error, tx *Tx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("sqldb: panic in transaction: %v", p)
		}
	}()
	return fn(tx)
}
