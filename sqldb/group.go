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
	case <-db.loopDone:
		// The committer stopped; it may have run this job just before.
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
	}
}

// runGroup runs a batch in one transaction, each job in its own savepoint.
func (db *DB) runGroup(batch []*job) {
	if len(batch) == 1 {
		j := batch[0]
		j.done <- db.runOne(j)
		return
	}
	sqlTx, err := db.writer.BeginTx(context.Background(), nil)
	if err != nil {
		for _, j := range batch {
			j.done <- fmt.Errorf("sqldb: begin: %w", err)
		}
		return
	}
	tx := &Tx{tx: sqlTx, db: db}
	results := make([]error, len(batch))
	for i, j := range batch {
		if err := j.ctx.Err(); err != nil {
			results[i] = err
			continue
		}
		if _, err := sqlTx.Exec("SAVEPOINT g"); err != nil {
			results[i] = fmt.Errorf("sqldb: savepoint: %w", err)
			continue
		}
		err := safeRun(j.fn, tx)
		if err != nil {
			_, rbErr := sqlTx.Exec("ROLLBACK TO g")
			if rbErr != nil {
				// The transaction is unusable; fail this batch as a whole.
				_ = sqlTx.Rollback()
				for k, jj := range batch {
					if k < i && results[k] == nil {
						results[k] = fmt.Errorf("sqldb: batch aborted: %w", rbErr)
					}
					if k >= i {
						results[k] = err
					}
					jj.done <- results[k]
				}
				return
			}
		}
		if _, relErr := sqlTx.Exec("RELEASE g"); relErr != nil && err == nil {
			err = fmt.Errorf("sqldb: release: %w", relErr)
		}
		results[i] = err
	}
	if err := sqlTx.Commit(); err != nil {
		for i := range results {
			if results[i] == nil {
				results[i] = fmt.Errorf("sqldb: commit: %w", err)
			}
		}
	}
	for i, j := range batch {
		j.done <- results[i]
	}
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
