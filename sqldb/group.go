package sqldb

import (
	"context"
	"fmt"
	"sync"
)

// maxGroup bounds how many writes share one commit, so one commit's latency
// stays small even under a flood.
const maxGroup = 128

type job struct {
	ctx  context.Context
	fn   func(tx *Tx) error
	done chan error
}

// committer batches write transactions behind SQLite's single writer.
type committer struct {
	once sync.Once
	jobs chan *job
}

func (db *DB) group(ctx context.Context, fn func(tx *Tx) error) error {
	db.commit.once.Do(func() {
		db.commit.jobs = make(chan *job, 4*maxGroup)
		go db.commitLoop()
	})
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
		return err
	case <-db.durable.done:
		// The committer and the syncer stopped; they may have answered this
		// job just before.
		select {
		case err := <-j.done:
			return err
		default:
			return errClosed
		}
	}
}

var errClosed = fmt.Errorf("sqldb: database is closed")

func (db *DB) commitLoop() {
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

// runGroup runs a batch in one transaction and one commit. It is
// optimistic: jobs rarely fail once their input is validated, so the batch
// runs without savepoints, and only when a job fails (or the commit does) is
// the whole batch rolled back and each job run again in its own transaction.
// A job's function may therefore run twice; each runs against the state its
// statements see, so that is safe.
//
// A committed job is answered by the syncer, once the WAL holding its commit
// is on disk; meanwhile the writer goes on with the next group.
func (db *DB) runGroup(batch []*job) {
	if len(batch) > 1 {
		if db.runBatch(batch) {
			acks := make([]chan error, len(batch))
			for i, j := range batch {
				acks[i] = j.done
			}
			db.afterSync(acks...)
			return
		}
	}
	for _, j := range batch {
		if err := db.runOne(j); err != nil {
			j.done <- err
			continue
		}
		db.afterSync(j.done)
	}
}

// runBatch reports whether every job ran and the batch committed.
func (db *DB) runBatch(batch []*job) bool {
	sqlTx, err := db.writer.BeginTx(context.Background(), nil)
	if err != nil {
		return false
	}
	tx := &Tx{tx: sqlTx, db: db}
	for _, j := range batch {
		if j.ctx.Err() != nil || safeRun(j.fn, tx) != nil {
			_ = sqlTx.Rollback()
			return false
		}
	}
	return sqlTx.Commit() == nil
}

func (db *DB) runOne(j *job) error {
	if err := j.ctx.Err(); err != nil {
		return err
	}
	return db.inOwnTx(j.ctx, func(tx *Tx) error { return safeRun(j.fn, tx) })
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
