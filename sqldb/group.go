package sqldb

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
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

// runGroup runs a batch in one transaction and one commit. It is
// optimistic: jobs rarely fail once their input is validated, so the batch
// runs without savepoints. A job that fails without having written anything
// (a refusal: its checks read, then it said no) is set aside and answered
// with its error once the rest has committed. Only when a job fails after
// writing (or the commit does) is the whole batch rolled back and each job
// run again in its own transaction. A job's function may therefore run
// twice; each runs against the state its statements see, so that is safe.
//
// A committed job is answered by the syncer, once the WAL holding its commit
// is on disk; meanwhile the writer goes on with the next group.
func (db *DB) runGroup(batch []*job) {
	if ran, refused, ok := db.runBatch(&batch); ok {
		if len(ran) > 0 {
			acks := make([]chan error, len(ran))
			for i, j := range ran {
				acks[i] = j.done
			}
			db.afterSync(acks...)
		}
		for _, r := range refused {
			r.job.done <- r.err
		}
		return
	}
	for _, j := range batch {
		if err := db.runOne(j); err != nil {
			j.done <- err
			continue
		}
		db.afterSync(j.done)
	}
}

// refusal is a job that failed without writing, and its error.
type refusal struct {
	job *job
	err error
}

// runBatch runs the batch in one transaction and reports the jobs that ran,
// those it set aside as refusals, and whether the transaction committed.
//
// A failed job counts as a refusal when it ran nothing but plain SELECTs
// (Tx tracks it): it left the transaction as it found it, so the others
// need not be rolled back with it. Before this, one refused kudos (a
// duplicate, say) turned a group of ten into ten commits. A failure after
// anything that may have written rolls the whole batch back.
func (db *DB) runBatch(batch *[]*job) (ran []*job, refused []refusal, ok bool) {
	sqlTx, err := db.writer.BeginTx(context.Background(), nil)
	if err != nil {
		return nil, nil, false
	}
	tx := &Tx{tx: sqlTx, db: db}
	for i := 0; i < len(*batch) || db.takeMore(batch); i++ {
		j := (*batch)[i]
		if err := j.ctx.Err(); err != nil {
			refused = append(refused, refusal{j, err})
			continue
		}
		tx.mayHaveWritten = false
		if err := safeRun(j.fn, tx); err != nil {
			if tx.mayHaveWritten {
				_ = sqlTx.Rollback()
				return nil, nil, false
			}
			refused = append(refused, refusal{j, err})
			continue
		}
		ran = append(ran, j)
	}
	if sqlTx.Commit() != nil {
		return nil, nil, false
	}
	db.commit.groups.Add(1)
	return ran, refused, true
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
